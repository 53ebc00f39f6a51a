"""Each part's share of a scenario made of parts (``resolution_full``: the resolution's four asks).

The run holds each part alone and the parts added in order
(:mod:`model.experiments.part_runs`), on the same people with the same random
numbers as the whole. So each part has two answers: alone, and its step when
added after the ones before it (these steps add up to the whole). What the
parts do together beyond the sum of their effects alone is the
**interaction**: for the resolution, asks 2 and 3 reach non-active people, who
may use a cheque only under ask 1, so alone they do next to nothing.
"""

from __future__ import annotations

import pandas as pd

from .comparison import compare
from .result import RunResult

ADDITIVE_ITEMS = ("extra_eligible", "extra_users", "extra_cost_total_eur", "extra_registrations", "extra_employed",
                  "employment_rate_change_pp")


def decompose(result: RunResult, plan: dict[str, dict]) -> pd.DataFrame:
    """Each part's share of every scenario with parts, each run compared with the base (mean over replications).

    Args:
        result: The run.
        plan: The part runs (:func:`model.experiments.part_runs.expand`).

    Returns:
        Columns scenario, part, how (``alone``, ``added_in_order``, ``interaction``,
        ``together``), item, value: additive items only (:data:`ADDITIVE_ITEMS`), group ``all``.
    """
    pairs = sorted({(s, p["base"]) for p in plan.values() for s in [*p["alone"].values(), *p["in_order"]]})
    compared = compare(result, pairs) if pairs else pd.DataFrame(columns=["scenario", "baseline", "item", "group",
                                                                          "value"])
    rows = compared[(compared["group"] == "all") & compared["item"].isin(ADDITIVE_ITEMS)]
    value = rows.set_index(["scenario", "baseline", "item"])["value"]
    out = []
    for name, p in plan.items():
        base = p["base"]

        def effect(scenario: str, item: str, base: str = base) -> float:
            return 0.0 if scenario == base else float(value.get((scenario, base, item), float("nan")))

        for item in ADDITIVE_ITEMS:
            total = effect(name, item)
            before = 0.0
            alone_sum = 0.0
            for part, cumulative in zip(p["alone"], p["in_order"]):
                alone = effect(p["alone"][part], item)
                after = effect(cumulative, item)
                out += [(name, part, "alone", item, alone), (name, part, "added_in_order", item, after - before)]
                alone_sum += alone
                before = after
            out += [(name, "all parts", "interaction", item, total - alone_sum), (name, "all parts", "together", item, total)]
    return pd.DataFrame(out, columns=["scenario", "part", "how", "item", "value"])
