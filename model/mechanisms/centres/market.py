"""The market of career centres: who is recognised, their capacity and quality, and quality monitoring (ask 4).

Each month new slots open as ``centres.supply.recognised`` grows; a slot left
vacant by a lost mandate gets a new centre when its vacancy ends. Every
January each centre's quality moves a little (:meth:`CareerCentre.drift`:
coaches come and go), and, when monitoring is on, each centre is assessed
(:meth:`CareerCentre.assess`). The month's market is handed on as arrays by
slot (``market``). People's provinces, which decide where they look for a
centre, are drawn here when they enter.
"""

from __future__ import annotations

import numpy as np

from ...engine.counters import Counter
from ...engine.process import Column, Month, Process
from ...params.calendar import month_date
from ...people import codes
from .agents import CENTRE_SLOTS, KIND, CareerCentre, LatentMarket, arrays, draw_above_floor, open_slots, stratified_normal

SLOT_LABELS = tuple(f"c{i:03d}" for i in range(CENTRE_SLOTS))  # text, never read back as numbers
CENTRE_DIM = (("centre", SLOT_LABELS),)
# What the centres' derived values depend on: they are worked out again when one of these changes.
MARKET_PARAMETERS = ("centres.supply.recognised", "centres.supply.coaches", "centres.supply.coaches_reference_centres",
                     "centres.supply.coaches_sigma",
                     "centres.capacity.hours_per_coach_month", "centres.quality.sd", "centres.choice.quality_loading")


def draw_provinces(streams, month: int, rows: np.ndarray, shares: dict) -> np.ndarray:
    """Province codes for ``rows``, by the published shares (one uniform per person)."""
    weights = np.array([shares[name] for name in codes.PROVINCES])
    cumulative = np.cumsum(weights) / weights.sum()
    u = streams.row_uniforms("province", month, rows)
    return np.minimum(np.searchsorted(cumulative, u, side="right"), len(weights) - 1).astype(np.int8)


class CentreMarket(Process):
    """Opens slots, assesses and replaces centres, and hands on the month's market."""

    name = "centre_market"
    parameters = ("centres.", "population.province_shares", "simulation.centre_quality_strata")
    columns = (Column("province", np.int8, 0, "province code (codes.PROVINCES), fixed"),)
    streams = ("province", "centre_market", "centre_quality_drift", "centre_assessment", "centre_replacement")
    counters = (
        Counter("centre_capacity_hours", "stock", "hours per month", "hours of guidance a centre can give a month",
                CENTRE_DIM, by_group=False),
        Counter("centre_quality", "stock", "multiplier", "quality of a centre: multiplier of the effects of guidance "
                "on its users (0 while its slot is empty)", CENTRE_DIM, by_group=False),
        Counter("capacity_hours", "stock", "hours per month", "hours of guidance all centres can give a month",
                by_group=False, role="capacity"),
        Counter("centres_open", "stock", "centres", "recognised centres with a mandate", by_group=False),
        Counter("coaches", "stock", "coaches", "coaches of the recognised centres", by_group=False),
        Counter("quality_mean", "stock", "multiplier", "mean quality of the open centres, weighted by their coaches",
                by_group=False),
        Counter("quality_p10", "stock", "multiplier", "lowest decile of quality: 10th percentile over the open centres",
                by_group=False),
        Counter("centres_improved", "flow", "centres", "centres below the quality floor that improved to it (ask 4)",
                by_group=False),
        Counter("centres_lost_mandate", "flow", "centres", "centres below the quality floor that lost their mandate "
                "(ask 4)", by_group=False),
        Counter("monitoring_cost_eur", "flow", "EUR", "cost of quality monitoring (ask 4)", by_group=False,
                role="cost", item="monitoring", rank=4),
    )
    needs = ("renewed_rows",)
    provides = ("market",)

    def initialise(self, model) -> None:
        """Everybody's province and the latent market of the replication (the centres open in the first step)."""
        pop, first = model.people, model.state.first_month
        p = model.params(first)
        pop.province[:] = draw_provinces(model.streams, first, np.arange(len(pop)), p["population.province_shares"])
        shares = np.array([p["population.province_shares"][name] for name in codes.PROVINCES])
        latent = LatentMarket.draw(model.streams.generator("centre_market", first), shares,
                                   int(p["simulation.centre_quality_strata"]))
        model.data(self)["latent"] = latent
        model.state.institutions[KIND] = []

    def step(self, model, month: Month) -> None:
        """Provinces of entrants; open, assess and replace centres; hand on the market; count."""
        m, p, pop = month.number, month.params, month.people
        renewed = month.values["renewed_rows"]
        pop.province[renewed] = draw_provinces(month.streams, m, renewed, p["population.province_shares"])
        data = model.data(self)
        latent: LatentMarket = data["latent"]
        agents: list[CareerCentre] = model.state.institutions[KIND]
        changed = self._open_and_close(model, month, latent, agents)
        january = month_date(m).month == 1
        if january and p["centres.quality.yearly_persistence"] < 1:  # quality moves a little each year
            # stratified as the first qualities, so that each size class keeps a balanced mix of good and weak
            shocks = stratified_normal(month.streams.generator("centre_quality_drift", m), CENTRE_SLOTS,
                                       int(p["simulation.centre_quality_strata"]))
            for centre in agents:
                centre.drift(p, float(shocks[centre.slot]))
            changed = True
        assessed = {"improved": 0, "lost": 0}
        if p["centres.monitoring.enabled"] and january:
            u = month.streams.generator("centre_assessment", m).random(CENTRE_SLOTS)
            for centre in agents:
                outcome = centre.assess(p, float(u[centre.slot]), m)
                if outcome != "passed":
                    assessed[outcome] += 1
            changed = changed or sum(assessed.values()) > 0
        key = tuple(p[k] for k in MARKET_PARAMETERS)
        if changed or data.get("key") != key:
            normaliser, coaches = latent.normaliser(p), latent.coaches(p)
            for centre in agents:
                centre.update(p, coaches[centre.slot], normaliser)
            data["key"], data["arrays"] = key, arrays(agents)
        market = data["arrays"]
        month.values["market"] = market
        if not month.recorded:
            return
        t, counters = month.t, model.counters
        slots = np.arange(CENTRE_SLOTS)
        counters.total("centre_capacity_hours", t, market.capacity, slots)
        counters.total("centre_quality", t, np.where(market.open, market.quality, 0.0), slots)
        counters.total("capacity_hours", t, market.capacity.sum())
        counters.total("centres_open", t, float(market.open.sum()))
        counters.total("coaches", t, market.coaches.sum())
        if market.open.any():
            weights = market.coaches[market.open]
            mean = float(np.sum(weights * market.quality[market.open]) / weights.sum()) if weights.sum() > 0 else 0.0
            counters.total("quality_mean", t, mean)
            counters.total("quality_p10", t, float(np.quantile(market.quality[market.open], 0.1)))
        counters.total("centres_improved", t, float(assessed["improved"]))
        counters.total("centres_lost_mandate", t, float(assessed["lost"]))
        if p["centres.monitoring.enabled"]:
            counters.total("monitoring_cost_eur", t, p["centres.monitoring.cost_per_centre_year"] / 12.0 * market.open.sum())

    def _open_and_close(self, model, month: Month, latent: LatentMarket, agents: list[CareerCentre]) -> bool:
        """Open slots below the recognised count, close those above it, fill vacancies that ended; True if any."""
        m, p = month.number, month.params
        n_open = open_slots(p)
        held = {c.slot: c for c in agents}
        changed = False
        for centre in [c for c in agents if c.slot >= n_open]:  # the count fell (a scenario): the last slots close
            agents.remove(centre)
            centre.remove()
            changed = True
        replacement_u = None
        for slot in range(n_open):
            old = held.get(slot)
            if old is not None and (old.mandate or old.vacant_until >= m):
                continue
            if old is None:
                quality_z = latent.quality_z[slot]
            else:  # a vacancy ended: a new centre, certified above the floor, takes the slot
                if replacement_u is None:
                    replacement_u = month.streams.generator("centre_replacement", m).random(CENTRE_SLOTS)
                quality_z = draw_above_floor(p, float(replacement_u[slot]))
                agents.remove(old)
                old.remove()
            agents.append(CareerCentre(model, slot, latent.province[slot], latent.size_z[slot], quality_z, m))
            changed = True
        if changed:
            agents.sort(key=lambda c: c.slot)
        return changed
