"""Replications on several worker processes, and paired differences."""

import numpy as np
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
    with pytest.raises(model.ScenarioError, match="workers must be a whole number from 1 to 64"):
        model.Simulation(BASE, workers=workers)
    with pytest.raises(model.ScenarioError, match="workers must be a whole number from 1 to 64"):
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

    from model.interfaces.cli import app

    result = CliRunner().invoke(app, ["run", "law_2025", "--workers", "0", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--workers must be a whole number from 1 to 64, got 0" in result.output
    assert list(tmp_path.iterdir()) == []


def test_monthly_values_are_kept_for_the_first_replications_only(monkeypatch):
    from model.experiments import run

    monkeypatch.setattr(run, "MONTHLY_REPLICATIONS", 1)
    res = model.Simulation([BASE, HERIN], replications=2).run(progress=False, cache=False)
    assert set(res.timeseries["replication"]) == {0} and set(res.yearly["replication"]) == {0, 1}
    # the levels table comes from every replication's yearly values: the mean of the two replications' own
    levels = res.levels()
    starts = res.yearly.query("metric == 'starts_cheque1' and group == 'all' and scenario == 'herin'")
    assert levels.loc["herin", "cheque-1 starts/yr"] == pytest.approx(starts.groupby("replication")["value"].sum().mean() / 2)


def test_the_interval_of_the_mean_shrinks_as_replications_grow():
    from model.results.comparison import interval_of_the_mean

    draws = np.random.default_rng(5).normal(3.0, 10.0, 400)
    widths = []
    for n in (4, 16, 64, 256):
        sample = pd.Series(draws[:n])
        low, high, noise = interval_of_the_mean(pd.Series([sample.mean()]), pd.Series([sample.std()]), pd.Series([n]))
        widths.append(float(high.iloc[0] - low.iloc[0]))
        assert low.iloc[0] < sample.mean() < high.iloc[0]
    assert all(a > b for a, b in zip(widths, widths[1:]))
    assert noise.iloc[0] == "clear"  # 256 draws around 3 with sd 10: the mean is clear of 0
    _, _, one = interval_of_the_mean(pd.Series([2.0, 0.0]), pd.Series([np.nan, 0.0]), pd.Series([1, 5]))
    assert list(one) == ["one replication", "exact"]


def test_the_noise_lines_name_the_differences_within_noise():
    from model.interfaces.printing import noise_lines
    from model.results.comparison import model_items

    res = model.Simulation([BASE, HERIN], replications=3).run(progress=False, cache=False)
    compared = res.comparison(wide=False)
    assert {"mean_low", "mean_high", "noise"} <= set(compared.columns)
    lines = noise_lines(compared, model_items())
    assert lines[0].startswith("[a, b]: 5th and 95th percentiles of the 3 replications' differences")
    within = compared[(compared.group == "all") & (compared.noise == "within noise")]
    assert all((row.mean_low <= 0 <= row.mean_high) for row in within.itertuples())
    single = model.Simulation([BASE, HERIN]).run(progress=False, cache=False).comparison(wide=False)
    assert noise_lines(single, model_items())[0].startswith("noise: one replication")


@pytest.fixture(scope="module")
def dask_cluster():
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_replications_on_a_dask_cluster_give_the_same_results(dask_cluster):
    local = model.Simulation([BASE, HERIN], replications=2).run(progress=False, cache=False)
    on_dask = model.Simulation([BASE, HERIN], replications=2).run(progress=False, cache=False, scheduler=dask_cluster)
    pd.testing.assert_frame_equal(local.summary, on_dask.summary)
    pd.testing.assert_frame_equal(local.comparison(), on_dask.comparison())


def test_a_sweep_on_a_dask_cluster_gives_the_same_table(dask_cluster, tmp_path):
    from model import Sweep

    from .test_sweep import TINY

    # two points: what is tested is that the cluster gives the table the local run gives, not the design
    spec = {**TINY, "name": "tiny_dask", "method": "grid", "levels": 2,
            "parameters": {"cheque.fee.indexation_per_year": {}}}
    local = Sweep(spec).run(tmp_path / "local")
    on_dask = Sweep(spec).run(tmp_path / "dask", scheduler=dask_cluster)
    pd.testing.assert_frame_equal(local.results, on_dask.results)


def test_a_bad_scheduler_is_refused(monkeypatch):
    from model.experiments import backends

    monkeypatch.setattr(backends, "CONNECT_SECONDS", 2)  # (Dask tries a refused connection again until then)
    with pytest.raises(model.ScenarioError, match="scheduler: give a Dask scheduler.s address"):
        model.Simulation(BASE).run(progress=False, scheduler="nowhere")
    with pytest.raises(model.ScenarioError, match="scheduler: cannot reach the Dask scheduler at tcp://127.0.0.1:9 "):
        model.Simulation([BASE], replications=2).run(progress=False, cache=False, scheduler="tcp://127.0.0.1:9")


def test_a_bad_scheduler_flag_leaves_no_run_folder(tmp_path):
    from typer.testing import CliRunner

    from model.interfaces.cli import app

    result = CliRunner().invoke(app, ["run", "law_2025", "--scale", "0.001", "--scheduler", "nowhere",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 2 and "scheduler: give a Dask scheduler's address" in result.output
    assert list(tmp_path.iterdir()) == []
