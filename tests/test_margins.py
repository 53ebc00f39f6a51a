"""The baseline holds its margins: the composition of the population, the employment rate of every raked group.

Before, cohorts ageing with their own mix (the better-educated ageing into 55-64) and job-finding weights
averaged over whole age bands carried the simulated rates 1-6 points above the published ones within a few
years (55-64: +3 points three years after a start on the 2023 table). These tests start on the table of 2023
with the projection frozen, so every margin should hold, and check it three years on.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import model
from model.mechanisms.ageing.process import composition_targets, shares_of
from model.mechanisms.labour_market.tables import tables_for
from model.mechanisms.margins.process import MARGINS, MEMBERSHIP
from model.results.flows import band_check, published_bands
from model.results.margins import margin_settings, margin_table

FROZEN_FROM_2023 = {"name": "held", "extends": "law_2025", "start": "2023-01", "end": "2025-12", "warmup_months": 0}
BIG_GROUPS = ("all", "men", "women", "age_20_34", "age_35_44", "age_45_54", "age_55_64", "mid_educated_25_64",
              "high_educated_25_64")


@pytest.fixture(scope="module")
def held():
    """law_2025 from the 2023 table, three years, projection frozen, scale 0.05, saved.

    At scale 0.02 (76,000 people) a group of 20-34-year-olds drifts by up to 0.6 point from its rate by chance,
    with any renewal; at 0.05 the big groups stay within 0.35 point (seeds 11-13).
    """
    sim = model.Simulation([FROZEN_FROM_2023], scale=0.05, seed=11, projection="frozen")
    return sim.run(progress=False, cache=False)


def test_every_raked_group_holds_its_employment_rate(held):
    margins = margin_table(held.summary)
    assert set(margins["margin"]) == set(MARGINS) and set(margins["year"]) == {2023, 2024, 2025}
    last = margins[margins["year"] == 2025].set_index("margin")
    # the big groups within the 0.5 point of the issue; the small ones (some thousands of people at this scale)
    # within their sampling noise
    assert (last.loc[list(BIG_GROUPS), "difference"].abs() <= margin_settings()["tolerance"]).all(), last
    assert (last["difference"].abs() <= 0.015).all(), last
    assert last["within_tolerance"].loc[list(BIG_GROUPS)].all()
    # frozen: the table holds the same rates each year, and the published ones are the 2023 figures
    assert last.loc["all", "target"] == pytest.approx(0.768) and last.loc["age_55_64", "published"] == 0.608


def test_the_population_keeps_the_tables_composition():
    sim = model.Simulation([FROZEN_FROM_2023], scale=0.01, seed=3, projection="frozen")
    builder = model.experiments.build.Builder(sim.plan, 0)
    engine = builder.model(sim.scenarios[0], builder.initial_state()[0])
    engine.run_until(engine.month + 30)
    pop = engine.people
    present = np.flatnonzero(pop.status != model.people.codes.ABSENT)
    table, _ = tables_for(engine, engine.month - 1)
    targets = composition_targets(table, engine.weight)
    cells = pop.labour_cell_static[present].astype(int) * targets.shape[1] + pop.age_band(present)
    counts = np.bincount(cells, minlength=targets.size).reshape(targets.shape)
    # every cell within a person of its count (or a few for the cells the month's ageing moved since)
    assert np.abs(counts - targets).max() < 25
    assert abs(counts.sum() - targets.sum()) < 5


@pytest.mark.parametrize("gaps, total", [([0.4, 0.4, 0.2], 1), ([0.3] * 10, 3), ([2.5, 0.0, 1.5], 4),
                                         ([0.0, 0.0], 3), ([1.0, 2.0], 0)])
def test_the_people_missing_go_where_the_table_lacks_them_most(gaps, total):
    out = shares_of(np.array(gaps), total)
    assert out.sum() == (total if sum(gaps) > 0 else 0)
    assert (out >= 0).all() and (out[np.array(gaps) == 0] == 0).all()
    assert np.abs(out - np.array(gaps) / max(sum(gaps), 1e-12) * total).max() < 1 + 1e-9


def test_the_margins_table_from_a_summary():
    rows = []
    for margin, people, employed, target in (("all", 100.0, 77.0, 0.768), ("age_55_64", 50.0, 40.0, 0.79)):
        for metric, value in (("margin_people", people), ("margin_employed", employed),
                              ("employment_rate_target", target), ("employment_rate_published", target)):
            rows.append({"scenario": "s", "year": 2030, "metric": metric, "group": "all", "margin": margin,
                         "value": value})
    table = margin_table(pd.DataFrame(rows)).set_index("margin")
    assert table.loc["all", "model"] == pytest.approx(0.77) and bool(table.loc["all", "within_tolerance"])
    assert table.loc["age_55_64", "difference"] == pytest.approx(0.01)
    assert not table.loc["age_55_64", "within_tolerance"] and table.loc["age_55_64", "above_best_eu"]
    assert margin_table(pd.DataFrame({"scenario": [], "metric": [], "group": [], "value": []})).empty


def test_the_membership_of_each_margin():
    sizes = MEMBERSHIP.sum(axis=(1, 2))
    by = dict(zip(MARGINS, sizes))
    assert by["all"] == MEMBERSHIP.shape[1] * MEMBERSHIP.shape[2]
    assert by["men"] + by["women"] == by["all"]
    assert sum(by[f"age_{a}"] for a in ("20_34", "35_44", "45_54", "55_64")) == by["all"]
    assert sum(by[f"{e}_educated_25_64"] for e in ("low", "mid", "high")) == by["all"] - MEMBERSHIP.shape[1]


@pytest.mark.parametrize("text, message", [
    ("tolerance: {value: 0.005}\n", "key 'best_eu_rate_55_64.value' must be a number between 0 and 1, got None"),
    ("tolerance: {value: 2}\nbest_eu_rate_55_64: {value: 0.779}\n",
     "key 'tolerance.value' must be a number between 0 and 1, got 2"),
    ("tolerance: {value: true}\nbest_eu_rate_55_64: {value: 0.779}\n",
     "key 'tolerance.value' must be a number between 0 and 1, got True"),
    ("- a list\n", "key 'tolerance.value' must be a number between 0 and 1, got None"),
])
def test_a_bad_margins_file_is_refused_naming_the_key(tmp_path, text, message):
    path = tmp_path / "margins.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        margin_settings(path)


def test_the_flow_bands_and_the_models_flows_against_them():
    bands = published_bands().set_index("flow")
    assert bands.loc["non_active_to_employed", ["low", "high"]].tolist() == [0.098, 0.174]
    table = pd.DataFrame([{"scenario": "s", "year": y, "group": "all", "from_status": "non_active",
                           "to_status": "employed", "persons": 1.0, "share": share} for y, share in ((2025, 0.16),
                                                                                                  (2026, 0.20))])
    check = band_check(table, bands.reset_index()).set_index("flow")
    assert check.loc["non_active_to_employed", "model_mean"] == pytest.approx(0.18)
    assert not check.loc["non_active_to_employed", "within_band"]
    assert check.loc["non_active_to_employed", "model_first_year"] == pytest.approx(0.16)


@pytest.mark.parametrize("band, message", [
    ("  x: {from_status: employed, to_status: employed, low: 0.1, high: 0.2}\n",
     "key 'bands.x' needs exactly the keys description, from_status, high, low, reference, to_status"),
    ("  x: {from_status: retired, to_status: employed, low: 0.1, high: 0.2, description: d, reference: [r]}\n",
     "key 'bands.x': from_status and to_status must be among"),
    ("  x: {from_status: employed, to_status: employed, low: 0.3, high: 0.2, description: d, reference: [r]}\n",
     "key 'bands.x': low and high must be shares between 0 and 1, low not above high; got 0.3 and 0.2"),
    ("  x: {from_status: employed, to_status: employed, low: true, high: 0.2, description: d, reference: [r]}\n",
     "key 'bands.x': low and high must be shares between 0 and 1"),
])
def test_a_bad_band_is_refused_naming_the_key(tmp_path, band, message):
    path = tmp_path / "transitions.yaml"
    path.write_text("bands:\n" + band)
    with pytest.raises(ValueError, match=message):
        published_bands(path)
    path.write_text("transitions: {}\n")
    with pytest.raises(ValueError, match="key 'bands' must map names to bands of a flow"):
        published_bands(path)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(st.floats(0.0, 50.0), min_size=1, max_size=12), st.integers(0, 40)),
                min_size=1, max_size=8), st.integers(0, 2**32 - 1))
def test_the_entrants_quotas_are_drawn_whole_each_in_its_cells(quotas, seed):
    """Each quota gets exactly its number, only in its own cells with weight: the floors, and the remainder on top."""
    from model.people.synthesis import integerise_within

    quotas = [(w, n) for w, n in quotas if sum(w) > 0]
    if not quotas:
        return
    weights = np.concatenate([np.asarray(w) for w, _ in quotas])
    bounds = np.cumsum([0] + [len(w) for w, _ in quotas])
    indices = [np.arange(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
    n = np.array([q[1] for q in quotas], dtype=np.int64)
    drawn = integerise_within(weights, indices, n, np.random.default_rng(seed))
    counts = np.bincount(drawn, minlength=len(weights))
    for k, index in enumerate(indices):
        assert counts[index].sum() == n[k]
        expected = weights[index] / weights[index].sum() * n[k]
        remainder = n[k] - np.floor(expected).sum()
        assert np.all(counts[index] >= np.floor(expected)) and np.all(counts[index] - np.floor(expected) <= remainder)
        assert np.all(counts[index][weights[index] == 0] == 0)
    assert np.array_equal(drawn, np.repeat(np.arange(len(weights)), counts))  # quota by quota, cell by cell


def test_the_entrants_quotas_remainders_follow_the_fractional_parts():
    """Over many draws, each cell's mean count is its expected count (the multinomial of :func:`integerise`)."""
    from model.people.synthesis import integerise_within

    weights = np.array([1.0, 2.0, 0.0, 3.5, 0.25, 0.25, 7.0])
    indices = [np.array([0, 1, 2]), np.array([3, 4, 5, 6])]
    n = np.array([2, 3])
    rng = np.random.default_rng(7)
    mean = np.mean([np.bincount(integerise_within(weights, indices, n, rng), minlength=7) for _ in range(20000)], axis=0)
    expected = np.concatenate([weights[i] / weights[i].sum() * k for i, k in zip(indices, n)])
    assert np.allclose(mean, expected, atol=0.02)
