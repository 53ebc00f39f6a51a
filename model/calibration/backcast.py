"""The back-cast: the model against every observed figure, in and out of sample.

``loopbaan backcast`` runs the back-cast scenarios (by default
``scenarios/baseline_2013.yaml``, 2014-2021 with the 2020 reform from
2020-01, and ``scenarios/backcast_2013_rules.yaml``, the same with the 2013
rule kept) at full scale with the calibrated parameters, and judges the
first against every target (fit and validation). Years after the last fit
year are marked out of sample. The difference between the two scenarios is
the effect of the 2020 rule change alone: no exogenous shock is on unless a
scenario sets ``behaviour.uptake.covid19_multiplier``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..runner import RunResult
from .targets import TARGETS_FILE, Tallies, compare, last_fit_year, load_targets

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
DEFAULT_SCENARIOS = (SCENARIO_DIR / "baseline_2013.yaml", SCENARIO_DIR / "backcast_2013_rules.yaml")
COMPARED = ("starts_cheque1", "starts_cheque2", "eligible", "government_cost_eur")


def validation_table(result: RunResult, targets_file: Path = TARGETS_FILE) -> pd.DataFrame:
    """Every target against every scenario of the run (targets whose period the run covers)."""
    targets = load_targets(targets_file)
    years = set(result.summary["year"])
    frames = []
    for scenario in result.scenarios:
        table = compare(targets, Tallies.from_summary(result.summary, scenario.name), last_fit_year(targets_file))
        covered = [t.first_year - (t.kind == "change") in years and t.last_year in years for t in targets]
        table = table[covered]
        table.insert(0, "scenario", scenario.name)
        covid = {str(d): v for d, v in zip(scenario.tree["behaviour.uptake.covid19_multiplier"].dates,
                                            scenario.tree["behaviour.uptake.covid19_multiplier"].values)}
        table["covid19_multiplier"] = "off" if set(covid.values()) == {1.0} else str(covid)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def scenario_differences(result: RunResult, from_year: int) -> pd.DataFrame:
    """Yearly totals of the first scenario against each other one, from ``from_year``.

    With the default scenarios, ``first_minus_other`` in 2020 is the effect of
    the 2020 rule change alone (same people, same random numbers, no shock).
    """
    s = result.summary
    s = s[(s["group"] == "all") & s["metric"].isin(COMPARED) & (s["year"] >= from_year)]
    wide = s.pivot_table(index=["year", "metric"], columns="scenario", values="value")
    first = result.scenarios[0].name
    rows = []
    for other in result.scenarios[1:]:
        for (year, metric), row in wide.iterrows():
            diff = row[first] - row[other.name]
            rows.append({"year": year, "metric": metric, "first": first, "other": other.name,
                         "value_first": row[first], "value_other": row[other.name], "first_minus_other": diff,
                         "relative": diff / row[other.name] if row[other.name] else float("nan")})
    return pd.DataFrame(rows)


def composition_by_year(result: RunResult, targets_file: Path = TARGETS_FILE) -> pd.DataFrame:
    """Share of each group among cheque-1 users, per scenario and year, with the observed share where one exists.

    Shows how the users' composition moves out of sample (for example under
    the 2020 rule) next to the single-year figures that were published.
    """
    s = result.summary[result.summary["metric"] == "starts_cheque1"]
    wide = s.pivot_table(index=["scenario", "year"], columns="group", values="value")
    shares = wide.div(wide["all"], axis=0).drop(columns="all").stack().rename("model_share").reset_index()
    observed = {(t.group, t.first_year): t.value for t in load_targets(targets_file)
                if t.kind == "share" and t.first_year == t.last_year and t.value is not None}
    shares["observed_share"] = [observed.get((g, y)) for g, y in zip(shares["group"], shares["year"])]
    fit_end = last_fit_year(targets_file)
    shares["sample"] = ["in-sample" if y <= fit_end else "out-of-sample" for y in shares["year"]]
    return shares
