"""Which employed recent users change job this month, in one loop over the recent users (see :mod:`.effects`)."""

from __future__ import annotations

import numba
import numpy as np

from ...engine.randomness import row_uniform
from ...people.codes import EMPLOYED


@numba.njit(cache=True, nogil=True)
def job_changers(recent, status, quality, key, rate):
    """Rows of the employed among ``recent`` whose uniform (stream key ``key``) is below ``rate`` times their quality."""
    out = np.empty(len(recent), dtype=np.intp)
    k = 0
    for j in range(len(recent)):
        i = recent[j]
        if status[i] != EMPLOYED:
            continue
        if row_uniform(key, i) < rate * np.float64(quality[i]):
            out[k] = i
            k += 1
    return out[:k]
