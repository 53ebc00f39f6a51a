"""What a process of the monthly engine is, and the checks on a list of them.

A month of the simulation is a declared list of processes (ageing, labour
market, eligibility, uptake, guidance effects, counters ...; see
:mod:`model.processes`). Each process is a small class that declares

- ``parameters``: the parameter paths (or folders, ending in ``.``) it reads;
- ``columns``: the person columns it owns: it is the only process that
  writes them; a column the population does not have yet is added, with
  its dtype and fill value, when the simulation state is created;
- ``streams``: the random streams it draws from (keyed by name, so adding a
  stream changes no existing draw);
- ``counters``: the monthly metrics it records (:class:`model.metrics.Counter`);
- ``needs`` / ``provides``: values handed on within the month (for example
  ``eligible``), so the engine can check the order of the list;

and has a ``step(model, month)``, where ``model`` is the engine
(:class:`model.model.LoopbaanModel`). In ``step``, ``model.people`` holds the
person columns, ``month.params`` the parameters it declares, ``month.streams``
the streams it declares (reading or drawing anything else raises
:class:`ProcessError`), ``month.values`` what earlier processes handed on, and
``model.count(month, counter, rows, amount, index)`` counts by group. A process
keeps any state of its own in ``model.data(self)``, never on itself, so that a
snapshot of the state holds everything (see :mod:`model.state`). Adding a
mechanism means writing its module and adding it to the list; nothing else in
the engine changes. The README's "Adding a mechanism" has a worked example.

A process marked ``background`` reads the population while the processes after
it run (in a second thread); it declares the columns it ``reads``, and the list
is refused if a later process owns one of them. What it needs of a column that
a later process writes, it copies in ``prepare`` (run in the foreground first).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .metrics import Counter
from .params import ParameterSet
from .randomness import Streams

if TYPE_CHECKING:  # pragma: no cover
    from .model import LoopbaanModel


@dataclass(frozen=True)
class Column:
    """A person column that a process owns.

    Attributes:
        name: Column name (an attribute of :class:`model.population.Population`).
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
        """See :meth:`model.randomness.Streams.generator`."""
        self._check(name)
        return self._streams.generator(name, month)

    def row_key(self, name: str, month: int):
        """See :meth:`model.randomness.Streams.row_key`."""
        self._check(name)
        return self._streams.row_key(name, month)

    def row_uniforms(self, name: str, month: int, rows):
        """See :meth:`model.randomness.Streams.row_uniforms`."""
        self._check(name)
        return self._streams.row_uniforms(name, month, rows)

    def sparse_candidates(self, name: str, month: int, n_rows: int, ceiling: float):
        """See :meth:`model.randomness.Streams.sparse_candidates`."""
        self._check(name)
        return self._streams.sparse_candidates(name, month, n_rows, ceiling)


@dataclass
class Month:
    """One simulated month, as one process sees it.

    Attributes:
        number: Month number (``codes.month_number``).
        params: Parameters in force this month, as far as the process declares them.
        t: Index of the month among the recorded months, or -1 during warm-up.
        values: Values handed on from earlier processes this month (``needs`` /
            ``provides``), shared by the processes of the month.
        streams: The random streams the process declares.
        all_params: Every parameter in force (for the engine's own use, e.g. counting by group).
    """

    number: int
    params: Mapping[str, Any]
    t: int
    values: dict[str, Any] = field(default_factory=dict)
    streams: DeclaredStreams | None = None
    all_params: ParameterSet | None = None

    @property
    def recorded(self) -> bool:
        """True when counters are kept for this month."""
        return self.t >= 0


class Process:
    """Base class of the processes of a month (see the module docstring)."""

    name: ClassVar[str] = ""
    parameters: ClassVar[tuple[str, ...]] = ()
    columns: ClassVar[tuple[Column, ...]] = ()
    streams: ClassVar[tuple[str, ...]] = ()
    counters: ClassVar[tuple[Counter, ...]] = ()
    needs: ClassVar[tuple[str, ...]] = ()
    provides: ClassVar[tuple[str, ...]] = ()
    background: ClassVar[bool] = False
    reads: ClassVar[tuple[str, ...]] = ()

    def initialise(self, model: LoopbaanModel) -> None:
        """Prepare the simulation state once, when it is created (not when it is restored).

        Called once per replication, before the warm-up, with the first
        scenario's parameters (``model.tree``): what differs between scenarios
        belongs in :meth:`step`. The default does nothing; columns declared
        with a dtype are added by the engine before this is called.
        """

    def prepare(self, model: LoopbaanModel, month: Month) -> None:
        """For a ``background`` process: runs in the foreground just before :meth:`step` goes to the second core.

        Take copies here of anything the step reads that a later process of
        the month writes (and leave it out of ``reads``). The default does nothing.
        """

    def step(self, model: LoopbaanModel, month: Month) -> None:
        """Simulate this process for one month."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<process {self.name}>"


def check_processes(processes: list[Process], parameter_paths: set[str] | None = None) -> None:
    """Check that a list of processes can make a month.

    Raises:
        ProcessError: for a nameless or repeated process, a column or stream
            declared twice, a counter declared twice, a value needed before a
            process provides it, a column a background process reads that a
            later process owns, or a parameter no file defines.
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
    for i, proc in enumerate(processes):
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
        if proc.background:
            later = {c.name: p.name for p in processes[i + 1:] for c in p.columns}
            clash = sorted(set(proc.reads) & set(later))
            if clash:
                raise ProcessError(f"process '{proc.name}' reads {clash} in the background while "
                                   f"'{later[clash[0]]}' (later in the month) writes them; move it before '{proc.name}'")
        if parameter_paths is not None:
            unknown = [p for p in proc.parameters
                       if not (p in parameter_paths or (p.endswith(".") and any(q.startswith(p) for q in parameter_paths)))]
            if unknown:
                raise ProcessError(f"process '{proc.name}' reads parameters that no file defines: {unknown}")


def describe(process: Process) -> dict[str, Any]:
    """What a process declares, for the run manifest."""
    cls = type(process)
    return {
        "name": process.name, "class": f"{cls.__module__}.{cls.__qualname__}",
        "parameters": list(process.parameters), "columns": [c.name for c in process.columns],
        "streams": list(process.streams), "counters": [c.name for c in process.counters],
        "needs": list(process.needs), "provides": list(process.provides), "background": process.background,
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
