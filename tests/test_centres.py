"""Career centres as agents: capacity, waiting lists, quality and its monitoring, the incentive, the budget cap."""

import datetime as dt
import io

import mesa
import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from scipy.special import ndtr

import model
from model.experiments.build import Builder
from model.interfaces.printing import print_parts
from model.mechanisms.centres import agents as centres
from model.mechanisms.centres import choice, queue
from model.mechanisms.centres.agents import CENTRE_SLOTS, KIND, NO_CENTRE, CareerCentre
from model.params.calendar import month_number
from model.params.scenario import Scenario, ScenarioError
from model.people import codes
from model.results import parts as parts_of

from .conftest import plan

SHORT = {"start": "2025-01", "end": "2026-12", "warmup_months": 12, "scale": 0.003, "seed": 5}
KEEN = {"behaviour.awareness.non_active_relative": {"2013-07-01": 1.0},
        "behaviour.uptake.out_of_work": {"2013-07-01": 3.0}}


def _run(specs, **kw):
    return model.Simulation(specs, **kw).run(progress=False)


def _total(summary, scenario, metric, group="all"):
    s = summary[(summary.scenario == scenario) & (summary.metric == metric) & (summary.group == group)]
    if "centre" in s:
        s = s[s["centre"].isna()]
    return float(s["value"].sum())


def _engine(name="law_2025", scale=0.003, **overrides):
    sc = Scenario.resolve({"name": "t", "extends": name, **SHORT, "scale": scale, **overrides})
    builder = Builder(plan([sc]), 0)
    return sc, builder.model(sc, builder.initial_state()[0])


# -- the market ------------------------------------------------------------------

def test_centres_are_mesa_agents_that_grow_from_50_to_262(law):
    sc, engine = _engine()
    engine.run_until(sc.settings.start_month)
    agents = engine.state.institutions[KIND]
    assert all(isinstance(c, CareerCentre) and isinstance(c, mesa.Agent) and c.model is engine for c in agents)
    assert len(agents) == 262 and sorted(c.slot for c in agents) == list(range(262))
    assert set(engine.agents_by_type[CareerCentre]) == set(agents)
    # sizes: the largest first, and 2,000-2,500 coaches in 2020 (the published range)
    coaches = np.array([c.coaches for c in agents])
    assert (np.diff(coaches) <= 1e-9).all()
    assert coaches.sum() == pytest.approx(2250)
    p2014 = law.at(dt.date(2014, 1, 1))
    assert 50 <= centres.open_slots(p2014) <= 100 and centres.open_slots(law.at(dt.date(2018, 4, 1))) == 232


def test_province_capacity_follows_the_population():
    latent = centres.LatentMarket.draw(np.random.default_rng(1), np.array([0.281, 0.132, 0.230, 0.176, 0.181]))
    size = np.exp(latent.size_z[:262])
    share = np.bincount(latent.province[:262], weights=size, minlength=5) / size.sum()
    assert share == pytest.approx([0.281, 0.132, 0.230, 0.176, 0.181], abs=0.03)


def test_choice_stays_in_the_province_and_follows_size():
    market = centres.MarketArrays(open=np.array([True, True, True, False] + [False] * (CENTRE_SLOTS - 4)),
                                  capacity=np.zeros(CENTRE_SLOTS), quality=np.ones(CENTRE_SLOTS),
                                  quality_z=np.zeros(CENTRE_SLOTS), province=np.zeros(CENTRE_SLOTS, np.intp),
                                  coaches=np.zeros(CENTRE_SLOTS),
                                  opened=np.full(CENTRE_SLOTS, codes.NO_MONTH))
    market.province[:4] = [0, 0, 1, 1]
    market.coaches[:4] = [3.0, 1.0, 2.0, 50.0]  # slot 3 is closed: never chosen
    p = {"centres.choice.own_province_share": 1.0, "centres.choice.quality_loading": 0.0}
    u = np.random.default_rng(2).random(20_000)
    chosen = choice.choose(np.zeros(20_000, np.intp), u, market, p)
    assert set(chosen) == {0, 1}
    assert np.mean(chosen == 0) == pytest.approx(0.75, abs=0.02)
    assert (choice.choose(np.ones(5, np.intp), u[:5], market, p) == 2).all()
    market.open[:] = False
    assert (choice.choose(np.zeros(5, np.intp), u[:5], market, p) == NO_CENTRE).all()


def test_a_centre_serves_first_come_first_served_within_its_room():
    slot = np.array([0, 0, 0, 1, 1])
    since = np.array([5, 3, 5, 4, 4])
    priority = np.array([0.1, 0.9, 0.2, 0.5, 0.4])
    hours = np.full(5, 4.0)
    served = queue.served_within_capacity(slot, since, priority, hours, np.array([6.0, 0.0] + [0.0] * 298))
    # centre 0: the oldest order first (room left before it), then the next while room remains; centre 1 has none
    assert served.tolist() == [True, True, False, False, False]
    funded = queue.funded_within_budget(since, priority, np.full(5, 100.0), 250.0)
    assert funded.sum() == 2 and funded[1] and funded[[3, 4]].any()


# -- capacity and waiting -------------------------------------------------------

def test_zero_capacity_starts_nobody_and_people_wait():
    zero = {"centres.capacity.hours_per_coach_month": {"2013-07-01": 0}}
    s = _run([{"name": "law_2025", "extends": "law_2025", **SHORT},
              {"name": "none", "extends": "law_2025", **SHORT, "overrides": zero}]).summary
    assert _total(s, "none", "starts_cheque1") == 0 and _total(s, "none", "starts_cheque2") == 0
    assert _total(s, "none", "government_cost_eur") == 0
    assert _total(s, "none", "waiting_list") > 0 and _total(s, "none", "waiting_dropouts") > 0
    assert _total(s, "law_2025", "starts_cheque1") > 0


def test_hours_delivered_never_exceed_capacity_over_time():
    """Hours started stay within the capacity given, plus at most one trajectory, month by month and since the start.

    At full scale this holds per centre; at a reduced scale per pool of centres sharing capacity (at scale 1 a
    pool is one centre).
    """
    scarce = {"centres.capacity.hours_per_coach_month": {"2013-07-01": 0.3}}
    sc, engine = _engine("herintreders", scale=0.01, overrides=scarce)
    engine.run_until(sc.settings.start_month - 1)
    trajectory = 6 * engine.weight  # the longest trajectory (6 hours of loopbaankrediet), in real hours
    delivered_total = capacity_total = 0.0
    for t in range(sc.settings.n_months):
        engine.step()
        market = engine.state.process_data["centre_market"]["arrays"]
        pool = queue.capacity_pools(market.province, engine.weight)
        delivered = np.bincount(pool, engine.counters.data["centre_hours_delivered"][t, 0], CENTRE_SLOTS)
        capacity = np.bincount(pool, engine.counters.data["centre_capacity_hours"][t, 0], CENTRE_SLOTS)
        assert (delivered <= capacity + trajectory + 1e-6).all()
        delivered_total, capacity_total = delivered_total + delivered, capacity_total + capacity
        assert (delivered_total <= capacity_total + trajectory + 1e-6).all()
    assert engine.counters.data["waiting_dropouts"][:, 0].sum() > 0  # it binds
    assert queue.capacity_pools(market.province, 1.0).tolist() == list(range(CENTRE_SLOTS))


def test_capacity_pools_group_centres_of_a_province_at_reduced_scale():
    province = np.array([0, 1, 0, 0, 1, 0, 0])
    assert queue.capacity_pools(province, 1.0).tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert queue.capacity_pools(province, 2.0).tolist() == [0, 1, 0, 3, 1, 3, 6]


def test_capacity_off_serves_every_order_at_once():
    unlimited = {"centres.capacity.limited": {"2013-07-01": False}}
    s = _run([{"name": "open", "extends": "law_2025", **SHORT, "overrides": unlimited}]).summary
    assert _total(s, "open", "waiting_list") == 0 and _total(s, "open", "months_waited") == 0
    assert _total(s, "open", "orders") == _total(s, "open", "starts_cheque1") + _total(s, "open", "starts_cheque2")


def test_capacity_barely_binds_in_the_fit_years(law):
    """Supply grew ahead of demand in 2014-2018: the fit does not need to account for capacity (refit otherwise)."""
    p = law.at(dt.date(2014, 1, 1))
    latent = centres.LatentMarket.draw(np.random.default_rng(0), np.ones(5))
    capacity = latent.coaches(p)[:centres.open_slots(p)].sum() * p["centres.capacity.hours_per_coach_month"]
    hours_asked_2014 = (11_663 + 2_995) * 4 / 12  # published starts x 4 hours, a month
    assert capacity > 1.5 * hours_asked_2014


# -- quality and monitoring ------------------------------------------------------

def test_quality_scales_the_effects_and_its_mean_over_users_is_one(law):
    p = law.at(dt.date(2020, 1, 1))
    latent = centres.LatentMarket.draw(np.random.default_rng(3), np.ones(5))
    n = centres.open_slots(p)
    weight = latent.coaches(p)[:n] * np.exp(p["centres.choice.quality_loading"] * latent.quality_z[:n])
    multiplier = centres.quality_multiplier(p, latent.quality_z[:n], latent.normaliser(p))
    assert np.sum(weight * multiplier) / weight.sum() == pytest.approx(1.0)
    assert multiplier.min() < 0.8 < 1.2 < multiplier.max()


@pytest.mark.parametrize("stratum", [2, 7, 10, 300])
def test_stratified_qualities_put_one_draw_in_each_slice_of_each_run(stratum):
    z = centres.stratified_normal(np.random.default_rng(stratum), CENTRE_SLOTS, stratum)
    assert z.shape == (CENTRE_SLOTS,) and np.isfinite(z).all()
    u = ndtr(z)
    for start in range(0, CENTRE_SLOTS, stratum):
        run = u[start:start + stratum]
        slices = np.floor(run * stratum).astype(int)
        assert len(set(slices)) == len(run)  # a run of slots never has two draws in one slice


def test_independent_qualities_with_a_stratum_of_one():
    assert np.array_equal(centres.stratified_normal(np.random.default_rng(4), 50, 1),
                          np.random.default_rng(4).standard_normal(50))


def test_each_slot_keeps_a_standard_normal_quality():
    """Over replications, a slot's stratified draw is standard normal (Kolmogorov-Smirnov), as independent ones are."""
    draws = np.array([centres.stratified_normal(np.random.default_rng(seed), CENTRE_SLOTS, 10)[[0, 5, 299]]
                      for seed in range(2000)])
    for slot in range(draws.shape[1]):
        assert stats.kstest(draws[:, slot], "norm").pvalue > 0.001


def test_stratified_qualities_steady_the_markets_mean_quality_over_replications(law):
    """The coach-weighted mean quality multiplier spreads less over replications with runs of 10 than without."""
    p = law.at(dt.date(2025, 1, 1))
    n = centres.open_slots(p)

    def spread(stratum: int) -> float:
        means = []
        for seed in range(300):
            latent = centres.LatentMarket.draw(np.random.default_rng(seed), np.ones(5), stratum)
            weight = latent.coaches(p)[:n]
            means.append(np.sum(weight * np.exp(p["centres.quality.sd"] * latent.quality_z[:n])) / weight.sum())
        return float(np.std(means))

    assert spread(10) < 0.5 * spread(1)


@pytest.mark.parametrize("regime, cost_per_centre", [("quality_monitoring", 1000), ("quality_inspection", 5000)])
def test_monitoring_never_lowers_quality_and_costs_per_centre(regime, cost_per_centre):
    specs = [{"name": "law_2025", "extends": "law_2025", **SHORT}, {"name": regime, "extends": regime, **SHORT}]
    s = _run(specs).summary
    for year in (2025, 2026):
        mean = lambda sc, metric, year=year: float(s[(s.scenario == sc) & (s.metric == metric) & (s.year == year)]["value"].iloc[0])  # noqa: E731
        assert mean(regime, "quality_mean") >= mean("law_2025", "quality_mean")
        assert mean(regime, "quality_p10") >= mean("law_2025", "quality_p10")
    assert _total(s, "law_2025", "monitoring_cost_eur") == 0
    open_centres = s[(s.scenario == regime) & (s.metric == "centres_open")].set_index("year")["value"]
    cost = s[(s.scenario == regime) & (s.metric == "monitoring_cost_eur")].set_index("year")["value"]
    assert cost.to_numpy() == pytest.approx(open_centres.to_numpy() * cost_per_centre, rel=1e-9)
    assert _total(s, regime, "centres_improved") > 0
    if regime == "quality_inspection":  # half of those below the lowest tenth lose their mandate
        assert _total(s, regime, "centres_lost_mandate") > 0


def test_a_centre_below_the_floor_improves_or_loses_its_mandate(law):
    p = law.at(dt.date(2026, 1, 1))
    m = month_number(2026, 1)
    host = mesa.Model()
    weak = CareerCentre(host, 0, 0, 0.0, -2.0, m)
    assert weak.assess(p, 0.1, m) == "improved" and weak.quality_z == pytest.approx(centres.floor_z(p))
    other = CareerCentre(host, 1, 0, 0.0, -2.0, m)
    assert other.assess(p, 0.9, m) == "lost" and not other.mandate and other.capacity_hours == 0
    assert other.vacant_until == m + p["centres.monitoring.vacancy_months"] - 1
    strong = CareerCentre(host, 2, 0, 0.0, 0.5, m)
    assert strong.assess(p, 0.9, m) == "passed" and strong.mandate
    assert centres.draw_above_floor(p, 0.0) >= centres.floor_z(p) - 1e-9


def test_clients_of_a_centre_that_lost_its_mandate_move_to_others():
    sc, engine = _engine("quality_inspection", scale=0.01)
    engine.run_until(sc.settings.start_month + 1)  # the January assessment of 2025 has taken place
    agents = engine.state.institutions[KIND]
    lost = {c.slot for c in agents if not c.mandate}
    assert lost
    pop = engine.people
    waiting = pop.waiting_since != codes.NO_MONTH
    assert not np.isin(pop.waiting_centre[waiting], list(lost)).any()


# -- the incentive -----------------------------------------------------------------

def test_incentive_aimed_at_one_group_reaches_that_group_only():
    only = {"centres.incentive.target_groups": {"2025-01-01": ["work_disability"]}}
    sc, engine = _engine("centre_incentive", **{"overrides": only})
    engine.run_until(sc.settings.start_month + 5)
    pop = engine.people
    reached = pop.incentive_until != codes.NO_MONTH
    assert reached.sum() > 0
    assert pop.work_disability[reached].all()
    s = _run([{"name": "herintreders", "extends": "herintreders", **SHORT},
              {"name": "incentive", "extends": "centre_incentive", **SHORT, "overrides": only}]).summary
    assert _total(s, "incentive", "incentive_contacts", "work_disability") == _total(s, "incentive", "incentive_contacts")
    assert _total(s, "incentive", "incentive_bonus_eur") == pytest.approx(
        _total(s, "incentive", "starts_cheque1", "work_disability") * 150)
    assert _total(s, "herintreders", "incentive_contacts") == 0 and _total(s, "herintreders", "incentive_bonus_eur") == 0


def test_cream_skimming_reaches_the_most_ready():
    keen = {"centres.incentive.easiest_client_loading": {"2025-01-01": 1.5}}
    flat = {"centres.incentive.easiest_client_loading": {"2025-01-01": 0.0}}
    readiness = []
    for overrides in (flat, keen):
        sc, engine = _engine("centre_incentive", overrides=overrides)
        engine.run_until(sc.settings.start_month + 3)
        pop = engine.people
        readiness.append(float(pop.readiness[pop.incentive_until != codes.NO_MONTH].mean()))
    assert readiness[1] > readiness[0] + 0.3


# -- the budget cap -------------------------------------------------------------------

@pytest.mark.parametrize("when", ["wait", "refuse"])
def test_budget_cap_is_never_exceeded(when):
    cap = 4_000_000
    over = {"cheque.budget.yearly_cap_eur": {"2025-01-01": cap}, "cheque.budget.when_spent": {"2025-01-01": when}}
    results = _run([{"name": "law_2025", "extends": "law_2025", **SHORT},
                    {"name": "capped", "extends": "law_2025", **SHORT, "overrides": over}])
    s = results.summary
    compared = results.comparison(wide=False).set_index(["scenario", "item", "group"])["value"]
    assert compared[("capped", "extra_cost_total_eur", "all")] < 0
    assert np.isnan(compared[("capped", "cost_per_extra_employed_eur", "all")])  # a saving has no cost per job
    cost = s[(s.scenario == "capped") & (s.metric == "government_cost_eur") & (s.group == "all")].set_index("year")["value"]
    free = s[(s.scenario == "law_2025") & (s.metric == "government_cost_eur") & (s.group == "all")].set_index("year")["value"]
    assert (cost <= cap + 1e-6).all() and (free > cap).any()
    held, refused = _total(s, "capped", "orders_held_budget"), _total(s, "capped", "orders_refused_budget")
    assert (held > 0 and refused == 0) if when == "wait" else (refused > 0 and held == 0)


# -- levers off, and the resolution as a whole ------------------------------------------------

def test_every_centre_lever_off_reproduces_law_2025_exactly():
    """Monitoring that finds nobody below a floor of 0, an incentive of EUR 0, a cap never reached: same numbers."""
    off = {"centres.monitoring.enabled": {"2025-01-01": True}, "centres.monitoring.floor_quantile": {"2013-07-01": 0.0},
           "centres.monitoring.cost_per_centre_year": {"2013-07-01": 0},
           "centres.incentive.enabled": {"2025-01-01": True}, "centres.incentive.bonus_per_client_eur": {"2013-07-01": 0},
           "cheque.budget.yearly_cap_eur": {"2025-01-01": 1.0e9}}
    s = _run([{"name": "law_2025", "extends": "law_2025", **SHORT},
              {"name": "levers_off", "extends": "law_2025", **SHORT, "overrides": off}]).summary
    base = s[s.scenario == "law_2025"].drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(s[s.scenario == "levers_off"].drop(columns="scenario").reset_index(drop=True), base)


def test_resolution_full_shows_each_asks_part(law, tmp_path):
    full = Scenario.load("resolution_full", law)
    assert list(full.parts) == ["ask_1_reentrants", "ask_2_outreach", "ask_3_vdab_followup", "ask_4_monitoring"]
    assert full.lineage[:2] == ["resolution_full", "law_2025"]
    p = full.tree.at(dt.date(2026, 1, 1))
    assert p["cheque.eligibility.reentrant.enabled"] and p["outreach.letter.enabled"]
    assert p["vdab_followup.enabled"] and p["centres.monitoring.enabled"]
    # the same parts on a base with keen re-entrants (so that the small sample has some)
    base = tmp_path / "keen_law.yaml"
    base.write_text(yaml.safe_dump({"name": "keen_law", "extends": "law_2025", **SHORT, "overrides": KEEN}))
    specs = [{"name": "resolution_full", "extends": str(base), "parts": {
        "ask_1_reentrants": "herintreders", "ask_2_outreach": "herintreders_outreach",
        "ask_3_vdab_followup": "vdab_followup", "ask_4_monitoring": "quality_monitoring"}}]
    results = _run(specs, replications=2)
    names = [s.name for s in results.scenarios]
    assert names[0] == "keen_law"  # the base comes first when it is not in the run
    assert "resolution_full__ask_2_outreach" in names and "resolution_full__upto_ask_3_vdab_followup" in names
    parts = results.parts()
    users = parts[parts["item"] == "extra_users"].set_index(["part", "how"])["value"]
    steps = users.xs("added_in_order", level="how")
    assert steps.sum() == pytest.approx(users[("all parts", "together")])
    alone = users.xs("alone", level="how")
    assert alone.sum() + users[("all parts", "interaction")] == pytest.approx(users[("all parts", "together")])
    assert users[("ask_2_outreach", "alone")] == 0  # outreach to non-active people who may not order: no users
    assert users[("all parts", "together")] > 0
    # every figure with its interval of the mean, the whole as the comparison has it
    assert (parts["replications"] == 2).all() and set(parts["noise"]) <= {"clear", "within noise", "exact"}
    told = parts[parts["noise"] != "exact"]
    assert ((told.mean_low <= told.value + 1e-9) & (told.value <= told.mean_high + 1e-9)).all()
    compared = results.comparison(wide=False).set_index(["scenario", "item", "group"])
    whole = compared.loc[("resolution_full", "extra_users", "all")]
    together = parts.set_index(["part", "how", "item"]).loc[("all parts", "together", "extra_users")]
    assert together.value == pytest.approx(whole.value) and together.noise == whole.noise
    assert together.mean_low == pytest.approx(whole.mean_low, nan_ok=True)
    # the steps add up run by run, so the steps' means add up to the whole's
    runs = parts_of.per_replication(results.run, results.run.parts)
    steps = runs[(runs.how == "added_in_order") & (runs.item == "extra_users")].groupby("replication")["value"].sum()
    whole_runs = runs[(runs.how == "together") & (runs.item == "extra_users")].set_index("replication")["value"]
    assert np.allclose(steps.sort_index(), whole_runs.sort_index())
    out = io.StringIO()
    print_parts(parts, file=out)
    assert "interval of the mean" in out.getvalue() and "interaction" in out.getvalue()


PART_A = "name: a\nextends: law_2025\noverrides:\n  vdab_followup.enabled: {2025-01-01: true}\n"
PART_B = "name: b\nextends: law_2025\noverrides:\n  vdab_followup.enabled: {2026-01-01: true}\n"


@pytest.mark.parametrize("parts, message", [
    ("{one: a.yaml, two: b.yaml}", "parts.two.*overrides 'vdab_followup.enabled', which part 'one'"),
    ("{one: a.yaml}", "at least two parts"),
    ("{One: a.yaml, two: b.yaml}", "parts.One.*lower-case"),
    ("{one: a.yaml, two: law_2025}", "parts.two.*overrides nothing of its own"),
    ("{one: a.yaml, two: nowhere}", "parts.two.*not found"),
    ("{one: a.yaml, two: c.yaml}", "parts.two.*cannot be a part of itself"),
    ("{one: a.yaml, two: ' '}", "parts.two.*is not a scenario"),
    ("{one: a.yaml, two: resolution_full}", "parts.two.*is a scenario made of parts; name its parts here"),
])
def test_bad_parts_are_refused_with_the_key(tmp_path, parts, message):
    (tmp_path / "a.yaml").write_text(PART_A)
    (tmp_path / "b.yaml").write_text(PART_B)
    (tmp_path / "c.yaml").write_text(f"name: c\nextends: law_2025\nparts: {parts}\n")
    with pytest.raises(ScenarioError, match=message):
        Scenario.load(tmp_path / "c.yaml")


def test_a_run_without_parts_has_an_empty_parts_table():
    results = _run([{"name": "law_2025", "extends": "law_2025", **SHORT}])
    assert results.parts().empty and not results.run.parts


def test_market_counters_refuse_what_they_cannot_hold():
    from model.engine.counters import Counter, Recorder

    recorder = Recorder([Counter("by_group", "flow", "persons", "x"),
                         Counter("per_centre", "stock", "hours", "x", (("centre", ("a", "b")),), by_group=False)], 2, 1.0)
    with pytest.raises(ValueError, match="counter 'nothing' is not declared"):
        recorder.total("nothing", 0, 1.0)
    with pytest.raises(ValueError, match="counter 'by_group' is kept by group"):
        recorder.total("by_group", 0, 1.0)
    with pytest.raises(ValueError, match="counter 'per_centre' has extra dimensions"):
        recorder.total("per_centre", 0, 1.0)
    recorder.total("per_centre", 1, np.array([2.0, 3.0, 4.0]), np.array([0, 1, 1]))
    assert recorder.data["per_centre"][1, 0].tolist() == [2.0, 7.0]


def test_parts_go_alone_and_cannot_be_extended(tmp_path):
    (tmp_path / "a.yaml").write_text("name: a\nextends: law_2025\noverrides:\n  vdab_followup.enabled: {2025-01-01: true}\n")
    (tmp_path / "b.yaml").write_text("name: b\nextends: law_2025\noverrides:\n  outreach.letter.enabled: {2025-01-01: true}\n")
    (tmp_path / "both.yaml").write_text("name: both\nextends: law_2025\nparts: {one: a.yaml, two: b.yaml}\n"
                                        "overrides:\n  centres.monitoring.enabled: {2025-01-01: true}\n")
    with pytest.raises(ScenarioError, match="'parts' and 'overrides' cannot go together"):
        Scenario.load(tmp_path / "both.yaml")
    with pytest.raises(ScenarioError, match="extends .*resolution_full.yaml, a scenario made of parts"):
        Scenario.resolve({"name": "x", "extends": "resolution_full"})


def test_a_budget_cap_from_mid_year_counts_the_spending_since_january():
    cap = 8_500_000  # above what the first half of 2025 costs and below the year's: the second half runs out
    over = {"cheque.budget.yearly_cap_eur": {"2025-07-01": cap}}
    s = _run([{"name": "capped", "extends": "law_2025", **SHORT, "overrides": over}]).summary
    cost = s[(s.scenario == "capped") & (s.metric == "government_cost_eur") & (s.group == "all")].set_index("year")["value"]
    assert (cost <= cap + 1e-6).all()
    assert _total(s, "capped", "orders_held_budget") > 0


@pytest.mark.parametrize("text, message", [
    ("name: x\nextends: law_2025\nparts: {one: herintreders, two: nowhere}\n", "key 'parts.two': scenario 'nowhere' not found"),
    ("name: x\nextends: resolution_full\n", "a scenario made of parts"),
    ("name: x\nextends: law_2025\noverrides:\n  centres.waiting.dropout_per_month: {2025-01-01: 1.5}\n",
     "centres.waiting.dropout_per_month"),
    ("name: x\nextends: law_2025\noverrides:\n  cheque.budget.when_spent: {2025-01-01: reject}\n",
     "cheque.budget.when_spent"),
    ("name: x\nextends: law_2025\noverrides:\n  centres.capacity.hours_per_coach: {2025-01-01: 4}\n",
     "centres.capacity.hours_per_coach"),
])
def test_the_command_refuses_bad_centre_input_and_keeps_earlier_runs(tmp_path, text, message):
    from typer.testing import CliRunner

    from model.interfaces.cli import app
    out = tmp_path / "out"
    (out / "earlier").mkdir(parents=True)
    (out / "earlier" / "keep.txt").write_text("x")
    (tmp_path / "x.yaml").write_text(text)
    result = CliRunner().invoke(app, ["run", str(tmp_path / "x.yaml"), "--scale", "0.001", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["earlier"] and (out / "earlier" / "keep.txt").read_text() == "x"
