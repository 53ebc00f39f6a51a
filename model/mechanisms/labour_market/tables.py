"""Raked tables and labour hazards, computed once per set of margins and shared by every model of a run.

The table of a year (:func:`model.people.synthesis.cell_table`) gives the
labour hazards (:mod:`.hazards`) and the attributes of the people entering the
population (:mod:`model.mechanisms.ageing`). The models of a run share one
:class:`TableCache` (an engine resource, :func:`tables_for`); the run rakes
the years ahead on the second core while the first months are simulated
(:meth:`TableCache.prefetch`).
"""

from __future__ import annotations

import json
import threading

import pandas as pd

from ...params.calendar import month_date
from ...params.tree import ParameterSet
from ...people.synthesis import CellTable, cell_table, projection_years
from .hazards import LabourHazards, hazards_from_table

RESOURCE = "labour_market.tables"  # the engine resource holding the run's TableCache

_TABLE_PREFIXES = ("population.", "labour_market.")


class TableCache:
    """Raked tables and labour hazards, shared by every model of a run.

    A table depends only on the margins in force, so it is computed once per
    distinct set of margin values (most years after the last published figure
    share one).
    """

    def __init__(self) -> None:
        self._store: dict[str, tuple[CellTable, LabourHazards]] = {}
        self._years: dict[str, int] = {}
        self._lock = threading.Lock()
        self._busy: dict[str, threading.Event] = {}  # tables being raked, by key

    def get(self, p: ParameterSet) -> tuple[CellTable, LabourHazards]:
        """The table and hazards for the margins in ``p`` (raked once, whichever thread asks first; the others wait)."""
        margins = {k: v for k, v in p.items() if k.startswith(_TABLE_PREFIXES)}
        margins["projection_years"] = projection_years(p)  # projected margins move with the year
        key = json.dumps(margins, sort_keys=True, default=str)
        while True:
            with self._lock:
                if key in self._store:
                    self._years.setdefault(key, p.date.year)  # used by this run (adopted tables count once used)
                    return self._store[key]
                busy = self._busy.get(key)
                if busy is None:
                    busy = self._busy[key] = threading.Event()
                    break
            busy.wait()  # another thread rakes it
        try:
            table = cell_table(p)
            with self._lock:
                self._store[key] = (table, hazards_from_table(table, p))
                self._years.setdefault(key, p.date.year)
        finally:
            with self._lock:
                del self._busy[key]
            busy.set()
        return self._store[key]

    def export(self) -> dict:
        """The tables raked so far (for the cache of warmed-up states, :mod:`model.experiments.warmup_cache`)."""
        with self._lock:
            return dict(self._store)

    def adopt(self, exported: dict) -> None:
        """Take tables raked in an earlier run (:meth:`export`); a table is keyed by its margins, so none can be wrong.

        They are reported (:meth:`bounded_hazards`) only once this run uses them, as if it had raked them.
        """
        with self._lock:
            for key, value in exported.items():
                self._store.setdefault(key, value)

    def prefetch(self, parameter_sets: list[ParameterSet]) -> threading.Thread:
        """Compute the tables of ``parameter_sets`` in a thread (started, returned to be joined).

        The synthesis of the population keeps one core busy while the other is
        idle: the yearly tables of the horizon are raked there meanwhile. A
        table is a pure function of its margins, so which thread computes it
        changes nothing.
        """
        def rake_all() -> None:
            for p in parameter_sets:
                self.get(p)

        thread = threading.Thread(target=rake_all, name="loopbaan-tables", daemon=True)
        thread.start()
        return thread

    def bounded_hazards(self) -> pd.DataFrame:
        """Every cell where a hazard had to be bounded, for each set of margins used (first year it applied)."""
        frames = [hazards.bounded.assign(margins_from_year=self._years[key])
                  for key, (_, hazards) in self._store.items() if hazards.bounded is not None and key in self._years]
        if not frames:
            return pd.DataFrame()
        out = pd.concat(frames, ignore_index=True)
        return out[["margins_from_year", *[c for c in out.columns if c != "margins_from_year"]]].sort_values(
            ["margins_from_year", "hazard", "sex", "education", "migration", "work_disability", "age"], ignore_index=True)


def tables_for(model, month: int) -> tuple[CellTable, LabourHazards]:
    """The raked table and labour hazards of ``month`` for a model: margins are taken once a year, in January.

    The run's :class:`TableCache` is the engine resource :data:`RESOURCE`; the
    model keeps the tables it found by their January (finding a table by its
    margins costs more than a month of a small run needs).
    """
    january = max(month - month_date(month).month + 1, model.state.first_month)
    found = model.scratch(RESOURCE)
    if january not in found:
        found[january] = model.resource(RESOURCE, TableCache).get(model.params(january))
    return found[january]
