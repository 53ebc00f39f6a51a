"""The report's tables as numbers, made from a run's tables (:class:`model.report.run_data.RunTables`).

The report's charts (:mod:`.charts.figures`) draw them, its sections
(:mod:`.sections`) show them as text, and the numbers the report embeds come from
them. Metrics are found by role (:meth:`RunTables.metric`), never by name.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..results import run_folder
from .run_data import RunTables

FUNNEL_GROUPS = ("all", "women", "men", "high_educated", "low_educated", "age_50_plus", "migration_background",
                 "work_disability", "non_active", "re_entrant")
REACH_GROUPS = ("women", "high_educated", "low_educated", "age_20_29", "age_50_plus", "migration_background",
                "work_disability", "non_active")
# The funnel's stages and the role of the counter of each.
FUNNEL_STAGES = {"population": "population", "eligible": "eligible", "aware": "aware", "users": "users",
                 "completed": "completed", "back_to_work": "back_to_work"}


# The last stage: of the users followed up and at work, those who were out of work when they started (the
# others were at work already, and guidance at most kept them there).
FROM_OUT_OF_WORK = "back_to_work_from_out_of_work"


def funnel_table(run: RunTables, scenario: str) -> pd.DataFrame:
    """Yearly averages of each stage by group.

    Stages: population, eligible, aware, users (in the group they are in when they start), completed (the
    users followed up when their guidance is over, in the group they are in then: a group can count more of
    them than it had users, as people turn 50 or leave work in between), back to work (those of them at work
    then, most of whom were at work when they started) and :data:`FROM_OUT_OF_WORK` (those out of work when
    they started; nan for a folder without the status at the start).
    """
    metrics = {stage: run.metric(role) for stage, role in FUNNEL_STAGES.items()}
    rows = {g: {stage: run.yearly_mean(m, scenario, g) for stage, m in metrics.items()} for g in FUNNEL_GROUPS}
    table = pd.DataFrame(rows).T.rename_axis("group")
    s = run.summary
    if "status_at_start" in s:
        at_work = s[(s["metric"] == metrics["back_to_work"]) & (s["scenario"] == scenario)
                    & (s["status_at_start"] == "non_employed")]
        yearly = at_work.groupby(["group", "year"])["value"].sum().groupby(level="group").mean()
        table[FROM_OUT_OF_WORK] = yearly.reindex(table.index).fillna(0.0)
    else:
        table[FROM_OUT_OF_WORK] = np.nan
    return table


def reach(run: RunTables, scenario: str, group: str) -> float:
    """A group's share of the users divided by its share of the population over the horizon (nan without users).

    Any scenario of the run's summary, the runs a scenario of parts adds included.
    """
    users, population = run.metric("users"), run.metric("population")
    # yearly means: their ratio is that of the horizon's totals
    users_all, population_all = run.yearly_mean(users, scenario), run.yearly_mean(population, scenario)
    if not users_all > 0 or not population_all > 0:
        return np.nan
    return (run.yearly_mean(users, scenario, group) / users_all) / (
        run.yearly_mean(population, scenario, group) / population_all)


def reach_table(run: RunTables) -> pd.DataFrame:
    """Each group's share of users divided by its share of the population (horizon totals), per scenario."""
    return pd.DataFrame({name: {g: reach(run, name, g) for g in REACH_GROUPS}
                         for name in run.scenario_names}).rename_axis("group")


def budget_table(run: RunTables) -> pd.DataFrame:
    """Average yearly cost by item (EUR), scenarios as rows."""
    return pd.DataFrame({m: {n: run.yearly_mean(m, n) for n in run.scenario_names}
                         for m in run.costs()}).fillna(0.0)


def flows_table(run: RunTables, year: int | None = None) -> pd.DataFrame:
    """Share of each January status in another status a year later (group all), per scenario: from, to as rows."""
    t = run.transitions
    if t.empty:
        return pd.DataFrame()
    year = year or int(t["year"].max())
    t = t[(t["group"] == "all") & (t["year"] == year) & (t["from_status"] != t["to_status"])]
    return t.pivot_table(index=["from_status", "to_status"], columns="scenario", values="share", aggfunc="first")[
        [s for s in run.scenario_names if s in set(t["scenario"])]]


def parameter_number(run: RunTables, path: str) -> float:
    """A number of the run's parameters (its latest value; parameters.csv holds values as YAML text), nan if absent."""
    rows = run.parameters[run.parameters["path"] == path]
    return float(yaml.safe_load(str(rows.iloc[-1]["value"]))) if len(rows) else float("nan")


def target_rate(run: RunTables) -> float:
    """The employment-rate target (fraction) in the run's last year, from the run's parameters."""
    rows = run.parameters[run.parameters["path"] == "labour_market.employment_rate_target"]
    rows = rows[pd.to_datetime(rows["from"]).dt.date <= dt.date(run.years[1], 12, 31)]
    return float(yaml.safe_load(str(rows.iloc[-1]["value"])))


def calibration_table(run: RunTables, backcast: str | Path | None = None) -> pd.DataFrame:
    """Observed against model for the yearly cheque starts: fitted years from the calibrated file, later ones from a back-cast.

    Returns:
        Columns metric, year, observed, model, sample (``in-sample`` or ``out-of-sample``), within_tolerance.
    """
    rows = []
    calibration = run.manifest["scenarios"][0].get("calibration") or {}
    if calibration.get("file") and Path(calibration["file"]).is_file():
        fitted = yaml.safe_load(Path(calibration["file"]).read_text(encoding="utf-8"))["calibration"]["targets"]
        for t in fitted:
            metric, _, year = t["target"].partition(".")
            if metric in ("starts_cheque1", "starts_cheque2") and year.isdigit():
                rows.append({"metric": metric, "year": int(year), "observed": t["observed"], "model": t["model_engine"],
                             "sample": "in-sample", "within_tolerance": bool(t["within_tolerance_engine"])})
    if backcast is not None:
        validation = run_folder.read_extra(backcast, "validation.csv")
        # the yearly starts of everybody (not the VDAB pilot's two-year count of non-active users, 2023-2024)
        validation = validation[(validation["scenario"] == validation["scenario"].iloc[0])
                                & (validation["sample"] == "out-of-sample") & (validation["kind"] == "starts")
                                & (validation["group"] == "all")
                                & validation["period"].astype(str).str.fullmatch(r"[0-9]{4}")]
        for r in validation.itertuples():
            rows.append({"metric": r.metric, "year": int(r.period), "observed": r.observed, "model": r.model,
                         "sample": "out-of-sample", "within_tolerance": r.within_tolerance})
    return pd.DataFrame(rows, columns=["metric", "year", "observed", "model", "sample", "within_tolerance"])
