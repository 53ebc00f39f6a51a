"""Scenario files: inheritance and one test per error message, through the CLI."""

import pytest
import yaml
from typer.testing import CliRunner

from model.interfaces.cli import app
from model.params.scenario import ScenarioError, load, run_settings

from .conftest import SCENARIOS, write_scenario

runner = CliRunner()


def test_shipped_scenarios_validate(law):
    for f in ("baseline_2013", "baseline_2020", "pre2020_rules", "herintreders"):
        s = load(SCENARIOS / f"{f}.yaml", law)
        assert s.settings.start and s.settings.end
    herintreders = load(SCENARIOS / "herintreders.yaml", law)
    assert herintreders.settings.start == "2025-01"  # inherited from baseline_2020
    assert herintreders.tree.at(herintreders.tree["cheque.eligibility.reentrant.enabled"].dates[-1])["cheque.eligibility.reentrant.enabled"] is True


def _error(tmp_path, text, *more):
    path = write_scenario(tmp_path, "bad", text)
    out_dir = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), *more, "--out", str(out_dir)])
    assert result.exit_code == 2, result.output
    assert not out_dir.exists(), "nothing may be written on bad input"
    return result.output


def test_unknown_key(tmp_path):
    out = _error(tmp_path, "name: bad\nextends: law\nstart: 2025-01\nend: 2025-12\nhorizon: 10\n")
    assert "bad.yaml: key 'horizon' is not allowed; allowed keys: name, title" in out


def test_value_out_of_range(tmp_path):
    out = _error(tmp_path, "name: bad\nstart: 2025-01\nend: 2025-12\nscale: 2\n")
    assert "bad.yaml: key 'scale': Input should be less than or equal to 1" in out


def test_bad_month(tmp_path):
    out = _error(tmp_path, "name: bad\nstart: 2025-13\nend: 2025-12\n")
    assert "key 'start': got '2025-13'; expected a month as YYYY-MM, from 1950-01 to 2199-12" in out


def test_folder_instead_of_file(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "is a folder; give scenario files" in result.output


def test_missing_start(tmp_path):
    out = _error(tmp_path, "name: bad\nend: 2025-12\n")
    assert "bad.yaml: key 'start' is required" in out


def test_end_before_start(tmp_path):
    out = _error(tmp_path, "name: bad\nstart: 2025-06\nend: 2025-01\n")
    assert "key 'end' (2025-01) is before 'start' (2025-06)" in out


def test_missing_file(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "nothere.yaml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "nothere.yaml: scenario file not found" in result.output


def test_missing_parent(tmp_path):
    out = _error(tmp_path, "name: bad\nextends: nobody\nstart: 2025-01\nend: 2025-12\n")
    assert "key 'extends': scenario 'nobody' not found" in out


def test_extends_cycle(tmp_path):
    write_scenario(tmp_path, "a", "name: a\nextends: bad\n")
    out = _error(tmp_path, "name: bad\nextends: a\nstart: 2025-01\nend: 2025-12\n")
    assert "'extends' makes a cycle" in out


def test_unknown_parameter(tmp_path):
    out = _error(tmp_path, "name: bad\nstart: 2025-01\nend: 2025-12\noverrides:\n  cheque.cheques.maxper_window: {2025-01-01: 3}\n")
    assert "unknown parameter 'cheque.cheques.maxper_window'" in out and "max_per_window" in out


def test_period_not_covered(tmp_path):
    out = _error(tmp_path, "name: bad\nstart: 2012-01\nend: 2012-12\n")
    assert "is not covered" in out and "first value applies from" in out


def test_not_yaml(tmp_path):
    out = _error(tmp_path, "name: [unclosed\n")
    assert "not valid YAML" in out


def test_bad_scale_flag(tmp_path):
    out = _error(tmp_path, "name: bad\nstart: 2025-01\nend: 2025-12\n", "--scale", "0")
    assert "--scale must be from 0.0001 to 1, got 0.0" in out


def test_inconsistent_settings(tmp_path, law):
    a = write_scenario(tmp_path, "a", "name: a\nstart: 2025-01\nend: 2025-12\n")
    b = write_scenario(tmp_path, "b", "name: b\nstart: 2025-01\nend: 2026-12\n")
    result = runner.invoke(app, ["run", str(a), str(b), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "inconsistent scenarios: 'end' is '2025-12'" in result.output
    assert "or run these scenarios separately" in result.output
    assert not (tmp_path / "out").exists()


def test_same_name_twice(tmp_path, law):
    a = write_scenario(tmp_path, "a", "name: same\nstart: 2025-01\nend: 2025-12\n")
    b = write_scenario(tmp_path, "b", "name: same\nstart: 2025-01\nend: 2025-12\n")
    with pytest.raises(ScenarioError, match="repeated: \\['same'\\]"):
        run_settings([load(a, law), load(b, law)])


def test_population_override_cannot_share_a_run(tmp_path, law):
    a = write_scenario(tmp_path, "a", "name: a\nstart: 2025-01\nend: 2025-12\n")
    b = write_scenario(tmp_path, "b", "name: b\nstart: 2025-01\nend: 2025-12\noverrides:\n  population.women_share: {2013-01-01: 0.6}\n")
    with pytest.raises(ScenarioError, match=r"changes \['population.women_share'\] at the first simulated month"):
        run_settings([load(a, law), load(b, law)])


def test_validate_command(tmp_path):
    result = runner.invoke(app, ["validate", str(SCENARIOS / "herintreders.yaml")])
    assert result.exit_code == 0
    assert "ok: 'herintreders' (herintreders.yaml <- law_2025.yaml)" in result.output


def test_impossible_date(tmp_path):
    out = _error(tmp_path, "name: bad\nstart: 2025-01\nend: 2025-12\noverrides:\n  cheque.eligibility.reentrant.enabled: {2025-02-30: true}\n")
    assert "bad.yaml: overrides.cheque.eligibility.reentrant.enabled (key '2025-02-30'): '2025-02-30' is not a date" in out


def test_not_utf8(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"name: b\xe9d\n")
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "not a UTF-8 text file" in result.output


def test_year_out_of_range(tmp_path):
    out = _error(tmp_path, "name: bad\nstart: 4700-01\nend: 4700-12\n")
    assert "key 'start': got '4700-01'; expected a month as YYYY-MM" in out


def test_shares_must_add_up(tmp_path):
    out = _error(tmp_path, "name: bad\nstart: 2025-01\nend: 2025-12\noverrides:\n"
                 "  population.migration_shares: {2013-01-01: {none: 0.8, eu: 0.104, non_eu: 0.156}}\n")
    assert "shares add up to 1.0600; they must add up to 1" in out


def test_rate_of_one_is_out_of_range(tmp_path):
    out = _error(tmp_path, "name: bad\nstart: 2025-01\nend: 2025-12\noverrides:\n"
                 "  labour_market.employment_rate_20_64: {2027-01-01: 1.0}\n")
    assert "1.0 is above the maximum 0.99" in out


def test_bad_run_name(tmp_path):
    out = _error(tmp_path, "name: bad\nstart: 2025-01\nend: 2025-12\n", "--name", "a/b")
    assert "--name: run name 'a/b' is not allowed" in out


def test_labour_margins_at_the_start_must_agree(tmp_path, law):
    a = write_scenario(tmp_path, "a", "name: a\nstart: 2025-01\nend: 2025-12\n")
    b = write_scenario(tmp_path, "b", "name: b\nstart: 2025-01\nend: 2025-12\noverrides:\n"
                       "  labour_market.employment_rate_20_64: {2024-01-01: 0.65}\n")
    with pytest.raises(ScenarioError, match=r"changes \['labour_market.employment_rate_20_64'\] at the first simulated month"):
        run_settings([load(a, law), load(b, law)])
    later = write_scenario(tmp_path, "c", "name: c\nstart: 2025-01\nend: 2025-12\noverrides:\n"
                           "  labour_market.employment_rate_20_64: {2025-06-01: 0.65}\n")
    run_settings([load(a, law), load(later, law)])  # a later change is a scenario like any other


def test_simulation_settings_must_agree(tmp_path, law):
    a = write_scenario(tmp_path, "a", "name: a\nstart: 2025-01\nend: 2025-12\n")
    b = write_scenario(tmp_path, "b", "name: b\nstart: 2025-01\nend: 2025-12\noverrides:\n"
                       "  simulation.hazard_ceiling: {2030-01-01: {separation: 0.2, uptake_cheque1: 0.05}}\n")
    with pytest.raises(ScenarioError, match=r"changes \['simulation.hazard_ceiling'\]; the random draws depend on them"):
        run_settings([load(a, law), load(b, law)])


def test_scenario_not_a_mapping(tmp_path):
    out = _error(tmp_path, "- just\n- a list\n")
    assert "a scenario must be a mapping of keys; allowed keys: name" in out


def test_override_without_dates(tmp_path):
    out = _error(tmp_path, "name: bad\nstart: 2025-01\nend: 2025-12\noverrides:\n  cheque.cheques.max_per_window: 3\n")
    assert "needs dated values, e.g. {2025-01-01: value}" in out


def test_bad_seed_and_replications_flags(tmp_path):
    assert "--seed must be from 0 to 9223372036854775807, got -1" in _error(tmp_path, "name: bad\nstart: 2025-01\nend: 2025-12\n", "--seed", "-1")
    assert "--seed must be from 0 to" in _error(tmp_path, "name: bad\nstart: 2025-01\nend: 2025-12\n", "--seed", str(10**23))
    assert "--scale must be from 0.0001 to 1, got 1e-09 (at least about 390 simulated people)" in _error(tmp_path, "name: bad\nstart: 2025-01\nend: 2025-12\n", "--scale", "1e-9")
    assert "--replications must be from 1 to 1000" in _error(tmp_path, "name: bad\nstart: 2025-01\nend: 2025-12\n", "--replications", "0")


def test_out_is_a_file(tmp_path):
    path = write_scenario(tmp_path, "s", "name: s\nstart: 2025-01\nend: 2025-12\n")
    (tmp_path / "afile").write_text("keep me")
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "afile")])
    assert result.exit_code == 2 and "exists and is not a folder" in result.output
    assert (tmp_path / "afile").read_text() == "keep me"


def test_params_command(tmp_path):
    ok = runner.invoke(app, ["params", "cheque.cheques.hours", "--date", "2021-01-01"])
    assert ok.exit_code == 0 and "2021-01-01: {'cheque1': 4, 'cheque2': 3}" in ok.output
    missing = runner.invoke(app, ["params", "nothing.like.this"])
    assert missing.exit_code == 2 and "no parameter path starts with 'nothing.like.this'" in missing.output
    bad_date = runner.invoke(app, ["params", "cheque.", "--date", "soon"])
    assert bad_date.exit_code == 2 and "--date must be YYYY-MM-DD, got 'soon'" in bad_date.output


# -- the inputs of the asks as the resolution means them (one error each, through the command line) ------------------

@pytest.mark.parametrize("path, value, message", [
    ("cheque.eligibility.reentrant.benefit_period", "ever",
     "'ever' is not allowed; allowed values: ['out_of_work_period', 'whole_spell']"),
    ("cheque.eligibility.reentrant.registered_job_seekers", "yes", "registered_job_seekers"),
    ("outreach.targeting.selection", "everybody", "'everybody' is not allowed; allowed values: ['eligible', 'target_groups']"),
    ("outreach.targeting.missed_share", 1.5, "1.5 is above the maximum 1"),
    ("outreach.targeting.false_flag_share", -0.1, "-0.1 is below the minimum 0"),
    ("behaviour.uptake.out_of_work", 9.0, "9.0 is above the maximum 5"),
    ("behaviour.uptake.out_of_work_group_carryover", 2.0, "2.0 is above the maximum 1"),
    ("behaviour.awareness.split_scale", 0.0, "0.0 is below the minimum 0.1"),
    ("simulation.centre_quality_strata", 0, "0 is below the minimum 1 (centres)"),
    ("simulation.centre_quality_strata", 301, "301 is above the maximum 300 (centres)"),
    ("simulation.centre_quality_strata", 2.5, "2.5 is not a whole number (centres)"),
])
def test_a_bad_value_of_a_new_parameter_is_refused_and_earlier_runs_are_kept(tmp_path, path, value, message):
    from typer.testing import CliRunner

    from model.interfaces.cli import app

    out = tmp_path / "outputs"
    earlier = out / "earlier-run"
    earlier.mkdir(parents=True)
    (earlier / "keep.txt").write_text("x")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"name": "bad", "extends": "herintreders_outreach",
                                   "overrides": {path: {"2025-01-01": value}}}))
    result = CliRunner().invoke(app, ["run", str(bad), "--scale", "0.003", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "bad.yaml" in result.output and path in result.output and message in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["earlier-run"] and (earlier / "keep.txt").read_text() == "x"
