"""The calculator for one person: the model's own rules, every case of the rule tables, three people, bad input."""

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import model
from model.interfaces.cli import app
from model.interfaces.explain import Situation, explain, shipped
from model.params.scenario import ScenarioError

CASES = Path(__file__).parent / "cases"
runner = CliRunner()

# the three people of the briefing's question
REENTRANT = {"status": "non_active", "months_worked": 60, "months_in_spell": 40, "age": 52, "education": "low"}
WORKER_5_YEARS = {"status": "employed", "months_worked": 60, "months_in_spell": 60}
JOB_SEEKER = {"status": "jobseeker", "months_worked": 100, "months_in_spell": 10, "benefits": ("unemployment",)}


def _situation(person: dict) -> dict:
    """A case table's person as the calculator's situation."""
    names = {"spell": "months_in_spell", "benefit_ended": "benefit_ended_months_ago",
             "first_cheque": "first_cheque_months_ago"}
    out = {names.get(k, k): tuple(v) if isinstance(v, list) else v for k, v in person.items()}
    out.setdefault("months_in_spell", 0)
    out.setdefault("months_worked", 0)
    return out


@pytest.mark.parametrize("case", [pytest.param(c, id=c["name"]) for c in
                                  yaml.safe_load((CASES / "eligibility.yaml").read_text())
                                  if "eligible" in c["expect"]])
def test_the_calculator_gives_every_case_of_the_rule_table(case):
    scenario = {"name": "case", "extends": "law_2025", "overrides": case.get("scenario_overrides", {})}
    verdict = explain(_situation(case["person"]), [scenario], str(case["date"]))
    assert bool(verdict["eligible"].iloc[0]) is case["expect"]["eligible"]


def test_three_people_under_each_shipped_scenario():
    answers = {name: explain(person).set_index("scenario") for name, person in
               (("reentrant", REENTRANT), ("worker", WORKER_5_YEARS), ("jobseeker", JOB_SEEKER))}
    for table in answers.values():
        assert list(table.index) == shipped() and table.index[0] == "law_2025"
    reentrant, worker, jobseeker = answers["reentrant"], answers["worker"], answers["jobseeker"]
    # the re-entrant: not under the law, yes once re-entrants are admitted (ask 1), reached by the outreach (ask 2)
    assert not reentrant.loc["law_2025", "eligible"] and "re-entrants may not order" in reentrant.loc["law_2025", "reason"]
    assert reentrant.loc["herintreders", "may_order"] and reentrant.loc["resolution_full", "may_order"]
    assert "VDAB would write to this person" in reentrant.loc["herintreders_outreach", "reached"]
    assert reentrant.loc["law_2025", "reached"] == ""
    # the worker with 5 years of experience: the 2020 rule asks 7, the 2013 rule asks 1 year of the last 2
    assert not worker.loc["law_2025", "eligible"]
    assert worker.loc["law_2025", "reason"] == "at work, but with 60 months of work experience; the 2020 rule asks 84"
    assert worker.loc["pre2020_rules", "may_order"]
    # the job seeker: served by VDAB under every scenario
    assert not jobseeker["eligible"].any()
    assert jobseeker["reason"].str.startswith("a registered job seeker, served by VDAB").all()
    # who pays what: the cheque's price, less the own contribution (the law of 2026: 3 hours at EUR 135 + VAT, EUR 60)
    assert reentrant.loc["herintreders", "user_pays_eur"] == 60
    assert reentrant.loc["herintreders", "government_pays_eur"] == pytest.approx(3 * 135 * 1.21 - 60)


def test_a_full_window_and_the_first_cheque_rule_are_said():
    used = {**WORKER_5_YEARS, "months_worked": 100, "months_in_spell": 100, "cheques_used": 2,
            "first_cheque_months_ago": 10}
    law = explain(used, ["law_2025"], "2025-06-01").iloc[0]  # before November 2025: two cheques a window
    assert law["eligible"] and not law["may_order"]
    assert law["reason"].endswith("but the 2 cheques of the window of 72 months are used")
    later = explain(used, ["law_2025"], "2026-06-01").iloc[0]  # from November 2025, only a first cheque
    assert not later["eligible"] and "only a person who never used a cheque may order" in later["reason"]


def test_the_calculator_speaks_dutch_and_is_in_the_package():
    verdict = model.explain(model.Situation(**WORKER_5_YEARS), ["law_2025"], lang="nl").iloc[0]
    assert verdict["reason"] == "aan het werk, maar met 60 maanden werkervaring; de regel van 2020 vraagt er 84"


def test_the_command_answers_within_120_columns_in_both_languages():
    for lang, said in (("en", "may order cheque 1: the person pays EUR 60.00"),
                       ("nl", "mag cheque 1 bestellen: de persoon betaalt 60,00 euro")):
        result = runner.invoke(app, ["explain", "--status", "non_active", "--months-worked", "60", "--months-in-spell",
                                     "40", "--age", "52", "--education", "low", "--lang", lang])
        assert result.exit_code == 0, result.output
        assert said in result.output and "law_2025:" in result.output and "resolution_full:" in result.output
        assert max(len(line) for line in result.output.splitlines()) <= 120


@pytest.mark.parametrize("arguments, message", [
    (["--status", "retired"], "situation: status: Input should be 'employed', 'jobseeker' or 'non_active'"),
    (["--status", "employed", "--months-worked", "10", "--months-in-spell", "20"],
     "situation: Value error, months_in_spell (20) is part of months_worked (10) for a person at work"),
    (["--benefit", "sick"], "situation: benefits.0: Input should be 'unemployment', 'career_break', 'incapacity' or "
                            "'pension'"),
    (["--age", "70"], "situation: age: Input should be less than or equal to 64"),
    (["--earlier-benefit", "unemployment"], "earlier_benefits need benefit_ended_months_ago, from 1 to months_in_spell"),
    (["--cheques-used", "1"], "cheques_used needs first_cheque_months_ago (when the window began), at least 1"),
    (["--date", "2026-13"], "date: '2026-13' is not a day (YYYY-MM-DD) or a month (YYYY-MM)"),
    (["--date", "2010-01-01"], "date: 2010-01-01 is outside 2013-07-01 to 2064-12-31"),
    (["--lang", "fr"], "lang: 'fr' is not a language of the report; allowed: nl, en"),
    (["--scenario", "nowhere"], "nowhere"),
])
def test_bad_input_is_named_and_exits_2(arguments, message):
    base = {"--status": "non_active", "--months-worked": "60", "--months-in-spell": "40"}
    given = dict(zip(arguments[::2], arguments[1::2]))
    flat = [x for key, value in {**base, **given}.items() for x in (key, value)]
    result = runner.invoke(app, ["explain", *flat])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_a_situation_that_is_not_one_is_refused():
    with pytest.raises(ScenarioError, match="situation: give a Situation or a dict of its fields, got list"):
        explain([1, 2])
    with pytest.raises(ScenarioError, match="situation: months_worked: Field required"):
        explain({"status": "employed", "months_in_spell": 3})
    assert Situation(**REENTRANT).groups() == ["low_educated", "age_50_plus"]


@pytest.mark.parametrize("values, lang, message", [
    ({"age": 70}, "nl", "Leeftijd: geef hoogstens 64"),
    ({"months_worked": -1}, "en", "Months worked in the whole career: give at least 0"),
    ({"status": "employed", "months_worked": 10, "months_in_spell": 20}, "nl",
     "De maanden in de huidige job horen bij de maanden gewerkt: ze kunnen er niet meer zijn"),
])
def test_the_page_says_what_is_wrong_with_a_situation_in_its_language(values, lang, message):
    with pytest.raises(ScenarioError) as caught:
        Situation.checked(lang=lang, **{**REENTRANT, **values})
    assert str(caught.value) == message
