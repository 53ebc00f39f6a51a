"""The engine: one scenario and one replication as a ``mesa.Model``.

People are columns (:class:`model.population.Population`); one ``step`` is one
month, applied as whole-array operations in this order:

1. ageing: everybody gets a month older; people reaching 65 leave; new
   20-year-olds (and, where a band is below its published size, people of
   that band's ages) fill the free rows, so the population follows the
   published size and age structure;
2. labour market: moves between employed, registered job seeker and
   non-active, with extra rates for recent cheque users (guidance effect);
3. rules: who is eligible this month under the scenario's rules;
4. uptake: cheque 1 for aware eligible people, cheque 2 after cheque 1;
   costs to government and users;
5. job changes of employed recent users;
6. counters: stocks of the month by group (counted in a second thread while
   4 and 5 run: they read no column that 4 and 5 write).
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import mesa
import numpy as np

from . import codes, metrics, rules
from .behaviour import guidance, labour, uptake
from .params import ParameterSet, ParameterTree
from .population import Population
from .randomness import Streams
from .synthesis import CellTable, cell_table, draw_people

_TABLE_PREFIXES = ("population.", "labour_market.")


class TableCache:
    """Raked tables and labour hazards, shared by every model of a run.

    A table depends only on the margins in force, so it is computed once per
    distinct set of margin values (most years after the last published figure
    share one).
    """

    def __init__(self) -> None:
        self._store: dict[str, tuple[CellTable, labour.LabourHazards]] = {}

    def get(self, p: ParameterSet) -> tuple[CellTable, labour.LabourHazards]:
        key = json.dumps({k: v for k, v in p.items() if k.startswith(_TABLE_PREFIXES)}, sort_keys=True, default=str)
        if key not in self._store:
            table = cell_table(p)
            self._store[key] = (table, labour.hazards_from_table(table, p))
        return self._store[key]


class LoopbaanModel(mesa.Model):
    """A monthly microsimulation of the loopbaancheque for one scenario.

    Args:
        tree: Parameters of the scenario (law plus the scenario's overrides).
        people: The population at the first simulated month (changed in place).
        first_month: Month number of the first simulated month (warm-up included).
        record_from: Month number from which counters are kept.
        n_months: Months to record.
        weight: Persons represented by one simulated person.
        streams: Random streams of the replication (shared by all scenarios).
        tables: Cache of raked tables and hazards.
        threads: Overlap independent parts of a month in a second thread.
    """

    def __init__(self, tree: ParameterTree, people: Population, first_month: int, record_from: int,
                 n_months: int, weight: float, streams: Streams, tables: TableCache | None = None,
                 threads: bool = True):
        super().__init__(rng=streams.mesa_seed())
        self.tree = tree
        self.people = people
        self.month = first_month
        self.first_month = first_month
        self.record_from = record_from
        self.n_months = n_months
        self.streams = streams
        self.tables = tables or TableCache()
        self.recorder = metrics.Recorder(n_months, weight)
        self.weight = weight
        self.static_keys = metrics.static_keys(people)
        self.static_cells = labour.static_cells(people)
        self.free_rows = np.flatnonzero(people.status == codes.ABSENT)
        self.renewed_rows = np.empty(0, dtype=np.intp)  # rows given to new people this month
        present_ages = people.age_months[people.status != codes.ABSENT].astype(np.intp)
        self.age_hist = np.bincount(present_ages, minlength=codes.EXIT_AGE_MONTHS + 1)
        self._params: dict[int, ParameterSet] = {}
        self.seconds = {"warmup": 0.0, "simulate": 0.0}
        # Independent read-only parts of a month overlap on a second core (numpy
        # releases the GIL); results do not depend on it.
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="loopbaan") if threads else None

    # -- helpers ---------------------------------------------------------
    def params(self, month: int) -> ParameterSet:
        """Parameters in force in ``month`` (cached)."""
        if month not in self._params:
            self._params[month] = self.tree.at(codes.month_date(month))
        return self._params[month]

    @property
    def last_month(self) -> int:
        return self.record_from + self.n_months - 1

    def _count(self, t: int) -> Callable[..., None]:
        """A flow counter for recorded months, a no-op during warm-up."""
        if t < 0:
            return lambda *args, **kwargs: None
        m, p = self.month, self.params(self.month)

        def count(name: str, rows: np.ndarray, amount=1.0) -> None:
            keys = metrics.group_keys(self.people, rows, m, p, self.static_keys)
            self.recorder.flow(name, t, keys, amount)
        return count

    # -- the month -------------------------------------------------------
    def step(self) -> None:
        """Simulate one month."""
        m, p = self.month, self.params(self.month)
        t = m - self.record_from
        count = self._count(t)
        # Margins (and so the target table and hazards) are taken once a year, in January.
        table, hazards = self.tables.get(self.params(max(m - codes.month_date(m).month + 1, self.first_month)))
        self.age_and_renew(m, p, table, count)
        recent = guidance.recent_users(self.people, m, p)
        self.labour_market(m, p, hazards, recent, count)
        eligible = rules.is_eligible(self.people, m, p)
        # The stocks read no cheque column, so they are counted while cheques are taken up.
        stocks = None
        if t >= 0:
            stocks = (self.pool.submit(self.record_stocks, t, m, p, eligible, recent) if self.pool
                      else self.record_stocks(t, m, p, eligible, recent))
        self.take_up(m, p, eligible, count)
        count("job_changes", guidance.job_changes(self.people, m, p, recent, self.streams))
        if self.pool and stocks is not None:
            stocks.result()
        self.month += 1

    def age_and_renew(self, m: int, p: ParameterSet, table: CellTable, count) -> None:
        """Age everybody; people turning 65 leave; free rows are filled to the published sizes.

        Each five-year band is topped up to its published share of the
        population size in force: the youngest band with people aged exactly
        20 (the new cohort), older bands with people of any age in the band
        (net migration). A band above its size is left as it is.
        """
        pop = self.people
        self.renewed_rows = np.empty(0, dtype=np.intp)
        pop.age_months += 1
        self.age_hist[1:] = self.age_hist[:-1].copy()
        self.age_hist[0] = 0
        leaving = np.flatnonzero(pop.age_months == codes.EXIT_AGE_MONTHS)
        leaving = leaving[pop.status[leaving] != codes.ABSENT]
        count("exits_at_65", leaving)
        pop.status[leaving] = codes.ABSENT
        self.age_hist[codes.EXIT_AGE_MONTHS] = 0
        self.free_rows = np.concatenate([self.free_rows, leaving])

        shares = np.array([p["population.age_band_shares"][band] for band in codes.AGE_BANDS])
        targets = p["population.size_20_64"] / self.weight * shares / shares.sum()
        current = self.age_hist[codes.MIN_AGE_MONTHS:codes.EXIT_AGE_MONTHS].reshape(len(shares), 60).sum(axis=1)
        if codes.month_date(m).month == 1:
            current = self._trim_bands(m, targets, current, count)
        room = int(round(p["population.size_20_64"] / self.weight)) - int(self.age_hist.sum())
        deficits = np.maximum(np.round(targets - current), 0).astype(np.int64)
        if deficits.sum() > max(room, 0):
            deficits = np.floor(deficits * max(room, 0) / deficits.sum()).astype(np.int64)
        quotas = {}
        for band, need in enumerate(deficits):
            first = codes.MIN_AGE_MONTHS + 60 * band
            if need > 0:
                quotas[(first, first) if band == 0 else (first, first + 59)] = int(need)
        total = min(sum(quotas.values()), len(self.free_rows))
        if total == 0:
            return
        if total < sum(quotas.values()):  # no spare rows left: should not happen (capacity has slack)
            raise RuntimeError(f"no free rows for {sum(quotas.values())} entrants in {codes.month_date(m)}")
        rows, self.free_rows = self.free_rows[:total], self.free_rows[total:]
        pop.put(rows, draw_people(table, quotas, m, p, self.streams.generator("entrants", m)))
        self.renewed_rows = rows
        self.static_keys[rows] = metrics.static_keys(pop, rows)
        self.static_cells[rows] = labour.static_cells(pop, rows)
        np.add.at(self.age_hist, pop.age_months[rows].astype(np.intp), 1)
        count("entrants", rows)

    def _trim_bands(self, m: int, targets: np.ndarray, current: np.ndarray, count) -> np.ndarray:
        """Once a year, remove people from bands above their published size.

        A stand-in for mortality and emigration, which the model does not
        simulate: without it, large cohorts ageing into the older bands would
        distort the age structure. Who leaves is decided by per-row uniforms,
        so the same people leave in every scenario.
        """
        pop = self.people
        excess = np.floor(current - targets).astype(np.int64)
        if not (excess > 0).any():
            return current
        # Candidates at a rate above every band's need (the rate depends only on the
        # age structure, which is the same in every scenario), then the lowest draws.
        rate = min(1.0, 1.5 * float(np.max(excess / np.maximum(current, 1))) + 0.002)
        rows, u = self.streams.sparse_candidates("leavers", m, len(pop), rate)
        present = pop.status[rows] != codes.ABSENT
        rows, u = rows[present], u[present]
        band = (pop.age_months[rows] - codes.MIN_AGE_MONTHS) // 60
        for b in np.flatnonzero(excess > 0):
            in_band = np.flatnonzero(band == b)
            if len(in_band) < excess[b]:  # too few candidates (very unlikely): take the whole band
                in_band_rows = np.flatnonzero((pop.age_months // 60 == b + codes.MIN_AGE_MONTHS // 60) & (pop.status != codes.ABSENT))
                chosen = in_band_rows[np.argsort(self.streams.row_uniforms("leavers", m, in_band_rows))[: excess[b]]]
            else:
                chosen = rows[in_band[np.argsort(u[in_band], kind="stable")[: excess[b]]]]
            count("exits_other", chosen)
            pop.status[chosen] = codes.ABSENT
            np.subtract.at(self.age_hist, pop.age_months[chosen].astype(np.intp), 1)
            self.free_rows = np.concatenate([self.free_rows, chosen])
            current[b] -= len(chosen)
        return current

    def labour_market(self, m: int, p: ParameterSet, hazards, recent: np.ndarray, count) -> None:
        """Moves between the labour states, counted with the movers' groups before the move."""
        moves = labour.decide_moves(self.people, m, p, hazards, self.streams, recent, self.static_cells, self.pool)
        self.recorder.capped += moves.capped
        to_work = np.concatenate([moves.jobseeker_to_work, moves.non_active_to_work])
        count("entries_into_work", to_work)
        count("exits_from_work", np.concatenate([moves.work_to_jobseeker, moves.work_to_non_active]))
        count("reentries_employment", to_work[recent[to_work]])
        count("reentries_jobseeker", moves.non_active_to_jobseeker[recent[moves.non_active_to_jobseeker]])
        labour.apply_moves(self.people, moves, m, p, hazards, self.streams)

    def take_up(self, m: int, p: ParameterSet, eligible: np.ndarray, count) -> None:
        """Cheque 1 for aware, eligible people with no cheque in a running window; then cheque 2."""
        pop = self.people
        ceiling = p["simulation.hazard_ceiling"]["uptake_cheque1"]
        rows, u = self.streams.sparse_candidates("uptake_cheque1", m, len(pop), ceiling)
        ok = eligible[rows] & uptake.is_aware(pop, rows, p) & (rules.cheques_used(pop, m, p, rows) == 0)
        ok &= p["cheque.cheques.max_per_window"] >= 1
        rows, u = rows[ok], u[ok]
        hazard = uptake.cheque1_hazard(pop, rows, p)
        self.recorder.capped += int(np.count_nonzero(hazard > ceiling))
        self._start(rows[u * ceiling < hazard], m, p, count)

        window = p["cheque.cheques.window_months"]
        last = pop.last_cheque_month
        rows = np.flatnonzero((last > m - window) & (last < m))
        rows = rows[eligible[rows] & rules.may_order(pop, m, p, rows) & (rules.cheques_used(pop, m, p, rows) >= 1)]
        u = self.streams.row_uniforms("uptake_cheque2", m, rows)
        self._start(rows[u < uptake.cheque2_hazard(pop, rows, m, p)], m, p, count)

    def _start(self, rows: np.ndarray, m: int, p: ParameterSet, count) -> None:
        number = rules.record_start(self.people, rows, m, p)
        first = number == 1
        count("starts_cheque1", rows[first])
        count("starts_cheque2", rows[~first])
        count("government_cost_eur", rows, rules.government_cost(p, number))
        count("user_cost_eur", rows, rules.user_price(p, number))
        hours = p["cheque.cheques.hours"]
        count("guidance_hours", rows, np.where(first, float(hours["cheque1"]), float(hours["cheque2"])))

    def record_stocks(self, t: int, m: int, p: ParameterSet, eligible: np.ndarray, recent: np.ndarray) -> None:
        pop = self.people
        present = pop.status != codes.ABSENT
        keys = metrics.group_keys(pop, slice(None), m, p, self.static_keys)
        flags = {
            "employed": pop.status == codes.EMPLOYED,
            "eligible": eligible,
            "aware_eligible": eligible & uptake.is_aware(pop, slice(None), p),
            "recent_users": recent,
        }
        self.recorder.stocks_from_keys(t, keys, present, flags)

    def run(self) -> metrics.Recorder:
        """Simulate the warm-up, then the recorded months; time each in ``self.seconds``."""
        t0 = time.perf_counter()
        while self.month < self.record_from:
            self.step()
        t1 = time.perf_counter()
        while self.month <= self.last_month:
            self.step()
        self.seconds = {"warmup": t1 - t0, "simulate": time.perf_counter() - t1}
        if self.pool:
            self.pool.shutdown()
        return self.recorder
