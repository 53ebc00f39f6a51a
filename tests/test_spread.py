"""Where the spread over parameter sets comes from: groups of assumptions, the design, the shares."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from model.params import uncertainty
from model.params.tree import ParameterError
from model.report import labels
from model.results import spread


def test_every_drawn_parameter_is_in_exactly_one_group_with_a_label_in_both_languages(law):
    groups = uncertainty.assumption_groups(uncertainty.drawn_paths(law))
    assert set(groups) == set(uncertainty.drawn_paths(law))
    assert groups["behaviour.uptake.out_of_work"] == "take_up_out_of_work"
    assert groups["behaviour.uptake.out_of_work_group_carryover"] == "take_up_out_of_work"
    assert groups["behaviour.uptake.intercept_cheque1"] == "take_up_fitted"  # the longest prefix wins
    assert groups["behaviour.readiness.job_finding_loading"] == "guidance_effect"
    for name in [*uncertainty.assumption_group_descriptions(), spread.NOISE, spread.NOT_ATTRIBUTED]:
        assert labels.has(f"assumption_group.{name}")


@pytest.mark.parametrize("text, message", [
    ("groups:\n  a: {description: d, prefixes: [x]}\n",
     r"the drawn parameter 'behaviour.uptake.women' is in no group of assumptions; add a prefix of it to one of "
     r"the groups: a"),
    ("groups:\n  a: {description: d, prefixes: [behaviour]}\n  b: {description: e, prefixes: [behaviour]}\n",
     r"key 'groups.b.prefixes': 'behaviour' is already in group 'a'; a prefix belongs to one group"),
    ("groups:\n  a: {description: d, prefixes: [behaviour], weight: 2}\n",
     r"key 'groups.a.weight' is not allowed; allowed keys: description, prefixes"),
    ("groups:\n  a: {description: d, prefixes: []}\n", r"key 'groups.a.prefixes': List should have at least 1 item"),
])
def test_a_bad_file_of_groups_is_refused_naming_the_file_and_key(tmp_path, text, message):
    bad = tmp_path / "groups.yaml"
    bad.write_text(text)
    with pytest.raises(ParameterError, match=message) as caught:
        uncertainty.assumption_groups(["behaviour.uptake.women"], bad)
    assert str(bad) in str(caught.value)


def test_the_prefix_matches_whole_names_only(tmp_path):
    file = tmp_path / "groups.yaml"
    file.write_text("groups:\n  short: {description: d, prefixes: [a.b]}\n  long: {description: e, prefixes: [a.b.c]}\n")
    assert uncertainty.assumption_groups(["a.b", "a.b.c", "a.b.c.d", "a.b.cd"], file) == {
        "a.b": "short", "a.b.c": "long", "a.b.c.d": "long", "a.b.cd": "short"}
    with pytest.raises(ParameterError, match="'a.bc' is in no group"):
        uncertainty.assumption_groups(["a.bc"], file)


def _sets(values: dict[str, list]) -> pd.DataFrame:
    rows = [(k, path, v) for path, column in values.items() for k, v in enumerate(column)]
    return pd.DataFrame(rows, columns=["parameter_set", "parameter", "value"])


def test_the_design_has_a_rank_column_per_drawn_value_and_an_indicator_per_choice():
    table = _sets({"a.x": [0.3, 0.1, 0.2, 0.4], "a.m": ['{"p": 1, "q": 2}', '{"p": 0, "q": 1}',
                                                           '{"p": 3, "q": 4}', '{"p": 2, "q": 3}'],
                   "b.c": ["outlook", "trend", "outlook", "frozen"], "b.flat": [5, 5, 5, 5]})
    x = spread.design(table, {"a.x": "a", "a.m": "a", "b.c": "b", "b.flat": "b"})
    # a mapping whose keys move together is one column; the ranks are in (0, 1]
    assert x["a"].shape == (4, 2) and sorted(x["a"][:, 0]) == [0.25, 0.5, 0.75, 1.0]
    assert x["b"].shape == (4, 2)  # three choices: two indicators; a value that never changes: none
    assert sorted(x["b"].sum(axis=0)) == [1.0, 2.0]  # "outlook" twice, "trend" once ("frozen" is the first)


def _fake_run(n_sets: int, replications: int, effect, noise_sd: float, seed: int = 3):
    rng = np.random.default_rng(seed)
    a, b = rng.random(n_sets), rng.random(n_sets)
    table = _sets({"behaviour.uptake.out_of_work": list(a), "centres.quality.sd": list(b)})
    runs = n_sets * replications
    set_of = np.arange(runs) // replications
    value = effect(a[set_of], b[set_of]) + rng.normal(0, noise_sd, runs)
    per_rep = pd.DataFrame({"scenario": "s", "baseline": "base", "item": "extra_users", "group": "all",
                            "replication": np.arange(runs), "value": value})
    run = SimpleNamespace(parameter_sets=table, settings=SimpleNamespace(replications=replications),
                          parameter_set_of=lambda r: np.asarray(r) // replications)
    return run, per_rep


def test_the_spread_goes_to_the_group_whose_values_drive_it():
    run, per_rep = _fake_run(60, 2, lambda a, b: 100 * a, noise_sd=5)
    table = spread.spread_table(run, per_rep).set_index("assumption_group")
    t = table["share"]
    assert t["take_up_out_of_work"] > 0.9 and t["centres"] < 0.1
    # what drives it stands out from chance; what does not, does not
    assert table.at["take_up_out_of_work", "p_value"] < 1e-9 and table.at["centres", "p_value"] > 0.05
    assert np.isnan(t["guidance_effect"]) is np.False_ and t["guidance_effect"] == 0.0  # no drawn column: nothing
    assert 0 < t[spread.NOISE] < 0.05  # a set mean's noise: 5² / 2 against a spread of about 100² / 12
    assert t[spread.NOT_ATTRIBUTED] < 0.1
    # a monotone effect that is not a line still counts: the values enter as ranks
    run, per_rep = _fake_run(60, 2, lambda a, b: np.exp(6 * b), noise_sd=0.1)
    t = spread.spread_table(run, per_rep).set_index("assumption_group")["share"]
    assert t["centres"] > 0.6 and t["take_up_out_of_work"] < 0.1


def test_pinned_shares_under_a_seed():
    # 10 a + 5 b with a, b uniform: a holds 4/5 of the variance, b 1/5 (an estimate from 40 sets)
    run, per_rep = _fake_run(40, 2, lambda a, b: 10 * a + 5 * b, noise_sd=1)
    t = spread.spread_table(run, per_rep).set_index("assumption_group")["share"]
    assert (t["take_up_out_of_work"], t["centres"]) == pytest.approx((0.8, 0.2), abs=0.1)
    assert t.round(3).to_dict() == {"take_up_fitted": 0.0, "take_up_out_of_work": 0.725, "guidance_effect": 0.0,
                                    "labour_market": 0.0, "centres": 0.217, "outreach_and_vdab": 0.0,
                                    spread.NOISE: t.round(3)[spread.NOISE], spread.NOT_ATTRIBUTED: 0.018}
    assert t[spread.NOISE] == pytest.approx(0.5 / (125 / 12), rel=0.5)  # 1² / 2 against about 125 / 12


def test_too_few_sets_one_replication_or_no_spread_give_no_share():
    run, per_rep = _fake_run(6, 2, lambda a, b: 100 * a, noise_sd=5)  # 6 sets: 6 - 1 - 1 < 5 degrees left
    t = spread.spread_table(run, per_rep).set_index("assumption_group")["share"]
    assert np.isnan(t["take_up_out_of_work"]) and np.isnan(t[spread.NOT_ATTRIBUTED])
    run, per_rep = _fake_run(30, 1, lambda a, b: 100 * a, noise_sd=5)  # one replication: the noise is unknown
    t = spread.spread_table(run, per_rep).set_index("assumption_group")["share"]
    assert t["take_up_out_of_work"] > 0.9 and np.isnan(t[spread.NOISE])
    run, per_rep = _fake_run(30, 2, lambda a, b: 0 * a, noise_sd=0)  # a difference that never changes
    t = spread.spread_table(run, per_rep)
    assert t["share"].isna().all() and (t["sd_of_set_means"] == 0).all()


def test_no_parameter_sets_no_table():
    run = SimpleNamespace(parameter_sets=None)
    assert spread.spread_table(run).empty


def test_a_group_of_many_columns_explains_some_spread_by_chance_and_its_test_says_so():
    # 30 sets, a group of 12 columns with no bearing on y: some R² by chance (12/29 on average); adjusted and tested,
    # it is not taken for an effect
    rng = np.random.default_rng(5)
    y = rng.normal(size=30)
    x = rng.random((30, 12))
    share, p_value = spread.group_share(y, x)
    raw = 1 - np.sum((y - np.column_stack([np.ones(30), x]) @ np.linalg.lstsq(np.column_stack([np.ones(30), x]), y,
                                                                               rcond=None)[0]) ** 2) / np.sum(
        (y - y.mean()) ** 2)
    assert raw > 0.1 and share < raw and p_value > 0.05
    assert spread.group_share(y, np.empty((30, 0))) == (0.0, 1.0)
    assert all(np.isnan(spread.group_share(y[:10], x[:10])))  # 10 sets, 12 columns: nothing to tell


def test_the_p_value_can_be_told_again_from_the_share():
    rng = np.random.default_rng(8)
    x = rng.random((40, 4))
    y = x[:, 0] + rng.normal(0, 0.5, 40)
    share, p_value = spread.group_share(y, x)
    assert spread.p_value_of_share(share, 4, 40) == pytest.approx(p_value, rel=1e-9)
    assert np.isnan(spread.p_value_of_share(np.nan, 4, 40)) and np.isnan(spread.p_value_of_share(0.5, 0, 40))
