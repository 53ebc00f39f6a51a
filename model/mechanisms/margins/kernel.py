"""People and people at work by labour cell and age band, in one pass over every person (see :mod:`.process`)."""

from __future__ import annotations

import numba
import numpy as np

from ...engine.rows import CHUNKS, chunk_bounds
from ...people.codes import EMPLOYED, NON_ACTIVE


@numba.njit(cache=True, parallel=True)
def count_cells(status, labour_cell_static, age_months, band_of_age_months, n_static, n_bands):
    """People present and people at work per static labour cell and age band.

    Args:
        status: Each row's status (free rows are above ``NON_ACTIVE``).
        labour_cell_static: Each row's cell without age (sex x education x migration x disability).
        age_months: Each row's age in months.
        band_of_age_months: The age band of each age in months.

    Returns:
        Counts of shape (n_static, n_bands, 2): [..., 0] present, [..., 1] at work; int64 (the same with any threads).
    """
    bounds = chunk_bounds(len(status))
    counts = np.zeros((CHUNKS, n_static, n_bands, 2), dtype=np.int64)
    for chunk in numba.prange(CHUNKS):
        for i in range(bounds[chunk], bounds[chunk + 1]):
            s = status[i]
            if s <= NON_ACTIVE:
                cell = labour_cell_static[i]
                band = band_of_age_months[min(age_months[i], len(band_of_age_months) - 1)]
                counts[chunk, cell, band, 0] += 1
                counts[chunk, cell, band, 1] += s == EMPLOYED
    return counts.sum(axis=0)
