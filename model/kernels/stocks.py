"""The month's stocks by group key, in one pass over every person (see :class:`model.processes.counters.StockCounters`).

Each present person gets the group key of :func:`model.metrics.group_keys`
and three flags (at work, eligible, aware and eligible); the kernel counts
people per (flags, key). Counts are integers, so the sum over chunks is the
same whatever the number of threads.
"""

from __future__ import annotations

import numba
import numpy as np

from .eligibility import eligible_row

EMPLOYED, JOBSEEKER, NON_ACTIVE, ABSENT = 0, 1, 2, 3
FLAG_COMBINATIONS = 8  # bit 0 at work, bit 1 eligible, bit 2 aware and eligible
CHUNKS = 8  # integer counts: any split gives the same sum; few chunks keep the tables to add up small
BLOCK = 4096  # rows whose bins are computed before they are counted


@numba.njit(parallel=True, cache=True)
def count_stocks(status, age_months, static_key, months_worked_before_spell, spell_start, benefits_in_spell,
                 gap_before_job, cheque1_month, rule, reentrant_user, awareness_draw, level, non_active_level,
                 outreach_informed, outreach_until, incentive_informed, incentive_until, month, min_months_worked,
                 min_months_out, benefit_mask, age_key, bits, n_keys):
    """People per flag combination and group key this month.

    Args:
        static_key, age_key: The cached static bits (uint8) and the age bits (uint16) per month of age (:mod:`model.metrics`).
        rule: The eligibility rule in force (:meth:`model.rules.Eligible.rule`), applied to each row here.
        reentrant_user: The re-entrant-user column, or an empty array.
        level, non_active_level: Awareness levels (float32) of workers and of non-active people.
        outreach_*, incentive_*: Contact columns, or empty arrays.
        min_months_worked, min_months_out, benefit_mask: The re-entrant definition in force.
        bits: ``(non_active, re_entrant, re_entrant_user)`` key bits.

    Returns:
        Counts of shape (FLAG_COMBINATIONS, n_keys), int64.
    """
    n = len(status)
    bounds = np.empty(CHUNKS + 1, dtype=np.uint64)  # unsigned: see model.kernels.rows.chunk_bounds
    for c in range(CHUNKS + 1):
        bounds[c] = (n * c) // CHUNKS
    # bin = flags x n_keys + key, in uint16; absent rows get flag 8 (bins dropped at the end)
    n_bins = 2 * FLAG_COMBINATIONS * n_keys
    counts = np.zeros((CHUNKS, n_bins), dtype=np.int32)
    last_age = np.uint64(len(age_key) - 1)
    keys = np.uint16(n_keys)
    non_active_bit, reentrant_bit, user_bit = np.uint16(bits[0]), np.uint16(bits[1]), np.uint16(bits[2])
    has_user = len(reentrant_user) > 0
    has_outreach = len(outreach_informed) > 0
    has_incentive = len(incentive_informed) > 0
    for c in numba.prange(CHUNKS):
        local = counts[c]
        block = np.empty(BLOCK, dtype=np.uint16)
        first = bounds[c]
        while first < bounds[c + 1]:
            last = min(first + np.uint64(BLOCK), bounds[c + 1])
            # Two phases: every row's bin first (arithmetic on booleans, no branch: the status of
            # neighbouring rows is unpredictable), then the counts. Counting while computing keeps
            # the compiler from overlapping rows (measured: 20% slower).
            for i in range(first, last):
                s = status[i]
                non_active = s == NON_ACTIVE
                out_of_work = (s == JOBSEEKER) | non_active
                reentrant = out_of_work & (months_worked_before_spell[i] >= min_months_worked) \
                    & (spell_start[i] <= month - min_months_out) & ((benefits_in_spell[i] & benefit_mask) == 0)
                user = reentrant_user[i] if has_user else False
                key = (np.uint16(static_key[i]) + age_key[min(np.uint64(age_months[i]), last_age)]
                       + np.uint16(non_active) * non_active_bit + np.uint16(reentrant) * reentrant_bit
                       + np.uint16(user) * user_bit)
                draw = awareness_draw[i]
                aware = (draw < level) & (~non_active | (draw < non_active_level))
                if has_outreach:
                    aware |= non_active & outreach_informed[i] & (outreach_until[i] >= month)
                if has_incentive:
                    aware |= incentive_informed[i] & (incentive_until[i] >= month)
                el = eligible_row(i, month, rule, status, months_worked_before_spell, spell_start, gap_before_job,
                                  benefits_in_spell, cheque1_month)
                flags = (np.uint16(s == EMPLOYED) + np.uint16(2) * np.uint16(el) + np.uint16(4) * np.uint16(el & aware)
                         + np.uint16(FLAG_COMBINATIONS) * np.uint16(s == ABSENT))
                block[i - first] = flags * keys + key
            for j in range(last - first):
                local[block[j]] += 1
            first = last
    out = np.zeros((FLAG_COMBINATIONS, n_keys), dtype=np.int64)
    for c in range(CHUNKS):
        for f in range(FLAG_COMBINATIONS):
            for k in range(n_keys):
                out[f, k] += counts[c, f * n_keys + k]
    return out
