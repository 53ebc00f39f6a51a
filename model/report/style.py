"""The one matplotlib style of loopbaansim: the CLI's charts, the API's, the report's and the what-if page's.

Readable in greyscale: series differ by line style and marker as well as by a
colour of distinct lightness; bands are light greys with a hatch-free edge line.
Charts are made inside :func:`styled`, which sets the style for that chart only
(no global state, no pyplot).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import matplotlib

# Okabe-Ito colours ordered so that neighbours differ in lightness (they stay apart in greyscale).
COLOURS = ("#000000", "#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")
DASHES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 3)), (0, (3, 1, 1, 1, 1, 1)), (0, (6, 2)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++", "--")
BAND_ALPHA = 0.18
TARGET_COLOUR = "#B00000"
SOURCE_COLOUR = "0.35"

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 9,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "axes.prop_cycle": matplotlib.cycler(color=COLOURS),
    "hatch.linewidth": 0.6,
}


@contextlib.contextmanager
def styled() -> Iterator[None]:
    """Make a chart in the shared style (a ``matplotlib.rc_context``; nothing global changes)."""
    with matplotlib.rc_context(STYLE):
        yield


def series(i: int) -> dict:
    """Colour, line style and marker of the i-th series, so overlapping lines stay apart in greyscale."""
    lap = i // len(COLOURS)  # past the last colour, the markers and dashes shift so no two series look alike
    return {"color": COLOURS[i % len(COLOURS)], "linestyle": DASHES[(i + lap) % len(DASHES)],
            "marker": MARKERS[(i + lap) % len(MARKERS)], "markersize": 5}


def bar(i: int) -> dict:
    """Face colour and hatch of the i-th bar series (a hatch tells bars apart in greyscale)."""
    lap = i // len(COLOURS)
    return {"color": COLOURS[i % len(COLOURS)], "hatch": HATCHES[(i + lap) % len(HATCHES)], "edgecolor": "white",
            "linewidth": 0.5}
