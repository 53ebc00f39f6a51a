"""What every chart of the model shares: a figure without pyplot, its legend and source line, and saving it.

Figures are made without pyplot, so importing the charts (or the package)
sets no matplotlib backend and opens no window; in Jupyter a returned figure
shows itself (:class:`Chart`). Charts are drawn only in this layer: the run
folder's (:mod:`.summary`), the report's (:mod:`.figures`), a calibration's
(:mod:`.calibration`) and a sweep's (:mod:`.sweeps`).
"""

from __future__ import annotations

import io
import os
import secrets
import textwrap
from pathlib import Path

import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..style import COLOURS, series


def compact(value: float, _pos=None) -> str:
    """Tick label in thousands or millions (1.2M, 250k)."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:.3g}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.3g}k"
    return f"{value:.3g}"


def colour(i: int) -> str:
    """The i-th colour of the shared style, as a value ("C0" would be looked up when drawn, outside the style)."""
    return COLOURS[i % len(COLOURS)]


def line_style(i: int) -> dict:
    """Line style, marker and colour of the i-th series (:func:`model.report.style.series`)."""
    return series(i)


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


def figure(**kwargs) -> tuple[Chart, object]:
    """A new figure and its axes (``Figure.subplots`` arguments), without pyplot."""
    figsize = kwargs.pop("figsize")
    fig = Chart(figsize=figsize)
    return fig, fig.subplots(**kwargs)


def legend_below(fig: Figure, ax, fontsize: int = 8) -> None:
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


def signed(values: pd.Series | np.ndarray, unit: str = "") -> matplotlib.ticker.Formatter:
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


def save_png(fig: Figure, path: Path, stamp: str) -> Path:
    """Write ``fig`` with its stamp as one PNG, atomically (a sweep's chart is written once)."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    lowest = min(ax.get_tightbbox(renderer).y0 for ax in fig.axes) / fig.bbox.height  # under every axis label
    fig.stamp_y = min(getattr(fig, "stamp_y", -0.02), lowest - 0.02)
    stamp_figure(fig, stamp)
    box = fig.get_tightbbox(renderer).padded(matplotlib.rcParams["savefig.pad_inches"])
    # a name of this process's own: two sweeps of one file finishing at once each write theirs, and one rename wins
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp.png")
    try:
        fig.savefig(tmp, dpi=150, bbox_inches=box)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)  # (gone after the rename; left only by a failed save)
    return path
