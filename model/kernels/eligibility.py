"""The eligibility rules of :mod:`model.rules.eligibility` for one row, for kernels that pass over many people.

The numpy functions of :mod:`model.rules.eligibility` are the rules' reference
definition; this is the same rule for the kernels that count stocks and filter
the uptake candidates, so that nobody needs a pass to make everybody's
eligibility first. The tests check that both give the same answer.
"""

from __future__ import annotations

import numba
import numpy as np

EMPLOYED, NON_ACTIVE = 0, 2
EXPERIENCE, RECENT_WORK = 0, 1  # codes of cheque.eligibility.worker_rule


@numba.njit(inline="always")
def eligible_row(i, month, rule, status, months_worked_before_spell, spell_start, gap_before_job, benefits_in_spell,
                 cheque1_month):
    """True if the person at row ``i`` may order a cheque in ``month`` (inlined into the calling loop).

    Args:
        rule: ``(worker rule, months required, window months, re-entrants admitted, re-entrant minimum months
            worked, re-entrant minimum months out, disqualifying benefit mask, first time only, no month)``, as
            :meth:`model.rules.Eligible.rule` gives it.
    """
    worker_rule, required, window, reentrant, min_worked, min_out, benefit_mask, first_time, no_month = rule
    s = status[i]
    at_work = s == EMPLOYED
    start = np.int64(spell_start[i])
    worked = np.int64(months_worked_before_spell[i])
    if worker_rule == EXPERIENCE:
        ok = at_work & (worked - start >= required - month)
    elif required <= 0:
        ok = at_work
    elif required > window:
        ok = False
    else:
        long_job = start <= month - required
        short_gap = np.int64(gap_before_job[i]) <= window - required
        ok = at_work & (long_job | (short_gap & (worked - start >= required - month)))
    if reentrant:
        ok |= (s == NON_ACTIVE) & (worked >= min_worked) & (start <= month - min_out) \
            & ((np.int64(benefits_in_spell[i]) & benefit_mask) == 0)
    if first_time:
        ok &= np.int64(cheque1_month[i]) == no_month
    return ok


@numba.njit(cache=True, nogil=True)
def eligible_rows(rows, month, rule, status, months_worked_before_spell, spell_start, gap_before_job, benefits_in_spell,
                  cheque1_month):
    """:func:`eligible_row` for each of ``rows``."""
    out = np.empty(len(rows), dtype=np.bool_)
    for j in range(len(rows)):
        out[j] = eligible_row(rows[j], month, rule, status, months_worked_before_spell, spell_start, gap_before_job,
                              benefits_in_spell, cheque1_month)
    return out
