"""Random numbers with common random numbers (CRN) across scenarios.

One root seed; each replication gets its own ``SeedSequence`` spawn key; each
(stream, month) gets its own child, keyed by a hash of the stream's name
(:func:`model.params.seeds.stream_key`), so a new stream changes no existing draw. Draws are
tied to person rows, never to the order in which a scenario happens to visit
people, so the same person gets the same number in every scenario:

* :meth:`Streams.row_uniforms` gives person ``i`` a uniform computed from
  (seed, replication, stream, month, i) by a counter-based hash (SplitMix64),
  whatever rows are asked for. It is used for small, scenario-dependent groups.
* :meth:`Streams.sparse_candidates` thins the whole row range at a fixed
  ceiling hazard (geometric gaps between candidate rows, see
  ``docs/sources.md#performance-notes``). A person with hazard ``h <= ceiling`` is accepted
  when its uniform ``u < h / ceiling``; the candidates and their uniforms do not
  depend on the scenario, so this is exact CRN for large, rare-event groups.

The per-row hash is written twice, once for numpy (:meth:`Streams.row_uniforms`)
and once for compiled kernels (:func:`row_uniform`), side by side here; the
tests check that they give every row the same number.
"""

from __future__ import annotations

import numba
import numpy as np

from ..params.seeds import stream_key

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_MONTH_OFFSET = 40000  # month numbers may be negative in principle; spawn keys may not
_DENSE_ABOVE = 0.08  # above this ceiling, one draw per row beats geometric gaps


def _splitmix64(x: np.ndarray) -> np.ndarray:
    # uint64 arithmetic wraps around modulo 2**64, as SplitMix64 requires.
    with np.errstate(over="ignore"):
        x = x + _GOLDEN
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        return x ^ (x >> np.uint64(31))


class Streams:
    """All random numbers of one replication.

    Args:
        root_seed: The run's seed.
        replication: Replication number (0, 1, ...).
    """

    def __init__(self, root_seed: int, replication: int):
        self.root_seed = int(root_seed)
        self.replication = int(replication)
        self._root = np.random.SeedSequence(self.root_seed, spawn_key=(self.replication,))

    def _sequence(self, stream: str, month: int) -> np.random.SeedSequence:
        return np.random.SeedSequence(self._root.entropy,
                                      spawn_key=(self.replication, stream_key(stream), month + _MONTH_OFFSET))

    def generator(self, stream: str, month: int) -> np.random.Generator:
        """A generator for ``stream`` in ``month`` (same in every scenario)."""
        return np.random.Generator(np.random.PCG64(self._sequence(stream, month)))

    def row_key(self, stream: str, month: int) -> np.uint64:
        """The key of ``stream`` in ``month`` from which :meth:`row_uniforms` hashes each row's uniform.

        Compiled kernels take it to compute the same uniforms (:func:`row_uniform`).
        """
        # kept: a seed sequence costs more to make than a month of a small run draws (the key never changes)
        keys = self.__dict__.setdefault("_row_keys", {})
        key = keys.get((stream, month))
        if key is None:
            key = keys[(stream, month)] = self._sequence(stream, month).generate_state(1, np.uint64)[0]
        return key

    def row_uniforms(self, stream: str, month: int, rows: np.ndarray) -> np.ndarray:
        """Uniforms in [0, 1) for the given person rows (float64)."""
        key = self.row_key(stream, month)
        with np.errstate(over="ignore"):
            x = _splitmix64(np.asarray(rows, dtype=np.uint64) * _GOLDEN + key)
        return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)

    def sparse_candidates(self, stream: str, month: int, n_rows: int, ceiling: float) -> tuple[np.ndarray, np.ndarray]:
        """Rows picked with probability ``ceiling`` each, and a uniform for each.

        Returns:
            ``(rows, u)``: sorted candidate rows (intp) and values ``u`` such that
            ``u * ceiling`` is uniform on [0, 1) restricted to the candidates. A
            candidate with hazard ``h <= ceiling`` has the event when ``u * ceiling < h``.
        """
        if ceiling >= 1.0:
            rows = np.arange(n_rows)
            return rows, self.generator(stream, month).random(n_rows)
        rng = self.generator(stream, month)
        if ceiling > _DENSE_ABOVE:
            # One uint16 per row is cheaper than many geometric gaps. A candidate's
            # value plus a fresh uniform, over 2**16, is uniform on [0, 1).
            threshold = int(np.ceil(ceiling * 65536))
            values = rng.integers(0, 65536, size=n_rows, dtype=np.uint16)
            rows = np.flatnonzero(values < threshold)
            uniform = (values[rows] + rng.random(len(rows))) / 65536.0
            return rows, uniform / ceiling
        expected = n_rows * ceiling
        chunk = int(expected + 6.0 * np.sqrt(expected) + 16)
        positions = np.cumsum(rng.geometric(ceiling, size=chunk)) - 1
        while positions[-1] < n_rows:  # rare: the first chunk fell short
            more = np.cumsum(rng.geometric(ceiling, size=chunk)) + positions[-1]
            positions = np.concatenate([positions, more])
        rows = positions[positions < n_rows].astype(np.intp)
        return rows, rng.random(len(rows))

    def mesa_seed(self) -> int:
        """Seed for the Mesa model's own generator (used by institution agents)."""
        return int(np.random.SeedSequence(self._root.entropy, spawn_key=(self.replication, stream_key("mesa")))
                   .generate_state(1)[0])


_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0


@numba.njit(cache=True)
def row_uniform(key: np.uint64, row: int) -> float:
    """In a kernel: the uniform in [0, 1) of ``row`` for the stream key ``key``, as :meth:`Streams.row_uniforms` gives it."""
    x = np.uint64(row) * _GOLDEN + key
    x = x + _GOLDEN
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    x = x ^ (x >> _S31)
    return float(x >> _S11) * _TO_UNIT
