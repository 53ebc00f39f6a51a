"""Calibration: targets, config errors, the objective, identifiability, the calibrated file."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import yaml

from model.experiments.build import Run
from model.experiments.calibration import fit, replay
from model.experiments.calibration.config import DEFAULT_CONFIG, CalibrationError, load_config
from model.experiments.calibration.targets import TARGETS_FILE, Tallies, TargetError, compare, load_targets
from model.experiments.run import run
from model.mechanisms.uptake import hazards
from model.params.calendar import month_date, month_number
from model.params.scenario import load
from model.params.tree import CALIBRATED_FILE, ParameterTree

from .conftest import SCENARIOS

SMALL = 0.005


def write_targets(folder: Path, change) -> Path:
    """The targets file with ``change(raw)`` applied."""
    raw = yaml.safe_load(TARGETS_FILE.read_text())
    change(raw)
    path = folder / "targets.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def write_config(folder: Path, **changes) -> Path:
    """The default config, with ``changes`` applied and paths made absolute."""
    raw = yaml.safe_load(DEFAULT_CONFIG.read_text())
    raw["scenario"] = str(SCENARIOS / "baseline_2013.yaml")
    raw.update(changes)
    path = folder / "calibration.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


# -- targets -----------------------------------------------------------------

def test_fit_targets_are_2014_to_2018_only():
    targets = load_targets()
    fit_targets = [t for t in targets if t.role == "fit"]
    assert len(fit_targets) == 24
    assert all(2014 <= t.first_year <= t.last_year <= 2018 for t in fit_targets)
    later = [t for t in targets if t.last_year >= 2019]
    assert later and all(t.role == "validation" for t in later)
    # not published: the starts of 2022-2024 (their places show the back-cast's values)
    # and the take-up of VDAB's 2023-2024 pilot for non-active people, which VDAB holds
    assert {t.name for t in later if t.value is None} == {f"starts_cheque{n}_later.{y}" for n in (1, 2)
                                                        for y in (2022, 2023, 2024)} | {"vdab_pilot_2023"}
    # 2019: two published values disagree by 0.1%; the table's is scored
    assert next(t for t in later if t.name == "starts_cheque1_later.2019").value == 27641


def test_fit_target_after_last_fit_year_is_an_error(tmp_path):
    bad = write_targets(tmp_path, lambda raw: raw["targets"]["starts_cheque1"]["values"].update({2019: 25000}))
    with pytest.raises(TargetError, match=r"targets.starts_cheque1.values.2019': a fit target may not use a figure after 2018"):
        load_targets(bad)


def test_target_file_unknown_group_is_an_error(tmp_path):
    bad = write_targets(tmp_path, lambda raw: raw["targets"]["share_women_2015"].update(group="females"))
    with pytest.raises(TargetError, match=r"targets.share_women_2015.group"):
        load_targets(bad)


def test_model_values_of_each_kind():
    values = {("starts_cheque1", "all", 2019): 100.0, ("starts_cheque1", "all", 2020): 60.0,
              ("starts_cheque1", "women", 2020): 45.0, ("starts_cheque2", "all", 2020): 30.0}
    tallies = Tallies(values)
    by_name = {t.name: t for t in load_targets()}
    table = compare([by_name["change_starts_cheque1_2020"], by_name["starts_cheque1_later.2020"]], tallies)
    assert table["model"].tolist() == pytest.approx([-0.4, 60.0])
    assert table["observed"].tolist()[0] == pytest.approx(-0.365)
    assert table["sample"].tolist() == ["out-of-sample", "out-of-sample"]
    assert table["observed"].tolist()[1] == 17753
    assert table["within_tolerance"].tolist() == [False, False]  # the made-up 60 is far from 17,753


# -- config errors (one test per message) --------------------------------------

@pytest.mark.parametrize("change, message", [
    ({"parameters": [{"path": "behaviour.uptake.intercept_cheque", "lower": -9, "upper": -2, "step": 0.02}]},
     r"key 'parameters.0.path': unknown parameter 'behaviour.uptake.intercept_cheque'; did you mean \['behaviour.uptake.intercept_cheque1'"),
    ({"parameters": [{"path": "behaviour.uptake.age_band", "key": "60-64", "lower": -3, "upper": 3, "step": 0.02}]},
     r"key 'parameters.0.keys': \['60-64'\] not in 'behaviour.uptake.age_band'; allowed keys: \['20-29', '30-39'"),
    ({"parameters": [{"path": "behaviour.uptake.age_band", "lower": -3, "upper": 3, "step": 0.02}]},
     r"'behaviour.uptake.age_band' is a mapping; name the fitted key with 'key'"),
    ({"parameters": [{"path": "behaviour.uptake.women", "lower": 1, "upper": 3, "step": 0.02}]},
     r"key 'parameters.0': the start value 0.75 is outside \[lower, upper\] = \[1.0, 3.0\]"),
    ({"parameters": [{"path": "behaviour.cheque2.peak_hazard", "lower": 0.01, "upper": 2, "step": 0.01}]},
     r"2.0 is above the maximum 1"),
    ({"parameters": [{"path": "cheque.cheques.hours", "key": "cheque1", "lower": 1, "upper": 9, "step": 1}]},
     r"'cheque.cheques.hours' has 4 dated values"),
    ({"targets": ["starts_cheque1", "share_womens"]},
     r"key 'targets.1': unknown target 'share_womens'; did you mean \['share_women_2015'\]"),
    ({"targets": ["starts_cheque1", "starts_cheque1_later"]},
     r"key 'targets.1': 'starts_cheque1_later.2019' is a validation-only target \(2019\); it is never fitted"),
    ({"targets": ["share_women_2015"]},
     r"14 parameters cannot be fitted to 1 targets"),
    ({"seeds": 3}, r"key 'seeds' is not allowed; allowed keys: scenario, targets_file, targets"),
    ({"targets": ["government_cost_2020"] * 14}, r"'government_cost_2020' is a validation-only target"),
    ({"scale": 0}, r"key 'scale': Input should be greater than 0"),
])
def test_config_errors(tmp_path, change, message):
    with pytest.raises(CalibrationError, match=message):
        load_config(write_config(tmp_path, **change))


def test_config_missing_file(tmp_path):
    with pytest.raises(CalibrationError, match=r"nothere.yaml: calibration config not found"):
        load_config(tmp_path / "nothere.yaml")


def test_config_unknown_scenario(tmp_path):
    with pytest.raises(CalibrationError, match=r"scenario file not found"):
        load_config(write_config(tmp_path, scenario="no_such_scenario.yaml"))


def test_keys_move_together_keeping_the_prior_gap():
    config = load_config()
    x = np.array(config.start())
    i = [p.label for p in config.parameters].index("behaviour.uptake.migration[eu,non_eu]")
    x[i] = -2.0
    migration = config.tree(x).at(month_date(month_number(2015, 1)))["behaviour.uptake.migration"]
    assert migration == {"none": 0.0, "eu": -2.0, "non_eu": pytest.approx(-2.8)}


# -- the objective ------------------------------------------------------------

@pytest.fixture(scope="module")
def small_config(tmp_path_factory):
    return load_config(write_config(tmp_path_factory.mktemp("cal"), scale=SMALL, rounds=1))


@pytest.fixture(scope="module")
def small_paths(small_config):
    c = small_config
    return replay.record_paths(c.scenario, c.tree(c.start()), c.scale, c.seed, c.last_year)


def test_paths_stop_at_the_last_fit_year(small_paths):
    assert small_paths.months[0] == month_number(2013, 7)
    assert small_paths.months[-1] == month_number(2018, 12)


def test_objective_is_deterministic_for_a_seed(small_config, small_paths):
    c = small_config
    again = replay.record_paths(c.scenario, c.tree(c.start()), c.scale, c.seed, c.last_year)
    other = replay.record_paths(c.scenario, c.tree(c.start()), c.scale, c.seed + 1, c.last_year)
    x = np.array(c.start())
    first = fit.Objective(c, small_paths)(x)
    assert np.array_equal(first, fit.Objective(c, again)(x))
    assert np.array_equal(first, fit.Objective(c, small_paths)(x.copy()))
    assert not np.array_equal(first, fit.Objective(c, other)(x))


def test_objective_is_smooth_in_the_parameters(small_config, small_paths):
    """Tiny parameter changes give tiny, proportional changes (no steps from sampling)."""
    objective = fit.Objective(small_config, small_paths)
    x = np.array(small_config.start())
    d1 = objective(x + np.r_[1e-4, np.zeros(len(x) - 1)]) - objective(x)
    d2 = objective(x + np.r_[2e-4, np.zeros(len(x) - 1)]) - objective(x)
    assert np.abs(d1).max() > 0
    np.testing.assert_allclose(d2, 2 * d1, rtol=1e-3, atol=1e-9)


def test_cell_table_gives_the_engine_hazard(small_paths, law):
    """The replay's per-cell hazard is the engine's hazard of each person."""
    from model.people.synthesis import cell_table, draw_people

    p = law.at(month_date(month_number(2016, 3)))
    pop = draw_people(cell_table(p), 5000, month_number(2016, 3), p, np.random.default_rng(1))
    rows = np.arange(len(pop))
    for name, dtype, fill in (("readiness", np.float32, 0.0), ("outreach_channel", np.int8, 0),
                              ("outreach_until", np.int16, -32000)):
        pop.add_column(name, dtype, fill)
    pop.readiness[:] = np.random.default_rng(2).standard_normal(len(pop))  # no term of people at work
    workers = rows[pop.status[rows] == 0]  # at work: job seekers order as people out of work
    table = hazards.cell_hazards(p)
    np.testing.assert_array_equal(hazards.cheque1_hazard(pop, workers, p, 0), table[hazards.hazard_cell(pop, workers)])
    cells = hazards.cell_population()  # the cell table is the hazard of one person per cell
    everybody = np.arange(hazards.N_CELLS)
    np.testing.assert_array_equal(table[hazards.hazard_cell(cells, everybody)], table)


def test_replay_matches_the_sampled_engine(small_config, small_paths):
    """Expected starts equal the engine's sampled starts up to sampling noise (same people and seed)."""
    c = small_config
    x = c.start()
    expected = fit.Objective(c, small_paths).tallies(x)
    scenario = load(SCENARIOS / "baseline_2013.yaml", ParameterTree.load(calibrated=None))
    scenario = dataclasses.replace(scenario, tree=c.tree(x))
    settings = scenario.settings.updated(scale=c.scale, seed=c.seed, end="2018-12")
    sampled = Tallies.from_summary(run(Run([scenario], settings)).summary)
    for metric in ("starts_cheque1", "starts_cheque2"):
        model, engine = expected.total(metric, "all", 2014, 2018), sampled.total(metric, "all", 2014, 2018)
        noise = np.sqrt(engine * small_paths.weight)  # Poisson sd of the weighted count
        assert abs(model - engine) < 4 * noise, (metric, model, engine, noise)


# -- identifiability -------------------------------------------------------------

def test_calibration_recovers_known_parameters(tmp_path):
    """Targets made by the engine with known values are fitted back within the reported uncertainty.

    The "observed" figures come from the sampled engine on another population
    (seed 99) at scale 0.05, so they carry sampling noise, as real counts carry
    definitional noise; the calibration runs at scale 0.01 on its own population.
    """
    scale = 0.01
    config = load_config(write_config(tmp_path, scale=scale, rounds=1, seed=11, seed_check=False))
    truth = np.array(config.start())
    # The truth differs from the start values (the priors) in every parameter.
    shift = {"behaviour.awareness.midpoint_year": 0.5, "behaviour.awareness.growth_years": 0.3,
             "behaviour.cheque2.peak_hazard": -0.02, "behaviour.cheque2.decay_months": 3.0}
    for i, p in enumerate(config.parameters):
        truth[i] += shift.get(p.label, 0.3 if i % 2 else -0.3)
    scenario = load(SCENARIOS / "baseline_2013.yaml", ParameterTree.load(calibrated=None))
    scenario = dataclasses.replace(scenario, tree=config.tree(truth))
    settings = scenario.settings.updated(scale=0.05, seed=99, end="2018-12")
    synthetic = Tallies.from_summary(run(Run([scenario], settings)).summary)
    fit_targets = [t for t in load_targets() if t.role == "fit"]
    made = compare(fit_targets, synthetic).set_index("target")["model"]
    raw = yaml.safe_load(TARGETS_FILE.read_text())
    for t in fit_targets:
        raw["targets"][t.series]["values"][int(t.period) if t.first_year == t.last_year else t.period] = float(made[t.name])
    targets_file = tmp_path / "synthetic_targets.yaml"
    targets_file.write_text(yaml.safe_dump(raw))
    # With the seed check, as calibrate runs: the reported uncertainty includes the noise of the
    # calibration's own population, which the Jacobian cannot see.
    config = load_config(write_config(tmp_path, scale=scale, rounds=1, seed=11, seed_check=True,
                                      targets_file=str(targets_file)))
    result = fit.calibrate(config, check=False)
    z = (result.values - truth) / result.sd
    labels = [p.label for p in config.parameters]
    assert np.all(np.abs(z) < 3), dict(zip(labels, np.round(z, 2)))
    assert np.all(result.sd > 0) and np.all(result.sd >= result.sd_jacobian)


# -- the calibrated parameter file ---------------------------------------------

def test_calibrated_values_are_used_by_default():
    content = yaml.safe_load(CALIBRATED_FILE.read_text())
    tree, priors = ParameterTree.load(), ParameterTree.load(calibrated=None)
    assert tree.calibration["file"].endswith("behaviour.yaml") and priors.calibration is None
    assert set(content["overrides"]) == set(tree.calibration["parameters"])
    for path, dated in content["overrides"].items():
        for date, value in dated.items():
            assert tree[path].at(date) == value
            assert tree[path].reference[0].startswith("Calibrated by loopbaan calibrate")
    assert content["calibration"]["fit_years"] == "2014-2018"
    assert {"date", "method", "targets", "run", "parameters", "config_sha256"} <= set(content["calibration"])


def test_scenario_overrides_a_calibrated_value(tmp_path, law):
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nextends: law\nstart: 2025-01\nend: 2025-12\n"
                    "overrides:\n  behaviour.uptake.women:\n    2013-07-01: 0.123\n")
    scenario = load(path, law)
    assert scenario.tree["behaviour.uptake.women"].at(month_date(month_number(2025, 1))) == 0.123
    assert scenario.to_manifest()["calibration"]["sha256"]


def test_a_broken_calibrated_file_is_a_clear_error(tmp_path):
    from model.params.tree import ParameterError

    bad = tmp_path / "behaviour.yaml"
    bad.write_text("overrides: {}\n")
    with pytest.raises(ParameterError, match=r"not a calibrated parameter file \(needs 'calibration' and 'overrides'\)"):
        ParameterTree.load(calibrated=bad)


# -- command line ----------------------------------------------------------------

def test_cli_calibrate_writes_run_folder_and_calibrated_file(tmp_path):
    import pandas as pd
    from typer.testing import CliRunner

    from model.interfaces.cli import app

    config = write_config(tmp_path, scale=SMALL, rounds=1, check_scale=SMALL,
                          targets=["starts_cheque1", "share_women_2015"],
                          parameters=[{"path": "behaviour.uptake.intercept_cheque1", "lower": -10, "upper": -2, "step": 0.02},
                                      {"path": "behaviour.uptake.women", "lower": -2, "upper": 3, "step": 0.02}])
    written = tmp_path / "calibrated.yaml"
    result = CliRunner().invoke(app, ["calibrate", "--config", str(config), "--out", str(tmp_path / "out"),
                                      "--write", str(written)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / result.output.strip().splitlines()[-1].split("/")[-1]
    for name in ("manifest.json", "calibration_targets.csv", "calibration_parameters.csv", "calibration_correlation.csv",
                 "calibration_trace.csv", "calibrated.yaml", "charts/calibration_fit.png", "charts/calibration_fit.svg"):
        assert (folder / name).is_file(), name
    assert written.read_text() == (folder / "calibrated.yaml").read_text()
    fitted = pd.read_csv(folder / "calibration_parameters.csv").set_index("parameter")["value"]
    tree = ParameterTree.load(calibrated=written)
    when = month_date(month_number(2016, 1))
    assert tree.at(when)["behaviour.uptake.women"] == fitted["behaviour.uptake.women"]
    assert tree.calibration["parameters"] == ["behaviour.uptake.intercept_cheque1", "behaviour.uptake.women"]
    params = pd.read_csv(folder / "calibration_parameters.csv")
    assert (params["seed_difference"] != 0).all()  # the seed check ran (default config)
    np.testing.assert_allclose(params["sd"], np.sqrt(params["sd_jacobian"] ** 2 + params["seed_difference"] ** 2 / 2))
    table = pd.read_csv(folder / "calibration_targets.csv")
    assert {"observed", "model_replay", "model_engine", "error_engine", "within_tolerance_engine"} <= set(table.columns)
    assert len(table) == 6


def test_cli_calibrate_bad_config_exits_2_and_writes_nothing(tmp_path):
    from typer.testing import CliRunner

    from model.interfaces.cli import app

    written = tmp_path / "calibrated.yaml"
    written.write_text("previous calibration")
    config = write_config(tmp_path, targets=["starts_cheque1", "no_such_target"])
    result = CliRunner().invoke(app, ["calibrate", "--config", str(config), "--out", str(tmp_path / "out"),
                                      "--write", str(written)])
    assert result.exit_code == 2
    assert "key 'targets.1': unknown target 'no_such_target'" in result.output
    assert written.read_text() == "previous calibration"
    assert not (tmp_path / "out").exists()


def test_cli_backcast_reports_in_and_out_of_sample(tmp_path):
    import pandas as pd
    from typer.testing import CliRunner

    from model.interfaces.cli import app

    result = CliRunner().invoke(app, ["backcast", "--scale", "0.003", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / result.output.strip().splitlines()[-1].split("/")[-1]
    validation = pd.read_csv(folder / "validation.csv")
    first = validation[validation["scenario"] == "baseline_2013"]
    assert set(first["sample"]) == {"in-sample", "out-of-sample"}
    assert (first.loc[first["sample"] == "out-of-sample", "role"] == "validation").all()
    assert first.loc[first["target"] == "starts_cheque1_later.2019", "observed"].tolist() == [27641]
    assert first.loc[first["target"] == "starts_cheque1_later.2020", "observed"].tolist() == [17753]
    # the back-cast reaches the end of 2024: the unpublished years have the model's value and no observed one
    late = first[first["target"] == "starts_cheque1_later.2024"]
    assert late["observed"].isna().all() and (late["model"] > 0).all()
    assert first.loc[first["target"] == "government_cost_2020", "observed"].tolist() == [15_970_000]
    # the named COVID-19 shock: estimated on 2020 alone, then set beside every later year
    covid = pd.read_csv(folder / "covid19.csv").set_index("target")
    assert covid["estimated_on"].eq(2020).all() and covid["months"].eq("2020-03-01..2020-12-31").all()
    assert 0 < covid["multiplier"].iloc[0] < 2
    assert abs(covid.loc["starts_cheque1_later.2020", "error_with"]) < 0.1  # one ratio step nearly fits the year
    assert (covid.loc["starts_cheque1_later.2019", "model_with_shock"]
            == covid.loc["starts_cheque1_later.2019", "model_without_shock"])  # no shock before March 2020
    assert "a COVID-19 shock estimated on 2020 alone" in result.output
    differences = pd.read_csv(folder / "scenario_differences.csv")
    row = differences[(differences["year"] == 2020) & (differences["metric"] == "starts_cheque1")].iloc[0]
    assert row["first_minus_other"] < 0  # the 7-year rule admits fewer people than the 2013 rule
    assert differences[(differences["year"] == 2019)]["first_minus_other"].abs().max() == 0  # same rules before 2020
    assert (folder / "charts" / "validation.png").is_file()
    composition = pd.read_csv(folder / "composition_by_year.csv")
    women = composition[(composition.scenario == "baseline_2013") & (composition.group == "women")].set_index("year")
    assert sorted(women.index) == list(range(2014, 2025))
    assert women.loc[2015, "observed_share"] == pytest.approx(0.6376) and women.loc[2020, "sample"] == "out-of-sample"
    shares = composition[(composition.scenario == "baseline_2013") & (composition.year == 2016)].set_index("group")["model_share"]
    assert shares["men"] + shares["women"] == pytest.approx(1.0)
    from model import load_run
    from model.results import run_folder

    assert load_run(folder).scenario_names[0] == "baseline_2013"  # a back-cast passes the checks of a run folder
    assert len(run_folder.read_extra(folder, "validation.csv")) == len(validation)  # and its own table its schema
    assert "2020: cheque-1 starts" in result.output


def test_config_missing_targets_file(tmp_path):
    with pytest.raises(CalibrationError, match=r"no_targets.yaml: target file not found"):
        load_config(write_config(tmp_path, targets_file=str(tmp_path / "no_targets.yaml")))


def test_fit_target_published_past_the_fit_years_needs_an_exception(tmp_path):
    bad = write_targets(tmp_path, lambda raw: raw["targets"]["share_age_30_39"].pop("exception"))
    with pytest.raises(TargetError, match=r"targets.share_age_30_39.published_period': 'users 2013-2019' reaches past "
                                          r"2018 or is not stated; a fit target needs an 'exception'"):
        load_targets(bad)


def test_config_rejects_a_target_the_objective_cannot_compute(tmp_path):
    targets = write_targets(tmp_path, lambda raw: raw["targets"]["share_women_2015"].update(group="re_entrant"))
    with pytest.raises(CalibrationError, match=r"'share_women_2015' \(share of starts_cheque1, group re_entrant\) cannot be fitted"):
        load_config(write_config(tmp_path, targets_file=str(targets)))


def test_config_rejects_a_horizon_longer_than_the_window(tmp_path):
    scenario = tmp_path / "long.yaml"
    scenario.write_text(f"name: long\nextends: {SCENARIOS / 'baseline_2013.yaml'}\n"
                        "overrides:\n  cheque.cheques.window_months: {2013-07-01: 24}\n")
    with pytest.raises(CalibrationError, match=r"longer than the cheque window \(24 months\)"):
        load_config(write_config(tmp_path, scenario=str(scenario)))


def test_replay_by_hand(law):
    """Expected starts on hand-made paths: gaps in eligibility, cheque-2 timing, a renewed row, the ceiling."""
    months = [month_number(2015, m) for m in (1, 2, 3)]
    params = [law.at(month_date(m)) for m in months]
    cell = int(hazards.hazard_cell(hazards.cell_population(), np.array([0]))[0])  # man 20-29 low mig none employee
    eligible = np.array([[1, 1, 1, 1], [1, 0, 1, 1], [1, 1, 1, 1]], dtype=bool)  # months x rows
    draws = np.array([[0.0, 0.0, 0.0, 0.99]] * 3, dtype=np.float32)  # row 3 never aware
    paths = replay.Paths(months, np.full((3, 4), cell, np.uint16), eligible, draws,
                         [np.array([], int), np.array([], int), np.array([2])], params, weight=1.0)
    p = params[0]
    h = float(hazards.cell_hazards(p)[cell])
    h2 = lambda s: float(hazards.cheque2_hazard_after(np.array([s]), p)[0])  # noqa: E731
    tallies = replay.expected_tallies(paths, {}, 2015, 2015)
    row0 = [h, (1 - h) * h, (1 - h) ** 2 * h], [0, h * h2(1), h * (1 - h2(1)) * h2(2) + (1 - h) * h * h2(1)]
    row1 = [h, 0, (1 - h) * h], [0, 0, h * h2(2)]      # not eligible in month 2: no start, no cheque-2 decrement
    row2 = [h, (1 - h) * h, h], [0, h * h2(1), 0]      # a new person in month 3: nothing used yet
    expected1 = sum(map(sum, (row0[0], row1[0], row2[0])))
    expected2 = sum(map(sum, (row0[1], row1[1], row2[1])))
    assert tallies.total("starts_cheque1", "all", 2015, 2015) == pytest.approx(expected1, rel=1e-12)
    assert tallies.total("starts_cheque2", "all", 2015, 2015) == pytest.approx(expected2, rel=1e-12)
    assert tallies.total("starts_cheque1", "women", 2015, 2015) == 0
    # A hazard above the engine's ceiling is capped as the engine caps it.
    ceiling = p["simulation.hazard_ceiling"]["uptake_cheque1"]
    first_month_only = dataclasses.replace(paths, months=months[:1], cells=paths.cells[:1], eligible=eligible[:1],
                                           draws=draws[:1], renewed=paths.renewed[:1], params=params[:1])
    capped = replay.expected_tallies(first_month_only, {"behaviour.uptake.intercept_cheque1": 0.0}, 2015, 2015)
    assert capped.total("starts_cheque1", "all", 2015, 2015) == pytest.approx(3 * ceiling)


def test_objective_moves_smoothly_with_awareness_at_the_config_step(tmp_path):
    """Awareness is a staircase (one person at a time); at the config's step and scale the slope is stable."""
    config = load_config(write_config(tmp_path, rounds=1))  # the default config's scale: the step is set for it
    paths = replay.record_paths(config.scenario, config.tree(config.start()), config.scale, config.seed, config.last_year)
    objective = fit.Objective(config, paths)
    x = np.array(config.start())
    j = [p.label for p in config.parameters].index("behaviour.awareness.midpoint_year")
    step = config.parameters[j].step
    e = np.eye(len(x))[j]
    starts = [i for i, t in enumerate(config.targets) if t.kind == "starts"]
    slope1 = (objective(x + step * e) - objective(x - step * e))[starts] / (2 * step)
    slope2 = (objective(x + 2 * step * e) - objective(x - 2 * step * e))[starts] / (4 * step)
    assert (slope1 < 0).all()  # later awareness, fewer starts
    # The staircase shows as slope noise; it must be small next to the slopes themselves.
    np.testing.assert_allclose(slope1, slope2, rtol=0, atol=0.05 * np.abs(slope2).max())


def test_calibrated_file_matches_the_current_config_and_targets():
    """A change to the default config or the targets must be followed by a new calibration."""
    import hashlib

    info = yaml.safe_load(CALIBRATED_FILE.read_text())["calibration"]
    assert info["config_sha256"] == hashlib.sha256(DEFAULT_CONFIG.read_bytes()).hexdigest(), "run loopbaan calibrate"
    assert info["targets_sha256"] == hashlib.sha256(TARGETS_FILE.read_bytes()).hexdigest(), "run loopbaan calibrate"


@pytest.mark.parametrize("args, message", [
    (["calibrate", "--check-scale", "2"], "--check-scale must be from 0.0001 to 1, got 2.0"),
    (["calibrate", "--write", "{tmp}", "--check-scale", "0.5"], "is a folder; give a file name"),
    (["calibrate", "--write", "{tmp}/x.yaml", "--no-write"], "give --write or --no-write, not both"),
    (["calibrate", "--config", "{tmp}/none.yaml"], "none.yaml: calibration config not found"),
    (["backcast", "--scale", "0"], "--scale must be from 0.0001 to 1, got 0.0"),
    (["backcast", "{tmp}/none.yaml"], "none.yaml: scenario file not found"),
])
def test_cli_flag_errors_exit_2(tmp_path, args, message):
    from typer.testing import CliRunner

    from model.interfaces.cli import app

    before = CALIBRATED_FILE.read_bytes()
    result = CliRunner().invoke(app, [a.format(tmp=tmp_path) for a in args] + ["--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "out").exists() and CALIBRATED_FILE.read_bytes() == before
