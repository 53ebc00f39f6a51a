"""Where the spread over parameter sets comes from: ``spread.csv`` of a run folder with parameter sets.

With parameter sets, each headline difference (extra eligible, users, cost,
person-years, people at work) takes one value per set: the mean of the set's
replications. This module divides the variance of those set means among the
groups of assumptions (``model/params/assumption_groups.yaml``): the share of
group ``g`` is the adjusted R² of a linear regression of the set means on the
drawn values of ``g``'s parameters alone, each as its rank among the sets (so a
monotone effect counts whatever its curve; a choice enters as indicators).

The groups are drawn independently of one another (each parameter from its own
stream; only the calibrated values jointly, and they form one group), so each
share estimates the group's first-order part of the variance: how much of the
spread would go if that group's values were known. What the groups do not explain
alone is given in two rows: the Monte Carlo noise of a set mean (the
within-set variance over the replications, from the runs themselves) and the
rest, ``not_attributed`` (interactions between groups, effects no monotone line
follows, and the estimates' own error). A share needs more sets than the group
has drawn columns (``MIN_RESIDUAL_DEGREES`` more); with fewer it is left empty.
With tens of sets a group of many columns explains some spread by chance alone:
each share comes with the p-value of its F-test (``p_value``), and the report
puts a share whose p-value is 0.05 or more in brackets (not told apart from
chance at this number of sets).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ..params.uncertainty import assumption_group_descriptions, assumption_groups
from .comparison import paired_differences
from .result import RunResult

# The headline differences whose spread is attributed: (item of comparison.csv, group).
SPREAD_ITEMS = (("extra_eligible", "all"), ("extra_users", "all"), ("extra_users", "reentrant_users"),
                ("extra_users", "workers"), ("extra_cost_total_eur", "all"), ("extra_person_years", "all"),
                ("extra_person_years_expected", "all"), ("extra_employed", "all"), ("extra_employed_expected", "all"))
NOISE = "monte_carlo_noise"
NOT_ATTRIBUTED = "not_attributed"
MIN_RESIDUAL_DEGREES = 5  # sets beyond a group's columns and the intercept, for its share to be estimated
CHANCE_P_VALUE = 0.05  # a share whose F-test p-value is at least this is not told apart from chance
COLUMNS = ["scenario", "baseline", "item", "group", "assumption_group", "share", "columns", "sets",
           "replications_per_set", "sd_of_set_means", "p_value"]


def _parsed(value):
    """A drawn value as the table holds it (a number, or JSON text of a mapping, list or flag) back as a value."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:  # a choice written as plain text ("outlook")
            return value
    return value


def design(sets: pd.DataFrame, groups: Mapping[str, str]) -> dict[str, np.ndarray]:
    """The drawn values of each group of assumptions as a matrix: one row per set, one column per drawn value.

    Args:
        sets: ``parameter_sets.csv`` (parameter_set, parameter, value).
        groups: ``{parameter: group}`` (:func:`model.params.uncertainty.assumption_groups`).

    Returns:
        ``{group: array (sets x columns)}``: numbers as their ranks scaled to (0, 1], each key of a mapping a
        column, a choice one indicator per value but the first; columns that never change, or repeat another
        column of the group, left out (a mapping whose keys share one draw gives one column).
    """
    n_sets = int(sets["parameter_set"].max()) + 1 if len(sets) else 0
    columns: dict[str, list[np.ndarray]] = {name: [] for name in dict.fromkeys(groups.values())}
    for parameter, part in sets.groupby("parameter", sort=True):
        values = [_parsed(v) for v in part.sort_values("parameter_set")["value"]]
        if len(values) != n_sets:
            raise ValueError(f"parameter_sets: {parameter} has {len(values)} values for {n_sets} sets")
        if all(isinstance(v, Mapping) for v in values):
            made = [stats.rankdata([float(v[key]) for v in values]) / n_sets for key in sorted(values[0])]
        elif all(isinstance(v, (int, float)) for v in values):
            made = [stats.rankdata(np.array(values, dtype=float)) / n_sets]
        else:  # a choice (or anything else): one indicator per value but the first
            labels = [json.dumps(v, sort_keys=True) for v in values]
            made = [np.array([x == level for x in labels], dtype=float) for level in sorted(set(labels))[1:]]
        columns[groups[parameter]] += [column for column in made if np.ptp(column) > 0]
    out = {}
    for name, group_columns in columns.items():
        matrix = np.column_stack(group_columns) if group_columns else np.empty((n_sets, 0))
        out[name] = np.unique(matrix, axis=1) if matrix.shape[1] else matrix
    return out


def group_share(y: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """The adjusted R² of the least-squares line of ``y`` on the columns of ``x`` (with an intercept), and its p-value.

    The p-value is that of the F-test of the line against a constant: the chance that values with no bearing on
    ``y`` explain as much. With few sets a group of many columns explains some of the spread by chance alone;
    the adjusted R² takes that out on average, the p-value says whether what is left stands out from chance.

    Returns:
        ``(share, p_value)``: the share in [0, 1] (0 for no columns, with p-value 1); NaN for both when ``y``
        does not vary or the sets are too few (:data:`MIN_RESIDUAL_DEGREES`).
    """
    n, p = x.shape
    total = float(np.sum((y - y.mean()) ** 2))
    if total <= 0 or n - p - 1 < MIN_RESIDUAL_DEGREES:
        return np.nan, np.nan
    if p == 0:
        return 0.0, 1.0
    a = np.column_stack([np.ones(n), x])
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    residual = float(np.sum((y - a @ coef) ** 2))
    r2 = 1.0 - residual / total
    explained = max(total - residual, 0.0)
    p_value = (float(stats.f.sf((explained / p) / (residual / (n - p - 1)), p, n - p - 1)) if residual > 0
               else 0.0)
    return float(np.clip(1.0 - (1.0 - r2) * (n - 1) / (n - p - 1), 0.0, 1.0)), p_value


def told_from_chance(share: float, p_value: float) -> bool:
    """Whether a group's positive share stands out from chance (:data:`CHANCE_P_VALUE`); a share of 0 has nothing to tell."""
    return not (share > 0 and p_value >= CHANCE_P_VALUE)


def p_value_of_share(share: float, columns: int, sets: int) -> float:
    """The F-test p-value of a group from its adjusted R² (for a table written before ``p_value`` was kept).

    Exact where the share was not clipped at 0 (a share of 0 gives the p-value of an R² of ``columns / (sets -
    1)``, the chance level, at least 0.3 or so).
    """
    if not np.isfinite(share) or columns <= 0 or sets - columns - 1 < 1:
        return np.nan
    r2 = 1.0 - (1.0 - share) * (sets - columns - 1) / (sets - 1)
    if r2 >= 1.0:
        return 0.0
    return float(stats.f.sf((r2 / columns) / ((1.0 - r2) / (sets - columns - 1)), columns, sets - columns - 1))


def spread_table(result: RunResult, per_rep: pd.DataFrame | None = None) -> pd.DataFrame:
    """The share of the spread of each headline difference over the parameter sets, by group of assumptions.

    Args:
        result: A run with parameter sets.
        per_rep: Its paired differences run by run (:func:`model.results.comparison.paired_differences`), if
            already made.

    Returns:
        Columns of :data:`COLUMNS`: per (scenario, baseline, item, group), a row per group of assumptions, then
        :data:`NOISE` and :data:`NOT_ATTRIBUTED`; ``share`` is of the variance of the set means (NaN where it
        cannot be told), ``p_value`` that of the group's F-test; ``columns`` the drawn columns regressed on.
        Empty without parameter sets.
    """
    if result.parameter_sets is None or result.parameter_sets.empty:
        return pd.DataFrame(columns=COLUMNS)
    sets = result.parameter_sets
    groups = assumption_groups(sorted(sets["parameter"].unique()))
    n_sets = int(sets["parameter_set"].max()) + 1
    drawn = design(sets, groups)
    x = {name: drawn.get(name, np.empty((n_sets, 0))) for name in assumption_group_descriptions()}
    per_rep = paired_differences(result) if per_rep is None else per_rep
    wanted = pd.MultiIndex.from_tuples(SPREAD_ITEMS, names=["item", "group"])
    per_rep = per_rep.set_index(["item", "group"]).loc[lambda d: d.index.isin(wanted)].reset_index()
    per_rep["parameter_set"] = result.parameter_set_of(per_rep["replication"])
    replications = result.settings.replications
    rows = []
    for (scenario, baseline, item, group), part in per_rep.groupby(["scenario", "baseline", "item", "group"],
                                                                   sort=False):
        by_set = part.groupby("parameter_set")["value"]
        means = by_set.mean().reindex(range(n_sets))
        if means.isna().any():  # a value some runs lack (a ratio without a gain): no share to give
            continue
        y = means.to_numpy()
        var_sets = float(np.var(y, ddof=1)) if len(y) > 1 else np.nan
        noise = float(by_set.var(ddof=1).mean()) / replications if replications > 1 else np.nan
        key = {"scenario": scenario, "baseline": baseline, "item": item, "group": group, "sets": len(y),
               "replications_per_set": replications, "sd_of_set_means": np.sqrt(var_sets)}
        fits = {name: group_share(y, matrix) for name, matrix in x.items()}
        shares = {name: fit[0] for name, fit in fits.items()}
        for name, matrix in x.items():
            rows.append({**key, "assumption_group": name, "share": shares[name], "p_value": fits[name][1],
                         "columns": matrix.shape[1]})
        noise_share = min(noise / var_sets, 1.0) if var_sets > 0 and np.isfinite(noise) else np.nan
        known = [v for v in shares.values() if np.isfinite(v)]
        rest = (max(0.0, 1.0 - sum(known) - noise_share)
                if len(known) == len(shares) and np.isfinite(noise_share) else np.nan)
        rows.append({**key, "assumption_group": NOISE, "share": noise_share, "p_value": np.nan, "columns": 0})
        rows.append({**key, "assumption_group": NOT_ATTRIBUTED, "share": rest, "p_value": np.nan, "columns": 0})
    return pd.DataFrame(rows, columns=COLUMNS)
