"""The month's stocks by group key, in one pass over every person (see :class:`.process.StockCounters`).

Each present person gets the group key (:func:`model.people.groups.key_row`)
and three flags (at work, eligible, aware and eligible: the rules'
:func:`~model.mechanisms.eligibility.rules.eligible_row` and
:func:`~model.mechanisms.uptake.awareness.aware_row`); the kernel counts people
per (flags, key). Counts are integers, so the sum over chunks is the same
whatever the number of threads.
"""

from __future__ import annotations

import numba
import numpy as np

from ...people.codes import ABSENT, EMPLOYED
from ...people.groups import N_KEYS, key_row
from ..eligibility.rules import eligible_row
from ..uptake.awareness import aware_row

FLAG_COMBINATIONS = 8  # bit 0 at work, bit 1 eligible, bit 2 aware and eligible
CHUNKS = 8  # integer counts: any split gives the same sum; few chunks keep the tables to add up small
BLOCK = 4096  # rows whose bins are computed before they are counted


@numba.njit(parallel=True, cache=True)
def count_stocks(month, columns, reentrant, rule, career, cheque1_month, awareness, levels):
    """People per flag combination and group key this month.

    Args:
        columns, reentrant: The group key's columns and the re-entrant rule in force (:mod:`model.people.groups`).
        rule, career, cheque1_month: The eligibility rule in force and the columns it reads, as
            :class:`model.mechanisms.eligibility.rules.Eligible` holds them.
        awareness, levels: The awareness columns and levels (:mod:`model.mechanisms.uptake.awareness`).

    Returns:
        Counts of shape (FLAG_COMBINATIONS, N_KEYS), int64.
    """
    status = career.status
    n = len(status)
    bounds = np.empty(CHUNKS + 1, dtype=np.uint64)  # unsigned: see model.engine.rows.chunk_bounds
    for c in range(CHUNKS + 1):
        bounds[c] = (n * c) // CHUNKS
    # bin = flags x N_KEYS + key, in uint16; absent rows get flag 8 (bins dropped at the end)
    n_bins = 2 * FLAG_COMBINATIONS * N_KEYS
    counts = np.zeros((CHUNKS, n_bins), dtype=np.int32)
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
                key = key_row(i, month, columns, reentrant)
                el = eligible_row(i, month, rule, career, cheque1_month)
                known = aware_row(i, month, awareness, levels)
                flags = (np.uint16(s == EMPLOYED) + np.uint16(2) * np.uint16(el) + np.uint16(4) * np.uint16(el & known)
                         + np.uint16(FLAG_COMBINATIONS) * np.uint16(s == ABSENT))
                block[i - first] = flags * np.uint16(N_KEYS) + key
            for j in range(last - first):
                local[block[j]] += 1
            first = last
    out = np.zeros((FLAG_COMBINATIONS, N_KEYS), dtype=np.int64)
    for c in range(CHUNKS):
        for f in range(FLAG_COMBINATIONS):
            for k in range(N_KEYS):
                out[f, k] += counts[c, f * N_KEYS + k]
    return out
