"""A disk cache of warmed-up states: a run whose warm-up was simulated before reads it instead.

An entry holds the simulation state at the first recorded month (people,
institutions, each process's own data), the population fit report of the
replication and the raked tables of the run that wrote it (keyed by their
margins, so a run with other margins rakes its own). Its key is a digest of everything the state depends on:

- the code and the shipped parameter files (every ``.py`` and ``.yaml`` file of the package:
  :func:`model.results.provenance.code_digest`);
- the parameters in force over the warm-up, of the scenario and of the run's
  first scenario (whose parameters prepare the state, see :meth:`model.engine.process.Process.initialise`);
- the seed, the replication, the scale, the first and the first recorded month,
  the number of rows (spare rows included) and the processes of a month.

Any change of one of them gives another key, so an entry is never used for a
state it does not hold, and a cached run gives the same numbers as a run
without the cache (tested). Entries are written to a temporary folder and
renamed into place, so none is ever half-written; the oldest are removed
beyond ``MAX_ENTRIES``.

The folder is ``outputs/cache`` under the working directory, or
``$LOOPBAAN_CACHE``; ``LOOPBAAN_CACHE=off`` (or ``--no-cache``) switches it off.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import pickle
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.randomness import Streams
from ..engine.state import SimulationState
from ..people.population import Population
from ..results.provenance import code_digest

MAX_ENTRIES = 6  # about 200 MB each at full scale
STALE_WRITE_SECONDS = 3600  # a temporary folder this old belongs to a write that never finished
FORMAT = 3  # raise when the layout of an entry changes


def entry_key(**parts: Any) -> str:
    """The key of an entry: a digest of the code and of ``parts`` (JSON-serialisable values)."""
    payload = json.dumps({"code": code_digest(), "format": FORMAT, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def default_folder() -> Path | None:
    """The cache folder in use, or None when the cache is switched off."""
    setting = os.environ.get("LOOPBAAN_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    return Path(setting) if setting else Path("outputs") / "cache"


def checked_folder(folder: Path | str, source: str) -> Path:
    """``folder`` as a cache folder, created if need be.

    Args:
        source: Where the folder was given (``$LOOPBAAN_CACHE``, ``cache=``), for the message.

    Raises:
        ValueError: if it is not a folder or cannot be created.
    """
    path = Path(folder)
    try:
        if path.exists() and not path.is_dir():
            raise ValueError(f"{source}: '{path}' is not a folder; give a folder, or 'off' to run without the cache")
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"{source}: cannot make the cache folder '{path}' ({exc.strerror or exc}); give a folder "
                         f"that can be written, or 'off' to run without the cache") from None
    return path


class StateCache:
    """Warmed-up states on disk, by key.

    Args:
        folder: Where the entries live (created when the first is written).
    """

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        """The folder of an entry."""
        return self.folder / key

    def load(self, key: str) -> tuple[SimulationState, Any] | None:
        """The state and the extra data stored under ``key``, or None when there is no such entry.

        An entry removed or damaged while it is read (another run pruning the folder) counts as absent.
        """
        folder = self.path(key)
        if not (folder / "state.pickle").is_file():
            return None
        try:
            with np.load(folder / "people.npz") as columns:
                people = Population(**{name: columns[name] for name in columns.files})
            with open(folder / "state.pickle", "rb") as f:
                rest = pickle.load(f)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):
            return None
        people.fills = rest.pop("fills")
        extra = rest.pop("extra")
        streams = Streams(*rest.pop("streams"))
        with contextlib.suppress(OSError):
            os.utime(folder)  # recently used: kept longest
        return SimulationState(people=people, streams=streams, **rest), extra

    def store(self, key: str, state: SimulationState, extra: Any = None) -> bool:
        """Write ``state`` (and ``extra``) under ``key``, atomically; then remove the oldest entries.

        Returns:
            True if this call wrote the entry (False: it was there already, or another run wrote it meanwhile).
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.path(key).exists():
            return False
        agents = [a for kind in state.institutions.values() for a in kind]
        memo: dict[int, Any] = {id(a.model): None for a in agents}  # agents are stored without their model
        rest = {"month": state.month, "first_month": state.first_month, "record_from": state.record_from,
                "weight": state.weight, "streams": (state.streams.root_seed, state.streams.replication),
                "counters": state.counters, "institutions": copy.deepcopy(state.institutions, memo),
                "process_data": state.process_data, "fills": state.people.fills, "extra": extra}
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=self.folder))
        try:
            np.savez(tmp / "people.npz", **{n: getattr(state.people, n) for n in state.people.dtypes})
            with open(tmp / "state.pickle", "wb") as f:
                pickle.dump(rest, f, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.rename(self.path(key))
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            if not self.path(key).exists():
                raise
            return False
        self._prune()
        return True

    def _prune(self) -> None:
        """Remove the entries beyond ``MAX_ENTRIES`` (least recently used first) and writes left by a run that stopped."""
        entries, now = [], time.time()
        for path in self.folder.iterdir():
            with contextlib.suppress(OSError):
                if path.is_dir() and not path.name.startswith("."):
                    entries.append((path.stat().st_mtime, path))
                elif path.is_dir() and now - path.stat().st_mtime > STALE_WRITE_SECONDS:
                    shutil.rmtree(path, ignore_errors=True)
        for _, old in sorted(entries, reverse=True)[MAX_ENTRIES:]:
            shutil.rmtree(old, ignore_errors=True)
