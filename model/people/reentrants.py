"""The resolution's re-entrant: a property of a person's career, written once.

A re-entrant worked at least ``cheque.eligibility.reentrant.min_months_worked``
months, then was at least ``cheque.eligibility.reentrant.min_months_out_of_work``
months neither employed nor self-employed, with no disqualifying benefit
(``cheque.eligibility.reentrant.disqualifying_benefits``) in that period: by
default the last ``min_months_out_of_work`` months (the resolution's "in die
periode"), or anywhere in the spell (``cheque.eligibility.reentrant.benefit_period``
``whole_spell``, the stricter reading). Registration at VDAB is not needed
(whether a registered job seeker may order is the eligibility rule's business).

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
    benefits_now: np.ndarray
    benefit_end_month: np.ndarray


def career_columns(pop: Population) -> CareerColumns:
    """The career columns of ``pop``, for the compiled row functions."""
    return CareerColumns(pop.status, pop.months_worked_before_spell, pop.spell_start, pop.gap_before_job,
                         pop.benefits_in_spell, pop.benefits_now, pop.benefit_end_month)


class ReentrantRule(NamedTuple):
    """The re-entrant definition in force, as numbers.

    Attributes:
        min_months_worked: Months of work needed before the spell out of work.
        min_months_out: Months out of work needed.
        benefit_mask: Bits (``codes.BENEFIT_BIT``) of the benefits that disqualify when received in the period.
        whole_spell: 1 if a benefit anywhere in the spell disqualifies, 0 if only one in the last
            ``min_months_out`` months does.
    """

    min_months_worked: int
    min_months_out: int
    benefit_mask: int
    whole_spell: int


BENEFIT_PERIODS = ("out_of_work_period", "whole_spell")  # allowed values of ...reentrant.benefit_period


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
    period = p["cheque.eligibility.reentrant.benefit_period"]
    if period not in BENEFIT_PERIODS:  # guarded by the parameter's allowed values
        raise ValueError(f"unknown benefit period '{period}'; allowed: {list(BENEFIT_PERIODS)}")
    return ReentrantRule(int(p["cheque.eligibility.reentrant.min_months_worked"]),
                         int(p["cheque.eligibility.reentrant.min_months_out_of_work"]),
                         benefit_mask(p["cheque.eligibility.reentrant.disqualifying_benefits"]),
                         int(period == "whole_spell"))


@numba.njit(inline="always")
def reentrant_row(i, month, career, rule):
    """True if the person at row ``i`` is a re-entrant in ``month`` (inlined into the calling loop).

    Written without branches (the status of neighbouring rows is unpredictable): the loops that count
    every person keep their speed.

    A benefit in the period: one received now, or (under the period reading) one of the spell that ended less
    than ``min_months_out`` months ago. Which of the spell's earlier benefits ended last is not kept, so a person
    whose latest ended benefit does not disqualify but an earlier one did is judged by the latest's end (a
    person-month or two at most; cautious: it excludes).

    Args:
        career: :class:`CareerColumns` (or any named tuple with its columns ``status``,
            ``months_worked_before_spell``, ``spell_start``, ``benefits_in_spell``, ``benefits_now`` and
            ``benefit_end_month``).
        rule: :class:`ReentrantRule` (or any named tuple with its fields).
    """
    s = career.status[i]
    out_of_work = (s == JOBSEEKER) | (s == NON_ACTIVE)
    in_spell = (career.benefits_in_spell[i] & rule.benefit_mask) != 0
    in_period = ((career.benefits_now[i] & rule.benefit_mask) != 0) | (
        in_spell & (np.int64(career.benefit_end_month[i]) > month - rule.min_months_out))
    excluded = in_spell if rule.whole_spell else in_period
    return (out_of_work & (career.months_worked_before_spell[i] >= rule.min_months_worked)
            & (career.spell_start[i] <= month - rule.min_months_out) & ~excluded)


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
