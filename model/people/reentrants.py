"""The resolution's re-entrant: a property of a person's career, written once.

A re-entrant worked at least ``cheque.eligibility.reentrant.min_months_worked``
months, then was at least ``cheque.eligibility.reentrant.min_months_out_of_work``
months neither employed nor self-employed, with no disqualifying benefit
(``cheque.eligibility.reentrant.disqualifying_benefits``) in that spell.
Registration at VDAB is not needed.

The definition is a row function (:func:`reentrant_row`), compiled into every
loop that needs it: the group key (:mod:`model.people.groups`), the
eligibility rule (:mod:`model.mechanisms.eligibility.rules`) and the stocks;
:func:`is_reentrant` applies it to rows of a population. The career columns it
reads travel together as :class:`CareerColumns`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

import numba
import numpy as np

from .codes import BENEFIT_BIT, BENEFITS, JOBSEEKER, NON_ACTIVE
from .population import Population


class CareerColumns(NamedTuple):
    """The columns of a person's career state (see :class:`model.people.population.Population`)."""

    status: np.ndarray
    months_worked_before_spell: np.ndarray
    spell_start: np.ndarray
    gap_before_job: np.ndarray
    benefits_in_spell: np.ndarray


def career_columns(pop: Population) -> CareerColumns:
    """The career columns of ``pop``, for the compiled row functions."""
    return CareerColumns(pop.status, pop.months_worked_before_spell, pop.spell_start, pop.gap_before_job,
                         pop.benefits_in_spell)


class ReentrantRule(NamedTuple):
    """The re-entrant definition in force, as numbers.

    Attributes:
        min_months_worked: Months of work needed before the spell out of work.
        min_months_out: Months out of work needed.
        benefit_mask: Bits (``codes.BENEFIT_BIT``) of the benefits that disqualify when received in the spell.
    """

    min_months_worked: int
    min_months_out: int
    benefit_mask: int


def benefit_mask(names: Iterable[str]) -> int:
    """Bit mask of the benefits named (``codes.BENEFITS``)."""
    mask = 0
    for name in names:
        if name not in BENEFIT_BIT:
            raise ValueError(f"unknown benefit '{name}'; allowed: {list(BENEFITS)}")
        mask |= BENEFIT_BIT[name]
    return mask


def reentrant_rule(p: Mapping) -> ReentrantRule:
    """The definition in force under the parameters ``p``."""
    return ReentrantRule(int(p["cheque.eligibility.reentrant.min_months_worked"]),
                         int(p["cheque.eligibility.reentrant.min_months_out_of_work"]),
                         benefit_mask(p["cheque.eligibility.reentrant.disqualifying_benefits"]))


@numba.njit(inline="always")
def reentrant_row(i, month, career, rule):
    """True if the person at row ``i`` is a re-entrant in ``month`` (inlined into the calling loop).

    Written without branches (the status of neighbouring rows is unpredictable): the loops that count
    every person keep their speed.

    Args:
        career: :class:`CareerColumns` (or any named tuple with its columns ``status``,
            ``months_worked_before_spell``, ``spell_start`` and ``benefits_in_spell``).
        rule: :class:`ReentrantRule` (or any named tuple with its fields).
    """
    s = career.status[i]
    out_of_work = (s == JOBSEEKER) | (s == NON_ACTIVE)
    return (out_of_work & (career.months_worked_before_spell[i] >= rule.min_months_worked)
            & (career.spell_start[i] <= month - rule.min_months_out)
            & ((career.benefits_in_spell[i] & rule.benefit_mask) == 0))


@numba.njit(cache=True, nogil=True)
def reentrant_rows(rows, month, career, rule):
    """:func:`reentrant_row` for each of ``rows``."""
    out = np.empty(len(rows), dtype=np.bool_)
    for j in range(len(rows)):
        out[j] = reentrant_row(rows[j], month, career, rule)
    return out


def is_reentrant(pop: Population, month: int, p: Mapping, rows: np.ndarray | None = None) -> np.ndarray:
    """Whether each person of ``rows`` (default: every row) is a re-entrant in ``month``, whether or not that opens the cheque."""
    rows = np.arange(len(pop)) if rows is None else np.asarray(rows, dtype=np.intp)
    return reentrant_rows(rows, month, career_columns(pop), reentrant_rule(p))
