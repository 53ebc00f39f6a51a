"""The engine: one scenario and one replication as a ``mesa.Model``.

People are columns (:class:`model.people.population.Population`) in one
:class:`model.engine.state.SimulationState`, with the institutions
(``mesa.Agent`` objects), the counters and the current month. One ``step`` is
one month: the processes it was given run in order, each on whole arrays.

The engine knows no mechanism. The model's month is the list of
:func:`model.mechanisms.default_processes`, and the one way to make a model for
a run's scenarios and a replication is :mod:`model.experiments.build`. Start a
model on a new state with :meth:`LoopbaanModel.start`, or continue a snapshot of
a state (a shared warm-up) with ``LoopbaanModel(tree, state, processes)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import mesa
import numpy as np

from ..params.calendar import month_date
from ..params.settings import RunSettings
from ..params.tree import ParameterSet, ParameterTree
from ..people.groups import group_keys
from ..people.population import Population
from .counters import Recorder
from .interrupts import raise_recorded, stops_as_stops
from .process import (
    DeclaredColumns,
    DeclaredParameters,
    DeclaredStreams,
    Month,
    Process,
    ProcessError,
    all_counters,
    check_processes,
    hidden_columns,
)
from .randomness import Streams
from .state import SimulationState


class LoopbaanModel(mesa.Model):
    """A monthly microsimulation of the loopbaancheque for one scenario.

    Args:
        tree: Parameters of the scenario (law plus the scenario's overrides).
        state: The simulation state to continue (changed in place).
        processes: The processes of a month, in order.
        resources: What the models of a run share, by name (for example the raked tables of
            :mod:`model.mechanisms.labour_market.tables`); see :meth:`resource`.
    """

    def __init__(self, tree: ParameterTree, state: SimulationState, processes: list[Process],
                 resources: dict[str, Any] | None = None):
        super().__init__(rng=state.streams.mesa_seed())
        self.tree = tree
        self.processes = list(processes)
        owners = check_processes(self.processes, set(tree.parameters))
        self._hidden = {p.name: hidden_columns(p, owners) for p in self.processes}
        self.state = state
        self.resources = {} if resources is None else resources
        self._params: dict[int, ParameterSet] = {}
        self._scratch: dict[str, dict] = {}
        self.seconds = {"warmup": 0.0, "simulate": 0.0}
        self.adopt(state)

    @classmethod
    def start(cls, tree: ParameterTree, people: Population, streams: Streams, settings: RunSettings, weight: float,
              processes: list[Process], resources: dict[str, Any] | None = None) -> LoopbaanModel:
        """A model on a new state at the run's first month: the processes add their columns and prepare their data.

        Args:
            people: The population at the first simulated month (changed in place).
            streams: Random streams of the replication (shared by all scenarios).
            settings: The run's settings: its first month, the first recorded month and the months recorded.
            weight: Persons represented by one simulated person.
        """
        processes = list(processes)
        check_processes(processes, set(tree.parameters))
        for proc in processes:
            for column in proc.columns:
                if column.dtype is not None and column.name not in people.dtypes:
                    people.add_column(column.name, column.dtype, column.fill)
                elif column.name not in people.dtypes:
                    raise ProcessError(f"process '{proc.name}' owns the column '{column.name}', which the population "
                                       f"does not have: declare it with a dtype (and fill value) to add it")
        state = SimulationState(people=people, month=settings.first_month, first_month=settings.first_month,
                                record_from=settings.start_month, weight=weight, streams=streams,
                                counters=Recorder(all_counters(processes), settings.n_months, weight))
        model = cls(tree, state, processes, resources)
        for proc in model.processes:
            proc.initialise(model)
        return model

    def adopt(self, state: SimulationState) -> None:
        """Make the institutions of ``state`` agents of this model (keeping their ids)."""
        agents = [a for kind in state.institutions.values() for a in kind]
        for agent in agents:
            unique_id = agent.unique_id
            agent.model = self
            self.register_agent(agent)
            agent.unique_id = unique_id
        if agents:
            self.agent_id_counter = max(self.agent_id_counter, max(a.unique_id for a in agents) + 1)

    # -- what processes use ----------------------------------------------
    @property
    def people(self) -> Population:
        """The whole population of the state (a process reads it through ``month.people``)."""
        return self.state.people

    @property
    def streams(self) -> Streams:
        """The random streams of the replication."""
        return self.state.streams

    @property
    def counters(self) -> Recorder:
        """The counters of the state."""
        return self.state.counters

    @property
    def weight(self) -> float:
        """Persons represented by one simulated person."""
        return self.state.weight

    @property
    def month(self) -> int:
        """The next month to simulate."""
        return self.state.month

    @property
    def last_month(self) -> int:
        """The last recorded month."""
        return self.state.last_month

    def data(self, process: Process) -> dict:
        """The state's own data of ``process`` (kept in snapshots)."""
        return self.state.process_data.setdefault(process.name, {})

    def scratch(self, owner: Process | str) -> dict:
        """Working values of ``owner`` (a process, or a module's name) kept between the months of this model.

        Not part of the state and never in a snapshot: only what can be made again from the state.
        """
        return self._scratch.setdefault(owner if isinstance(owner, str) else owner.name, {})

    def resource(self, name: str, make: Callable[[], Any]) -> Any:
        """What the models of a run share under ``name`` (made with ``make`` by the first model that asks)."""
        if name not in self.resources:
            self.resources[name] = make()
        return self.resources[name]

    def params(self, month: int) -> ParameterSet:
        """Parameters in force in ``month`` (cached)."""
        if month not in self._params:
            self._params[month] = self.tree.at(month_date(month))
        return self._params[month]

    def group_keys(self, month: Month, rows: np.ndarray) -> np.ndarray:
        """The group keys of ``rows`` this month (:func:`model.people.groups.group_keys`), for several counts of them."""
        return group_keys(self.people, rows, month.number, month.all_params or month.params)

    def count(self, month: Month, name: str, rows: np.ndarray, amount=1.0, index: np.ndarray | None = None,
              keys: np.ndarray | None = None) -> None:
        """Count people (or amounts) by group in a recorded month; nothing during warm-up.

        Args:
            keys: The group keys of ``rows`` (:meth:`group_keys`), if already made.
        """
        if month.t < 0:
            return
        keys = self.group_keys(month, rows) if keys is None else keys
        self.counters.add(name, month.t, keys, amount, index)

    # -- the month ---------------------------------------------------------
    def step(self) -> None:
        """Simulate one month: every process in order."""
        raise_recorded()  # a stop that a callback from compiled code dropped (see interrupts) ends the run here
        m = self.state.month
        p, t, values = self.params(m), m - self.state.record_from, {}
        for proc in self.processes:
            # Each process sees the columns, parameters and streams it declares; the values are shared.
            people = DeclaredColumns(self.people, proc.name, self._hidden[proc.name])
            with stops_as_stops():  # Ctrl-C or SIGTERM inside a kernel is a stop, not a SystemError
                proc.step(self, Month(m, DeclaredParameters(p, proc), t, values,
                                      DeclaredStreams(self.state.streams, proc), p, people))
        self.state.month += 1

    def run_until(self, month: int) -> None:
        """Simulate up to and including ``month``."""
        while self.state.month <= month:
            self.step()

    def run(self) -> Recorder:
        """Simulate the warm-up, then the recorded months; time each in ``self.seconds``."""
        t0 = time.perf_counter()
        self.run_until(self.state.record_from - 1)
        t1 = time.perf_counter()
        self.run_until(self.state.last_month)
        self.seconds = {"warmup": t1 - t0, "simulate": time.perf_counter() - t1}
        return self.counters

    def snapshot(self) -> SimulationState:
        """An independent copy of the whole state (see :meth:`SimulationState.snapshot`)."""
        return self.state.snapshot()
