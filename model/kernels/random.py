"""Counter-based uniforms inside kernels, equal to :meth:`model.randomness.Streams.row_uniforms`.

A kernel receives the key of a (stream, month) pair
(:meth:`model.randomness.Streams.row_key`) and computes the uniform of row
``i`` with the same SplitMix64 hash, so a kernel and the numpy code give a
person the same number.
"""

from __future__ import annotations

import numba
import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0


@numba.njit(cache=True)
def row_uniform(key: np.uint64, row: int) -> float:
    """Uniform in [0, 1) of ``row`` for the stream key ``key`` (SplitMix64 of ``row x golden + key``)."""
    x = np.uint64(row) * _GOLDEN + key
    x = x + _GOLDEN
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    x = x ^ (x >> _S31)
    return float(x >> _S11) * _TO_UNIT
