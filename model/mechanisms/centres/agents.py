"""Career centres as ``mesa.Agent`` objects, and the market they make up.

A recognised centre holds a *slot* of the market (0 .. ``CENTRE_SLOTS`` - 1):
slot ``i`` opens when ``centres.supply.recognised`` passes ``i``, so the
largest centres come first. Each slot has fixed latent draws made once per
replication (the same in every scenario): its size, its quality and its
province. A centre's coaches, capacity and quality multiplier follow from
these draws and the parameters in force (:meth:`CareerCentre.update`), so a
scenario that changes a parameter of the centres changes them from its date.

A centre that loses its mandate (quality monitoring, ask 4) leaves its slot
empty for ``centres.monitoring.vacancy_months``; then a new centre (a new
agent) with the same size and province takes the slot, with a quality drawn
above the floor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import mesa
import numpy as np
from scipy.special import ndtr, ndtri
from scipy.stats import qmc

from ...people.codes import NO_MONTH

KIND = "career_centres"  # key of the centres in SimulationState.institutions
# Centres are reported per slot (a recognised centre's place in the market); this is the array size, and the
# largest number of recognised centres a parameter file or scenario may give (centres.supply.recognised).
CENTRE_SLOTS = 300
NO_CENTRE = -1  # "no centre" in the person columns of centres


class CareerCentre(mesa.Agent):
    """One recognised career centre.

    Attributes:
        slot: The centre's slot in the market (its column in per-centre outputs).
        province: ``codes.PROVINCES`` code of its main seat.
        size_z: Latent size (standard normal) of the slot.
        quality_z: Quality of its coaching on the standard normal scale.
        opened: Month its mandate began.
        mandate: False once the mandate is lost (the slot is then vacant until ``vacant_until``).
        vacant_until: Last month the slot stays empty after a lost mandate.
        coaches: Coaches working for the centre (from ``size_z`` and the parameters in force).
        capacity_hours: Hours of cheque guidance it can give a month.
        quality: Multiplier of the effects of guidance on its users (mean 1 over users without monitoring).
        waiting: People on its waiting list at the end of the last month (at the run's scale).
        hours_delivered: Hours of guidance it started in the last month (real hours).
    """

    def __init__(self, model: mesa.Model, slot: int, province: int, size_z: float, quality_z: float, opened: int):
        super().__init__(model)
        self.slot = int(slot)
        self.province = int(province)
        self.size_z = float(size_z)
        self.quality_z = float(quality_z)
        self.opened = int(opened)
        self.mandate = True
        self.vacant_until = NO_MONTH
        self.coaches = 0.0
        self.capacity_hours = 0.0
        self.quality = 1.0
        self.waiting = 0.0
        self.hours_delivered = 0.0

    def update(self, p: Mapping, coaches: float, normaliser: float) -> None:
        """Coaches (its slot's share, :meth:`LatentMarket.coaches`), capacity and quality under the parameters ``p``."""
        self.coaches = float(coaches)
        self.capacity_hours = self.coaches * p["centres.capacity.hours_per_coach_month"] if self.mandate else 0.0
        self.quality = quality_multiplier(p, self.quality_z, normaliser)

    def drift(self, p: Mapping, shock: float) -> None:
        """A year's change of quality: ``rho z + sqrt(1 - rho^2) shock``, ``rho`` = ``centres.quality.yearly_persistence``."""
        rho = p["centres.quality.yearly_persistence"]
        self.quality_z = rho * self.quality_z + float(np.sqrt(1.0 - rho * rho)) * shock

    def assess(self, p: Mapping, u: float, month: int) -> str:
        """Quality monitoring (ask 4): a centre below the floor improves to it or loses its mandate.

        Args:
            u: A uniform of this centre and month: below ``improve_share`` it improves.

        Returns:
            ``"passed"``, ``"improved"`` or ``"lost"``.
        """
        floor = floor_z(p)
        if not self.mandate or self.quality_z >= floor:
            return "passed"
        if u < p["centres.monitoring.improve_share"]:
            self.quality_z = floor
            return "improved"
        self.mandate = False
        self.capacity_hours = 0.0
        self.vacant_until = month + p["centres.monitoring.vacancy_months"] - 1
        return "lost"


def quality_multiplier(p: Mapping, quality_z: float | np.ndarray, normaliser: float) -> float | np.ndarray:
    """Effect multiplier of a centre of quality ``quality_z``: ``exp(sd z) / normaliser``."""
    return np.exp(p["centres.quality.sd"] * np.asarray(quality_z)) / normaliser


def floor_z(p: Mapping) -> float:
    """The floor of quality under monitoring, on the standard normal scale."""
    return float(ndtri(p["centres.monitoring.floor_quantile"]))


def draw_above_floor(p: Mapping, u: float) -> float:
    """A quality on the standard scale, drawn from the part of the distribution above the floor."""
    low = float(ndtr(floor_z(p)))
    return float(ndtri(low + (1.0 - low) * min(max(u, 1e-12), 1.0 - 1e-12)))


def stratified_normal(rng: np.random.Generator, n: int, stratum: int) -> np.ndarray:
    """``n`` standard normal draws, one per slot, a Latin hypercube within each run of ``stratum`` slots.

    The slots are ranked by size, so a run holds centres of about the same
    size. Within a run every draw falls in its own slice of probability
    ``1 / stratum``, the slices in a random order (McKay et al. 1979; scipy's
    ``qmc.LatinHypercube``, one dimension per run): each slot's draw is still
    standard normal, but a run's mix of high and low draws hardly varies from
    one replication to the next. ``stratum`` 1 gives independent draws.
    """
    if stratum <= 1:
        return rng.standard_normal(n)
    runs = -(-n // stratum)
    u = qmc.LatinHypercube(d=runs, rng=rng).random(stratum)  # column k: the slices of run k
    return ndtri(np.clip(u.T.reshape(-1)[:n], 1e-12, 1.0 - 1e-12))


def open_slots(p: Mapping) -> int:
    """Slots open under the recognised count in force (its integer part)."""
    return int(np.floor(p["centres.supply.recognised"] + 1e-9))


@dataclass
class LatentMarket:
    """The fixed draws of every slot, made once per replication.

    Attributes:
        size_z: Latent sizes, sorted from the largest (slot 0) down.
        quality_z: Initial quality of each slot's first centre (standard normal).
        province: Province code of each slot.
    """

    size_z: np.ndarray
    quality_z: np.ndarray
    province: np.ndarray

    @classmethod
    def draw(cls, rng: np.random.Generator, province_shares: np.ndarray, strata: int = 1) -> LatentMarket:
        """Draw the market: sizes (largest first) and qualities; then place the slots in the provinces.

        The qualities are standard normal, a Latin hypercube within each run of ``strata`` slots of about the
        same size (``simulation.centre_quality_strata``; :func:`stratified_normal`).

        Centres settle where the clients are: each slot, from the largest, goes
        to the province furthest below its population share of the sizes of
        the slots so far, so that every province's capacity follows its
        population at every stage of growth. The placement uses the sizes at
        the default dispersion (``exp(size_z)``), not a scenario's
        ``centres.supply.coaches_sigma``: it is made once for all the scenarios
        of a run, and must not depend on which one comes first.
        """
        n = CENTRE_SLOTS
        size_z = -np.sort(-rng.standard_normal(n))
        quality_z = stratified_normal(rng, n, strata)
        shares = np.asarray(province_shares, dtype=float) / np.sum(province_shares)
        size = np.exp(size_z)
        held = np.zeros(len(shares))
        province = np.zeros(n, dtype=np.intp)
        for slot in range(n):
            province[slot] = int(np.argmax(shares * (held.sum() + size[slot]) - held))
            held[province[slot]] += size[slot]
        return cls(size_z, quality_z, province)

    def coaches(self, p: Mapping) -> np.ndarray:
        """Coaches of every slot: ``centres.supply.coaches`` shared by the reference slots in proportion to exp(sigma z)."""
        size = np.exp(p["centres.supply.coaches_sigma"] * self.size_z)
        reference = p["centres.supply.coaches_reference_centres"]
        return p["centres.supply.coaches"] * size / size[:reference].sum()

    def normaliser(self, p: Mapping) -> float:
        """Mean of ``exp(sd z)`` over users of the market without monitoring, at the recognised count in force.

        Users choose centres in proportion to size times reputation (as
        :func:`model.mechanisms.centres.choice.choice_weights`), so the effects of
        ``behaviour.guidance_effect`` are the mean effect over users.
        """
        n = max(open_slots(p), 1)
        weight = self.coaches(p)[:n] * np.exp(p["centres.choice.quality_loading"] * self.quality_z[:n])
        return float(np.sum(weight * np.exp(p["centres.quality.sd"] * self.quality_z[:n])) / np.sum(weight))


@dataclass
class MarketArrays:
    """The market of one month as arrays by slot, for the vectorised steps.

    Attributes:
        open: True where a centre holds the slot with a mandate.
        capacity: Hours a month (real hours; 0 where not open).
        quality: Effect multiplier of each slot's centre (1 where empty).
        quality_z: Quality on the standard scale.
        province: Province code of each slot.
        coaches: Coaches of each slot's centre (0 where empty).
        opened: Month the slot's present centre was recognised (``NO_MONTH`` where none).
    """

    open: np.ndarray
    capacity: np.ndarray
    quality: np.ndarray
    quality_z: np.ndarray
    province: np.ndarray
    coaches: np.ndarray
    opened: np.ndarray


def arrays(centres: list[CareerCentre]) -> MarketArrays:
    """The market as arrays by slot, from the agents."""
    n = CENTRE_SLOTS
    out = MarketArrays(np.zeros(n, bool), np.zeros(n), np.ones(n), np.zeros(n), np.zeros(n, np.intp), np.zeros(n),
                       np.full(n, NO_MONTH, dtype=np.int64))
    for c in centres:
        out.open[c.slot] = c.mandate
        out.capacity[c.slot] = c.capacity_hours if c.mandate else 0.0
        out.quality[c.slot] = c.quality
        out.quality_z[c.slot] = c.quality_z
        out.province[c.slot] = c.province
        out.coaches[c.slot] = c.coaches if c.mandate else 0.0
        out.opened[c.slot] = c.opened
    return out
