"""The charts of a sweep: Morris, Sobol', a grid's tornado and scenario discovery (PRIM).

Drawn from a finished sweep's tables (:class:`model.experiments.sweep.SweepResult`),
once each, into the sweep's folder (:func:`write`).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.ticker
import numpy as np
import pandas as pd

from ...experiments.sweep import SweepResult
from ...results.comparison import model_items
from ..style import styled
from .base import compact, figure, save_png


def morris_chart(indices: pd.DataFrame, sweep_name: str, path: Path) -> Path:
    """Morris screening: mu* (mean absolute elementary effect) with its 95% interval, one panel per output.

    The parameters are sorted by mu* (largest on top): those that move the
    output most; sigma (printed at each bar) shows how much the effect depends
    on the other parameters.
    """
    outputs = list(dict.fromkeys(indices["output"]))
    n_params = int(indices.groupby("output").size().max())
    fig, axes = figure(nrows=len(outputs), ncols=1, figsize=(8.5, (0.3 * n_params + 1.3) * len(outputs)),
                        squeeze=False)
    for ax, output in zip(axes[:, 0], outputs):
        part = indices[indices["output"] == output].sort_values("mu_star")
        y = np.arange(len(part))
        ax.barh(y, part["mu_star"], xerr=part["mu_star_conf"], color="0.55", edgecolor="0.2", capsize=3)
        ax.set_yticks(y, [_parameter_label(p, 60) for p in part["parameter"]], fontsize=8)
        for yi, (mu, conf, sigma) in enumerate(zip(part["mu_star"], part["mu_star_conf"].fillna(0), part["sigma"])):
            ax.annotate(f"sigma {compact(sigma)}", (mu + conf, yi), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=7, color="0.3")
        item = model_items().get(output)
        ax.set_xlabel(f"mu*: mean absolute change of {output} ({item.unit if item else ''}) over the parameter's range")
        top = part.iloc[-1]
        ax.set_title(f"{output}: {top['parameter']} moves it most" if top["mu_star"] > 0
                     else f"{output}: no parameter moves it over these ranges", fontsize=10)
        ax.set_xlim(left=0)
        ax.set_xlim(right=float((part["mu_star"] + part["mu_star_conf"].fillna(0)).max()) * 1.25 or 1.0)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(compact))
    # room for each panel's axis label under it and the next panel's title; little blank under the last
    fig.subplots_adjust(hspace=0.45, bottom=0.7 / fig.get_figheight())
    return save_png(fig, path, f"loopbaansim sweep {sweep_name} (Morris screening, SALib)")


def sobol_chart(indices: pd.DataFrame, sweep_name: str, path: Path) -> Path:
    """Sobol' indices: the share of an output's variance due to each parameter alone (S1) and with its interactions (ST)."""
    outputs = list(dict.fromkeys(indices["output"]))
    n_params = indices.groupby("output").size().max()
    fig, axes = figure(nrows=len(outputs), ncols=1, figsize=(8.5, 1.2 + 0.55 * n_params * len(outputs)), squeeze=False)
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
    return save_png(fig, path, f"loopbaansim sweep {sweep_name} (Sobol' indices, SALib; intervals 95%)")


def _parameter_label(path: str, width: int) -> str:
    """A parameter's path for an axis, its end kept when too long (the end names it; a path has no spaces to cut at)."""
    return path if len(path) <= width else "..." + path[-(width - 3):]


def tornado_chart(tornado: pd.DataFrame, sweep_name: str, path: Path) -> Path:
    """A grid's tornado: for each parameter, the output's mean from its lowest to its highest level.

    The bar spans the smallest and largest mean over the parameter's levels (the
    other parameters varied over the grid); the dot marks the highest level, so
    the direction shows. The largest swing is on top.
    """
    outputs = list(dict.fromkeys(tornado["output"]))
    n_params = int(tornado.groupby("output").size().max())
    fig, axes = figure(nrows=len(outputs), ncols=1, figsize=(8.5, (0.35 * n_params + 1.3) * len(outputs)),
                        squeeze=False)
    for ax, output in zip(axes[:, 0], outputs):
        part = tornado[tornado["output"] == output].sort_values("swing")
        y = np.arange(len(part))
        ax.barh(y, part["largest"] - part["smallest"], left=part["smallest"], color="0.65", edgecolor="0.2")
        ax.plot(part["at_high"], y, "o", color="0.1", markersize=4, label="at the highest level")
        ax.plot(part["at_low"], y, "|", color="0.1", markersize=10, label="at the lowest level")
        ax.set_yticks(y, [_parameter_label(p, 60) for p in part["parameter"]], fontsize=8)
        item = model_items().get(output)
        ax.set_xlabel(f"{output} ({item.unit if item else ''}), mean over the grid's points at each level")
        ax.set_title(f"{output}: {part.iloc[-1]['parameter']} swings it most" if part["swing"].max() > 0
                     else f"{output}: no parameter moves it over this grid", fontsize=10)
        ax.legend(fontsize=7, loc="lower right")
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(compact))
    fig.subplots_adjust(hspace=0.9, bottom=0.7 / fig.get_figheight())
    return save_png(fig, path, f"loopbaansim sweep {sweep_name} (grid, tornado)")


def discovery_chart(found, bounds: dict[str, tuple[float, float]], sweep_name: str, path: Path) -> Path:
    """Scenario discovery (PRIM): the peeling trajectory, and the chosen box within each parameter's range.

    Args:
        found: A :class:`model.experiments.discovery.Discovery` with a chosen box.
        bounds: The sweep's range of each parameter.
    """
    restricted = found.box[found.box["restricted"]]
    fig, (left, right) = figure(ncols=2, figsize=(11, max(4.2, 0.45 * len(restricted) + 1.8)),
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
    return save_png(fig, path, f"loopbaansim sweep {sweep_name} (scenario discovery, PRIM from the EMA workbench)")


def write(result: SweepResult) -> list[Path]:
    """Draw the charts of a complete sweep that are not there yet (a sweep's chart is written once)."""
    if not result.complete:
        return []
    folder, spec, name = result.folder, result.sweep.spec, result.sweep.spec.name
    written = []
    with styled():
        if result.indices is not None and len(result.indices) and not (folder / f"{spec.method}.png").exists():
            chart = morris_chart if spec.method == "morris" else sobol_chart
            written.append(chart(result.indices, name, folder / f"{spec.method}.png"))
        if result.tornado is not None and not (folder / "tornado.png").exists():
            written.append(tornado_chart(result.tornado, name, folder / "tornado.png"))
        found = result.discovery
        if found is not None and found.chosen is not None and not (folder / "discovery.png").exists():
            written.append(discovery_chart(found, result.sweep.bounds, name, folder / "discovery.png"))
    return written
