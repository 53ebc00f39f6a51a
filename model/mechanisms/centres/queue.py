"""Orders go to career centres, which start guidance within their capacity and the year's budget.

Each order of the month (:mod:`model.mechanisms.uptake`) goes to a centre: cheque 2 to the
centre of cheque 1 while it holds its mandate, otherwise the person's choice
(:func:`.choice.choose`). Every centre serves its waiting
list first come, first served, while it has room this month: its capacity,
less what the last trajectory it started overran last month's room (so that
a small centre can start a trajectory longer than a month's room, and
capacity holds over time). Unused room is lost: coaches cannot bank their
time. At a reduced scale, centres of a province share their capacity in pools
of about 1/scale centres (:func:`capacity_pools`), so
that waits do not come from the coarse grain of the simulation. Then the
year's budget (``cheque.budget``), if any, pays for the orders in the order
they were placed; the rest wait for the next year, or are refused. People who
wait may give up, each month from their second on; people who are no longer
eligible leave the list; the clients of a centre that lost its mandate move to
another. A start is a cheque used: its cost, hours and the centre's quality,
which scales the effects of guidance on the user (:mod:`model.mechanisms.labour_market`).
"""

from __future__ import annotations

import numpy as np

from ...engine.counters import Counter
from ...engine.process import Column, Month, Process, empty_rows
from ...params.calendar import month_date
from ...people import codes
from ...people.groups import in_target_groups
from ..cheques import rules
from .agents import CENTRE_SLOTS, KIND, NO_CENTRE
from .choice import choose
from .market import CENTRE_DIM


class CentreQueue(Process):
    """Waiting lists of the centres, and the starts of guidance."""

    name = "centre_queue"
    parameters = ("centres.", "cheque.cheques.", "cheque.fee.", "cheque.budget.")
    columns = (
        *(Column(n) for n in ("cheques_in_window", "window_start", "last_cheque_month", "cheque1_month")),
        Column("cheque1_status", np.int8, -1, "labour status at the latest cheque-1 start (-1: none)"),
        Column("reentrant_user", description="took cheque 1 as a non-active re-entrant (fixed)"),
        Column("centre", np.int16, NO_CENTRE, "slot of the centre of the latest guidance (-1: none)"),
        Column("waiting_centre", np.int16, NO_CENTRE, "slot of the centre the person waits for (-1: none)"),
        Column("waiting_since", np.int16, codes.NO_MONTH, "month the pending order was placed (NO_MONTH: none)"),
        Column("guidance_quality", np.float32, 1.0, "quality multiplier of the centre of the latest cheque-1 guidance"),
    )
    reads = ("status", "age_months", "province")
    streams = ("centre_choice", "waiting_dropout", "queue_priority")
    counters = (
        Counter("starts_cheque1", "flow", "cheques", "people starting guidance with cheque 1", role="users"),
        Counter("starts_cheque2", "flow", "cheques", "people starting guidance with cheque 2",
                role="second_starts"),
        Counter("government_cost_eur", "flow", "EUR", "cost of the cheques to the Flemish government (fee with VAT "
                "less own contribution), at the prices in force", role="cost", item="cheques", rank=0),
        Counter("user_cost_eur", "flow", "EUR", "own contributions of the users, at the price in force"),
        Counter("guidance_hours", "flow", "hours", "hours of guidance started", role="hours"),
        Counter("user_quality", "flow", "multiplier", "quality multipliers of the centres of the people starting "
                "cheque 1, summed (mean quality of users = user_quality / starts_cheque1)", role="user_quality"),
        Counter("months_waited", "flow", "months", "months waited by the people starting guidance (mean wait = "
                "months_waited / starts)"),
        Counter("waiting_list", "stock", "persons", "people waiting for a centre at the end of the month",
                role="waiting"),
        Counter("waiting_dropouts", "flow", "persons", "people who gave up waiting, or were no longer eligible",
                role="dropouts"),
        Counter("orders_held_budget", "flow", "order-months", "orders the year's budget could not pay, counted in "
                "every month they are held (they wait for the next year)"),
        Counter("orders_refused_budget", "flow", "orders", "orders refused because the year's budget was spent"),
        Counter("incentive_bonus_eur", "flow", "EUR", "bonus paid to centres for cheque-1 clients of the target "
                "groups (supply-driven incentive)", role="cost", item="incentive", rank=5),
        Counter("centre_hours_delivered", "flow", "hours", "hours of guidance a centre started", CENTRE_DIM,
                by_group=False),
        Counter("centre_waiting", "stock", "persons", "people on a centre's waiting list at the end of the month",
                CENTRE_DIM, by_group=False),
        Counter("centre_dropouts", "flow", "persons", "people who gave up waiting for a centre", CENTRE_DIM,
                by_group=False),
    )
    needs = ("eligible", "orders", "market")

    def initialise(self, model) -> None:
        """Empty waiting lists and no carried-over room."""
        data = model.data(self)
        data["queue"] = empty_rows()
        data["credit"] = np.zeros(CENTRE_SLOTS)  # overrun of last month's room (<= 0) by pool, simulated hours
        data["budget"] = {"year": None, "spent": 0.0}

    def step(self, model, month: Month) -> None:
        """Update the waiting lists, add the month's orders, serve them, start guidance."""
        m, p, pop = month.number, month.params, month.people
        data, market = model.data(self), month.values["market"]
        queue = self._keep_waiting(model, month, data["queue"])

        orders = month.values["orders"]
        if len(orders):
            # cheque 2 at the centre of cheque 1, if it still holds its mandate (not a new centre in its slot)
            again = rules.cheques_used(pop, m, p, orders) >= 1
            slot = np.where(again, pop.centre[orders].astype(np.intp), NO_CENTRE)
            known = np.maximum(slot, 0)
            same = (slot >= 0) & market.open[known] & (market.opened[known] <= pop.last_cheque_month[orders])
            slot = np.where(same, slot, NO_CENTRE)
            pop.waiting_centre[orders] = slot
            pop.waiting_since[orders] = m
            queue = np.concatenate([queue, orders])
        # everybody without an open centre chooses one (new orders, clients of a centre that lost its mandate)
        slot = pop.waiting_centre[queue].astype(np.intp)
        lost = (slot < 0) | ~market.open[np.maximum(slot, 0)]
        if lost.any():
            who = queue[lost]
            u = month.streams.row_uniforms("centre_choice", m, who)
            pop.waiting_centre[who] = choose(pop.province[who].astype(np.intp), u, market, p)
        nowhere = queue[pop.waiting_centre[queue] < 0]  # no centre open at all: the order lapses
        model.count(month, "waiting_dropouts", nowhere)
        pop.waiting_since[nowhere] = codes.NO_MONTH
        queue = queue[pop.waiting_centre[queue] >= 0]

        served = self._serve(model, month, queue, market, data)
        started = queue[served]
        delivered = self._start(model, month, started, market)
        waiting = data["queue"] = queue[~served & (pop.waiting_since[queue] != codes.NO_MONTH)]
        waiting_slot = pop.waiting_centre[waiting].astype(np.intp)
        if month.recorded:
            model.count(month, "waiting_list", waiting)
            model.counters.total("centre_waiting", month.t, model.weight, waiting_slot)
        # the agents keep their month's figures (for inspection: model.state.institutions)
        on_list = np.bincount(waiting_slot, minlength=CENTRE_SLOTS) * model.weight
        for centre in model.state.institutions.get(KIND, []):
            centre.hours_delivered = float(delivered[centre.slot])
            centre.waiting = float(on_list[centre.slot])

    def _keep_waiting(self, model, month: Month, queue: np.ndarray) -> np.ndarray:
        """The waiting list after this month's drop-outs (and of people no longer eligible or present)."""
        m, p, pop = month.number, month.params, month.people
        queue = queue[(pop.waiting_since[queue] != codes.NO_MONTH) & (pop.status[queue] != codes.ABSENT)]
        waited = pop.waiting_since[queue] < m
        u = month.streams.row_uniforms("waiting_dropout", m, queue)
        leave = (waited & (u < p["centres.waiting.dropout_per_month"])) | ~month.values["eligible"][queue]
        gone = queue[leave]
        model.count(month, "waiting_dropouts", gone)
        if month.recorded and len(gone):
            slot = pop.waiting_centre[gone].astype(np.intp)
            model.counters.total("centre_dropouts", month.t, model.weight, slot[slot >= 0])
        pop.waiting_since[gone] = codes.NO_MONTH
        pop.waiting_centre[gone] = NO_CENTRE
        return queue[~leave]

    def _serve(self, model, month: Month, queue: np.ndarray, market, data: dict) -> np.ndarray:
        """True for the orders that start this month: within their centre's room, then within the budget."""
        m, p, pop = month.number, month.params, month.people
        pool = capacity_pools(market.province, model.weight)
        capacity = np.bincount(pool, weights=market.capacity / model.weight, minlength=CENTRE_SLOTS)
        if len(queue) == 0:
            data["credit"] = np.minimum(capacity + data["credit"], 0.0)
            return np.zeros(0, dtype=bool)
        number = rules.cheques_used(pop, m, p, queue) + 1
        hours = self._hours(p, number)
        slot = pop.waiting_centre[queue].astype(np.intp)
        since = pop.waiting_since[queue].astype(np.int64)
        priority = month.streams.row_uniforms("queue_priority", m, queue)
        served = np.ones(len(queue), dtype=bool)
        if p["centres.capacity.limited"]:
            room = capacity + data["credit"]
            served = served_within_capacity(pool[slot], since, priority, hours, room)
        budget = self._remaining_budget(m, p, data)
        if budget is not None:
            rows = np.flatnonzero(served)
            cost = rules.government_cost(p, number[rows]) * model.weight
            funded = funded_within_budget(since[rows], priority[rows], cost, budget)
            unfunded = queue[rows[~funded]]
            served[rows[~funded]] = False
            if p["cheque.budget.when_spent"] == "refuse":
                model.count(month, "orders_refused_budget", unfunded)
                pop.waiting_since[unfunded] = codes.NO_MONTH
                pop.waiting_centre[unfunded] = NO_CENTRE
            else:
                model.count(month, "orders_held_budget", unfunded)
        if p["centres.capacity.limited"]:
            # only the orders that start use room; an overrun is taken from next month's room, and unused
            # room is lost (coaches cannot bank their time)
            used = np.bincount(pool[slot[served]], weights=hours[served], minlength=CENTRE_SLOTS)
            data["credit"] = np.minimum(room - used, 0.0)
        return served

    @staticmethod
    def _hours(p, number: np.ndarray) -> np.ndarray:
        hours = p["cheque.cheques.hours"]
        return np.where(number <= 1, float(hours["cheque1"]), float(hours["cheque2"]))

    @staticmethod
    def _remaining_budget(m: int, p, data: dict) -> float | None:
        """EUR left of this calendar year's budget (None without a cap).

        The year's spending counts from January, also when the cap comes into force later in the year.
        """
        cap = p["cheque.budget.yearly_cap_eur"]
        if cap <= 0:
            return None
        year = month_date(m).year
        return cap - (data["budget"]["spent"] if data["budget"]["year"] == year else 0.0)

    def _start(self, model, month: Month, rows: np.ndarray, market) -> np.ndarray:
        """Record the starts: cheque, cost, hours, months waited, the centre and its quality.

        Returns:
            Hours started per slot (real hours).
        """
        p, pop, m = month.params, month.people, month.number
        status = pop.status[rows]
        number = rules.record_start(pop, rows, m, p)
        first = number == 1
        slot = pop.waiting_centre[rows].astype(np.intp)
        pop.centre[rows] = slot
        pop.guidance_quality[rows[first]] = market.quality[slot[first]]
        pop.cheque1_status[rows[first]] = status[first]
        pop.reentrant_user[rows[first & (status != codes.EMPLOYED)]] = True  # out of work: a re-entrant
        hours = self._hours(p, number)
        keys = model.group_keys(month, rows) if month.recorded else None  # the same people for every count
        model.count(month, "starts_cheque1", rows[first], keys=None if keys is None else keys[first])
        model.count(month, "user_quality", rows[first], market.quality[slot[first]],
                    keys=None if keys is None else keys[first])
        model.count(month, "starts_cheque2", rows[~first], keys=None if keys is None else keys[~first])
        cost = rules.government_cost(p, number)
        model.count(month, "government_cost_eur", rows, cost, keys=keys)
        year, data = month_date(m).year, model.data(self)  # the year's spending, for a budget cap
        if data["budget"]["year"] != year:
            data["budget"] = {"year": year, "spent": 0.0}
        data["budget"]["spent"] += float(cost.sum()) * model.weight
        model.count(month, "user_cost_eur", rows, rules.user_price(p, number), keys=keys)
        model.count(month, "guidance_hours", rows, hours, keys=keys)
        model.count(month, "months_waited", rows, (m - pop.waiting_since[rows].astype(np.int32)).astype(float), keys=keys)
        if p["centres.incentive.enabled"]:
            target = first & in_target_groups(pop, rows, p["centres.incentive.target_groups"])
            model.count(month, "incentive_bonus_eur", rows[target], p["centres.incentive.bonus_per_client_eur"],
                        keys=None if keys is None else keys[target])
        if month.recorded:
            model.counters.total("centre_hours_delivered", month.t, hours * model.weight, slot)
        pop.waiting_since[rows] = codes.NO_MONTH
        pop.waiting_centre[rows] = NO_CENTRE
        return np.bincount(slot, weights=hours * model.weight, minlength=CENTRE_SLOTS)


def capacity_pools(province: np.ndarray, weight: float) -> np.ndarray:
    """The pool of each slot whose capacity is shared at the run's scale: the slot itself at full scale.

    At a reduced scale one simulated person stands for ``weight`` people, who
    in reality would go to ``weight`` different centres, not all to one: a
    small centre's month would hold a fraction of a simulated trajectory, and
    waits would come from the coarse grain of the simulation, not from
    capacity. So the capacity of about ``weight`` centres of a province (next
    to each other in size order) is shared: each pool then holds about as many
    simulated trajectories a month as one centre holds real ones, and waits
    behave as at full scale. People still choose, and are counted at, their
    own centre.

    Returns:
        For each slot, the smallest slot of its pool.
    """
    k = max(1, int(round(weight)))
    pool = np.arange(len(province))
    if k == 1:
        return pool
    for code in np.unique(province):
        slots = np.flatnonzero(province == code)
        pool[slots] = slots[(np.arange(len(slots)) // k) * k]
    return pool


def served_within_capacity(slot: np.ndarray, waiting_since: np.ndarray, priority: np.ndarray, hours: np.ndarray,
                           room: np.ndarray) -> np.ndarray:
    """Which orders a centre can start this month: first come, first served, while it has room.

    Each centre serves its waiting list in the order of the month the order
    was placed, then of a per-person priority draw, as long as some of its
    room is left before the order (a prefix of its list: nobody is passed
    over). The last trajectory started may overrun the room; the overrun is
    taken from the next month's room (see :class:`CentreQueue`),
    so that over time a centre (at reduced scale, a pool of centres:
    :func:`capacity_pools`) never gives more than its capacity plus one trajectory.

    Args:
        slot: Centre of each order.
        waiting_since: Month each order was placed.
        priority: A uniform per order (ties within a month).
        hours: Hours of guidance each order needs (simulated hours).
        room: Room of each slot this month (simulated hours; ``inf`` for no limit).

    Returns:
        True for the orders served.
    """
    served = np.zeros(len(slot), dtype=bool)
    if len(slot) == 0:
        return served
    order = np.lexsort((priority, waiting_since, slot))
    s, h = slot[order], hours[order]
    cumulative = np.cumsum(h)
    first = np.r_[True, s[1:] != s[:-1]]
    before = np.maximum.accumulate(np.where(first, cumulative - h, 0.0))
    served[order] = (cumulative - h - before) < room[s] - 1e-9
    return served


def funded_within_budget(waiting_since: np.ndarray, priority: np.ndarray, cost: np.ndarray, remaining: float) -> np.ndarray:
    """Which orders the year's remaining budget pays for, in the order they were placed (``cost`` in EUR)."""
    funded = np.zeros(len(cost), dtype=bool)
    if len(cost) == 0:
        return funded
    order = np.lexsort((priority, waiting_since))
    funded[order] = np.cumsum(cost[order]) <= remaining + 1e-6
    return funded
