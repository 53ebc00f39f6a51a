"""Named random streams under one root seed: the key of a stream's name.

Streams are keyed by their name, never by a position in a list, so adding a
stream (a new mechanism's, or a new uncertain parameter's) changes no
existing draw. The engine's person-level streams
(:class:`model.engine.randomness.Streams`) and the parameter sets
(:mod:`model.params.uncertainty`) both key their streams this way.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np


@functools.cache
def stream_key(name: str) -> int:
    """A stream's key: the first 8 bytes of the SHA-256 of its name."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"a random stream needs a non-empty name, got {name!r}")
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def named_generator(seed: int, name: str) -> np.random.Generator:
    """A generator of the stream ``name`` under the root ``seed`` (the same for the same name, whatever else is drawn)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stream_key(name),)))
