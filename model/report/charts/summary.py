"""The run folder's own charts (``charts/``), in English and Dutch, drawn from its tables, and a paired difference.

They show who is reached, the starts, the cost, the employment rate and the career centres.

Each chart reads a :class:`model.report.run_data.RunTables` (the tables the
folder holds) and finds its metrics by role (:data:`model.engine.counters.ROLES`);
its title states its finding. :func:`draw` is the hook that
:func:`model.results.run_folder.write` calls to draw them into a new run folder.

``CHARTS`` names every chart of a run folder: ``{name: (file name, function)}``; each is
written in the language chosen for the run (``loopbaan run --lang``, ``Results.save(lang=...)``):
``name.png`` and ``name.svg`` in English, ``name.nl.png`` and ``name.nl.svg`` in Dutch, every
word from :mod:`model.report.labels`.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import labels
from ..run_data import RunTables
from ..style import HATCHES, series, styled
from .base import colour, compact, figure, legend_below, save_figure, signed, stamp_figure
from .figures import target_rate

BAR_GROUPS = ("women", "men", "low_educated", "age_50_plus", "migration_background", "work_disability",
              "disadvantaged", "non_active", "re_entrant")
EN = "en"  # the language of a chart when none is asked for
FILE_SUFFIX = {"en": "", "nl": ".nl"}  # each language's file names: name.png, name.nl.png


def _t(key: str, lang: str, **values) -> str:
    """A chart's word or sentence from the translation table (keys ``chart.*``)."""
    return labels.text(f"chart.{key}", lang, **values)


def _n(value: float, lang: str, decimals: int = 0) -> str:
    return labels.number(value, lang, decimals)


def _names(run: RunTables) -> list[str]:
    return run.scenario_names


def _bars_by_group(ax, run: RunTables, metric: str, label: str, lang: str) -> None:
    summary, names = run.summary, _names(run)
    sub = summary[(summary["metric"] == metric) & summary["group"].isin(BAR_GROUPS)]
    avg = sub.groupby(["scenario", "group"])["value"].mean().unstack("group").reindex(columns=list(BAR_GROUPS))
    width = 0.8 / max(len(names), 1)
    y = np.arange(len(BAR_GROUPS))
    for i, name in enumerate(names):
        values = avg.loc[name].to_numpy() if name in avg.index else np.zeros(len(BAR_GROUPS))
        ax.barh(y + i * width, values, height=width, label=run.title(name, lang), color=colour(i),
                hatch=HATCHES[i % len(HATCHES)], edgecolor="white", linewidth=0.5)
    ax.set_yticks(y + width * (len(names) - 1) / 2, [labels.group(g, lang) for g in BAR_GROUPS])
    ax.set_xlabel(label)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(compact))
    ax.grid(axis="x", alpha=0.3)


def _finding(fig: Figure, title: str, note: str = "") -> None:
    """The figure's title: its finding (and a note under it), wrapped to the figure's width so none is cut."""
    width = int(fig.get_figwidth() * 9)  # characters of 11-point bold text across the figure, with a margin
    fig.suptitle(textwrap.fill(title, width) + (f"\n{textwrap.fill(note, width)}" if note else ""), fontsize=11,
                 fontweight="bold", y=1.0, va="bottom")


def _plain(summary: pd.DataFrame) -> pd.DataFrame:
    """The rows of the metrics without extra dimensions (one value per year)."""
    return summary[summary["centre"].isna()] if "centre" in summary else summary


def _lines(ax, run: RunTables, metrics: list[str], scale: float = 1.0, lang: str = EN) -> None:
    """Each scenario's yearly value of the sum of ``metrics`` (group all), with its band."""
    sub = _plain(run.summary)
    sub = sub[sub["metric"].isin(metrics) & (sub["group"] == "all")]
    for i, name in enumerate(_names(run)):
        d = sub[sub["scenario"] == name].groupby("year")[[c for c in ("value", "p05", "p95") if c in sub]].sum()
        ax.plot(d.index, d["value"] / scale, label=run.title(name, lang), **series(i))
        if "p05" in d:
            ax.fill_between(d.index, d["p05"] / scale, d["p95"] / scale, alpha=0.2, color=colour(i))
    ax.grid(alpha=0.3)


def eligible_and_users(run: RunTables, lang: str = EN) -> Figure:
    """Who may use the cheque and who takes it up, by group (bars per scenario)."""
    fig, axes = figure(nrows=1, ncols=2, figsize=(13, 5.5), sharey=True)
    first_year, last_year = run.years
    eligible, users = run.metric("eligible"), run.metric("users")
    _bars_by_group(axes[0], run, eligible, _t("eligible_axis", lang, start=first_year, end=last_year), lang)
    _bars_by_group(axes[1], run, users, _t("users_axis", lang, start=first_year, end=last_year), lang)
    axes[0].invert_yaxis()  # once: the axes share y
    axes[0].set_title(_t("who_may", lang))
    axes[1].set_title(_t("who_takes", lang))
    legend_below(fig, axes[0], fontsize=9)
    first = _names(run)[0]
    population = run.metric("population")
    n_users = run.yearly_mean(users, first)
    low = run.yearly_mean(users, first, "low_educated") / n_users if n_users > 0 else float("nan")
    low_population = run.yearly_mean(population, first, "low_educated") / run.yearly_mean(population, first)
    _finding(fig, _t("eligible_finding", lang, scenario=run.title(first, lang),
                     eligible=_n(run.yearly_mean(eligible, first), lang), users=_n(n_users, lang),
                     low=_n(100 * low, lang), low_population=_n(100 * low_population, lang)),
             _t("groups_overlap", lang))
    return fig


def yearly_cost(run: RunTables, lang: str = EN) -> Figure:
    """Public cost per year (the cheques and every ask's cost), per scenario."""
    fig, ax = figure(figsize=(8, 4.5))
    costs_of = run.costs()
    _lines(ax, run, costs_of, 1e6, lang)
    ax.set_ylabel(_t("cost_axis", lang))
    ax.set_xlabel(_t("year", lang))
    ax.set_title(_t("cost_title", lang))
    ax.set_ylim(bottom=0)
    legend_below(fig, ax)
    costs = {name: sum(run.yearly_mean(m, name) for m in costs_of) / 1e6 for name in _names(run)}
    first = _names(run)[0]
    _finding(fig, _t("cost_finding", lang, scenario=run.title(first, lang), cost=_n(costs[first], lang, 1),
                     low=_n(min(costs.values()), lang, 1), high=_n(max(costs.values()), lang, 1)))
    return fig


def employment_rate(run: RunTables, lang: str = EN) -> Figure:
    """Employment rate against the target, and the extra people at work compared with the first scenario."""
    target = target_rate(run)
    names = _names(run)
    fig, axes = figure(nrows=1, ncols=2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [3, 2]})
    ax = axes[0]
    _lines(ax, run, [run.metric("rate")], 0.01, lang)
    ax.axhline(target * 100, color="black", linestyle="--", linewidth=1)
    low, high = ax.get_ylim()
    ax.set_ylim(low, max(high, target * 100 + 0.3))
    ax.text(ax.get_xlim()[0], target * 100, "  " + _t("target", lang, target=_n(100 * target, lang)), va="top",
            fontsize=9)
    ax.set_ylabel(_t("rate_axis", lang))
    ax.set_title(_t("rate_title", lang, target=_n(100 * target, lang)))
    legend_below(fig, ax)
    # The scenarios differ by far less than the axis shows: the difference in people at work.
    ax = axes[1]
    wide = run.series(run.metric("employed"))
    base = names[0]
    for i, name in enumerate(names[1:], start=1):
        ax.plot(wide.index, wide[name] - wide[base], marker="o", color=colour(i), label=run.title(name, lang))
    ax.axhline(0, color=colour(0), linewidth=1)
    ax.set_title(textwrap.fill(_t("extra_work_title", lang, baseline=run.title(base, lang)), 50), fontsize=10)
    differences = np.concatenate([(wide[name] - wide[base]).to_numpy() for name in names[1:]] or [np.zeros(1)])
    ax.yaxis.set_major_formatter(signed(differences))
    ax.grid(alpha=0.3)  # the scenarios' colours are those of the legend under the figure
    ax.set_ylabel(_t("persons", lang))
    last = int(wide.index.max())
    rate = float(run.series(run.metric("rate")).loc[last, base]) * 100
    largest = float(np.abs(differences).max())
    _finding(fig, _t("rate_finding", lang, rate=_n(rate, lang, 1), year=last, scenario=run.title(base, lang),
                     largest=_n(largest, lang)))
    return fig


def starts(run: RunTables, lang: str = EN) -> Figure:
    """Cheque-1 and cheque-2 starts per year, per scenario."""
    fig, axes = figure(nrows=1, ncols=2, figsize=(12, 4.5), sharey=True)
    users = run.metric("users")
    for ax, metric, title in zip(axes, (users, run.metric("second_starts")), (_t("starts1_title", lang),
                                                                               _t("starts2_title", lang))):
        _lines(ax, run, [metric], lang=lang)
        ax.set_title(title)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(compact))
        ax.set_ylim(bottom=0)
    axes[0].set_ylabel(_t("starts_axis", lang))
    legend_below(fig, axes[0])
    per_year = {name: run.yearly_mean(users, name) for name in _names(run)}
    first = _names(run)[0]
    _finding(fig, _t("starts_finding", lang, scenario=run.title(first, lang), users=_n(per_year[first], lang),
                     low=_n(min(per_year.values()), lang), high=_n(max(per_year.values()), lang)))
    return fig


def difference(table: pd.DataFrame, metric: str = "employed", groups: tuple[str, ...] = ("all",),
               title: str | None = None, lang: str = EN) -> Figure:
    """A paired difference by year (from :meth:`model.Results.difference`), with its p05-p95 band.

    Args:
        table: Columns scenario, baseline, year, metric, group, value, p05, p95.
        metric: The metric to draw.
        groups: The groups to draw, one line each.
        lang: The language of its words.
    """
    fig, ax = figure(figsize=(8, 4.5))
    sub = table[(table["metric"] == metric) & table["group"].isin(groups)]
    if sub.empty:
        raise ValueError(f"no difference for metric '{metric}' and groups {list(groups)}")
    rate = metric == "employment_rate_20_64"
    scale = 0.01 if rate else 1.0
    for i, group in enumerate(groups):
        d = sub[sub["group"] == group].sort_values("year")
        ax.plot(d["year"], d["value"] / scale, label=labels.group(group, lang) if labels.has(f"group.{group}") else group,
                **series(i))
        if (d["p95"] > d["p05"]).any():
            ax.fill_between(d["year"], d["p05"] / scale, d["p95"] / scale, alpha=0.2, color=colour(i))
    ax.axhline(0, color="black", linewidth=1)
    ax.yaxis.set_major_formatter(signed(sub["value"] / scale, " pp" if rate else ""))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    first = sub.iloc[0]
    ax.set_title(title or _t("difference_title", lang, metric=metric, scenario=first["scenario"],
                             baseline=first["baseline"]), fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def _panel(ax, title: str, from_zero: bool = True) -> None:
    """A panel's title, grid, and its axis from 0."""
    ax.set_title(title, fontsize=10)
    if from_zero:
        ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)


def centres(run: RunTables, lang: str = EN) -> Figure:
    """Career centres: capacity against demand, waiting, drop-outs, occupancy per centre and quality.

    Besides the metrics of their roles, it reads the centres' own counters (:mod:`model.mechanisms.centres`):
    ``months_waited``, ``centre_hours_delivered``, ``centre_capacity_hours``, ``quality_mean`` and ``quality_p10``.
    """
    fig, axes = figure(nrows=2, ncols=3, figsize=(15, 9.5))
    fig.subplots_adjust(hspace=0.55, wspace=0.25)  # room for the panels' titles of two and three lines
    summary, names = run.summary, _names(run)
    plain = _plain(summary)
    hours, capacity = run.metric("hours"), run.metric("capacity")
    ax = axes[0, 0]
    for i, name in enumerate(names):
        d = plain[(plain["scenario"] == name) & (plain["group"] == "all") & (plain["metric"] == hours)]
        d = d.sort_values("year")
        ax.plot(d["year"], d["value"] / 12, label=run.title(name, lang), **series(i))
    most = plain[(plain["metric"] == capacity) & (plain["scenario"] == names[0])].sort_values("year")
    ax.plot(most["year"], most["value"], color="black", linestyle="--", linewidth=1.5, label=_t("capacity", lang))
    _panel(ax, _t("hours_title", lang))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(compact))
    ax = axes[0, 1]
    users, second = run.metric("users"), run.metric("second_starts")
    for i, name in enumerate(names):
        d = plain[(plain["scenario"] == name) & (plain["group"] == "all")].pivot_table(
            index="year", columns="metric", values="value")
        started = d[users] + d[second]
        ax.plot(d.index, np.where(started > 0, d["months_waited"] / started.where(started > 0), np.nan), **series(i))
    _panel(ax, _t("wait_title", lang))
    ax = axes[0, 2]
    _lines(ax, run, [run.metric("dropouts")], lang=lang)
    _panel(ax, _t("dropouts_title", lang))
    ax = axes[1, 0]
    last = run.years[1]
    pooled = float(run.settings["scale"]) < 1
    if pooled:  # capacity is shared by pools of centres: one centre's occupancy means nothing
        _panel(ax, _t("occupancy_title", lang, year=last))
        ax.text(0.5, 0.5, _t("occupancy_pooled", lang),
                ha="center", va="center", transform=ax.transAxes, fontsize=9, color="0.35")
        ax.set_xticks([])
        ax.set_yticks([])
    else:
        per_centre = summary[(summary["year"] == last) & summary["metric"].isin(["centre_hours_delivered",
                                                                                  "centre_capacity_hours"])]
        for i, name in enumerate(names):
            d = per_centre[per_centre["scenario"] == name].pivot_table(index="centre", columns="metric", values="value")
            if d.empty or "centre_capacity_hours" not in d:
                continue
            d = d[d["centre_capacity_hours"] > 0]
            occupancy = np.sort((d["centre_hours_delivered"] / 12 / d["centre_capacity_hours"]).to_numpy())[::-1]
            ax.plot(np.arange(1, len(occupancy) + 1), occupancy * 100, **series(i))
        ax.axhline(100, color="black", linestyle="--", linewidth=1)
        _panel(ax, _t("occupancy_full_title", lang, year=last))
        ax.set_xlabel(_t("centres", lang))
    ax = axes[1, 1]
    _lines(ax, run, [run.metric("waiting")], lang=lang)
    _panel(ax, _t("waiting_title", lang))
    ax = axes[1, 2]
    for i, name in enumerate(names):
        for metric, dash in (("quality_mean", "-"), ("quality_p10", ":")):
            d = plain[(plain["scenario"] == name) & (plain["metric"] == metric)].sort_values("year")
            ax.plot(d["year"], d["value"], color=colour(i), linestyle=dash)
    _panel(ax, _t("quality_title", lang), from_zero=False)
    legend_below(fig, axes[0, 0])
    first = names[0]
    use = run.yearly_mean(hours, first) / 12 / run.yearly_mean(capacity, first)
    waiting = max(run.yearly_mean(run.metric("waiting"), name) for name in names)
    _finding(fig, _t("centres_finding", lang, scenario=run.title(first, lang), use=_n(100 * use, lang),
                     waiting=_n(waiting, lang)))
    return fig


# Every chart of a run folder: name -> (file name, function of the run).
CHARTS = {
    "eligible_and_users": ("eligible_and_users_by_group", eligible_and_users),
    "cheque_starts": ("cheque_starts_per_year", starts),
    "government_cost": ("government_cost_per_year", yearly_cost),
    "employment_rate": ("employment_rate_vs_target", employment_rate),
    "centres": ("career_centres", centres),
}


def chart_name(name: str) -> str:
    """The chart's name in ``CHARTS``, from its name or its file name.

    Raises:
        ValueError: naming the charts there are.
    """
    for key, (file_name, _) in CHARTS.items():
        if name in (key, file_name):
            return key
    raise ValueError(f"no chart named {name!r}; charts: {', '.join(CHARTS)} (or 'difference')")


def make(run: RunTables, name: str, lang: str = EN) -> Figure:
    """The run-folder chart ``name`` (or its file name) in ``lang``, in the shared style, with the run's source line."""
    labels.check_language(lang)
    _, function = CHARTS[chart_name(name)]
    with styled():
        fig = function(run, lang)
    return stamp(fig, run, lang)


def stamp(fig: Figure, run: RunTables, lang: str = EN) -> Figure:
    """The run's source line under ``fig``."""
    return stamp_figure(fig, run.source_line(lang))


def write_all(run: RunTables, folder: Path, lang: str = EN) -> list[Path]:
    """Write every chart of ``CHARTS`` into ``folder`` (PNG and SVG) in ``lang``; return the files written."""
    labels.check_language(lang)
    files = []
    for file_name, function in CHARTS.values():
        with styled():  # the one style of the CLI, the API, the report and the what-if page
            files += save_figure(function(run, lang), folder, file_name + FILE_SUFFIX[lang], run.source_line(lang))
    return files


def drawer(lang: str = EN):
    """The hook of :func:`model.results.run_folder.write` that draws a run folder's charts in ``lang``."""
    labels.check_language(lang)

    def draw(manifest: dict, tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
        return write_all(RunTables.of(manifest, tables), folder, lang)

    return draw


draw = drawer(EN)  # the run folder's charts in English
