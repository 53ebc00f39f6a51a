"""Which candidates for cheque 1 at work may start it, in one loop (see :mod:`.process`).

A person at work orders cheque 1 with a small monthly hazard (below
``simulation.hazard_ceiling.uptake_cheque1``): candidates are drawn at the
ceiling, the same rows in every scenario; this loop keeps those who may start
(eligible, aware, no cheque in a running window, not waiting for a centre),
and gives each the hazard cell whose hazard is then taken.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from ...engine.rows import CHUNKS, chunk_bounds
from ...people.codes import EMPLOYED, NO_MONTH
from ..eligibility.rules import eligible_row
from .awareness import aware_row
from .hazards import cell_row


class WindowColumns(NamedTuple):
    """A person's cheque window and pending order."""

    window_start: np.ndarray
    cheques_in_window: np.ndarray
    waiting_since: np.ndarray


@numba.njit(parallel=True, cache=True)
def workers_who_may_start(rows, month, rule, career, cheque1_month, awareness, levels, window, window_months, cells):
    """For each of ``rows``: the hazard cell of a person at work who may start cheque 1 now, else -1.

    Eligible, at work, aware, no cheque in a running window and not waiting for a centre.

    Args:
        rule, career, cheque1_month: The eligibility rule in force and the columns it reads, as
            :class:`model.mechanisms.eligibility.rules.Eligible` holds them.
        awareness, levels: The awareness columns and levels (:mod:`.awareness`).
        window: :class:`WindowColumns`.
        window_months: Months a cheque window runs.
        cells: The columns of the hazard cell (:class:`model.mechanisms.uptake.hazards.CellColumns`).
    """
    out = np.full(len(rows), -1, dtype=np.int64)
    bounds = chunk_bounds(len(rows))
    for c in numba.prange(CHUNKS):  # each row on its own: the same with any threads
        for j in range(bounds[c], bounds[c + 1]):
            i = rows[j]
            # the cheap and selective tests first: each test reads a column at a row far from the last
            if career.status[i] != EMPLOYED or not aware_row(i, month, awareness, levels):
                continue
            start = np.int64(window.window_start[i])
            if start != NO_MONTH and month - start < window_months and window.cheques_in_window[i] != 0:
                continue
            if window.waiting_since[i] != NO_MONTH:
                continue
            if not eligible_row(i, month, rule, career, cheque1_month):
                continue
            out[j] = cell_row(i, cells)
    return out
