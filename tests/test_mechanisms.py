"""The resolution's asks as mechanisms, the law as it stands, and the effects of guidance."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import model
from model.experiments import effects
from model.experiments.build import Builder
from model.mechanisms.cheques.rules import government_cost
from model.mechanisms.labour_market.moves import job_finding_weights
from model.mechanisms.outreach.process import Outreach
from model.mechanisms.uptake import awareness, hazards
from model.params.calendar import month_number
from model.params.scenario import Scenario
from model.people import codes
from model.people.population import empty
from model.results import comparison, flows

from .conftest import plan

SHORT = {"start": "2025-01", "end": "2026-12", "warmup_months": 12, "scale": 0.003, "seed": 5}
# At this small scale, re-entrants are too few to test what happens to them: these tests make them
# aware and keen (an amplifier of the mechanisms, not a claim about behaviour).
KEEN = {"behaviour.awareness.non_active_relative": {"2013-07-01": 1.0},
        "behaviour.uptake.out_of_work": {"2013-07-01": 3.0}}


def _state(name: str, months_after_start: int = 0, scale: float = 0.003, **overrides):
    """A warmed-up engine of a shipped scenario, at its first month (plus some)."""
    sc = Scenario.resolve({"name": "t", "extends": name, **SHORT, "scale": scale, **overrides})
    builder = Builder(plan([sc]), 0)
    engine = builder.model(sc, builder.initial_state()[0])
    engine.run_until(sc.settings.start_month - 1 + months_after_start)
    return sc, engine


@pytest.fixture(scope="module")
def asks():
    """law_2025, ask 1, asks 1+2, asks 1+3 at small scale with keen re-entrants, two replications."""
    specs = [{"name": n, "extends": n, **SHORT, "overrides": KEEN}
             for n in ("law_2025", "herintreders", "herintreders_outreach", "vdab_followup")]
    return model.Simulation(specs, replications=2).run(progress=False)


# -- the law as it stands ------------------------------------------------------

def test_law_2025_is_the_default_baseline_and_the_resolution_extends_it(law):
    for name in ("herintreders", "herintreders_strict", "herintreders_outreach", "vdab_followup"):
        assert "law_2025" in Scenario.load(name, law).lineage
    assert Scenario.load("baseline_2020", law).lineage == ["baseline_2020", "law_2025"]
    held = Scenario.load("baseline_2020", law).tree.at(dt.date(2030, 1, 1))
    assert held["cheque.cheques.max_per_window"] == 2 and not held["cheque.eligibility.first_time_only"]
    assert government_cost(held, np.array([1, 2])) == pytest.approx([638.84, 469.13], abs=0.01)
    now = law.at(dt.date(2026, 3, 1))
    assert now["cheque.eligibility.first_time_only"] and now["cheque.cheques.max_per_window"] == 1
    assert law.at(dt.date(2025, 5, 1))["cheque.cheques.monthly_cap"] == 1000
    assert law.at(dt.date(2027, 2, 1))["cheque.cheques.hours"]["cheque1"] == 6


def test_first_time_rule_admits_only_people_who_never_used_a_cheque():
    sc, engine = _state("law_2025", months_after_start=10)  # 2025-11: the transitional rules
    pop, started = engine.people, 0
    for _ in range(6):
        m = engine.month
        before = pop.cheque1_month.copy()
        engine.step()
        starters = np.flatnonzero(pop.last_cheque_month == m)
        started += len(starters)
        assert (before[starters] == codes.NO_MONTH).all()
        assert (pop.cheques_in_window[starters] == 1).all()  # one cheque: no cheque 2
    assert started > 0


def test_monthly_cap_is_never_exceeded_and_refusals_are_counted(asks):
    ts = asks.timeseries
    pick = lambda metric: ts[(ts.scenario == "law_2025") & (ts.metric == metric) & (ts.group == "all")].groupby("month")["value"].mean()  # noqa: E731
    starts = pick("starts_cheque1") + pick("starts_cheque2")
    weight = asks.run.weight
    capped = [f"2025-{m:02d}" for m in range(3, 11)]
    assert (starts[capped] <= 1000 + weight + 1e-6).all()  # cap / weight persons, rounded at random
    assert pick("orders_refused")[capped].sum() > 0
    assert pick("orders_refused")[["2025-01", "2025-02", "2025-12"]].sum() == 0


# -- ask 1: re-entrants ----------------------------------------------------------

def test_reentrant_users_keep_their_flag_and_are_a_group(asks):
    s = asks.summary
    users = s[(s.metric == "population_20_64") & (s.group == "reentrant_users")].set_index(["scenario", "year"])["value"]
    assert (users.loc["law_2025"] == 0).all() and users.loc["herintreders"].iloc[-1] > 0
    starts = s[(s.metric == "starts_cheque1") & (s.scenario == "herintreders")].set_index(["group", "year"])["value"]
    # first cheques of re-entrants out of work: the non-active, and registered job seekers by the resolution's text
    assert (starts.loc["reentrant_users"] >= starts.loc["non_active"]).all()


def test_the_workers_groups_are_their_groups_less_the_reentrant_users(asks):
    from model.people.groups import WORKER_GROUPS

    s = asks.summary
    extra = [c for c in s.columns if c not in ("scenario", "metric", "year", "group", "value", "p05", "p95")]
    s = s[s[extra].isna().all(axis=1)]  # the counts without a further dimension
    s = s.set_index(["scenario", "metric", "year", "group"])["value"].unstack("group").dropna(subset=["women"])
    s = s[~s.index.get_level_values("metric").str.startswith("employment_rate")]  # counts, not rates
    # (the expected gains are amounts per person, not people: their sums may differ in the last bit)
    s = s[~s.index.get_level_values("metric").str.startswith("expected_")]
    for workers in WORKER_GROUPS:
        group = workers.removeprefix("workers_")
        # without re-entrant users the two are the same people
        assert (s.loc["law_2025", workers] == s.loc["law_2025", group]).all()
        # with them: fewer, by at most the re-entrant users (a mean over runs: a little rounding allowed)
        part = s.loc["herintreders"]
        assert (part[workers] <= part[group] + 1e-6).all()
        assert (part[group] - part[workers] <= part["reentrant_users"] + 1e-6).all()
    starts = s.loc[("herintreders", "starts_cheque1")]
    assert (starts["women"] - starts["workers_women"]).sum() > 0  # some re-entrant users are women


def test_both_readings_of_the_reentrant_definition(law):
    sim = model.Simulation([{"name": n, "extends": n, **SHORT, "warmup_months": 0}
                            for n in ("herintreders", "herintreders_strict")])
    s = sim.run(progress=False).summary
    pool = s[(s.metric == "eligible") & (s.group == "non_active")].set_index(["scenario", "year"])["value"]
    assert (pool.loc["herintreders"] > pool.loc["herintreders_strict"]).all()
    # registered job seekers who meet the definition may order by the text, not by the strict reading
    reentrants = s[(s.metric == "eligible") & (s.group == "re_entrant")].set_index(["scenario", "year"])["value"]
    seekers = reentrants - pool
    assert (seekers.loc["herintreders"] > 0).all() and (seekers.loc["herintreders_strict"] == 0).all()
    law_2026 = law.at(dt.date(2026, 1, 1))  # the resolution's text is the default reading
    assert law_2026["cheque.eligibility.reentrant.disqualifying_benefits"] == ["unemployment", "career_break"]
    assert law_2026["cheque.eligibility.reentrant.benefit_period"] == "out_of_work_period"


def _with_contacts(pop):
    """``pop`` with the columns of outreach and of the centres' own contacts (nobody contacted)."""
    for name, dtype, fill in (("outreach_informed", np.bool_, False), ("outreach_until", np.int16, codes.NO_MONTH),
                              ("incentive_informed", np.bool_, False), ("incentive_until", np.int16, codes.NO_MONTH)):
        pop.add_column(name, dtype, fill)
    return pop


def test_non_active_people_are_less_aware_than_workers(law):
    pop = _with_contacts(empty(4))
    pop.status[:] = [codes.EMPLOYED, codes.NON_ACTIVE, codes.EMPLOYED, codes.NON_ACTIVE]
    p = law.at(dt.date(2026, 1, 1))
    level = awareness.awareness_level(p)
    relative = p["behaviour.awareness.non_active_relative"]
    pop.awareness_draw[:] = [level * 0.9, level * 0.9, level * relative * 0.5, level * relative * 0.5]
    assert awareness.is_aware(pop, np.arange(4), p, 100).tolist() == [True, False, True, True]
    pop.outreach_informed[1], pop.outreach_until[1] = True, 100  # a running contact informs a non-active person
    pop.incentive_informed[0], pop.incentive_until[0] = True, 99  # a centre's contact that ended informs nobody
    assert awareness.is_aware(pop, np.arange(4), p, 100).tolist() == [True, True, True, True]
    assert awareness.is_aware(pop, np.arange(4), p, 101).tolist() == [True, False, True, True]


# -- ask 2: outreach --------------------------------------------------------------

def test_the_split_of_awareness_and_hazard_keeps_the_workers_uptake(law):
    """What the counts identify is awareness x hazard: a larger split scale makes more people aware, each less keen."""
    from model.mechanisms.uptake.hazards import cell_hazards

    p = law.at(dt.date(2018, 7, 1))
    other = law.with_overrides({"behaviour.awareness.split_scale": {"2013-07-01": 1.8}}, "t").at(dt.date(2018, 7, 1))
    assert awareness.awareness_level(other) == pytest.approx(1.8 * awareness.awareness_level(p))
    product = awareness.awareness_level(p) * cell_hazards(p)
    np.testing.assert_allclose(awareness.awareness_level(other) * cell_hazards(other), product, rtol=0.02)
    # the awareness level never passes 1
    full = law.with_overrides({"behaviour.awareness.split_scale": {"2013-07-01": 3.3}}, "t").at(dt.date(2030, 1, 1))
    assert awareness.awareness_level(full) <= 1.0


def test_the_out_of_work_carry_over_of_group_shifts_leaves_workers_alone(law):
    from model.mechanisms.uptake.hazards import CELL_SHAPE, UPTAKE_STATUS, cell_logits

    p = law.at(dt.date(2026, 1, 1))
    none = law.with_overrides({"behaviour.uptake.out_of_work_group_carryover": {"2013-07-01": 0.0}}, "t").at(
        dt.date(2026, 1, 1))
    status = np.unravel_index(np.arange(int(np.prod(CELL_SHAPE))), CELL_SHAPE)[-1]
    out = status == UPTAKE_STATUS.index("out_of_work")
    z, z_none = cell_logits(p), cell_logits(none)
    np.testing.assert_array_equal(z[~out], z_none[~out])  # workers: as fitted
    # out of work without any group shift: every cell of one sex has the same logit
    sex = np.unravel_index(np.arange(int(np.prod(CELL_SHAPE))), CELL_SHAPE)[0]
    for s in (0, 1):
        assert np.ptp(z_none[out & (sex == s)]) == pytest.approx(0.0, abs=1e-12)
    assert np.ptp(z[out & (sex == 0)]) > 1.0  # carried whole: the migration shift alone is over 2 logits


def test_outreach_aimed_at_one_group_changes_awareness_in_that_group_only():
    on = {"outreach.letter.enabled": {"2025-01-01": True},
          "outreach.letter.target_groups": {"2025-01-01": ["low_educated"]},
          "outreach.letter.awareness_gain": {"2025-01-01": 1.0},
          "outreach.letter.monthly_reach": {"2025-01-01": 0.5}}
    sc, engine = _state("herintreders", overrides=on)
    pop, m = engine.people, engine.month
    p = engine.params(m)
    everybody = np.arange(len(pop))
    before = awareness.is_aware(pop, everybody, p, m)
    process = next(proc for proc in engine.processes if isinstance(proc, Outreach))
    from model.engine.process import DeclaredParameters, DeclaredStreams, Month
    from model.mechanisms.eligibility.rules import Eligible
    values = {"eligible": Eligible(pop, m, p)}  # what the eligibility process hands on
    process.step(engine, Month(m, DeclaredParameters(p, process), 0, values, DeclaredStreams(engine.streams, process),
                               p, pop))
    after = awareness.is_aware(pop, everybody, p, m)
    changed = np.flatnonzero(after != before)
    assert len(changed) > 0 and (after[changed] & ~before[changed]).all()
    assert (pop.education[changed] == 0).all() and (pop.status[changed] == codes.NON_ACTIVE).all()


def test_outreach_reaches_its_targets_and_costs_per_person(asks):
    s = asks.summary[asks.summary.scenario == "herintreders_outreach"]
    reached = s[s.metric == "outreach_reached"].groupby(["group", "channel"])["value"].sum()
    cost = s[s.metric == "outreach_cost_eur"].groupby(["group", "channel"])["value"].sum()
    for channel in ("letter", "assisted"):
        assert reached[("all", channel)] > 0
        assert reached[("non_active", channel)] == pytest.approx(reached[("all", channel)])
        assert reached[("disadvantaged", channel)] == pytest.approx(reached[("all", channel)])
    law = model.parameters("outreach.letter.cost_per_person_reached", date="2026-01-01").value
    assert cost[("all", "letter")] == pytest.approx(reached[("all", "letter")] * law)
    assert (s[s.metric == "outreach_reached"].groupby("group")["value"].sum()["high_educated"]
            < reached.xs("all", level="group").sum())


# -- ask 3: VDAB follow-up --------------------------------------------------------

def test_followup_registers_users_and_follows_them_to_work(asks):
    s = asks.summary
    total = lambda scenario, metric: s[(s.scenario == scenario) & (s.metric == metric) & (s.group == "all")]["value"].sum()  # noqa: E731
    assert total("vdab_followup", "followup_contacts") >= total("vdab_followup", "followup_registrations") > 0
    assert total("herintreders", "followup_contacts") == 0
    cost = model.parameters("vdab_followup.cost_per_contact", date="2026-01-01").value
    assert total("vdab_followup", "followup_cost_eur") == pytest.approx(total("vdab_followup", "followup_contacts") * cost)


def test_every_lever_off_reproduces_the_baseline_exactly():
    off = {"outreach.letter.enabled": {"2025-01-01..": False}, "outreach.assisted.enabled": {"2025-01-01..": False},
           "vdab_followup.enabled": {"2025-01-01..": False}}
    specs = [{"name": "herintreders", "extends": "herintreders", **SHORT},
             {"name": "outreach_off", "extends": "herintreders_outreach", **SHORT, "overrides": off},
             {"name": "followup_off", "extends": "vdab_followup", **SHORT, "overrides": off}]
    s = model.Simulation(specs).run(progress=False).summary
    base = s[s.scenario == "herintreders"].drop(columns="scenario").reset_index(drop=True)
    for name in ("outreach_off", "followup_off"):
        pd.testing.assert_frame_equal(s[s.scenario == name].drop(columns="scenario").reset_index(drop=True), base)


# -- effects of guidance ------------------------------------------------------------

def test_formerly_non_active_job_seekers_find_work_by_reason_and_time_out(law):
    p = law.at(dt.date(2026, 1, 1))
    pop = empty(4)
    for name, dtype, fill in (("registered_from", np.int8, 0), ("readiness", np.float32, 0.0),
                              ("followup_month", np.int16, codes.NO_MONTH), ("labour_cell_static", np.uint8, 0)):
        pop.add_column(name, dtype, fill)
    pop.status[:] = codes.JOBSEEKER
    pop.age_months[:] = 30 * 12
    pop.registered_from[:] = [0, codes.REASON.index("care"), codes.REASON.index("care"), codes.REASON.index("illness")]
    month = 600
    pop.spell_start[:] = [month - 3, month, month - 48, month]
    weights = job_finding_weights(pop, month, p)  # readiness 0: the weights are the ratios over their mean
    ratio = weights / weights[0]
    ratios = p["labour_market.formerly_non_active.job_finding_ratio"]
    halving = p["labour_market.formerly_non_active.halving_months"]
    assert ratio == pytest.approx([1.0, ratios["care"], ratios["care"] * 0.5 ** (48 / halving), ratios["illness"]])


def test_readiness_decides_who_finds_work_not_how_many():
    sc, engine = _state("herintreders", months_after_start=2)
    pop, m = engine.people, engine.month
    p = engine.params(m)
    weights = job_finding_weights(pop, m, p)
    for status in (codes.NON_ACTIVE, codes.JOBSEEKER):
        rows = np.flatnonzero(pop.status == status)
        w = weights[rows]
        band = pop.age_band(rows)
        means = np.bincount(band, weights=w) / np.bincount(band)
        assert means[np.bincount(band) > 0] == pytest.approx(1.0)
        assert np.corrcoef(w, pop.readiness[rows])[0, 1] > 0.2
    # follow-up registrants count with the non-active people they would otherwise be, not with the job seekers
    js = np.flatnonzero(pop.status == codes.JOBSEEKER)
    moved = js[:5]
    pop.followup_month[moved] = pop.spell_start[moved]
    w = job_finding_weights(pop, m, p)[js]
    rest = ~np.isin(js, moved)
    band = pop.age_band(js)
    means = np.bincount(band[rest], weights=w[rest]) / np.bincount(band[rest])
    assert means[np.bincount(band[rest]) > 0] == pytest.approx(1.0)


def test_without_effects_admitting_reentrants_leaves_everybody_else_alone():
    """With every effect of guidance at zero, re-entrants taking the cheque changes no labour move of anybody."""
    zero = {path: {"2013-07-01": 0.0} for path in effects.EFFECT_PARAMETERS}
    specs = [{"name": n, "extends": n, **SHORT, "scale": 0.005, "overrides": {**KEEN, **zero}}
             for n in ("baseline_2020", "herintreders_2020")]
    res = model.Simulation(specs).run(progress=False)
    from model.people.groups import WORKER_GROUPS

    # (the groups that leave out the re-entrant users differ by those users, not by any move)
    s = res.summary[~res.summary.group.isin(["reentrant_users", *WORKER_GROUPS])]
    pick = lambda sc, metric: s[(s.scenario == sc) & (s.metric == metric)].drop(columns="scenario").reset_index(drop=True)  # noqa: E731
    users = s[(s.scenario == "herintreders_2020") & (s.metric == "starts_cheque1") & (s.group == "non_active")]
    assert users.value.sum() > 0  # re-entrants did take the cheque
    for metric in ("employed", "entries_into_work", "exits_from_work", "registrations", "transitions"):
        pd.testing.assert_frame_equal(pick("herintreders_2020", metric), pick("baseline_2020", metric))


def test_readiness_raises_uptake_of_non_active_people_only(law):
    p = law.at(dt.date(2026, 1, 1))
    pop = empty(4)
    for name, dtype, fill in (("readiness", np.float32, 0.0), ("outreach_channel", np.int8, 0),
                              ("outreach_until", np.int16, codes.NO_MONTH)):
        pop.add_column(name, dtype, fill)
    pop.status[:] = [codes.NON_ACTIVE, codes.NON_ACTIVE, codes.EMPLOYED, codes.EMPLOYED]
    pop.age_months[:] = 40 * 12
    pop.readiness[:] = [1.0, -1.0, 1.0, -1.0]
    h = hazards.cheque1_hazard(pop, np.arange(4), p, 100)
    assert h[0] > h[1] and h[2] == h[3]
    # people at work have no person terms: their hazard is their cell's
    assert h[2] == hazards.cell_hazards(p)[hazards.hazard_cell(pop, np.array([2]))[0]]


@pytest.fixture(scope="module")
def measured():
    def run(rate=None):
        # from the month of guidance on, so the three share their warm-up exactly
        over = {"overrides": {"behaviour.guidance_effect.extra_job_finding_rate": {"2025-01-01": rate}}} if rate is not None else {}
        sc = Scenario.resolve({"name": "e", "extends": "herintreders", "scale": 0.05, "seed": 3, **over})
        return effects.measure(plan([sc]))
    law = model.ParameterTree.load()
    low, high = law["behaviour.guidance_effect.extra_job_finding_rate"].plausible_range
    return run(), run(low), run(high)


def test_net_effect_per_non_employed_user_lies_in_the_literature_range(measured):
    central, _, _ = measured
    low, high = effects.literature_range()
    assert (low, high) == (0.0, 0.10)  # the honest range of the evidence review (D6)
    assert low <= central.net_effect("non_employed") <= high and central.within_literature()
    table = central.table
    assert table.loc["non_employed", "treated"] > 1000
    # deadweight: most users at work after two years would have been at work anyway, but not all
    assert 0.5 < table.loc["non_employed", "deadweight"] < 1.0
    assert 0 < central.net_effect("employed") < central.net_effect("non_employed")
    assert "net effect per non-employed user within the literature's range" in str(central)


def test_net_effect_follows_the_range_of_its_parameter(measured):
    central, low, high = measured
    assert low.net_effect("non_employed") < central.net_effect("non_employed") < high.net_effect("non_employed")
    # without guidance, the same people: identical in the three runs (common random numbers)
    assert low.table.loc["non_employed", "at_work_without_guidance"] == pytest.approx(
        high.table.loc["non_employed", "at_work_without_guidance"])


def test_without_effects_sets_every_effect_to_zero(law):
    off = effects.without_effects(law, month_number(2025, 1))
    p = off.at(dt.date(2030, 1, 1))
    assert all(p[path] == 0 for path in effects.EFFECT_PARAMETERS)
    assert law.at(dt.date(2030, 1, 1))["behaviour.guidance_effect.extra_job_finding_rate"] > 0


def test_effects_command_writes_a_folder_and_refuses_bad_input(tmp_path):
    from typer.testing import CliRunner

    from model.interfaces.cli import app
    bad = CliRunner().invoke(app, ["effects", "herintreders", "--scale", "2", "--out", str(tmp_path / "o")])
    assert bad.exit_code == 2 and "--scale must be from 0.0001 to 1, got 2.0" in bad.output
    assert not (tmp_path / "o").exists()
    short = tmp_path / "short.yaml"
    short.write_text("name: short\nextends: herintreders\nend: 2025-12\n")
    bad = CliRunner().invoke(app, ["effects", str(short), "--scale", "0.002", "--out", str(tmp_path / "o")])
    assert bad.exit_code == 2 and "the effect needs 24 months after 2025-01, but the run ends 2025-12" in bad.output
    assert not (tmp_path / "o").exists()


# -- transitions and the comparison ----------------------------------------------------

def test_transitions_sum_to_one_per_origin(asks):
    table = flows.transition_table(asks.run.yearly, asks.run.metric("transitions"))
    assert set(table.from_status) == {"employed", "jobseeker", "non_active"}
    sums = table.groupby(["scenario", "year", "group", "from_status"])["share"].sum(min_count=1).dropna()
    assert len(sums) and np.allclose(sums, 1.0)
    employed = table[(table.group == "all") & (table.from_status == "employed") & (table.to_status == "employed")]
    assert (employed.share > 0.9).all()
    check = flows.transition_check(table)
    assert {"share", "model_2025", "model_mean_all_years"} <= set(check.columns)


def test_comparison_against_each_baseline_per_replication(asks):
    compared = asks.comparison(wide=False)
    pairs = set(zip(compared.scenario, compared.baseline))
    assert pairs == {("herintreders", "law_2025"), ("herintreders_outreach", "herintreders"),
                     ("vdab_followup", "herintreders")}
    assert set(compared.item) == set(comparison.items(asks.run.counters)) == set(comparison.model_items())
    assert (compared.replications <= 2).all()
    row = compared.set_index(["scenario", "item", "group"])["value"]
    assert row[("herintreders_outreach", "extra_cost_outreach_eur", "all")] > 0
    assert row[("vdab_followup", "extra_cost_followup_eur", "all")] > 0
    assert row[("vdab_followup", "extra_registrations", "all")] > 0
    assert row[("herintreders", "extra_users", "reentrant_users")] > 0
    total = row[("herintreders", "extra_cost_total_eur", "all")]
    costs = comparison.cost_items(asks.run.counters)
    assert list(costs) == ["extra_cost_cheques_eur", "extra_cost_outreach_eur", "extra_cost_followup_eur",
                           "extra_cost_monitoring_eur", "extra_cost_incentive_eur"]  # the asks' order, by rank
    assert total == pytest.approx(sum(row[("herintreders", item, "all")] for item in costs))
    employed = row[("herintreders", "extra_employed", "all")]
    assert row[("herintreders", "share_of_goal", "all")] == pytest.approx(employed / 120_000)
    defined = compared.dropna(subset=["value", "p05"])  # a ratio of means has no band of runs
    assert ((defined.p05 <= defined.value + 1e-9) & (defined.value <= defined.p95 + 1e-9)).all()
    wide = asks.comparison()
    assert list(wide.index.names) == ["scenario", "baseline"] and "extra_employed" in wide.columns
    # person-years at work: the yearly differences of people at work summed over the (whole) years
    summary = asks.summary
    employed = summary[(summary.metric == "employed") & (summary.group == "all")].pivot_table(
        index="year", columns="scenario", values="value")
    assert row[("herintreders", "extra_person_years", "all")] == pytest.approx(
        (employed["herintreders"] - employed["law_2025"]).sum())
    users = row[("herintreders", "extra_users", "all")]
    assert row[("herintreders", "cost_per_extra_user_eur", "all")] == pytest.approx(total / users, rel=1e-9)
    assert row[("herintreders", "extra_users", "workers")] == pytest.approx(
        users - row[("herintreders", "extra_users", "reentrant_users")])
    # outreach written to those the data flag as eligible: most contacts can use the cheque
    assert row[("herintreders_outreach", "outreach_contacts", "all")] > 0
    assert 0.8 < row[("herintreders_outreach", "outreach_share_eligible", "all")] <= 1
    assert np.isnan(row[("herintreders", "outreach_share_eligible", "all")])  # no contacts: not defined


def test_take_up_per_eligible_person_of_reentrants_and_workers(asks):
    table = asks.take_up().set_index(["scenario", "population"])
    assert set(table.index.get_level_values("population")) == {"reentrants", "workers"}
    assert table.loc[("law_2025", "reentrants"), "users"] == 0  # not admitted: none of them start
    admitted = table.loc[("herintreders", "reentrants")]
    assert admitted["users"] > 0 and admitted["eligible_person_years"] > 0
    assert admitted["mean_low"] <= admitted["rate_per_year"] <= admitted["mean_high"]
    workers = table.loc[("herintreders", "workers")]
    assert 0.001 < workers["rate_per_year"] < 0.02  # the order of the calibrated 0.8% a year


def test_outreach_selected_on_eligibility_writes_to_fewer_people_who_can_use_the_cheque():
    every = {"outreach.targeting.selection": {"2013-07-01": "target_groups"}}
    specs = [{"name": "eligible", "extends": "herintreders_outreach", **SHORT, "overrides": KEEN},
             {"name": "every", "extends": "herintreders_outreach", **SHORT, "overrides": {**KEEN, **every}}]
    s = model.Simulation(specs).run(progress=False).summary

    def total(scenario, metric):
        return s[(s.scenario == scenario) & (s.metric == metric) & (s.group == "all")]["value"].sum()

    for name in ("eligible", "every"):
        assert total(name, "outreach_reached") > 0
    assert total("eligible", "outreach_reached") < 0.5 * total("every", "outreach_reached")
    share = {n: total(n, "outreach_reached_eligible") / total(n, "outreach_reached") for n in ("eligible", "every")}
    assert share["eligible"] > 0.8 > 0.5 > share["every"]


def test_a_scenario_against_itself_changes_nothing():
    spec_a = {"name": "a", "extends": "herintreders", **SHORT, "warmup_months": 0}
    res = model.Simulation([spec_a, {**spec_a, "name": "b"}]).run(progress=False)
    compared = res.comparison(wide=False)
    assert set(compared.baseline) == {"a"}
    values = compared["value"]
    assert ((values == 0) | values.isna()).all()


def test_run_folder_has_the_new_tables(tmp_path, asks):
    folder = asks.save(tmp_path)
    for name in ("comparison.csv", "transitions.csv", "transitions_published.csv", "hazard_bounds.csv"):
        assert (folder / name).is_file(), name
    compared = pd.read_csv(folder / "comparison.csv")
    assert list(compared.columns) == ["scenario", "baseline", "item", "group", "unit", "value", "p05", "p95",
                                      "replications", "mean_low", "mean_high", "noise"]
    bounds = pd.read_csv(folder / "hazard_bounds.csv")
    assert {"margins_from_year", "hazard", "before", "solved", "used", "why"} <= set(bounds.columns)


def test_baseline_of_a_scenario_in_a_run(law):
    load = lambda n: Scenario.load(n, law)  # noqa: E731
    run = [load("baseline_2020"), load("law_2025"), load("herintreders"), load("vdab_followup")]
    # baseline_2020 extends law_2025: it is compared with it, and law_2025 (which the first one
    # extends) is compared with nothing, whatever the order
    assert [comparison.baseline_of(s, run) for s in run] == ["law_2025", None, "law_2025", "herintreders"]
    assert comparison.baseline_of(run[0], [run[1], run[0]]) == "law_2025"
    other = Scenario.from_dict({"name": "other", "extends": "law"} | {k: v for k, v in SHORT.items()}, law)
    assert comparison.baseline_of(other, [run[1], other]) == "law_2025"


# -- bad input of the new files and commands ------------------------------------------

GOOD_TABLE = ("transitions:\n  x:\n    description: d\n    region: BE\n    year: 2023\n    reference: [r]\n"
              "    values:\n      employed: {employed: 0.9}\n")


@pytest.mark.parametrize("text, message", [
    ("other: 1\n", "key 'transitions' must map names to published tables"),
    ("transitions:\n  x: {region: BE}\n", "key 'transitions.x' needs exactly the keys description, region, year, reference, values"),
    (GOOD_TABLE.replace("values:\n      employed: {employed: 0.9}", "values: 3"), "key 'transitions.x.values' must map a status"),
    (GOOD_TABLE.replace("{employed: 0.9}", "{working: 0.9}"), "key 'transitions.x.values.employed': statuses must be among"),
    (GOOD_TABLE.replace("0.9", "1.5"), "key 'transitions.x.values.employed.employed': 1.5 is not a share between 0 and 1"),
    ("transitions: [unclosed\n", "not valid YAML"),
])
def test_published_transitions_file_errors(tmp_path, text, message):
    path = tmp_path / "transitions.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("[", r"\[")):
        flows.published_transitions(path)
    path.write_text(GOOD_TABLE)
    assert flows.published_transitions(path)["share"].tolist() == [0.9]


@pytest.mark.parametrize("text", ["other: 1\n", "net_effect_non_employed: {low: 0.08, high: 0.03}\n",
                                  "net_effect_non_employed: {low: 0.03, high: true}\n"])
def test_effect_range_file_errors(tmp_path, text):
    path = tmp_path / "effects.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"key 'net_effect_non_employed' needs low and high, fractions with 0 <= low <= high <= 1"):
        effects.literature_range(path)


def test_commands_refuse_a_bad_target_file_before_simulating_and_keep_earlier_runs(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from model.interfaces.cli import app
    out = tmp_path / "out"
    (out / "earlier").mkdir(parents=True)
    (out / "earlier" / "keep.txt").write_text("x")
    bad = tmp_path / "bad.yaml"
    bad.write_text("other: 1\n")
    monkeypatch.setattr(flows, "TRANSITIONS_FILE", bad)
    result = CliRunner().invoke(app, ["run", "law_2025", "--scale", "0.001", "--out", str(out)])
    assert result.exit_code == 2 and "bad.yaml: key 'transitions' must map names" in result.output
    monkeypatch.setattr(effects, "EFFECTS_FILE", bad)
    result = CliRunner().invoke(app, ["effects", "herintreders", "--scale", "0.001", "--out", str(out)])
    assert result.exit_code == 2 and "bad.yaml: key 'net_effect_non_employed' needs low and high" in result.output
    result = CliRunner().invoke(app, ["effects", "no_such_scenario", "--out", str(out)])
    assert result.exit_code == 2 and "no_such_scenario: scenario file not found" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["earlier"] and (out / "earlier" / "keep.txt").read_text() == "x"
