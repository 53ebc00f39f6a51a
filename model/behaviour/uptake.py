"""Awareness of the cheque and the monthly hazards of starting cheque 1 and 2.

The cheque-1 hazard depends on a person only through a *hazard cell* (sex,
uptake age group, education, migration background, work disability and
status), so it can also be tabulated per cell: the calibration evaluates the
same formula on one row per cell (:func:`cell_population`) instead of on
every person.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.special import expit

from .. import codes
from ..population import UPTAKE_GROUP_OF_BAND, Population, empty
from ..rules import decimal_year, user_price

OUTREACH_CHANNELS = ("letter", "assisted")  # codes 1 and 2 of the outreach_channel column

# Hazard cell: sex x uptake age group x education x migration x disability x status.
UPTAKE_STATUS = ("employee", "self_employed", "non_active")
CELL_SHAPE = (len(codes.SEX), len(codes.UPTAKE_AGE_GROUPS), len(codes.EDUCATION), len(codes.MIGRATION), 2,
              len(UPTAKE_STATUS))
N_CELLS = int(np.prod(CELL_SHAPE))
# Uptake age group of each age in months (as Population.uptake_age_group): a gather in kernels.
AGE_GROUP_BY_MONTH = UPTAKE_GROUP_OF_BAND[np.clip((np.arange(codes.EXIT_AGE_MONTHS + 1) // 12 - 20) // 5, 0,
                                                  len(codes.AGE_BANDS) - 1)].astype(np.int64)


def awareness_level(p: Mapping) -> float:
    """Share of people aware of the cheque on the date of ``p``.

    A logistic curve in time: awareness grew with the supply of career centres
    (about 50 in 2014 to 238 by 2020) towards a saturation level. A scenario can
    raise the saturation from a date (for example an information campaign).
    """
    a = "behaviour.awareness."
    z = (decimal_year(p.date) - p[a + "midpoint_year"]) / p[a + "growth_years"]
    return float(p[a + "saturation"] * expit(z))


def is_aware(pop: Population, rows, p: Mapping, month: int | None = None) -> np.ndarray:
    """Aware while the person's fixed latent draw is below the awareness level.

    Non-active people hear of the cheque neither at work nor through VDAB:
    their level is ``behaviour.awareness.non_active_relative`` times the
    workers'. A contact of an outreach campaign (ask 2) that informed the
    person makes them aware while it lasts and they are still non-active
    (columns of :mod:`model.processes.outreach`, read when the population has
    them and ``month`` is given). So does a contact of a career centre's own
    outreach under the supply-driven incentive, whatever the person's status
    (:mod:`model.processes.centre_outreach`).
    """
    level = awareness_level(p)
    draw = pop.awareness_draw[rows]
    aware = draw < np.float32(level)
    non_active = pop.status[rows] == codes.NON_ACTIVE
    # non-active people: aware only below their lower level (passes of bytes, no float temporaries)
    aware &= ~non_active | (draw < np.float32(level * p["behaviour.awareness.non_active_relative"]))
    # a contact informs while the person is non-active (nobody was ever informed without outreach: skip)
    if month is not None and "outreach_until" in pop.dtypes and pop.outreach_informed.any():
        aware |= non_active & pop.outreach_informed[rows] & (pop.outreach_until[rows] >= month)
    # a centre's contact informs whatever the status (nobody was ever contacted without the incentive: skip)
    if month is not None and "incentive_until" in pop.dtypes and pop.incentive_informed.any():
        aware |= pop.incentive_informed[rows] & (pop.incentive_until[rows] >= month)
    return aware


def outreach_shift(pop: Population, rows, p: Mapping, month: int) -> np.ndarray | float:
    """Logit shift of the cheque-1 hazard from a running outreach contact (lower hassle) of a non-active person, else 0."""
    if "outreach_until" not in pop.dtypes:
        return 0.0
    channel = pop.outreach_channel[rows].astype(np.intp)
    shift = np.array([0.0] + [p[f"outreach.{c}.hassle_reduction"] for c in OUTREACH_CHANNELS])[channel]
    running = (pop.outreach_until[rows] >= month) & (pop.status[rows] == codes.NON_ACTIVE)
    return np.where(running, shift, 0.0)


def uptake_status(pop: Population, rows) -> np.ndarray:
    """Status code of ``UPTAKE_STATUS``: 2 non-active, 1 self-employed, else 0 (employee)."""
    return np.where(pop.status[rows] == codes.NON_ACTIVE, 2, pop.self_employed[rows].astype(np.intp))


def hazard_cell(pop: Population, rows) -> np.ndarray:
    """Hazard cell code (0 .. ``N_CELLS`` - 1) of each person in ``rows``."""
    index = (pop.sex[rows].astype(np.intp), pop.uptake_age_group(rows), pop.education[rows].astype(np.intp),
             pop.migration[rows].astype(np.intp), pop.work_disability[rows].astype(np.intp), uptake_status(pop, rows))
    return np.ravel_multi_index(index, CELL_SHAPE)


def cell_population() -> Population:
    """One person per hazard cell, in cell-code order (for hazard tables)."""
    sex, age_group, education, migration, disability, status = np.unravel_index(np.arange(N_CELLS), CELL_SHAPE)
    first_band = np.array([bands[0] for bands in codes.UPTAKE_AGE_GROUPS.values()])
    pop = empty(N_CELLS)
    pop.sex[:] = sex
    pop.age_months[:] = codes.MIN_AGE_MONTHS + 60 * first_band[age_group] + 30
    pop.education[:] = education
    pop.migration[:] = migration
    pop.work_disability[:] = disability.astype(bool)
    pop.status[:] = np.where(status == 2, codes.NON_ACTIVE, codes.EMPLOYED)
    pop.self_employed[:] = status == 1
    return pop


def cheque1_hazard(pop: Population, rows: np.ndarray, p: Mapping, month: int | None = None) -> np.ndarray:
    """Monthly probability that an aware, eligible person starts cheque 1.

    Logistic in sex, age group, education, migration background, work
    disability, status (employee, self-employed, non-active) and the own
    contribution; multiplied by the exogenous shock multipliers (a general one
    and a named COVID-19 one, both 1 unless a scenario sets them). When the
    population carries them (the engine's, not the calibration's cell
    table), two more terms: non-active people's latent readiness
    (``behaviour.readiness.uptake_loading_non_active``, self-selection) and,
    with ``month`` given, the lower hassle of an outreach contact.
    """
    u = "behaviour.uptake."
    age = np.array([p[u + "age_band"][g] for g in codes.UPTAKE_AGE_GROUPS])[pop.uptake_age_group(rows)]
    edu = np.array([p[u + "education"][k] for k in codes.EDUCATION])[pop.education[rows].astype(np.intp)]
    mig = np.array([p[u + "migration"][k] for k in codes.MIGRATION])[pop.migration[rows].astype(np.intp)]
    status = np.array([p[u + "status"][k] for k in UPTAKE_STATUS])[uptake_status(pop, rows)]
    price = user_price(p, np.ones(len(rows)))
    z = (p[u + "intercept_cheque1"] + p[u + "women"] * pop.sex[rows] + age + edu + mig
         + p[u + "work_disability"] * pop.work_disability[rows] + status + p[u + "price_per_eur"] * price)
    if "readiness" in pop.dtypes:
        non_active = pop.status[rows] == codes.NON_ACTIVE
        z = z + np.where(non_active, p["behaviour.readiness.uptake_loading_non_active"] * pop.readiness[rows], 0.0)
    if month is not None:
        z = z + outreach_shift(pop, rows, p, month)
    return expit(z) * shock(p)


def shock(p: Mapping) -> float:
    """Product of the exogenous multipliers on uptake (1 when no shock is switched on)."""
    return p["behaviour.uptake.shock_multiplier"] * p["behaviour.uptake.covid19_multiplier"]


def cheque2_hazard(pop: Population, rows: np.ndarray, month: int, p: Mapping) -> np.ndarray:
    """Monthly probability of starting cheque 2, decaying with months since the last cheque.

    Zero in the month of the last cheque. A higher own contribution for
    cheque 2 than for cheque 1 lowers the hazard through the price term. When
    the population carries the quality of the user's centre (the engine's), the
    hazard is multiplied by ``1 + centres.quality.cheque2_loading x (quality - 1)``:
    better coaching makes more users continue, the mean over users stays the same.
    """
    since = month - pop.last_cheque_month[rows].astype(np.int32)
    hazard = cheque2_hazard_after(since, p)
    if "guidance_quality" in pop.dtypes:
        quality = pop.guidance_quality[rows].astype(np.float64)
        hazard = np.clip(hazard * np.maximum(1.0 + p["centres.quality.cheque2_loading"] * (quality - 1.0), 0.0), 0.0, 1.0)
    return hazard


def cheque2_hazard_after(since: np.ndarray, p: Mapping) -> np.ndarray:
    """The cheque-2 hazard ``since`` months after the last cheque (see :func:`cheque2_hazard`)."""
    c = "behaviour.cheque2."
    since = np.asarray(since)
    base = p[c + "peak_hazard"] * np.exp(-(since - 1) / p[c + "decay_months"])
    price_gap = float(user_price(p, np.array([2]))[0] - user_price(p, np.array([1]))[0])
    hazard = base * np.exp(p["behaviour.uptake.price_per_eur"] * price_gap) * shock(p)
    return np.where(since >= 1, np.clip(hazard, 0.0, 1.0), 0.0)
