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

An entry checks itself: its last file, ``digest.json``, gives the size and
SHA-256 of the others, and a read verifies them before a byte is parsed (nothing
is unpickled that was not verified). A damaged entry (truncated, a flipped
byte, a file missing) is a miss: it is reported, removed and written again by
the run. A cache that cannot be written (read-only, no permission, a full disk)
costs the next run its head start, never this run: the failure is reported and
the run goes on. The reports are in :attr:`StateCache.notes`.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.randomness import Streams
from ..engine.state import SimulationState
from ..people.population import Population
from ..results.provenance import code_digest

MAX_ENTRIES = 6  # about 200 MB each at full scale
STALE_WRITE_SECONDS = 3600  # a temporary folder this old belongs to a write that never finished
FORMAT = 4  # raise when the layout of an entry changes (4: digest.json)
FILES = ("people.npz", "state.pickle")  # an entry's data, in the order they are written
DIGEST = "digest.json"  # written last: sizes and SHA-256 of FILES


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


def _sha256(handle) -> str:
    """The SHA-256 of an open binary file, from its start (read in blocks, not whole)."""
    handle.seek(0)
    return hashlib.file_digest(handle, "sha256").hexdigest()


class DamagedEntry(Exception):
    """An entry whose files do not match its digest (or that has no digest)."""


@dataclass
class StateCache:
    """Warmed-up states on disk, by key.

    Args:
        folder: Where the entries live (created when the first is written).

    Attributes:
        notes: What went wrong with the cache, one line each (a damaged entry removed, an entry that could not be
            written); the run reports them and goes on.
        damaged: Keys of the entries found damaged (and removed).
        not_written: Keys of the entries that could not be written.
    """

    folder: Path
    notes: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    not_written: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.folder = Path(self.folder)

    def path(self, key: str) -> Path:
        """The folder of an entry."""
        return self.folder / key

    def load(self, key: str) -> tuple[SimulationState, Any] | None:
        """The state and the extra data stored under ``key``, or None when there is no such entry.

        An entry removed while it is read (another run pruning the folder) counts as absent. A damaged one counts as
        absent too, and is removed and noted (:attr:`notes`), so that this run writes it again.
        """
        folder = self.path(key)
        if not folder.is_dir():
            return None
        try:
            people, rest = self._read_verified(folder)
        except FileNotFoundError as exc:
            if folder.is_dir():  # (otherwise removed meanwhile by another run: simply absent)
                self._remove_damaged(key, f"{Path(exc.filename or '?').name} is missing")
            return None
        except DamagedEntry as exc:
            self._remove_damaged(key, str(exc))
            return None
        except OSError as exc:
            self.notes.append(f"cache entry {folder} could not be read ({exc.strerror or exc}); its warm-up is "
                              f"simulated again")
            return None
        people.fills = rest.pop("fills")
        extra = rest.pop("extra")
        streams = Streams(*rest.pop("streams"))
        with contextlib.suppress(OSError):
            os.utime(folder)  # recently used: kept longest
        return SimulationState(people=people, streams=streams, **rest), extra

    @staticmethod
    def _read_verified(folder: Path) -> tuple[Population, dict]:
        """The people and the rest of an entry, each file verified against the digest before it is parsed.

        Each file is hashed and parsed through one open handle, so what is parsed is what was verified.

        Raises:
            DamagedEntry: if the digest is unreadable or a file does not match it.
            FileNotFoundError: if a file is missing.
        """
        try:
            digest = json.loads((folder / DIGEST).read_text())
            expected = {name: (int(digest["files"][name]["bytes"]), str(digest["files"][name]["sha256"]))
                        for name in FILES}
        except (ValueError, KeyError, TypeError) as exc:
            raise DamagedEntry(f"{DIGEST} is unreadable ({type(exc).__name__})") from None
        if digest.get("format") != FORMAT:
            raise DamagedEntry(f"{DIGEST} gives format {digest.get('format')!r}, not {FORMAT}")
        parsed = {}
        for name in FILES:
            with open(folder / name, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size != expected[name][0]:
                    raise DamagedEntry(f"{name} has {size:,} bytes, the digest says {expected[name][0]:,}")
                if _sha256(handle) != expected[name][1]:
                    raise DamagedEntry(f"{name} does not match its SHA-256 in {DIGEST}")
                handle.seek(0)
                try:
                    if name == "people.npz":
                        with np.load(handle) as columns:
                            parsed[name] = Population(**{n: columns[n] for n in columns.files})
                    else:
                        parsed[name] = pickle.load(handle)  # noqa: S301 (verified against the digest written with it)
                except Exception as exc:  # verified yet unreadable: written by other code (cannot be with the key)
                    raise DamagedEntry(f"{name} matches its digest but cannot be read ({type(exc).__name__})") from None
        return parsed["people.npz"], parsed["state.pickle"]

    def _remove_damaged(self, key: str, why: str) -> None:
        """Note a damaged entry and remove it (renamed aside first, so no reader sees it half removed)."""
        self.damaged.append(key)
        aside = self.folder / f".damaged-{key}-{os.getpid()}"
        try:
            self.path(key).rename(aside)
            shutil.rmtree(aside, ignore_errors=True)
            done = "removed; this run writes it again"
        except OSError as exc:
            done = f"could not be removed ({exc.strerror or exc}): delete it by hand"
        self.notes.append(f"cache entry {self.path(key)} is damaged ({why}): {done}")

    def store(self, key: str, state: SimulationState, extra: Any = None) -> bool:
        """Write ``state`` (and ``extra``) under ``key``, atomically; then remove the oldest entries.

        A failure to write (read-only folder, no permission, full disk) is noted (:attr:`notes`), never raised: the
        run goes on without the entry.

        Returns:
            True if this call wrote the entry (False: it was there already, another run wrote it meanwhile, or it
            could not be written).
        """
        if (self.path(key) / DIGEST).is_file():
            return False
        agents = [a for kind in state.institutions.values() for a in kind]
        memo: dict[int, Any] = {id(a.model): None for a in agents}  # agents are stored without their model
        rest = {"month": state.month, "first_month": state.first_month, "record_from": state.record_from,
                "weight": state.weight, "streams": (state.streams.root_seed, state.streams.replication),
                "counters": state.counters, "institutions": copy.deepcopy(state.institutions, memo),
                "process_data": state.process_data, "fills": state.people.fills, "extra": extra}
        tmp = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=self.folder))
            np.savez(tmp / "people.npz", **{n: getattr(state.people, n) for n in state.people.dtypes})
            with open(tmp / "state.pickle", "wb") as f:
                pickle.dump(rest, f, protocol=pickle.HIGHEST_PROTOCOL)
            files = {}
            for name in FILES:
                with open(tmp / name, "rb") as handle:
                    files[name] = {"bytes": os.fstat(handle.fileno()).st_size, "sha256": _sha256(handle)}
            (tmp / DIGEST).write_text(json.dumps({"format": FORMAT, "files": files}, indent=1))
            tmp.rename(self.path(key))  # (a damaged entry in the way was removed when it was read)
        except OSError as exc:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            if (self.path(key) / DIGEST).is_file():
                return False  # another run wrote it meanwhile
            self.not_written.append(key)
            self.notes.append(f"cache entry {self.path(key)} could not be written ({exc.strerror or exc}); "
                              f"the run goes on without it")
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
