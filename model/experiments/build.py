"""The one way into the engine: a run, and the models of one of its replications.

A :class:`Run` is what to simulate: the scenarios (the ones asked for, then the
runs that show each part's share), the run's one
:class:`~model.params.settings.RunSettings`, and the processes of a month. A
:class:`Builder` makes, for one replication of a run, the synthetic
population, the state at the first month that every scenario shares, and a
model per scenario. Runs (:mod:`.run`), the effect of guidance
(:mod:`.effects`), the calibration (:mod:`.calibration.replay`) and the tests
all enter the engine here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..engine.engine import LoopbaanModel
from ..engine.process import Process, describe
from ..engine.randomness import Streams
from ..engine.state import SimulationState
from ..mechanisms import default_processes
from ..mechanisms.labour_market.tables import RESOURCE, TableCache, horizon_parameters
from ..params.calendar import month_date
from ..params.scenario import Scenario, run_settings, with_projection
from ..params.settings import RunSettings
from ..params.tree import ParameterSet, ParameterTree
from ..people.population import Population
from ..people.synthesis import draw_people, fit_report
from .part_runs import expand
from .warmup_cache import entry_key

CAPACITY_SLACK = 0.01  # spare rows beyond the largest published size in the horizon


@dataclass
class Run:
    """What a run simulates.

    Attributes:
        scenarios: The scenarios, in the order given, then the runs a scenario made of parts adds
            (:mod:`.part_runs`).
        settings: The run's settings: the one place they live.
        processes: Makes a new list of the processes of a month (a module-level function or a
            ``functools.partial``: worker processes receive it).
        parts: For each scenario made of parts, the runs that show each part's share.
        part_runs: The names of the runs added to show the parts' shares (not scenarios of their own).
    """

    scenarios: list[Scenario]
    settings: RunSettings
    processes: Callable[[], list[Process]] = default_processes
    parts: dict[str, dict] = field(default_factory=dict)
    part_runs: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, items: Iterable[Scenario | str | dict], law: ParameterTree | None = None,
           processes: Callable[[], list[Process]] = default_processes, projection: str | None = None,
           **given) -> Run:
        """The run of some scenarios: resolved, their settings agreed (or given), the part runs added.

        Args:
            items: Scenarios, shipped names, paths or dicts.
            projection: The projection of the employment rate for every scenario of the run (``outlook``,
                ``trend`` or ``frozen``; :func:`model.params.scenario.with_projection`); None keeps theirs.
            given: Settings the caller sets (:func:`model.params.scenario.run_settings`).

        Raises:
            ScenarioError: for a bad scenario, setting or projection, or scenarios that cannot share a run.
        """
        law = law or ParameterTree.load()
        resolved = [with_projection(Scenario.resolve(item, law), projection) for item in items]
        settings = run_settings(resolved, **given)
        scenarios, parts, added = expand(resolved, law, lambda s: with_projection(s, projection))  # part runs too
        return cls(scenarios, settings, processes, parts, added)

    @property
    def first(self) -> Scenario:
        """The first scenario: its parameters make the shared population."""
        return self.scenarios[0]

    def parameters_at_start(self) -> ParameterSet:
        """The first scenario's parameters at the run's first month (they make the population)."""
        return self.first.tree.at(month_date(self.settings.first_month))


def population_rows(run: Run) -> tuple[int, int, float]:
    """Simulated persons at the run's first month, spare rows, and the weight of one simulated person.

    Spare rows are added for the largest published size any scenario reaches over the horizon.
    """
    settings = run.settings
    p = run.parameters_at_start()
    n = max(int(round(p["population.size_20_64"] * settings.scale)), 1)
    weight = p["population.size_20_64"] / n
    first, last = settings.first_month, settings.end_month
    largest = max(s.tree.at(month_date(m))["population.size_20_64"]
                  for s in run.scenarios for m in [*range(first, last + 1, 12), last])
    spare = int(np.ceil(largest / weight * (1 + CAPACITY_SLACK))) - n + 100
    return n, spare, weight


def warmup_signature(scenario: Scenario, settings: RunSettings) -> str:
    """Digest of the parameters in force over the warm-up months.

    Scenarios with the same signature have the same warm-up, which is then simulated once and shared.
    """
    months = range(settings.first_month, settings.start_month)
    payload = [dict(scenario.tree.at(month_date(m))) for m in months]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def yearly_parameters(run: Run) -> list[tuple[ParameterSet, ParameterSet | None]]:
    """The parameters of each July of the run, for every scenario (the years whose tables a run rakes).

    Each comes with the parameters of the outlook's last year where its margins continue the outlook
    (:func:`model.mechanisms.labour_market.tables.horizon_parameters`).
    """
    first, last = run.settings.first_month, run.settings.end_month
    julys = range(first - (month_date(first).month - 7) % 12, last + 13, 12)
    out = []
    for scenario in run.scenarios:
        def params_of(month: int, tree=scenario.tree) -> ParameterSet:
            return tree.at(month_date(month))
        out += [(params_of(m), horizon_parameters(params_of, params_of(m))) for m in julys if m + 12 > first]
    return out


class Builder:
    """The models of one replication of a run.

    Args:
        run: The run.
        replication: The replication's number (its random streams: the same in every scenario).
        tables: Raked tables to share with other replications (a new cache if None).
    """

    def __init__(self, run: Run, replication: int, tables: TableCache | None = None):
        self.run = run
        self.replication = replication
        self.tables = TableCache() if tables is None else tables
        self.streams = Streams(run.settings.seed, replication)
        self.persons, self.spare, self.weight = population_rows(run)
        self.shared = {RESOURCE: self.tables}

    def resources(self) -> dict:
        """What the models of the replication share: the raked tables, and what a model adds (one dict for all).

        The first model to simulate a reported month records what the others of the replication then use in
        it (:mod:`model.mechanisms.labour_market.reference`): the run's first scenario is the reference world.
        """
        return self.shared

    def population(self) -> tuple[Population, pd.DataFrame]:
        """The synthetic population at the first month (with spare rows for later growth), and its fit report."""
        p = self.run.parameters_at_start()
        first = self.run.settings.first_month
        table = self.tables.table(p, horizon_parameters(lambda m: self.run.first.tree.at(month_date(m)), p))
        people = draw_people(table, self.persons, first, p, self.streams.generator("synthesis", first))
        fit = fit_report(table, people, first, p, self.weight)
        people.grow(self.spare)
        return people, fit

    def start(self, people: Population, processes: list[Process] | None = None) -> LoopbaanModel:
        """A model of the first scenario on ``people`` at the first simulated month (its processes initialised).

        Args:
            processes: The processes of a month (default: the run's).
        """
        return LoopbaanModel.start(self.run.first.tree, people, self.streams, self.run.settings, self.weight,
                                   self.run.processes() if processes is None else processes, self.resources())

    def initial_state(self) -> tuple[SimulationState, pd.DataFrame]:
        """The state at the first simulated month, shared by every scenario, and the population fit report."""
        people, fit = self.population()
        return self.start(people).state, fit

    def model(self, scenario: Scenario, state: SimulationState) -> LoopbaanModel:
        """A model of ``scenario`` that continues ``state`` (changed in place: give a snapshot to keep it)."""
        return LoopbaanModel(scenario.tree, state, self.run.processes(), self.resources())

    def cache_key(self, scenario: Scenario, signatures: dict[str, str]) -> str:
        """The key of the warmed-up state of ``scenario`` in the cache (:mod:`.warmup_cache`).

        Args:
            signatures: :func:`warmup_signature` of each scenario, by name.
        """
        run, settings = self.run, self.run.settings
        # the parameters the synthesis and the processes' initialise read (at the first month), and those of the warm-up
        initial = json.dumps(dict(run.parameters_at_start()), sort_keys=True, default=str)
        return entry_key(warmup=signatures[scenario.name], initial=signatures[run.first.name], first_parameters=initial,
                         seed=settings.seed, replication=self.replication, scale=settings.scale,
                         first_month=settings.first_month, start_month=settings.start_month, months=settings.n_months,
                         persons=self.persons, rows=self.persons + self.spare,
                         processes=[describe(p) for p in run.processes()])


def simulate(model: LoopbaanModel, last: int, months: Callable[[int], None] = lambda n: None) -> None:
    """Run ``model`` up to month ``last``, a year at a time, telling ``months`` how many were simulated."""
    while model.month <= last:
        chunk_end = min(last, model.month + 11)
        n = chunk_end - model.month + 1
        model.run_until(chunk_end)
        months(n)
