"""Each part's share of a scenario made of parts (``resolution_full``: the resolution's four asks).

A scenario with ``parts`` lays the own overrides of several scenarios on what
it extends (its base). To show what each part does, a run that holds it also
runs, on the same people with the same random numbers:

- each part **alone** on the base;
- the parts **added in order**: the base plus parts 1..k, for every k.

So each part has two answers: alone, and its step when added after the ones
before it (these steps add up to the whole). What the parts do together beyond
the sum of their effects alone is the **interaction**: for the resolution,
asks 2 and 3 reach non-active people, who may use a cheque only under ask 1,
so alone they do next to nothing.

Scenarios of the run with the same parameters and settings as a needed one
(``herintreders`` is ask 1 alone) are used instead of running it twice.
"""

from __future__ import annotations

import pandas as pd

from .params import ParameterTree
from .scenario import ROOT, Scenario

ADDITIVE_ITEMS = ("extra_eligible", "extra_users", "extra_cost_total_eur", "extra_registrations", "extra_employed",
                  "employment_rate_change_pp")


def _derived(scenario: Scenario, name: str, title: str, part_names: list[str], law: ParameterTree | None) -> Scenario:
    """The base of ``scenario`` with the overrides of the named parts, under the scenario's settings."""
    overrides: dict = {}
    for part in part_names:
        overrides.update(scenario.parts[part])
    extends = list(scenario.base) or [ROOT]
    content = {"name": name, "title": title, "extends": extends if len(extends) > 1 else extends[0],
               "overrides": overrides}
    derived = Scenario.from_dict(content, law, source=f"<part of {scenario.name}: {', '.join(part_names)}>")
    return derived.with_settings(**scenario.settings)


def _same(a: Scenario, b: Scenario) -> bool:
    return a.tree.digest() == b.tree.digest() and a.settings == b.settings


def expand(scenarios: list[Scenario], law: ParameterTree | None = None) -> tuple[list[Scenario], dict[str, dict]]:
    """The run's scenarios with what the decomposition of every scenario with parts needs.

    The base is put first when it is not in the run (the run's first scenario
    is the one others are compared with when they extend nothing in the run).

    Returns:
        The scenarios to run, and per scenario with parts: ``{"base": name,
        "alone": {part: name}, "in_order": [name after part 1, after parts 1-2, ...]}``.
    """
    out = list(scenarios)
    plan: dict[str, dict] = {}

    def find_or_add(candidate: Scenario, front: bool = False) -> str:
        for existing in out:
            if _same(existing, candidate):
                return existing.name
        if front:
            out.insert(0, candidate)
        else:
            out.append(candidate)
        return candidate.name

    for scenario in scenarios:
        if not scenario.parts:
            continue
        names = list(scenario.parts)
        if len(scenario.base) == 1 and scenario.base[0] != ROOT:  # the base is a scenario of its own: use its name
            base_scenario = Scenario.load(scenario.base[0], law).with_settings(**scenario.settings)
        else:
            base_scenario = _derived(scenario, f"{scenario.name}__base", f"{scenario.title}: base", [], law)
        base = find_or_add(base_scenario, front=True)
        alone = {part: find_or_add(_derived(scenario, f"{scenario.name}__{part}", f"{part} alone", [part], law))
                 for part in names}
        # the first step is the first part alone, the last the scenario itself: both are found, not run again
        in_order = [find_or_add(_derived(scenario, f"{scenario.name}__upto_{part}", f"parts up to {part}",
                                         names[:k + 1], law)) for k, part in enumerate(names)]
        plan[scenario.name] = {"base": base, "alone": alone, "in_order": in_order}
    return out, plan


def decompose(result, plan: dict[str, dict]) -> pd.DataFrame:
    """Each part's share of every scenario with parts, each run compared with the base (mean over replications).

    Args:
        result: The run (:class:`model.runner.RunResult`).
        plan: What :func:`expand` returned.

    Returns:
        Columns scenario, part, how (``alone``, ``added_in_order``, ``interaction``,
        ``together``), item, value: additive items only (:data:`ADDITIVE_ITEMS`), group ``all``.
    """
    from .comparison import compare

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


def print_parts(parts: pd.DataFrame, file=None) -> None:
    """Print each part's share: alone and added in order, with the interaction and the whole."""
    import sys

    file = file or sys.stdout
    headings = {"extra_users": "users", "extra_cost_total_eur": "cost EUR M", "extra_registrations": "registrations",
                "extra_employed": "at work (net)", "employment_rate_change_pp": "rate (points)"}
    for name, frame in parts.groupby("scenario", sort=False):
        table = frame[frame["item"].isin(headings)].pivot_table(index=["part", "how"], columns="item", values="value",
                                                                sort=False)
        table = table[[c for c in headings if c in table.columns]].rename(columns=headings)
        shown = table.copy().astype(object)
        for col in shown.columns:
            fmt = {"cost EUR M": lambda v: f"{v / 1e6:+,.2f}", "rate (points)": lambda v: f"{v:+.3f}"}.get(
                col, lambda v: f"{v:+,.0f}")
            shown[col] = [fmt(v) for v in table[col]]
        print(f"Parts of {name} (each alone against the base, and each added after the ones before it; same people "
              f"and random numbers):", file=file)
        print(shown.to_string(), file=file)
