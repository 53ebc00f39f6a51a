"""The month's stocks by group key, in one pass over every person (see :class:`model.processes.counters.StockCounters`).

Each present person gets the group key of :func:`model.metrics.group_keys`
and three flags (at work, eligible, aware and eligible); the kernel counts
people per (flags, key). Counts are integers, so the sum over chunks is the
same whatever the number of threads.
"""

from __future__ import annotations

import numba
import numpy as np

EMPLOYED, JOBSEEKER, NON_ACTIVE, ABSENT = 0, 1, 2, 3
FLAG_COMBINATIONS = 8  # bit 0 at work, bit 1 eligible, bit 2 aware and eligible


@numba.njit(parallel=True, cache=True)
def count_stocks(status, age_months, static_key, months_worked_before_spell, spell_start, benefits_in_spell,
                 reentrant_user, eligible, awareness_draw, level, non_active_level, outreach_informed, outreach_until,
                 incentive_informed, incentive_until, month, min_months_worked, min_months_out, benefit_mask,
                 age_key, bits, n_keys):
    """People per flag combination and group key this month.

    Args:
        static_key, age_key: The cached static bits and the age bits per month of age (:mod:`model.metrics`).
        reentrant_user: The re-entrant-user column, or an empty array.
        level, non_active_level: Awareness levels (float32) of workers and of non-active people.
        outreach_*, incentive_*: Contact columns, or empty arrays.
        min_months_worked, min_months_out, benefit_mask: The re-entrant definition in force.
        bits: ``(non_active, re_entrant, re_entrant_user)`` key bits.

    Returns:
        Counts of shape (chunks, FLAG_COMBINATIONS, n_keys), int64.
    """
    n_chunks = 16  # integer counts: any split gives the same sum; few chunks keep the tables small
    bounds = np.empty(n_chunks + 1, dtype=np.uint64)  # unsigned: see model.kernels.rows.chunk_bounds
    for c in range(n_chunks + 1):
        bounds[c] = (len(status) * c) // n_chunks
    # flags 0-7 for present people; absent rows land in 8-15, which are dropped
    counts = np.zeros((n_chunks, 2 * FLAG_COMBINATIONS, n_keys), dtype=np.int64)
    last_age = len(age_key) - 1
    has_user = len(reentrant_user) > 0
    has_outreach = len(outreach_informed) > 0
    has_incentive = len(incentive_informed) > 0
    # Branch-free: the status of neighbouring rows is unpredictable, so every test is arithmetic on booleans.
    for c in numba.prange(n_chunks):
        local = np.zeros((2 * FLAG_COMBINATIONS, n_keys), dtype=np.int64)
        for i in range(bounds[c], bounds[c + 1]):
            s = status[i]
            non_active = s == NON_ACTIVE
            out_of_work = (s == JOBSEEKER) | non_active
            reentrant = out_of_work & (months_worked_before_spell[i] >= min_months_worked) \
                & (spell_start[i] <= month - min_months_out) & ((benefits_in_spell[i] & benefit_mask) == 0)
            user = reentrant_user[i] if has_user else False
            key = np.uint64(static_key[i] + age_key[np.uint64(min(age_months[i], last_age))] + non_active * bits[0]
                            + reentrant * bits[1] + user * bits[2])
            draw = awareness_draw[i]
            aware = (draw < level) & (~non_active | (draw < non_active_level))
            if has_outreach:
                aware |= non_active & outreach_informed[i] & (outreach_until[i] >= month)
            if has_incentive:
                aware |= incentive_informed[i] & (incentive_until[i] >= month)
            el = eligible[i]
            flags = np.uint64((s == EMPLOYED) + 2 * el + 4 * (el & aware) + FLAG_COMBINATIONS * (s == ABSENT))
            local[flags, key] += 1
        counts[c] = local
    return counts[:, :FLAG_COMBINATIONS, :]
