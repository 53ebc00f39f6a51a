"""Bad input never gives a traceback: one test per message, and property-based tests of the loaders."""

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import model
from model.experiments.calibration.config import DEFAULT_CONFIG, CalibrationError, load_config
from model.interfaces.cli import app
from model.params.scenario import KEYS, ScenarioError
from model.params.tree import ParameterTree
from model.results import atomic

from .conftest import ROOT, SCENARIOS, write_scenario

runner = CliRunner()
GOOD = {"name": "bad", "extends": "baseline_2020", "start": "2025-01", "end": "2025-12"}


@pytest.fixture(scope="module")
def law_tree():
    return ParameterTree.load()


# -- dict scenarios: one test per message ----------------------------------------

@pytest.mark.parametrize("change, message", [
    ({"horizon": 10}, "<dict 'bad'>: key 'horizon' is not allowed; allowed keys: name, title, description, extends, start"),
    ({"name": "Bad Name"}, "<dict>: key 'name': got 'Bad Name'; expected lower-case letters, digits and _ only"),
    ({"name": "x" * 65}, "<dict>: key 'name': String should have at most 64 characters"),
    ({"scale": True}, "<dict 'bad'>: key 'scale': Input should be a valid number (got True)"),
    ({"scale": float("nan")}, "<dict 'bad'>: key 'scale': Input should be a finite number"),
    ({"scale": 2}, "<dict 'bad'>: key 'scale': Input should be less than or equal to 1"),
    ({"scale": 1e-9}, "<dict 'bad'>: key 'scale': Input should be greater than or equal to 0.0001"),
    ({"seed": "42"}, "<dict 'bad'>: key 'seed': Input should be a valid integer (got '42')"),
    ({"seed": 2**70}, "<dict 'bad'>: key 'seed': Input should be less than or equal to 9223372036854775807"),
    ({"replications": "3"}, "<dict 'bad'>: key 'replications': Input should be a valid integer"),
    ({"warmup_months": False}, "<dict 'bad'>: key 'warmup_months': Input should be a valid integer (got False)"),
    ({"start": "2025-13-01"}, "<dict 'bad'>: key 'start': got '2025-13-01'; expected a month as YYYY-MM"),
    ({"end": "2024-12"}, "<dict 'bad'>: key 'end' (2024-12) is before 'start' (2025-01)"),
    ({"start": None, "extends": "law"}, "<dict 'bad'>: key 'start' is required"),
    ({"extends": ""}, "<dict 'bad'>: key 'extends': '' is not a scenario; give a shipped scenario name"),
    ({"extends": "."}, "<dict 'bad'>: key 'extends': '.' is not a scenario"),
    ({"extends": "/"}, "<dict 'bad'>: key 'extends': '/' is not a scenario"),
    ({"extends": "a" * 300}, "<dict 'bad'>: key 'extends': 'aaaa"),
    ({"extends": "a" * 199}, "<dict 'bad'>: key 'extends': scenario 'aaaa"),
    ({"extends": []}, "<dict 'bad'>: key 'extends': give at least one scenario"),
    ({"extends": ["baseline_2020", "nobody"]}, "<dict 'bad'>: key 'extends.1': scenario 'nobody' not found"),
    ({"overrides": {"cheque.cheques.max_per_window": 3}}, "key 'overrides.cheque.cheques.max_per_window': needs dated values"),
    ({"overrides": {"cheque.cheques.maxper_window": {"2025-01-01": 3}}}, "unknown parameter 'cheque.cheques.maxper_window'"),
    ({"overrides": {"behaviour.awareness.saturation": {"2025-01-01": float("nan")}}},
     "<dict 'bad'>: overrides: behaviour.awareness.saturation: nan is not a finite number"),
    ({"overrides": {"behaviour.uptake.intercept_cheque1": {"2025-01-01": float("inf")}}},
     "behaviour.uptake.intercept_cheque1: inf is not a finite number"),
    ({"overrides": {"behaviour.uptake.intercept_cheque1": {"2025-01-01": 10**400}}},
     "behaviour.uptake.intercept_cheque1: 1000000"),
    ({"overrides": {"cheque.eligibility.reentrant.enabled": {"2025-02-30": True}}},
     "overrides.cheque.eligibility.reentrant.enabled (key '2025-02-30'): '2025-02-30' is not a date (day is out of range"),
    ({"overrides": {"behaviour.uptake.shock_multiplier": {"2026-01-01..2025-01-01": 0.5}}},
     "the range 2026-01-01..2025-01-01 ends before it starts"),
    ({"overrides": {"behaviour.uptake.shock_multiplier": {"2025-01-01..2025-12-31": 0.5, "2025-06-01..2026-06-30": 0.7}}},
     "the ranges 2025-01-01..2025-12-31 and 2025-06-01..2026-06-30 overlap"),
    ({"overrides": {"behaviour.uptake.shock_multiplier": {"2025-01-01..2025-12-31": 0.5, "2025-06-01": 0.7}}},
     "2025-06-01 falls inside the range 2025-01-01..2025-12-31"),
    ({"overrides": {"cheque.cheques.user_price": {"2025-01-01": {"cheque1": 60}}}}, "keys must be exactly ['cheque1', 'cheque2']"),
    ({"start": "2012-01", "end": "2012-12", "extends": "law"}, "is not covered"),
])
def test_dict_scenario_errors(change, message, law_tree):
    spec = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    with pytest.raises(ScenarioError) as info:
        model.Scenario.from_dict(spec, law_tree)
    assert message in str(info.value)
    assert "Traceback" not in str(info.value) and len(str(info.value)) < 2000


def test_dict_scenario_that_is_not_a_mapping(law_tree):
    with pytest.raises(ScenarioError, match="<dict>: a scenario must be a mapping of keys"):
        model.Scenario.from_dict(["baseline_2020"], law_tree)
    with pytest.raises(ScenarioError, match=r"key 1 is not allowed"):
        model.Scenario.from_dict({**GOOD, 1: 2}, law_tree)
    with pytest.raises(ScenarioError, match="a scenario must be a shipped name, a path, a dict or a Scenario"):
        model.Simulation([42])


# -- YAML files: the reader's limits -------------------------------------------------

def _cli_error(tmp_path, text, *more):
    path = write_scenario(tmp_path, "bad", text)
    out_dir = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), *more, "--out", str(out_dir)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not out_dir.exists()
    return result.output


def test_alias_bomb_is_refused_at_once(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join('*' + p for _ in range(9))}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    out = _cli_error(tmp_path, "name: bad\n" + bomb)
    assert "bad.yaml: not valid YAML (line 3, column" in out and "aliases (*name) are not allowed" in out


def test_deep_nesting_is_refused(tmp_path):
    out = _cli_error(tmp_path, "name: bad\nx: " + "[" * 500 + "]" * 500 + "\n")
    assert "nested deeper than 32 levels" in out


def test_a_huge_file_is_not_read(tmp_path):
    out = _cli_error(tmp_path, "name: bad\n# " + "x" * 1_100_000 + "\n")
    assert "larger than 1,000,000 bytes" in out


def test_a_key_given_twice_is_refused(tmp_path):
    out = _cli_error(tmp_path, "name: bad\nname: other\n")
    assert "key 'name' is given twice" in out


def test_messages_quote_only_an_excerpt(tmp_path):
    out = _cli_error(tmp_path, "name: bad\nstart: 2025-01\nend: 2025-12\ntitle: [" + ", ".join(["long"] * 500) + "]\n")
    assert "key 'title'" in out and len(out) < 400


def test_impossible_start_date_names_the_key(tmp_path):
    out = _cli_error(tmp_path, "name: bad\nstart: 2025-13-01\nend: 2025-12\n")
    assert "bad.yaml: key 'start': got '2025-13-01'; expected a month as YYYY-MM" in out


def test_too_long_run_name(tmp_path):
    out = _cli_error(tmp_path, "name: bad\nextends: baseline_2020\nstart: 2025-01\nend: 2025-12\n", "--name", "n" * 230)
    assert "--name: run name of 230 bytes is too long: at most 200" in out


def test_many_scenarios_get_a_short_default_name():
    name = atomic.default_name([f"scenario_number_{i:03d}" for i in range(40)])
    assert len(name.encode()) <= atomic.NAME_MAX_BYTES and name.startswith("scenario_number_000+")


# -- the output folder: checked before simulating, never half-written -------------------

SMALL_RUN = "name: s\nextends: baseline_2020\nstart: 2025-01\nend: 2025-03\nwarmup_months: 0\nscale: 0.002\n"


def test_out_below_a_regular_file(tmp_path):
    (tmp_path / "afile").write_text("keep me")
    path = write_scenario(tmp_path, "s", SMALL_RUN)
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "afile" / "runs")])
    assert result.exit_code == 2 and "output folder" in result.output and "cannot write there" in result.output
    assert "replication" not in result.output  # nothing was simulated
    assert (tmp_path / "afile").read_text() == "keep me"


def test_out_not_writable(tmp_path, monkeypatch):
    path = write_scenario(tmp_path, "s", SMALL_RUN)
    real_mkdir = Path.mkdir

    def refuse(self, *args, **kwargs):
        if self.name.startswith(".incomplete-"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)
    monkeypatch.setattr(Path, "mkdir", refuse)
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "runs")])
    assert result.exit_code == 2 and "cannot write there (Permission denied)" in result.output
    assert "replication" not in result.output


def test_disk_full_while_writing(tmp_path, monkeypatch):
    path = write_scenario(tmp_path, "s", SMALL_RUN)
    out = tmp_path / "runs"
    earlier = out / "20200101T000000Z-earlier"
    earlier.mkdir(parents=True)
    (earlier / "summary.csv").write_text("kept")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    result = runner.invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "writing the run folder" in result.output and "No space left on device" in result.output
    assert sorted(p.name for p in out.iterdir()) == [earlier.name]
    assert (earlier / "summary.csv").read_text() == "kept"


def test_runs_finishing_together_get_their_own_folders(tmp_path):
    folders = [atomic.RunFolder(tmp_path, "same") for _ in range(5)]
    for f in folders:
        (f.tmp / "x").write_text(f.tmp.name)
    finals = [f.commit() for f in folders]
    assert len(set(finals)) == 5 and all((p / "x").is_file() for p in finals)
    assert not list(tmp_path.glob(".incomplete-*"))


def test_runs_writing_in_the_same_second_record_the_names_their_folders_get(tmp_path, monkeypatch):
    """The name a manifest records is claimed before it is written, so it is the folder's own."""
    import datetime as dt
    import types

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=tz)

    monkeypatch.setattr(atomic, "dt", types.SimpleNamespace(datetime=Frozen, UTC=dt.UTC))
    writes = [atomic.atomic_folder(atomic.RunFolder(tmp_path, "same")) for _ in range(3)]
    opened = [w.__enter__() for w in writes]  # three runs writing at once, in the same second
    for tmp, final in opened:
        (tmp / "manifest.json").write_text(json.dumps({"folder": str(final)}))
    for w in reversed(writes):  # the last to start finishes first
        w.__exit__(None, None, None)
    folders = sorted(p for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert [p.name for p in folders] == ["20260101T120000Z-same", "20260101T120000Z-same-2", "20260101T120000Z-same-3"]
    assert all(json.loads((p / "manifest.json").read_text())["folder"] == str(p) for p in folders)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no claim or temporary folder left


def test_a_discarded_run_gives_its_claimed_name_back(tmp_path):
    first = atomic.RunFolder(tmp_path, "same")
    claimed = first.candidate("20260101T120000Z")
    first.discard()
    second = atomic.RunFolder(tmp_path, "same")
    assert second.candidate("20260101T120000Z") == claimed
    second.discard()
    assert not list(tmp_path.iterdir())


def test_leftovers_of_killed_runs_are_removed(tmp_path):
    claim_of_the_dead = tmp_path / f"{atomic.CLAIM}20260101T120000Z-old"
    claim_of_the_dead.write_text("999999999")
    claim_of_the_living = tmp_path / f"{atomic.CLAIM}20260101T120000Z-running"
    claim_of_the_living.write_text(str(os.getpid()))
    dead = tmp_path / ".incomplete-999999999-0123abcd-old"
    dead.mkdir()
    alive = tmp_path / f".incomplete-{os.getpid()}-0123abcd-running"
    alive.mkdir()
    atomic.RunFolder(tmp_path, "new").discard()
    assert not dead.exists() and alive.exists()
    assert not claim_of_the_dead.exists() and claim_of_the_living.exists()


def test_sigterm_removes_the_temporary_folder(tmp_path):
    path = write_scenario(tmp_path, "s", "name: s\nextends: baseline_2020\nscale: 0.02\n")
    out = tmp_path / "runs"
    proc = subprocess.Popen([sys.executable, "-m", "model", "run", str(path), "--out", str(out)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while not list(out.glob(".incomplete-*")) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert list(out.glob(".incomplete-*")), "the run did not reserve its folder"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode == 143 and b"interrupted: nothing was written" in proc.stderr.read()
    assert not list(out.iterdir())


# -- calibration configs ----------------------------------------------------------

def test_calibration_config_not_utf8(tmp_path):
    path = tmp_path / "cal.yaml"
    path.write_bytes(b"scenario: \xff\xfe\n")
    with pytest.raises(CalibrationError, match="cal.yaml: not a UTF-8 text file"):
        load_config(path)


def test_calibration_scenario_after_the_target_years(tmp_path):
    late = write_scenario(tmp_path, "late", f"name: late\nextends: {SCENARIOS / 'baseline_2013.yaml'}\nstart: 2019-01\nend: 2019-12\n")
    raw = yaml.safe_load(DEFAULT_CONFIG.read_text())
    raw["scenario"] = str(late)
    path = tmp_path / "cal.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(CalibrationError, match="key 'scenario'"):
        load_config(path)


def test_calibration_config_non_finite_bound(tmp_path):
    raw = yaml.safe_load(DEFAULT_CONFIG.read_text())
    raw["scenario"] = str(SCENARIOS / "baseline_2013.yaml")
    raw["parameters"][0]["upper"] = float("inf")
    path = tmp_path / "cal.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(CalibrationError, match=r"key 'parameters.0.upper': Input should be a finite number"):
        load_config(path)


# -- property-based: thousands of bad documents -------------------------------------------

PATHS = ["cheque.cheques.user_price", "behaviour.uptake.intercept_cheque1", "cheque.eligibility.worker_rule",
         "cheque.eligibility.reentrant.enabled", "population.size_20_64", "nothing.here"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**80, max_value=2**80),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
                    st.sampled_from(["2025-01", "2025-13", "2025-02-30", "2025-01-01..2025-06-30", "law", "baseline_2020",
                                     "", ".", "/", "..", "a" * 300]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                      max_leaves=12)
dated = st.dictionaries(st.one_of(st.sampled_from(["2025-01-01", "2013-07-01", "2025-02-30", "soon",
                                                   "2025-01-01..2025-12-31", "2026-01-01..2025-01-01"]),
                                  st.text(max_size=12)), values, max_size=3)
documents = st.fixed_dictionaries({}, optional={
    **{key: values for key in KEYS},
    "name": st.one_of(st.just("bad"), values), "extends": st.one_of(st.sampled_from(["law", "baseline_2020", "herintreders"]), values),
    "start": st.one_of(st.just("2025-01"), values), "end": st.one_of(st.just("2025-12"), values),
    "overrides": st.one_of(st.dictionaries(st.sampled_from(PATHS), st.one_of(dated, values), max_size=3), values),
    "unknown_key": values,
})


def _loads_or_refuses(load, label):
    """Loaded, or refused with a message that names the input.

    No bound on the time (the machine is shared): what could blow a document up (aliases, depth, size) is
    refused by the reader, each tested above.
    """
    try:
        load()
    except ScenarioError as exc:
        assert str(exc).startswith(label) or label in str(exc), str(exc)[:300]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents)
def test_any_dict_loads_or_gives_a_scenario_error(doc, law_tree):
    _loads_or_refuses(lambda: model.Scenario.from_dict(doc, law_tree), "<dict")


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(doc=documents, text=st.text(max_size=200))
def test_any_file_loads_or_gives_a_scenario_error(doc, text, law_tree, tmp_path):
    path = tmp_path / "doc.yaml"
    try:
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    except yaml.YAMLError:  # e.g. a value PyYAML cannot represent
        return
    _loads_or_refuses(lambda: model.Scenario.load(path, law_tree), str(path))
    path.write_bytes(text.encode("utf-8", "replace"))  # any text at all
    _loads_or_refuses(lambda: model.Scenario.load(path, law_tree), str(path))


config_documents = st.fixed_dictionaries({}, optional={
    "scenario": st.one_of(st.just(str(SCENARIOS / "baseline_2013.yaml")), values),
    "targets": st.one_of(st.just("all"), values), "scale": values, "seed": values, "rounds": values,
    "max_evaluations": values, "check_scale": values, "seed_check": values, "targets_file": values,
    "parameters": st.one_of(st.lists(st.fixed_dictionaries(
        {"path": st.one_of(st.sampled_from(["behaviour.uptake.women", "behaviour.uptake.age_band", "nope"]), values)},
        optional={"lower": values, "upper": values, "step": values, "key": values, "keys": values, "start": values}),
        max_size=3), values),
    "extra": values,
})


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(doc=config_documents)
def test_any_calibration_config_loads_or_gives_a_calibration_error(doc, tmp_path):
    path = tmp_path / "cal.yaml"
    try:
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    except yaml.YAMLError:
        return
    try:
        load_config(path)
    except CalibrationError as exc:
        assert str(path) in str(exc), str(exc)[:300]


def test_outputs_of_a_refused_input_are_never_written(tmp_path):
    """Through the CLI: a bad dict-like file exits 2 and creates no folder (a sample of the above)."""
    for i, doc in enumerate([{"name": 1}, {"name": "x", "scale": "big"}, {"name": "x", "overrides": {"a": {"b": 1}}}]):
        path = tmp_path / f"d{i}.yaml"
        path.write_text(json.dumps(doc))
        result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
        assert result.exit_code == 2 and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("doc", [
    {"name": "bad", "scale": True}, {"name": "bad", "start": "2025-13"}, {"name": "bad", "horizon": 1},
    {"name": "bad", "extends": "nobody", "start": "2025-01", "end": "2025-12"},
    {**GOOD, "overrides": {"cheque.cheques.window_months": {"2025-01-01": 72.5}}},
])
def test_a_dict_gets_the_same_message_as_a_file(doc, tmp_path, law_tree):
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps(doc))
    messages = []
    for load in (lambda: model.Scenario.load(path, law_tree), lambda: model.Scenario.from_dict(doc, law_tree)):
        with pytest.raises(ScenarioError) as info:
            load()
        messages.append(str(info.value))
    # the same text, but for the label and where a name was looked for (next to the file, or the working folder)
    where = re.compile(r"\(looked for [^)]*\)")
    assert where.sub("", messages[0].replace(str(path), "<dict 'bad'>")) == where.sub("", messages[1])


def test_dicts_take_ordinary_python_values(law_tree):
    import datetime as dt

    import numpy as np
    s = model.Scenario.from_dict({"name": "x", "extends": SCENARIOS / "baseline_2020.yaml", "overrides": {
        "cheque.cheques.user_price": {dt.date(2026, 1, 1): {"cheque1": np.int64(20), "cheque2": 20.0}}}}, law_tree)
    assert s.tree.at(dt.date(2026, 2, 1))["cheque.cheques.user_price"] == {"cheque1": 20, "cheque2": 20.0}


@pytest.mark.parametrize("make, message", [
    (lambda: model.Scenario.from_dict({"name": "x", "extends": ["baseline_2020", 3]}), "key 'extends': give a scenario"),
    (lambda: model.Scenario.from_dict({"name": "x", "overrides": {"a": {1, 2}}}), "key 'overrides.a': {1, 2} is not plain data"),
    (lambda: model.Scenario.load(None), "a scenario file is a path or a shipped scenario's name; got None"),
    (lambda: model.Simulation(None), "scenarios: give a scenario"),
])
def test_python_values_that_are_not_scenarios(make, message):
    with pytest.raises(ScenarioError, match=re.escape(message)):
        make()


def test_self_referencing_or_deep_dicts_are_refused(law_tree):
    d = {"name": "x"}
    d["loop"] = d
    with pytest.raises(ScenarioError, match="nested deeper than 32 levels"):
        model.Scenario.from_dict(d, law_tree)
    with pytest.raises(model.ParameterError, match="path: give a parameter's path or a prefix as text"):
        model.parameters(None)


def test_manifest_names_the_folder_it_is_in(tmp_path):
    path = write_scenario(tmp_path, "s", SMALL_RUN)
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    folder = Path(result.output.strip().splitlines()[-1])
    assert json.loads((folder / "manifest.json").read_text())["run"] == folder.name


def test_an_override_without_effect_is_warned_about(tmp_path, law_tree):
    text = "name: bad\nextends: baseline_2020\noverrides:\n  cheque.cheques.user_price:\n    1900-01-01: {cheque1: 20, cheque2: 20}\n"
    path = write_scenario(tmp_path, "bad", text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0
    assert "warning: " in result.output and "overrides.cheque.cheques.user_price changes nothing from 2013-07 to 2034-12" in result.output
    with pytest.warns(UserWarning, match="changes nothing"):
        model.Simulation(str(path))
    assert model.Scenario.load(SCENARIOS / "herintreders.yaml", law_tree).warnings == []


def test_validate_reports_every_file(tmp_path):
    bad = write_scenario(tmp_path, "bad", "name: bad\nscale: true\n")
    result = runner.invoke(app, ["validate", "herintreders", str(bad), str(tmp_path / "none.yaml"), "baseline_2013"])
    assert result.exit_code == 2
    assert "ok: 'herintreders'" in result.output and "ok: 'baseline_2013'" in result.output
    assert "key 'scale': Input should be a valid number" in result.output and "none.yaml: scenario file not found" in result.output
    assert "2 of 4 scenario(s) have errors" in result.output
    together = runner.invoke(app, ["validate", "baseline_2020", "baseline_2013"])
    assert together.exit_code == 0 and "note: they cannot share one run" in together.output


@pytest.mark.parametrize("key, value, message", [
    ("seed", "42", "key 'seed': Input should be a valid integer"),
    ("scale", True, "key 'scale': Input should be a valid number"),
    ("seed_check", "yes", "key 'seed_check': Input should be a valid boolean"),
])
def test_calibration_config_types_are_strict(key, value, message, tmp_path):
    raw = yaml.safe_load(DEFAULT_CONFIG.read_text())
    raw["scenario"] = str(SCENARIOS / "baseline_2013.yaml")
    raw[key] = value
    path = tmp_path / "cal.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(CalibrationError, match=message):
        load_config(path)
