"""Uptake: cheque 1 for aware, eligible people with no cheque in a running window; then cheque 2."""

from __future__ import annotations

import numpy as np

from .. import rules
from ..behaviour import uptake
from ..metrics import Counter
from ..process import Column, Month, Process


class Uptake(Process):
    """Starts of cheques 1 and 2, their costs to government and users, and the hours of guidance."""

    name = "uptake"
    parameters = ("behaviour.awareness.", "behaviour.uptake.", "behaviour.cheque2.", "cheque.cheques.",
                  "simulation.hazard_ceiling")
    columns = tuple(Column(n) for n in ("cheques_in_window", "window_start", "last_cheque_month", "cheque1_month"))
    streams = ("uptake_cheque1", "uptake_cheque2")
    counters = (
        Counter("starts_cheque1", "flow", "cheques", "people starting guidance with cheque 1"),
        Counter("starts_cheque2", "flow", "cheques", "people starting guidance with cheque 2"),
        Counter("government_cost_eur", "flow", "EUR", "cost to the Flemish government, at the price in force"),
        Counter("user_cost_eur", "flow", "EUR", "own contributions of the users, at the price in force"),
        Counter("guidance_hours", "flow", "hours", "hours of guidance started"),
    )
    needs = ("eligible",)

    def step(self, model, month: Month) -> None:
        """Draw the starts of cheque 1 (sparse candidates at the ceiling) and of cheque 2."""
        m, p, pop = month.number, month.params, model.people
        eligible = month.values["eligible"]
        ceiling = p["simulation.hazard_ceiling"]["uptake_cheque1"]
        rows, u = month.streams.sparse_candidates("uptake_cheque1", m, len(pop), ceiling)
        ok = eligible[rows] & uptake.is_aware(pop, rows, p) & (rules.cheques_used(pop, m, p, rows) == 0)
        ok &= p["cheque.cheques.max_per_window"] >= 1
        rows, u = rows[ok], u[ok]
        hazard = uptake.cheque1_hazard(pop, rows, p)
        model.counters.capped += int(np.count_nonzero(hazard > ceiling))
        self._start(model, month, rows[u * ceiling < hazard])

        window = p["cheque.cheques.window_months"]
        last = pop.last_cheque_month
        rows = np.flatnonzero((last > m - window) & (last < m))
        rows = rows[eligible[rows] & rules.may_order(pop, m, p, rows) & (rules.cheques_used(pop, m, p, rows) >= 1)]
        u = month.streams.row_uniforms("uptake_cheque2", m, rows)
        self._start(model, month, rows[u < uptake.cheque2_hazard(pop, rows, m, p)])

    def _start(self, model, month: Month, rows: np.ndarray) -> None:
        p = month.params
        number = rules.record_start(model.people, rows, month.number, p)
        first = number == 1
        model.count(month, "starts_cheque1", rows[first])
        model.count(month, "starts_cheque2", rows[~first])
        model.count(month, "government_cost_eur", rows, rules.government_cost(p, number))
        model.count(month, "user_cost_eur", rows, rules.user_price(p, number))
        hours = p["cheque.cheques.hours"]
        model.count(month, "guidance_hours", rows, np.where(first, float(hours["cheque1"]), float(hours["cheque2"])))
