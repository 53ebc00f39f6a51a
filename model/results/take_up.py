"""Take-up per eligible person and year, of re-entrants out of work and of workers: ``take_up.csv`` of a run folder.

The users who ask 1 admits are few, and their take-up rests on assumptions
(awareness, the status shift, the group shifts carried from workers): the
rate per eligible person and year, next to the workers' that the calibration
fits, says at once whether it sits at the floor of what the evidence allows
(the evidence review of December 2026 brackets about 50 to 900 re-entrant users a
year). A re-entrant is counted in the group ``re_entrant`` (out of work and
meeting the definition in force); everybody else eligible is a worker.
"""

from __future__ import annotations

import pandas as pd

from ..engine.counters import with_role
from .comparison import interval_of_the_mean, months_by_year, plain_metric
from .result import RunResult

POPULATIONS = ("reentrants", "workers")
COLUMNS = ["scenario", "population", "eligible_person_years", "users", "rate_per_year", "runs", "mean_low",
           "mean_high"]


def take_up_table(result: RunResult) -> pd.DataFrame:
    """Cheque-1 users per eligible person-year, by scenario and population, with the 90% interval of the mean.

    Returns:
        Columns of :data:`COLUMNS`: eligible person-years and users (means over the runs), the rate (the mean of
        the runs' rates), the runs and the interval of the mean. Empty when the run counts no eligible people
        or no users by group.
    """
    eligible, users = (with_role(result.counters, role) for role in ("eligible", "users"))
    if not eligible or not users:
        return pd.DataFrame(columns=COLUMNS)
    weight = months_by_year(result.settings) / 12.0  # each year's months in the horizon, in years
    y = plain_metric(result.yearly, result.dims)  # summed over any extra dimension (status at the start)
    y = y[y["group"].isin(["all", "re_entrant"]) & y["metric"].isin([eligible[0].name, users[0].name])]
    wide = y.pivot_table(index=["scenario", "replication", "year"], columns=["metric", "group"], values="value",
                         aggfunc="first")
    if wide.empty:
        return pd.DataFrame(columns=COLUMNS)
    years = wide.index.get_level_values("year")
    person_years = wide[eligible[0].name].mul(weight.reindex(years).to_numpy(), axis=0)
    started = wide[users[0].name]
    per_run = pd.DataFrame({
        ("reentrants", "eligible"): person_years["re_entrant"], ("reentrants", "users"): started["re_entrant"],
        ("workers", "eligible"): person_years["all"] - person_years["re_entrant"],
        ("workers", "users"): started["all"] - started["re_entrant"],
    }).groupby(level=["scenario", "replication"], sort=False).sum()
    rows = []
    for population in POPULATIONS:
        part = per_run[population]
        rate = part["users"] / part["eligible"].where(part["eligible"] > 0)
        grouped = pd.DataFrame({"eligible": part["eligible"], "users": part["users"], "rate": rate}).groupby(
            level="scenario", sort=False)
        means, sd, n = grouped.mean(), grouped["rate"].std(), grouped["rate"].count()
        low, high, _ = interval_of_the_mean(means["rate"], sd, n)
        for scenario in means.index:
            rows.append({"scenario": scenario, "population": population,
                         "eligible_person_years": means.at[scenario, "eligible"], "users": means.at[scenario, "users"],
                         "rate_per_year": means.at[scenario, "rate"], "runs": int(n[scenario]),
                         "mean_low": low[scenario], "mean_high": high[scenario]})
    return pd.DataFrame(rows, columns=COLUMNS)
