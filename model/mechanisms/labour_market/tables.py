"""Raked tables and labour hazards, computed once per set of margins and shared by every model of a run.

The table of a year (:func:`model.people.synthesis.cell_table`) gives the
labour hazards (:mod:`.hazards`) and the attributes of the people entering the
population (:mod:`model.mechanisms.ageing`). The models of a run share one
:class:`TableCache` (an engine resource, :func:`tables_for`); the run rakes
the years ahead on the second core while the first months are simulated
(:meth:`TableCache.prefetch`).
"""

from __future__ import annotations

import collections
import json
import threading
from collections.abc import Callable

import pandas as pd

from ...params.calendar import month_date, month_number
from ...params.tree import ParameterSet
from ...people.synthesis import CellTable, cell_table, needs_horizon, outlook_horizon, projection_years
from .hazards import LabourHazards, hazards_from_table

RESOURCE = "labour_market.tables"  # the engine resource holding the run's TableCache

# Every parameter a table or its hazards read: the hazards are bounded by the separation ceiling.
_TABLE_PREFIXES = ("population.", "labour_market.", "simulation.hazard_ceiling")
_KEPT = 48  # tables (and pairs of hazards) kept by the process for later runs: about 0.6 MB a year of margins


class _Kept:
    """The last tables and hazards made in this process, by their margins, for the next run to take.

    A table and its hazards are pure functions of their margins (the key), so a run that finds them
    here gets exactly what it would have made. A test session, a sweep or the what-if page simulates
    run after run with the same margins: each would otherwise rake the same thirty years again.
    """

    def __init__(self) -> None:
        self._items: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > _KEPT:
                self._items.popitem(last=False)


_KEPT_TABLES, _KEPT_HAZARDS = _Kept(), _Kept()


class TableCache:
    """Raked tables and labour hazards, shared by every model of a run.

    A table depends only on the margins in force, so it is computed once per
    distinct set of margin values (most years after the last published figure
    share one). The hazards of a year depend on its table and the next year's
    (:func:`.hazards.hazards_from_table`), and are kept per pair.
    """

    def __init__(self) -> None:
        self._tables: dict[str, CellTable] = {}
        self._hazards: dict[tuple[str, str], LabourHazards] = {}
        self._years: dict[tuple[str, str], int] = {}  # first year each pair of tables was used in this run
        self._lock = threading.Lock()
        self._busy: dict[str, threading.Event] = {}  # tables being raked, by key

    @staticmethod
    def key(p: ParameterSet, horizon: ParameterSet | None = None) -> str:
        """The margins in ``p`` that make a table (and those of the outlook's last year it continues), as a key."""
        margins = {k: v for k, v in p.items() if k.startswith(_TABLE_PREFIXES)}
        margins["projection_years"] = projection_years(p)  # projected margins move with the year
        if horizon is not None and needs_horizon(p):
            margins["horizon"] = {k: v for k, v in horizon.items() if k.startswith(_TABLE_PREFIXES)}
        return json.dumps(margins, sort_keys=True, default=str)

    def table(self, p: ParameterSet, horizon: ParameterSet | None = None) -> CellTable:
        """The table for the margins in ``p`` (raked once, whichever thread asks first; the others wait).

        Args:
            horizon: The parameters of the outlook's last year, where ``p`` continues it
                (:func:`model.people.synthesis.needs_horizon`).
        """
        key = self.key(p, horizon)
        while True:
            with self._lock:
                if key in self._tables:
                    return self._tables[key]
                busy = self._busy.get(key)
                if busy is None:
                    busy = self._busy[key] = threading.Event()
                    break
            busy.wait()  # another thread rakes it
        try:
            table = _KEPT_TABLES.get(key)
            if table is None:
                table = cell_table(p, horizon)
                _KEPT_TABLES.put(key, table)
            with self._lock:
                self._tables[key] = table
        finally:
            with self._lock:
                del self._busy[key]
            busy.set()
        return table

    def get(self, p: ParameterSet, p_next: ParameterSet | None = None,
            horizon: ParameterSet | None = None) -> tuple[CellTable, LabourHazards]:
        """The table of ``p`` and the hazards that carry it to the table of ``p_next`` (a year later).

        Without ``p_next``, the hazards keep the table of ``p`` (a stationary profile).

        Args:
            horizon: The parameters of the outlook's last year (:meth:`table`).
        """
        table = self.table(p, horizon)
        following = table if p_next is None else self.table(p_next, horizon)
        pair = (self.key(p, horizon), self.key(p_next, horizon) if p_next is not None else self.key(p, horizon))
        with self._lock:
            hazards = self._hazards.get(pair)
        if hazards is None:
            hazards = _KEPT_HAZARDS.get(pair)
            if hazards is None:
                hazards = hazards_from_table(table, p, following)
                _KEPT_HAZARDS.put(pair, hazards)
            with self._lock:
                hazards = self._hazards.setdefault(pair, hazards)
        with self._lock:
            self._years.setdefault(pair, p.date.year)  # used by this run (adopted tables count once used)
        return table, hazards

    def export(self) -> dict:
        """The tables and hazards made so far, for the cache of warmed-up states (:mod:`model.experiments.warmup_cache`)."""
        with self._lock:
            return {"tables": dict(self._tables), "hazards": dict(self._hazards)}

    def adopt(self, exported: dict) -> None:
        """Take tables and hazards made in an earlier run (:meth:`export`): keyed by their margins, none can be wrong.

        They are reported (:meth:`bounded_hazards`) only once this run uses them, as if it had made them.
        """
        with self._lock:
            for key, value in exported.get("tables", {}).items():
                self._tables.setdefault(key, value)
            for pair, value in exported.get("hazards", {}).items():
                self._hazards.setdefault(pair, value)

    def prefetch(self, parameter_sets: list[tuple[ParameterSet, ParameterSet | None]]) -> threading.Thread:
        """Rake the tables of ``parameter_sets`` (each with its outlook's last year, :meth:`table`) in a thread.

        The thread is started and returned, to be joined.

        The synthesis of the population keeps one core busy while the other is
        idle: the yearly tables of the horizon are raked there meanwhile. A
        table is a pure function of its margins, so which thread computes it
        changes nothing.
        """
        def rake_all() -> None:
            for p, horizon in parameter_sets:
                self.table(p, horizon)

        thread = threading.Thread(target=rake_all, name="loopbaan-tables", daemon=True)
        thread.start()
        return thread

    def bounded_hazards(self) -> pd.DataFrame:
        """Every cell where a hazard had to be bounded, for each pair of tables used (first year it applied)."""
        with self._lock:
            used = [(year, self._hazards[pair]) for pair, year in self._years.items() if pair in self._hazards]
        frames = [hazards.bounded.assign(margins_from_year=year) for year, hazards in sorted(used, key=lambda x: x[0])
                  if hazards.bounded is not None]
        if not frames:
            return pd.DataFrame()
        out = pd.concat(frames, ignore_index=True)
        return out[["margins_from_year", *[c for c in out.columns if c != "margins_from_year"]]].sort_values(
            ["margins_from_year", "hazard", "sex", "education", "migration", "work_disability", "age"], ignore_index=True)


def tables_for(model, month: int) -> tuple[CellTable, LabourHazards]:
    """The raked table and labour hazards of ``month`` for a model: margins are taken once a year, in July.

    A year's published rates are averages over the year, so they are held in
    its middle: from each July the hazards carry the year's table to the next
    year's (:func:`.hazards.hazards_from_table`), and the simulated profile
    passes through each year's margins as they move. The run's
    :class:`TableCache` is the engine resource :data:`RESOURCE`; the model
    keeps the tables it found by their month (finding a table by its margins
    costs more than a month of a small run needs).
    """
    start, _ = year_of_tables(month, model.state.first_month)
    found = model.scratch(RESOURCE)
    if start not in found:
        found[start] = model.resource(RESOURCE, TableCache).get(*parameters_of_year(model.params, month,
                                                                                    model.state.first_month))
    return found[start]


def year_of_tables(month: int, first_month: int) -> tuple[int, int]:
    """The month whose parameters make the tables of ``month``, and the July a year later (the next year's table).

    The first is the latest July, or the run's first month if later.
    """
    july = month - (month_date(month).month - 7) % 12
    return max(july, first_month), july + 12


def parameters_of_year(params_of: Callable[[int], ParameterSet], month: int,
                       first_month: int) -> tuple[ParameterSet, ParameterSet, ParameterSet | None]:
    """The parameters of the tables of ``month``, of the next year's, and of the outlook's last year if needed.

    They are the arguments of :meth:`TableCache.get`, as :func:`tables_for` gives them.
    """
    start, following = year_of_tables(month, first_month)
    p_next = params_of(following)
    return params_of(start), p_next, horizon_parameters(params_of, p_next)


def horizon_parameters(params_of: Callable[[int], ParameterSet], p: ParameterSet) -> ParameterSet | None:
    """The parameters of July of the outlook's last year, if the margins of ``p`` continue the outlook (else None).

    Args:
        params_of: The parameters in force in a month (a model's ``params``).
    """
    return params_of(month_number(outlook_horizon(p), 7)) if needs_horizon(p) else None
