"""The what-if page's logic: levers to a scenario that loopbaan run accepts, the run against the law, bad levers."""

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from model.interfaces import whatif
from model.interfaces.cli import app
from model.params.scenario import Scenario, ScenarioError
from model.report import findings


def test_the_default_levers_are_the_law():
    assert whatif.overrides(whatif.Levers()) == {}
    with pytest.raises(ScenarioError, match="levers: they equal the law as it stands"):
        whatif.run_levers(whatif.Levers())


@pytest.mark.parametrize("lever, paths", [
    ({"reentrants": True}, {"cheque.eligibility.reentrant.enabled"}),
    ({"reentrants": True, "reading": "strict"},
     {"cheque.eligibility.reentrant.enabled", "cheque.eligibility.reentrant.disqualifying_benefits",
      "cheque.eligibility.reentrant.benefit_period", "cheque.eligibility.reentrant.registered_job_seekers"}),
    ({"reading": "strict"}, set()),  # a reading without re-entrants changes nothing
    ({"worker_rule": "recent_work"}, {"cheque.eligibility.worker_rule"}),
    ({"letters": True}, {"outreach.letter.enabled"}),
    ({"assisted": True}, {"outreach.assisted.enabled", "outreach.assisted.target_groups"}),  # the law's partners skip 50+
    ({"letters": True, "groups": ("low_educated",)}, {"outreach.letter.enabled", "outreach.letter.target_groups"}),
    ({"followup": True}, {"vdab_followup.enabled"}),
    ({"monitoring": True}, {"centres.monitoring.enabled"}),
    ({"incentive": True}, {"centres.incentive.enabled"}),
    ({"price": 30.0}, {"cheque.cheques.user_price"}),
    ({"budget_cap_m": 18.2}, {"cheque.budget.yearly_cap_eur"}),
])
def test_each_lever_overrides_only_its_parameters(lever, paths):
    levers = whatif.Levers(**lever)
    assert set(whatif.overrides(levers)) == paths
    if paths:
        scenario = Scenario.from_dict(yaml.safe_load(whatif.scenario_yaml(levers)))
        assert scenario.lineage[:2] == ["whatif", "law_2025"] and not scenario.warnings


def test_the_price_holds_on_both_dates_of_the_law():
    levers = whatif.Levers(price=30.0, budget_cap_m=18.2)
    scenario = Scenario.from_dict(whatif.scenario_dict(levers))
    import datetime as dt

    for day in ("2025-06-01", "2026-06-01", "2030-06-01"):
        assert scenario.tree["cheque.cheques.user_price"].at(dt.date.fromisoformat(day)) == {"cheque1": 30.0, "cheque2": 30.0}
    assert scenario.tree["cheque.budget.yearly_cap_eur"].at(dt.date(2030, 1, 1)) == 18_200_000


def test_each_lever_acts_from_its_own_start_and_the_law_holds_before():
    import datetime as dt

    levers = whatif.Levers(price=20.0, reentrants=True, budget_cap_m=18.2,
                           starts={"price": "2026-01", "reentrants": "2027-07"})
    tree = Scenario.from_dict(whatif.scenario_dict(levers), whatif._law()).tree
    law = whatif._law()
    for day in ("2025-06-01", "2025-12-01"):  # the law's own prices, its change of November 2025 included
        when = dt.date.fromisoformat(day)
        assert tree["cheque.cheques.user_price"].at(when) == law["cheque.cheques.user_price"].at(when)
    assert tree["cheque.cheques.user_price"].at(dt.date(2026, 1, 1)) == {"cheque1": 20.0, "cheque2": 20.0}
    assert tree["cheque.eligibility.reentrant.enabled"].at(dt.date(2027, 6, 1)) is False
    assert tree["cheque.eligibility.reentrant.enabled"].at(dt.date(2027, 7, 1)) is True
    assert tree["cheque.budget.yearly_cap_eur"].at(dt.date(2025, 1, 1)) == 18_200_000  # not given a start: 2025


def test_a_start_at_the_first_month_is_the_same_scenario_as_none():
    assert (whatif.overrides(whatif.Levers(monitoring=True, starts={"monitoring": "2025-01"}))
            == whatif.overrides(whatif.Levers(monitoring=True)))


def test_the_downloaded_file_runs_through_loopbaan_validate(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(whatif.scenario_yaml(whatif.Levers(reentrants=True, letters=True, groups=("age_50_plus",)), "mine"))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "aliases" not in path.read_text() and "&id" not in path.read_text()


@pytest.mark.parametrize("values, message", [
    ({"price": -1.0}, "price: Input should be greater than or equal to 0"),
    ({"price": float("nan")}, "price: Input should be a finite number"),
    ({"budget_cap_m": 1e9}, "budget_cap_m: Input should be less than or equal to 10000"),
    ({"worker_rule": "always"}, "worker_rule: Input should be 'experience' or 'recent_work'"),
    ({"groups": ("students",)}, "groups.0: Input should be 'low_educated', 'age_50_plus', 'migration_background' or "
                                "'work_disability'"),
    ({"reentrants": "yes"}, "reentrants: Input should be a valid boolean"),
    ({"speed": 3}, "speed: Extra inputs are not permitted"),
    ({"starts": {"price": "2024-12"}}, "starts: Value error, price: '2024-12' is not a month from 2025-01 to 2034-12"),
    ({"starts": {"price": "2035-01"}}, "price: '2035-01' is not a month from 2025-01 to 2034-12 (YYYY-MM)"),
    ({"starts": {"price": "2026"}}, "price: '2026' is not a month from 2025-01 to 2034-12 (YYYY-MM)"),
    ({"starts": {"groups": "2026-01"}}, "starts.groups: Input should be 'worker_rule', 'reentrants', "),
])
def test_a_bad_lever_is_named(values, message):
    with pytest.raises(ScenarioError, match="levers: .*" + message.replace("(", r"\(").replace(")", r"\)")):
        whatif.Levers.checked(**values)


@settings(max_examples=30, deadline=None)
@given(st.builds(whatif.Levers, worker_rule=st.sampled_from(["experience", "recent_work"]), reentrants=st.booleans(),
                 reading=st.sampled_from(["text", "strict"]), letters=st.booleans(), assisted=st.booleans(),
                 groups=st.lists(st.sampled_from(whatif.GROUPS), min_size=1, max_size=4, unique=True).map(tuple),
                 followup=st.booleans(), monitoring=st.booleans(), incentive=st.booleans(),
                 price=st.floats(0, 2000, allow_nan=False), budget_cap_m=st.floats(0, 10000, allow_nan=False),
                 starts=st.dictionaries(st.sampled_from(whatif.DATED),
                                        st.tuples(st.integers(2025, 2034), st.integers(1, 12)).map(
                                            lambda ym: f"{ym[0]}-{ym[1]:02d}"))))
def test_any_choice_of_levers_gives_a_valid_scenario(levers):
    text = whatif.scenario_yaml(levers)
    scenario = Scenario.from_dict(yaml.safe_load(text), whatif._law())
    for path, dated in whatif.overrides(levers).items():
        assert path in scenario.tree.parameters and dated


def test_a_run_compares_the_levers_with_the_law():
    run = whatif.run_levers(whatif.Levers(reentrants=True), scale=0.003, replications=2, seed=3)  # 2: an interval
    assert run.scenario_names == ["law_2025", "whatif"] and run.pairs() == [("whatif", "law_2025")]
    assert run.item("whatif", "extra_eligible")["value"] > 0  # re-entrants add eligible people
    sentence = findings.sentences(run, "en")[0]
    assert sentence.startswith("Against the law as it stands, your scenario:")
    for name in ("extra_work", "funnel", "reach", "budget", "rate_path"):
        assert run.figure(name, "nl") is not None


def test_the_page_keeps_the_law_between_runs_and_a_new_setting_starts_afresh():
    # the settings of the test before: its session (and the law it simulated) is taken up again
    kept = whatif.session(0.003, 2, 3)
    first = whatif.run_levers(whatif.Levers(monitoring=True), scale=0.003, replications=2, seed=3)
    second = whatif.run_levers(whatif.Levers(followup=True), scale=0.003, replications=2, seed=3)
    assert whatif.session(0.003, 2, 3) is kept  # the law simulated once for all
    law = [run.summary[run.summary["scenario"] == "law_2025"].reset_index(drop=True) for run in (first, second)]
    pd.testing.assert_frame_equal(*law)
    assert whatif.session(0.003, 1, 4) is not kept and not kept.open  # another setting: the session before is closed (it holds states in memory)


@pytest.mark.parametrize("variable, value, message", [
    ("LOOPBAAN_APP_SCALE", "abc", "LOOPBAAN_APP_SCALE: 'abc' is not a number"),
    ("LOOPBAAN_APP_SCALE", "0", "LOOPBAAN_APP_SCALE: Input should be greater than or equal to 0.0001, got 0.0"),
    ("LOOPBAAN_APP_SCALE", "1.5", "LOOPBAAN_APP_SCALE: Input should be less than or equal to 1, got 1.5"),
    ("LOOPBAAN_APP_SCALE", "nan", "LOOPBAAN_APP_SCALE: Input should be a finite number, got nan"),
    ("LOOPBAAN_APP_REPLICATIONS", "2.5", "LOOPBAAN_APP_REPLICATIONS: '2.5' is not a whole number"),
    ("LOOPBAAN_APP_REPLICATIONS", "0", "LOOPBAAN_APP_REPLICATIONS: Input should be greater than or equal to 1, got 0"),
])
def test_bad_page_settings_are_named(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ScenarioError) as caught:
        whatif.page_settings()
    assert str(caught.value) == message


def test_the_page_settings_default_to_the_full_population(monkeypatch):
    for variable in whatif.SETTINGS_VARIABLES.values():
        monkeypatch.delenv(variable, raising=False)
    assert whatif.page_settings() == {"scale": 1.0, "replications": 2}
    monkeypatch.setenv("LOOPBAAN_APP_SCALE", "0.25")
    assert whatif.page_settings() == {"scale": 0.25, "replications": 2}


@pytest.mark.parametrize("option, message", [
    (["--scale", "0"], "error: --scale: Input should be greater than or equal to 0.0001, got 0.0"),
    (["--scale", "2"], "error: --scale: Input should be less than or equal to 1, got 2.0"),
    (["--replications", "0"], "error: --replications: Input should be greater than or equal to 1, got 0"),
])
def test_bad_settings_of_the_page_are_refused_by_the_command(option, message):
    result = CliRunner().invoke(app, ["app", *option])
    assert result.exit_code == 2 and message in result.output


@pytest.mark.parametrize("values, lang, message", [
    ({"price": -1.0}, "nl", "Eigen bijdrage per cheque (euro): geef minstens 0"),
    ({"price": -1.0}, "en", "Own contribution per cheque (EUR): give at least 0"),
    ({"budget_cap_m": 1e9}, "nl", "Jaarlijks budgetplafond (miljoen euro, 0 = geen): geef hoogstens 10.000"),
    ({"price": None}, "nl", "Eigen bijdrage per cheque (euro): geef een getal"),
    ({"price": float("nan")}, "en", "Own contribution per cheque (EUR): give a number"),
])
def test_the_page_says_what_is_wrong_in_its_language(values, lang, message):
    with pytest.raises(ScenarioError) as caught:
        whatif.Levers.checked(lang=lang, **values)
    assert str(caught.value) == message


@pytest.mark.parametrize("text, lang, value", [
    ("60", "nl", 60.0), ("60,5", "nl", 60.5), ("1.500", "nl", 1500.0), ("60.5", "en", 60.5), ("1,500", "en", 1500.0),
    (" 20 ", "en", 20.0), ("abc", "nl", None), ("", "en", None), ("nan", "en", None), ("inf", "nl", None),
])
def test_an_amount_is_read_as_the_language_writes_it(text, lang, value):
    from model.interfaces.app import read_amount

    assert read_amount(text, lang) == value


@pytest.mark.parametrize("value, lang, text", [(60.0, "nl", "60"), (60.5, "nl", "60,50"), (1500.0, "en", "1,500"),
                                               (None, "nl", "")])
def test_an_amount_is_shown_as_the_language_writes_it(value, lang, text):
    from model.interfaces.app import shown_amount

    assert shown_amount(value, lang) == text
