"""How people choose a career centre, and how a centre's waiting list is served.

Pure functions of arrays: the market of the month (:class:`model.institutions.centres.MarketArrays`),
the people's rows and their uniforms.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import codes
from ..institutions.centres import MarketArrays


def choice_weights(market: MarketArrays, p: Mapping) -> np.ndarray:
    """Attraction of each slot: coaches x exp(``centres.choice.quality_loading`` x quality), 0 where no centre is open."""
    return np.where(market.open, market.coaches * np.exp(p["centres.choice.quality_loading"] * market.quality_z), 0.0)


def choose(province: np.ndarray, u: np.ndarray, market: MarketArrays, p: Mapping) -> np.ndarray:
    """The slot each person chooses (``codes.NO_CENTRE`` when no centre is open).

    With probability ``centres.choice.own_province_share`` a person chooses
    among the centres of their own province (or of all of Flanders when their
    province has none open), otherwise among all centres, in proportion to
    :func:`choice_weights`. One uniform per person decides both.

    Args:
        province: Province code of each person.
        u: One uniform in [0, 1) per person.
    """
    weights = choice_weights(market, p)
    out = np.full(len(u), codes.NO_CENTRE, dtype=np.intp)
    if len(u) == 0 or weights.sum() <= 0:
        return out
    share = p["centres.choice.own_province_share"]
    own = u < share
    # the rest of the uniform picks the centre
    v = np.where(own, u / share if share > 0 else 0.0, (u - share) / (1.0 - share) if share < 1 else 0.0)
    v = np.clip(v, 0.0, np.nextafter(1.0, 0.0))
    pools = [(~own, weights)]
    for code in range(len(codes.PROVINCES)):
        in_province = np.where(market.province == code, weights, 0.0)
        who = own & (province == code)
        pools.append((who, in_province if in_province.sum() > 0 else weights))
    for who, w in pools:
        if not who.any():
            continue
        cumulative = np.cumsum(w)
        pick = np.searchsorted(cumulative, v[who] * cumulative[-1], side="right")
        out[who] = np.minimum(pick, len(w) - 1)
    return out


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
    taken from the next month's room (see :mod:`model.processes.centre_queue`),
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
