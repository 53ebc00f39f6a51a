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

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...engine.counters import with_role
from ...params.scenario import SCENARIO_DIR
from ...results import run_folder
from ...results.atomic import RunFolder
from ...results.result import RunResult
from ..build import Run
from ..progress import Progress
from ..run import run
from .targets import TARGETS_FILE, Tallies, compare, last_fit_year, load_targets

DEFAULT_SCENARIOS = (SCENARIO_DIR / "baseline_2013.yaml", SCENARIO_DIR / "backcast_2013_rules.yaml")
COMPARED_ROLES = ("users", "second_starts", "eligible")  # with the costs: the yearly totals set side by side


@dataclass
class Backcast:
    """A back-cast and its judgement.

    Attributes:
        result: The run.
        validation: Every target against every scenario (:func:`validation_table`).
        differences: The first scenario against each other one, year by year after the fit years.
        composition: The users' composition by year (:func:`composition_by_year`).
        last_fit_year: The last year of the fit targets: later years are out of sample.
    """

    result: RunResult
    validation: pd.DataFrame
    differences: pd.DataFrame
    composition: pd.DataFrame
    last_fit_year: int

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
        return {"validation.csv": self.validation, "scenario_differences.csv": self.differences,
                "composition_by_year.csv": self.composition}


def backcast(plan: Run, progress: Progress | None = None) -> Backcast:
    """Run the back-cast scenarios and judge the first against every target, in and out of sample.

    Raises:
        TargetError: for a targets file that cannot be read.
    """
    last_fit = last_fit_year()
    result = run(plan, progress)
    return Backcast(result, validation_table(result), scenario_differences(result, last_fit + 1),
                    composition_by_year(result), last_fit)


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
