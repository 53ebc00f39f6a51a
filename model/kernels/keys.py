"""Group keys of given rows (see :func:`model.metrics.group_keys`), and the January transitions counted by key.

The key formula is written once (:func:`key_of`) and compiled into each loop
that uses it (``inline="always"``), so its many array arguments cost no call
per row.
"""

from __future__ import annotations

import numba
import numpy as np

EMPLOYED, JOBSEEKER, NON_ACTIVE = 0, 1, 2


@numba.njit(inline="always")
def key_of(i, status, age_months, static_key, months_worked_before_spell, spell_start, benefits_in_spell, reentrant_user,
           month, min_months_worked, min_months_out, benefit_mask, age_key, bits):
    """The group key of row ``i`` (inlined into the calling loop; arguments as :func:`keys_into`)."""
    s = status[i]
    key = np.int64(static_key[i]) + np.int64(age_key[min(age_months[i], len(age_key) - 1)])
    if s == NON_ACTIVE:
        key += bits[0]
    if (s == JOBSEEKER or s == NON_ACTIVE) and months_worked_before_spell[i] >= min_months_worked \
            and spell_start[i] <= month - min_months_out and (benefits_in_spell[i] & benefit_mask) == 0:
        key += bits[1]
    if len(reentrant_user) > 0 and reentrant_user[i]:
        key += bits[2]
    return key


@numba.njit(cache=True, nogil=True)
def keys_into(out, rows, first, last, status, age_months, static_key, months_worked_before_spell, spell_start,
              benefits_in_spell, reentrant_user, month, min_months_worked, min_months_out, benefit_mask, age_key, bits):
    """Write the group key of ``rows[j]`` into ``out[j]`` for ``first <= j < last``.

    Args:
        reentrant_user: The re-entrant-user column, or an empty array.
        bits: ``(non_active, re_entrant, re_entrant_user)`` key bits.
    """
    last_age = len(age_key) - 1
    has_user = len(reentrant_user) > 0
    for j in range(first, last):
        i = rows[j]
        s = status[i]
        key = np.int64(static_key[i]) + np.int64(age_key[min(age_months[i], last_age)])
        if s == NON_ACTIVE:
            key += bits[0]
        if (s == JOBSEEKER or s == NON_ACTIVE) and months_worked_before_spell[i] >= min_months_worked \
                and spell_start[i] <= month - min_months_out and (benefits_in_spell[i] & benefit_mask) == 0:
            key += bits[1]
        if has_user and reentrant_user[i]:
            key += bits[2]
        out[j] = key


@numba.njit(cache=True, nogil=True)
def group_keys(rows, status, age_months, static_key, months_worked_before_spell, spell_start, benefits_in_spell,
               reentrant_user, month, min_months_worked, min_months_out, benefit_mask, age_key, bits):
    """The group key (uint16) of each of ``rows`` (arguments as :func:`keys_into`)."""
    out = np.empty(len(rows), dtype=np.uint16)
    keys_into(out, rows, 0, len(rows), status, age_months, static_key, months_worked_before_spell, spell_start,
              benefits_in_spell, reentrant_user, month, min_months_worked, min_months_out, benefit_mask, age_key, bits)
    return out


@numba.njit(cache=True, parallel=True)
def group_keys_parallel(rows, status, age_months, static_key, months_worked_before_spell, spell_start,
                        benefits_in_spell, reentrant_user, month, min_months_worked, min_months_out, benefit_mask,
                        age_key, bits):
    """:func:`group_keys` on the cores, for many rows (a parallel loop costs more to start than a few rows take)."""
    out = np.empty(len(rows), dtype=np.uint16)
    chunks = 64
    for c in numba.prange(chunks):  # each row's key on its own: the same with any threads
        keys_into(out, rows, len(rows) * c // chunks, len(rows) * (c + 1) // chunks, status, age_months, static_key,
                  months_worked_before_spell, spell_start, benefits_in_spell, reentrant_user, month, min_months_worked,
                  min_months_out, benefit_mask, age_key, bits)
    return out


@numba.njit(cache=True, parallel=True)
def count_transitions(status, before, n_keys, n_statuses, age_months, static_key, months_worked_before_spell,
                      spell_start, benefits_in_spell, reentrant_user, month, min_months_worked, min_months_out,
                      benefit_mask, age_key, bits):
    """People present now and in the January before, per group key (:func:`key_of`), status then (``before``) and now.

    Returns:
        Counts of shape (n_keys, n_statuses x n_statuses), int64 (integers: the same with any threads).
    """
    n_chunks = 8
    bounds = np.empty(n_chunks + 1, dtype=np.uint64)  # unsigned: see model.kernels.rows.chunk_bounds
    for c in range(n_chunks + 1):
        bounds[c] = (len(status) * c) // n_chunks
    counts = np.zeros((n_chunks, n_keys, n_statuses * n_statuses), dtype=np.int64)
    for c in numba.prange(n_chunks):
        for i in range(bounds[c], bounds[c + 1]):
            s = status[i]
            b = before[i]
            if s <= NON_ACTIVE and b >= 0:
                key = key_of(i, status, age_months, static_key, months_worked_before_spell, spell_start,
                             benefits_in_spell, reentrant_user, month, min_months_worked, min_months_out,
                             benefit_mask, age_key, bits)
                counts[c, key, b * n_statuses + s] += 1
    return counts.sum(axis=0)
