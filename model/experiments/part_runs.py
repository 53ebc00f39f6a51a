"""The runs that show each part's share of a scenario made of parts (``resolution_full``: the resolution's four asks).

A scenario with ``parts`` lays the own overrides of several scenarios on what
it extends (its base). To show what each part does, a run that holds it also
runs, on the same people with the same random numbers:

- each part **alone** on the base;
- the parts **added in order**: the base plus parts 1..k, for every k.

Scenarios of the run with the same parameters as a needed one (``herintreders``
is ask 1 alone) are used instead of running it twice. The runs take the run's
settings, as every scenario of a run does. Each part's share is then worked out
from the run's results (:mod:`model.results.parts`).
"""

from __future__ import annotations

from collections.abc import Callable

from ..params.scenario import ROOT, Scenario
from ..params.tree import ParameterTree


def _derived(scenario: Scenario, name: str, title: str, part_names: list[str], law: ParameterTree | None) -> Scenario:
    """The base of ``scenario`` with the overrides of the named parts."""
    overrides: dict = {}
    for part in part_names:
        overrides.update(scenario.parts[part])
    extends = list(scenario.base) or [ROOT]
    content = {"name": name, "title": title, "extends": extends if len(extends) > 1 else extends[0],
               "overrides": overrides}
    return Scenario.from_dict(content, law, source=f"<part of {scenario.name}: {', '.join(part_names)}>")


def _same(a: Scenario, b: Scenario) -> bool:
    """The same parameters (the settings are the run's, the same for all)."""
    return a.tree.digest() == b.tree.digest()


def expand(scenarios: list[Scenario], law: ParameterTree | None = None,
           finish: Callable[[Scenario], Scenario] = lambda s: s) -> tuple[list[Scenario], dict[str, dict], list[str]]:
    """The run's scenarios with what the decomposition of every scenario with parts needs.

    The base is put first when it is not in the run (the run's first scenario
    is the one others are compared with when they extend nothing in the run).
    ``finish`` is applied to every run made here, as the caller applied it to ``scenarios`` (the run's
    projection of the employment rate), so that a run already there is found, not made twice.

    Returns:
        The scenarios to run; per scenario with parts, ``{"base": name, "alone": {part: name},
        "in_order": [name after part 1, after parts 1-2, ...]}``; and the names of the part runs added (made
        here, not scenarios of their own: a report leaves them out).
    """
    out = list(scenarios)
    plan: dict[str, dict] = {}
    added: list[str] = []

    def find_or_add(candidate: Scenario, front: bool = False, derived: bool = True) -> str:
        candidate = finish(candidate)
        for existing in out:
            if _same(existing, candidate):
                return existing.name
        out.insert(0 if front else len(out), candidate)
        if derived:
            added.append(candidate.name)
        return candidate.name

    for scenario in scenarios:
        if not scenario.parts:
            continue
        names = list(scenario.parts)
        own_base = len(scenario.base) == 1 and scenario.base[0] != ROOT
        if own_base:  # the base is a scenario of its own: use its name
            base_scenario = Scenario.load(scenario.base[0], law)
        else:
            base_scenario = _derived(scenario, f"{scenario.name}__base", f"{scenario.title}: base", [], law)
        base = find_or_add(base_scenario, front=True, derived=not own_base)
        alone = {part: find_or_add(_derived(scenario, f"{scenario.name}__{part}", f"{part} alone", [part], law))
                 for part in names}
        # the first step is the first part alone, the last the scenario itself: both are found, not run again
        in_order = [find_or_add(_derived(scenario, f"{scenario.name}__upto_{part}", f"parts up to {part}",
                                         names[:k + 1], law)) for k, part in enumerate(names)]
        plan[scenario.name] = {"base": base, "alone": alone, "in_order": in_order}
    return out, plan, added
