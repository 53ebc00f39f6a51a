"""Charts of a calibration and of a back-cast: the model against the observed figures.

:func:`fit_chart` draws yearly starts of cheques 1 and 2 and the composition of
users, observed (with tolerance) against the model; :func:`draw_calibration` and
:func:`draw_backcast` are the hooks the calibration's and the back-cast's run
folders call to draw it.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...experiments.calibration.backcast import Backcast
from ...experiments.calibration.fit import CalibrationResult
from ...experiments.calibration.write import targets_table
from .. import labels
from ..style import series, styled
from .base import colour, compact, figure, save_figure
from .summary import draw


def fit_chart(table: pd.DataFrame, title: str, second: tuple[str, str] | None = None,
              model_label: str = "model") -> Figure:
    """Model against observed: yearly starts of cheques 1 and 2, and the composition of users.

    Args:
        table: A target comparison (columns target, kind, metric, group, period,
            observed, model, tolerance; optionally sample = in-sample / out-of-sample).
        second: Optional ``(column, label)`` of a second model value to draw
            (e.g. the full engine next to the calibration objective).
    """
    fig, axes = figure(nrows=1, ncols=3, figsize=(16, 5), gridspec_kw={"width_ratios": [1, 1, 1.3]})
    for ax, metric, label in zip(axes[:2], ("starts_cheque1", "starts_cheque2"), ("Cheque 1", "Cheque 2")):
        d = table[(table["kind"] == "starts") & (table["metric"] == metric) & (table["group"] == "all")].copy()
        d["year"] = d["period"].astype(int)
        d = d.sort_values("year")
        ax.plot(d["year"], d["model"], **series(0), label=model_label)
        if second is not None and second[0] in d:
            ax.plot(d["year"], d[second[0]], **series(1), label=second[1])
        known = d[d["observed"].notna()]
        ax.errorbar(known["year"], known["observed"], yerr=known["tolerance"], fmt="o", color="black",
                    capsize=3, label="observed (bar: tolerance)")
        if "sample" in d and (d["sample"] == "out-of-sample").any():
            first_out = d.loc[d["sample"] == "out-of-sample", "year"].min()
            ax.axvspan(first_out - 0.5, d["year"].max() + 0.5, color="0.9", zorder=0)
            ax.text(first_out - 0.4, ax.get_ylim()[1] * 0.02, "out of sample\n(never fitted)", fontsize=8, va="bottom")
        ax.set_title(f"{label}: people starting guidance per year")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(compact))
        ax.set_ylim(0, ax.get_ylim()[1] * 1.3)  # room for the legend above the lines
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    axes[0].legend(fontsize=8, loc="upper left")
    ax = axes[2]
    d = table[(table["kind"] == "share") & table["observed"].notna()].reset_index(drop=True)
    y = np.arange(len(d))
    ax.barh(y, d["model"] * 100, height=0.6, color=colour(2), alpha=0.7, label=model_label)
    if second is not None and second[0] in d:
        ax.plot(d[second[0]] * 100, y, "|", color="C1", markersize=12, markeredgewidth=2, label=second[1])
    ax.errorbar(d["observed"] * 100, y, xerr=d["tolerance"] * 100, fmt="o", color="black", capsize=3,
                label="observed (bar: tolerance)")
    names = [labels.group(g, "en") if labels.has(f"group.{g}") else g for g in d["group"]]
    ax.set_yticks(y, [f"{name} ({p})" for name, p in zip(names, d["period"])], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("share of users (%)")
    ax.set_title("Who the users are")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12))  # below the axis, off the bars
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def draw_calibration(result: CalibrationResult, folder: Path, stamp: str) -> list[Path]:
    """A calibration's chart: the replay at the fit (and the full engine, if checked) against the targets."""
    config, targets = result.config, targets_table(result)
    with styled():
        chart = fit_chart(targets.rename(columns={"model_replay": "model"}),
                          "Calibration: model against the 2014-2018 figures",
                          second=(("model_engine", f"full engine (scale {config.check_scale:g})")
                                  if "model_engine" in targets else None),
                          model_label=f"calibration objective (expected, scale {config.scale:g})")
    return save_figure(chart, folder, "calibration_fit", stamp)


def draw_backcast(done: Backcast):
    """The hook that draws a back-cast's run folder: the run's charts and the back-cast against the figures."""
    scenarios = done.result.scenarios

    def charts(manifest: dict, tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
        second = ("model_second", scenarios[1].title) if len(scenarios) > 1 else None
        with styled():
            chart = fit_chart(done.judged(), f"Back-cast '{scenarios[0].name}' against the observed figures (fitted "
                              f"to 2014-{done.last_fit_year}; later years out of sample)", second=second,
                              model_label=scenarios[0].title)
        stamp = f"loopbaansim back-cast {manifest['run']}; scale {manifest['settings']['scale']:g}"
        return draw(manifest, tables, folder) + save_figure(chart, folder, "validation", stamp)

    return charts
