"""The key findings: for each scenario against its baseline, the headline numbers and plain sentences.

Every number comes from the run folder's ``comparison.csv`` (paired differences,
replication by replication); the sentences are made from those numbers in
Dutch or English (:mod:`model.report.labels`), so both languages say the same figures.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import labels
from .run_data import RunTables

# The headline items, in the order a finding states them.
HEADLINE = ("extra_eligible", "extra_users", "extra_cost_total_eur", "extra_person_years_expected",
            "extra_person_years", "extra_employed_expected", "extra_employed", "employment_rate_change_pp",
            "share_of_goal", "share_of_distance_to_target", "cost_per_extra_person_year_eur",
            "cost_per_extra_employed_eur")
# Below this change of the employment rate (percentage points) a finding says it barely moves the rate:
# a tenth of a point is about 3,900 people at work, 3% of the government's goal of 120,000.
BARELY_PP = 0.1


def table(run: RunTables) -> pd.DataFrame:
    """The headline numbers: one row per (scenario, baseline, item), group ``all``.

    Returns:
        Columns scenario, baseline, item, value, low, high (the 90% interval of the mean; empty with one run),
        p05, p95 and noise, in the run's order.
    """
    shown = set(run.pairs())  # the scenarios asked for, not the runs added to show a part's share
    rows = run.comparison[(run.comparison["group"] == "all") & run.comparison["item"].isin(HEADLINE)]
    # (a boolean array, not a list: an empty list would select no columns rather than no rows)
    rows = rows.loc[np.array([pair in shown for pair in zip(rows["scenario"], rows["baseline"])], dtype=bool)]
    out = rows[["scenario", "baseline", "item", "value", "mean_low", "mean_high", "p05", "p95", "noise"]]
    out = out.rename(columns={"mean_low": "low", "mean_high": "high"})
    order = {item: i for i, item in enumerate(HEADLINE)}
    scenarios = {name: i for i, name in enumerate(run.scenario_names)}
    return out.sort_values(["scenario", "item"], key=lambda c: c.map(scenarios if c.name == "scenario" else order),
                           kind="stable").reset_index(drop=True)


def _interval(row: pd.Series, lang: str, show) -> str:
    """'90% interval a to b', or the note that one run gives none."""
    if pd.isna(row["low"]) or pd.isna(row["high"]):
        return labels.text("interval.none", lang)
    return labels.text("interval.between", lang, low=show(row["low"]), high=show(row["high"]))


def cost_ratio_text(rows: pd.DataFrame, lang: str) -> str:
    """The cost per extra person-year at work with its interval, or why there is none.

    The ratio of the mean cost to the mean gain (``comparison.csv``: empty
    unless the gain's interval lies above 0). A folder written before the
    ratio of means held the runs' own ratios: those too are shown only for a
    gain told from noise.
    """
    item, effect = "cost_per_extra_person_year_eur", "extra_person_years_expected"
    if effect not in rows.index:  # a run folder written before the expected gains: the ratio of its time
        effect = "extra_person_years"
    if item not in rows.index or effect not in rows.index:  # a run folder written before person-years
        item, effect = "cost_per_extra_employed_eur", "extra_employed"
    row = rows.loc[item]
    if pd.isna(row["value"]) or rows.loc[effect, "noise"] not in ("clear", "exact", "one replication"):
        return labels.text(f"finding.no_{item}", lang)
    whole = lambda v: labels.number(v, lang, 0)  # noqa: E731
    return labels.text(f"finding.{item}", lang, value=whole(row["value"]), interval=_interval(row, lang, whole))


def sentences(run: RunTables, lang: str) -> list[str]:
    """One paragraph of plain sentences per scenario against its baseline, in ``lang``.

    Each states extra eligible people, users, cost, person-years at work over the horizon, people at work in
    the last year, the change of the
    employment rate, the share of the 120,000 goal and of the distance to 80%,
    and the cost per extra person at work, each with its interval; then whether
    the rate barely moves and whether the change in work is within noise.
    """
    labels.check_language(lang)
    found = table(run)
    start, end = run.years
    paragraphs = []
    for scenario, baseline in run.pairs():
        rows = found[(found["scenario"] == scenario) & (found["baseline"] == baseline)].set_index("item")
        if rows.empty:
            continue

        def part(item, key, show, rows=rows, **more):
            if item not in rows.index:  # a run folder written before the item existed
                return None
            row = rows.loc[item]
            return labels.text(key, lang, value=show(row["value"]), interval=_interval(row, lang, show), **more)

        whole = lambda v: labels.number(v, lang, 0, sign=True)  # noqa: E731
        millions = lambda v: labels.number(v / 1e6, lang, 2, sign=True)  # noqa: E731
        points = lambda v: labels.number(v, lang, 4, sign=True)  # noqa: E731  (a change of a few people shows)
        # people at work: the expected gain (precise) with the simulated difference as its check, where the
        # folder has both; a folder of the first runs has the simulated one only
        expected = {"extra_person_years_expected", "extra_person_years", "extra_employed_expected"} <= set(rows.index)

        def work(item, key, rows=rows, expected=expected, whole=whole, part=part, **more):
            if not expected:
                return part(item, key, whole, **more)
            return part(f"{item}_expected", f"{key}_expected", whole, simulated=whole(rows.loc[item, "value"]),
                        simulated_interval=_interval(rows.loc[item], lang, whole), **more)

        parts = [part("extra_eligible", "finding.eligible", whole),
                 part("extra_users", "finding.users", whole, start=start, end=end),
                 part("extra_cost_total_eur", "finding.cost", millions),
                 work("extra_person_years", "finding.person_years", start=start, end=end),
                 work("extra_employed", "finding.employed", year=end),
                 part("employment_rate_change_pp", "finding.rate", points)]
        parts = [p for p in parts if p is not None]
        goal = labels.percent(rows.loc["share_of_goal", "value"], lang, 2, sign=True)
        distance = rows.loc["share_of_distance_to_target", "value"]
        parts.append(labels.text("finding.goal_reached", lang, goal=goal) if pd.isna(distance) else
                     labels.text("finding.goal", lang, goal=goal, distance=labels.percent(distance, lang, 2, sign=True)))
        parts.append(cost_ratio_text(rows, lang))
        text = labels.text("finding.lead", lang, scenario=run.title(scenario, lang), baseline=run.title(baseline, lang))
        text += " " + "; ".join(parts) + "."
        if abs(rows.loc["employment_rate_change_pp", "value"]) < BARELY_PP:
            text += " " + labels.text("finding.barely", lang)
        if rows.loc["extra_employed_expected" if expected else "extra_employed", "noise"] == "within noise":
            text += " " + labels.text("finding.within_noise", lang)
        paragraphs.append(text)
    return paragraphs


def within_noise(run: RunTables) -> list[tuple[str, str]]:
    """The scenarios whose change in people at work is within noise (the 90% interval of the mean includes 0).

    The expected gain where the folder has it (what the findings lead with), else the simulated difference.
    """
    item = "extra_employed_expected" if (run.comparison["item"] == "extra_employed_expected").any() else "extra_employed"
    rows = run.comparison[(run.comparison["item"] == item) & (run.comparison["group"] == "all")]
    shown = set(run.pairs())
    return [(s, b) for s, b, n in zip(rows["scenario"], rows["baseline"], rows["noise"])
            if n == "within noise" and (s, b) in shown]


def record(run: RunTables) -> dict:
    """The report's figures as plain data (embedded in the HTML, and the same in every language)."""
    found = table(run)

    def plain(value):
        return None if isinstance(value, float) and math.isnan(value) else value

    return {"run": run.manifest["run"], "runs": run.runs,
            "findings": [{k: plain(v) for k, v in row.items()} for row in found.to_dict(orient="records")]}
