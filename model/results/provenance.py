"""Where a result came from: the code's digest, the git commit and the versions of the packages.

Every run folder's manifest records them, and the cache of warmed-up states keys
its entries by the code's digest, so a cached state is never used by other code.
"""

from __future__ import annotations

import functools
import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path

PACKAGES = ("numpy", "pandas", "mesa", "scipy", "matplotlib", "pydantic", "typer", "pyarrow", "PyYAML", "numba")
CODE_DIR = Path(__file__).resolve().parents[1]  # the package


@functools.cache
def code_digest() -> str:
    """SHA-256 over the package's Python and YAML files (code, parameters, targets, labels)."""
    h = hashlib.sha256()
    for f in sorted(p for p in CODE_DIR.rglob("*") if p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts):
        h.update(str(f.relative_to(CODE_DIR)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def git_commit() -> dict[str, object]:
    """Commit of the checkout the code runs from, and whether it has changes."""
    try:
        root = CODE_DIR.parent
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, timeout=10)
        if commit.returncode != 0:
            return {"commit": None, "dirty": None}
        return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def versions() -> dict[str, str | None]:
    """Versions of Python and the packages a run depends on."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def provenance() -> dict[str, object]:
    """Code hash, git commit and package versions, for manifests."""
    return {"code_sha256": code_digest(), "git": git_commit(), "versions": versions()}
