"""The warm-up cache checks itself.

A damaged entry is a miss (reported, removed, written again); a cache that cannot be written costs the run nothing
but its entry.
"""

import json
import os
import shutil
import stat
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import model
from model.experiments import warmup_cache
from model.experiments.warmup_cache import DIGEST, FILES, StateCache

SHORT = {"start": "2025-01", "end": "2025-12", "warmup_months": 6, "scale": 0.003, "seed": 5}
SPEC = [{"name": "base", "extends": "law_2025", **SHORT}]


def _summary(res) -> pd.DataFrame:
    return res.summary.sort_values(["scenario", "year", "metric", "group"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A cache with one entry, and the run's summary without the cache."""
    folder = tmp_path_factory.mktemp("cache")
    without = model.Simulation(SPEC).run(progress=False, cache=False)
    res = model.Simulation(SPEC).run(progress=False, cache=folder)
    (key,) = res.run.cache["written"]
    return folder, key, _summary(without)


def _copy(written, tmp_path) -> tuple[StateCache, str]:
    folder, key, _ = written
    shutil.copytree(folder / key, tmp_path / key)
    return StateCache(tmp_path), key


def test_an_entry_holds_a_digest_of_its_files_and_an_intact_one_is_read(written, tmp_path):
    cache, key = _copy(written, tmp_path)
    digest = json.loads((cache.path(key) / DIGEST).read_text())
    assert digest["format"] == warmup_cache.FORMAT and sorted(digest["files"]) == sorted(FILES)
    loaded = cache.load(key)
    assert loaded is not None and len(loaded[0].people.status) > 0
    assert cache.notes == [] and cache.damaged == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(FILES), where=st.floats(0, 1, exclude_max=True), bit=st.integers(0, 7))
def test_any_flipped_bit_makes_the_entry_a_miss_that_is_reported_and_removed(written, tmp_path_factory, name, where,
                                                                             bit):
    cache, key = _copy(written, tmp_path_factory.mktemp("flip"))
    path = cache.path(key) / name
    data = bytearray(path.read_bytes())
    data[int(where * len(data))] ^= 1 << bit
    path.write_bytes(bytes(data))
    assert cache.load(key) is None
    assert cache.damaged == [key] and not cache.path(key).exists()
    assert len(cache.notes) == 1 and f"{name} does not match its SHA-256" in cache.notes[0]


@pytest.mark.parametrize("damage, message", [
    ("truncate people.npz", "people.npz has"),
    ("truncate state.pickle", "state.pickle has"),
    ("empty state.pickle", "state.pickle has 0 bytes"),
    ("remove people.npz", "people.npz is missing"),
    ("remove digest.json", "digest.json is missing"),
    ("digest not JSON", "digest.json is unreadable"),
    ("digest of another format", "digest.json gives format"),
    ("digest without a file", "digest.json is unreadable"),
])
def test_every_kind_of_damage_is_a_miss_that_is_reported_and_removed(written, tmp_path, damage, message):
    cache, key = _copy(written, tmp_path)
    entry = cache.path(key)
    digest = json.loads((entry / DIGEST).read_text())
    action, _, name = damage.partition(" ")
    if action == "truncate":
        (entry / name).write_bytes((entry / name).read_bytes()[: (entry / name).stat().st_size // 2])
    elif action == "empty":
        (entry / name).write_bytes(b"")
    elif action == "remove":
        (entry / name).unlink()
    elif damage == "digest not JSON":
        (entry / DIGEST).write_text("{not json")
    elif damage == "digest of another format":
        (entry / DIGEST).write_text(json.dumps({**digest, "format": 1}))
    else:
        del digest["files"]["state.pickle"]
        (entry / DIGEST).write_text(json.dumps(digest))
    assert cache.load(key) is None
    assert cache.damaged == [key] and not entry.exists()
    assert message in cache.notes[0] and "removed; this run writes it again" in cache.notes[0]


def test_a_run_repairs_a_damaged_entry_and_its_numbers_do_not_change(written, tmp_path):
    folder, key, without = written
    shutil.copytree(folder, tmp_path / "cache")
    pickled = tmp_path / "cache" / key / "state.pickle"
    pickled.write_bytes(pickled.read_bytes()[:-100])
    lines = []
    res = model.Simulation(SPEC).run(progress=False, log=lines.append, cache=tmp_path / "cache")
    assert res.run.cache["damaged"] == [key] and res.run.cache["written"] == [key] and not res.run.cache["read"]
    assert any(line.startswith("  warning: cache entry") and "is damaged" in line for line in lines)
    pd.testing.assert_frame_equal(_summary(res), without)
    again = model.Simulation(SPEC).run(progress=False, cache=tmp_path / "cache")  # the entry written again is good
    assert again.run.cache["read"] == [key] and not again.run.cache["damaged"]
    pd.testing.assert_frame_equal(_summary(again), without)


def test_without_a_log_the_api_warns_of_a_damaged_entry(written, tmp_path):
    folder, key, _ = written
    shutil.copytree(folder, tmp_path / "cache")
    (tmp_path / "cache" / key / "people.npz").write_bytes(b"PK")
    with pytest.warns(UserWarning, match="is damaged"):
        model.Simulation(SPEC).run(progress=False, cache=tmp_path / "cache")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_costs_the_run_nothing_but_its_entry(written, tmp_path):
    _, _, without = written
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.warns(UserWarning, match="could not be written"):
            res = model.Simulation(SPEC).run(progress=False, cache=folder)
    finally:
        folder.chmod(stat.S_IRWXU)
    assert res.run.cache["not_written"] and not res.run.cache["written"]
    pd.testing.assert_frame_equal(_summary(res), without)


def test_a_cache_that_cannot_be_written_costs_the_run_nothing_but_its_entry(written, tmp_path, monkeypatch):
    """A full disk (or any failure to write): the run goes on, says so, and its numbers are those without the cache."""
    _, _, without = written

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", full_disk)
    lines = []
    res = model.Simulation(SPEC).run(progress=False, log=lines.append, cache=tmp_path / "cache")
    assert res.run.cache["not_written"] and not res.run.cache["written"]
    assert any("could not be written (No space left on device)" in line for line in lines)
    assert [p.name for p in (tmp_path / "cache").iterdir()] == []  # nothing half-written left behind
    pd.testing.assert_frame_equal(_summary(res), without)


def test_the_command_line_run_warns_and_writes_its_folder_when_the_cache_cannot_be_written(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from model.interfaces.cli import app

    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("LOOPBAAN_CACHE", str(cache))
    monkeypatch.setattr(StateCache, "store", _failing_store)
    result = CliRunner().invoke(app, ["run", "law_2025", "--scale", "0.003", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "warning: cache entry" in result.output and "could not be written" in result.output
    (run_folder,) = (tmp_path / "out").iterdir()
    manifest = json.loads((run_folder / "manifest.json").read_text())
    assert manifest["cache"]["not_written"] and manifest["cache"]["notes"]


def _failing_store(self, key, state, extra=None):
    """``StateCache.store`` on a read-only folder (the tests run as root, who may write anywhere)."""
    self.not_written.append(key)
    self.notes.append(f"cache entry {self.path(key)} could not be written (Read-only file system); "
                      f"the run goes on without it")
    return False


def test_an_entry_is_never_parsed_before_it_is_verified(written, tmp_path, monkeypatch):
    """Nothing is unpickled from a file that does not match its digest."""
    import pickle

    cache, key = _copy(written, tmp_path)
    pickled = cache.path(key) / "state.pickle"
    pickled.write_bytes(pickle.dumps({"not": "the state"}))
    calls = []
    monkeypatch.setattr(pickle, "load", lambda *a, **k: calls.append(a) or {})
    assert cache.load(key) is None and calls == []
    assert "state.pickle has" in cache.notes[0]


def test_warnings_are_not_raised_for_a_healthy_cache(written, tmp_path):
    folder, key, _ = written
    shutil.copytree(folder, tmp_path / "cache")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = model.Simulation(SPEC).run(progress=False, cache=tmp_path / "cache")
    assert res.run.cache["read"] == [key] and res.run.cache["notes"] == []


def test_a_stale_damaged_folder_set_aside_is_cleaned_like_a_stopped_write(tmp_path, monkeypatch):
    aside = tmp_path / ".damaged-abc-1"
    aside.mkdir()
    (aside / "state.pickle").write_bytes(b"x")
    old = 10 * warmup_cache.STALE_WRITE_SECONDS
    os.utime(aside, (Path(aside).stat().st_atime - old, Path(aside).stat().st_mtime - old))
    StateCache(tmp_path)._prune()
    assert not aside.exists()
