"""Replications on several worker processes, and paired differences."""

import pandas as pd
import pytest

import model

SHORT = {"start": "2025-01", "end": "2026-12", "warmup_months": 0, "scale": 0.002}
BASE = {"name": "base", "extends": "law_2025", **SHORT}
HERIN = {**BASE, "name": "herin", "extends": "herintreders"}


def test_the_number_of_workers_changes_no_result():
    one = model.Simulation([BASE, HERIN], replications=3).run(progress=False, cache=False)
    two = model.Simulation([BASE, HERIN], replications=3, workers=2).run(progress=False, cache=False)
    pd.testing.assert_frame_equal(one.summary, two.summary)
    pd.testing.assert_frame_equal(one.comparison(), two.comparison())
    pd.testing.assert_frame_equal(one.timeseries, two.timeseries)
    assert sorted(two.run.fit["replication"].unique()) == [0, 1, 2]


def test_a_scenario_against_itself_differs_by_exactly_zero():
    same = {**BASE, "name": "same"}  # the same parameters under another name
    res = model.Simulation([BASE, same], replications=2).run(progress=False, cache=False)
    diff = res.difference("same", "base").dropna(subset=["value"])
    assert len(diff) > 0
    assert (diff[["value", "p05", "p95"]].to_numpy() == 0.0).all()


@pytest.mark.parametrize("workers", [0, -1, 65, 1.5, True, "2"])
def test_bad_workers_are_refused(workers):
    with pytest.raises(model.ScenarioError, match="workers: give a whole number from 1 to 64"):
        model.Simulation(BASE, workers=workers)
    with pytest.raises(model.ScenarioError, match="workers: give a whole number from 1 to 64"):
        model.Simulation(BASE).run(progress=False, workers=workers)


def test_processes_that_cannot_reach_a_worker_are_refused_before_anything_runs():
    class Local(model.Process):  # defined in a function: another process cannot import it
        name = "local"

        def step(self, engine, month):
            pass

    sim = model.Simulation([BASE], replications=2, processes=[*model.default_processes(), Local()], workers=2)
    with pytest.raises(model.ScenarioError, match="workers: the processes of the month cannot be sent to another process"):
        sim.run(progress=False)


def test_bad_workers_flag(tmp_path):
    from typer.testing import CliRunner

    from model.cli import app

    result = CliRunner().invoke(app, ["run", "law_2025", "--workers", "0", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--workers must be from 1 to 64, got 0" in result.output
    assert list(tmp_path.iterdir()) == []


def test_monthly_values_are_kept_for_the_first_replications_only(monkeypatch):
    from model import outputs, runner

    monkeypatch.setattr(runner, "MONTHLY_REPLICATIONS", 1)
    res = model.Simulation([BASE, HERIN], replications=2).run(progress=False, cache=False)
    assert set(res.timeseries["replication"]) == {0} and set(res.yearly["replication"]) == {0, 1}
    # the levels table comes from every replication's yearly values: the mean of the two replications' own
    levels = outputs.levels_table(res.run)
    starts = res.yearly.query("metric == 'starts_cheque1' and group == 'all' and scenario == 'herin'")
    assert levels.loc["herin", "cheque-1 starts/yr"] == pytest.approx(starts.groupby("replication")["value"].sum().mean() / 2)
