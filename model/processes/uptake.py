"""Uptake: cheque 1 for aware, eligible people with no cheque in a running window; then cheque 2."""

from __future__ import annotations

import numpy as np

from .. import codes, rules
from ..behaviour import uptake
from ..metrics import Counter
from ..process import Column, Month, Process, empty_rows


class Uptake(Process):
    """Starts of cheques 1 and 2, their costs to government and users, and the hours of guidance.

    Cheque 1 for workers is drawn sparsely (candidates at the ceiling hazard);
    for non-active re-entrants, where they may order, with one uniform each.

    When ``cheque.cheques.monthly_cap`` binds, the month's orders are served
    in the order of a per-person priority draw (the same in every scenario);
    the others do not start this month.
    """

    name = "uptake"
    parameters = ("behaviour.awareness.", "behaviour.uptake.", "behaviour.cheque2.", "behaviour.readiness.",
                  "cheque.cheques.", "cheque.fee.", "cheque.eligibility.reentrant.enabled", "outreach.",
                  "simulation.hazard_ceiling")
    columns = (*(Column(n) for n in ("cheques_in_window", "window_start", "last_cheque_month", "cheque1_month")),
               Column("cheque1_status", np.int8, -1, "labour status at the latest cheque-1 start (-1: none)"),
               Column("reentrant_user", np.bool_, False, "took cheque 1 as a non-active re-entrant (fixed)"))
    streams = ("uptake_cheque1", "uptake_cheque1_non_active", "uptake_cheque2", "order_priority")
    counters = (
        Counter("starts_cheque1", "flow", "cheques", "people starting guidance with cheque 1"),
        Counter("starts_cheque2", "flow", "cheques", "people starting guidance with cheque 2"),
        Counter("orders_refused", "flow", "cheques", "orders not served because the monthly cap was reached"),
        Counter("government_cost_eur", "flow", "EUR", "cost of the cheques to the Flemish government (fee with VAT "
                "less own contribution), at the prices in force"),
        Counter("user_cost_eur", "flow", "EUR", "own contributions of the users, at the price in force"),
        Counter("guidance_hours", "flow", "hours", "hours of guidance started"),
    )
    needs = ("eligible",)

    def step(self, model, month: Month) -> None:
        """Draw the starts of cheque 1 (sparse candidates at the ceiling) and of cheque 2; apply the cap."""
        m, p, pop = month.number, month.params, model.people
        eligible = month.values["eligible"]
        first = self._first_cheques(model, month, eligible) if p["cheque.cheques.max_per_window"] >= 1 else empty_rows()

        window, most = p["cheque.cheques.window_months"], p["cheque.cheques.max_per_window"]
        if most >= 2:
            # people with a cheque but not all of them in their window (int8 compares), then a window still running
            used = pop.cheques_in_window
            rows = np.flatnonzero((used >= 1) & (used < most))
            last = pop.last_cheque_month[rows]
            rows = rows[(last > m - window) & (last < m)]
            rows = rows[eligible[rows] & rules.may_order(pop, m, p, rows) & (rules.cheques_used(pop, m, p, rows) >= 1)]
            u = month.streams.row_uniforms("uptake_cheque2", m, rows)
            second = rows[u < uptake.cheque2_hazard(pop, rows, m, p)]
        else:  # one cheque per window: no second one
            second = empty_rows()
        self._start(model, month, self._within_cap(model, month, np.concatenate([first, second])))

    def _first_cheques(self, model, month: Month, eligible: np.ndarray) -> np.ndarray:
        """Rows starting cheque 1: aware, eligible people with no cheque in a running window."""
        m, p, pop = month.number, month.params, model.people

        def may_start(rows: np.ndarray) -> np.ndarray:
            return uptake.is_aware(pop, rows, p, m) & (rules.cheques_used(pop, m, p, rows) == 0)

        # Workers: candidates drawn sparsely at the ceiling (millions of rows, small hazards).
        ceiling = p["simulation.hazard_ceiling"]["uptake_cheque1"]
        rows, u = month.streams.sparse_candidates("uptake_cheque1", m, len(pop), ceiling)
        ok = eligible[rows] & (pop.status[rows] != codes.NON_ACTIVE)
        ok[ok] = may_start(rows[ok])
        rows, u = rows[ok], u[ok]
        hazard = uptake.cheque1_hazard(pop, rows, p, m)
        model.counters.capped += int(np.count_nonzero(hazard > ceiling))
        first = rows[u * ceiling < hazard]
        if p["cheque.eligibility.reentrant.enabled"]:
            # Non-active re-entrants: few, and their hazard has no ceiling (readiness, assisted
            # application): one uniform each, from their own stream.
            rows = np.flatnonzero(eligible & (pop.status == codes.NON_ACTIVE))
            rows = rows[may_start(rows)]
            u = month.streams.row_uniforms("uptake_cheque1_non_active", m, rows)
            first = np.sort(np.concatenate([first, rows[u < uptake.cheque1_hazard(pop, rows, p, m)]]))
        return first

    def _within_cap(self, model, month: Month, orders: np.ndarray) -> np.ndarray:
        """The orders served under the monthly cap (all of them when there is none)."""
        cap = month.params["cheque.cheques.monthly_cap"]
        if cap <= 0:
            return orders
        # cap / weight simulated persons, rounded at random so that the cap holds on average at any scale
        served = int(np.floor(cap / model.weight + month.streams.generator("order_priority", month.number).random()))
        if len(orders) <= served:
            return orders
        priority = month.streams.row_uniforms("order_priority", month.number, orders)
        order = np.argsort(priority, kind="stable")
        model.count(month, "orders_refused", orders[order[served:]])
        return np.sort(orders[order[:served]])

    def _start(self, model, month: Month, rows: np.ndarray) -> None:
        p, pop = month.params, model.people
        status = pop.status[rows]
        number = rules.record_start(pop, rows, month.number, p)
        first = number == 1
        pop.cheque1_status[rows[first]] = status[first]
        pop.reentrant_user[rows[first & (status == codes.NON_ACTIVE)]] = True
        model.count(month, "starts_cheque1", rows[first])
        model.count(month, "starts_cheque2", rows[~first])
        model.count(month, "government_cost_eur", rows, rules.government_cost(p, number))
        model.count(month, "user_cost_eur", rows, rules.user_price(p, number))
        hours = p["cheque.cheques.hours"]
        model.count(month, "guidance_hours", rows, np.where(first, float(hours["cheque1"]), float(hours["cheque2"])))
