"""Uptake: orders of cheque 1 by aware, eligible people with no cheque in a running window; then of cheque 2.

The orders go to the career centres (:mod:`model.mechanisms.centres.queue`),
which start the guidance within their capacity and the year's budget. People
waiting for a centre do not order again.
"""

from __future__ import annotations

import numpy as np

from ...engine.counters import Counter
from ...engine.process import Month, Process, empty_rows
from ...engine.rows import rows_between
from ...people import codes
from ..cheques import rules as cheques
from ..eligibility.rules import Eligible
from . import hazards
from .awareness import awareness_columns, awareness_levels, is_aware
from .kernel import WindowColumns, workers_who_may_start


class Uptake(Process):
    """Orders of cheques 1 and 2 (handed on as ``orders``; the centres start them).

    Cheque 1 for workers is drawn sparsely (candidates at the ceiling hazard,
    :mod:`.kernel`); for non-active re-entrants, where they may order, with one uniform each.

    When ``cheque.cheques.monthly_cap`` binds, the month's orders are accepted
    in the order of a per-person priority draw (the same in every scenario);
    the others are refused this month.
    """

    name = "uptake"
    parameters = ("behaviour.awareness.", "behaviour.uptake.", "behaviour.cheque2.", "behaviour.readiness.",
                  "cheque.cheques.", "cheque.fee.", "cheque.eligibility.reentrant.enabled", "outreach.",
                  "simulation.hazard_ceiling", "centres.quality.cheque2_loading")
    reads = ("status", "self_employed", "age_months", "readiness", "outreach_channel", "outreach_until",
             "outreach_informed", "incentive_until", "incentive_informed", "window_start", "cheques_in_window",
             "last_cheque_month", "waiting_since", "guidance_quality")
    streams = ("uptake_cheque1", "uptake_cheque1_non_active", "uptake_cheque2", "order_priority")
    counters = (
        Counter("orders", "flow", "orders", "orders of a cheque accepted (within the monthly cap), for a centre"),
        Counter("orders_refused", "flow", "cheques", "orders not served because the monthly cap was reached"),
    )
    needs = ("eligible",)
    provides = ("orders",)

    def step(self, model, month: Month) -> None:
        """Draw the orders of cheque 1 (sparse candidates at the ceiling) and of cheque 2; apply the cap."""
        m, p, pop = month.number, month.params, month.people
        eligible = month.values["eligible"]
        first = self._first_cheques(model, month, eligible) if p["cheque.cheques.max_per_window"] >= 1 else empty_rows()

        window, most = p["cheque.cheques.window_months"], p["cheque.cheques.max_per_window"]
        if most >= 2:
            # people with a cheque but not all of them in their window (int8 compares), then a window still running
            rows = rows_between(pop.cheques_in_window, 1, most - 1)
            last = pop.last_cheque_month[rows]
            rows = rows[(last > m - window) & (last < m)]
            rows = rows[eligible[rows] & cheques.may_order(pop, m, p, rows)
                        & (cheques.cheques_used(pop, m, p, rows) >= 1) & ~waiting(pop, rows)]
            u = month.streams.row_uniforms("uptake_cheque2", m, rows)
            second = rows[u < hazards.cheque2_hazard(pop, rows, m, p)]
        else:  # one cheque per window: no second one
            second = empty_rows()
        orders = self._within_cap(model, month, np.concatenate([first, second]))
        model.count(month, "orders", orders)
        month.values["orders"] = orders

    def _first_cheques(self, model, month: Month, eligible: Eligible) -> np.ndarray:
        """Rows starting cheque 1: aware, eligible people with no cheque in a running window."""
        m, p, pop = month.number, month.params, month.people
        # Workers: candidates drawn sparsely at the ceiling (millions of rows, small hazards), then those who may start.
        ceiling = p["simulation.hazard_ceiling"]["uptake_cheque1"]
        rows, u = month.streams.sparse_candidates("uptake_cheque1", m, len(pop), ceiling)
        cells = workers_who_may_start(
            rows, m, eligible.rule, eligible.career, eligible.cheque1_month, awareness_columns(pop), awareness_levels(p),
            WindowColumns(pop.window_start, pop.cheques_in_window, pop.waiting_since),
            p["cheque.cheques.window_months"], hazards.cell_columns(pop))
        ok = cells >= 0
        rows, u = rows[ok], u[ok] * ceiling
        # people at work have no readiness or outreach term: their hazard is their cell's
        hazard = hazards.cell_hazards(p)[cells[ok]]
        model.counters.capped += int(np.count_nonzero(hazard > ceiling))
        first = rows[u < hazard]
        if p["cheque.eligibility.reentrant.enabled"]:
            # Re-entrants out of work (non-active, and registered job seekers where they may order): few, and
            # their hazard has no ceiling (readiness, assisted application): one uniform each, from their own stream.
            rows = np.flatnonzero(eligible.mask & codes.out_of_work(pop.status))
            rows = rows[is_aware(pop, rows, p, m) & (cheques.cheques_used(pop, m, p, rows) == 0) & ~waiting(pop, rows)]
            u = month.streams.row_uniforms("uptake_cheque1_non_active", m, rows)
            first = np.sort(np.concatenate([first, rows[u < hazards.cheque1_hazard(pop, rows, p, m)]]))
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


def waiting(pop, rows: np.ndarray) -> np.ndarray:
    """True for people waiting for a career centre (they do not order again)."""
    return pop.waiting_since[rows] != codes.NO_MONTH
