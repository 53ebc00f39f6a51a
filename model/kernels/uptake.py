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

from .eligibility import eligible_row
from .rows import CHUNKS, chunk_bounds

NON_ACTIVE = 2


@numba.njit(parallel=True, cache=True)
def workers_who_may_start(rows, rule, status, months_worked_before_spell, spell_start, gap_before_job, benefits_in_spell,
                          cheque1_month, awareness_draw, level, incentive_informed, incentive_until, window_start,
                          cheques_in_window, waiting_since, no_month, month, window_months, sex, age_months, education,
                          migration, work_disability, self_employed, age_group_by_month, cell_shape):
    """For each of ``rows``: the hazard cell of a person at work who may start cheque 1 now, else -1.

    Eligible, not non-active, aware, no cheque in a running window and not
    waiting for a centre. The cell is :func:`model.behaviour.uptake.hazard_cell`'s.

    Args:
        rule: The eligibility rule in force (:meth:`model.rules.Eligible.rule`), with the columns it reads.
        level: Awareness level of people at work (float32).
        incentive_informed, incentive_until: Contacts of the centres' own outreach, or empty arrays.
        waiting_since: Month a person joined a centre's waiting list, or an empty array.
        sex ... self_employed: The columns of the hazard cell; age_group_by_month: uptake age group by age in
            months; cell_shape: the cells' shape (:data:`model.behaviour.uptake.CELL_SHAPE`).
    """
    out = np.full(len(rows), -1, dtype=np.int64)
    has_incentive = len(incentive_informed) > 0
    has_waiting = len(waiting_since) > 0
    last_age = len(age_group_by_month) - 1
    bounds = chunk_bounds(len(rows))
    for c in numba.prange(CHUNKS):  # each row on its own: the same with any threads
        for j in range(bounds[c], bounds[c + 1]):
            i = rows[j]
            # the cheap and selective tests first: each test reads a column at a row far from the last
            if status[i] == NON_ACTIVE:
                continue
            aware = awareness_draw[i] < level
            if not aware and has_incentive:
                aware = incentive_informed[i] and incentive_until[i] >= month
            if not aware:
                continue
            start = np.int64(window_start[i])
            if start != no_month and month - start < window_months and cheques_in_window[i] != 0:
                continue
            if has_waiting and waiting_since[i] != no_month:
                continue
            if not eligible_row(i, month, rule, status, months_worked_before_spell, spell_start, gap_before_job,
                                benefits_in_spell, cheque1_month):
                continue
            # at work: uptake status 1 if self-employed, else 0 (employee)
            cell = np.int64(sex[i]) * cell_shape[1] + age_group_by_month[min(np.int64(age_months[i]), last_age)]
            cell = cell * cell_shape[2] + np.int64(education[i])
            cell = cell * cell_shape[3] + np.int64(migration[i])
            cell = cell * cell_shape[4] + np.int64(work_disability[i])
            out[j] = cell * cell_shape[5] + np.int64(self_employed[i])
    return out
