"""The back-cast: the model against every observed figure, in and out of sample.

``loopbaan backcast`` runs the back-cast scenarios (by default
``scenarios/baseline_2013.yaml``, 2014-2024 with the 2020 reform from
2020-01, and ``scenarios/backcast_2013_rules.yaml``, the same with the 2013
rule kept) at full scale with the calibrated parameters, and judges the
first against every target (fit and validation). Years after the last fit
year are marked out of sample. The difference between the two scenarios is
the effect of the 2020 rule change alone: no exogenous shock is on unless a
scenario sets ``behaviour.uptake.covid19_multiplier``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...engine.counters import with_role
from ...params.scenario import SCENARIO_DIR, Scenario
from ...params.tree import as_period
from ...results import run_folder
from ...results.atomic import RunFolder
from ...results.result import RunResult
from ..build import Run
from ..progress import Progress
from ..run import run
from .targets import TARGETS_FILE, Tallies, compare, last_fit_year, load_targets

DEFAULT_SCENARIOS = (SCENARIO_DIR / "baseline_2013.yaml", SCENARIO_DIR / "backcast_2013_rules.yaml")
COMPARED_ROLES = ("users", "second_starts", "eligible")  # with the costs: the yearly totals set side by side
COVID19 = "behaviour.uptake.covid19_multiplier"
# The months the named COVID-19 shock is set for: from the first lockdown (16 March 2020) to the end of 2020, the
# one year it is estimated on; 2021 and later test it (assumption: model design, docs/odd.md 7.9).
COVID19_MONTHS = "2020-03-01..2020-12-31"
COVID19_YEAR = 2020
COVID19_TARGET = "starts_cheque1_later.2020"


@dataclass
class Backcast:
    """A back-cast and its judgement.

    Attributes:
        result: The run.
        validation: Every target against every scenario (:func:`validation_table`).
        differences: The first scenario against each other one, year by year after the fit years.
        composition: The users' composition by year (:func:`composition_by_year`).
        last_fit_year: The last year of the fit targets: later years are out of sample.
        covid19: The named COVID-19 shock estimated on 2020 alone and tested on the later years
            (:func:`covid19_test`); empty when the run does not cover 2020 or the first scenario sets a shock.
    """

    result: RunResult
    validation: pd.DataFrame
    differences: pd.DataFrame
    composition: pd.DataFrame
    last_fit_year: int
    covid19: pd.DataFrame = field(default_factory=pd.DataFrame)

    def judged(self) -> pd.DataFrame:
        """The first scenario's targets, with the second scenario's value beside them (``model_second``), if any."""
        scenarios = self.result.scenarios
        first = self.validation[self.validation["scenario"] == scenarios[0].name]
        if len(scenarios) > 1:  # the second scenario drawn next to the first (by default: no reform)
            other = self.validation[self.validation["scenario"] == scenarios[1].name].set_index("target")["model"]
            first = first.assign(model_second=first["target"].map(other))
        return first

    def tables(self) -> dict[str, pd.DataFrame]:
        """The back-cast's own tables of its run folder."""
        out = {"validation.csv": self.validation, "scenario_differences.csv": self.differences,
               "composition_by_year.csv": self.composition}
        if not self.covid19.empty:
            out["covid19.csv"] = self.covid19
        return out


def backcast(plan: Run, progress: Progress | None = None) -> Backcast:
    """Run the back-cast scenarios and judge the first against every target, in and out of sample.

    Raises:
        TargetError: for a targets file that cannot be read.
    """
    last_fit = last_fit_year()
    result = run(plan, progress)
    validation = validation_table(result)
    return Backcast(result, validation, scenario_differences(result, last_fit + 1), composition_by_year(result),
                    last_fit, covid19_test(plan, validation, progress))


def covid19_test(plan: Run, validation: pd.DataFrame, progress: Progress | None = None) -> pd.DataFrame:
    """Estimate a named COVID-19 shock on 2020 alone, and test it on the later years.

    The shock multiplies the uptake hazards (``behaviour.uptake.covid19_multiplier``) over
    :data:`COVID19_MONTHS`. It is estimated in one ratio step from the 2020 cheque-1 starts (published over
    the back-cast's), the first scenario is run again with it, and every out-of-sample target is set beside
    the run without it. It is declared as such and never part of the behavioural fit (2014-2018). If the
    later years stay as far off as before, the shock does not explain them: the model lacks something else.

    Returns:
        One row per out-of-sample target of the first scenario: target, period, observed, model without the
        shock, model with it, the relative errors, and the estimate (multiplier, months, the year it is
        estimated on); empty when the run does not cover 2020 or its first scenario sets a shock itself.
    """
    first = plan.scenarios[0]
    own = validation[validation["scenario"] == first.name].set_index("target")
    if COVID19_TARGET not in own.index or COVID19 in first.overrides:
        return pd.DataFrame()
    observed, model = float(own.loc[COVID19_TARGET, "observed"]), float(own.loc[COVID19_TARGET, "model"])
    if not (observed > 0 and model > 0):
        return pd.DataFrame()
    multiplier = round(observed / model, 4)
    shocked = _with_covid19(first, multiplier)
    result = run(Run([shocked], plan.settings, plan.processes), progress)
    again = validation_table(result).set_index("target")
    rows = []
    for target, row in own[own["sample"] == "out-of-sample"].iterrows():
        with_shock = float(again.loc[target, "model"])
        known = row["observed"] is not None and not math.isnan(row["observed"])
        rows.append({"target": target, "period": row["period"], "observed": row["observed"],
                     "model_without_shock": row["model"], "model_with_shock": with_shock,
                     "error_without": row["model"] / row["observed"] - 1 if known else math.nan,
                     "error_with": with_shock / row["observed"] - 1 if known else math.nan,
                     "multiplier": multiplier, "months": COVID19_MONTHS, "estimated_on": COVID19_YEAR})
    return pd.DataFrame(rows)


def _with_covid19(scenario: Scenario, multiplier: float) -> Scenario:
    """``scenario`` with the named COVID-19 shock ``multiplier`` over :data:`COVID19_MONTHS`, as its own override."""
    tree = scenario.tree.with_overrides({COVID19: {COVID19_MONTHS: multiplier}}, "covid19 estimate")
    overrides = {**scenario.overrides, COVID19: {as_period(COVID19_MONTHS, "covid19 estimate"): multiplier}}
    return dataclasses.replace(scenario, name=f"{scenario.name}_covid19", tree=tree, overrides=overrides)


def write(done: Backcast, folder: RunFolder, command: list[str], charts: run_folder.Charts | None = None) -> Path:
    """Write the back-cast's run folder: the run's tables and charts, and its own (:meth:`Backcast.tables`)."""
    return run_folder.write(done.result, folder, "", command, extra=done.tables(), charts=charts)


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
    compared = [result.metric(role) for role in COMPARED_ROLES] + [c.name for c in with_role(result.counters, "cost")]
    s = result.summary
    s = s[(s["group"] == "all") & s["metric"].isin(compared) & (s["year"] >= from_year)]
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
    s = result.summary[result.summary["metric"] == result.metric("users")]
    wide = s.pivot_table(index=["scenario", "year"], columns="group", values="value")
    shares = wide.div(wide["all"], axis=0).drop(columns="all").stack().rename("model_share").reset_index()
    observed = {(t.group, t.first_year): t.value for t in load_targets(targets_file)
                if t.kind == "share" and t.first_year == t.last_year and t.value is not None}
    shares["observed_share"] = [observed.get((g, y)) for g, y in zip(shares["group"], shares["year"])]
    fit_end = last_fit_year(targets_file)
    shares["sample"] = ["in-sample" if y <= fit_end else "out-of-sample" for y in shares["year"]]
    return shares
