"""What a process of the monthly engine is, and the checks on a list of them.

A month of the simulation is a declared list of processes (ageing, labour
market, eligibility, uptake, guidance effects, stocks ...; the model's month is
:func:`model.mechanisms.default_processes`). Each process is a small class that declares

- ``parameters``: the parameter paths (or folders, ending in ``.``) it reads;
- ``columns``: the person columns it owns: it is the only process that
  writes them; a column the population does not have yet is added, with
  its dtype and fill value, when the simulation state is created;
- ``reads``: the columns of other processes it reads (a column no process owns,
  such as ``sex``, is free to read);
- ``streams``: the random streams it draws from (keyed by name, so adding a
  stream changes no existing draw);
- ``counters``: the monthly metrics it records (:class:`model.engine.counters.Counter`);
- ``needs`` / ``provides``: values handed on within the month (for example
  ``eligible``), so the engine can check the order of the list;

and has a ``step(model, month)``, where ``model`` is the engine
(:class:`model.engine.engine.LoopbaanModel`, seen by a process as an :class:`Engine`). In ``step``, ``month.people`` holds
the person columns, ``month.params`` the parameters it declares and
``month.streams`` the streams it declares: reading a column, a parameter or a
stream it does not declare raises :class:`ProcessError`. ``month.values`` holds
what earlier processes handed on, and ``model.count(month, counter, rows, amount,
index)`` counts by group. A process keeps any state of its own in
``model.data(self)``, never on itself, so that a snapshot of the state holds
everything (see :mod:`model.engine.state`). Adding a mechanism means writing its
folder and adding it to the month's list; nothing in the engine changes
(``docs/architecture.md`` walks through one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np

from ..params.tree import ParameterSet, ParameterTree
from ..people.population import Population
from .counters import Counter, Recorder
from .randomness import Streams
from .state import SimulationState


@dataclass(frozen=True)
class Column:
    """A person column that a process owns.

    Attributes:
        name: Column name (an attribute of :class:`model.people.population.Population`).
        dtype: numpy dtype, for a column the process adds.
        fill: Value of free rows and of new people, for a column the process adds.
        description: What the column holds.
    """

    name: str
    dtype: Any = None
    fill: Any = 0
    description: str = ""


class ProcessError(ValueError):
    """A list of processes cannot make a month, or a process used what it did not declare."""


class DeclaredParameters(Mapping[str, Any]):
    """The parameters in force, limited to those a process declares (``Process.parameters``).

    Reading an undeclared parameter raises :class:`ProcessError`, so a
    process's declaration is the true list of what it depends on.
    """

    def __init__(self, params: ParameterSet, process: Process):
        self._params = params
        self._process = process.name
        self._exact = {p for p in process.parameters if not p.endswith(".")}
        self._prefixes = tuple(p for p in process.parameters if p.endswith("."))
        self.date = params.date

    def _allowed(self, path: str) -> bool:
        return path in self._exact or path.startswith(self._prefixes)

    def __getitem__(self, path: str) -> Any:
        if not self._allowed(path):
            raise ProcessError(f"process '{self._process}' reads '{path}', which is not among the parameters it "
                               f"declares; add it (or its folder, ending in '.') to 'parameters'")
        return self._params[path]

    def __iter__(self):
        return (p for p in self._params if self._allowed(p))

    def __len__(self) -> int:
        return sum(1 for _ in self)


class DeclaredStreams:
    """The random streams of the replication, limited to those a process declares (``Process.streams``)."""

    def __init__(self, streams: Streams, process: Process):
        self._streams = streams
        self._process = process.name
        self._names = set(process.streams)

    def _check(self, name: str) -> None:
        if name not in self._names:
            raise ProcessError(f"process '{self._process}' draws from the random stream '{name}', which it does not "
                               f"declare in 'streams' (declared: {sorted(self._names)}); each stream belongs to one process")

    def generator(self, name: str, month: int):
        """See :meth:`model.engine.randomness.Streams.generator`."""
        self._check(name)
        return self._streams.generator(name, month)

    def row_key(self, name: str, month: int):
        """See :meth:`model.engine.randomness.Streams.row_key`."""
        self._check(name)
        return self._streams.row_key(name, month)

    def row_uniforms(self, name: str, month: int, rows):
        """See :meth:`model.engine.randomness.Streams.row_uniforms`."""
        self._check(name)
        return self._streams.row_uniforms(name, month, rows)

    def sparse_candidates(self, name: str, month: int, n_rows: int, ceiling: float):
        """See :meth:`model.engine.randomness.Streams.sparse_candidates`."""
        self._check(name)
        return self._streams.sparse_candidates(name, month, n_rows, ceiling)


class DeclaredColumns:
    """The population as one process sees it: a column another process owns is there only if it declares it.

    Attributes and methods of the population pass through, so a function that
    takes a population takes this view too; the arrays are the population's own.

    Args:
        people: The population.
        process: Name of the process.
        hidden: ``{column: owner}`` of the columns other processes own that the process does not read.
    """

    __slots__ = ("_people", "_process", "_hidden")

    def __init__(self, people: Population, process: str, hidden: Mapping[str, str]):
        self._people = people
        self._process = process
        self._hidden = hidden

    def __getattr__(self, name: str) -> Any:
        if name in self._hidden:
            raise ProcessError(f"process '{self._process}' reads the column '{name}' of process "
                               f"'{self._hidden[name]}', which it does not declare; add it to 'reads'")
        return getattr(self._people, name)

    def __len__(self) -> int:
        return len(self._people)


@dataclass
class Month:
    """One simulated month, as one process sees it.

    Attributes:
        number: Month number (:func:`model.params.calendar.month_number`).
        params: Parameters in force this month, as far as the process declares them.
        t: Index of the month among the recorded months, or -1 during warm-up.
        values: Values handed on from earlier processes this month (``needs`` /
            ``provides``), shared by the processes of the month.
        streams: The random streams the process declares.
        all_params: Every parameter in force (for the engine's own use, e.g. counting by group).
        people: The person columns the process owns or declares (:class:`DeclaredColumns`), and those no
            process owns.
    """

    number: int
    params: Mapping[str, Any]
    t: int
    values: dict[str, Any] = field(default_factory=dict)
    streams: DeclaredStreams | None = None
    all_params: ParameterSet | None = None
    people: DeclaredColumns | Population | None = None

    @property
    def recorded(self) -> bool:
        """True when counters are kept for this month."""
        return self.t >= 0


class Engine(Protocol):
    """What a process may use of the engine that runs it (:class:`model.engine.engine.LoopbaanModel` is one).

    Written here, as the processes' side of the contract, so that the engine imports this module and not the
    other way round.
    """

    tree: ParameterTree
    state: SimulationState

    @property
    def people(self) -> Population:
        """The whole population (a step reads it through ``month.people``)."""

    @property
    def streams(self) -> Streams:
        """The random streams of the replication."""

    @property
    def counters(self) -> Recorder:
        """The counters of the state."""

    @property
    def weight(self) -> float:
        """Persons represented by one simulated person."""

    def data(self, process: Process) -> dict:
        """The process's own data, kept in snapshots."""

    def scratch(self, owner: Process | str) -> dict:
        """Working values kept between the months of one model, never in a snapshot."""

    def resource(self, name: str, make: Callable[[], Any]) -> Any:
        """What the models of a replication share under ``name``."""

    def params(self, month: int) -> ParameterSet:
        """Every parameter in force in ``month``."""

    def group_keys(self, month: Month, rows: np.ndarray) -> np.ndarray:
        """The group keys of ``rows`` this month."""

    def count(self, month: Month, name: str, rows: np.ndarray, amount=1.0, index: np.ndarray | None = None,
              keys: np.ndarray | None = None) -> None:
        """Count people (or amounts) by group in a recorded month."""


class Process:
    """Base class of the processes of a month (see the module docstring)."""

    name: ClassVar[str] = ""
    parameters: ClassVar[tuple[str, ...]] = ()
    columns: ClassVar[tuple[Column, ...]] = ()
    streams: ClassVar[tuple[str, ...]] = ()
    counters: ClassVar[tuple[Counter, ...]] = ()
    reads: ClassVar[tuple[str, ...]] = ()
    needs: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[str, ...]] = ()

    def initialise(self, model: Engine) -> None:
        """Prepare the simulation state once, when it is created (not when it is restored).

        Called once per replication, before the warm-up, with the first
        scenario's parameters (``model.tree``): what differs between scenarios
        belongs in :meth:`step`. The default does nothing; columns declared
        with a dtype are added by the engine before this is called.
        """

    def step(self, model: Engine, month: Month) -> None:
        """Simulate this process for one month."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<process {self.name}>"


def check_processes(processes: list[Process], parameter_paths: set[str] | None = None) -> dict[str, str]:
    """Check that a list of processes can make a month; return the owner of each owned column.

    Raises:
        ProcessError: for a nameless or repeated process, a column, stream or counter declared twice, a value
            needed before a process provides it, a column read that no other process owns, or a parameter no
            file defines.
    """
    if not processes:
        raise ProcessError("a month needs at least one process")
    for proc in processes:
        if not isinstance(proc, Process):
            hint = " (a class: give an instance, e.g. MyProcess())" if isinstance(proc, type) else ""
            raise ProcessError(f"{proc!r} is not a model.Process{hint}")
    names = [p.name for p in processes]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise ProcessError(f"processes need distinct, non-empty names; got {names}")
    owners: dict[str, str] = {}
    streams: dict[str, str] = {}
    counters: dict[str, str] = {}
    provided: set[str] = set()
    for proc in processes:
        for what, items, seen in (("column", [c.name for c in proc.columns], owners),
                                  ("random stream", proc.streams, streams),
                                  ("counter", [c.name for c in proc.counters], counters)):
            for item in items:
                if item in seen:
                    raise ProcessError(f"{what} '{item}' is declared by both '{seen[item]}' and '{proc.name}'")
                seen[item] = proc.name
        missing = [v for v in proc.needs if v not in provided]
        if missing:
            raise ProcessError(f"process '{proc.name}' needs {missing}, which no earlier process provides "
                               f"(the order is {names})")
        provided.update(proc.provides)
        if parameter_paths is not None:
            unknown = [p for p in proc.parameters
                       if not (p in parameter_paths or (p.endswith(".") and any(q.startswith(p) for q in parameter_paths)))]
            if unknown:
                raise ProcessError(f"process '{proc.name}' reads parameters that no file defines: {unknown}")
    for proc in processes:  # (reads may name a column of a later process: last month's value)
        for column in proc.reads:
            if owners.get(column, proc.name) == proc.name:
                why = "it owns it itself" if owners.get(column) == proc.name else "no process of the month owns it"
                raise ProcessError(f"process '{proc.name}' reads the column '{column}', but {why}; 'reads' names "
                                   f"the columns of other processes (the month is {names})")
    return owners


def hidden_columns(process: Process, owners: Mapping[str, str]) -> dict[str, str]:
    """The columns other processes own that ``process`` does not read: ``{column: owner}``."""
    own = {c.name for c in process.columns}
    return {column: owner for column, owner in owners.items() if column not in own and column not in process.reads}


def describe(process: Process) -> dict[str, Any]:
    """What a process declares, for the run manifest."""
    cls = type(process)
    return {
        "name": process.name, "class": f"{cls.__module__}.{cls.__qualname__}",
        "parameters": list(process.parameters), "columns": [c.name for c in process.columns],
        "reads": list(process.reads), "streams": list(process.streams),
        "counters": [c.name for c in process.counters], "needs": list(process.needs),
        "provides": list(process.provides),
    }


def all_counters(processes: list[Process]) -> list[Counter]:
    """The counters of every process, in process order."""
    return [c for p in processes for c in p.counters]


def dimension_names(processes: list[Process]) -> tuple[str, ...]:
    """Names of the extra counter dimensions of the processes, in order of first use."""
    out: list[str] = []
    for counter in all_counters(processes):
        out += [d for d, _ in counter.dims if d not in out]
    return tuple(out)


def empty_rows() -> np.ndarray:
    """An empty row selection."""
    return np.empty(0, dtype=np.intp)
