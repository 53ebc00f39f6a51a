"""The monthly hazards of starting cheque 1 and cheque 2.

The cheque-1 hazard depends on a person, beside two terms of people out of work
(readiness and outreach), only through a *hazard cell*: sex, uptake age group,
education, migration background, work disability and uptake status (employee,
self-employed, out of work). The cell is written once, as a row function
(:func:`cell_row`), used by the uptake kernel and by :func:`hazard_cell`; the
logistic formula is written once, per cell (:func:`cell_logits`), and a
person's hazard starts from their cell's. The calibration evaluates the same
per-cell hazards (:func:`cell_hazards`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numba
import numpy as np
from scipy.special import expit

from ...people import codes
from ...people.codes import JOBSEEKER, NON_ACTIVE
from ...people.groups import static_keys
from ...people.population import UPTAKE_GROUP_OF_BAND, Population, empty
from ..cheques.rules import user_price
from ..outreach.process import OUTREACH_CHANNELS

UPTAKE_STATUS = ("employee", "self_employed", "out_of_work")
CELL_SHAPE = (len(codes.SEX), len(codes.UPTAKE_AGE_GROUPS), len(codes.EDUCATION), len(codes.MIGRATION), 2,
              len(UPTAKE_STATUS))
N_CELLS = int(np.prod(CELL_SHAPE))
# Uptake age group of each age in months (as Population.uptake_age_group): a gather in kernels.
AGE_GROUP_BY_MONTH = UPTAKE_GROUP_OF_BAND[np.clip((np.arange(codes.EXIT_AGE_MONTHS + 1) // 12 - 20) // 5, 0,
                                                  len(codes.AGE_BANDS) - 1)].astype(np.int64)
_AGE_GROUPS, _EDUCATION, _MIGRATION, _STATUSES = CELL_SHAPE[1], CELL_SHAPE[2], CELL_SHAPE[3], CELL_SHAPE[5]


class CellColumns(NamedTuple):
    """The columns of a person's hazard cell."""

    sex: np.ndarray
    age_months: np.ndarray
    education: np.ndarray
    migration: np.ndarray
    work_disability: np.ndarray
    status: np.ndarray
    self_employed: np.ndarray


def cell_columns(pop: Population) -> CellColumns:
    """The columns of ``pop`` that :func:`cell_row` reads."""
    return CellColumns(pop.sex, pop.age_months, pop.education, pop.migration, pop.work_disability, pop.status,
                       pop.self_employed)


@numba.njit(inline="always")
def cell_row(i, c):
    """The hazard cell (0 .. ``N_CELLS`` - 1) of row ``i`` (inlined into the calling loop).

    Uptake status 2 for people out of work (non-active, or registered job seekers who meet the re-entrant
    definition where they may order), else 1 if self-employed, else 0 (employee).
    """
    out = (c.status[i] == NON_ACTIVE) | (c.status[i] == JOBSEEKER)
    status = np.int64(2) if out else np.int64(c.self_employed[i])
    cell = np.int64(c.sex[i]) * _AGE_GROUPS + AGE_GROUP_BY_MONTH[min(np.int64(c.age_months[i]), len(AGE_GROUP_BY_MONTH) - 1)]
    cell = cell * _EDUCATION + np.int64(c.education[i])
    cell = cell * _MIGRATION + np.int64(c.migration[i])
    cell = cell * 2 + np.int64(c.work_disability[i])
    return cell * _STATUSES + status


@numba.njit(cache=True, nogil=True)
def cells_of(rows, c):
    """:func:`cell_row` of each of ``rows``."""
    out = np.empty(len(rows), dtype=np.int64)
    for j in range(len(rows)):
        out[j] = cell_row(rows[j], c)
    return out


def hazard_cell(pop: Population, rows=None) -> np.ndarray:
    """Hazard cell code of each person in ``rows`` (default: every row)."""
    rows = np.arange(len(pop)) if rows is None else np.asarray(rows, dtype=np.intp)
    return cells_of(rows, cell_columns(pop))


def cell_population() -> Population:
    """One person per hazard cell, in cell-code order (for the groups of each cell)."""
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
    pop.group_key_static[:] = static_keys(pop)
    return pop


def cell_logits(p: Mapping) -> np.ndarray:
    """The logit of the cheque-1 hazard of every cell, before the terms of a person (readiness, outreach).

    Logistic in sex, age group, education, migration background, work
    disability, status (employee, self-employed, out of work) and the own
    contribution; the group shifts of people out of work are
    ``behaviour.uptake.out_of_work_group_carryover`` times the workers'; the
    intercept is shifted by ``-log(behaviour.awareness.split_scale)``.
    """
    u = "behaviour.uptake."
    sex, age_group, education, migration, disability, status = np.unravel_index(np.arange(N_CELLS), CELL_SHAPE)
    age = np.array([p[u + "age_band"][g] for g in codes.UPTAKE_AGE_GROUPS])[age_group]
    edu = np.array([p[u + "education"][k] for k in codes.EDUCATION])[education]
    mig = np.array([p[u + "migration"][k] for k in codes.MIGRATION])[migration]
    out = status == UPTAKE_STATUS.index("out_of_work")
    by_status = np.where(out, p[u + "out_of_work"],
                         np.array([p[u + "status"][k] for k in UPTAKE_STATUS[:-1]] + [0.0])[status])
    # the group shifts are fitted on workers: people out of work carry a share of them (a range, not a fact)
    groups = age + edu + mig + p[u + "work_disability"] * disability.astype(bool)
    groups = np.where(out, p[u + "out_of_work_group_carryover"] * groups, groups)
    price = user_price(p, np.ones(N_CELLS))
    # awareness x hazard is what the counts identify: a larger awareness split means a smaller hazard
    split = -np.log(p["behaviour.awareness.split_scale"])
    return (p[u + "intercept_cheque1"] + split + p[u + "women"] * sex.astype(np.int8) + groups + by_status
            + p[u + "price_per_eur"] * price)


def shock(p: Mapping) -> float:
    """Product of the exogenous multipliers on uptake (1 when no shock is switched on)."""
    return p["behaviour.uptake.shock_multiplier"] * p["behaviour.uptake.covid19_multiplier"]


def cell_hazards(p: Mapping) -> np.ndarray:
    """Monthly probability that an aware, eligible person of each cell starts cheque 1 (no person terms).

    The cell's logistic hazard times the exogenous shock multipliers (a general
    one and a named COVID-19 one, both 1 unless a scenario sets them). People at
    work have no person terms: this is their hazard.
    """
    return expit(cell_logits(p)) * shock(p)


def outreach_shift(pop: Population, rows: np.ndarray, p: Mapping, month: int) -> np.ndarray:
    """Logit shift of the cheque-1 hazard from a running outreach contact (lower hassle) of a non-active person, else 0."""
    channel = pop.outreach_channel[rows].astype(np.intp)
    shift = np.array([0.0] + [p[f"outreach.{c}.hassle_reduction"] for c in OUTREACH_CHANNELS])[channel]
    running = (pop.outreach_until[rows] >= month) & (pop.status[rows] == codes.NON_ACTIVE)
    return np.where(running, shift, 0.0)


def cheque1_hazard(pop: Population, rows: np.ndarray, p: Mapping, month: int) -> np.ndarray:
    """Monthly probability that each aware, eligible person of ``rows`` starts cheque 1.

    The cell's logit (:func:`cell_logits`), plus two terms of people out of work:
    their latent readiness (``behaviour.readiness.uptake_loading_non_active``,
    self-selection) and the lower hassle of a running outreach contact
    (:func:`outreach_shift`); times the shock multipliers.
    """
    z = cell_logits(p)[hazard_cell(pop, rows)]
    out = codes.out_of_work(pop.status[rows])  # non-active, or registered job seekers where they may order
    z = z + np.where(out, p["behaviour.readiness.uptake_loading_non_active"] * pop.readiness[rows], 0.0)
    z = z + outreach_shift(pop, rows, p, month)
    return expit(z) * shock(p)


def cheque2_hazard(pop: Population, rows: np.ndarray, month: int, p: Mapping) -> np.ndarray:
    """Monthly probability of starting cheque 2, decaying with months since the last cheque.

    Zero in the month of the last cheque. A higher own contribution for
    cheque 2 than for cheque 1 lowers the hazard through the price term. The
    hazard is multiplied by ``1 + centres.quality.cheque2_loading x (quality - 1)``,
    with the quality of the user's centre: better coaching makes more users
    continue, the mean over users stays the same.
    """
    since = month - pop.last_cheque_month[rows].astype(np.int32)
    hazard = cheque2_hazard_after(since, p)
    quality = pop.guidance_quality[rows].astype(np.float64)
    return np.clip(hazard * np.maximum(1.0 + p["centres.quality.cheque2_loading"] * (quality - 1.0), 0.0), 0.0, 1.0)


def cheque2_hazard_after(since: np.ndarray, p: Mapping) -> np.ndarray:
    """The cheque-2 hazard ``since`` months after the last cheque, before the centre's quality (see :func:`cheque2_hazard`)."""
    c = "behaviour.cheque2."
    since = np.asarray(since)
    base = p[c + "peak_hazard"] * np.exp(-(since - 1) / p[c + "decay_months"])
    price_gap = float(user_price(p, np.array([2]))[0] - user_price(p, np.array([1]))[0])
    hazard = base * np.exp(p["behaviour.uptake.price_per_eur"] * price_gap) * shock(p)
    return np.where(since >= 1, np.clip(hazard, 0.0, 1.0), 0.0)
