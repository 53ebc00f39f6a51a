"""The briefing on top of the report: each ask in two sentences, one table of the asks by measure, one by group.

What the Parliament asked, answered on the first screen: for ask 1, asks 2 and 3
on top of it, ask 4, the four together, the centres' incentive and the four
asks under the two budget envelopes, the extra eligible people, users, cost,
person-years at work, people at work in the last year, the share of the
government's goal of 120,000 and of the distance to 80%, and the cost per
person-year, each with the 90% interval of its mean over the runs; then, for
the resolution's groups and the non-active, the extra eligible, users and
people at work, and how well the cheque reaches each group before and after.
Below it, what would sharpen the answer: the groups of assumptions ranked by
their share of each headline's spread in a run with parameter sets, with the
data that would identify each and who holds them.

Every number is a paired difference of ``comparison.csv``; the shares of the
goal and of the distance are the expected people at work divided by the goal
and by the baseline's distance to the target in the last year, in people. Rows
the run does not hold are left out: a run of other scenarios shows each of its
pairs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..engine.counters import EMPLOYMENT_RATE
from . import labels
from .run_data import RunTables
from .tables import parameter_number, reach, target_rate

# The briefing's rows, in order, each a scenario of the run against its baseline there: ask 1 against the law; asks 2
# and 3 on top of ask 1 (they act on the people ask 1 admits: alone they change next to nothing, parts.csv); ask 4
# against the law; the four together; the centres' incentive on top of ask 1; the four within each budget envelope.
ROWS = ("herintreders", "herintreders_outreach", "vdab_followup", "quality_monitoring", "resolution_full",
        "centre_incentive", "resolution_envelope", "resolution_savings")
ASKS = ROWS[:5]  # the rows of the table by group: each ask and the four together
COMPOSITE = "resolution_full"
# Scenarios with the same parameters as a row's, shown as that row: resolution_whole is the four asks without the
# runs of their parts (make run's run with parameter sets).
SAME_AS = {"resolution_whole": COMPOSITE}
# The groups of the second table: the resolution's disadvantaged groups and the non-active.
GROUPS = ("low_educated", "age_50_plus", "migration_background", "work_disability", "non_active")
GOAL = "labour_market.employment_goal_extra_people"
# The columns of the first table: (key, item of comparison.csv, factor, decimals, signed)
COLUMNS = (("eligible", "extra_eligible", 1.0, 0, True), ("users", "extra_users", 1.0, 0, True),
           ("cost", "extra_cost_total_eur", 1e-6, 2, True),
           ("person_years", "extra_person_years_expected", 1.0, 0, True),
           ("employed", "extra_employed_expected", 1.0, 0, True))
TOLD = ("clear", "exact", "one replication")  # the noise of a difference told apart from noise (comparison.csv)


@dataclass(frozen=True)
class Row:
    """One row of the briefing: a scenario against its baseline, under a key that names it in the labels."""

    key: str  # the row of ROWS it shows (its labels brief.row.KEY, brief.what.KEY), or the scenario's name
    scenario: str
    baseline: str


def rows(run: RunTables) -> list[Row]:
    """The briefing's rows the run holds, in order; every pair of the run when it holds none of them."""
    pairs = dict(run.pairs())
    keys = {SAME_AS.get(scenario, scenario): scenario for scenario in pairs}
    out = [Row(key, keys[key], pairs[keys[key]]) for key in ROWS if key in keys]
    return out or [Row(scenario, scenario, baseline) for scenario, baseline in run.pairs()]


def name(run: RunTables, row: Row, lang: str) -> str:
    """A row's name: the briefing's for the asks and measures it knows, else 'scenario − baseline'."""
    key = f"brief.row.{row.key}"
    if labels.has(key):
        return labels.text(key, lang)
    return f"{run.title(row.scenario, lang)} − {run.title(row.baseline, lang)}"


def _value(run: RunTables, row: Row, item: str, group: str = "all") -> pd.Series | None:
    """The row of ``comparison.csv`` of an item of the pair, or None."""
    c = run.comparison
    found = c[(c["scenario"] == row.scenario) & (c["baseline"] == row.baseline) & (c["item"] == item)
              & (c["group"] == group)]
    return None if found.empty else found.iloc[0]


def _distance_people(run: RunTables, baseline: str) -> float:
    """The baseline's distance to the employment-rate target in its last year, in people (nan at or above it)."""
    rate = run.series(EMPLOYMENT_RATE)
    population = run.series(run.metric("population"))
    if baseline not in rate.columns or baseline not in population.columns:
        return float("nan")
    gap = target_rate(run) - float(rate[baseline].iloc[-1])
    return gap * float(population[baseline].iloc[-1]) if gap > 0 else float("nan")


def figures(run: RunTables) -> pd.DataFrame:
    """The first table as numbers: one row per briefing row, each measure's mean, low and high.

    Returns:
        Index: the rows' keys; columns ``(measure, value|low|high|noise)``, measures as :data:`COLUMNS` plus
        ``share_of_goal``, ``share_of_distance`` (fractions) and ``cost_per_person_year`` (EUR; nan unless the
        gain in person-years is told apart from noise).
    """
    goal = parameter_number(run, GOAL)
    out = {}
    for row in rows(run):
        cells = {}
        for key, item, _, _, _ in COLUMNS:
            r = _value(run, row, item)
            cells.update({(key, "value"): float("nan") if r is None else r["value"],
                          (key, "low"): float("nan") if r is None else r["mean_low"],
                          (key, "high"): float("nan") if r is None else r["mean_high"],
                          (key, "noise"): "" if r is None else str(r["noise"])})
        distance = _distance_people(run, row.baseline)
        for key, divisor in (("share_of_goal", goal), ("share_of_distance", distance)):
            for part in ("value", "low", "high"):
                cells[(key, part)] = cells[("employed", part)] / divisor
            cells[(key, "noise")] = cells[("employed", "noise")]
        ratio = _value(run, row, "cost_per_extra_person_year_eur")
        told = cells[("person_years", "noise")] in TOLD
        for part, column in (("value", "value"), ("low", "mean_low"), ("high", "mean_high")):
            cells[("cost_per_person_year", part)] = float(ratio[column]) if ratio is not None and told else float("nan")
        cells[("cost_per_person_year", "noise")] = "" if ratio is None else str(ratio["noise"])
        out[row.key] = cells
    return pd.DataFrame(out).T


def _cell(value: float, low: float, high: float, lang: str, decimals: int, sign: bool, factor: float = 1.0,
          unit: str = "") -> str:
    """'+1.234 [+1.200; +1.270]' (the interval on a line of its own), or – for a value the run does not give."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    show = lambda v: labels.number(v * factor, lang, decimals, sign) + unit  # noqa: E731
    text = show(value)
    if not (pd.isna(low) or pd.isna(high)):
        text += f"\n[{show(low)}; {show(high)}]"
    return text


def measures_table(run: RunTables, lang: str) -> pd.DataFrame:
    """The first table as text: rows the asks and measures, columns the measures, each 'mean [interval]'."""
    found = figures(run)
    if found.empty:
        return pd.DataFrame()
    shown = {}
    for row in rows(run):
        f = found.loc[row.key]
        cells = {}
        for key, _, factor, decimals, sign in COLUMNS:
            cells[labels.text(f"brief.column.{key}", lang)] = _cell(f[(key, "value")], f[(key, "low")],
                                                                   f[(key, "high")], lang, decimals, sign, factor)
        for key in ("share_of_goal", "share_of_distance"):
            cells[labels.text(f"brief.column.{key}", lang)] = _cell(f[(key, "value")], f[(key, "low")],
                                                                   f[(key, "high")], lang, 3, True, 100.0, "%")
        cells[labels.text("brief.column.cost_per_person_year", lang)] = _cell(
            f[("cost_per_person_year", "value")], f[("cost_per_person_year", "low")],
            f[("cost_per_person_year", "high")], lang, 0, False)
        shown[name(run, row, lang)] = cells
    return pd.DataFrame(shown).T


def groups_table(run: RunTables, lang: str) -> pd.DataFrame:
    """The second table as text: each ask and the four together by group, with the reach before and after.

    For each group: extra eligible, users and people at work (expected, last year) with their intervals, and the
    group's reach among users under the baseline and under the ask. A person counts in the group they are in
    when counted: eligible in the months they may order, users in the month they start, people at work in the
    months their gain is credited.
    """
    shown = {}
    for row in rows(run):
        if row.key not in ASKS:
            continue
        for group in GROUPS:
            cells = {}
            for key, item in (("eligible", "extra_eligible"), ("users", "extra_users"),
                              ("employed", "extra_employed_expected")):
                r = _value(run, row, item, group)
                cells[labels.text(f"brief.column.{key}", lang)] = (
                    "–" if r is None else _cell(r["value"], r["mean_low"], r["mean_high"], lang, 0, True))
            before, after = reach(run, row.baseline, group), reach(run, row.scenario, group)
            cells[labels.text("brief.column.reach", lang)] = (
                "–" if math.isnan(before) or math.isnan(after) else
                f"{labels.number(before, lang, 2)} → {labels.number(after, lang, 2)}")
            shown[(name(run, row, lang), labels.group(group, lang))] = cells
    return pd.DataFrame(shown).T if shown else pd.DataFrame()


def ask_sentences(run: RunTables, lang: str) -> list[str]:
    """Each row of the briefing in two sentences: what it does and to whom, then what it gives and costs."""
    found = figures(run)
    start, end = run.years
    out = []
    for row in rows(run):
        f = found.loc[row.key]
        whole = lambda key, f=f: labels.number(f[(key, "value")], lang, 0, sign=True)  # noqa: E731
        what = labels.text(f"brief.what.{row.key}", lang) if labels.has(f"brief.what.{row.key}") else ""
        numbers = labels.text(
            "brief.numbers", lang, eligible=whole("eligible"), users=whole("users"), start=start, end=end,
            cost=labels.number(f[("cost", "value")] / 1e6, lang, 2, sign=True), person_years=whole("person_years"),
            employed=whole("employed"), goal=labels.percent(f[("share_of_goal", "value")], lang, 3, sign=True))
        if f[("employed", "noise")] == "within noise":
            numbers += " " + labels.text("brief.within_noise", lang)
        out.append(f"**{name(run, row, lang)}.** {what} {numbers}".replace("  ", " "))
    return out


def lead(run: RunTables, lang: str) -> str:
    """The answer in one sentence: what the asks together bring, against the goal (empty without them)."""
    found = figures(run)
    if COMPOSITE not in found.index:
        return ""
    f = found.loc[COMPOSITE]
    return labels.text("brief.lead", lang, employed=labels.number(f[("employed", "value")], lang, 0, sign=True),
                       low=labels.number(f[("employed", "low")], lang, 0, sign=True),
                       high=labels.number(f[("employed", "high")], lang, 0, sign=True), end=run.years[1],
                       goal=labels.percent(f[("share_of_goal", "value")], lang, 3, sign=True),
                       cost=labels.number(f[("cost", "value")] / 1e6, lang, 1, sign=True))


def lead_groups(run: RunTables, lang: str) -> str:
    """Who the four asks together bring in: their extra users by group, and two groups' reach before and after.

    The reach of the low-educated and of the non-active among users, under the law and with the asks; empty
    without the four asks, or for a folder without users by group.
    """
    row = next((r for r in rows(run) if r.key == COMPOSITE), None)
    if row is None:
        return ""
    users = {g: _value(run, row, "extra_users", g) for g in ("all", *GROUPS)}
    if any(v is None for v in users.values()):
        return ""
    whole = lambda g: labels.number(users[g]["value"], lang, 0, sign=True)  # noqa: E731
    shares = {g: (reach(run, row.baseline, g), reach(run, row.scenario, g)) for g in ("low_educated", "non_active")}
    if any(math.isnan(v) for pair in shares.values() for v in pair):
        return ""
    two = lambda v: labels.number(v, lang, 2)  # noqa: E731
    unequal = " " + labels.text("brief.still_unequal", lang) if shares["low_educated"][1] < 1 else ""
    return labels.text("brief.lead_groups", lang, users=whole("all"), non_active=whole("non_active"),
                       low_educated=whole("low_educated"), older=whole("age_50_plus"),
                       migration=whole("migration_background"), disability=whole("work_disability"),
                       low_before=two(shares["low_educated"][0]), low_after=two(shares["low_educated"][1]),
                       non_active_before=two(shares["non_active"][0]),
                       non_active_after=two(shares["non_active"][1])) + unequal


def eligible_note(run: RunTables, lang: str) -> str:
    """Why ask 1 adds many eligible people and few users: the take-up of re-entrants beside workers' (empty if none)."""
    t = run.take_up
    if t.empty or "herintreders" not in set(t["scenario"]):
        return ""
    t = t[t["scenario"] == "herintreders"].set_index("population")
    if not {"reentrants", "workers"} <= set(t.index) or pd.isna(t.loc["reentrants", "rate_per_year"]):
        return ""
    return labels.text("brief.eligible_note", lang,
                       reentrants=labels.number(1000 * t.loc["reentrants", "rate_per_year"], lang, 1),
                       workers=labels.number(1000 * t.loc["workers", "rate_per_year"], lang, 1))


def html_table(table: pd.DataFrame) -> str:
    """A briefing table as HTML: escaped, each interval on its own line under its mean."""
    marker = "\x00"  # the line break of a cell, through pandas' escaping (which writes a newline as text)
    cells = table.map(lambda v: v.replace("\n[", marker) if isinstance(v, str) else v)
    text = cells.to_html(index=True, escape=True, na_rep="–", border=0, classes="dataframe briefing")
    return text.replace(marker, "<br><small>[").replace("]</td>", "]</small></td>")


def record(run: RunTables) -> dict:
    """The briefing's numbers as plain data (embedded in the report, the same in every language)."""
    found = figures(run)

    def plain(value):
        return None if isinstance(value, float) and math.isnan(value) else value

    return {key: {f"{measure}.{part}": plain(v) for (measure, part), v in row.items()}
            for key, row in found.to_dict(orient="index").items()}


# -- what would sharpen this answer -----------------------------------------------------------------------------------
# The headlines whose spread over parameter sets is ranked: (item of spread.csv, group), for each pair of the
# uncertainty run in :data:`ROWS`' order (ask 1 and the four together, as ``make run`` runs them).
SHARPEN_ITEMS = (("extra_eligible", "all"), ("extra_users", "all"), ("extra_cost_total_eur", "all"),
                 ("extra_person_years_expected", "all"), ("extra_employed_expected", "all"))
NOISE, NOT_ATTRIBUTED = "monte_carlo_noise", "not_attributed"
RANKED = 3  # the groups of assumptions shown per headline


def _spread_rows(uncertainty: RunTables) -> pd.DataFrame:
    """The uncertainty run's spread of the briefing's headlines, pairs in the briefing's order (empty if none)."""
    t = uncertainty.spread
    if t.empty:
        return t
    order = {row.scenario: i for i, row in enumerate(rows(uncertainty))}
    items = {key: i for i, key in enumerate(SHARPEN_ITEMS)}
    t = t[[s in order and (i, g) in items for s, i, g in zip(t["scenario"], t["item"], t["group"])]]
    t = t[t["sd_of_set_means"] > 0]
    return t.assign(_pair=t["scenario"].map(order), _item=[items[(i, g)] for i, g in zip(t["item"], t["group"])]
                    ).sort_values(["_pair", "_item"], kind="stable")


def _told(share: float, p_value: float) -> bool:
    """Whether a positive share stands out from chance (a share of 0 or none is not a share to rank)."""
    from ..results.spread import told_from_chance

    return bool(share > 0) and told_from_chance(share, p_value)


def _share(share: float, p_value: float, lang: str) -> str:
    """A share as '66%', in brackets when not told apart from chance at this number of sets."""
    text = labels.percent(share, lang, 0) + "%"
    return text if _told(share, p_value) else f"({text})"


def sharpen_table(uncertainty: RunTables, lang: str) -> pd.DataFrame:
    """For each headline, the groups of assumptions that no data identify ranked by their share of its spread.

    One row per (pair, headline): the spread (the standard deviation of the sets' means), the first
    :data:`RANKED` groups of assumptions by share (those told apart from chance first), the Monte Carlo noise and
    what no group explains alone.
    """
    t = _spread_rows(uncertainty)
    if t.empty:
        return pd.DataFrame()
    row_of = {r.scenario: r for r in rows(uncertainty)}
    shown = {}
    for (scenario, item, _), part in t.groupby(["scenario", "item", "group"], sort=False):
        row = row_of[scenario]
        groups = part[~part["assumption_group"].isin([NOISE, NOT_ATTRIBUTED]) & (part["share"] > 0)]
        p_values = groups["p_value"] if "p_value" in groups else pd.Series(float("nan"), index=groups.index)
        groups = groups.assign(_told=[_told(s, p) for s, p in zip(groups["share"], p_values)]).sort_values(
            ["_told", "share"], ascending=False, kind="stable")
        factor = 1e-6 if item == "extra_cost_total_eur" else 1.0
        cells = {labels.text("column.sd_of_set_means", lang): labels.significant(
            factor * part["sd_of_set_means"].iloc[0], lang)}
        ranked = list(groups.head(RANKED).itertuples())
        for rank in range(1, RANKED + 1):
            g = ranked[rank - 1] if rank <= len(ranked) else None
            cells[labels.text("sharpen.rank", lang, rank=rank)] = "–" if g is None else (
                f"{labels.text(f'assumption_group.{g.assumption_group}', lang)}: "
                f"{_share(g.share, getattr(g, 'p_value', float('nan')), lang)}")
        for special in (NOISE, NOT_ATTRIBUTED):
            found = part[part["assumption_group"] == special]
            cells[labels.text(f"assumption_group.{special}", lang)] = (
                "–" if found.empty or pd.isna(found["share"].iloc[0]) else labels.percent(found["share"].iloc[0], lang, 0) + "%")
        shown[f"{name(uncertainty, row, lang)}: {labels.text(f'item.{item}', lang)}"] = cells
    return pd.DataFrame(shown).T


def data_table(uncertainty: RunTables, lang: str) -> pd.DataFrame:
    """The groups of assumptions with the data that would identify each and who holds them.

    In the order of the largest share of a headline's spread each explains (those told apart from chance first).
    """
    t = _spread_rows(uncertainty)
    if t.empty:
        return pd.DataFrame()
    t = t[~t["assumption_group"].isin([NOISE, NOT_ATTRIBUTED]) & (t["share"] > 0)]
    p_values = t["p_value"] if "p_value" in t else pd.Series(float("nan"), index=t.index)
    t = t.assign(_told=[_told(s, p) for s, p in zip(t["share"], p_values)])
    best = t.sort_values(["_told", "share"], ascending=False, kind="stable").drop_duplicates("assumption_group")
    row_of = {x.scenario: x for x in rows(uncertainty)}
    shown = {}
    for r in best.itertuples():
        row = row_of[r.scenario]
        shown[labels.text(f"assumption_group.{r.assumption_group}", lang)] = {
            labels.text("sharpen.largest", lang): (f"{_share(r.share, getattr(r, 'p_value', float('nan')), lang)} "
                                                   f"({name(uncertainty, row, lang)}: "
                                                   f"{_lower_first(labels.text(f'item.{r.item}', lang))})"),
            labels.text("sharpen.data", lang): labels.text(f"sharpen.data.{r.assumption_group}", lang),
            labels.text("sharpen.holder", lang): labels.text(f"sharpen.holder.{r.assumption_group}", lang)}
    return pd.DataFrame(shown).T


def sharpen_record(uncertainty: RunTables) -> list[dict]:
    """The shares behind "what would sharpen this answer" as plain data (the same in every language)."""
    t = _spread_rows(uncertainty)
    if t.empty:
        return []
    columns = ["scenario", "baseline", "item", "group", "assumption_group", "share", "p_value", "sd_of_set_means"]
    t = t[[c for c in columns if c in t.columns]].round(6)
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
            for row in t.to_dict(orient="records")]


def _lower_first(text: str) -> str:
    """'Extra cost (EUR million)' -> 'extra cost (EUR million)': a label inside a sentence."""
    return text[:1].lower() + text[1:]


def sharpen_intro(uncertainty: RunTables, lang: str) -> str:
    """The sentence above the two tables: which run, how many sets, and how to read a share."""
    st = uncertainty.settings
    return labels.text("sharpen.intro", lang, sets=int(uncertainty.manifest.get("parameter_sets") or 0),
                       replications=int(uncertainty.manifest["replications"]),
                       scale=labels.significant(float(st["scale"]), lang), run=uncertainty.manifest["run"])
