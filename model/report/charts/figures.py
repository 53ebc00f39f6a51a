"""The report's charts, made from a run (:class:`model.report.run_data.RunTables`) in Dutch or English.

Every chart's title states its finding, computed from the same numbers it
draws; every axis has its unit; intervals are bands (5th-95th percentile of the
runs); the source line (run, scenarios, seed, scale, replications) sits under
the chart, below the legend. All words come from :mod:`model.report.labels`, the
style from :mod:`model.report.style`; the numbers from :mod:`model.report.tables`.

``FIGURES`` names them: ``{name: function(run, lang, **options) -> Figure | None}``;
a function returns None when the run has nothing to show (a run without
parameter sets has no sensitivity chart).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import labels, style
from ..run_data import RunTables
from ..tables import (
    FROM_OUT_OF_WORK,
    FUNNEL_GROUPS,
    REACH_GROUPS,
    budget_table,
    calibration_table,
    flows_table,
    funnel_table,
    reach_table,
    target_rate,
)
from .base import Chart, compact


def _new(nrows: int = 1, ncols: int = 1, size: tuple[float, float] = (10, 5), **kwargs) -> tuple[Chart, object]:
    fig = Chart(figsize=size, layout="constrained")
    return fig, fig.subplots(nrows, ncols, squeeze=False, **kwargs)


def _finish(fig: Chart, run: RunTables, lang: str, title: str, legend_axes=None) -> Chart:
    """Title (the finding), legend right of the axes, and the source line at the foot, all outside the data.

    The source line is the figure's ``supxlabel``, so the constrained layout keeps it clear of the axes; the
    title is wrapped to the width left of the legend.
    """
    legend_points = 0.0
    if legend_axes is not None:
        handles, names = legend_axes.get_legend_handles_labels()
        if names:
            fig.legend(handles, names, loc="outside right upper")
            legend_points = max(map(len, names)) * 0.55 * style.STYLE["legend.fontsize"] + 40
    fig.suptitle(_wrap(title, fig.get_figwidth() * 72 - legend_points, 11), x=0.01, ha="left", fontsize=11,
                 fontweight="bold")
    fig.supxlabel(_wrap(run.source_line(lang), fig.get_figwidth() * 72, 7), x=0.01, ha="left", fontsize=7,
                  color=style.SOURCE_COLOUR)
    fig.stamped = True  # charts.stamp_figure adds nothing more
    return fig


def _wrap(text: str, width_points: float, font_points: float) -> str:
    """``text`` wrapped to ``width_points`` at ``font_points`` (about 0.6 em a character in bold)."""
    import textwrap

    return textwrap.fill(text, max(30, int(width_points / (0.6 * font_points))))


def _sentence(text: str) -> str:
    """``text`` with a capital first letter (the rest kept: 'VDAB' stays 'VDAB')."""
    return text[:1].upper() + text[1:]


def _year_axis(ax, lang: str) -> None:
    ax.set_xlabel(labels.text("axis.year", lang))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))


def _number_axis(axis, lang: str, decimals: int | None = None) -> None:
    """Tick labels with the language's separators."""
    def show(value, _pos=None):
        if decimals is None:
            shown = compact(value)
            return shown.replace(".", ",") if lang == "nl" else shown
        return labels.number(value, lang, decimals)
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(show))


def cost_label(run: RunTables, metric: str, lang: str) -> str:
    """A cost's name in ``lang``: the translation table's, else the counter's own description."""
    key = f"cost.{metric}"
    if labels.has(key):
        return labels.text(key, lang)
    return next((c.description for c in run.counters if c.name == metric), metric)


# -- the funnel ----------------------------------------------------------------------------------
def funnel(run: RunTables, lang: str, scenarios: list[str] | None = None) -> Figure:
    """Each stage as a share of the group's population, one panel per scenario (default: the first and the last)."""
    names = scenarios or list(dict.fromkeys([run.scenario_names[0], run.scenario_names[-1]]))
    fig, axes = _new(1, len(names), (6.5 * len(names), 5.6), sharey=True)
    stages = ["eligible", "aware", "users", "completed", "back_to_work", FROM_OUT_OF_WORK]
    for ax, name in zip(axes[0], names):
        table = funnel_table(run, name)
        shares = table[stages].div(table["population"], axis=0) * 100
        y = np.arange(len(FUNNEL_GROUPS))
        for i, stage in enumerate(stages):
            values = shares[stage].to_numpy()
            ax.plot(np.where(values > 0, values, np.nan), y, linestyle="none", label=labels.text(f"stage.{stage}", lang),
                    **{k: v for k, v in style.series(i).items() if k != "linestyle"})
        ax.set_yticks(y, [labels.group(g, lang) for g in FUNNEL_GROUPS])
        ax.set_xscale("log")
        ax.set_xlabel(labels.text("axis.share_of_group", lang))
        _number_axis(ax.xaxis, lang, decimals=None)
        ax.set_title(run.title(name, lang), fontsize=9.5)
    axes[0][0].invert_yaxis()
    first = funnel_table(run, names[0]).loc["all"]
    title = labels.text("title.funnel", lang, population=labels.number(first["population"], lang),
                        eligible=labels.number(first["eligible"], lang), users=labels.number(first["users"], lang))
    return _finish(fig, run, lang, title, axes[0][0])


# -- who the cheque reaches ------------------------------------------------------------------------
def reach(run: RunTables, lang: str) -> Figure:
    """The Matthew effect: over- and under-representation of each group among users, per scenario."""
    table = reach_table(run)
    fig, axes = _new(1, 1, (10, 5.2))
    ax = axes[0][0]
    y = np.arange(len(REACH_GROUPS))
    offsets = np.linspace(-0.3, 0.3, len(run.scenario_names)) if len(run.scenario_names) > 1 else [0.0]
    for i, name in enumerate(run.scenario_names):
        ax.plot(table[name].to_numpy(), y + offsets[i], linestyle="none", label=run.title(name, lang),
                **{k: v for k, v in style.series(i).items() if k != "linestyle"})
    ax.axvline(1.0, color="0.3", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks(y, [labels.group(g, lang) for g in REACH_GROUPS])
    ax.invert_yaxis()
    ax.set_xlabel(labels.text("axis.representation", lang))
    _number_axis(ax.xaxis, lang, decimals=None)
    base = run.scenario_names[0]
    reached = table[base][table[base] > 0]  # a group the rules exclude (ratio 0) has its own line in the table
    lowest = reached.idxmin() if not reached.empty else table[base].idxmin()
    title = labels.text("title.reach", lang, group=labels.group(lowest, lang),
                        ratio=labels.number(table.loc[lowest, base], lang, 2), scenario=run.title(base, lang))
    return _finish(fig, run, lang, title, ax)


# -- budget ---------------------------------------------------------------------------------------
def budget(run: RunTables, lang: str) -> Figure:
    """Average yearly cost by item per scenario (stacked bars, top), and the total cost per year (lines, bottom)."""
    table = budget_table(run) / 1e6
    fig, axes = _new(2, 1, (11, 0.45 * len(table) + 6.5), height_ratios=[0.45 * len(table) + 1, 3.5])
    ax = axes[0][0]
    left = np.zeros(len(table))
    y = np.arange(len(table))
    for i, metric in enumerate(table.columns):
        if table[metric].abs().sum() == 0:
            continue
        ax.barh(y, table[metric].to_numpy(), left=left, label=cost_label(run, metric, lang), **style.bar(i))
        left += table[metric].to_numpy()
    ax.set_yticks(y, [run.title(n, lang) for n in table.index])
    ax.invert_yaxis()
    ax.set_xlabel(labels.text("axis.cost_m_per_year", lang) + " (" + labels.text("axis.average", lang) + ")")
    _number_axis(ax.xaxis, lang, decimals=1)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))  # beside the bars, never over them
    lines = axes[1][0]
    total = sum(run.series(m, "all").fillna(0) for m in run.costs()) / 1e6
    for i, name in enumerate(run.scenario_names):
        lines.plot(total.index, total[name], label=run.title(name, lang), **style.series(i))
    _year_axis(lines, lang)
    lines.set_ylabel(labels.text("axis.cost_m_per_year", lang))
    _number_axis(lines.yaxis, lang, decimals=1)
    lines.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    costs = table.sum(axis=1)
    pairs = run.pairs()
    if pairs:
        # the pair whose cost differs most: the budget's finding
        scenario, baseline = max(pairs, key=lambda pair: abs(costs[pair[0]] - costs[pair[1]]))
        title = labels.text("title.budget", lang, scenario=_sentence(run.title(scenario, lang)),
                            cost=labels.number(costs[scenario], lang, 1),
                            extra=labels.number(costs[scenario] - costs[baseline], lang, 2, sign=True),
                            baseline=run.title(baseline, lang))
    else:  # a run of one scenario
        name = run.scenario_names[0]
        title = labels.text("title.budget_single", lang, scenario=_sentence(run.title(name, lang)),
                            cost=labels.number(costs[name], lang, 1))
    return _finish(fig, run, lang, title)


# -- capacity and waiting ------------------------------------------------------------------------
def capacity(run: RunTables, lang: str) -> Figure:
    """Guidance hours delivered against the centres' capacity, and the people waiting (with band)."""
    fig, axes = _new(1, 2, (12, 4.8))
    cap, used = run.series(run.metric("capacity"), "all"), run.series(run.metric("hours"), "all") / 12
    for i, name in enumerate(run.scenario_names):
        axes[0][0].plot(used.index, used[name], label=run.title(name, lang), **style.series(i))
    axes[0][0].plot(cap.index, cap[run.scenario_names[0]], color="0.45", linewidth=3, alpha=0.5,
                    label=labels.text("legend.capacity", lang))
    axes[0][0].set_ylabel(labels.text("axis.hours_per_month", lang))
    axes[0][0].set_ylim(bottom=0)
    _number_axis(axes[0][0].yaxis, lang)
    waiting = run.series(run.metric("waiting"), "all")
    low, high = run.series(run.metric("waiting"), "all", "p05"), run.series(run.metric("waiting"), "all", "p95")
    for i, name in enumerate(run.scenario_names):
        axes[0][1].fill_between(waiting.index, low[name], high[name], color=style.COLOURS[i % len(style.COLOURS)],
                                alpha=style.BAND_ALPHA, linewidth=0)
        axes[0][1].plot(waiting.index, waiting[name], **style.series(i))
    axes[0][1].set_ylabel(labels.text("axis.waiting_persons", lang))
    axes[0][1].set_ylim(bottom=0)
    _number_axis(axes[0][1].yaxis, lang)
    for ax in axes[0]:
        _year_axis(ax, lang)
    base = run.scenario_names[0]
    use = 100 * used[base].sum() / cap[base].sum() if cap[base].sum() > 0 else 0.0
    title = labels.text("title.capacity", lang, use=labels.number(use, lang, 0),
                        waiting=labels.number(float(waiting.max().max()), lang))
    return _finish(fig, run, lang, title, axes[0][0])


# -- flows ------------------------------------------------------------------------------------------
def flows(run: RunTables, lang: str, scenarios: list[str] | None = None) -> Figure | None:
    """Flows between statuses in the last year (grouped bars), for the first and the last scenario by default."""
    table = flows_table(run)
    if table.empty:
        return None
    names = scenarios or list(dict.fromkeys([run.scenario_names[0], run.scenario_names[-1]]))
    table = table[[n for n in names if n in table.columns]]
    year = int(run.transitions["year"].max())
    fig, axes = _new(1, 1, (11, 4.8))
    ax = axes[0][0]
    y = np.arange(len(table))
    height = 0.8 / len(table.columns)
    for i, name in enumerate(table.columns):
        ax.barh(y + i * height, table[name].to_numpy() * 100, height=height, label=run.title(name, lang), **style.bar(i))
    ax.set_yticks(y + height * (len(table.columns) - 1) / 2,
                  [f"{labels.text(f'status.{a}', lang)} → {labels.text(f'status.{b}', lang)}" for a, b in table.index])
    ax.invert_yaxis()
    ax.set_xlabel(labels.text("axis.share_per_year", lang) + f" ({year})")
    _number_axis(ax.xaxis, lang, decimals=0)
    base = table.columns[0]
    share = table.loc[("non_active", "employed"), base] * 100 if ("non_active", "employed") in table.index else 0.0
    title = labels.text("title.flows", lang, share=labels.number(share, lang, 1))
    return _finish(fig, run, lang, title, ax)


# -- employment rate against 80% -----------------------------------------------------------------
def rate_path(run: RunTables, lang: str) -> Figure:
    """Each scenario's employment rate with its band, against the 80% target."""
    rate, low, high = (run.series(run.metric("rate"), "all", c) * 100 for c in ("value", "p05", "p95"))
    target = target_rate(run) * 100
    fig, axes = _new(1, 1, (10, 5))
    ax = axes[0][0]
    for i, name in enumerate(run.scenario_names):
        ax.fill_between(rate.index, low[name], high[name], color=style.COLOURS[i % len(style.COLOURS)],
                        alpha=style.BAND_ALPHA, linewidth=0)
        ax.plot(rate.index, rate[name], label=run.title(name, lang), **style.series(i))
    ax.axhline(target, color=style.TARGET_COLOUR, linestyle="--", linewidth=1.2,
               label=labels.text("legend.target", lang, target=labels.number(target, lang, 0)))
    _year_axis(ax, lang)
    ax.set_ylabel(labels.text("axis.employment_rate", lang))
    _number_axis(ax.yaxis, lang, decimals=1)
    last = rate.index.max()
    reached = bool((rate.loc[last] >= target).any())
    title = labels.text("title.rate_path", lang, rate=labels.number(rate.loc[last].max(), lang, 1), year=last,
                        verdict=labels.text("verdict.reached" if reached else "verdict.not_reached", lang))
    return _finish(fig, run, lang, title, ax)


def extra_work(run: RunTables, lang: str, scenario: str | None = None) -> Figure | None:
    """Extra people at work, year by year, each scenario against its baseline, with the band of the runs."""
    d = run.differences
    if d.empty:
        return None
    d = d[d["metric"] == run.metric("employed")]
    pairs = run.pairs()
    fig, axes = _new(1, 1, (10, 5))
    ax = axes[0][0]
    for i, (name, base) in enumerate(pairs):
        part = d[(d["scenario"] == name) & (d["baseline"] == base)].sort_values("year")
        label = f"{run.title(name, lang)} − {run.title(base, lang)}"
        ax.fill_between(part["year"], part["p05"], part["p95"], color=style.COLOURS[(i + 1) % len(style.COLOURS)],
                        alpha=style.BAND_ALPHA, linewidth=0)
        ax.plot(part["year"], part["value"], label=label, **style.series(i + 1))
    ax.axhline(0, color="0.3", linewidth=0.8)
    _year_axis(ax, lang)
    ax.set_ylabel(labels.text("axis.extra_at_work", lang))
    _number_axis(ax.yaxis, lang)
    name, base = next(((s, b) for s, b in pairs if s == scenario), pairs[-1])
    last = d[(d["scenario"] == name) & (d["baseline"] == base)].sort_values("year").iloc[-1]
    # one run has no interval of the mean: the title says so rather than show its value as "a to a"
    interval = labels.text("interval.none", lang) if pd.isna(last["mean_low"]) else labels.text(
        "interval.to", lang, low=labels.number(last["mean_low"], lang, 0, sign=True),
        high=labels.number(last["mean_high"], lang, 0, sign=True))
    title = labels.text("title.extra_work", lang, scenario=_sentence(run.title(name, lang)),
                        extra=labels.number(last["value"], lang, 0), year=int(last["year"]), interval=interval)
    return _finish(fig, run, lang, title, ax)


# -- sensitivity -----------------------------------------------------------------------------------
def sensitivity(run: RunTables, lang: str) -> Figure | None:
    """Share of each headline difference's variance due to the parameters (runs with parameter sets only)."""
    if "share_parameters" not in run.comparison or run.comparison["share_parameters"].isna().all():
        return None
    items = ["extra_users", "extra_cost_total_eur", "extra_employed"]
    rows = run.comparison[(run.comparison["group"] == "all") & run.comparison["item"].isin(items)]
    # an item without a share (no variance in any run) stays as an empty column, not a missing one
    table = rows.pivot_table(index=["scenario", "baseline"], columns="item", values="share_parameters",
                             sort=False, dropna=False).reindex(columns=items) * 100
    # the pairs the run compares (dropna=False would also make every scenario-baseline pairing), parts left out
    shown = [pair for pair in run.pairs() if pair in table.index]
    if not shown:
        return None
    table = table.loc[shown]
    fig, axes = _new(1, 1, (10, 0.5 * len(table) + 3))
    ax = axes[0][0]
    y = np.arange(len(table))
    height = 0.8 / len(items)
    for i, item in enumerate(items):
        ax.barh(y + i * height, table[item].to_numpy(), height=height, label=labels.text(f"item.{item}", lang),
                **style.bar(i))
    ax.set_yticks(y + height, [f"{run.title(s, lang)} − {run.title(b, lang)}" for s, b in table.index])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(labels.text("axis.share_parameters", lang))
    title = labels.text("title.sensitivity", lang,
                        share=labels.number(float(table["extra_employed"].mean()), lang, 0)
                        if table["extra_employed"].notna().any() else "–")
    return _finish(fig, run, lang, title, ax)


# -- calibration and validation ---------------------------------------------------------------------
def calibration(run: RunTables, lang: str, backcast: str | Path | None = None) -> Figure | None:
    """Observed against model for the yearly starts of cheques 1 and 2; out-of-sample years marked."""
    table = calibration_table(run, backcast)
    if table.empty:
        return None
    fig, axes = _new(1, 2, (12, 4.6), sharey=False)
    for ax, metric in zip(axes[0], ("starts_cheque1", "starts_cheque2")):
        part = table[table["metric"] == metric].sort_values("year")
        ax.plot(part["year"], part["observed"], label=labels.text("legend.observed", lang), color="black",
                linestyle="none", marker="o", markersize=6)
        for sample, fill in (("in-sample", "full"), ("out-of-sample", "none")):
            rows = part[part["sample"] == sample]
            if not rows.empty:
                ax.plot(rows["year"], rows["model"], linestyle="--" if sample == "out-of-sample" else "-",
                        marker="s", fillstyle=fill, color=style.COLOURS[2],
                        label=f"{labels.text('legend.model', lang)}, "
                              f"{labels.text('legend.in_sample' if sample == 'in-sample' else 'legend.out_of_sample', lang)}")
        if (part["sample"] == "out-of-sample").any():
            ax.axvspan(2018.5, part["year"].max() + 0.5, color="0.9", zorder=0)
        ax.set_title(labels.text(f"metric.{metric}", lang), fontsize=9.5)
        ax.set_ylim(bottom=0)
        _year_axis(ax, lang)
        ax.set_ylabel(labels.text("axis.starts_per_year", lang, cheque=metric[-1]))
        _number_axis(ax.yaxis, lang)
    fitted = table[table["sample"] == "in-sample"]
    title = labels.text("title.calibration", lang, tolerance="5%", inside=int(fitted["within_tolerance"].sum()),
                        total=len(fitted))
    later = table[(table["sample"] == "out-of-sample") & table["observed"].notna()]
    if len(later):  # the out-of-sample years are the honest test: said in the title too
        title += labels.text("title.calibration_later", lang, inside=int(later["within_tolerance"].astype(bool).sum()),
                             total=len(later))
    return _finish(fig, run, lang, title, axes[0][0])


FIGURES = {"funnel": funnel, "reach": reach, "budget": budget, "capacity": capacity, "flows": flows,
           "rate_path": rate_path, "extra_work": extra_work, "sensitivity": sensitivity, "calibration": calibration}


def make(run: RunTables, name: str, lang: str = "en", **options) -> Figure | None:
    """The chart ``name`` of :data:`FIGURES` in the shared style.

    Raises:
        ValueError: for an unknown chart name or language.
    """
    labels.check_language(lang)
    if name not in FIGURES:
        raise ValueError(f"figure {name!r}: allowed: {', '.join(FIGURES)}")
    with style.styled():
        return FIGURES[name](run, lang, **options)
