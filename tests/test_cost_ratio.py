"""One cost ratio, honestly: the mean extra cost over the mean gain, with Fieller's interval, the same everywhere."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from model.results.comparison import RATIOS, cost_ratios, model_items, ratio_of_means


def test_fiellers_interval_covers_the_true_ratio_nine_times_in_ten():
    rng = np.random.default_rng(20250101)
    covered = given = 0
    for _ in range(3000):
        gain = rng.normal(100, 40, size=8)
        cost = 2000 * gain + rng.normal(50_000, 20_000, size=8)  # cost and gain correlated, as in a run
        r = ratio_of_means(cost, gain)
        if r.noise == "clear":
            given += 1
            covered += r.low <= (2000 * 100 + 50_000) / 100 <= r.high
    assert given > 2900
    assert 0.88 < covered / given < 0.92


def test_the_ratio_is_of_the_means_not_the_mean_of_the_runs_ratios():
    r = ratio_of_means([1.0e6, 1.2e6, 0.9e6], [100, 120, 110])
    assert r.value == pytest.approx(3.1e6 / 330)
    assert r.low < r.value < r.high and r.noise == "clear"


@pytest.mark.parametrize("cost, gain, why", [
    ([1.0e6, 1.2e6, 0.9e6], [10, 30, -5], "the gain's interval includes 0"),
    ([-1.0e6, -1.2e6, -0.9e6], [100, 120, 110], "a saving has no cost per gain"),
    ([1.0e6, 1.2e6, 0.9e6], [-100, -120, -110], "a loss has no cost per gain"),
    ([], [], "no runs"),
])
def test_no_ratio_when_the_gain_is_not_told_from_noise_or_not_a_gain(cost, gain, why):
    r = ratio_of_means(cost, gain)
    assert np.isnan(r.value) and np.isnan(r.low) and np.isnan(r.high), why
    assert r.noise == "not defined"


def test_one_replication_gives_its_ratio_without_an_interval_and_equal_runs_an_exact_one():
    one = ratio_of_means([1.0e6], [100])
    assert one.value == 1.0e4 and np.isnan(one.low) and one.noise == "one replication"
    assert np.isnan(ratio_of_means([1.0e6], [0.5]).value)  # less than one person: no ratio
    exact = ratio_of_means([1.0e6, 1.0e6], [100, 100])
    assert (exact.value, exact.low, exact.high, exact.noise) == (1.0e4, 1.0e4, 1.0e4, "exact")


def _per_rep(costs, gains):
    rows = []
    for rep, (cost, gain) in enumerate(zip(costs, gains)):
        rows.append(("ask", "law", "extra_cost_total_eur", "all", rep, cost))
        for effect in set(RATIOS.values()):
            rows.append(("ask", "law", effect, "all", rep, gain))
        rows.append(("ask", "law", "extra_users", "women", rep, gain / 2))
    return pd.DataFrame(rows, columns=["scenario", "baseline", "item", "group", "replication", "value"])


def test_the_comparison_gives_each_cost_ratio_as_a_ratio_of_means_with_no_band_of_runs():
    per_rep = _per_rep([1.0e6, 1.2e6, 0.9e6], [100, 120, 110])
    out = cost_ratios(per_rep, SimpleNamespace(parameter_sets=None)).reset_index()
    assert set(out["item"]) == set(RATIOS) and (out["group"] == "all").all()
    assert np.allclose(out["value"], 3.1e6 / 330)
    assert out["p05"].isna().all() and out["p95"].isna().all()
    assert (out["replications"] == 3).all() and (out["noise"] == "clear").all()


def test_with_parameter_sets_the_units_of_the_ratio_are_the_sets_means():
    per_rep = _per_rep([1.0e6, 1.4e6, 0.8e6, 1.2e6], [100, 140, 100, 120])
    result = SimpleNamespace(parameter_sets=object(), parameter_set_of=lambda reps: np.asarray(reps) // 2)
    out = cost_ratios(per_rep, result).reset_index().set_index("item")
    by_set = ratio_of_means([1.2e6, 1.0e6], [120, 110])
    assert out.loc["cost_per_extra_person_year_eur", "value"] == pytest.approx(by_set.value)
    assert out.loc["cost_per_extra_person_year_eur", "mean_low"] == pytest.approx(by_set.low)


def test_the_terminal_shows_the_ratio_with_its_interval_and_says_what_it_is(capsys):
    from model.interfaces.printing import print_differences

    items = model_items()
    per_rep = _per_rep([1.0e6, 1.2e6, 0.9e6], [100, 120, 110])
    ratios = cost_ratios(per_rep, SimpleNamespace(parameter_sets=None)).reset_index()
    print_differences(ratios, items, 2034)
    out = capsys.readouterr().out
    row = ratios.set_index("item").loc["cost_per_extra_person_year_eur"]
    fmt = items["cost_per_extra_person_year_eur"].fmt
    expected = f"{fmt.format(row.value)} [{fmt.format(row.mean_low)}, {fmt.format(row.mean_high)}]"
    assert expected in out
    assert "mean extra cost / mean gain" in out and "Fieller" in out
