"""What each scenario changes against its baseline, computed replication by replication.

A scenario's baseline is the nearest scenario it extends that runs with it
(``Scenario.lineage``), else the run's first scenario: ``herintreders_outreach``
is compared with ``herintreders`` (ask 2's part), ``herintreders`` with
``law_2025`` (ask 1's part). Every item is a paired difference taken within
each replication (same people, same random numbers), then summarised as the
mean and the 5th and 95th percentiles over replications.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine.counters import EMPLOYMENT_RATE, Counter, with_role
from ..engine.process import all_counters
from ..mechanisms import default_processes
from ..params.calendar import month_date, month_number
from ..params.scenario import Scenario
from ..params.uncertainty import variance_split
from ..people.groups import TARGET_GROUPS, WORKER_GROUPS
from .result import RunResult

USER_GROUPS = ("all", "women", "low_educated", "age_50_plus", "migration_background", "work_disability",
               "disadvantaged", "non_active", "reentrant_users", *WORKER_GROUPS)
# The groups the resolution names (its disadvantaged groups, and the non-active), for which the eligible and the
# expected gains in work are compared as well: the briefing's table by group. A person counts in the group they are
# in when counted (the month they are eligible, the month a gain is credited), not the group they were in earlier.
BRIEFING_GROUPS = (*TARGET_GROUPS, "disadvantaged", "non_active")
BY_BRIEFING_GROUP = ("extra_eligible", "extra_person_years_expected", "extra_employed_expected")


@dataclass(frozen=True)
class Item:
    """One item of the comparison: unit, meaning, and its column in the terminal table (if shown)."""

    unit: str
    meaning: str
    heading: str | None = None
    fmt: str = "{:+,.0f}"
    factor: float = 1.0


# The items before and after the costs, in the order of the table; the costs come from the counters' roles.
_BEFORE_COSTS = {
    "extra_eligible": Item("persons", "people who may order a cheque, average over the horizon", "eligible"),
    "extra_users": Item("persons", "people starting cheque 1, total over the horizon", "users"),
}
_AFTER_COSTS = {
    "extra_cost_total_eur": Item("EUR", "all costs above, total over the horizon", "cost EUR M", "{:+,.2f}", 1e-6),
    "extra_waiting": Item("persons", "people waiting for a centre, average over the horizon", "waiting"),
    "extra_dropouts": Item("persons", "people who gave up waiting for a centre, total over the horizon"),
    "user_quality_change": Item("fraction", "change of the mean quality of the users' centres over the horizon "
                                "(the effect of guidance per user changes in proportion)", "effect per user", "{:+.1%}"),
    "extra_registrations": Item("persons", "registrations at VDAB as job seeker (follow-up included), total over the "
                                "horizon", "registrations"),
    "extra_person_years": Item("person-years", "years at work (net) over the horizon: the yearly average of people "
                               "at work summed over the years, each year weighed by its months in the horizon",
                               "person-years (sim.)"),
    "extra_employed": Item("persons", "people at work (net), average of the last year", "at work (sim.)"),
    "extra_person_years_expected": Item("person-years", "person-years at work that guidance and registering through "
                                        "follow-up are expected to bring (a conditional expectation from every recent "
                                        "user's and registrant's hazards, month by month, instead of the one life "
                                        "chance picks: that part of extra_person_years, with far less noise)",
                                        "person-years (exp.)"),
    "extra_employed_expected": Item("persons", "the same for people at work, average of the last year: that part of "
                                    "extra_employed", "at work (exp.)"),
    "extra_exits_from_work": Item("persons", "moves out of work, total over the horizon (negative: exits avoided)"),
    "extra_job_changes": Item("persons", "job changes of employed recent users, total over the horizon"),
    "outreach_contacts": Item("persons", "people contacted by outreach, total over the horizon"),
    "outreach_share_eligible": Item("fraction", "share of the extra outreach contacts who could order a cheque when "
                                    "contacted (empty without contacts)", fmt="{:.1%}"),
    "cost_per_extra_user_eur": Item("EUR", "mean extra cost over the horizon / mean extra users (a ratio of means, "
                                    "with Fieller's interval; empty unless the cost is positive and the users' "
                                    "interval lies above 0)", fmt="{:,.0f}"),
    "cost_per_extra_person_year_eur": Item("EUR", "mean extra cost over the horizon / mean extra person-years at "
                                           "work as expected (extra_person_years_expected; a ratio of means, with "
                                           "Fieller's interval; empty unless the cost is positive and the "
                                           "person-years' interval lies above 0)",
                                           "EUR per person-year", "{:,.0f}"),
    "cost_per_extra_employed_eur": Item("EUR", "mean extra cost over the horizon / mean extra people at work in the "
                                        "last year as expected (extra_employed_expected; a ratio of means, with "
                                        "Fieller's interval; empty unless the cost is positive and the interval of "
                                        "people at work lies above 0)",
                                        fmt="{:,.0f}"),
    "employment_rate_change_pp": Item("percentage points", "employment rate 20-64 in the last year", "rate (points)",
                                      "{:+.3f}"),
    "share_of_goal": Item("fraction", "extra people at work as a share of the goal of 120,000 more at work",
                          "of 120,000 goal", "{:+.2%}"),
    "share_of_distance_to_target": Item("fraction", "change of the employment rate as a share of the baseline's "
                                        "distance to 80% in the last year (empty when the baseline reaches 80%)",
                                        "of distance to 80%", "{:+.2%}"),
}


def cost_item(counter: Counter) -> str:
    """The comparison's item of a cost counter: ``extra_cost_<item>_eur``."""
    return f"extra_cost_{counter.item}_eur"


def cost_items(counters: Iterable[Counter]) -> dict[str, str]:
    """``{item: metric}`` of every public cost (role ``cost``), in their order."""
    return {cost_item(c): c.name for c in with_role(counters, "cost")}


def items(counters: Iterable[Counter]) -> dict[str, Item]:
    """The items of a comparison of runs with these counters, in the order of the table."""
    costs = {cost_item(c): Item("EUR", f"{c.description}, total over the horizon") for c in with_role(counters, "cost")}
    return {**_BEFORE_COSTS, **costs, **_AFTER_COSTS}


@functools.cache
def model_items() -> dict[str, Item]:
    """The items of a comparison of the model's own month (:func:`model.mechanisms.default_processes`)."""
    return items(all_counters(default_processes()))


def _role(result: RunResult, role: str) -> str | None:
    """The metric with ``role`` in the run, or None when no process of its month counts it."""
    found = with_role(result.counters, role)
    return found[0].name if found else None


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


def _mean_quality(values: pd.DataFrame, quality: str, users: str) -> float:
    """Mean quality multiplier of the users' centres over the horizon (group all; nan without users)."""
    everybody = values.xs("all", level="group")
    starts = float(everybody[users].sum())
    return float(everybody[quality].sum()) / starts if starts > 0 else np.nan


def months_by_year(settings) -> pd.Series:
    """The simulated months of each year of the horizon (a horizon may start or end mid-year), by year."""
    return pd.Series([month_date(m).year for m in range(settings.start_month, settings.end_month + 1)]).value_counts()


def plain_metric(yearly: pd.DataFrame, dims: tuple[str, ...]) -> pd.DataFrame:
    """Yearly values summed over any extra dimensions (e.g. outreach cost over channels)."""
    keys = ["scenario", "replication", "year", "metric", "group"]
    return yearly.groupby(keys, as_index=False, dropna=False)["value"].sum(min_count=1) if dims else yearly[keys + ["value"]]


def compare(result: RunResult, pairs: list[tuple[str, str]] | None = None,
            per_rep: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every item (:func:`items`) for every scenario that has a baseline in the run.

    Args:
        pairs: ``(scenario, baseline)`` pairs to compare instead (default: each
            scenario against :func:`baseline_of`).
        per_rep: The paired differences run by run (:func:`paired_differences`), if already made.

    Returns:
        Columns scenario, baseline, item, group, unit, value (mean over
        replications), p05, p95 (of the replications' differences),
        replications, mean_low, mean_high and noise (the 90% interval of the
        mean, :func:`interval_of_the_mean`). With parameter sets, p05 and p95
        span parameters and noise together (the total interval), the interval
        of the mean comes from the sets' means, and var_total, var_parameters,
        var_monte_carlo and share_parameters split the variance
        (:func:`model.params.uncertainty.variance_split`). ``extra_users`` is given for
        every group of ``USER_GROUPS`` and for ``workers`` (all but the re-entrant users), the items of
        ``BY_BRIEFING_GROUP`` for every group of ``BRIEFING_GROUPS``, the other items for group ``all``.
    """
    names = [s.name for s in result.scenarios]
    per_rep = paired_differences(result, pairs) if per_rep is None else per_rep
    if per_rep.empty:
        return pd.DataFrame(columns=["scenario", "baseline", "item", "group", "unit", "value", "p05", "p95", "replications",
                                     "mean_low", "mean_high", "noise"])
    listed = items(result.counters)
    out = pd.concat([summarise_runs(per_rep, result), cost_ratios(per_rep, result)])
    out = out.reset_index()
    out.insert(4, "unit", out["item"].map(lambda i: listed[i].unit))
    order = {item: i for i, item in enumerate(listed)}
    return out.sort_values(["scenario", "item"], key=lambda c: c.map(order) if c.name == "item" else c.map(
        {n: i for i, n in enumerate(names)}), kind="stable").reset_index(drop=True)


def paired_differences(result: RunResult, pairs: list[tuple[str, str]] | None = None) -> pd.DataFrame:
    """Every item of :func:`compare`, run by run: the paired difference of each replication, before any summary.

    Args:
        pairs: ``(scenario, baseline)`` pairs (default: each scenario against :func:`baseline_of`).

    Returns:
        Columns scenario, baseline, item, group, replication, value (empty when no scenario has a baseline).
    """
    yearly = plain_metric(result.yearly, result.dims)
    wide = yearly.pivot_table(index=["scenario", "replication", "year", "group"], columns="metric", values="value",
                              aggfunc="first", dropna=False)
    last_year = int(yearly["year"].max())
    p_last = result.scenarios[0].tree.at(month_date(month_number(last_year, 7)))
    role = {name: _role(result, name) for name in ("eligible", "waiting", "dropouts", "user_quality", "users",
                                                   "registrations", "employed", "exits", "job_changes", "contacts",
                                                   "contacts_eligible", "expected_person_years", "expected_employed")}
    year_weight = months_by_year(result.settings) / 12.0  # each year's weight in person-years
    costs_of = cost_items(result.counters)
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

            def total(metric: str | None, group: str = "all", d: pd.DataFrame = d) -> float:
                return float(d.xs(group, level="group")[metric].sum()) if metric in d else 0.0

            def mean(metric: str | None, group: str = "all", d: pd.DataFrame = d) -> float:
                return float(d.xs(group, level="group")[metric].mean()) if metric in d else 0.0

            last = d.xs(last_year, level="year").loc["all"]
            base_rate = float(b.xs(last_year, level="year").loc["all", EMPLOYMENT_RATE])
            costs = {item: total(metric) for item, metric in costs_of.items()}
            extra_employed = float(last[role["employed"]])
            employed = d.xs("all", level="group")[role["employed"]]
            person_years = float((employed * year_weight.reindex(employed.index).fillna(0)).sum())
            contacts = total(role["contacts"])
            values = {
                "extra_eligible": mean(role["eligible"]),
                **costs,
                "extra_cost_total_eur": sum(costs.values()),
                "extra_waiting": mean(role["waiting"]),
                "extra_dropouts": total(role["dropouts"]),
                "user_quality_change": (_mean_quality(a, role["user_quality"], role["users"])
                                        / _mean_quality(b, role["user_quality"], role["users"]) - 1.0
                                        if role["user_quality"] in d else np.nan),
                "extra_registrations": total(role["registrations"]),
                "extra_person_years": person_years,
                "extra_employed": extra_employed,
                "extra_person_years_expected": total(role["expected_person_years"]),
                "extra_employed_expected": total(role["expected_employed"]),
                "extra_exits_from_work": total(role["exits"]),
                "extra_job_changes": total(role["job_changes"]),
                "outreach_contacts": contacts,
                "outreach_share_eligible": total(role["contacts_eligible"]) / contacts if contacts >= 1 else np.nan,
                "employment_rate_change_pp": float(last[EMPLOYMENT_RATE]) * 100,
                "share_of_goal": extra_employed / goal,
                "share_of_distance_to_target": (float(last[EMPLOYMENT_RATE]) / (target - base_rate)
                                                if base_rate < target else np.nan),
            }
            for item, value in values.items():
                rows.append((name, base, item, "all", rep, value))
            for group in USER_GROUPS:
                rows.append((name, base, "extra_users", group, rep, total(role["users"], group)))
            for group in BRIEFING_GROUPS:
                rows.extend([(name, base, "extra_eligible", group, rep, mean(role["eligible"], group)),
                             (name, base, "extra_person_years_expected", group, rep,
                              total(role["expected_person_years"], group)),
                             (name, base, "extra_employed_expected", group, rep,
                              total(role["expected_employed"], group))])
            # workers: everybody but the re-entrants out of work (under a budget envelope, those crowded out)
            rows.append((name, base, "extra_users", "workers", rep,
                         total(role["users"]) - total(role["users"], "reentrant_users")))
    return pd.DataFrame(rows, columns=["scenario", "baseline", "item", "group", "replication", "value"])


def yearly_metrics(result: RunResult) -> list[str]:
    """The headline metrics followed year by year: people at work, the employment rate, new users and every cost."""
    return [m for m in (_role(result, "employed"), EMPLOYMENT_RATE, _role(result, "users")) if m] + [
        c.name for c in result.costs()]


def yearly_differences(result: RunResult) -> pd.DataFrame:
    """Each scenario's paired difference against its baseline, year by year, for the headline metrics (group all).

    The charts' bands come from here (``differences_by_year.csv``): p05 and p95
    of the runs' differences (with parameter sets, parameters and noise
    together), and the 90% interval of the mean over the runs.

    Returns:
        Columns scenario, baseline, metric, year, value (mean), p05, p95, runs, mean_low, mean_high, noise.
    """
    yearly = plain_metric(result.yearly, result.dims)
    yearly = yearly[(yearly["group"] == "all") & yearly["metric"].isin(yearly_metrics(result))]
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


KEYS = ("scenario", "baseline", "item", "group")  # what identifies a paired difference


def summarise_runs(per_rep: pd.DataFrame, result: RunResult, keys: tuple[str, ...] = KEYS) -> pd.DataFrame:
    """Each item's differences over the runs: mean, p05, p95, runs, the interval of the mean (and the variance split).

    Args:
        per_rep: One row per key and replication: its paired difference ``value``.
        result: The run (its parameter sets, if any, and the replications of each).
        keys: The columns that identify a difference (by default :data:`KEYS`).

    Returns:
        One row per key, the keys as the index.
    """
    keys = list(keys)
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
        noise_of_a_mean = sets.var().groupby(level=keys, sort=False, dropna=False).mean() / result.settings.replications
        spread = np.sqrt(np.maximum(by_set.var().fillna(0), noise_of_a_mean.fillna(0)))
        out["mean_low"], out["mean_high"], out["noise"] = interval_of_the_mean(out["value"], spread, by_set.count())
        split = {key: variance_split(part["value"].to_numpy(), part["parameter_set"].to_numpy())
                 for key, part in per_rep.dropna(subset=["value"]).groupby(keys, sort=False, dropna=False)}
        split = pd.DataFrame.from_dict(split, orient="index").rename_axis(keys)
        out = out.join(split)
    return out


MEAN_INTERVAL = 0.90  # two-sided confidence of the interval of a mean difference
NOT_DEFINED = "not defined"  # the noise of a ratio that is not given (its gain within noise, or no cost or no gain)
# Each cost ratio and the effect it divides the extra cost by.
RATIOS = {"cost_per_extra_user_eur": "extra_users", "cost_per_extra_person_year_eur": "extra_person_years_expected",
          "cost_per_extra_employed_eur": "extra_employed_expected"}


@dataclass(frozen=True)
class Ratio:
    """A ratio of two means with its interval (:func:`ratio_of_means`).

    Attributes:
        value: Mean numerator / mean denominator (NaN when not defined).
        low, high: Its interval (NaN with one unit, or when not defined).
        noise: As :func:`interval_of_the_mean`: ``clear``, ``exact``, ``one replication``, or ``not defined``
            (the denominator's interval includes 0, or it or the numerator is not positive: no ratio is given).
    """

    value: float
    low: float
    high: float
    noise: str


def ratio_of_means(numerator: np.ndarray, denominator: np.ndarray, level: float = MEAN_INTERVAL) -> Ratio:
    """The ratio of the mean numerator to the mean denominator over paired units, with Fieller's interval.

    A ratio of means, not a mean of the runs' ratios: a run whose effect is
    near 0 gives an absurd ratio of its own, and dropping such runs biases
    the mean. Fieller's interval (Fieller 1954, *J. R. Stat. Soc. B* 16:175)
    takes the covariance of the two means into account; it is bounded only
    when the denominator's own interval at the same level excludes 0, which
    is when the ratio is given. A cost per effect is given only for a
    positive mean cost and a positive effect told apart from noise: a saving,
    a loss, or an effect within noise has none.

    Args:
        numerator, denominator: One value per unit (replication, or parameter set's mean), paired.
        level: Two-sided confidence of the interval.
    """
    from scipy import stats

    x, y = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    n = len(x)
    if n == 0:
        return Ratio(np.nan, np.nan, np.nan, NOT_DEFINED)
    a, b = float(x.mean()), float(y.mean())
    if n == 1:
        given = a > 0 and b >= 1  # one run: its ratio, with no interval (as every item of one replication)
        return Ratio(a / b if given else np.nan, np.nan, np.nan, "one replication")
    v11, v12, v22 = (np.cov(x, y, ddof=1) / n).ravel()[[0, 1, 3]]
    if v11 == 0 and v22 == 0:
        given = a > 0 and b > 0
        return Ratio(a / b if given else np.nan, a / b if given else np.nan, a / b if given else np.nan, "exact")
    t = float(stats.t.ppf(0.5 + level / 2, n - 1))
    g = t * t * v22 / (b * b) if b != 0 else np.inf
    if not (a > 0 and b > 0 and g < 1):
        return Ratio(np.nan, np.nan, np.nan, NOT_DEFINED)
    # the ratios r with (a - r b)^2 <= t^2 var(a - r b): the roots of a quadratic, bounded when g < 1
    t2 = t * t
    lead, mid, last = b * b - t2 * v22, a * b - t2 * v12, a * a - t2 * v11
    root = np.sqrt(max(mid * mid - lead * last, 0.0))
    return Ratio(a / b, (mid - root) / lead, (mid + root) / lead, "clear")


def cost_ratios(per_rep: pd.DataFrame, result: RunResult) -> pd.DataFrame:
    """The cost ratios (:data:`RATIOS`) of every pair, as ratios of means (:func:`ratio_of_means`), group ``all``.

    The units are the replications, or with parameter sets the sets' means
    (as the interval of every other mean). p05 and p95 are left empty: a
    ratio of means has no value run by run.

    Returns:
        One row per (scenario, baseline, item, group), as :func:`summarise_runs`.
    """
    keys = ["scenario", "baseline", "item", "group"]
    rows = per_rep[(per_rep["group"] == "all") & per_rep["item"].isin(["extra_cost_total_eur", *RATIOS.values()])]
    unit = "replication"
    if result.parameter_sets is not None:
        rows = rows.assign(parameter_set=result.parameter_set_of(rows["replication"]))
        rows = rows.groupby(["scenario", "baseline", "item", "parameter_set"], sort=False)["value"].mean().reset_index()
        unit = "parameter_set"
    wide = rows.pivot_table(index=["scenario", "baseline", unit], columns="item", values="value", aggfunc="first")
    counts = per_rep[(per_rep["group"] == "all") & (per_rep["item"] == "extra_cost_total_eur")].groupby(
        ["scenario", "baseline"], sort=False)["value"].count()
    out = []
    for (scenario, baseline), part in wide.groupby(level=["scenario", "baseline"], sort=False):
        for item, effect in RATIOS.items():
            if effect not in part or "extra_cost_total_eur" not in part:
                continue
            r = ratio_of_means(part["extra_cost_total_eur"].to_numpy(), part[effect].to_numpy())
            runs = int(counts.get((scenario, baseline), 0))
            out.append((scenario, baseline, item, "all", r.value, np.nan, np.nan, runs, r.low, r.high, r.noise))
    columns = [*keys, "value", "p05", "p95", "replications", "mean_low", "mean_high", "noise"]
    return pd.DataFrame(out, columns=columns).set_index(keys)


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
    """One row per scenario and baseline, group ``all``, the means over the runs (what ``loopbaan run`` prints)."""
    all_rows = compared[compared["group"] == "all"]
    wide = all_rows.set_index(["scenario", "baseline", "item"])["value"].unstack("item")
    order = list(dict.fromkeys(zip(all_rows["scenario"], all_rows["baseline"])))
    return wide.reindex(index=pd.MultiIndex.from_tuples(order, names=["scenario", "baseline"]),
                        columns=[c for c in dict.fromkeys(all_rows["item"]) if c in wide.columns])


def levels(result: RunResult) -> pd.DataFrame:
    """One row per scenario: its own levels (group ``all``, means over the runs); the differences are :func:`compare`'s.

    From the yearly values of every run. Averages and per-year rates are taken
    over the reported months, so a horizon that starts or ends mid-year is not misread.
    """
    y = plain_metric(result.yearly, result.dims)  # summed over any extra dimension (outreach cost over channels)
    y = y[y["group"] == "all"].groupby(["scenario", "metric", "year"], observed=True)["value"].mean()  # over runs
    last_year = max(result.summary["year"])
    settings = result.settings
    months = months_by_year(settings)
    years = months.sum() / 12.0
    eligible, users, reentries = (_role(result, r) for r in ("eligible", "users", "reentries"))
    rows = []
    for sc in result.scenarios:
        per_year = lambda metric, name=sc.name: y.loc[(name, metric)]  # noqa: E731
        rate = result.summary[(result.summary.scenario == sc.name) & (result.summary.group == "all")
                              & (result.summary.metric == EMPLOYMENT_RATE) & (result.summary.year == last_year)]["value"]
        eligible_by_year = per_year(eligible)  # yearly averages, weighed by the months of each year in the horizon
        rows.append({
            "scenario": sc.name,
            "eligible (avg)": float((eligible_by_year * months.reindex(eligible_by_year.index)).sum() / months.sum()),
            "cheque-1 starts/yr": per_year(users).sum() / years,
            "public cost EUR M/yr": sum(per_year(c.name).sum() for c in result.costs()) / years / 1e6,
            "users back to work (gross)": per_year(reentries).sum(),
            f"employment rate {last_year}": float(rate.iloc[0]),
        })
    return pd.DataFrame(rows).set_index("scenario")
