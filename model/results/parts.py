"""Each part's share of a scenario made of parts (``resolution_full``: the resolution's four asks).

The run holds each part alone and the parts added in order
(:mod:`model.experiments.part_runs`), on the same people with the same random
numbers as the whole. So each part has two answers: alone, and its step when
added after the ones before it (these steps add up to the whole). What the
parts do together beyond the sum of their effects alone is the
**interaction**: for the resolution, asks 2 and 3 reach non-active people, who
may use a cheque only under ask 1, so alone they do next to nothing.

Every figure is made replication by replication from the paired differences
(:func:`model.results.comparison.paired_differences`) and then summarised as
every other effect, with its 90% interval of the mean: an interaction whose
interval includes 0 is within noise, and says so.
"""

from __future__ import annotations

import pandas as pd

from .comparison import paired_differences, summarise_runs
from .result import RunResult

ADDITIVE_ITEMS = ("extra_eligible", "extra_users", "extra_cost_total_eur", "extra_registrations", "extra_person_years",
                  "extra_person_years_expected", "extra_employed", "extra_employed_expected",
                  "employment_rate_change_pp")
HOWS = ("alone", "added_in_order", "interaction", "together")
KEYS = ("scenario", "part", "how", "item")
COLUMNS = [*KEYS, "value", "replications", "mean_low", "mean_high", "noise"]


def per_replication(result: RunResult, plan: dict[str, dict]) -> pd.DataFrame:
    """Each part's effect (alone, added in order), the interaction and the whole, replication by replication.

    Args:
        result: The run.
        plan: The part runs (:func:`model.experiments.part_runs.expand`).

    Returns:
        Columns scenario, part, how, item, replication, value: additive items only (:data:`ADDITIVE_ITEMS`),
        group ``all``.
    """
    pairs = sorted({(s, p["base"]) for p in plan.values() for s in [*p["alone"].values(), *p["in_order"]]
                    if s != p["base"]})
    differences = paired_differences(result, pairs) if pairs else pd.DataFrame(
        columns=["scenario", "baseline", "item", "group", "replication", "value"])
    rows = differences[(differences["group"] == "all") & differences["item"].isin(ADDITIVE_ITEMS)]
    value = rows.set_index(["scenario", "baseline", "item", "replication"])["value"]
    replications = sorted(result.yearly["replication"].unique())
    out = []
    for name, p in plan.items():
        base = p["base"]

        def effect(scenario: str, item: str, rep, base: str = base) -> float:
            return 0.0 if scenario == base else float(value.get((scenario, base, item, rep), float("nan")))

        for rep in replications:
            for item in ADDITIVE_ITEMS:
                total = effect(name, item, rep)
                before = alone_sum = 0.0
                for part, cumulative in zip(p["alone"], p["in_order"]):
                    alone = effect(p["alone"][part], item, rep)
                    after = effect(cumulative, item, rep)
                    out += [(name, part, "alone", item, rep, alone),
                            (name, part, "added_in_order", item, rep, after - before)]
                    alone_sum += alone
                    before = after
                out += [(name, "all parts", "interaction", item, rep, total - alone_sum),
                        (name, "all parts", "together", item, rep, total)]
    return pd.DataFrame(out, columns=[*KEYS, "replication", "value"])


def decompose(result: RunResult, plan: dict[str, dict]) -> pd.DataFrame:
    """Each part's share of every scenario with parts, each run compared with the base, with its interval.

    Args:
        result: The run.
        plan: The part runs (:func:`model.experiments.part_runs.expand`).

    Returns:
        Columns scenario, part, how (``alone``, ``added_in_order``, ``interaction``, ``together``), item, value
        (mean over the runs), replications, mean_low, mean_high and noise (the 90% interval of the mean and
        what it says, as :func:`model.results.comparison.interval_of_the_mean`; with parameter sets, from the
        sets' means). Additive items only (:data:`ADDITIVE_ITEMS`), group ``all``.
    """
    runs = per_replication(result, plan)
    if runs.empty:
        return pd.DataFrame(columns=COLUMNS)
    out = summarise_runs(runs, result, keys=KEYS).reset_index()  # in the order of the rows (groupby keeps it)
    return out[COLUMNS].reset_index(drop=True)
