"""The projection of the employment rate: the published outlook, its continuation, and the alternatives.

Case table: ``tests/cases/projection.yaml``. Also: the run's ``projection`` choice (API and command line),
and every message it gives.
"""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import model
from model.mechanisms.labour_market.tables import TableCache, horizon_parameters
from model.params.calendar import month_date
from model.params.scenario import PROJECTION, ScenarioError
from model.people.synthesis import employment_margins, needs_horizon

CASES = Path(__file__).parent / "cases"


def _cases():
    return [pytest.param(c, id=c["name"]) for c in yaml.safe_load((CASES / "projection.yaml").read_text())]


def _parameters(law, projection: str, when: dt.date):
    tree = law.with_overrides({PROJECTION: {"2013-01-01..": projection}}, "case")
    p = tree.at(when)
    return p, horizon_parameters(lambda month: tree.at(month_date(month)), p)


@pytest.mark.parametrize("case", _cases())
def test_projection_cases(case, law):
    p, horizon = _parameters(law, case["projection"], case["date"])
    total, _, by_age = employment_margins(p, horizon)
    expect = case["expect"]
    if "total" in expect:
        assert total == pytest.approx(expect["total"], abs=1e-9)
    if "total_between" in expect:
        low, high = expect["total_between"]
        assert low <= total <= high
    if "age_55_64" in expect:
        assert by_age["55-64"] == pytest.approx(expect["age_55_64"], abs=1e-9)
    if "age_55_64_as_in" in expect:
        then, then_horizon = _parameters(law, case["projection"], expect["age_55_64_as_in"])
        table = TableCache().table(then, then_horizon)
        held = next(t.used for t in table.targets if t.name == "employment rate by age" and t.group == "55-64")
        assert by_age["55-64"] == pytest.approx(held, abs=1e-9)


def test_the_outlook_continued_needs_its_last_year(law):
    p = law.at(dt.date(2030, 7, 1))
    assert needs_horizon(p) and not needs_horizon(law.at(dt.date(2028, 7, 1)))
    with pytest.raises(ValueError, match="continues the outlook of 2028: give that year's parameters"):
        employment_margins(p)


def test_the_outlook_is_the_default_and_stays_below_the_best_eu_rate(law):
    assert law.at(dt.date(2030, 1, 1))[PROJECTION] == "outlook"
    for year in range(2024, 2035):
        p, horizon = _parameters(law, "outlook", dt.date(year, 7, 1))
        table = TableCache().table(p, horizon)
        rate = next(t.used for t in table.targets if t.name == "employment rate by age" and t.group == "55-64")
        assert rate < 0.779, year


def test_a_run_takes_one_projection_for_every_scenario_and_records_it():
    sim = model.Simulation(["law_2025", "herintreders"], scale=0.001, projection="frozen")
    for scenario in sim.scenarios:
        assert scenario.tree.at(dt.date(2030, 1, 1))[PROJECTION] == "frozen"
        assert list(scenario.to_manifest()["overrides"][PROJECTION].values()) == ["frozen"]
    default = model.Simulation(["law_2025"], scale=0.001)
    assert PROJECTION not in default.scenarios[0].overrides


@pytest.mark.parametrize("bad", ["bogus", "", "Outlook", 3])
def test_a_projection_that_is_not_one_is_refused(bad):
    with pytest.raises(ScenarioError, match=r"projection: .* is not a projection of the employment rate; "
                                            r"allowed: outlook, trend, frozen"):
        model.Simulation(["law_2025"], scale=0.001, projection=bad)


def test_the_command_line_refuses_a_bad_projection_and_writes_nothing(tmp_path):
    done = subprocess.run([sys.executable, "-m", "model", "run", "law_2025", "--scale", "0.001", "--projection",
                           "sideways", "--out", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "projection: 'sideways' is not a projection of the employment rate; allowed: outlook, trend, frozen" \
        in done.stderr
    assert "Traceback" not in done.stderr and list(tmp_path.iterdir()) == []


def test_a_projection_reaches_the_runs_a_scenario_made_of_parts_adds():
    sim = model.Simulation(["law_2025", "resolution_full"], scale=0.001, projection="trend")
    names = [s.name for s in sim.scenarios]
    assert len(names) == len(set(names)) and "law_2025" in names and len(names) > 2  # the base is found, not doubled
    assert all(s.tree.at(dt.date(2030, 1, 1))[PROJECTION] == "trend" for s in sim.scenarios)
