"""Rule case tables: every boundary of the eligibility rules and the window."""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import yaml

from model.mechanisms.cheques import rules as cheques
from model.mechanisms.eligibility.rules import is_eligible, months_worked_in_window
from model.params.calendar import month_number
from model.people import codes
from model.people.population import empty
from model.people.reentrants import benefit_mask, is_reentrant

CASES = Path(__file__).parent / "cases"


def _person(spec: dict, month: int):
    pop = empty(1)
    status = {"employed": codes.EMPLOYED, "jobseeker": codes.JOBSEEKER, "non_active": codes.NON_ACTIVE}[spec.get("status", "employed")]
    pop.status[0] = status
    pop.age_months[0] = 40 * 12
    worked, spell = spec.get("months_worked", 0), spec.get("spell", 0)
    pop.spell_start[0] = month - spell
    pop.months_worked_before_spell[0] = worked - spell if status == codes.EMPLOYED else worked
    pop.gap_before_job[0] = spec.get("gap_before_job", 0)
    now, earlier = benefit_mask(spec.get("benefits", [])), benefit_mask(spec.get("earlier_benefits", []))
    pop.benefits_now[0] = now
    pop.benefits_in_spell[0] = now | earlier
    if earlier:
        pop.benefit_end_month[0] = month - spec["benefit_ended"]
    if spec.get("cheques_used"):
        pop.cheques_in_window[0] = spec["cheques_used"]
        pop.window_start[0] = month - spec["first_cheque"]
    return pop


def _load(name):
    cases = yaml.safe_load((CASES / name).read_text())
    return [pytest.param(c, id=c["name"]) for c in cases]


@pytest.mark.parametrize("case", _load("eligibility.yaml"))
def test_eligibility_cases(case, law):
    tree = law.with_overrides(case.get("scenario_overrides", {}), "case")
    when = case["date"] if isinstance(case["date"], dt.date) else dt.date.fromisoformat(case["date"])
    p = tree.at(when)
    month = month_number(when.year, when.month)
    pop = _person(case["person"], month)
    expect = case["expect"]
    if "eligible" in expect:
        assert bool(is_eligible(pop, month, p)[0]) is expect["eligible"]
        assert bool(is_eligible(pop, month, p, np.array([0]))[0]) is expect["eligible"]  # the same, for given rows
    if "re_entrant" in expect:
        assert bool(is_reentrant(pop, month, p)[0]) is expect["re_entrant"]


@pytest.mark.parametrize("case", _load("windows.yaml"))
def test_window_cases(case, law):
    when = case["date"]
    p = law.at(when)
    month = month_number(when.year, when.month)
    pop = _person(case["person"], month)
    assert bool(cheques.may_order(pop, month, p)[0]) is case["expect"]["may_order"]
    number = cheques.record_start(pop, np.array([0]), month, p)
    assert int(number[0]) == case["expect"]["next_number"]


def test_prices_by_date(law):
    p2019, p2020 = law.at(dt.date(2019, 6, 1)), law.at(dt.date(2020, 6, 1))
    numbers = np.array([1, 2])
    # 2013 rule: EUR 550 excl. VAT per 4 h; the government pays the VAT and all but EUR 40.
    assert cheques.government_cost(p2019, numbers) == pytest.approx([550 * 1.21 - 40] * 2)
    # 2020: EUR 140.256 an hour excl. VAT; 4 h and 3 h: the published EUR 640 and EUR 470, rounded.
    assert cheques.government_cost(p2020, numbers) == pytest.approx([638.84, 469.13], abs=0.01)
    assert cheques.user_price(p2020, numbers).tolist() == [40, 40]
    # The rules of November 2025 and the loopbaankrediet (amounts partly assumptions, see cheque.yaml).
    p2026, p2027, p2029 = (law.at(dt.date(y, 6, 1)) for y in (2026, 2027, 2029))
    assert cheques.government_cost(p2026, numbers) == pytest.approx([3 * 135 * 1.21 - 60] * 2)
    assert cheques.cheque_price(p2027, numbers)[0] == pytest.approx(6 * 135 * 1.21 * 1.02 ** (5 / 12), rel=1e-3)
    assert cheques.hourly_fee(p2029) == pytest.approx(135 * 1.21 * 1.02 ** (29 / 12), rel=1e-3)


def test_unknown_benefit_is_an_error():
    with pytest.raises(ValueError, match="unknown benefit 'sick'"):
        benefit_mask(["sick"])


@pytest.mark.parametrize("required, window", [(12, 24), (0, 24), (24, 24), (1, 1), (30, 24), (9, 24)])
def test_recent_work_rule_equals_the_months_worked_in_the_window(required, window, law):
    """The row function's int16 form of the 2013 rule gives the same answer as counting the months (random careers)."""
    rng = np.random.default_rng(required * 100 + window)
    n, month = 20_000, 800
    pop = empty(n)
    pop.status[:] = rng.choice([codes.EMPLOYED, codes.JOBSEEKER, codes.NON_ACTIVE], n, p=[0.8, 0.1, 0.1])
    pop.spell_start[:] = month - rng.integers(0, 40, n)
    pop.gap_before_job[:] = rng.integers(0, 40, n)
    pop.months_worked_before_spell[:] = rng.integers(0, 40, n)
    p = law.at(dt.date(2016, 6, 1)).updated({"cheque.eligibility.worker_rule": "recent_work",
                                             "cheque.eligibility.recent_work.months_required": required,
                                             "cheque.eligibility.recent_work.window_months": window,
                                             "cheque.eligibility.reentrant.enabled": False,
                                             "cheque.eligibility.first_time_only": False})
    fast = is_eligible(pop, month, p)
    slow = months_worked_in_window(pop, month, window) >= required
    slow &= pop.status == codes.EMPLOYED
    assert np.array_equal(fast, slow)
    assert fast.any() or required > window


def test_benefits_now_and_their_end_stay_consistent_in_a_run():
    """The columns behind "no benefit in that period" hold together after two years of moves.

    What is received now is part of the spell's benefits, an ended benefit is dated inside the spell, and people
    at work carry none.
    """
    import model

    sim = model.Simulation([{"name": "h", "extends": "herintreders", "start": "2025-01", "end": "2026-12",
                             "warmup_months": 24}], scale=0.005, seed=5)
    builder = model.experiments.build.Builder(sim.plan, 0)
    engine = builder.model(sim.scenarios[0], builder.initial_state()[0])
    engine.run_until(engine.month + 24)
    pop, month = engine.people, engine.month
    present = pop.status != codes.ABSENT
    at_work = present & (pop.status == codes.EMPLOYED)
    out = present & codes.out_of_work(pop.status)
    assert (pop.benefits_now[at_work] == 0).all() and (pop.benefit_end_month[at_work] == codes.NO_MONTH).all()
    assert ((pop.benefits_now[out] & ~pop.benefits_in_spell[out]) == 0).all()
    ended = out & (pop.benefit_end_month != codes.NO_MONTH)
    assert ended.sum() > 0  # job seekers with a benefit who became non-active, non-active people who registered
    assert (pop.benefit_end_month[ended] >= pop.spell_start[ended] - 1).all()
    assert (pop.benefit_end_month[ended] < month).all()
    assert (pop.benefits_in_spell[ended] != 0).all()
