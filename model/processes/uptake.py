"""Uptake: orders of cheque 1 by aware, eligible people with no cheque in a running window; then of cheque 2.

The orders go to the career centres (:mod:`.centre_queue`), which start the
guidance within their capacity and the year's budget. People waiting for a
centre do not order again.
"""

from __future__ import annotations

import numpy as np

from .. import codes, rules
from ..behaviour import uptake
from ..kernels import rows as kernels_rows
from ..kernels import uptake as kernels_uptake
from ..metrics import Counter
from ..process import Month, Process, empty_rows

CELLS = uptake.cell_population()  # one person per hazard cell


class Uptake(Process):
    """Orders of cheques 1 and 2 (handed on as ``orders``; the centres start them).

    Cheque 1 for workers is drawn sparsely (candidates at the ceiling hazard,
    :mod:`model.kernels.uptake`); for non-active re-entrants, where they may order, with one uniform each.

    When ``cheque.cheques.monthly_cap`` binds, the month's orders are accepted
    in the order of a per-person priority draw (the same in every scenario);
    the others are refused this month.
    """

    name = "uptake"
    parameters = ("behaviour.awareness.", "behaviour.uptake.", "behaviour.cheque2.", "behaviour.readiness.",
                  "cheque.cheques.", "cheque.fee.", "cheque.eligibility.reentrant.enabled", "outreach.",
                  "simulation.hazard_ceiling", "centres.quality.cheque2_loading")
    streams = ("uptake_cheque1", "uptake_cheque1_non_active", "uptake_cheque2", "order_priority")
    counters = (
        Counter("orders", "flow", "orders", "orders of a cheque accepted (within the monthly cap), for a centre"),
        Counter("orders_refused", "flow", "cheques", "orders not served because the monthly cap was reached"),
    )
    needs = ("eligible",)
    provides = ("orders",)

    def step(self, model, month: Month) -> None:
        """Draw the orders of cheque 1 (sparse candidates at the ceiling) and of cheque 2; apply the cap."""
        m, p, pop = month.number, month.params, model.people
        eligible = month.values["eligible"]
        first = self._first_cheques(model, month, eligible) if p["cheque.cheques.max_per_window"] >= 1 else empty_rows()

        window, most = p["cheque.cheques.window_months"], p["cheque.cheques.max_per_window"]
        if most >= 2:
            # people with a cheque but not all of them in their window (int8 compares), then a window still running
            rows = kernels_rows.rows_between(pop.cheques_in_window, 1, most - 1)
            last = pop.last_cheque_month[rows]
            rows = rows[(last > m - window) & (last < m)]
            rows = rows[eligible[rows] & rules.may_order(pop, m, p, rows) & (rules.cheques_used(pop, m, p, rows) >= 1)
                        & ~waiting(pop, rows)]
            u = month.streams.row_uniforms("uptake_cheque2", m, rows)
            second = rows[u < uptake.cheque2_hazard(pop, rows, m, p)]
        else:  # one cheque per window: no second one
            second = empty_rows()
        orders = self._within_cap(model, month, np.concatenate([first, second]))
        model.count(month, "orders", orders)
        month.values["orders"] = orders

    def _first_cheques(self, model, month: Month, eligible: rules.Eligible) -> np.ndarray:
        """Rows starting cheque 1: aware, eligible people with no cheque in a running window."""
        m, p, pop = month.number, month.params, model.people

        def may_start(rows: np.ndarray) -> np.ndarray:
            return uptake.is_aware(pop, rows, p, m) & (rules.cheques_used(pop, m, p, rows) == 0) & ~waiting(pop, rows)

        # Workers: candidates drawn sparsely at the ceiling (millions of rows, small hazards), then those who may start.
        ceiling = p["simulation.hazard_ceiling"]["uptake_cheque1"]
        rows, u = month.streams.sparse_candidates("uptake_cheque1", m, len(pop), ceiling)
        empty = np.empty(0, dtype=np.int16)
        incentive = ((pop.incentive_informed, pop.incentive_until) if "incentive_until" in pop.dtypes
                     else (empty.astype(bool), empty))
        cells = kernels_uptake.workers_who_may_start(
            rows, eligible.rule(), *eligible.columns(), pop.awareness_draw, np.float32(uptake.awareness_level(p)),
            *incentive, pop.window_start, pop.cheques_in_window,
            pop.waiting_since if "waiting_since" in pop.dtypes else empty, codes.NO_MONTH, m,
            p["cheque.cheques.window_months"], pop.sex, pop.age_months, pop.education, pop.migration,
            pop.work_disability, pop.self_employed, uptake.AGE_GROUP_BY_MONTH, np.array(uptake.CELL_SHAPE))
        ok = cells >= 0
        rows, u = rows[ok], u[ok] * ceiling
        # people at work have no readiness or outreach term: their hazard is their cell's (540 cells)
        hazard = uptake.cheque1_hazard(CELLS, np.arange(uptake.N_CELLS), p)[cells[ok]]
        model.counters.capped += int(np.count_nonzero(hazard > ceiling))
        first = rows[u < hazard]
        if p["cheque.eligibility.reentrant.enabled"]:
            # Non-active re-entrants: few, and their hazard has no ceiling (readiness, assisted
            # application): one uniform each, from their own stream.
            rows = np.flatnonzero(eligible.mask & (pop.status == codes.NON_ACTIVE))
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


def waiting(pop, rows: np.ndarray) -> np.ndarray:
    """True for people waiting for a career centre (they do not order again)."""
    if "waiting_since" not in pop.dtypes:
        return np.zeros(len(rows), dtype=bool)
    return pop.waiting_since[rows] != codes.NO_MONTH
