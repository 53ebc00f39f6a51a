"""Awareness of the cheque, written once.

A person knows the cheque while their fixed latent draw (``awareness_draw``)
is below the awareness level of the date (:func:`awareness_level`). Non-active
people hear of it neither at work nor through VDAB: their level is
``behaviour.awareness.non_active_relative`` times the workers'. A contact of an
outreach campaign (ask 2, :mod:`model.mechanisms.outreach`) that informed the
person makes them aware while it lasts and they are still non-active; so does a
contact of a career centre under the supply-driven incentive
(:mod:`model.mechanisms.centres.outreach`), whatever the person's status.

The rule is one row function (:func:`aware_row`), compiled into the uptake
kernel and the month's stocks; :func:`is_aware` applies it to rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numba
import numpy as np
from scipy.special import expit

from ...params.calendar import decimal_year
from ...people.codes import JOBSEEKER, NON_ACTIVE
from ...people.population import Population


class AwarenessColumns(NamedTuple):
    """The columns awareness reads; a contact's columns are empty arrays while nobody was ever informed that way."""

    status: np.ndarray
    awareness_draw: np.ndarray
    outreach_informed: np.ndarray
    outreach_until: np.ndarray
    incentive_informed: np.ndarray
    incentive_until: np.ndarray


class AwarenessLevels(NamedTuple):
    """The awareness levels of the month (float32, as the draws): of workers and of non-active people."""

    workers: np.float32
    non_active: np.float32


def awareness_level(p: Mapping) -> float:
    """Share of people aware of the cheque on the date of ``p``.

    A logistic curve in time: awareness grew with the supply of career centres
    (about 50 in 2014 to 238 by 2020) towards a saturation level. A scenario can
    raise the saturation from a date (for example an information campaign).
    ``behaviour.awareness.split_scale`` moves the level (at most 1) while the
    hazard moves the other way, keeping what the calibration identifies.
    """
    a = "behaviour.awareness."
    z = (decimal_year(p.date) - p[a + "midpoint_year"]) / p[a + "growth_years"]
    # the split of awareness and hazard (the hazard is divided by the same scale: see uptake.hazards.cell_logits)
    return float(min(1.0, p[a + "saturation"] * p[a + "split_scale"] * expit(z)))


def awareness_levels(p: Mapping) -> AwarenessLevels:
    """The levels of workers and of non-active people under ``p``."""
    level = awareness_level(p)
    return AwarenessLevels(np.float32(level), np.float32(level * p["behaviour.awareness.non_active_relative"]))


def awareness_columns(pop: Population) -> AwarenessColumns:
    """The columns of ``pop`` that :func:`aware_row` reads (a contact's left out while it informed nobody, ever)."""
    none = np.empty(0, dtype=bool), np.empty(0, dtype=np.int16)
    outreach = (pop.outreach_informed, pop.outreach_until) if pop.outreach_informed.any() else none
    incentive = (pop.incentive_informed, pop.incentive_until) if pop.incentive_informed.any() else none
    return AwarenessColumns(pop.status, pop.awareness_draw, *outreach, *incentive)


@numba.njit(inline="always")
def aware_row(i, month, c, levels):
    """True if the person at row ``i`` knows the cheque in ``month`` (inlined into the calling loop).

    Args:
        c: :class:`AwarenessColumns`.
        levels: :class:`AwarenessLevels`.
    """
    draw = c.awareness_draw[i]
    non_active = c.status[i] == NON_ACTIVE
    out = non_active | (c.status[i] == JOBSEEKER)  # the level of people out of work (job seekers order as re-entrants)
    aware = (draw < levels.workers) & (~out | (draw < levels.non_active))
    if len(c.outreach_informed) > 0:  # a contact informs while the person is non-active
        aware |= non_active & c.outreach_informed[i] & (c.outreach_until[i] >= month)
    if len(c.incentive_informed) > 0:  # a centre's contact informs whatever the status
        aware |= c.incentive_informed[i] & (c.incentive_until[i] >= month)
    return aware


@numba.njit(cache=True, nogil=True)
def aware_rows(rows, month, c, levels):
    """:func:`aware_row` for each of ``rows``."""
    out = np.empty(len(rows), dtype=np.bool_)
    for j in range(len(rows)):
        out[j] = aware_row(rows[j], month, c, levels)
    return out


def is_aware(pop: Population, rows: np.ndarray, p: Mapping, month: int) -> np.ndarray:
    """Whether each person of ``rows`` knows the cheque in ``month``."""
    return aware_rows(np.asarray(rows, dtype=np.intp), month, awareness_columns(pop), awareness_levels(p))
