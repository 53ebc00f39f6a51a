"""The January transitions counted by group key, in one pass over every person (see :mod:`.process`)."""

from __future__ import annotations

import numba
import numpy as np

from ...people.codes import NON_ACTIVE
from ...people.groups import N_KEYS, key_row


@numba.njit(cache=True, parallel=True)
def count_transitions(before, month, c, rule, n_statuses):
    """People present now and in the January before, per group key, status then (``before``) and status now.

    Args:
        before: Each person's status the January before (-1: not present then).
        c: The group key's columns (:class:`model.people.groups.KeyColumns`).
        rule: The re-entrant definition in force.
        n_statuses: Statuses counted (employed, job seeker, non-active).

    Returns:
        Counts of shape (N_KEYS, n_statuses x n_statuses), int64 (integers: the same with any threads).
    """
    status = c.status
    n_chunks = 8
    bounds = np.empty(n_chunks + 1, dtype=np.uint64)  # unsigned: see model.engine.rows.chunk_bounds
    for chunk in range(n_chunks + 1):
        bounds[chunk] = (len(status) * chunk) // n_chunks
    counts = np.zeros((n_chunks, N_KEYS, n_statuses * n_statuses), dtype=np.int64)
    for chunk in numba.prange(n_chunks):
        for i in range(bounds[chunk], bounds[chunk + 1]):
            s = status[i]
            b = before[i]
            if s <= NON_ACTIVE and b >= 0:
                counts[chunk, key_row(i, month, c, rule), b * n_statuses + s] += 1
    return counts.sum(axis=0)
