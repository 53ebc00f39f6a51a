"""What the command line prints: tables and lines in readable units, within :data:`WIDTH` columns."""

from __future__ import annotations

import sys
import textwrap

import pandas as pd

from ..results.comparison import MEAN_INTERVAL, RATIOS, Item
from ..results.spread import told_from_chance

WIDTH = 120  # columns: a wider table is printed in blocks of columns (pandas' line_width), a longer line wrapped


def wrapped(text: str, indent: str = "") -> str:
    """``text`` wrapped within :data:`WIDTH` columns, the lines after the first indented by ``indent`` more."""
    lead = text[:len(text) - len(text.lstrip())]
    return textwrap.fill(text, WIDTH, subsequent_indent=lead + indent, break_on_hyphens=False,
                         break_long_words=False)


def print_levels(table: pd.DataFrame, file=None) -> None:
    """Print each scenario's levels (:func:`model.results.comparison.levels`) in readable units."""
    file = file or sys.stdout
    fmt = {c: (lambda v: f"{v:.1%}") if c.startswith("employment rate") else
           (lambda v: f"{v:,.1f}") if "EUR" in c else (lambda v: f"{v:,.0f}") for c in table.columns}
    print(table.to_string(formatters=fmt, line_width=WIDTH), file=file)


def print_differences(compared: pd.DataFrame, items: dict[str, Item], last_year: int, file=None) -> None:
    """Print each scenario's differences against its baseline; with replications, the 5-95% interval too.

    Args:
        items: The comparison's items (:func:`model.results.comparison.items`).
    """
    file = file or sys.stdout
    rows = compared[compared["group"] == "all"].set_index(["scenario", "baseline", "item"])
    out = {}
    for (scenario, baseline), _ in rows.groupby(level=[0, 1], sort=False):
        cells = {}
        for name, item in items.items():
            if item.heading is None or (scenario, baseline, name) not in rows.index:
                continue
            r = rows.loc[(scenario, baseline, name)]
            show = lambda v, item=item: item.fmt.format(v * item.factor)  # noqa: E731
            text = "-" if pd.isna(r["value"]) else show(r["value"])
            low, high = ("mean_low", "mean_high") if name in RATIOS else ("p05", "p95")  # a ratio of means: its interval
            if r["replications"] > 1 and not pd.isna(r["value"]) and not pd.isna(r[low]):
                text += f" [{show(r[low])}, {show(r[high])}]"
            cells[item.heading] = text
        out[f"{scenario} vs {baseline}"] = cells
    if not out:
        return
    print(wrapped(f"Against its baseline (paired, same people and random numbers; costs and users over the horizon, "
                  f"people at work and rates in {last_year}):"), file=file)
    print(pd.DataFrame(out).T.to_string(line_width=WIDTH), file=file)
    for line in noise_lines(compared, items):
        print(wrapped(line, "    "), file=file)


def noise_lines(compared: pd.DataFrame, items: dict[str, Item]) -> list[str]:
    """Sentences on the noise of the headline differences (group ``all``): which are within it, or why it is unknown."""
    rows = compared[(compared["group"] == "all") & compared["item"].map(lambda i: items[i].heading is not None)]
    rows = rows.dropna(subset=["value"])
    if rows.empty:
        return []
    n = int(rows["replications"].max())
    if n <= 1:
        return ["noise: one replication, so the noise of these differences is unknown; run with --replications 10 "
                "(or more) for intervals."]
    with_sets = "share_parameters" in rows
    within_head = f"Within noise (the {MEAN_INTERVAL:.0%} interval of the mean difference"
    if with_sets:
        lines = [f"[a, b]: 5th and 95th percentiles of the {n} runs' differences over the drawn parameter sets and "
                 f"their replications (parameters and noise together)."]
        within_head += ", from the sets' means, includes 0):"
    else:
        lines = [f"[a, b]: 5th and 95th percentiles of the {n} replications' differences."]
        within_head += " includes 0):"
    ratios = [items[i].heading for i in RATIOS if items[i].heading is not None]
    if ratios:
        lines[0] += (f" {', '.join(ratios)}: mean extra cost / mean gain [its {MEAN_INTERVAL:.0%} interval, Fieller's]; "
                     "- when the gain's interval includes 0.")
    lines.append(within_head)
    within = rows[rows["noise"] == "within noise"]
    for (scenario, baseline), part in within.groupby(["scenario", "baseline"], sort=False):
        headings = ", ".join(items[i].heading for i in part["item"])
        lines.append(f"  {scenario} vs {baseline}: {headings}")
    if within.empty:
        lines[-1] += " none."
    if with_sets:
        lines.append("Share of each difference's variance due to the parameters (the rest is Monte Carlo noise; "
                     "- where it cannot be told):")
        for (scenario, baseline), part in rows.groupby(["scenario", "baseline"], sort=False):
            shares = ", ".join(f"{items[i].heading} {'-' if pd.isna(v) else f'{v:.0%}'}"
                               for i, v in zip(part["item"], part["share_parameters"]))
            lines.append(f"  {scenario} vs {baseline}: {shares}")
    return lines


SPREAD_HEADINGS = {"take_up_out_of_work": "take-up out of work", "take_up_fitted": "take-up fitted",
                   "guidance_effect": "guidance", "labour_market": "labour market", "centres": "centres",
                   "outreach_and_vdab": "outreach/VDAB", "monte_carlo_noise": "noise", "not_attributed": "no one group"}
SPREAD_ITEMS = {("extra_users", "all"): "users", ("extra_users", "reentrant_users"): "re-entrant users",
                ("extra_cost_total_eur", "all"): "cost", ("extra_person_years_expected", "all"): "person-years (expected)",
                ("extra_person_years", "all"): "person-years (simulated)",
                ("extra_employed_expected", "all"): "at work (expected)", ("extra_employed", "all"): "at work (simulated)"}


def spread_lines(spread: pd.DataFrame) -> list[str]:
    """With parameter sets: for each pair, each headline's spread by group of assumptions (``spread.csv``)."""
    if spread.empty:
        return []
    lines = [f"Where the spread over the {int(spread['sets'].max())} parameter sets comes from (share explained by each "
             "group of assumptions alone; (in brackets): not told apart from chance, F-test p >= 0.05; - where it cannot "
             "be told; spread.csv):"]
    for (scenario, baseline, item, group), part in spread.groupby(["scenario", "baseline", "item", "group"],
                                                                  sort=False):
        if (item, group) not in SPREAD_ITEMS or not part["sd_of_set_means"].iloc[0] > 0:
            continue
        shares = ", ".join(f"{SPREAD_HEADINGS.get(g, g)} " + ("-" if pd.isna(v) else f"{v:.0%}" if told_from_chance(v, p)
                                                              else f"({v:.0%})")
                           for g, v, p in zip(part["assumption_group"], part["share"], part["p_value"]))
        lines.append(f"  {scenario} vs {baseline}, {SPREAD_ITEMS[(item, group)]}: {shares}")
    return lines


def print_parts(parts: pd.DataFrame, file=None) -> None:
    """Print each part's share: alone and added in order, with the interaction and the whole, with their intervals."""
    file = file or sys.stdout
    headings = {"extra_users": "users", "extra_cost_total_eur": "cost EUR M",
                "extra_person_years_expected": "person-years (expected)", "extra_employed_expected": "at work (expected)"}
    formats = {"cost EUR M": lambda v: f"{v / 1e6:+,.2f}"}
    for name, frame in parts.groupby("scenario", sort=False):
        frame = frame[frame["item"].isin(headings)]
        shown = {}
        for (part, how), rows in frame.groupby(["part", "how"], sort=False):
            cells = {}
            for r in rows.itertuples():
                heading = headings[r.item]
                fmt = formats.get(heading, lambda v: f"{v:+,.0f}")
                text = "-" if pd.isna(r.value) else fmt(r.value)
                if "mean_low" in rows and not pd.isna(getattr(r, "mean_low", float("nan"))):
                    text += f" [{fmt(r.mean_low)}, {fmt(r.mean_high)}]"
                cells[heading] = text
            shown[(part, how)] = cells
        table = pd.DataFrame(shown).T
        table = table[[h for h in headings.values() if h in table.columns]]
        table.index.names = ["part", "how"]
        print(wrapped(f"Parts of {name} (each alone against the base, and each added after the ones before it; same "
                      f"people and random numbers; [{MEAN_INTERVAL:.0%} interval of the mean]):"), file=file)
        print(table.to_string(line_width=WIDTH), file=file)
        for line in interaction_lines(frame, headings):
            print(wrapped(line, "    "), file=file)


def interaction_lines(frame: pd.DataFrame, headings: dict[str, str]) -> list[str]:
    """Whether the parts' interaction (together beyond the sum of each alone) is told from noise, item by item."""
    if "noise" not in frame:
        return []
    rows = frame[frame["how"] == "interaction"].dropna(subset=["value"])
    within = [headings[i] for i, n in zip(rows["item"], rows["noise"]) if n == "within noise"]
    clear = [headings[i] for i, n in zip(rows["item"], rows["noise"]) if n == "clear"]
    lines = []
    if within:
        lines.append(f"  interaction within noise (its interval includes 0): {', '.join(within)}")
    if clear:
        lines.append(f"  interaction told from noise: {', '.join(clear)}")
    return lines


def target_line(row, sample: str = "") -> str:
    """One target of a comparison table: observed, model, error (pp for shares and changes), within tolerance."""
    head = f"  {row['target']:<28} {sample:<13} " if sample else f"  {row['target']:<28} "
    if row["observed"] is None or row["observed"] != row["observed"]:  # not yet observed
        return f"{head}observed   (not yet) model {row['model']:>10.4g}"
    error = f"{row['error'] * 100:+.2f} pp" if row["kind"] in ("share", "change") else f"{row['error_relative']:+.1%}"
    flag = "ok" if row["within_tolerance"] else "OUTSIDE TOLERANCE"
    return f"{head}observed {row['observed']:>10.4g} model {row['model']:>10.4g} {error:>10}  {flag}"


def calibration_lines(result) -> list[str]:
    """A calibration's fitted values, hard-to-tell-apart pairs and targets, as the terminal shows them."""
    params = result.parameter_table()
    lines = ["\nfitted parameters (sd: standard error from the Jacobian, combined with the seed check's difference)"]
    for _, row in params.iterrows():
        lines.append(f"  {row['parameter']:<42} prior {row['prior']:>9.6g}  fitted {row['value']:>9.6g}  "
                     f"sd {row['sd']:.3g} (Jacobian {row['sd_jacobian']:.3g}, other seed {row['seed_difference']:+.3g})")
    for pair in result.correlated_pairs():
        lines.append(f"  hard to tell apart: {pair['a']} and {pair['b']} (correlation {pair['correlation']:+.2f})")
    table = result.check_table if len(result.check_table) else result.fit_table
    source = "full engine" if len(result.check_table) else "objective"
    lines.append(f"\ntargets ({source}; error: relative for counts, percentage points for shares)")
    lines += [target_line(row) for _, row in table.iterrows()]
    lines.append(f"chi-square {result.chi_square:.2f} on {len(result.fit_table) - len(params)} degrees of freedom; "
                 f"{result.seconds / 60:.1f} minutes")
    return lines
