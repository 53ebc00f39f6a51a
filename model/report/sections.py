"""The report's sections in Dutch or English: header, warnings, and the tables formatted for reading.

``notebooks/report.py`` shows these; keeping them here keeps the notebook a
short list of sections, and lets the what-if page and tests use the same text.
The numbers come from :mod:`.tables` and :mod:`.findings`.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..engine.counters import EMPLOYMENT_RATE
from ..results.comparison import RATIOS
from ..results.margins import margin_settings
from ..results.spread import p_value_of_share, told_from_chance
from . import briefing, findings, labels, tables
from .charts.figures import cost_label
from .run_data import RunTables

HEADER_SCENARIOS = 5  # the header names at most this many scenarios; the manifest at the end lists them all
SMALL_SCALE = 0.1  # below this share of the population the report warns that small groups are noisy


def header(run: RunTables, lang: str) -> str:
    """The report's title and the run it reads: scenarios, period, scale, runs, seed (Markdown)."""
    st = run.settings
    full = float(st["scale"]) == 1.0 and float(run.manifest["persons_per_agent"]) == 1.0
    names = run.scenario_names
    scenarios = (", ".join(run.title(n, lang) for n in names) if len(names) <= HEADER_SCENARIOS
                 else labels.text("report.scenarios_many", lang, n=len(names)))
    scale = labels.text("report.scale_full" if full else "report.scale", lang, run=run.short_name,
                        scenarios=scenarios,
                        start=st["start"], end=st["end"], scale=labels.significant(st["scale"], lang),
                        persons=labels.number(run.manifest["persons_simulated"], lang),
                        per=labels.number(run.manifest["persons_per_agent"], lang, 0), runs=run.runs_text(lang),
                        seed=run.manifest["seed"])
    return f"# {labels.text('report.title', lang)}\n\n*{labels.text('report.subtitle', lang)}*\n\n{scale}"


def warning_lines(run: RunTables, lang: str) -> list[str]:
    """The warnings at the top: one replication, a small scale, differences in work within noise."""
    out = []
    if run.runs <= 1:
        out.append(labels.text("report.one_replication", lang))
    scale = float(run.settings["scale"])
    if scale < SMALL_SCALE:
        out.append(labels.text("report.small_scale", lang, scale=labels.significant(scale, lang),
                               per=labels.number(run.manifest["persons_per_agent"], lang, 0)))
    noisy = findings.within_noise(run)
    if noisy:
        against = f" {labels.text('word.against', lang)} "
        names = [against.join((run.title(scenario, lang), run.title(baseline, lang))) for scenario, baseline in noisy]
        out.append(labels.text("report.noise_warning", lang, names="; ".join(names)))
    return out


def _formatted(table: pd.DataFrame, lang: str, decimals: dict[str, int] | int = 0, sign: bool = False) -> pd.DataFrame:
    """Numbers as text in the language's format (empty for a missing value)."""
    out = table.copy().astype(object)
    for column in table.columns:
        d = decimals.get(column, 0) if isinstance(decimals, dict) else decimals
        out[column] = [("" if pd.isna(v) else labels.number(v, lang, d, sign)) if isinstance(v, (int, float)) else v
                       for v in table[column]]
    return out


# each cost ratio and the effect it divides by: shown only when that effect is told apart from noise
RATIO_OF = {item: effect for item, effect in RATIOS.items() if item != "cost_per_extra_user_eur"}


def findings_table(run: RunTables, lang: str) -> pd.DataFrame:
    """The headline numbers of every scenario against its baseline, with their 90% intervals, as text."""
    found = findings.table(run)
    scale = {"extra_cost_total_eur": 1e-6, "share_of_goal": 100, "share_of_distance_to_target": 100}
    decimals = {"employment_rate_change_pp": 4, "extra_cost_total_eur": 2, "share_of_goal": 2,
                "share_of_distance_to_target": 2}
    rows = {}
    for (scenario, baseline), part in found.groupby(["scenario", "baseline"], sort=False):
        cells = {}
        told = {item: (part.loc[part["item"] == item, "noise"].isin(["clear", "exact", "one replication"])).any()
                for item in RATIO_OF.values()}
        for r in part.itertuples():
            f, d = scale.get(r.item, 1), decimals.get(r.item, 0)
            # a cost ratio (a ratio of means) only for a gain told from noise; a ratio is never signed
            unit = "%" if r.item in ("share_of_goal", "share_of_distance_to_target") else ""
            show = lambda v, f=f, d=d, sign=r.item not in RATIO_OF, unit=unit: (  # noqa: E731
                labels.number(v * f, lang, d, sign=sign) + unit)
            hidden = r.item in RATIO_OF and not told[RATIO_OF[r.item]]
            text = "–" if pd.isna(r.value) or hidden else show(r.value)
            if not pd.isna(r.value) and not hidden and not pd.isna(r.low):
                text += f" [{show(r.low)}; {show(r.high)}]"
            cells[labels.text(f"item.{r.item}", lang)] = text
        rows[f"{run.title(scenario, lang)} − {run.title(baseline, lang)}"] = cells
    return pd.DataFrame(rows)


PART_ITEMS = ("extra_users", "extra_cost_total_eur", "extra_person_years_expected", "extra_employed_expected")


def parts_table(run: RunTables, lang: str) -> pd.DataFrame:
    """Each part's share of a scenario made of parts (the resolution's asks): alone and added in order, as text."""
    if run.parts.empty:
        return pd.DataFrame()
    p = run.parts[run.parts["item"].isin(PART_ITEMS)]
    rows = {}
    for (scenario, part, how), group in p.groupby(["scenario", "part", "how"], sort=False):
        key = f"part.{part}" if labels.has(f"part.{part}") else None
        name = labels.text(key, lang) if key else part
        cells = {}
        for r in group.set_index("item").reindex([i for i in PART_ITEMS if i in set(group["item"])]).itertuples():
            f, d = (1e-6, 2) if r.Index.endswith("_eur") else (1, 0)
            show = lambda v, f=f, d=d: labels.number(v * f, lang, d, sign=True)  # noqa: E731
            text = show(r.value)
            low, high = getattr(r, "mean_low", float("nan")), getattr(r, "mean_high", float("nan"))
            if not pd.isna(low):  # a folder of the first runs has no interval
                text += f" [{show(low)}; {show(high)}]"
            if getattr(r, "noise", None) == "within noise":
                text = "≈ " + text
            cells[labels.text(f"item.{r.Index}", lang)] = text
        rows[(run.title(scenario, lang), name, labels.text(f"how.{how}", lang))] = cells
    return pd.DataFrame(rows).T


def follow_up_months(run: RunTables) -> str:
    """The months after the start at which users are followed up (the run's parameter), as text."""
    months = tables.parameter_number(run, "behaviour.guidance_effect.evaluation_months")
    return "–" if math.isnan(months) else str(int(months))


def funnel_text(run: RunTables, lang: str, scenario: str) -> pd.DataFrame:
    """The funnel of one scenario, by group, as text (:func:`model.report.tables.funnel_table`)."""
    table = tables.funnel_table(run, scenario)
    table.index = [labels.group(g, lang) for g in table.index]
    table.columns = [labels.text(f"stage.{c}", lang) for c in table.columns]
    return _formatted(table, lang)


def reach_text(run: RunTables, lang: str) -> pd.DataFrame:
    """Each group's representation among users (share of users / share of population), per scenario, as text."""
    table = tables.reach_table(run)
    table.index = [labels.group(g, lang) for g in table.index]
    table.columns = [run.title(c, lang) for c in table.columns]
    return _formatted(table, lang, 2)


def take_up_text(run: RunTables, lang: str) -> pd.DataFrame:
    """Cheque-1 users per eligible person and year, re-entrants out of work beside workers, per scenario, as text."""
    t = run.take_up
    if t.empty:
        return pd.DataFrame()
    t = t[(t["eligible_person_years"] > 0) & t["scenario"].isin(run.scenario_names)]  # not the part runs
    pct = lambda v: "–" if pd.isna(v) else labels.number(100 * v, lang, 2)  # noqa: E731
    shown = pd.DataFrame({
        "scenario": [run.title(n, lang) for n in t["scenario"]],
        "population": [labels.text(f"population.{p}", lang) for p in t["population"]],
        "eligible_person_years": [labels.number(v, lang) for v in t["eligible_person_years"]],
        "users": [labels.number(v, lang) for v in t["users"]],
        "rate_per_year": [pct(v) + ("" if pd.isna(lo) else f" [{pct(lo)}; {pct(hi)}]")
                          for v, lo, hi in zip(t["rate_per_year"], t["mean_low"], t["mean_high"])],
    })
    shown.columns = [labels.text(f"column.{c}", lang) for c in shown.columns]
    return shown


def outreach_lines(run: RunTables, lang: str) -> list[str]:
    """One line per scenario with outreach contacts: how many, the share who could use the cheque, cost per extra user."""
    c = run.comparison
    c = c[(c["group"] == "all") & c["item"].isin(["outreach_contacts", "outreach_share_eligible",
                                                   "cost_per_extra_user_eur", "extra_users"])]
    lines = []
    for (scenario, baseline), part in c.groupby(["scenario", "baseline"], sort=False):
        values = part.set_index("item")["value"]
        if (scenario, baseline) not in set(run.pairs()) or not values.get("outreach_contacts", 0) >= 1:
            continue
        per_user = values.get("cost_per_extra_user_eur", np.nan)
        lines.append(labels.text("text.outreach_line", lang, scenario=run.title(scenario, lang),
                                 baseline=run.title(baseline, lang),
                                 contacts=labels.number(values["outreach_contacts"], lang),
                                 share=labels.percent(values["outreach_share_eligible"], lang, 1),
                                 users=labels.number(values.get("extra_users", np.nan), lang, sign=True),
                                 per_user="–" if pd.isna(per_user) else labels.number(per_user, lang)))
    return lines


# All users, the re-entrants admitted, and the workers whose places they take, by group (a folder from before the
# workers' groups shows the first three)
CROWD_OUT_GROUPS = ("all", "reentrant_users", "workers", "workers_women", "workers_low_educated", "workers_age_50_plus",
                    "workers_migration_background", "workers_work_disability")


def envelope_pairs(run: RunTables) -> list[tuple[str, str]]:
    """The pairs shown whose baseline holds the cheques to a yearly budget envelope (its own overrides set one)."""
    capped = {s["name"] for s in run.manifest.get("scenarios", [])
              if any(v for v in (s.get("overrides") or {}).get("cheque.budget.yearly_cap_eur", {}).values())}
    return [(a, b) for a, b in run.pairs() if b in capped]


def crowd_out_text(run: RunTables, lang: str) -> pd.DataFrame:
    """Under a budget envelope: extra users by group (workers crowded out) and extra work, per pair, as text."""
    pairs = envelope_pairs(run)
    if not pairs:
        return pd.DataFrame()
    c = run.comparison
    columns = {}
    for scenario, baseline in pairs:
        part = c[(c["scenario"] == scenario) & (c["baseline"] == baseline)]
        cells = {}
        for item, groups in (("extra_users", CROWD_OUT_GROUPS), ("extra_person_years_expected", ("all",)),
                             ("extra_person_years", ("all",)), ("extra_employed_expected", ("all",)),
                             ("extra_employed", ("all",))):
            for group in groups:
                row = part[(part["item"] == item) & (part["group"] == group)]
                if row.empty:
                    continue
                r = row.iloc[0]
                show = lambda v: labels.number(v, lang, 0, sign=True)  # noqa: E731
                text = show(r["value"]) + ("" if pd.isna(r["mean_low"]) else
                                           f" [{show(r['mean_low'])}; {show(r['mean_high'])}]")
                name = (labels.text(f"item.{item}", lang) if item != "extra_users"
                        else f"{labels.text('item.extra_users', lang)}: {labels.group(group, lang)}")
                cells[name] = text
        columns[f"{run.title(scenario, lang)} − {run.title(baseline, lang)}"] = cells
    return pd.DataFrame(columns)


SPREAD_SHOWN = (("extra_users", "all"), ("extra_users", "reentrant_users"), ("extra_users", "workers"),
                ("extra_cost_total_eur", "all"), ("extra_person_years_expected", "all"), ("extra_person_years", "all"),
                ("extra_employed_expected", "all"), ("extra_employed", "all"))


def _share_cell(share: float, p_value: float, lang: str) -> str:
    """A share of the spread as text: ``–`` when unknown, in brackets when not told apart from chance."""
    if pd.isna(share):
        return "–"
    text = labels.percent(share, lang, 0) + "%"
    return text if told_from_chance(share, p_value) else f"({text})"


def spread_text(run: RunTables, lang: str) -> pd.DataFrame:
    """With parameter sets: the share of each headline's spread by group of assumptions, per pair shown, as text.

    One row per pair and item (the items of :data:`SPREAD_SHOWN` that vary over the sets), one column per group
    of assumptions, the Monte Carlo noise and what no group explains alone (:mod:`model.results.spread`), and the
    spread itself (the standard deviation of the sets' means).
    """
    t = run.spread
    if t.empty:
        return pd.DataFrame()
    pairs = {pair: i for i, pair in enumerate(run.pairs())}
    order = {key: i for i, key in enumerate(SPREAD_SHOWN)}
    t = t[[(a, b) in pairs and (i, g) in order for a, b, i, g in zip(t["scenario"], t["baseline"], t["item"],
                                                                      t["group"])]]
    t = t.assign(_pair=[pairs[(a, b)] for a, b in zip(t["scenario"], t["baseline"])],
                 _item=[order[(i, g)] for i, g in zip(t["item"], t["group"])]).sort_values(
        ["_pair", "_item"], kind="stable")  # each pair in the run's order, its items in the table's
    rows = {}
    for (scenario, baseline, item, group), part in t.groupby(["scenario", "baseline", "item", "group"], sort=False):
        if not part["sd_of_set_means"].iloc[0] > 0:
            continue
        name = labels.text(f"item.{item}", lang) + ("" if group == "all" else f": {labels.group(group, lang)}")
        factor = 1e-6 if item == "extra_cost_total_eur" else 1.0
        p_values = (part["p_value"] if "p_value" in part else  # a folder of the first runs: derived from the share
                    [p_value_of_share(v, c, n) for v, c, n in zip(part["share"], part["columns"], part["sets"])])
        cells = {labels.text(f"assumption_group.{g}", lang): _share_cell(v, p, lang)
                 for g, v, p in zip(part["assumption_group"], part["share"], p_values)}
        cells[labels.text("column.sd_of_set_means", lang)] = labels.significant(
            factor * part["sd_of_set_means"].iloc[0], lang)
        rows[f"{run.title(scenario, lang)} − {run.title(baseline, lang)}: {name}"] = cells
    return pd.DataFrame(rows).T if rows else pd.DataFrame()


def comparator_text(run: RunTables, lang: str) -> pd.DataFrame:
    """What a euro buys for a person out of work: a VDAB trajectory beside a cheque of ask 1, gross, as text.

    The cheque's side is the first pair shown that brings in re-entrant users: its cost per extra user, and the
    share at work of its non-employed users at the evaluation horizon (gross, as the trajectories' figure).
    """
    if run.parameters.empty or run.comparison.empty:
        return pd.DataFrame()
    c = run.comparison
    pair = next(((a, b) for a, b in run.pairs()
                 if ((c["scenario"] == a) & (c["baseline"] == b) & (c["item"] == "extra_users")
                     & (c["group"] == "reentrant_users") & (c["value"] >= 1)).any()), None)
    if pair is None:
        return pd.DataFrame()
    per_user = run.item(pair[0], "cost_per_extra_user_eur")
    s = run.summary
    cohort = s[(s["scenario"] == pair[0]) & (s["group"] == "all") & (s.get("status_at_start") == "non_employed")]
    followed = cohort.loc[cohort["metric"] == run.metric("completed"), "value"].sum()
    at_work = cohort.loc[cohort["metric"] == run.metric("back_to_work"), "value"].sum()
    share = at_work / followed if followed > 0 else float("nan")
    cost = float(per_user["value"]) if per_user is not None else float("nan")
    trajectory = tables.parameter_number(run, "comparators.vdab_trajectory.cost_eur")
    trajectory_share = tables.parameter_number(run, "comparators.vdab_trajectory.at_work_after_24_months")
    if pd.isna(trajectory) or pd.isna(trajectory_share) or per_user is None:  # a folder from before the comparator
        return pd.DataFrame()
    money = lambda v: "–" if pd.isna(v) else labels.number(v, lang)  # noqa: E731
    pct = lambda v: "–" if pd.isna(v) else labels.number(100 * v, lang, 1)  # noqa: E731
    rows = {labels.text("comparator.trajectory", lang): [money(trajectory), pct(trajectory_share),
                                                          money(trajectory / trajectory_share)],
            labels.text("comparator.cheque", lang, scenario=run.title(pair[0], lang)): [
                money(cost), pct(share), money(cost / share if share > 0 else float("nan"))]}
    columns = [labels.text(f"column.{k}", lang) for k in ("cost_per_person", "at_work_gross", "cost_per_at_work_gross")]
    return pd.DataFrame(rows, index=columns).T


def budget_text(run: RunTables, lang: str) -> pd.DataFrame:
    """Average yearly cost by item (EUR million), per scenario, as text."""
    table = tables.budget_table(run) / 1e6
    table = table.loc[:, table.abs().sum() > 0]
    table.columns = [cost_label(run, c, lang) for c in table.columns]
    table.index = [run.title(n, lang) for n in table.index]
    return _formatted(table, lang, 2)


def repository_path(path: str | Path) -> str:
    """A file's path inside the repository (``model/params/...``), not the machine's own folder; else its name."""
    parts = Path(path).parts
    return "/".join(parts[parts.index("model"):]) if "model" in parts else Path(path).name


def calibration_summary(run: RunTables, lang: str, backcast: str | Path | None) -> tuple[pd.DataFrame, str]:
    """The yearly starts, observed against model, in and out of sample, and the fit's chi-square (one line)."""
    table = tables.calibration_table(run, backcast)
    error = (table["model"] - table["observed"]) / table["observed"] * 100
    shown = pd.DataFrame({
        "metric": [labels.text(f"metric.{m}", lang) for m in table["metric"]],
        "year": table["year"].astype(str),
        "observed": ["–" if pd.isna(v) else labels.number(v, lang) for v in table["observed"]],
        "model": [labels.number(v, lang) for v in table["model"]],
        "error_relative": ["–" if pd.isna(v) else labels.number(v, lang, 1, sign=True) for v in error],
        "within_tolerance": ["–" if pd.isna(o) else labels.text("answer.yes" if w else "answer.no", lang)
                             for o, w in zip(table["observed"], table["within_tolerance"])],
        "sample": [labels.text(f"sample.{s}", lang) for s in table["sample"]],
    })
    shown.columns = [labels.text(f"column.{c}", lang) for c in shown.columns]
    calibration = run.manifest["scenarios"][0].get("calibration") or {}
    line = ""
    if calibration.get("file") and Path(calibration["file"]).is_file():
        fit = yaml.safe_load(Path(calibration["file"]).read_text(encoding="utf-8"))["calibration"]
        line = labels.text("text.fit_line", lang, chi_square=labels.number(fit["chi_square"], lang, 2),
                           dof=fit["degrees_of_freedom"], years=fit["fit_years"],
                           file=repository_path(calibration["file"]))
    return shown, line


def flow_bands_text(run: RunTables, lang: str) -> pd.DataFrame:
    """The baseline's year-on-year flows (mean over the years) against the published bands, definitions restated."""
    b = run.flow_bands
    if b.empty:
        return pd.DataFrame()
    b = b[b["scenario"] == run.scenario_names[0]]
    shown = pd.DataFrame({
        "flow": [f"{labels.text(f'status.{f}', lang)} → {labels.text(f'status.{t}', lang)}"
                 for f, t in zip(b["from_status"], b["to_status"])],
        "band": [f"{labels.number(100 * lo, lang, 1)}-{labels.number(100 * hi, lang, 1)}"
                 for lo, hi in zip(b["low"], b["high"])],
        "model": [labels.number(100 * v, lang, 1) for v in b["model_mean"]],
        "within_band": [labels.text("answer.yes" if str(w).lower() == "true" else "answer.no", lang)
                        for w in b["within_band"]],
    })
    shown.columns = [labels.text(f"column.{c}", lang) for c in shown.columns]
    return shown


def margins_text(run: RunTables, lang: str) -> tuple[pd.DataFrame, str]:
    """The baseline's employment rate by raked group, first and last year: published, held by the table, model.

    Returns:
        The table (empty for a run without ``margins.csv``) and one line: how many group-years hold their
        margin within the tolerance, and a warning for a projected 55-64 rate above the EU's best.
    """
    m = run.margins
    if m.empty:
        return pd.DataFrame(), ""
    m = m[m["scenario"] == run.scenario_names[0]]
    first, last = int(m["year"].min()), int(m["year"].max())
    rows = []
    for year in sorted({first, last}):
        for r in m[m["year"] == year].itertuples():
            holds = str(r.within_tolerance).lower() == "true"
            rows.append({"year": str(year), "margin": labels.text(f"margin.{r.margin}", lang),
                         "published": labels.number(100 * r.published, lang, 1),
                         "target": labels.number(100 * r.target, lang, 1),
                         "model": labels.number(100 * r.model, lang, 1),
                         "difference": labels.number(100 * r.difference, lang, 2, sign=True),
                         "within_tolerance": labels.text("answer.yes" if holds else "answer.no", lang)})
    shown = pd.DataFrame(rows)
    shown.columns = [labels.text(f"column.{c}", lang) for c in shown.columns]
    held = m["within_tolerance"].astype(str).str.lower() == "true"
    settings = margin_settings()
    line = labels.text("text.margins", lang, held=int(held.sum()), total=len(m), first=first, last=last,
                       worst=labels.number(100 * m["difference"].abs().max(), lang, 2),
                       tolerance=labels.number(100 * settings["tolerance"], lang, 1))
    above = m[m["above_best_eu"].astype(str).str.lower() == "true"]
    if not above.empty:
        line += " " + labels.text("text.margins_above_eu", lang, year=int(above["year"].min()),
                                  best=labels.number(100 * settings["best_eu_rate_55_64"], lang, 1))
    return shown, line


def projections_text(run: RunTables, alternatives: list[RunTables], lang: str) -> pd.DataFrame:
    """The headline of a pair under the run's projection and under those of ``alternatives``, side by side.

    The pair is the run's last that every alternative holds (:meth:`.run_data.RunTables.pair_shared_with`).

    Rows: one per run (the run itself first), named by its projection; columns: the baseline's employment
    rate in the last year, people at work (net) in the last year, the share of the 120,000 goal and the share
    of the baseline's distance to 80% (empty where the baseline reaches 80%). A run without the pair is left out.
    """
    pair = run.pair_shared_with(alternatives)
    if pair is None:
        return pd.DataFrame()
    scenario, baseline = pair
    rows = []
    for one in [run, *alternatives]:
        c = one.comparison
        c = c[(c["scenario"] == scenario) & (c["baseline"] == baseline) & (c["group"] == "all")].set_index("item")
        rate = one.series(EMPLOYMENT_RATE)
        if c.empty or baseline not in rate.columns or not {"extra_employed", "share_of_goal"} <= set(c.index):
            continue
        last_rate = float(rate[baseline].iloc[-1])
        distance = c["value"].get("share_of_distance_to_target", float("nan"))
        rows.append({
            "projection": labels.text(f"projection.{one.projection}", lang),
            "baseline_rate": labels.number(100 * last_rate, lang, 1),
            "extra_employed": labels.number(c["value"].get("extra_employed", float("nan")), lang, 0, sign=True),
            "share_of_goal": labels.percent(c["value"].get("share_of_goal", float("nan")), lang, 2, sign=True),
            "share_of_distance_to_target": "–" if pd.isna(distance) else labels.percent(distance, lang, 2, sign=True),
        })
    shown = pd.DataFrame(rows)
    if not shown.empty:
        shown.columns = [labels.text(f"column.{c}", lang) for c in shown.columns]
    return shown


def _plain_in_language(value, lang: str) -> str:
    """A parameter's value as the language writes it: decimal commas and ``;`` between items in Dutch."""
    if isinstance(value, bool):
        return labels.text("answer.yes" if value else "answer.no", lang)
    if isinstance(value, (int, float)):
        text = repr(value) if isinstance(value, float) else str(value)
        return text.replace(".", ",") if lang == "nl" else text
    between = "; " if lang == "nl" else ", "
    if isinstance(value, (list, tuple)):
        return "[" + between.join(_plain_in_language(v, lang) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + between.join(f"{k}: {_plain_in_language(v, lang)}" for k, v in value.items()) + "}"
    return str(value)


def value_in_language(text: str, lang: str) -> str:
    """A value of ``parameters.csv`` (YAML text) as the language writes numbers; text that is not YAML as it is."""
    if text == "":
        return text
    try:
        return _plain_in_language(yaml.safe_load(str(text)), lang)
    except yaml.YAMLError:
        return str(text)


def assumptions(run: RunTables, lang: str = "en") -> pd.DataFrame:
    """The parameters of the run that are assumptions: path, value in force from, range and source, in ``lang``.

    Values and ranges are written as the language writes numbers; the word that marks an assumption in a
    reference is the language's (the sources' own titles stay as published).
    """
    p = run.parameters
    flag = p["assumption"].astype(str).str.lower() == "true"
    rows = p[flag].drop_duplicates("path", keep="last")
    out = rows[["path", "from", "value", "range", "reference"]].fillna("").reset_index(drop=True)
    out["value"] = [value_in_language(v, lang) for v in out["value"]]
    out["range"] = [value_in_language(v, lang) for v in out["range"]]
    word = labels.text("reference.assumption", lang)
    out["reference"] = [str(r).replace("Assumption (", f"{word} (") for r in out["reference"]]
    out.columns = [labels.text(f"column.{c}", lang) for c in out.columns]
    return out


def html_table(table: pd.DataFrame, index: bool = False) -> str:
    """A table as HTML, every cell whole (no truncation), text escaped."""
    return table.to_html(index=index, escape=True, na_rep="–", border=0, classes="dataframe")


def manifest_lines(run: RunTables, lang: str = "en") -> list[str]:
    """The manifest's facts a reviewer needs to re-run the report and get the same numbers, named in ``lang``.

    The values (the command, the code's digest, the scenarios' overrides) are as the manifest holds them.
    """
    m = run.manifest
    git = m.get("git", {})
    word = lambda key: labels.text(f"manifest.{key}", lang)  # noqa: E731
    lines = [f"{word('run')}: {m['run']} ({word('created')} {m.get('created_utc', '?')})",
             f"{word('command')}: {' '.join(m.get('command', []))}",
             f"{word('seed')}: {m['seed']}; {word('replications')}: {m['replications']}; "
             f"{word('parameter_sets')}: {m.get('parameter_sets', 0)}",
             f"{word('persons')}: {labels.number(m['persons_simulated'], lang)} "
             f"(1 = {labels.number(m['persons_per_agent'], lang, 2)} {word('people')})",
             f"{word('code')}: {m.get('code_sha256', '?')}; git {git.get('commit')} "
             f"({word('dirty')}: {labels.text('answer.yes' if git.get('dirty') else 'answer.no', lang)})",
             f"{word('versions')}: " + ", ".join(f"{k} {v}" for k, v in (m.get("versions") or {}).items())]
    for s in m["scenarios"]:
        lines.append(f"{word('scenario')} {s['name']}: {run.title(s['name'], lang)}; overrides: "
                     f"{json.dumps(s.get('overrides') or {}, default=str)}")
    return lines


def figures_record(run: RunTables, uncertainty: RunTables | None = None) -> str:
    """The report's numbers as JSON in a ``<script>`` (the same in every language; tests compare them).

    With ``uncertainty`` (the run with parameter sets), the shares of each headline's spread it ranks as well.
    """
    from .render import FIGURES_ID

    record = findings.record(run)
    record["briefing"] = briefing.record(run)
    if uncertainty is not None:
        record["sharpen"] = briefing.sharpen_record(uncertainty)
    record["funnel"] = {n: tables.funnel_table(run, n).round(6).to_dict() for n in run.scenario_names}
    record["reach"] = tables.reach_table(run).round(6).to_dict()
    record["budget"] = tables.budget_table(run).round(2).to_dict()

    def clean(value):
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value

    text = json.dumps(clean(record), sort_keys=True, default=str)
    return f'<script type="application/json" id="{FIGURES_ID}">{html.escape(text, quote=False)}</script>'
