"""What each scenario changes against its baseline, computed replication by replication.

A scenario's baseline is the nearest scenario it extends that runs with it
(``Scenario.lineage``), else the run's first scenario: ``herintreders_outreach``
is compared with ``herintreders`` (ask 2's part), ``herintreders`` with
``law_2025`` (ask 1's part). Every item is a paired difference taken within
each replication (same people, same random numbers), then summarised as the
mean and the 5th and 95th percentiles over replications.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import codes, uncertainty
from .runner import RunResult
from .scenario import Scenario

USER_GROUPS = ("all", "women", "low_educated", "age_50_plus", "migration_background", "work_disability",
               "disadvantaged", "non_active", "reentrant_users")
COST_ITEMS = {"extra_cost_cheques_eur": "government_cost_eur", "extra_cost_outreach_eur": "outreach_cost_eur",
              "extra_cost_followup_eur": "followup_cost_eur", "extra_cost_monitoring_eur": "monitoring_cost_eur",
              "extra_cost_incentive_eur": "incentive_bonus_eur"}


@dataclass(frozen=True)
class Item:
    """One item of the comparison: unit, meaning, and its column in the terminal table (if shown)."""

    unit: str
    meaning: str
    heading: str | None = None
    fmt: str = "{:+,.0f}"
    factor: float = 1.0


# The items, in the order of the table.
ITEMS = {
    "extra_eligible": Item("persons", "people who may order a cheque, average over the horizon", "eligible"),
    "extra_users": Item("persons", "people starting cheque 1, total over the horizon", "users"),
    "extra_cost_cheques_eur": Item("EUR", "government cost of cheques, total over the horizon"),
    "extra_cost_outreach_eur": Item("EUR", "cost of outreach (ask 2), total over the horizon"),
    "extra_cost_followup_eur": Item("EUR", "cost of VDAB follow-up (ask 3), total over the horizon"),
    "extra_cost_monitoring_eur": Item("EUR", "cost of quality monitoring of the centres (ask 4), total over the horizon"),
    "extra_cost_incentive_eur": Item("EUR", "bonus paid to centres under the supply-driven incentive, total over the "
                                     "horizon"),
    "extra_cost_total_eur": Item("EUR", "all costs above, total over the horizon", "cost EUR M", "{:+,.2f}", 1e-6),
    "extra_waiting": Item("persons", "people waiting for a centre, average over the horizon", "waiting"),
    "extra_dropouts": Item("persons", "people who gave up waiting for a centre, total over the horizon"),
    "user_quality_change": Item("fraction", "change of the mean quality of the users' centres over the horizon "
                                "(the effect of guidance per user changes in proportion)", "effect per user", "{:+.1%}"),
    "extra_registrations": Item("persons", "registrations at VDAB as job seeker (follow-up included), total over the "
                                "horizon", "registrations"),
    "extra_employed": Item("persons", "people at work (net), average of the last year", "at work (net)"),
    "cost_per_extra_employed_eur": Item("EUR", "extra cost over the horizon per extra person at work in the last year "
                                        "(empty unless both are positive)",
                                        "EUR per extra at work", "{:,.0f}"),
    "employment_rate_change_pp": Item("percentage points", "employment rate 20-64 in the last year", "rate (points)",
                                      "{:+.3f}"),
    "share_of_goal": Item("fraction", "extra people at work as a share of the goal of 120,000 more at work",
                          "of 120,000 goal", "{:+.2%}"),
    "share_of_distance_to_target": Item("fraction", "change of the employment rate as a share of the baseline's "
                                        "distance to 80% in the last year (empty when the baseline reaches 80%)",
                                        "of distance to 80%", "{:+.2%}"),
}


def baseline_of(scenario: Scenario, run: list[Scenario]) -> str | None:
    """The scenario's baseline in a run: the nearest scenario it extends that runs with it, else the first one.

    A scenario that the first one extends has no baseline (it is a baseline itself).
    """
    names = [s.name for s in run]
    for name in scenario.lineage[1:]:
        if name in names and name != scenario.name:
            return name
    first = run[0]
    if first.name == scenario.name or scenario.name in first.lineage[1:]:
        return None
    return first.name


def _mean_quality(values: pd.DataFrame) -> float:
    """Mean quality multiplier of the users' centres over the horizon (group all; nan without users)."""
    users = values.xs("all", level="group")
    starts = float(users["starts_cheque1"].sum())
    return float(users["user_quality"].sum()) / starts if starts > 0 else np.nan


def _plain_metric(yearly: pd.DataFrame, dims: tuple[str, ...]) -> pd.DataFrame:
    """Yearly values summed over any extra dimensions (e.g. outreach cost over channels)."""
    keys = ["scenario", "replication", "year", "metric", "group"]
    return yearly.groupby(keys, as_index=False, dropna=False)["value"].sum(min_count=1) if dims else yearly[keys + ["value"]]


def compare(result: RunResult, pairs: list[tuple[str, str]] | None = None) -> pd.DataFrame:
    """Every item of :data:`ITEMS` for every scenario that has a baseline in the run.

    Args:
        pairs: ``(scenario, baseline)`` pairs to compare instead (default: each
            scenario against :func:`baseline_of`).

    Returns:
        Columns scenario, baseline, item, group, unit, value (mean over
        replications), p05, p95 (of the replications' differences),
        replications, mean_low, mean_high and noise (the 90% interval of the
        mean, :func:`interval_of_the_mean`). With parameter sets, p05 and p95
        span parameters and noise together (the total interval), the interval
        of the mean comes from the sets' means, and var_total, var_parameters,
        var_monte_carlo and share_parameters split the variance
        (:func:`model.uncertainty.variance_split`). ``extra_users`` is given for
        every group of ``USER_GROUPS``, the other items for group ``all``.
    """
    names = [s.name for s in result.scenarios]
    yearly = _plain_metric(result.yearly, result.dims)
    wide = yearly.pivot_table(index=["scenario", "replication", "year", "group"], columns="metric", values="value",
                              aggfunc="first", dropna=False)
    last_year = int(yearly["year"].max())
    p_last = result.scenarios[0].tree.at(codes.month_date(codes.month_number(last_year, 7)))
    goal = p_last["labour_market.employment_goal_extra_people"]
    target = p_last["labour_market.employment_rate_target"]
    rows = []
    if pairs is None:
        pairs = [(s.name, baseline_of(s, result.scenarios)) for s in result.scenarios]
    for name, base in pairs:
        if base is None or name == base:
            continue
        for rep in sorted(yearly["replication"].unique()):
            a, b = wide.loc[(name, rep)], wide.loc[(base, rep)]
            d = (a - b)

            def total(metric: str, group: str = "all", d: pd.DataFrame = d) -> float:
                return float(d.xs(group, level="group")[metric].sum()) if metric in d else 0.0

            last = d.xs(last_year, level="year").loc["all"]
            base_rate = float(b.xs(last_year, level="year").loc["all", "employment_rate_20_64"])
            costs = {item: total(metric) for item, metric in COST_ITEMS.items()}
            extra_employed = float(last["employed"])
            values = {
                "extra_eligible": float(d.xs("all", level="group")["eligible"].mean()),
                **costs,
                "extra_cost_total_eur": sum(costs.values()),
                "extra_waiting": float(d.xs("all", level="group")["waiting_list"].mean()) if "waiting_list" in d else 0.0,
                "extra_dropouts": total("waiting_dropouts"),
                "user_quality_change": _mean_quality(a) / _mean_quality(b) - 1.0 if "user_quality" in d else np.nan,
                "extra_registrations": total("registrations"),
                "extra_employed": extra_employed,
                # a cost per job only for a cost and a gain: a saving, or a loss of jobs, has none
                "cost_per_extra_employed_eur": (sum(costs.values()) / extra_employed
                                                if extra_employed >= 1 and sum(costs.values()) > 0 else np.nan),
                "employment_rate_change_pp": float(last["employment_rate_20_64"]) * 100,
                "share_of_goal": extra_employed / goal,
                "share_of_distance_to_target": (float(last["employment_rate_20_64"]) / (target - base_rate)
                                                if base_rate < target else np.nan),
            }
            for item, value in values.items():
                rows.append((name, base, item, "all", rep, value))
            for group in USER_GROUPS:
                rows.append((name, base, "extra_users", group, rep, total("starts_cheque1", group)))
    columns = ["scenario", "baseline", "item", "group", "replication", "value"]
    per_rep = pd.DataFrame(rows, columns=columns)
    if per_rep.empty:
        return pd.DataFrame(columns=["scenario", "baseline", "item", "group", "unit", "value", "p05", "p95", "replications",
                                     "mean_low", "mean_high", "noise"])
    out = summarise_runs(per_rep, result)
    out = out.reset_index()
    out.insert(4, "unit", out["item"].map(lambda i: ITEMS[i].unit))
    order = {item: i for i, item in enumerate(ITEMS)}
    return out.sort_values(["scenario", "item"], key=lambda c: c.map(order) if c.name == "item" else c.map(
        {n: i for i, n in enumerate(names)}), kind="stable").reset_index(drop=True)


YEARLY_METRICS = ("employed", "employment_rate_20_64", "starts_cheque1", "government_cost_eur")


def yearly_differences(result: RunResult) -> pd.DataFrame:
    """Each scenario's paired difference against its baseline, year by year, for the headline metrics (group all).

    The charts' bands come from here (``differences_by_year.csv``): p05 and p95
    of the runs' differences (with parameter sets, parameters and noise
    together), and the 90% interval of the mean over the runs.

    Returns:
        Columns scenario, baseline, metric, year, value (mean), p05, p95, runs, mean_low, mean_high, noise.
    """
    yearly = _plain_metric(result.yearly, result.dims)
    yearly = yearly[(yearly["group"] == "all") & yearly["metric"].isin(YEARLY_METRICS)]
    keys = ["replication", "year", "metric"]
    frames = []
    for scenario in result.scenarios:
        base = baseline_of(scenario, result.scenarios)
        if base is None:
            continue
        a = yearly[yearly["scenario"] == scenario.name].set_index(keys)["value"]
        b = yearly[yearly["scenario"] == base].set_index(keys)["value"]
        diff = (a - b).rename("value").reset_index()
        diff.insert(0, "baseline", base)
        diff.insert(0, "scenario", scenario.name)
        frames.append(diff)
    columns = ["scenario", "baseline", "metric", "year", "value", "p05", "p95", "runs", "mean_low", "mean_high", "noise"]
    if not frames:
        return pd.DataFrame(columns=columns)
    grouped = pd.concat(frames).groupby(["scenario", "baseline", "metric", "year"], sort=False)["value"]
    out = grouped.mean().to_frame()
    out["p05"] = grouped.quantile(0.05)
    out["p95"] = grouped.quantile(0.95)
    out["runs"] = grouped.count()
    out["mean_low"], out["mean_high"], out["noise"] = interval_of_the_mean(out["value"], grouped.std(), out["runs"])
    return out.reset_index()[columns]


def summarise_runs(per_rep: pd.DataFrame, result: RunResult) -> pd.DataFrame:
    """Each item's differences over the runs: mean, p05, p95, runs, the interval of the mean (and the variance split).

    Args:
        per_rep: One row per (scenario, baseline, item, group) and replication: its paired difference ``value``.
        result: The run (its parameter sets, if any, and the replications of each).

    Returns:
        One row per (scenario, baseline, item, group), the keys as the index.
    """
    keys = ["scenario", "baseline", "item", "group"]
    grouped = per_rep.groupby(keys, sort=False, dropna=False)["value"]
    out = grouped.mean().to_frame()
    out["p05"] = grouped.quantile(0.05)
    out["p95"] = grouped.quantile(0.95)
    out["replications"] = grouped.count()
    if result.parameter_sets is None:
        out["mean_low"], out["mean_high"], out["noise"] = interval_of_the_mean(out["value"], grouped.std(),
                                                                               out["replications"])
    else:
        # runs of one parameter set share its values: the mean's interval comes from the sets' means, whose
        # variance is never taken below the noise of a mean of `replications` runs (a few sets may agree by chance)
        per_rep["parameter_set"] = result.parameter_set_of(per_rep["replication"])
        sets = per_rep.groupby([*keys, "parameter_set"], sort=False, dropna=False)["value"]
        by_set = sets.mean().groupby(level=keys, sort=False, dropna=False)
        noise_of_a_mean = sets.var().groupby(level=keys, sort=False, dropna=False).mean() / result.replications_per_set
        spread = np.sqrt(np.maximum(by_set.var().fillna(0), noise_of_a_mean.fillna(0)))
        out["mean_low"], out["mean_high"], out["noise"] = interval_of_the_mean(out["value"], spread, by_set.count())
        split = {key: uncertainty.variance_split(part["value"].to_numpy(), part["parameter_set"].to_numpy())
                 for key, part in per_rep.dropna(subset=["value"]).groupby(keys, sort=False, dropna=False)}
        split = pd.DataFrame.from_dict(split, orient="index").rename_axis(keys)
        out = out.join(split)
    return out


MEAN_INTERVAL = 0.90  # two-sided confidence of the interval of a mean difference


def interval_of_the_mean(mean: pd.Series, sd: pd.Series, n: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The 90% interval of each mean paired difference (Student's t over replications), and what it says of the noise.

    The differences are paired (same people and random numbers), so their
    spread over replications is the Monte Carlo noise of the difference itself,
    however large the noise of each scenario's own level.

    Returns:
        ``(low, high, noise)``: the interval's ends (NaN with one replication) and ``"clear"`` (the interval
        excludes 0), ``"within noise"`` (it includes 0), ``"exact"`` (every replication gave the same
        difference) or ``"one replication"`` (no interval can be made).
    """
    from scipy import stats

    n = n.astype(float)
    half = pd.Series(stats.t.ppf(0.5 + MEAN_INTERVAL / 2, np.maximum(n - 1, 1)), index=n.index) * sd / np.sqrt(n)
    half = half.where(n > 1)
    low, high = mean - half, mean + half
    noise = np.where(n <= 1, "one replication",
                     np.where(sd.fillna(0) == 0, "exact", np.where((low > 0) | (high < 0), "clear", "within noise")))
    noise = pd.Series(noise, index=mean.index).where(mean.notna())
    return low, high, noise


def table(compared: pd.DataFrame) -> pd.DataFrame:
    """The terminal's table: one row per scenario, group ``all``, means over replications."""
    all_rows = compared[compared["group"] == "all"]
    wide = all_rows.set_index(["scenario", "baseline", "item"])["value"].unstack("item")
    order = list(dict.fromkeys(zip(all_rows["scenario"], all_rows["baseline"])))
    return wide.reindex(index=pd.MultiIndex.from_tuples(order, names=["scenario", "baseline"]),
                        columns=[c for c in ITEMS if c in wide.columns])



def print_differences(compared: pd.DataFrame, last_year: int, file=None) -> None:
    """Print each scenario's differences against its baseline; with replications, the 5-95% interval too."""
    import sys

    file = file or sys.stdout
    rows = compared[compared["group"] == "all"].set_index(["scenario", "baseline", "item"])
    out = {}
    for (scenario, baseline), _ in rows.groupby(level=[0, 1], sort=False):
        cells = {}
        for name, item in ITEMS.items():
            if item.heading is None or (scenario, baseline, name) not in rows.index:
                continue
            r = rows.loc[(scenario, baseline, name)]
            show = lambda v, item=item: item.fmt.format(v * item.factor)  # noqa: E731
            text = "-" if pd.isna(r["value"]) else show(r["value"])
            if r["replications"] > 1 and not pd.isna(r["value"]):
                text += f" [{show(r['p05'])}, {show(r['p95'])}]"
            cells[item.heading] = text
        out[f"{scenario} vs {baseline}"] = cells
    if not out:
        return
    print(f"Against its baseline (paired, same people and random numbers; costs and users over the horizon, "
          f"people at work and rates in {last_year}):", file=file)
    print(pd.DataFrame(out).T.to_string(), file=file)
    for line in noise_lines(compared):
        print(line, file=file)


def noise_lines(compared: pd.DataFrame) -> list[str]:
    """Sentences on the noise of the headline differences (group ``all``): which are within it, or why it is unknown."""
    rows = compared[(compared["group"] == "all") & compared["item"].map(lambda i: ITEMS[i].heading is not None)]
    rows = rows.dropna(subset=["value"])
    if rows.empty:
        return []
    n = int(rows["replications"].max())
    if n <= 1:
        return ["noise: one replication, so the noise of these differences is unknown; run with --replications 10 "
                "(or more) for intervals."]
    with_sets = "share_parameters" in rows
    if with_sets:
        lines = [f"[a, b]: 5th and 95th percentiles of the {n} runs' differences over the drawn parameter sets and "
                 f"their replications (parameters and noise together). Within noise (the {MEAN_INTERVAL:.0%} interval "
                 f"of the mean difference, from the sets' means, includes 0):"]
    else:
        lines = [f"[a, b]: 5th and 95th percentiles of the {n} replications' differences. Within noise (the "
                 f"{MEAN_INTERVAL:.0%} interval of the mean difference includes 0):"]
    within = rows[rows["noise"] == "within noise"]
    for (scenario, baseline), part in within.groupby(["scenario", "baseline"], sort=False):
        headings = ", ".join(ITEMS[i].heading for i in part["item"])
        lines.append(f"  {scenario} vs {baseline}: {headings}")
    if within.empty:
        lines[-1] += " none."
    if with_sets:
        lines.append("Share of each difference's variance due to the parameters (the rest is Monte Carlo noise; "
                     "- where it cannot be told):")
        for (scenario, baseline), part in rows.groupby(["scenario", "baseline"], sort=False):
            shares = ", ".join(f"{ITEMS[i].heading} {'-' if pd.isna(v) else f'{v:.0%}'}"
                               for i, v in zip(part["item"], part["share_parameters"]))
            lines.append(f"  {scenario} vs {baseline}: {shares}")
    return lines
