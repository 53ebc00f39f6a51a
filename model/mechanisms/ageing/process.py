"""Ageing and renewal of the population.

Everybody gets a month older, people reaching 65 leave, and free rows are
filled so the population follows the published size and age structure.
"""

from __future__ import annotations

import numpy as np

from ...engine.counters import Counter
from ...engine.process import Column, Month, Process, empty_rows
from ...engine.rows import increment_and_find
from ...params.calendar import month_date
from ...people import codes
from ...people.synthesis import draw_people
from ..labour_market.tables import tables_for


class Ageing(Process):
    """Age everybody; people turning 65 leave; free rows are filled to the published sizes.

    Each five-year band is topped up to its published share of the
    population size in force: the youngest band with people aged exactly 20
    (the new cohort), older bands with people of any age in the band (net
    migration). A band above its size is trimmed once a year (a stand-in for
    mortality and emigration). This process writes every column of the rows
    it frees or fills (a row given to a new person is all new); it owns ``age_months``.
    """

    name = "ageing"
    parameters = ("population.", "careers.", "labour_market.self_employed_share")
    columns = (Column("age_months", description="age in completed months"),)
    reads = ("status",)
    streams = ("entrants", "leavers")
    counters = (
        Counter("exits_at_65", "flow", "persons", "people reaching 65"),
        Counter("exits_other", "flow", "persons", "people leaving a band above its published size "
                "(stand-in for mortality and emigration)"),
        Counter("entrants", "flow", "persons", "new 20-year-olds and people filling bands below their size"),
    )
    provides = ("renewed_rows",)

    def initialise(self, model) -> None:
        """Note the free rows and the age histogram."""
        pop = model.people
        present_ages = pop.age_months[pop.status != codes.ABSENT].astype(np.intp)
        model.data(self)["free_rows"] = np.flatnonzero(pop.status == codes.ABSENT)
        model.data(self)["age_hist"] = np.bincount(present_ages, minlength=codes.EXIT_AGE_MONTHS + 1)

    def step(self, model, month: Month) -> None:
        """Age, let people leave, fill the free rows."""
        m, p = month.number, month.params
        data = model.data(self)
        pop = month.people
        month.values["renewed_rows"] = empty_rows()
        age_hist = data["age_hist"]
        # everybody a month older (free rows too: their age means nothing), and who reaches 65
        leaving = increment_and_find(pop.age_months, pop.age_months.dtype.type(codes.EXIT_AGE_MONTHS))
        leaving = leaving[pop.status[leaving] != codes.ABSENT]
        age_hist[1:] = age_hist[:-1].copy()
        age_hist[0] = 0
        model.count(month, "exits_at_65", leaving)
        pop.status[leaving] = codes.ABSENT
        age_hist[codes.EXIT_AGE_MONTHS] = 0
        data["free_rows"] = np.concatenate([data["free_rows"], leaving])

        shares = np.array([p["population.age_band_shares"][band] for band in codes.AGE_BANDS])
        targets = p["population.size_20_64"] / model.weight * shares / shares.sum()
        current = age_hist[codes.MIN_AGE_MONTHS:codes.EXIT_AGE_MONTHS].reshape(len(shares), 60).sum(axis=1)
        if month_date(m).month == 1:
            current = self._trim_bands(model, month, targets, current)
        room = int(round(p["population.size_20_64"] / model.weight)) - int(age_hist.sum())
        deficits = np.maximum(np.round(targets - current), 0).astype(np.int64)
        if deficits.sum() > max(room, 0):
            deficits = np.floor(deficits * max(room, 0) / deficits.sum()).astype(np.int64)
        quotas = {}
        for band, need in enumerate(deficits):
            first = codes.MIN_AGE_MONTHS + 60 * band
            if need > 0:
                quotas[(first, first) if band == 0 else (first, first + 59)] = int(need)
        total = min(sum(quotas.values()), len(data["free_rows"]))
        if total == 0:
            return
        if total < sum(quotas.values()):  # no spare rows left: should not happen (capacity has slack)
            raise RuntimeError(f"no free rows for {sum(quotas.values())} entrants in {month_date(m)}")
        rows, data["free_rows"] = data["free_rows"][:total], data["free_rows"][total:]
        table, _ = tables_for(model, m)
        pop.put(rows, draw_people(table, quotas, m, p, month.streams.generator("entrants", m)))
        month.values["renewed_rows"] = rows
        np.add.at(age_hist, pop.age_months[rows].astype(np.intp), 1)
        model.count(month, "entrants", rows)

    def _trim_bands(self, model, month: Month, targets: np.ndarray, current: np.ndarray) -> np.ndarray:
        """Once a year, remove people from bands above their published size.

        A stand-in for mortality and emigration, which the model does not
        simulate: without it, large cohorts ageing into the older bands would
        distort the age structure. Who leaves is decided by per-row uniforms,
        so the same people leave in every scenario.
        """
        pop, m, data = month.people, month.number, model.data(self)
        excess = np.floor(current - targets).astype(np.int64)
        if not (excess > 0).any():
            return current
        # Candidates at a rate above every band's need (the rate depends only on the
        # age structure, which is the same in every scenario), then the lowest draws.
        rate = min(1.0, 1.5 * float(np.max(excess / np.maximum(current, 1))) + 0.002)
        rows, u = month.streams.sparse_candidates("leavers", m, len(pop), rate)
        present = pop.status[rows] != codes.ABSENT
        rows, u = rows[present], u[present]
        band = (pop.age_months[rows] - codes.MIN_AGE_MONTHS) // 60
        for b in np.flatnonzero(excess > 0):
            in_band = np.flatnonzero(band == b)
            if len(in_band) < excess[b]:  # too few candidates (very unlikely): take the whole band
                in_band_rows = np.flatnonzero((pop.age_months // 60 == b + codes.MIN_AGE_MONTHS // 60)
                                              & (pop.status != codes.ABSENT))
                chosen = in_band_rows[np.argsort(month.streams.row_uniforms("leavers", m, in_band_rows))[: excess[b]]]
            else:
                chosen = rows[in_band[np.argsort(u[in_band], kind="stable")[: excess[b]]]]
            model.count(month, "exits_other", chosen)
            pop.status[chosen] = codes.ABSENT
            np.subtract.at(data["age_hist"], pop.age_months[chosen].astype(np.intp), 1)
            data["free_rows"] = np.concatenate([data["free_rows"], chosen])
            current[b] -= len(chosen)
        return current
