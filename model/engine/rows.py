"""Chunks of the row range, and row selections made in parallel: the common parts of the compiled kernels.

The kernels (numba) make the passes over every person that a month needs; each
lives beside the rule it serves, in its mechanism's folder. Each is one
branch-light loop over the rows, split into a fixed number of chunks
(:data:`CHUNKS`) that run on the cores in parallel. The chunks do not depend on
the number of threads, and sums are taken per chunk and then added in chunk
order, so a result is the same with one thread or many. Random numbers are
counter-based (:func:`model.engine.randomness.row_uniform`): person ``i`` gets
the same uniform in every scenario, whatever rows a kernel visits.

Kernels are compiled once and cached on disk (``cache=True``, in the
package's ``__pycache__``); the first run on a new machine compiles them
(a few seconds), later runs load them (about a second, on the first month).
"""

from __future__ import annotations

import numba
import numpy as np

CHUNKS = 64  # pieces of the row range: enough to balance 2-16 threads, few enough to add up cheaply


@numba.njit(cache=True)
def chunk_bounds(n: int) -> np.ndarray:
    """Start of each chunk and the end, as ``CHUNKS + 1`` increasing row numbers.

    Unsigned, so that a loop ``for i in range(bounds[c], bounds[c + 1])`` indexes
    without the checks for negative indices that keep the compiler from
    vectorising it (ten times slower, measured).
    """
    out = np.empty(CHUNKS + 1, dtype=np.uint64)
    for c in range(CHUNKS + 1):
        out[c] = (n * c) // CHUNKS
    return out


@numba.njit(cache=True, nogil=True)
def joined(found: np.ndarray, bounds: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The first ``counts[c]`` values from ``bounds[c]`` on, of every chunk ``c``, one after the other.

    The kernels that select rows write each chunk's rows from the chunk's own
    first row on (only the pages written are ever touched); this puts them together.
    """
    starts = np.zeros(CHUNKS + 1, dtype=np.int64)
    for c in range(CHUNKS):
        starts[c + 1] = starts[c] + counts[c]
    out = np.empty(starts[CHUNKS], dtype=found.dtype)
    for c in range(CHUNKS):
        out[starts[c]:starts[c + 1]] = found[bounds[c]:bounds[c] + counts[c]]
    return out


def rows_between(values: np.ndarray, low: int, high: int) -> np.ndarray:
    """Rows whose value lies in ``[low, high]``, in increasing order (:func:`rows_in_range` with bounds of the column's type).

    Bounds of the column's own type keep the comparisons narrow, which the
    compiler vectorises (about twice as fast as with 64-bit bounds).
    """
    info = np.iinfo(values.dtype)
    if low > high or high < info.min or low > info.max:
        return np.empty(0, dtype=np.intp)
    kind = values.dtype.type
    return rows_in_range(values, kind(max(low, info.min)), kind(min(high, info.max)))


@numba.njit(parallel=True, cache=True)
def rows_in_range(values: np.ndarray, low: int, high: int) -> np.ndarray:
    """Rows whose value lies in ``[low, high]``, in increasing order (see :func:`rows_between`)."""
    bounds = chunk_bounds(len(values))
    # One pass: each chunk writes its rows from its own first row on (only the pages written are
    # touched), then they are put together; a third faster than counting first (measured).
    found = np.empty(len(values), dtype=np.intp)
    counts = np.zeros(CHUNKS, dtype=np.uint64)
    for c in numba.prange(CHUNKS):
        k = bounds[c]
        for i in range(bounds[c], bounds[c + 1]):
            if low <= values[i] <= high:
                found[k] = i
                k += np.uint64(1)
        counts[c] = k - bounds[c]
    return joined(found, bounds, counts)


@numba.njit(parallel=True, cache=True)
def increment_and_find(values: np.ndarray, value: int) -> np.ndarray:
    """Add one to every value (in place) and return the rows that now hold ``value``, in increasing order.

    One pass instead of two (an addition over the column, then a search).
    """
    bounds = chunk_bounds(len(values))
    found = np.empty(len(values), dtype=np.intp)  # as rows_in_range: each chunk writes from its own first row
    counts = np.zeros(CHUNKS, dtype=np.uint64)
    for c in numba.prange(CHUNKS):
        k = bounds[c]
        for i in range(bounds[c], bounds[c + 1]):
            older = values[i] + 1
            values[i] = older
            if older == value:
                found[k] = i
                k += np.uint64(1)
        counts[c] = k - bounds[c]
    return joined(found, bounds, counts)


@numba.njit(cache=True, nogil=True)
def sorted_contains(sorted_rows: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each of ``rows`` (increasing): True if it is in ``sorted_rows`` (increasing, unique).

    ``numpy.isin`` of two sorted lists, in one walk through both (a binary
    search per row costs several times more, measured).
    """
    out = np.zeros(len(rows), dtype=np.bool_)
    k = 0
    for j in range(len(rows)):
        while k < len(sorted_rows) and sorted_rows[k] < rows[j]:
            k += 1
        if k == len(sorted_rows):
            break
        out[j] = sorted_rows[k] == rows[j]
    return out
