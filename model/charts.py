"""Charts for policymakers: functions that return a matplotlib ``Figure``.

Figures are made without pyplot, so importing this module (or the package)
sets no matplotlib backend and opens no window; in Jupyter a returned figure
shows itself. Only :func:`save_figure` (used by the CLI and
:meth:`model.Results.save`) writes files, as PNG and SVG.

``CHARTS`` names every chart of a run folder: ``{name: (file name, function)}``.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .style import COLOURS, HATCHES

GROUP_LABELS = {
    "all": "All 20-64", "women": "Women", "men": "Men", "low_educated": "Low-educated",
    "age_50_plus": "Aged 50+", "migration_background": "Migration background",
    "work_disability": "Work disability", "disadvantaged": "Any disadvantaged group",
    "non_active": "Non-active", "re_entrant": "Re-entrants (resolution definition)",
}


def _compact(value: float, _pos=None) -> str:
    """Tick label in thousands or millions (1.2M, 250k)."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:.3g}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.3g}k"
    return f"{value:.3g}"


STYLES = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ((0, (5, 1, 1, 1)), "v"), ((0, (1, 3)), "P")]


def _style(i: int) -> dict:
    """Line style and marker of the i-th scenario, so lines that overlap stay visible."""
    dash, marker = STYLES[i % len(STYLES)]
    return {"linestyle": dash, "marker": marker, "color": _colour(i), "markersize": 6 - min(i, 3)}


def _colour(i: int) -> str:
    """The i-th colour of the shared style, as a value ("C0" would be looked up when drawn, outside the style)."""
    return COLOURS[i % len(COLOURS)]


class Chart(Figure):
    """A matplotlib ``Figure`` that shows itself in Jupyter (as PNG) without pyplot or a backend.

    Attributes:
        stamp_y: Height (figure fraction) at which the stamp line goes, below
            anything drawn under the axes (a legend, say).
    """

    stamp_y = -0.02

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        return buffer.getvalue()


def _figure(**kwargs) -> tuple[Chart, object]:
    """A new figure and its axes (``Figure.subplots`` arguments), without pyplot."""
    figsize = kwargs.pop("figsize")
    fig = Chart(figsize=figsize)
    return fig, fig.subplots(**kwargs)


def _legend_below(fig: Figure, ax, fontsize: int = 8) -> None:
    """The scenarios' legend under the axes, never over the data; the stamp goes below it.

    Long scenario titles go one to a row; short ones side by side.
    """
    handles, labels = ax.get_legend_handles_labels()
    if not labels:
        return
    per_row = fig.get_figwidth() * 130 / fontsize  # characters that fit across the figure
    ncol = max(1, min(len(labels), int(per_row // (max(map(len, labels)) + 6))))
    rows = -(-len(labels) // ncol)
    fig.legend(handles, labels, loc="upper center", ncol=ncol, fontsize=fontsize, bbox_to_anchor=(0.5, 0.0),
               frameon=False)
    fig.stamp_y = -0.02 - rows * fontsize * 1.6 / (72 * fig.get_figheight())  # one text line per legend row


def stamp_figure(fig: Figure, stamp: str) -> Figure:
    """Print the lines naming the run, scale and seed under the figure (wrapped to its width)."""
    if stamp and not getattr(fig, "stamped", False):
        width = max(int(fig.get_figwidth() * 16), 60)  # characters of 7-point text across the figure
        fig.text(0.01, getattr(fig, "stamp_y", -0.02), textwrap.fill(stamp, width), fontsize=7, color="0.35",
                 ha="left", va="top")
        fig.stamped = True
    return fig


def _signed(values: pd.Series | np.ndarray, unit: str = "") -> matplotlib.ticker.Formatter:
    """Tick labels with a sign, with as many decimals as the range of ``values`` needs (no '+0, -0')."""
    largest = float(np.nanmax(np.abs(values))) if len(values) else 0.0
    decimals = 0 if largest >= 10 else (1 if largest >= 1 else 2)
    return matplotlib.ticker.FuncFormatter(
        lambda v, _: ("0" if abs(v) < 0.5 * 10 ** -decimals else f"{v:+,.{decimals}f}") + unit)


def save_figure(fig: Figure, folder: Path, name: str, stamp: str = "") -> list[Path]:
    """Write ``fig`` as ``name.png`` and ``name.svg`` in ``folder``; return the files."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp_figure(fig, stamp)
    paths = [folder / f"{name}.png", folder / f"{name}.svg"]
    # the tight box once for both files (each "tight" save draws the figure twice), as "tight" pads it
    box = fig.get_tightbbox(FigureCanvasAgg(fig).get_renderer()).padded(matplotlib.rcParams["savefig.pad_inches"])
    fig.savefig(paths[0], dpi=150, bbox_inches=box)
    fig.savefig(paths[1], bbox_inches=box)
    return paths


def _bars_by_group(ax, data: pd.DataFrame, scenarios, metric: str, label: str) -> None:
    groups = [g for g in GROUP_LABELS if g != "all"]
    sub = data[(data["metric"] == metric) & data["group"].isin(groups)]
    avg = sub.groupby(["scenario", "group"])["value"].mean().unstack("group").reindex(columns=groups)
    width = 0.8 / max(len(scenarios), 1)
    y = np.arange(len(groups))
    for i, s in enumerate(scenarios):
        values = avg.loc[s.name].to_numpy() if s.name in avg.index else np.zeros(len(groups))
        ax.barh(y + i * width, values, height=width, label=s.title, color=_colour(i), hatch=HATCHES[i % len(HATCHES)],
                edgecolor="white", linewidth=0.5)
    ax.set_yticks(y + width * (len(scenarios) - 1) / 2, [GROUP_LABELS[g] for g in groups])
    ax.set_xlabel(label)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_compact))
    ax.grid(axis="x", alpha=0.3)


def _yearly_mean(summary: pd.DataFrame, metric: str, scenario: str, group: str = "all") -> float:
    """A metric's yearly mean over the horizon (group ``all`` by default), summed over extra dimensions."""
    from .rundata import yearly_means

    return float(yearly_means(summary[summary["metric"] == metric]).get((metric, group, scenario), float("nan")))


def _finding(fig: Figure, title: str, note: str = "") -> None:
    """The figure's title: its finding (and a note in smaller type under it)."""
    fig.suptitle(title + (f"\n{note}" if note else ""), fontsize=11, fontweight="bold", y=1.0, va="bottom")


def eligible_and_users(summary: pd.DataFrame, scenarios) -> Figure:
    """Who may use the cheque and who takes it up, by group (bars per scenario)."""
    fig, axes = _figure(nrows=1, ncols=2, figsize=(13, 5.5), sharey=True)
    years = f"{summary['year'].min()}-{summary['year'].max()}"
    _bars_by_group(axes[0], summary, scenarios, "eligible", f"People eligible (yearly average, {years})")
    _bars_by_group(axes[1], summary, scenarios, "starts_cheque1", f"New users: cheque-1 starts per year (average, {years})")
    axes[0].invert_yaxis()  # once: the axes share y
    axes[0].set_title("Who may use the loopbaancheque")
    axes[1].set_title("Who takes it up")
    _legend_below(fig, axes[0], fontsize=9)
    first = scenarios[0].name
    users = _yearly_mean(summary, "starts_cheque1", first)
    low = _yearly_mean(summary, "starts_cheque1", first, "low_educated") / users if users > 0 else float("nan")
    population = _yearly_mean(summary, "population_20_64", first, "low_educated") / _yearly_mean(
        summary, "population_20_64", first)
    _finding(fig, f"Under {first}, {_yearly_mean(summary, 'eligible', first):,.0f} people may use the cheque and "
                  f"{users:,.0f} start one a year; {low:.0%} of them are low-educated ({population:.0%} of people 20-64)",
             "groups overlap; 'any disadvantaged group' = any of the four groups above it")
    return fig


def _lines(ax, summary: pd.DataFrame, scenarios, metric: str, scale: float = 1.0) -> None:
    sub = summary[(summary["metric"] == metric) & (summary["group"] == "all")]
    for i, s in enumerate(scenarios):
        d = sub[sub["scenario"] == s.name].sort_values("year")
        ax.plot(d["year"], d["value"] / scale, label=s.title, **_style(i))
        if "p05" in d:
            ax.fill_between(d["year"], d["p05"] / scale, d["p95"] / scale, alpha=0.2)
    ax.grid(alpha=0.3)


def yearly_cost(summary: pd.DataFrame, scenarios) -> Figure:
    """Government cost per year, per scenario."""
    fig, ax = _figure(figsize=(8, 4.5))
    _lines(ax, summary, scenarios, "government_cost_eur", 1e6)
    ax.set_ylabel("EUR million per year\n(fee with VAT less own contributions,\nat the prices in force)")
    ax.set_xlabel("year")
    ax.set_title("Government cost of the loopbaancheque")
    ax.set_ylim(bottom=0)
    _legend_below(fig, ax)
    costs = {sc.name: _yearly_mean(summary, "government_cost_eur", sc.name) / 1e6 for sc in scenarios}
    first = scenarios[0].name
    _finding(fig, f"Under {first} the cheques cost EUR {costs[first]:,.1f}M a year on average; the scenarios range "
                  f"from EUR {min(costs.values()):,.1f}M to {max(costs.values()):,.1f}M")
    return fig


def employment_rate(summary: pd.DataFrame, scenarios) -> Figure:
    """Employment rate against the target, and the extra people at work compared with the first scenario."""
    target = scenarios[0].tree["labour_market.employment_rate_target"].values[-1]
    fig, axes = _figure(nrows=1, ncols=2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [3, 2]})
    ax = axes[0]
    _lines(ax, summary, scenarios, "employment_rate_20_64", 0.01)
    ax.axhline(target * 100, color="black", linestyle="--", linewidth=1)
    low, high = ax.get_ylim()
    ax.set_ylim(low, max(high, target * 100 + 0.3))
    ax.text(ax.get_xlim()[0], target * 100, f"  target {target:.0%}", va="top", fontsize=9)
    ax.set_ylabel("Employment rate 20-64 (%)")
    ax.set_title("Employment rate against the 80% target")
    _legend_below(fig, ax)
    # The scenarios differ by far less than the axis shows: the difference in people at work.
    ax = axes[1]
    employed = summary[(summary["metric"] == "employed") & (summary["group"] == "all")]
    wide = employed.pivot_table(index="year", columns="scenario", values="value")
    base = scenarios[0]
    for i, s in enumerate(scenarios[1:], start=1):
        ax.plot(wide.index, wide[s.name] - wide[base.name], marker="o", color=_colour(i), label=s.title)
    ax.axhline(0, color=_colour(0), linewidth=1)
    ax.set_title(f"Extra people at work compared with\n{base.title}", fontsize=10)
    differences = np.concatenate([(wide[s.name] - wide[base.name]).to_numpy() for s in scenarios[1:]] or [np.zeros(1)])
    ax.yaxis.set_major_formatter(_signed(differences))
    ax.grid(alpha=0.3)  # the scenarios' colours are those of the legend under the figure
    ax.set_ylabel("persons")
    last = int(wide.index.max())
    rate = summary[(summary["metric"] == "employment_rate_20_64") & (summary["group"] == "all")
                   & (summary["year"] == last) & (summary["scenario"] == base.name)]["value"].mean() * 100
    largest = float(np.abs(differences).max())
    _finding(fig, f"The employment rate reaches {rate:.1f}% in {last} under {base.name}; no scenario changes the "
                  f"number at work by more than {largest:,.0f} people")
    return fig


def starts(summary: pd.DataFrame, scenarios) -> Figure:
    """Cheque-1 and cheque-2 starts per year, per scenario."""
    fig, axes = _figure(nrows=1, ncols=2, figsize=(12, 4.5), sharey=True)
    for ax, metric, title in zip(axes, ("starts_cheque1", "starts_cheque2"), ("Cheque 1 starts per year",
                                                                              "Cheque 2 starts per year")):
        _lines(ax, summary, scenarios, metric)
        ax.set_title(title)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_compact))
        ax.set_ylim(bottom=0)
    axes[0].set_ylabel("people starting guidance per year")
    _legend_below(fig, axes[0])
    users = {sc.name: _yearly_mean(summary, "starts_cheque1", sc.name) for sc in scenarios}
    first = scenarios[0].name
    _finding(fig, f"Under {first} {users[first]:,.0f} people a year start a cheque; the scenarios range from "
                  f"{min(users.values()):,.0f} to {max(users.values()):,.0f}")
    return fig


def difference(table: pd.DataFrame, metric: str = "employed", groups: tuple[str, ...] = ("all",),
               title: str | None = None) -> Figure:
    """A paired difference by year (from :meth:`model.Results.difference`), with its p05-p95 band.

    Args:
        table: Columns scenario, baseline, year, metric, group, value, p05, p95.
        metric: The metric to draw.
        groups: The groups to draw, one line each.
    """
    fig, ax = _figure(figsize=(8, 4.5))
    sub = table[(table["metric"] == metric) & table["group"].isin(groups)]
    if sub.empty:
        raise ValueError(f"no difference for metric '{metric}' and groups {list(groups)}")
    rate = metric == "employment_rate_20_64"
    scale = 0.01 if rate else 1.0
    for i, group in enumerate(groups):
        d = sub[sub["group"] == group].sort_values("year")
        ax.plot(d["year"], d["value"] / scale, label=GROUP_LABELS.get(group, group), **_style(i))
        if (d["p95"] > d["p05"]).any():
            ax.fill_between(d["year"], d["p05"] / scale, d["p95"] / scale, alpha=0.2, color=_colour(i))
    ax.axhline(0, color="black", linewidth=1)
    ax.yaxis.set_major_formatter(_signed(sub["value"] / scale, " pp" if rate else ""))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    first = sub.iloc[0]
    ax.set_title(title or f"{metric}: {first['scenario']} minus {first['baseline']} (same people and draws)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def _panel(ax, title: str, from_zero: bool = True) -> None:
    """A panel's title, grid, and its axis from 0."""
    ax.set_title(title, fontsize=10)
    if from_zero:
        ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)


def centres(summary: pd.DataFrame, scenarios) -> Figure:
    """Career centres: capacity against demand, waiting, drop-outs, occupancy per centre and quality."""
    fig, axes = _figure(nrows=2, ncols=3, figsize=(15, 8.5))
    plain = summary[summary["centre"].isna()] if "centre" in summary else summary
    ax = axes[0, 0]
    for i, s in enumerate(scenarios):
        d = plain[(plain["scenario"] == s.name) & (plain["group"] == "all")]
        hours = d[d["metric"] == "guidance_hours"].sort_values("year")
        ax.plot(hours["year"], hours["value"] / 12, label=s.title, **_style(i))
    capacity = plain[(plain["metric"] == "capacity_hours") & (plain["scenario"] == scenarios[0].name)].sort_values("year")
    ax.plot(capacity["year"], capacity["value"], color="black", linestyle="--", linewidth=1.5,
            label="capacity of the centres")
    _panel(ax, "Hours of guidance a month: started (lines)\nagainst what the centres can give (dashed)")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_compact))
    ax = axes[0, 1]
    for i, s in enumerate(scenarios):
        d = plain[(plain["scenario"] == s.name) & (plain["group"] == "all")].pivot_table(
            index="year", columns="metric", values="value")
        started = d["starts_cheque1"] + d["starts_cheque2"]
        ax.plot(d.index, np.where(started > 0, d["months_waited"] / started.where(started > 0), np.nan), **_style(i))
    _panel(ax, "Mean wait for a centre (months, people who started)")
    ax = axes[0, 2]
    _lines(ax, plain, scenarios, "waiting_dropouts")
    _panel(ax, "People who gave up waiting, per year")
    ax = axes[1, 0]
    last = int(summary["year"].max())
    pooled = scenarios[0].settings["scale"] < 1
    if pooled:  # capacity is shared by pools of centres: one centre's occupancy means nothing
        _panel(ax, f"Occupancy of each centre in {last}")
        ax.text(0.5, 0.5, "shown at scale 1 only:\nbelow it, centres of a province\nshare their capacity in pools",
                ha="center", va="center", transform=ax.transAxes, fontsize=9, color="0.35")
        ax.set_xticks([])
        ax.set_yticks([])
        scenarios_for_occupancy = []
    else:
        scenarios_for_occupancy = scenarios
    per_centre = summary[(summary["year"] == last) & summary["metric"].isin(["centre_hours_delivered",
                                                                              "centre_capacity_hours"])]
    for i, s in enumerate(scenarios_for_occupancy):
        d = per_centre[per_centre["scenario"] == s.name].pivot_table(index="centre", columns="metric", values="value")
        if d.empty or "centre_capacity_hours" not in d:
            continue
        d = d[d["centre_capacity_hours"] > 0]
        occupancy = np.sort((d["centre_hours_delivered"] / 12 / d["centre_capacity_hours"]).to_numpy())[::-1]
        ax.plot(np.arange(1, len(occupancy) + 1), occupancy * 100, **_style(i))
    if not pooled:
        ax.axhline(100, color="black", linestyle="--", linewidth=1)
        _panel(ax, f"Occupancy of each centre in {last} (%), fullest first")
        ax.set_xlabel("centres")
    ax = axes[1, 1]
    _lines(ax, plain, scenarios, "waiting_list")
    _panel(ax, "People on a waiting list (average of the months)")
    ax = axes[1, 2]
    for i, s in enumerate(scenarios):
        for metric, dash in (("quality_mean", "-"), ("quality_p10", ":")):
            d = plain[(plain["scenario"] == s.name) & (plain["metric"] == metric)].sort_values("year")
            ax.plot(d["year"], d["value"], color=_colour(i), linestyle=dash)
    _panel(ax, "Quality of the centres: mean weighted by coaches (solid)\nand lowest decile (dotted); 1 = mean "
           "effect without monitoring", from_zero=False)
    _legend_below(fig, axes[0, 0])
    first = scenarios[0].name
    use = _yearly_mean(summary, "guidance_hours", first) / 12 / _yearly_mean(summary, "capacity_hours", first)
    waiting = max(_yearly_mean(summary, "waiting_list", sc.name) for sc in scenarios)
    _finding(fig, f"Career centres: under {first} they give {use:.0%} of the hours they can; on average at most "
                  f"{waiting:,.0f} people wait for one in any scenario")
    return fig


# Every chart of a run folder: name -> (file name, function of (summary, scenarios)).
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


def write_all(summary: pd.DataFrame, scenarios, folder: Path, stamp: str = "") -> list[Path]:
    """Write every chart of ``CHARTS``; return the files written.

    Args:
        stamp: One line naming the run, scale and seed, printed under each chart.
    """
    from .style import styled

    files = []
    for file_name, function in CHARTS.values():
        with styled():  # the one style of the CLI, the API, the report and the what-if page
            files += save_figure(function(summary, scenarios), folder, file_name, stamp)
    return files


SHARE_LABELS = {
    **GROUP_LABELS, "mid_educated": "Mid-educated", "high_educated": "High-educated",
    "age_20_29": "Aged 20-29", "age_30_39": "Aged 30-39", "age_40_49": "Aged 40-49",
    "age_50_54": "Aged 50-54", "age_55_64": "Aged 55-64",
}


def fit_chart(table: pd.DataFrame, title: str, second: tuple[str, str] | None = None,
              model_label: str = "model") -> Figure:
    """Model against observed: yearly starts of cheques 1 and 2, and the composition of users.

    Args:
        table: A target comparison (columns target, kind, metric, group, period,
            observed, model, tolerance; optionally sample = in-sample / out-of-sample).
        second: Optional ``(column, label)`` of a second model value to draw
            (e.g. the full engine next to the calibration objective).
    """
    fig, axes = _figure(nrows=1, ncols=3, figsize=(16, 5), gridspec_kw={"width_ratios": [1, 1, 1.3]})
    for ax, metric, label in zip(axes[:2], ("starts_cheque1", "starts_cheque2"), ("Cheque 1", "Cheque 2")):
        d = table[(table["kind"] == "starts") & (table["metric"] == metric) & (table["group"] == "all")].copy()
        d["year"] = d["period"].astype(int)
        d = d.sort_values("year")
        ax.plot(d["year"], d["model"], **_style(0), label=model_label)
        if second is not None and second[0] in d:
            ax.plot(d["year"], d[second[0]], **_style(1), label=second[1])
        known = d[d["observed"].notna()]
        ax.errorbar(known["year"], known["observed"], yerr=known["tolerance"], fmt="o", color="black",
                    capsize=3, label="observed (bar: tolerance)")
        if "sample" in d and (d["sample"] == "out-of-sample").any():
            first_out = d.loc[d["sample"] == "out-of-sample", "year"].min()
            ax.axvspan(first_out - 0.5, d["year"].max() + 0.5, color="0.9", zorder=0)
            ax.text(first_out - 0.4, ax.get_ylim()[1] * 0.02, "out of sample\n(never fitted)", fontsize=8, va="bottom")
        ax.set_title(f"{label}: people starting guidance per year")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_compact))
        ax.set_ylim(0, ax.get_ylim()[1] * 1.3)  # room for the legend above the lines
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    axes[0].legend(fontsize=8, loc="upper left")
    ax = axes[2]
    d = table[(table["kind"] == "share") & table["observed"].notna()].reset_index(drop=True)
    y = np.arange(len(d))
    ax.barh(y, d["model"] * 100, height=0.6, color=_colour(2), alpha=0.7, label=model_label)
    if second is not None and second[0] in d:
        ax.plot(d[second[0]] * 100, y, "|", color="C1", markersize=12, markeredgewidth=2, label=second[1])
    ax.errorbar(d["observed"] * 100, y, xerr=d["tolerance"] * 100, fmt="o", color="black", capsize=3,
                label="observed (bar: tolerance)")
    ax.set_yticks(y, [f"{SHARE_LABELS.get(g, g)} ({p})" for g, p in zip(d["group"], d["period"])], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("share of users (%)")
    ax.set_title("Who the users are")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12))  # below the axis, off the bars
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def morris_chart(indices: pd.DataFrame, sweep_name: str, path: Path) -> Path:
    """Morris screening: mu* (mean absolute elementary effect) with its 95% interval, one panel per output.

    The parameters are sorted by mu* (largest on top): those that move the
    output most; sigma (printed at each bar) shows how much the effect depends
    on the other parameters.
    """
    from .comparison import ITEMS

    outputs = list(dict.fromkeys(indices["output"]))
    n_params = int(indices.groupby("output").size().max())
    fig, axes = _figure(nrows=len(outputs), ncols=1, figsize=(8.5, (0.3 * n_params + 1.3) * len(outputs)),
                        squeeze=False)
    for ax, output in zip(axes[:, 0], outputs):
        part = indices[indices["output"] == output].sort_values("mu_star")
        y = np.arange(len(part))
        ax.barh(y, part["mu_star"], xerr=part["mu_star_conf"], color="0.55", edgecolor="0.2", capsize=3)
        ax.set_yticks(y, [_parameter_label(p, 60) for p in part["parameter"]], fontsize=8)
        for yi, (mu, conf, sigma) in enumerate(zip(part["mu_star"], part["mu_star_conf"].fillna(0), part["sigma"])):
            ax.annotate(f"sigma {_compact(sigma)}", (mu + conf, yi), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=7, color="0.3")
        item = ITEMS.get(output)
        ax.set_xlabel(f"mu*: mean absolute change of {output} ({item.unit if item else ''}) over the parameter's range")
        top = part.iloc[-1]
        ax.set_title(f"{output}: {top['parameter']} moves it most" if top["mu_star"] > 0
                     else f"{output}: no parameter moves it over these ranges", fontsize=10)
        ax.set_xlim(left=0)
        ax.set_xlim(right=float((part["mu_star"] + part["mu_star_conf"].fillna(0)).max()) * 1.25 or 1.0)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_compact))
    # room for each panel's axis label under it and the next panel's title; little blank under the last
    fig.subplots_adjust(hspace=0.45, bottom=0.7 / fig.get_figheight())
    return _save_png(fig, path, f"loopbaansim sweep {sweep_name} (Morris screening, SALib)")


def sobol_chart(indices: pd.DataFrame, sweep_name: str, path: Path) -> Path:
    """Sobol' indices: the share of an output's variance due to each parameter alone (S1) and with its interactions (ST)."""
    outputs = list(dict.fromkeys(indices["output"]))
    n_params = indices.groupby("output").size().max()
    fig, axes = _figure(nrows=len(outputs), ncols=1, figsize=(8.5, 1.2 + 0.55 * n_params * len(outputs)), squeeze=False)
    for ax, output in zip(axes[:, 0], outputs):
        part = indices[indices["output"] == output].sort_values("ST")
        y = np.arange(len(part))
        ax.barh(y + 0.2, part["ST"], height=0.4, xerr=part["ST_conf"], color="0.35", capsize=3)
        ax.barh(y - 0.2, part["S1"], height=0.4, xerr=part["S1_conf"], color="0.75", edgecolor="0.2", hatch="//",
                capsize=3)
        ax.set_yticks(y, [_parameter_label(p, 60) for p in part["parameter"]], fontsize=8)
        ax.set_xlabel(f"share of the variance of {output}: dark, with its interactions (ST); hatched, alone (S1)")
        top = part.iloc[-1]
        ax.set_title(f"{output}: {top['parameter']} explains most of its variance (total index {top['ST']:.2f})",
                     fontsize=10)
        ax.set_xlim(0, max(1.05, float((part["ST"] + part["ST_conf"].fillna(0)).max()) * 1.05))
    fig.subplots_adjust(hspace=0.9, bottom=0.7 / fig.get_figheight())
    return _save_png(fig, path, f"loopbaansim sweep {sweep_name} (Sobol' indices, SALib; intervals 95%)")


def _parameter_label(path: str, width: int) -> str:
    """A parameter's path for an axis, its end kept when too long (the end names it; a path has no spaces to cut at)."""
    return path if len(path) <= width else "..." + path[-(width - 3):]


def tornado_chart(tornado: pd.DataFrame, sweep_name: str, path: Path) -> Path:
    """A grid's tornado: for each parameter, the output's mean from its lowest to its highest level.

    The bar spans the smallest and largest mean over the parameter's levels (the
    other parameters varied over the grid); the dot marks the highest level, so
    the direction shows. The largest swing is on top.
    """
    from .comparison import ITEMS

    outputs = list(dict.fromkeys(tornado["output"]))
    n_params = int(tornado.groupby("output").size().max())
    fig, axes = _figure(nrows=len(outputs), ncols=1, figsize=(8.5, (0.35 * n_params + 1.3) * len(outputs)),
                        squeeze=False)
    for ax, output in zip(axes[:, 0], outputs):
        part = tornado[tornado["output"] == output].sort_values("swing")
        y = np.arange(len(part))
        ax.barh(y, part["largest"] - part["smallest"], left=part["smallest"], color="0.65", edgecolor="0.2")
        ax.plot(part["at_high"], y, "o", color="0.1", markersize=4, label="at the highest level")
        ax.plot(part["at_low"], y, "|", color="0.1", markersize=10, label="at the lowest level")
        ax.set_yticks(y, [_parameter_label(p, 60) for p in part["parameter"]], fontsize=8)
        item = ITEMS.get(output)
        ax.set_xlabel(f"{output} ({item.unit if item else ''}), mean over the grid's points at each level")
        ax.set_title(f"{output}: {part.iloc[-1]['parameter']} swings it most" if part["swing"].max() > 0
                     else f"{output}: no parameter moves it over this grid", fontsize=10)
        ax.legend(fontsize=7, loc="lower right")
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_compact))
    fig.subplots_adjust(hspace=0.9, bottom=0.7 / fig.get_figheight())
    return _save_png(fig, path, f"loopbaansim sweep {sweep_name} (grid, tornado)")


def discovery_chart(found, bounds: dict[str, tuple[float, float]], sweep_name: str, path: Path) -> Path:
    """Scenario discovery (PRIM): the peeling trajectory, and the chosen box within each parameter's range.

    Args:
        found: A :class:`model.discovery.Discovery` with a chosen box.
        bounds: The sweep's range of each parameter.
    """
    restricted = found.box[found.box["restricted"]]
    fig, (left, right) = _figure(ncols=2, figsize=(11, max(4.2, 0.45 * len(restricted) + 1.8)),
                                 gridspec_kw={"width_ratios": [1, 1.4]})
    traj = found.trajectory
    left.plot(traj["coverage"], traj["density"], "-o", color="0.5", markersize=3)
    row = traj.loc[found.chosen]
    left.plot([row["coverage"]], [row["density"]], "o", color="0.05", markersize=8, label="chosen box")
    left.set_xlabel("coverage: share of the runs\nof interest inside the box")
    left.set_ylabel("density: share of the box's\nruns that are of interest")
    left.set_xlim(0, 1.02)
    left.set_ylim(0, 1.02)
    left.legend(fontsize=8, loc="lower left")
    left.set_title("PRIM's peeling trajectory", fontsize=10)
    y = np.arange(len(restricted))
    for yi, (_, r) in zip(y, restricted.iterrows()):
        low, high = bounds[r["parameter"]]
        span = high - low or 1.0
        right.barh(yi, (r["high"] - r["low"]) / span, left=(r["low"] - low) / span, color="0.35")
        qp = np.nanmin([r["qp_low"], r["qp_high"]])
        right.annotate(f"{r['low']:.3g} to {r['high']:.3g} (quasi-p {qp:.2g})", ((r["high"] - low) / span, yi),
                       xytext=(4, 0), textcoords="offset points", va="center", fontsize=7)
    right.set_yticks(y, [_parameter_label(p, 48) for p in restricted["parameter"]], fontsize=8)
    right.set_xlim(0, 1.6)
    right.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    right.set_xlabel("the box within each parameter's range (0 = low end, 1 = high end)")
    right.set_title(textwrap.shorten(found.question, 80), fontsize=10)
    if not len(restricted):
        right.text(0.5, 0.5, "no restriction", ha="center", transform=right.transAxes)
    fig.subplots_adjust(wspace=1.25, bottom=1.1 / fig.get_figheight())
    return _save_png(fig, path, f"loopbaansim sweep {sweep_name} (scenario discovery, PRIM from the EMA workbench)")


def _save_png(fig: Figure, path: Path, stamp: str) -> Path:
    """Write ``fig`` with its stamp as one PNG, atomically (a sweep's chart is written once)."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    lowest = min(ax.get_tightbbox(renderer).y0 for ax in fig.axes) / fig.bbox.height  # under every axis label
    fig.stamp_y = min(getattr(fig, "stamp_y", -0.02), lowest - 0.02)
    stamp_figure(fig, stamp)
    box = fig.get_tightbbox(renderer).padded(matplotlib.rcParams["savefig.pad_inches"])
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=150, bbox_inches=box)
    tmp.replace(path)
    return path
