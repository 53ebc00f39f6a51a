"""Parameter uncertainty: declared distributions, drawn parameter sets, the outer loop and the variance split."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.interfaces.api import Simulation
from model.params import uncertainty
from model.params.scenario import Scenario, ScenarioError
from model.params.tree import ParameterError, ParameterTree

HEAD = "a:\n  description: d\n  unit: u\n  reference: r\n"
SHORT = {"scale": 0.004, "start": "2025-01", "end": "2026-12"}


def _load_one(tmp_path, text):
    (tmp_path / "x.yaml").write_text(text)
    return ParameterTree.load(tmp_path)


@pytest.mark.parametrize("text, message", [
    (HEAD + "  range: [0, 2]\n  distribution: normal\n  values: {2020-01-01: 1}\n",
     r"distribution: 'normal' is not a distribution; allowed: uniform, triangular"),
    (HEAD + "  distribution: triangular\n  values: {2020-01-01: 1}\n",
     r"distribution: triangular draws over the parameter's 'range', which it lacks"),
    (HEAD + "  range: [0, 2]\n  distribution: uniform\n  values: {2020-01-01: {p: 1, q: 1.5}}\n",
     r"uniform over one range would give every key the same value; use triangular"),
    (HEAD + "  range: [0, 2]\n  distribution: uniform\n  values: {2020-01-01: 1, 2021-01-01: 2}\n",
     r"a drawn parameter must have one dated value .* this one has 2"),
    (HEAD + "  distribution: {pick: [1, 2]}\n  values: {2020-01-01: 1}\n",
     r"give uniform, triangular, or a mapping with 'choice'"),
    (HEAD + "  distribution: {choice: [1]}\n  values: {2020-01-01: 1}\n",
     r"'choice' needs a list of at least two values, got \[1\]"),
    (HEAD + "  distribution: {choice: [1, high]}\n  values: {2020-01-01: 1}\n",
     r"distribution: choice: x.a: expected a number like 1, got 'high'"),
    (HEAD + "  distribution: {choice: [1, 2], weights: [0.2, 0.2]}\n  values: {2020-01-01: 1}\n",
     r"'weights' must be 2 positive numbers adding up to 1, got \[0.2, 0.2\]"),
])
def test_bad_distributions_are_refused(tmp_path, text, message):
    with pytest.raises(ParameterError, match=message):
        _load_one(tmp_path, text)


def test_a_calibrated_file_with_a_bad_correlation_matrix_is_refused(tmp_path, law):
    import yaml

    from model.params.tree import CALIBRATED_FILE

    content = yaml.safe_load(CALIBRATED_FILE.read_text())
    content["calibration"]["correlation"][0].insert(0, 0.5)  # a first row one longer than the others
    bad = tmp_path / "behaviour.yaml"
    bad.write_text(yaml.safe_dump(content, sort_keys=False))
    with pytest.raises(ParameterError, match=r"calibration.correlation must be a 14 x 14 matrix of finite numbers"):
        ParameterTree.load(calibrated=bad)


def test_every_uncertain_assumption_of_the_issue_is_drawn(law):
    paths = uncertainty.drawn_paths(law)
    for path in ("behaviour.guidance_effect.extra_job_finding_rate",  # effects of guidance
                 "behaviour.readiness.uptake_loading_non_active",  # take-up of non-active people
                 "behaviour.awareness.non_active_relative",  # the awareness ceiling
                 "behaviour.awareness.split_scale",  # how awareness and hazard split what is identified
                 "behaviour.uptake.out_of_work",  # the shift for being out of work
                 "behaviour.uptake.out_of_work_group_carryover",  # group shifts fitted on workers, carried
                 "outreach.targeting.missed_share", "outreach.targeting.false_flag_share",  # the data's errors
                 "careers.attachment_concentration",  # the careers that decide who passes the 7-year rule
                 "behaviour.uptake.intercept_cheque1", "behaviour.uptake.age_band"):  # calibrated, jointly
        assert path in paths
    # policy levers are the scenarios' to set, not drawn
    assert "outreach.letter.monthly_reach" not in paths and "cheque.fee.indexation_per_year" not in paths


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**63 - 1), n=st.integers(1, 6))
def test_drawn_sets_are_valid_values_and_set_k_does_not_depend_on_n(law, seed, n):
    sets = uncertainty.draw_sets(law, n, seed)
    assert len(sets) == n and sets == uncertainty.draw_sets(law, n, seed)
    assert uncertainty.draw_sets(law, n + 2, seed)[:n] == sets
    for values in sets:
        for path, value in values.items():
            param = law[path]
            param.check_value(value, "drawn")  # type, min, max, allowed items, shares
            if param.distribution is not None and param.distribution.kind == "choice":
                assert value in param.distribution.choices
            elif param.distribution is not None:
                low, high = param.plausible_range
                numbers = value.values() if isinstance(value, dict) else [value]
                assert all(low <= x <= high for x in numbers)
                if isinstance(param.values[0], int):
                    assert all(isinstance(x, int) for x in numbers)


def test_the_calibrated_values_are_drawn_from_their_fitted_normal(law):
    fitted = law.fitted
    sets = uncertainty.draw_sets(law, 4000, 7)
    intercept = np.array([s["behaviour.uptake.intercept_cheque1"] for s in sets])
    i = fitted["labels"].index("behaviour.uptake.intercept_cheque1")
    assert abs(intercept.mean() - fitted["value"][i]) < 0.05 * fitted["sd"][i] * 4
    assert intercept.std() == pytest.approx(fitted["sd"][i], rel=0.05)
    midpoint = np.array([s["behaviour.awareness.midpoint_year"] for s in sets])
    growth = np.array([s["behaviour.awareness.growth_years"] for s in sets])
    a, b = fitted["labels"].index("behaviour.awareness.midpoint_year"), fitted["labels"].index(
        "behaviour.awareness.growth_years")
    assert np.corrcoef(midpoint, growth)[0, 1] == pytest.approx(fitted["correlation"][a][b], abs=0.03)
    # keys fitted together move together; keys not fitted stay
    gaps = {round(s["behaviour.uptake.migration"]["non_eu"] - s["behaviour.uptake.migration"]["eu"], 6) for s in sets}
    assert gaps == {round(law["behaviour.uptake.migration"].values[0]["non_eu"]
                          - law["behaviour.uptake.migration"].values[0]["eu"], 6)}
    assert {s["behaviour.uptake.age_band"]["20-29"] for s in sets} == {0.0}
    decay = np.array([s["behaviour.cheque2.decay_months"] for s in sets])
    j = fitted["labels"].index("behaviour.cheque2.decay_months")
    assert decay.min() >= fitted["lower"][j] and decay.max() <= fitted["upper"][j]


def test_a_scenario_keeps_the_values_it_sets_itself(law):
    strict = Scenario.load("herintreders_strict", law)
    reading = "cheque.eligibility.reentrant.disqualifying_benefits"
    values = {reading: ["unemployment", "career_break"], "behaviour.awareness.non_active_relative": 0.5}
    drawn = uncertainty.with_set(strict, values, "set 0")
    date = strict.tree[reading].dates[-1]
    assert drawn.tree[reading].at(date) == strict.tree[reading].at(date) == [
        "unemployment", "career_break", "incapacity", "pension"]
    assert drawn.tree["behaviour.awareness.non_active_relative"].values == (0.5,)
    law_2025 = uncertainty.with_set(Scenario.load("law_2025", law), values, "set 0")
    assert law_2025.tree[reading].values == (values[reading],)


def test_the_variance_split_adds_up():
    rng = np.random.default_rng(3)
    sets = np.repeat(np.arange(7), 5)
    values = rng.normal(size=7)[sets] * 3 + rng.normal(size=35)
    split = uncertainty.variance_split(values, sets)
    assert split["var_parameters"] + split["var_monte_carlo"] == pytest.approx(np.var(values), rel=1e-12)
    assert split["var_total"] == pytest.approx(np.var(values), rel=1e-12)
    assert 0.5 < split["share_parameters"] <= 1
    # no parameter effect at all: the share is (about) zero; no noise at all: it is one
    flat = uncertainty.variance_split(rng.normal(size=35), sets)
    assert flat["share_parameters"] < 0.3
    exact = uncertainty.variance_split(np.arange(7.0)[sets], sets)
    assert exact["var_monte_carlo"] == 0 and exact["share_parameters"] == 1.0


@pytest.fixture(scope="module")
def with_sets():
    sim = Simulation([{"name": "base", "extends": "law_2025", **SHORT},
                      {"name": "reentrants", "extends": "herintreders", **SHORT}],
                     replications=2, parameter_sets=3)
    return sim.run(progress=False, cache=False)


def test_a_run_with_parameter_sets_splits_the_variance_of_every_difference(with_sets):
    assert with_sets.yearly["replication"].nunique() == 6
    compared = with_sets.comparison(wide=False)
    rows = compared[compared["group"] == "all"].set_index("item")
    for _, row in rows.iterrows():
        if row[["var_parameters", "var_monte_carlo", "var_total"]].notna().all():
            assert row["var_parameters"] + row["var_monte_carlo"] == pytest.approx(row["var_total"], rel=1e-9,
                                                                                 abs=1e-12)
    # the split is that of the runs' own paired differences
    per_run = _per_run_users(with_sets)
    split = uncertainty.variance_split(per_run.to_numpy(), per_run.index.to_numpy() // 2)
    assert rows.loc["extra_users", "var_total"] == pytest.approx(split["var_total"])
    assert rows.loc["extra_users", "var_parameters"] == pytest.approx(split["var_parameters"])
    drawn = with_sets.run.parameter_sets
    assert sorted(drawn["parameter_set"].unique()) == [0, 1, 2]
    assert set(drawn["parameter"]) == set(uncertainty.drawn_paths(with_sets.scenarios[0].tree))


def _per_run_users(results) -> pd.Series:
    y = results.yearly
    y = y[(y["metric"] == "starts_cheque1") & (y["group"] == "all")]
    wide = y.groupby(["replication", "scenario"])["value"].sum().unstack("scenario")
    return wide["reentrants"] - wide["base"]


def test_parameter_sets_change_the_runs_and_the_same_seed_repeats_them(with_sets):
    again = Simulation([{"name": "base", "extends": "law_2025", **SHORT},
                        {"name": "reentrants", "extends": "herintreders", **SHORT}],
                       replications=2, parameter_sets=3).run(progress=False, cache=False)
    pd.testing.assert_frame_equal(again.yearly, with_sets.yearly)
    central = Simulation([{"name": "base", "extends": "law_2025", **SHORT},
                          {"name": "reentrants", "extends": "herintreders", **SHORT}],
                         replications=2).run(progress=False, cache=False)
    assert not _per_run_users(with_sets).iloc[:2].equals(_per_run_users(central))


def test_a_scenario_against_itself_differs_by_exactly_zero_in_every_parameter_set():
    pair = [{"name": "one", "extends": "herintreders", **SHORT}, {"name": "two", "extends": "herintreders", **SHORT}]
    compared = Simulation(pair, replications=2, parameter_sets=2).run(progress=False, cache=False).comparison(
        wide=False)
    values = compared[compared["item"] != "cost_per_extra_employed_eur"]
    assert len(values) > 10 and set(values["baseline"]) == {"one"}
    assert (values[["value", "p05", "p95", "var_total"]].fillna(0) == 0).all().all()


def test_the_cli_writes_the_drawn_sets_and_refuses_a_bad_count(tmp_path):
    from typer.testing import CliRunner

    from model.interfaces.cli import app

    scenario = tmp_path / "short.yaml"
    scenario.write_text("name: short\nextends: herintreders\nstart: 2025-01\nend: 2025-12\nscale: 0.004\n")
    result = CliRunner().invoke(app, ["run", "law_2025", str(scenario), "--parameter-sets", "-1", "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 2 and "--parameter-sets must be from 0 to 1000, got -1" in result.output
    assert not (tmp_path / "out").exists()
    base = tmp_path / "base.yaml"
    base.write_text("name: base\nextends: law_2025\nstart: 2025-01\nend: 2025-12\nscale: 0.004\n")
    result = CliRunner().invoke(app, ["run", str(base), str(scenario), "--parameter-sets", "2", "--replications", "2",
                                      "--no-cache", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / result.output.strip().splitlines()[-1].split("/")[-1]
    drawn = pd.read_csv(folder / "parameter_sets.csv")
    assert sorted(drawn["parameter_set"].unique()) == [0, 1]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["parameter_sets"] == 2 and "parameter_sets.csv" in manifest["files"]
    compared = pd.read_csv(folder / "comparison.csv")
    assert {"var_total", "var_parameters", "var_monte_carlo", "share_parameters"} <= set(compared.columns)
    assert "due to the parameters" in result.output
    assert "Where the spread over the 2 parameter sets comes from" in result.output
    # where the spread comes from: a row per group of assumptions, left empty with two sets (too few to tell)
    spread = pd.read_csv(folder / "spread.csv")
    assert "spread.csv" in manifest["files"]
    assert set(spread["assumption_group"]) == {*uncertainty.assumption_group_descriptions(), "monte_carlo_noise",
                                               "not_attributed"}
    by_group = spread[spread["assumption_group"].isin(list(uncertainty.assumption_group_descriptions()))]
    assert by_group["share"].isna().all() and (spread["sets"] == 2).all()


def test_a_bad_parameter_sets_setting_is_refused():
    with pytest.raises(ScenarioError, match="parameter_sets"):
        Simulation("law_2025", parameter_sets=-2)
    with pytest.raises(ScenarioError, match="parameter_sets"):
        Simulation({"name": "x", "extends": "law_2025", "parameter_sets": 1.5})


def test_the_run_reports_each_replication_as_it_finishes():
    from model.experiments.progress import Progress
    from model.experiments.run import run

    class Runs(Progress):
        def __init__(self):
            self.calls, self.lines, self.months_done = [], [], 0

        def line(self, text):
            self.lines.append(text)

        def months(self, n):
            self.months_done += n

        def run_done(self, done, total):
            self.calls.append((done, total))

    sim = Simulation([{"name": "base", "extends": "law_2025", **SHORT}], replications=2, parameter_sets=2)
    progress = Runs()
    run(sim.plan, progress)
    assert progress.calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert progress.months_done == sim.months_to_simulate()  # the bar reaches its end
    assert sum(line.startswith("replication ") for line in progress.lines) == 4


def test_sets_whose_means_agree_by_chance_do_not_make_an_exact_interval():
    from types import SimpleNamespace

    from model.results import comparison

    # a run of 2 sets x 2 replications whose set means agree (1250) though its runs do not
    run = SimpleNamespace(parameter_sets=pd.DataFrame(), settings=SimpleNamespace(replications=2),
                          parameter_set_of=lambda r: r // 2)
    per_rep = pd.DataFrame({"scenario": "s", "baseline": "b", "item": "extra_users", "group": "all",
                            "replication": [0, 1, 2, 3], "value": [800.0, 1700.0, 900.0, 1600.0]})
    out = comparison.summarise_runs(per_rep, run)
    row = out.iloc[0]
    assert row["value"] == 1250 and row["noise"] == "within noise" and row["mean_low"] < 1250 < row["mean_high"]


def test_parameter_sets_give_the_same_runs_on_two_workers(with_sets):
    again = Simulation([{"name": "base", "extends": "law_2025", **SHORT},
                        {"name": "reentrants", "extends": "herintreders", **SHORT}],
                       replications=2, parameter_sets=3, workers=2).run(progress=False, cache=False)
    pd.testing.assert_frame_equal(again.yearly, with_sets.yearly)
    pd.testing.assert_frame_equal(again.comparison(wide=False), with_sets.comparison(wide=False))
