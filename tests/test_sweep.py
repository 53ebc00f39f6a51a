"""Sweeps: designs, Morris indices, workers, resume and failed points, and the sweep file's messages."""

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from model import Sweep, SweepError
from model.experiments import sweep as sweep_module

TINY = {"name": "tiny", "scenario": "baseline_2020", "baseline": "law_2025",
        "outputs": ["extra_cost_total_eur", "extra_users"], "method": "morris", "trajectories": 2, "levels": 4,
        "scale": 0.002, "start": "2025-01", "end": "2028-12", "warmup_months": 0,
        # the fee's indexation moves the cost; letters of ask 2 are off in both scenarios: they move nothing
        "parameters": {"cheque.fee.indexation_per_year": {}, "outreach.letter.monthly_reach": {}}}


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweeps")
    return Sweep(TINY).run(out), out


def _unfinished_copy(out, to, *removed: str):
    """A copy of the finished sweep's outputs under ``to`` without ``removed`` (and without its tables), and its folder."""
    shutil.copytree(out, to)
    folder = Sweep(TINY).folder(to)
    for name in (*removed, "results.csv", "morris.csv", "morris.png"):
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return folder


def test_morris_finds_the_parameter_that_matters_and_none_for_one_never_read(finished):
    result, _ = finished
    assert result.complete and result.failed == [] and len(result.results) == 2 * (2 + 1)
    mu = result.indices.set_index(["output", "parameter"])["mu_star"]
    assert mu[("extra_cost_total_eur", "cheque.fee.indexation_per_year")] > 1_000
    assert mu[("extra_cost_total_eur", "outreach.letter.monthly_reach")] == 0.0
    assert mu[("extra_users", "outreach.letter.monthly_reach")] == 0.0
    for name in ("results.csv", "morris.csv", "morris.png", "sweep.json"):
        assert (result.folder / name).is_file()


def test_two_workers_give_the_same_table(finished, tmp_path):
    result, _ = finished
    again = Sweep(TINY).run(tmp_path, workers=2)
    pd.testing.assert_frame_equal(again.results, result.results)


def test_a_sweep_run_again_runs_only_the_missing_points(finished, tmp_path, monkeypatch):
    result, out = finished
    copy = tmp_path / "copy"
    folder = _unfinished_copy(out, copy, "points/2.json")
    ran = []
    real = sweep_module._run_point
    monkeypatch.setattr(sweep_module, "_run_point",
                        lambda s, i, point, check=False: ran.append(i) or real(s, i, point, check))
    resumed = Sweep(TINY).run(copy)
    assert ran == [2] and resumed.complete
    pd.testing.assert_frame_equal(resumed.results, result.results)
    assert (folder / "results.csv").read_text() == (result.folder / "results.csv").read_text()


def test_a_failed_point_is_reported_and_takes_no_other_down(tmp_path, monkeypatch):
    real = Sweep._pair

    def failing(self, point, check=False):
        if point.name == 1:
            raise RuntimeError("this point cannot run")
        return real(self, point, check)

    plan = Sweep(TINY)
    monkeypatch.setattr(Sweep, "_pair", failing)
    lines = []
    result = plan.run(tmp_path, log=lines.append)
    assert result.failed == [1] and not result.complete and len(result.results) == 5
    record = json.loads((result.folder / "failed" / "1.json").read_text())
    assert "this point cannot run" in record["error"] and set(record["parameters"]) == set(TINY["parameters"])
    assert "point 1 failed" in lines[0] and not (result.folder / "results.csv").exists()
    monkeypatch.setattr(Sweep, "_pair", real)
    result = plan.run(tmp_path)
    assert result.complete and result.failed == []


def test_a_grid_has_every_combination_of_levels():
    grid = Sweep({**TINY, "method": "grid", "levels": 3}).design()
    assert len(grid) == 9 and sorted(grid["cheque.fee.indexation_per_year"].unique()) == [0.0, 0.02, 0.04]


@pytest.mark.parametrize(("change", "message"), [
    ({"colour": "red"}, "key 'colour' is not allowed"),
    ({"outputs": ["happiness"]}, "key 'outputs': ['happiness'] are not outputs; allowed: extra_eligible"),
    ({"parameters": {"cheque.nonsense": {}}}, "key 'parameters.cheque.nonsense': no such parameter"),
    ({"parameters": {"cheque.eligibility.worker_rule": {}}}, "only a parameter with one number can be swept"),
    ({"parameters": {"cheque.fee.indexation_per_year": {"low": 0.03, "high": 0.01}}}, "low must be below high"),
    ({"parameters": {"cheque.eligibility.experience.months_required": {}}}, "give low and high"),
    ({"parameters": {"outreach.letter.monthly_reach": {"low": 0.1, "high": 2.0}}}, "above the maximum"),
    ({"method": "grid", "levels": 20, "parameters": {p: {} for p in ("cheque.fee.indexation_per_year",
      "outreach.letter.monthly_reach", "outreach.letter.awareness_gain", "vdab_followup.acceptance_share")}},
     "points; at most 10,000 (use method: morris)"),
    ({"scenario": "no_such_scenario"}, "key 'scenario'"),
    ({"scale": 0.0}, "key 'scale'"),
])
def test_bad_sweep_files_are_refused(change, message):
    with pytest.raises(SweepError, match=None) as caught:
        Sweep({**TINY, **change})
    assert message in str(caught.value)


def test_the_sweep_command_refuses_bad_input_with_exit_2(tmp_path):
    from typer.testing import CliRunner

    from model.interfaces.cli import app

    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nscenario: law_2025\n")
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "key 'baseline' is required" in result.output
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(app, ["sweep", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2 and "missing.yaml" in result.output


def test_the_shipped_screening_is_valid():
    plan = Sweep("resolution_screening")
    assert len(plan.bounds) >= 12 and len(plan.design()) == (len(plan.bounds) + 1) * plan.spec.trajectories


def test_sobol_indices_of_a_parameter_never_read_are_zero(tmp_path):
    result = Sweep({**TINY, "method": "sobol", "samples": 8, "outputs": ["extra_cost_total_eur"]}).run(tmp_path, workers=2)
    assert result.complete and len(result.results) == 8 * (2 + 2)
    st = result.indices.set_index("parameter")
    assert st.loc["outreach.letter.monthly_reach", "ST"] == 0.0 and st.loc["outreach.letter.monthly_reach", "S1"] == 0.0
    assert st.loc["cheque.fee.indexation_per_year", "ST"] > 0.5
    assert (result.folder / "sobol.csv").is_file() and (result.folder / "sobol.png").is_file()


def test_sobol_needs_a_power_of_two():
    with pytest.raises(SweepError, match="samples must be a power of 2"):
        Sweep({**TINY, "method": "sobol", "samples": 10})


def test_a_bad_rerun_loses_no_finished_point(finished, tmp_path):
    import model

    result, out = finished
    points = sorted(p.read_text() for p in (result.folder / "points").glob("*.json"))
    assert model.Sweep is Sweep and model.SweepError is SweepError  # the names the issue spells out
    for bad in ({"workers": 0}, {"scheduler": "nowhere"}):
        with pytest.raises(model.ScenarioError, match="workers must be a whole number|scheduler: give a Dask scheduler.s address"):
            Sweep(TINY).run(out, **bad)
    assert sorted(p.read_text() for p in (result.folder / "points").glob("*.json")) == points
    fresh = tmp_path / "fresh"
    with pytest.raises(model.ScenarioError):
        Sweep(TINY).run(fresh, scheduler="nowhere")
    assert not fresh.exists()


GRID = {**TINY, "method": "grid", "levels": 3, "outputs": ["extra_cost_total_eur", "extra_users"]}


def test_a_sweep_killed_mid_way_and_run_again_gives_the_same_table(tmp_path):
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    import yaml

    spec = {**GRID, "parameters": {"cheque.fee.indexation_per_year": {}}, "levels": 5}
    file = tmp_path / "grid.yaml"
    file.write_text(yaml.safe_dump(spec))
    interrupted = tmp_path / "interrupted"
    points = Sweep(spec).folder(interrupted) / "points"
    command = [sys.executable, "-m", "model", "sweep", str(file), "--out", str(interrupted)]
    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (points.is_dir() and list(points.glob("*.json"))):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)  # no chance to tidy up
    process.wait()
    kept = list(points.glob("*.json"))
    assert 1 <= len(kept) < 5, "the sweep was not caught mid-way"
    assert all(json.loads(p.read_text())["outputs"] for p in kept)  # every stored point is whole
    assert not (points.parent / "results.csv").exists()
    again = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    straight = Sweep(spec).run(tmp_path / "straight")
    assert (points.parent / "results.csv").read_text() == (straight.folder / "results.csv").read_text()


def test_a_grid_gives_a_tornado_of_each_parameters_swing(tmp_path):
    result = Sweep(GRID).run(tmp_path)
    tornado = result.tornado.set_index(["output", "parameter"])
    means = result.results.groupby("cheque.fee.indexation_per_year")["extra_cost_total_eur"].mean()
    row = tornado.loc[("extra_cost_total_eur", "cheque.fee.indexation_per_year")]
    assert row["at_low"] == means.iloc[0] and row["at_high"] == means.iloc[-1]
    assert row["swing"] == means.max() - means.min() > 0
    assert tornado.loc[("extra_cost_total_eur", "outreach.letter.monthly_reach"), "swing"] == 0.0
    assert (result.folder / "tornado.csv").is_file() and (result.folder / "tornado.png").is_file()


def test_a_latin_hypercube_has_its_samples_within_the_ranges():
    design = Sweep({**TINY, "method": "latin", "samples": 10}).design()
    assert len(design) == 10
    assert design["cheque.fee.indexation_per_year"].between(0.0, 0.04).all()
    # one point in each tenth of each range
    assert sorted((design["cheque.fee.indexation_per_year"] / 0.004).astype(int)) == list(range(10))


def test_scenario_discovery_finds_the_box_where_the_cost_is_high(tmp_path):
    spec = {**TINY, "method": "latin", "samples": 16, "outputs": ["extra_cost_total_eur"]}
    first = Sweep(spec).run(tmp_path, workers=2)
    median = float(first.results["extra_cost_total_eur"].median())
    spec["discovery"] = {"output": "extra_cost_total_eur", "above": median, "density": 0.9}
    plan = Sweep(spec)
    assert plan.folder(tmp_path) == first.folder  # a question asked of a finished sweep reuses its points
    stamps = {p.name: p.stat().st_mtime_ns for p in (first.folder / "points").glob("*.json")}
    result = plan.run(tmp_path, workers=2)
    assert {p.name: p.stat().st_mtime_ns for p in (result.folder / "points").glob("*.json")} == stamps
    found = result.discovery
    cost = result.results["extra_cost_total_eur"]
    assert found.cases == int((cost > median).sum()) == 8
    box = found.box.set_index("parameter")
    # only the fee's indexation moves the cost: the box restricts it and nothing else
    assert box.loc["cheque.fee.indexation_per_year", "restricted"]
    assert not box.loc["outreach.letter.monthly_reach", "restricted"]
    summary = json.loads((result.folder / "discovery.json").read_text())
    assert summary["density"] >= 0.9 and list(summary["limits"]) == ["cheque.fee.indexation_per_year"]
    assert (result.folder / "discovery.csv").is_file() and (result.folder / "discovery.png").is_file()
    assert "PRIM's box holds" in "\n".join(found.lines())


def test_no_box_is_sought_when_no_run_or_every_run_meets_the_condition():
    from model.experiments.discovery import discover

    x = pd.DataFrame({"a": [0.1, 0.5, 0.9]})
    for y, note in (([False] * 3, "no run meets it"), ([True] * 3, "every run meets it")):
        found = discover(x, y, "q")
        assert found.chosen is None and note in found.lines()[0]


def test_the_fast_path_says_how_far_it_agrees_with_a_larger_scale(tmp_path):
    spec = {**GRID, "parameters": {"cheque.fee.indexation_per_year": {}}, "check": {"points": 2, "scale": 0.004}}
    plan = Sweep(spec)
    result = plan.run(tmp_path)
    assert plan.check_points() == [0, 2] and result.complete
    check = pd.read_csv(result.folder / "check.csv")
    assert sorted(check["point"].unique()) == [0, 2] and set(check["output"]) == set(spec["outputs"])
    again = Sweep({**spec, "scale": 0.004, "check": None}).run(tmp_path / "larger")
    larger = again.results.loc[[0, 2], "extra_cost_total_eur"].to_numpy()
    assert check[check["output"] == "extra_cost_total_eur"]["check_value"].tolist() == larger.tolist()
    assert "scale 0.002 against 0.004" in "\n".join(result.check_lines())
    assert "reduced scale 0.002" in json.loads((result.folder / "sweep.json").read_text())["evaluation"]


@pytest.mark.parametrize(("change", "message"), [
    ({"discovery": {"output": "extra_employed", "above": 1.0}}, "discovery.output must be one of the sweep's outputs"),
    ({"discovery": {"output": "extra_users", "above": 1.0, "below": 5.0}}, "give exactly one of above and below"),
    ({"discovery": {"output": "extra_users"}}, "give exactly one of above and below"),
    ({"check": {"scale": 0.001}}, "check.scale (0.001) must be above the sweep's scale (0.002)"),
    ({"method": "latin_square"}, "key 'method'"),
])
def test_bad_discovery_and_check_keys_are_refused(change, message):
    with pytest.raises(SweepError) as caught:
        Sweep({**TINY, **change})
    assert message in str(caught.value)


def test_the_shipped_discovery_sweep_is_valid():
    plan = Sweep("resolution_discovery")
    assert plan.spec.discovery.output in plan.spec.outputs and len(plan.design()) == plan.spec.samples
    assert len(plan.check_points()) == plan.spec.check.points


def test_prim_says_when_no_box_reaches_the_density_asked_and_which_limits_could_be_chance():
    import numpy as np

    from model.experiments.discovery import discover

    rng = np.random.default_rng(5)
    x = pd.DataFrame(rng.random((200, 3)), columns=["a", "b", "c"])
    found = discover(x, rng.random(200) < 0.3, "noise above 1", density=0.99)  # nothing to find
    text = "\n".join(found.lines())
    assert "No box reaches the density asked (99%): this is the densest" in text
    assert "could well be chance" in text or "no restriction" in text
    planted = discover(x, (x["a"] > 0.7).to_numpy(), "a above 0.7", density=0.9)
    assert "No box reaches" not in planted.lines()[0] and planted.summary()["limits"]["a"][0] > 0.6


DAMAGE = {  # what a point file may hold after a fault or a hand edit: each is an unfinished point, run again
    "not JSON": lambda path: path.write_text('{"parameters": {"cheque.fee'),
    "an empty object": lambda path: path.write_text("{}"),
    "another design's point": lambda path: path.write_text(json.dumps(
        {**json.loads(path.read_text()), "parameters": {"cheque.fee.indexation_per_year": 0.5,
                                                        "outreach.letter.monthly_reach": 0.5}})),
    "text for an output": lambda path: path.write_text(json.dumps(
        {**json.loads(path.read_text()), "outputs": {"extra_cost_total_eur": "many", "extra_users": 1}})),
    "bytes that are not text": lambda path: path.write_bytes(bytes(range(256))),
    "a parameter too large for a number": lambda path: path.write_text(
        '{"parameters": {"cheque.fee.indexation_per_year": 1' + "0" * 400 + '}, "outputs": {}}'),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_point_file_is_run_again_and_said_so(finished, tmp_path, monkeypatch, damage):
    result, out = finished
    copy = tmp_path / "copy"
    folder = _unfinished_copy(out, copy)
    DAMAGE[damage](folder / "points" / "3.json")
    (folder / "points" / "notes.txt").write_text("mine")  # stray files: left alone, ignored
    (folder / "points" / "03.json").write_text((folder / "points" / "2.json").read_text())
    (folder / "points" / "9.json").mkdir()
    ran, said = [], []
    real = sweep_module._run_point
    monkeypatch.setattr(sweep_module, "_run_point",
                        lambda s, i, point, check=False: ran.append(i) or real(s, i, point, check))
    resumed = Sweep(TINY).run(copy, log=said.append)
    assert ran == [3] and resumed.complete
    assert any("points/3.json" in line and "moved to set_aside/" in line and "the point runs again" in line
               for line in said), said
    assert len(list((folder / "set_aside").iterdir())) == 1  # kept, not deleted
    for stray in ("notes.txt", "03.json", "9.json"):
        assert any(f"{stray}: not a point file of this sweep (ignored)" in line for line in said), said
    assert (folder / "points" / "notes.txt").read_text() == "mine"
    assert (folder / "results.csv").read_text() == (result.folder / "results.csv").read_text()


def test_a_points_folder_that_is_a_file_is_moved_aside_and_its_points_run_again(finished, tmp_path):
    result, out = finished
    copy = tmp_path / "copy"
    folder = _unfinished_copy(out, copy, "points")
    (folder / "points").write_text("not a folder")
    said = []
    resumed = Sweep(TINY).run(copy, log=said.append)
    assert resumed.complete and any("is a file, not a folder: moved aside" in line for line in said)
    assert (folder / "results.csv").read_text() == (result.folder / "results.csv").read_text()


def test_a_sweep_that_cannot_write_a_point_says_so_and_keeps_the_others(finished, tmp_path, monkeypatch):
    """A full disk while a point is stored: a SweepError naming the file (exit 2), the finished points kept."""
    import errno

    result, out = finished
    copy = tmp_path / "copy"
    folder = _unfinished_copy(out, copy, "points/4.json")
    kept = sorted(p.name for p in (folder / "points").iterdir())

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sweep_module.Path, "write_text", full)
    with pytest.raises(SweepError, match=r"points/4.json: cannot be written \(No space left on device\); the points "
                                         r"finished before are kept"):
        Sweep(TINY).run(copy)
    monkeypatch.undo()
    assert sorted(p.name for p in (folder / "points").iterdir()) == kept  # and no temporary file left


def test_two_sweeps_of_one_file_draw_their_chart_under_names_of_their_own(finished, tmp_path, monkeypatch):
    """The chart's temporary file is the process's own: a second sweep finishing at once cannot take it away."""
    from model.report.charts import base

    result, _ = finished
    seen = []
    real = base.Figure.savefig
    monkeypatch.setattr(base.Figure, "savefig", lambda fig, path, **kw: seen.append(Path(path).name) or
                        real(fig, path, **kw))
    for _ in range(2):
        fig = base.Figure()
        fig.add_subplot()
        base.save_png(fig, tmp_path / "morris.png", "stamp")
    assert len(seen) == 2 and seen[0] != seen[1] and all(str(os.getpid()) in name for name in seen)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["morris.png"]
