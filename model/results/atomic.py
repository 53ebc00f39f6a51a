"""Folders written whole or not at all, never over an earlier one: run folders, and any folder a command writes.

Everything is written into a hidden temporary folder next to the final one,
which is renamed into place only when all files are there. A failure removes
the temporary folder and leaves earlier runs untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import os
import re
import secrets
import shutil
import time
from pathlib import Path

from ..engine.interrupts import raise_recorded
from ..params.yamlfile import shown_path

NAME_MAX_BYTES = 200  # a run folder's name; with the time stamp and prefixes it stays below 255 bytes
_TEMPORARY = re.compile(r"^\.incomplete-(\d+)-[0-9a-f]{8}-")
CLAIM = ".claim-"  # a file ``.claim-<final name>`` holding the pid: that final name is taken by a run still writing
STALE_SECONDS = 24 * 3600


class OutputError(RuntimeError):
    """A run folder cannot be created or written."""


def check_name(name: str) -> str:
    """A run folder name, checked: letters, digits and ``_ . + -``, not starting with '.', at most 200 bytes.

    Raises:
        OutputError: saying what is allowed.
    """
    if not re.fullmatch(r"[A-Za-z0-9_+-][A-Za-z0-9_.+-]*", name or ""):
        raise OutputError(f"run name {name!r} is not allowed: use letters, digits and _ . + - (no '/', not starting with '.')")
    if len(name.encode()) > NAME_MAX_BYTES:
        raise OutputError(f"run name of {len(name.encode())} bytes is too long: at most {NAME_MAX_BYTES} "
                          f"(the folder name adds a time stamp)")
    return name


def default_name(scenario_names: list[str]) -> str:
    """The scenario names joined by '+', shortened with a hash when too long for a folder name."""
    name = "+".join(scenario_names)
    if len(name.encode()) <= NAME_MAX_BYTES:
        return name
    suffix = f"+{len(scenario_names)}-scenarios-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
    return name[: NAME_MAX_BYTES - len(suffix)].rstrip("+") + suffix


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(out_root: Path) -> list[Path]:
    """Remove temporary folders and name claims left by runs that were killed (their process is gone, or a day old)."""
    removed = []
    try:
        candidates = [p for p in out_root.iterdir() if p.name.startswith(".incomplete-") and p.is_dir()]
        claims = [p for p in out_root.iterdir() if p.name.startswith(CLAIM) and p.is_file()]
    except OSError:
        return removed
    now = time.time()
    for claim in claims:
        with contextlib.suppress(OSError, ValueError):
            owner = claim.read_text().strip()
            if (owner.isdigit() and not _alive(int(owner))) or now - claim.stat().st_mtime > STALE_SECONDS:
                claim.unlink()
                removed.append(claim)
    for folder in candidates:
        match = _TEMPORARY.match(folder.name)
        try:
            old = now - folder.stat().st_mtime > STALE_SECONDS
        except OSError:
            continue
        if (match and not _alive(int(match.group(1)))) or (not match and old):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


class RunFolder:
    """A run folder reserved before anything is simulated, made final only when complete.

    Creating it makes the output root and a uniquely named hidden temporary
    folder in it (named after this process, so a later run can tell a killed
    run's leftovers from a running one's), so a folder that cannot be written
    is reported before minutes of simulation. :meth:`commit` renames it to
    ``<UTC time>-<name>``, taking the next free ``-2``, ``-3`` ... when two
    runs finish in the same second.

    The final name is claimed before anything names it (:meth:`candidate`):
    an exclusive ``.claim-<final name>`` file in the output root, so two runs
    writing at once never decide on the same name, and the name a manifest or
    a chart records is the name the folder gets.

    Raises:
        OutputError: when the root or the folder cannot be created.
    """

    def __init__(self, out_root: Path | str, name: str):
        self.root = Path(out_root)
        self.name = check_name(name)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            if not self.root.is_dir():
                raise NotADirectoryError(20, "not a folder")
            remove_stale(self.root)
            self.tmp = self.root / f".incomplete-{os.getpid()}-{secrets.token_hex(4)}-{self.name}"
            self.tmp.mkdir()
        except OSError as exc:
            raise OutputError(f"output folder '{shown_path(self.root)}': cannot write there ({exc.strerror or exc})") \
                from None
        self.final: Path | None = None
        self.claimed: Path | None = None

    def _names(self, when: str):
        """The final names for the time stamp ``when``, in the order they are taken."""
        for i in range(1, 1000):
            yield self.root / (f"{when}-{self.name}" if i == 1 else f"{when}-{self.name}-{i}")

    def _claim(self, final: Path) -> bool:
        """Claim ``final`` for this run (False: it exists, or another run claimed it)."""
        if final.exists():
            return False
        claim = self.root / f"{CLAIM}{final.name}"
        try:
            handle = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(handle, "w") as f:
            f.write(str(os.getpid()))
        if final.exists():  # made by a run that did not claim it (an older version): not ours
            claim.unlink()
            return False
        self._release()
        self.claimed = final
        return True

    def _release(self) -> None:
        """Give up the claimed name (once the folder has it, or is discarded)."""
        if self.claimed is not None:
            with contextlib.suppress(OSError):
                (self.root / f"{CLAIM}{self.claimed.name}").unlink()
            self.claimed = None

    def candidate(self, when: str) -> Path:
        """The final name for the time stamp ``when``, claimed for this run (what the manifest records).

        The first name neither taken by a folder nor claimed by another run; asked again, the same name.
        """
        if self.claimed is not None and self.claimed.name.startswith(f"{when}-"):
            return self.claimed
        for final in self._names(when):
            if self._claim(final):
                return final
        raise OutputError(f"{self.root}: no free run folder name for '{self.name}'")

    def commit(self, when: str | None = None) -> Path:
        """Rename the temporary folder to its final name for the time stamp ``when`` (default: now); return it.

        The name is the one claimed by :meth:`candidate` for ``when``, or else
        the first free one, claimed now.
        """
        when = when or dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        final = self.candidate(when)
        try:
            while True:
                try:
                    os.rename(self.tmp, final)  # fails only if a process that does not claim names took it
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                        raise
                    final = next((f for f in self._names(when) if self._claim(f)), None)
                    if final is None:
                        raise OutputError(f"{self.root}: no free run folder name for '{self.name}'") from None
        finally:
            self._release()
        self.final = final
        return final

    def discard(self) -> None:
        """Remove the temporary folder (and give up the claimed name)."""
        self._release()
        shutil.rmtree(self.tmp, ignore_errors=True)


@contextlib.contextmanager
def atomic_folder(folder: RunFolder):
    """Yield ``(tmp, final_name)``: write into ``tmp``; it gets its final name only if the block succeeds.

    ``final_name`` is the folder's final path, for manifests and chart
    stamps: the time stamp is taken once, and the first free name for it is
    used (only if another run takes that very name while this one writes does
    the folder get the next suffix instead). A failure removes the temporary
    folder; a failure to write (a full disk) becomes an :class:`OutputError`.

    Args:
        folder: The run folder, reserved before the run.
    """
    when = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        yield folder.tmp, folder.candidate(when)
        raise_recorded()  # a stop asked for while the folder was written, but dropped on its way: nothing is kept
        folder.commit(when)
    except OSError as exc:
        folder.discard()
        raise OutputError(f"writing the run folder in '{shown_path(folder.root)}' failed ({exc.strerror or exc}); "
                          f"nothing was kept, earlier runs are untouched") from None
    except BaseException:
        folder.discard()
        raise
