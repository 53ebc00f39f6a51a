"""The engine: one scenario and one replication as a ``mesa.Model``.

People are columns (:class:`model.population.Population`) in one
:class:`model.state.SimulationState`, with the institutions (``mesa.Agent`` objects),
the counters and the current month. One ``step`` is one month: the declared
processes (:mod:`model.processes`) run in order, each on whole arrays::

    ageing -> transitions -> VDAB follow-up -> labour market -> stock keys (background)
    -> guidance outcomes -> eligibility -> outreach -> stocks (background) -> uptake

The second core runs the background steps one after the other, in the order
they were handed over (a pool of one worker), and the month ends when they are done.

Build a model on a new state with :meth:`LoopbaanModel.start`, or continue a
snapshot of a state (a shared warm-up) with ``LoopbaanModel(tree, state)``.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import mesa
import numpy as np

from . import codes, metrics
from .params import ParameterSet, ParameterTree
from .population import Population
from .process import DeclaredParameters, DeclaredStreams, Month, Process, ProcessError, all_counters, check_processes
from .processes import default_processes
from .randomness import Streams
from .state import SimulationState
from .tables import TableCache


class LoopbaanModel(mesa.Model):
    """A monthly microsimulation of the loopbaancheque for one scenario.

    Args:
        tree: Parameters of the scenario (law plus the scenario's overrides).
        state: The simulation state to continue (changed in place).
        processes: The processes of a month, in order (default: the model's).
        tables: Cache of raked tables and hazards (shared by the models of a run).
        threads: Overlap independent parts of a month in a second thread.
    """

    def __init__(self, tree: ParameterTree, state: SimulationState, processes: list[Process] | None = None,
                 tables: TableCache | None = None, threads: bool = True):
        super().__init__(rng=state.streams.mesa_seed())
        self.tree = tree
        self.processes = list(processes) if processes is not None else default_processes()
        check_processes(self.processes, set(tree.parameters))
        self.state = state
        self.tables = tables or TableCache()
        self._params: dict[int, ParameterSet] = {}
        self.seconds = {"warmup": 0.0, "simulate": 0.0}
        self._scratch: dict[str, dict] = {}
        self._tables: dict[int, tuple] = {}
        self.adopt(state)
        # Independent read-only parts of a month overlap on a second core (numpy
        # releases the GIL); results do not depend on it.
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="loopbaan") if threads else None

    @classmethod
    def start(cls, tree: ParameterTree, people: Population, first_month: int, record_from: int, n_months: int,
              weight: float, streams: Streams, processes: list[Process] | None = None,
              tables: TableCache | None = None, threads: bool = True) -> LoopbaanModel:
        """A model on a new state: the processes add their columns and prepare their data.

        Args:
            people: The population at ``first_month`` (changed in place).
            first_month: Month number of the first simulated month (warm-up included).
            record_from: Month number from which counters are kept.
            n_months: Months to record.
            weight: Persons represented by one simulated person.
            streams: Random streams of the replication (shared by all scenarios).
        """
        processes = list(processes) if processes is not None else default_processes()
        check_processes(processes, set(tree.parameters))
        for proc in processes:
            for column in proc.columns:
                if column.dtype is not None and column.name not in people.dtypes:
                    people.add_column(column.name, column.dtype, column.fill)
                elif column.name not in people.dtypes:
                    raise ProcessError(f"process '{proc.name}' owns the column '{column.name}', which the population "
                                       f"does not have: declare it with a dtype (and fill value) to add it")
        state = SimulationState(people=people, month=first_month, first_month=first_month, record_from=record_from, weight=weight,
                                streams=streams, counters=metrics.Recorder(all_counters(processes), n_months, weight))
        model = cls(tree, state, processes, tables, threads)
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
        """The population of the state."""
        return self.state.people

    @property
    def streams(self) -> Streams:
        """The random streams of the replication."""
        return self.state.streams

    @property
    def counters(self) -> metrics.Recorder:
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

    def scratch(self, process: Process) -> dict:
        """Working arrays of ``process`` kept between months of this model (not part of the state, never snapshotted)."""
        return self._scratch.setdefault(process.name, {})

    def params(self, month: int) -> ParameterSet:
        """Parameters in force in ``month`` (cached)."""
        if month not in self._params:
            self._params[month] = self.tree.at(codes.month_date(month))
        return self._params[month]

    def tables_for(self, month: int):
        """Raked table and labour hazards of ``month``: margins are taken once a year, in January."""
        january = max(month - codes.month_date(month).month + 1, self.state.first_month)
        if january not in self._tables:  # (finding a table by its margins costs more than a month of a small run needs)
            self._tables[january] = self.tables.get(self.params(january))
        return self._tables[january]

    def group_keys(self, month: Month, rows: np.ndarray) -> np.ndarray:
        """The group keys of ``rows`` this month (:func:`model.metrics.group_keys`), for several counts of the same people."""
        return metrics.group_keys(self.people, rows, month.number, month.all_params or month.params,
                                  self.people.group_key_static)

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
        m = self.state.month
        p, t, values = self.params(m), m - self.state.record_from, {}
        pending = []
        for proc in self.processes:
            # Each process sees the parameters and streams it declares; the values are shared.
            month = Month(m, DeclaredParameters(p, proc), t, values, DeclaredStreams(self.state.streams, proc), p)
            if proc.background:
                proc.prepare(self, month)
            if proc.background and self.pool is not None:
                pending.append(self.pool.submit(proc.step, self, month))
            else:
                proc.step(self, month)
        for job in pending:
            job.result()
        self.state.month += 1

    def run_until(self, month: int) -> None:
        """Simulate up to and including ``month``."""
        while self.state.month <= month:
            self.step()

    def run(self) -> metrics.Recorder:
        """Simulate the warm-up, then the recorded months; time each in ``self.seconds``."""
        t0 = time.perf_counter()
        self.run_until(self.state.record_from - 1)
        t1 = time.perf_counter()
        self.run_until(self.state.last_month)
        self.seconds = {"warmup": t1 - t0, "simulate": time.perf_counter() - t1}
        self.close()
        return self.counters

    def snapshot(self) -> SimulationState:
        """An independent copy of the whole state (see :meth:`SimulationState.snapshot`)."""
        return self.state.snapshot()

    def close(self) -> None:
        """Stop the helper thread."""
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None
