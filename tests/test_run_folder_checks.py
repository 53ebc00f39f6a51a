"""A run folder is read with the schema that wrote it: a damaged or malformed folder is refused, naming the file.

Cases: rows doubled, a file cut short, a byte changed, a column gone, text where a number belongs, a key repeated,
a scenario the manifest does not name, a manifest that is not an object or lacks a key or has a key of the wrong
type, a manifest nested too deep or not text; each refused by ``load_run`` and by ``loopbaan report`` (exit 2, one
line naming the file, nothing written). Folders written before the manifest recorded digests are still checked for
their schema. The report's scratch and its own file: nothing left behind when it is stopped or cannot write.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

import model
from model import load_run
from model.interfaces.cli import app
from model.report import render
from model.report.run_data import RunFolderError
from model.results import run_folder, schema

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def written(reported_results) -> Path:
    return reported_results.folder


def _copy(folder: Path, to: Path) -> Path:
    shutil.copytree(folder, to, ignore=shutil.ignore_patterns("*.html", "charts"))
    return to


def _without_digests(folder: Path) -> None:
    """The folder as one written before the manifest recorded its files' digests."""
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["file_digests"]
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _edit_csv(name: str, change):
    def edit(folder: Path) -> None:
        table = pd.read_csv(folder / name)
        change(table).to_csv(folder / name, index=False)
    return edit


def _lines(name: str, change):
    def edit(folder: Path) -> None:
        lines = (folder / name).read_text().splitlines(keepends=True)
        (folder / name).write_text("".join(change(lines)))
    return edit


def _manifest(change):
    def edit(folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text())
        (folder / "manifest.json").write_text(json.dumps(change(manifest)))
    return edit


def _set(manifest: dict, key: str, value) -> dict:
    manifest[key] = value
    return manifest


# (how the folder is damaged, whether the manifest keeps its digests, the file and words the message must hold)
DAMAGE = {
    "summary rows doubled": (_lines("summary.csv", lambda ls: ls + ls[1:]), True,
                             "summary.csv", "bytes, but the run wrote"),
    "summary cut short": (_lines("summary.csv", lambda ls: ls[: len(ls) // 2]), True,
                          "summary.csv", "bytes, but the run wrote"),
    "a figure edited": (_lines("comparison.csv", lambda ls: [ls[0], _one_digit_changed(ls[1]), *ls[2:]]), True,
                        "comparison.csv", "differs from what the run wrote"),
    "a listed file gone": (lambda f: (f / "differences_by_year.csv").unlink(), True,
                           "differences_by_year.csv", "missing (manifest.json lists it)"),
    "old folder, rows doubled": (_lines("summary.csv", lambda ls: ls + ls[1:]), False,
                                 "summary.csv", "row(s) repeat a key (scenario, year, metric, group"),
    "old folder, cut short": (_lines("summary.csv", lambda ls: ls[: len(ls) // 3]), False,
                              "summary.csv", "no rows for law_2025"),
    "old folder, a column gone": (_edit_csv("comparison.csv", lambda t: t.drop(columns="noise")), False,
                                  "comparison.csv", "column 'noise' missing"),
    "old folder, text for a year": (_edit_csv("summary.csv", lambda t: t.assign(year=t["year"].astype(str) + "x")),
                                    False, "summary.csv", "column 'year' must hold whole numbers; line 2 holds"),
    "old folder, an infinite figure": (_lines("comparison.csv", lambda ls: [ls[0], _infinite(ls[1]), *ls[2:]]),
                                       False, "comparison.csv", "must hold finite numbers"),
    "old folder, an unknown column": (_edit_csv("parameters.csv", lambda t: t.assign(extra=1)), False,
                                      "parameters.csv", "unknown column 'extra'"),
    "old folder, a scenario not in the manifest": (
        _edit_csv("comparison.csv", lambda t: t.assign(scenario="ghost")), False,
        "comparison.csv", "column 'scenario' names ghost, not a scenario of manifest.json"),
    "old folder, an empty summary": (_lines("summary.csv", lambda ls: ls[:1]), False, "summary.csv", "no rows"),
    "old folder, a summary of nothing": (lambda f: (f / "summary.csv").write_text(""), False, "summary.csv", "empty"),
    "manifest holds 5": (lambda f: (f / "manifest.json").write_text("5"), True,
                         "manifest.json", "a JSON object is expected, found int"),
    "manifest not JSON": (lambda f: (f / "manifest.json").write_text('{"run": '), True,
                          "manifest.json", "not valid JSON"),
    "manifest nested 100,000 deep": (lambda f: (f / "manifest.json").write_text("[" * 100_000 + "]" * 100_000), True,
                                     "manifest.json", "not valid JSON"),
    "manifest not text": (lambda f: (f / "manifest.json").write_bytes(bytes(range(256))), True,
                          "manifest.json", "not a UTF-8 text file"),
    "manifest without its scenarios": (_manifest(lambda m: {k: v for k, v in m.items() if k != "scenarios"}), True,
                                       "manifest.json", "key 'scenarios' missing"),
    "manifest seed as text": (_manifest(lambda m: _set(m, "seed", "11")), True,
                              "manifest.json", "key 'seed': Input should be a valid integer"),
    "manifest replications 0": (_manifest(lambda m: _set(m, "replications", 0)), True,
                                "manifest.json", "key 'replications'"),
    "manifest scenario without a name": (_manifest(lambda m: _set(m, "scenarios", [{"title": "x"}])), True,
                                         "manifest.json", "key 'scenarios.0.name' missing"),
    "manifest digest malformed": (_manifest(lambda m: _set(m, "file_digests", {"summary.csv": {"bytes": -1}})), True,
                                  "manifest.json", "key 'file_digests.summary.csv"),
}


def _one_digit_changed(line: str) -> str:
    """The line with the first digit of its value changed (the same size: only the digest can tell)."""
    cells = line.split(",")
    digit = next(i for i, c in enumerate(cells[5]) if c.isdigit())
    cells[5] = cells[5][:digit] + str((int(cells[5][digit]) + 1) % 10) + cells[5][digit + 1:]
    return ",".join(cells)


def _infinite(line: str) -> str:
    cells = line.rstrip("\n").split(",")
    cells[5] = "inf"  # the value column
    return ",".join(cells) + "\n"


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_run_folder_is_refused_naming_the_file(written, tmp_path, case):
    damage, digests, file, words = DAMAGE[case]
    folder = _copy(written, tmp_path / "run")
    if not digests:
        _without_digests(folder)
    damage(folder)
    with pytest.raises(RunFolderError) as caught:
        load_run(folder)
    message = str(caught.value)
    assert message.startswith(str(folder / file)) and words in message, message
    before = sorted(p.name for p in folder.iterdir())
    result = CliRunner().invoke(app, ["report", str(folder), "--lang", "en"])
    assert result.exit_code == 2 and result.output.startswith(f"error: {folder / file}"), result.output
    assert "Traceback" not in result.output and "cell" not in result.output
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written


def test_an_undamaged_copy_and_an_old_folder_are_read(written, tmp_path):
    fresh = load_run(_copy(written, tmp_path / "copy"))
    old = _copy(written, tmp_path / "old")
    _without_digests(old)
    pd.testing.assert_frame_equal(load_run(old).summary, fresh.summary)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=st.sampled_from(["summary.csv", "comparison.csv", "differences_by_year.csv", "parameters.csv"]),
       where=st.floats(0, 1, exclude_max=True), value=st.integers(0, 255), cut=st.booleans())
def test_any_change_to_a_table_read_is_refused(written, tmp_path_factory, file, where, value, cut):
    """A byte changed or the file cut anywhere: refused as changed, never read as figures."""
    folder = _copy(written, tmp_path_factory.mktemp("flip") / "run")
    data = bytearray((folder / file).read_bytes())
    at = int(where * len(data))
    if cut:
        data = data[:at]
    elif data[at] == value:
        return
    else:
        data[at] = value
    (folder / file).write_bytes(bytes(data))
    with pytest.raises(RunFolderError, match=rf"^{folder / file}: "):
        load_run(folder)


def test_the_schema_that_reads_is_the_one_that_writes(reported_results):
    """Every table the run writes passes its file's schema, and one the schema refuses is not written."""
    for name, table in run_folder.tables(reported_results.run).items():
        if name in schema.TABLES:
            assert schema.problems(table, schema.TABLES[name]) == [], name
    doubled = pd.concat([reported_results.summary] * 2)
    with pytest.raises(schema.SchemaError, match=r"summary.csv \(as the model made it\): .* repeat a key"):
        schema.conform(doubled, "summary.csv")


def test_a_report_that_cannot_be_written_leaves_the_folder_as_it_was(written, tmp_path, monkeypatch):
    """A read-only folder (or a full disk): one message, no temporary file, no traceback from the cleanup."""
    folder = _copy(written, tmp_path / "run")
    before = sorted(p.name for p in folder.iterdir())
    real = Path.write_text

    def refused(path, *args, **kwargs):
        if path.parent == folder:
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", refused)
    monkeypatch.setattr(Path, "unlink", lambda path, missing_ok=False: (_ for _ in ()).throw(
        PermissionError(13, "Permission denied")))  # the cleanup is refused too
    result = CliRunner().invoke(app, ["report", str(folder), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (f"error: {folder / 'report.en.html'}: cannot write the report (Permission "
                                     f"denied); the run folder is unchanged")
    monkeypatch.undo()
    assert sorted(p.name for p in folder.iterdir()) == before


def test_scratch_folders_of_reports_killed_outright_are_removed(tmp_path, monkeypatch):
    """Removed: a folder whose lock nobody holds, or one without a lock a day old; kept: a running report's.

    A young folder without its lock yet (a report between making its folder and its lock) is kept too.
    """
    monkeypatch.setattr(render.tempfile, "gettempdir", lambda: str(tmp_path))
    running, killed, young, old = (tmp_path / f"{render.SCRATCH}{name}" for name in ("a", "b", "c", "d"))
    for path in (running, killed, young, old):
        path.mkdir()
    (killed / render.SCRATCH_LOCK).write_text("")
    os.utime(old, (time.time() - 2 * render.STALE_SCRATCH_SECONDS,) * 2)
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time\n"
                               f"h = open({str(running / render.SCRATCH_LOCK)!r}, 'w')\n"
                               "fcntl.flock(h, fcntl.LOCK_EX); print('held', flush=True); time.sleep(600)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        render.remove_stale_scratch()
        assert running.is_dir() and young.is_dir() and not killed.exists() and not old.exists()
    finally:
        holder.kill()
        holder.wait()
    render.remove_stale_scratch()  # its report is gone now
    assert not running.exists() and young.is_dir()


def test_a_report_stopped_by_sigterm_exits_143_and_leaves_no_scratch(written, tmp_path):
    folder = _copy(written, tmp_path / "run")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "model", "report", str(folder), "--lang", "en"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "TMPDIR": str(scratch)})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(scratch.glob(f"{render.SCRATCH}*/*")):
        time.sleep(0.05)  # the notebook is being executed
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 143, err
    assert err.strip().splitlines()[-1] == "interrupted: no report was written" and "Traceback" not in err
    assert not list(scratch.glob(f"{render.SCRATCH}*")) and not (folder / "report.en.html").exists()


SHORT = {"start": "2025-01", "end": "2025-12", "warmup_months": 0}


def test_a_run_with_a_counter_dimension_of_its_own_and_names_that_look_like_numbers_reads_back(tmp_path):
    """A process's own dimension (a column of summary.csv, in its key) and scenarios named ``0123`` and ``nan``."""
    from model.mechanisms import default_processes

    from .test_engine import Calls

    specs = [{"name": "0123", "extends": "law_2025", **SHORT}, {"name": "nan", "extends": "herintreders", **SHORT}]
    results = model.Simulation(specs, scale=0.003, seed=5, processes=[*default_processes(), Calls()]).run(
        progress=False, cache=False)
    results.save(tmp_path, name="own")
    run = load_run(results.folder)
    assert run.scenario_names == ["0123", "nan"] and "line" in run.summary.columns
    assert set(run.summary["scenario"]) == {"0123", "nan"}
    assert set(run.summary.loc[run.summary["metric"] == "call_contacts", "line"]) == {"letter", "phone", "event"}
