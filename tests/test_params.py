"""Dated parameters: values by date, interpolation, and every error message."""

import datetime as dt

import pytest

from model.params.tree import ParameterError, ParameterTree


def test_values_change_on_their_date(law):
    assert law.at(dt.date(2019, 12, 1))["cheque.eligibility.worker_rule"] == "recent_work"
    assert law.at(dt.date(2020, 1, 1))["cheque.eligibility.worker_rule"] == "experience"


def test_linear_interpolation_of_population_size(law):
    size = law.at(dt.date(2020, 7, 2))["population.size_20_64"]
    assert 3_817_000 < size < 3_900_000


def test_every_parameter_has_description_unit_and_reference(law):
    for p in law.parameters.values():
        assert p.description and p.unit and p.reference, p.path


def test_unknown_path_names_close_matches(law):
    with pytest.raises(ParameterError, match=r"unknown parameter 'cheque.cheques.window'.*window_months"):
        law.at(dt.date(2021, 1, 1))["cheque.cheques.window"]


def test_date_before_first_value(law):
    with pytest.raises(ParameterError, match=r"'cheque.cheques.max_per_window' has no value on 2010-01-01: its first value applies from 2013-07-01"):
        law["cheque.cheques.max_per_window"].at(dt.date(2010, 1, 1))


def test_override_out_of_range(law):
    with pytest.raises(ParameterError, match=r"s.yaml: overrides: cheque.cheques.window_months: 0 is below the minimum 1"):
        law.with_overrides({"cheque.cheques.window_months": {dt.date(2025, 1, 1): 0}}, "s.yaml")


def test_override_wrong_type(law):
    with pytest.raises(ParameterError, match=r"expected a bool like False, got 'yes please'"):
        law.with_overrides({"cheque.eligibility.reentrant.enabled": {dt.date(2025, 1, 1): "yes please"}}, "s.yaml")


def test_override_category_not_allowed(law):
    with pytest.raises(ParameterError, match=r"'ten_years' is not allowed; allowed values: \['recent_work', 'experience'\]"):
        law.with_overrides({"cheque.eligibility.worker_rule": {dt.date(2025, 1, 1): "ten_years"}}, "s.yaml")


def test_override_wrong_keys(law):
    with pytest.raises(ParameterError, match=r"keys must be exactly \['cheque1', 'cheque2'\]"):
        law.with_overrides({"cheque.cheques.user_price": {dt.date(2025, 1, 1): {"cheque1": 60}}}, "s.yaml")


def test_override_unknown_path(law):
    with pytest.raises(ParameterError, match=r"s.yaml: overrides: unknown parameter 'cheque.price'"):
        law.with_overrides({"cheque.price": {dt.date(2025, 1, 1): 1}}, "s.yaml")


def test_missing_parameter_folder(tmp_path):
    with pytest.raises(ParameterError, match="does not exist"):
        ParameterTree.load(tmp_path / "nope")


def test_parameter_without_reference(tmp_path):
    (tmp_path / "x.yaml").write_text("a:\n  description: d\n  unit: u\n  values: {2020-01-01: 1}\n")
    with pytest.raises(ParameterError, match=r"parameter 'x.a' lacks 'reference'"):
        ParameterTree.load(tmp_path)


def _load_one(tmp_path, text):
    (tmp_path / "x.yaml").write_text(text)
    return ParameterTree.load(tmp_path)


HEAD = "a:\n  description: d\n  unit: u\n  reference: r\n"


@pytest.mark.parametrize("text, message", [
    (HEAD + "  values: {soon: 1}\n", r"'soon' is not a date; write dates as YYYY-MM-DD"),
    (HEAD + "  interpolation: cubic\n  values: {2020-01-01: 1}\n", r"interpolation must be 'step' or 'linear'"),
    (HEAD + "  colour: red\n  values: {2020-01-01: 1}\n", r"has unknown keys \['colour'\]"),
    (HEAD + "  values: 3\n", r"needs 'values' as a mapping date -> value"),
    ("b: 3\n", r"'x.b' is neither a folder nor a parameter"),
    ("a: [unclosed\n", r"not valid YAML"),
    (HEAD + "  range: 0.5\n  values: {2020-01-01: 1}\n",
     r"range must be \[low, high\], two finite numbers with low <= high, got 0.5"),
    (HEAD + "  range: [2, 1]\n  values: {2020-01-01: 1}\n", r"range must be \[low, high\].*got \[2, 1\]"),
    (HEAD + "  range: [0, 2]\n  values: {2020-01-01: 1, 2021-01-01: 3}\n", r"x.a: \[3\] outside its range \[0.0, 2.0\]"),
    (HEAD + "  range: [0, 2]\n  values: {2020-01-01: high}\n", r"'range' needs numeric values"),
    (HEAD + "  max: 4\n  range: [0, 5]\n  values: {2020-01-01: 1}\n",
     r"x.yaml: range: x.a: 5.0 is above the maximum 4 \(u\)"),
])
def test_parameter_file_errors(tmp_path, text, message):
    with pytest.raises(ParameterError, match=message):
        _load_one(tmp_path, text)


def test_probabilities_may_not_exceed_one(law):
    table = dict(law["careers.benefit_by_reason"].values[-1])
    table["jobseeker"] = {"unemployment": 0.8, "career_break": 0.3, "incapacity": 0.0, "pension": 0.0}
    with pytest.raises(ParameterError, match=r"probabilities add up to 1.1000, more than 1"):
        law.with_overrides({"careers.benefit_by_reason": {dt.date(2013, 1, 1): table}}, "s.yaml")


def test_counts_must_be_whole_numbers(law):
    with pytest.raises(ParameterError, match=r"s.yaml: overrides: cheque.cheques.window_months: 72.5 is not a whole number \(months\)"):
        law.with_overrides({"cheque.cheques.window_months": {dt.date(2025, 1, 1): 72.5}}, "s.yaml")


def test_numbers_must_be_finite_and_of_a_usable_size(law):
    for bad in (float("nan"), float("inf"), 10**400):
        with pytest.raises(ParameterError, match=r"is not a finite number of a usable size"):
            law.with_overrides({"behaviour.uptake.intercept_cheque1": {dt.date(2025, 1, 1): bad}}, "s.yaml")


def test_a_plausible_range_is_read(tmp_path):
    (tmp_path / "x.yaml").write_text(HEAD + "  range: [0, 2]\n  values: {2020-01-01: 1}\n")
    tree = ParameterTree.load(tmp_path, calibrated=None)
    assert tree["x.a"].plausible_range == (0.0, 2.0)
    assert tree.table()[0]["range"] == "[0.0, 2.0]"


def test_every_effect_of_guidance_declares_a_range(law):
    """The uncertainty analysis samples these: each needs a plausible range around its value."""
    effects = [p for path, p in law.parameters.items()
               if path.startswith(("behaviour.guidance_effect.", "behaviour.readiness.", "outreach.", "vdab_followup."))
               and p.assumption and isinstance(p.values[0], float)]
    assert len(effects) >= 15
    missing = [p.path for p in effects if p.plausible_range is None]
    assert not missing, missing


def test_an_open_range_holds_whatever_the_law_changes_later(law):
    held = law.with_overrides({"cheque.cheques.hours": {"2025-01-01..": {"cheque1": 4, "cheque2": 3}}}, "s.yaml")
    assert law.at(dt.date(2028, 1, 1))["cheque.cheques.hours"] == {"cheque1": 6, "cheque2": 6}
    for year in (2025, 2026, 2028, 2040):
        assert held.at(dt.date(year, 12, 1))["cheque.cheques.hours"] == {"cheque1": 4, "cheque2": 3}
    assert held.at(dt.date(2024, 12, 1))["cheque.cheques.hours"] == {"cheque1": 4, "cheque2": 3}
    assert held.at(dt.date(2015, 1, 1))["cheque.cheques.hours"] == {"cheque1": 4, "cheque2": 4}
    from model.params.tree import as_period, period_label
    assert period_label(as_period("2025-01-01..", "s")) == "2025-01-01.."
    with pytest.raises(ParameterError, match=r"'2025-13-01' is not a date"):
        law.with_overrides({"cheque.cheques.hours": {"2025-13-01..": {"cheque1": 4, "cheque2": 3}}}, "s.yaml")
