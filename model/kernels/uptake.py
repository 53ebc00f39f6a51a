"""Which candidates for cheque 1 at work may start it, in one loop (see :mod:`model.processes.uptake`).

A person at work orders cheque 1 with a small monthly hazard (below
``simulation.hazard_ceiling.uptake_cheque1``): candidates are drawn at the
ceiling, the same rows in every scenario; this loop keeps those who may start
(eligible, aware, no cheque in a running window, not waiting for a centre),
whose hazard is then computed.
"""

from __future__ import annotations

import numba
import numpy as np

NON_ACTIVE = 2


@numba.njit(cache=True, nogil=True)
def workers_who_may_start(rows, status, eligible, awareness_draw, level, incentive_informed, incentive_until, window_start,
                          cheques_in_window, waiting_since, no_month, month, window_months):
    """For each of ``rows``: True for a person at work who may start cheque 1 now.

    Eligible, not non-active, aware, no cheque in a running window and not
    waiting for a centre.

    Args:
        level: Awareness level of people at work (float32).
        incentive_informed, incentive_until: Contacts of the centres' own outreach, or empty arrays.
        waiting_since: Month a person joined a centre's waiting list, or an empty array.
    """
    out = np.zeros(len(rows), dtype=np.bool_)
    has_incentive = len(incentive_informed) > 0
    has_waiting = len(waiting_since) > 0
    # one loop body, no helper: a helper taking many arrays is not inlined and costs ~50 ns a call (measured)
    for j in range(len(rows)):
        i = rows[j]
        if not eligible[i] or status[i] == NON_ACTIVE:
            continue
        aware = awareness_draw[i] < level
        if not aware and has_incentive:
            aware = incentive_informed[i] and incentive_until[i] >= month
        if not aware:
            continue
        start = np.int64(window_start[i])
        if start != no_month and month - start < window_months and cheques_in_window[i] != 0:
            continue
        out[j] = not has_waiting or waiting_since[i] == no_month
    return out
