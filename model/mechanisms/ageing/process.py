"""Ageing and renewal of the population.

Everybody gets a month older, people reaching 65 leave, and the population
is held to the composition of the raked table of the year: its size, its age
structure, and within each five-year band its mix of sex, education,
migration background and work disability.
"""

from __future__ import annotations

import numpy as np

from ...engine.counters import Counter
from ...engine.process import Column, Month, Process, empty_rows
from ...engine.rows import increment_and_find
from ...people import codes
from ...people.synthesis import SHAPE, draw_people, group_cell
from ..labour_market.moves import static_cells
from ..labour_market.tables import tables_for

N_STATIC = int(np.prod(SHAPE[:-1])) // SHAPE[1]  # sex x education x migration x disability
N_BANDS = len(codes.AGE_BANDS)
BAND_MONTHS = 60
# The five-year band of every age in months (20-24 is 0; younger and older ages clipped), one gather per person.
BAND_OF_AGE_MONTHS = np.clip((np.arange(codes.EXIT_AGE_MONTHS + 1) // 12 - 20) // 5, 0, N_BANDS - 1).astype(np.intp)
# The table's group cell (sex, band, education, migration, disability) of each (static cell, band), for the draws.
_SEX, _EDU, _MIG, _DIS = np.unravel_index(np.arange(N_STATIC), (SHAPE[0], *SHAPE[2:-1]))
GROUP_CELL = group_cell(np.repeat(_SEX, N_BANDS), np.tile(np.arange(N_BANDS), N_STATIC), np.repeat(_EDU, N_BANDS),
                        np.repeat(_MIG, N_BANDS), np.repeat(_DIS, N_BANDS)).reshape(N_STATIC, N_BANDS)


def composition_targets(table, weight: float) -> np.ndarray:
    """Simulated persons the table puts in each (static cell, age band), shape (N_STATIC, N_BANDS).

    The static cell is :func:`model.mechanisms.labour_market.moves.static_cells` (sex x education x
    migration x work disability); the table's counts are at full scale.
    """
    counts = table.counts.sum(axis=-1)  # (sex, band, edu, mig, dis)
    return np.moveaxis(counts, 1, -1).reshape(N_STATIC, N_BANDS) / weight


def shares_of(gaps: np.ndarray, total: int) -> np.ndarray:
    """``total`` whole people over the cells in proportion to ``gaps`` (largest remainders; ties by cell order).

    The people missing from the population are placed where the table lacks them most; rounding each cell
    on its own would leave the many small cells of a small run short, and the population below its size.
    """
    if total <= 0 or gaps.sum() <= 0:
        return np.zeros(gaps.shape, dtype=np.int64)
    exact = gaps.ravel() / gaps.sum() * total
    whole = np.floor(exact).astype(np.int64)
    left = total - int(whole.sum())
    whole[np.argsort(-(exact - whole), kind="stable")[:left]] += 1
    return whole.reshape(gaps.shape)


class Ageing(Process):
    """Age everybody; people turning 65 leave; the population is held to the table's composition.

    Each month every (sex x education x migration x work disability) cell of
    each five-year band is brought to its count in the raked table of the year
    (:func:`composition_targets`): cells below it are filled (the youngest band
    with people aged exactly 20, the new cohort; older bands with people of
    any age in the band, net migration), cells above it lose people (a
    stand-in for mortality and emigration, which differ by education and
    origin). Without this, cohorts ageing with their own mix (for example the
    better-educated ageing into 55-64) would carry the simulated employment
    rates away from the published ones, which the table holds by cell.
    Composition does not depend on the scenario, so the same people leave and
    enter in every scenario. This process writes every column of the rows it
    frees or fills (a row given to a new person is all new); it owns ``age_months``.
    """

    name = "ageing"
    parameters = ("population.", "careers.", "labour_market.self_employed_share")
    columns = (Column("age_months", description="age in completed months"),)
    reads = ("status", "labour_cell_static")
    streams = ("entrants", "leavers")
    counters = (
        Counter("exits_at_65", "flow", "persons", "people reaching 65"),
        Counter("exits_other", "flow", "persons", "people leaving a cell of the population above its size in the "
                "year's table (stand-in for mortality and emigration)"),
        Counter("entrants", "flow", "persons", "new 20-year-olds and people filling cells below their size"),
    )
    provides = ("renewed_rows",)

    def initialise(self, model) -> None:
        """Note the free rows and the histogram of people by static cell and age in months."""
        pop = model.people
        present = np.flatnonzero(pop.status != codes.ABSENT)
        data = model.data(self)
        data["free_rows"] = np.flatnonzero(pop.status == codes.ABSENT)
        hist = np.zeros((N_STATIC, codes.EXIT_AGE_MONTHS + 1), dtype=np.int64)
        np.add.at(hist, (static_cells(pop, present), pop.age_months[present].astype(np.intp)), 1)
        data["cell_age_hist"] = hist

    def step(self, model, month: Month) -> None:
        """Age, let people leave, trim the cells above their size, fill those below."""
        m, p = month.number, month.params
        data = model.data(self)
        pop = month.people
        month.values["renewed_rows"] = empty_rows()
        hist = data["cell_age_hist"]
        # everybody a month older (free rows too: their age means nothing), and who reaches 65
        leaving = increment_and_find(pop.age_months, pop.age_months.dtype.type(codes.EXIT_AGE_MONTHS))
        leaving = leaving[pop.status[leaving] != codes.ABSENT]
        hist[:, 1:] = hist[:, :-1].copy()
        hist[:, 0] = 0
        model.count(month, "exits_at_65", leaving)
        pop.status[leaving] = codes.ABSENT
        hist[:, codes.EXIT_AGE_MONTHS] = 0
        data["free_rows"] = np.concatenate([data["free_rows"], leaving])

        table, _ = tables_for(model, m)
        targets = composition_targets(table, model.weight)
        current = self._by_band(hist)
        current = self._trim(model, month, targets, current)
        room = int(round(p["population.size_20_64"] / model.weight)) - int(hist.sum())
        deficits = shares_of(np.maximum(targets - current, 0.0), max(room, 0))
        quotas = {}
        for cell, band in zip(*np.nonzero(deficits)):
            first = codes.MIN_AGE_MONTHS + BAND_MONTHS * band
            last = first if band == 0 else first + BAND_MONTHS - 1
            quotas[(first, last, int(GROUP_CELL[cell, band]))] = int(deficits[cell, band])
        total = min(sum(quotas.values()), len(data["free_rows"]))
        if total == 0:
            return
        if total < sum(quotas.values()):  # no spare rows left: should not happen (capacity has slack)
            raise RuntimeError(f"no free rows for {sum(quotas.values())} entrants in month {m}")
        rows, data["free_rows"] = data["free_rows"][:total], data["free_rows"][total:]
        pop.put(rows, draw_people(table, quotas, m, p, month.streams.generator("entrants", m)))
        month.values["renewed_rows"] = rows
        np.add.at(hist, (static_cells(pop, rows), pop.age_months[rows].astype(np.intp)), 1)
        model.count(month, "entrants", rows)

    @staticmethod
    def _by_band(hist: np.ndarray) -> np.ndarray:
        """People by (static cell, age band) from the histogram by age in months."""
        ages = hist[:, codes.MIN_AGE_MONTHS:codes.EXIT_AGE_MONTHS]
        return ages.reshape(N_STATIC, N_BANDS, BAND_MONTHS).sum(axis=-1)

    def _trim(self, model, month: Month, targets: np.ndarray, current: np.ndarray) -> np.ndarray:
        """Remove people from the cells above their size in the table (a whole person or more above it).

        A stand-in for mortality and emigration, which the model does not
        simulate. Candidates are picked at a rate above every cell's need (the
        rate depends only on the composition, which is the same in every
        scenario), and in each cell the ones with the lowest draws leave, so
        the same people leave in every scenario.
        """
        pop, m, data = month.people, month.number, model.data(self)
        excess = np.floor(current - targets).astype(np.int64)
        if not (excess > 0).any():
            return current
        cell_rates = np.minimum(1.0, 1.5 * excess / np.maximum(current, 1) + 0.002).ravel()
        rate = float(np.max(cell_rates))
        rows, u = month.streams.sparse_candidates("leavers", m, len(pop), rate)
        present = pop.status[rows] != codes.ABSENT
        rows, u = rows[present], u[present]
        # (the static cell is the labour market's column, kept for every present person: two gathers instead of six)
        key = pop.labour_cell_static[rows].astype(np.intp) * N_BANDS + BAND_OF_AGE_MONTHS[pop.age_months[rows]]
        # Sorting every candidate drawn at the rate of the neediest cell cost 50 ms a month at full scale. A
        # cell keeps only its candidates below its own rate, unless they are too few: then it keeps them all.
        # The people chosen (the lowest draws of each cell among the candidates) are the same either way.
        needs = excess.ravel()
        below = u * rate < cell_rates[key]
        short = np.bincount(key[below], minlength=needs.size) < needs
        kept = (needs[key] > 0) & (below | short[key])
        rows, u, key = rows[kept], u[kept], key[kept]
        order = np.lexsort((u, key))  # by cell and band, then by draw
        rows, key = rows[order], key[order]
        starts = np.searchsorted(key, np.arange(N_STATIC * N_BANDS))
        leaving = []
        for flat in np.flatnonzero(excess.ravel() > 0):
            need = int(excess.ravel()[flat])
            in_cell = rows[starts[flat]:starts[flat] + need]
            in_cell = in_cell[key[starts[flat]:starts[flat] + len(in_cell)] == flat]
            if len(in_cell) < need:  # too few candidates (very unlikely): the cell's lowest draws over all rows
                cell, band = divmod(flat, N_BANDS)
                everyone = np.flatnonzero((pop.status != codes.ABSENT) & (pop.age_band() == band)
                                          & (static_cells(pop) == cell))
                in_cell = everyone[np.argsort(month.streams.row_uniforms("leavers", m, everyone), kind="stable")[:need]]
            leaving.append(in_cell)
        chosen = np.sort(np.concatenate(leaving))
        model.count(month, "exits_other", chosen)
        np.subtract.at(data["cell_age_hist"], (pop.labour_cell_static[chosen], pop.age_months[chosen].astype(np.intp)), 1)
        pop.status[chosen] = codes.ABSENT
        data["free_rows"] = np.concatenate([data["free_rows"], chosen])
        return self._by_band(data["cell_age_hist"])
