"""Who may order a cheque: the 2013 rule, the 2020 rule and the re-entrant extension, written once.

The rule is one row function (:func:`eligible_row`), compiled into every loop
that needs it: the stocks of the month and the uptake candidates each apply it
in their own pass, so nobody pays a pass over everybody to make the whole
column first. :func:`is_eligible` applies it to rows of a population, and
:class:`Eligible` (what the eligibility process hands on) works it out for the
rows that are asked about.

- Workers qualify under the worker rule in force
  (``cheque.eligibility.worker_rule``): ``experience``, the 2020 rule (at work
  with at least ``cheque.eligibility.experience.months_required`` months of work
  experience), or ``recent_work``, the 2013 rule (at work, with
  ``cheque.eligibility.recent_work.months_required`` months of work in the last
  ``cheque.eligibility.recent_work.window_months``).
- Where the re-entrant extension is on (``cheque.eligibility.reentrant.enabled``),
  non-active re-entrants (:mod:`model.people.reentrants`) qualify too, and so do
  registered job seekers who meet the definition where
  ``cheque.eligibility.reentrant.registered_job_seekers`` allows it (the
  resolution says only that registration is not required; the stricter reading
  leaves them to VDAB).
- Under ``cheque.eligibility.first_time_only`` (the rules of November 2025), only
  people who never used a cheque qualify.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numba
import numpy as np

from ...engine.rows import CHUNKS, chunk_bounds
from ...people import codes
from ...people.codes import EMPLOYED, JOBSEEKER, NO_MONTH, NON_ACTIVE
from ...people.population import Population
from ...people.reentrants import CareerColumns, career_columns, reentrant_row, reentrant_rule

WORKER_RULES = ("experience", "recent_work")  # codes of EligibilityRule.worker_rule
EXPERIENCE, RECENT_WORK = 0, 1


class EligibilityRule(NamedTuple):
    """The rule in force, as numbers (:func:`eligibility_rule`).

    Flat, the re-entrant definition's fields among its own (the compiler's parallel loops take no nested
    tuples): it is its own :class:`~model.people.reentrants.ReentrantRule` for :func:`reentrant_row`.

    Attributes:
        worker_rule: Code of the worker rule (:data:`WORKER_RULES`).
        months_required: Months of work the worker rule needs.
        window_months: The 2013 rule's look-back (0 under the 2020 rule).
        reentrants: 1 if non-active re-entrants may order.
        min_months_worked, min_months_out, benefit_mask, whole_spell: The re-entrant definition in force.
        first_time_only: 1 if only people who never used a cheque may order.
        job_seekers: 1 if registered job seekers who meet the re-entrant definition may order.
    """

    worker_rule: int
    months_required: int
    window_months: int
    reentrants: int
    min_months_worked: int
    min_months_out: int
    benefit_mask: int
    whole_spell: int
    first_time_only: int
    job_seekers: int


def eligibility_rule(p: Mapping) -> EligibilityRule:
    """The rule in force under the parameters ``p``."""
    worker_rule = p["cheque.eligibility.worker_rule"]
    if worker_rule == "experience":
        required, window = p["cheque.eligibility.experience.months_required"], 0
    elif worker_rule == "recent_work":
        required = p["cheque.eligibility.recent_work.months_required"]
        window = p["cheque.eligibility.recent_work.window_months"]
    else:  # guarded by the parameter's allowed values
        raise ValueError(f"unknown worker rule '{worker_rule}'; allowed: {list(WORKER_RULES)}")
    return EligibilityRule(WORKER_RULES.index(worker_rule), int(required), int(window),
                           int(bool(p["cheque.eligibility.reentrant.enabled"])), *reentrant_rule(p),
                           int(bool(p["cheque.eligibility.first_time_only"])),
                           int(bool(p["cheque.eligibility.reentrant.registered_job_seekers"])))


@numba.njit(inline="always")
def eligible_row(i, month, rule, career, cheque1_month):
    """True if the person at row ``i`` may order a cheque in ``month`` (inlined into the calling loop).

    The 2013 rule is written as comparisons of the int16 columns with numbers: with ``R`` months required in a
    window ``W >= R``, a person at work qualifies when the current job already lasts ``R`` months, or when the
    gap before it is at most ``W - R`` and the current job plus earlier work reach ``R``
    (:func:`months_worked_in_window` is the plain count; the tests check that both agree).

    Args:
        rule: :class:`EligibilityRule`.
        career: :class:`model.people.reentrants.CareerColumns`.
        cheque1_month: Month of each person's latest cheque-1 start (``NO_MONTH``: never).
    """
    s = career.status[i]
    at_work = s == EMPLOYED
    start = np.int64(career.spell_start[i])
    worked = np.int64(career.months_worked_before_spell[i])
    required = rule.months_required
    if rule.worker_rule == EXPERIENCE:
        ok = at_work & (worked - start >= required - month)
    elif required <= 0:
        ok = at_work
    elif required > rule.window_months:
        ok = False
    else:
        long_job = start <= month - required
        short_gap = np.int64(career.gap_before_job[i]) <= rule.window_months - required
        ok = at_work & (long_job | (short_gap & (worked - start >= required - month)))
    if rule.reentrants:
        ok |= ((s == NON_ACTIVE) | ((s == JOBSEEKER) & (rule.job_seekers != 0))) & reentrant_row(i, month, career, rule)
    if rule.first_time_only:
        ok &= np.int64(cheque1_month[i]) == NO_MONTH
    return ok


@numba.njit(cache=True, nogil=True)
def eligible_rows(rows, month, rule, career, cheque1_month):
    """:func:`eligible_row` for each of ``rows``."""
    out = np.empty(len(rows), dtype=np.bool_)
    for j in range(len(rows)):
        out[j] = eligible_row(rows[j], month, rule, career, cheque1_month)
    return out


@numba.njit(cache=True, parallel=True)
def eligible_everybody(month, rule, career, cheque1_month):
    """:func:`eligible_row` for every row, on the cores."""
    n = len(career.status)
    out = np.empty(n, dtype=np.bool_)
    bounds = chunk_bounds(n)
    for c in numba.prange(CHUNKS):  # each row on its own: the same with any threads
        for i in range(bounds[c], bounds[c + 1]):
            out[i] = eligible_row(i, month, rule, career, cheque1_month)
    return out


def is_eligible(pop: Population, month: int, p: Mapping, rows: np.ndarray | None = None) -> np.ndarray:
    """Whether each person of ``rows`` (default: every row) may order a cheque this month under the rules in force."""
    rule, career = eligibility_rule(p), career_columns(pop)
    if rows is None:
        return eligible_everybody(month, rule, career, pop.cheque1_month)
    return eligible_rows(np.asarray(rows, dtype=np.intp), month, rule, career, pop.cheque1_month)


def months_worked_in_window(pop: Population, month: int, window_months: int, rows=slice(None)) -> np.ndarray:
    """Months worked in the last ``window_months`` months, for people at work (the 2013 rule as a plain count).

    The current work spell counts in full up to the window; before it lies the
    gap out of work (``gap_before_job``) and, before that, earlier work, taken
    as one block ending at the gap (the history is not stored month by month).
    People not at work get 0.
    """
    at_work = pop.status[rows] == codes.EMPLOYED
    spell = pop.spell_months(month, rows)
    current = np.minimum(spell, window_months)
    room = window_months - spell - pop.gap_before_job[rows].astype(np.int32)
    earlier = np.clip(room, 0, pop.months_worked_before_spell[rows].astype(np.int32))
    return np.where(at_work, current + earlier, 0)


class Eligible:
    """Who may order a cheque this month (:func:`is_eligible`), worked out for the rows that are asked about.

    Most processes ask about a few rows (candidates for uptake, people on a
    waiting list), and the stocks apply the rule in their own pass
    (:attr:`rule`), so nobody pays a pass over everybody to make the whole
    column first; :attr:`mask` makes it when it is needed. The columns the rule
    reads are written by the labour market and the centre queue, so the answer
    is the same anywhere between those two in the month.

    Args:
        pop: The population (as the eligibility process sees it).
        month: The month number.
        p: Parameters in force (``cheque.eligibility.``).

    Attributes:
        rule: The rule in force (:class:`EligibilityRule`), for kernels.
        career: The career columns the rule reads, for kernels.
        cheque1_month: The column of first cheques the rule reads, for kernels.
    """

    def __init__(self, pop: Population, month: int, p: Mapping):
        self.month = month
        self.rule = eligibility_rule(p)
        self.career: CareerColumns = career_columns(pop)
        self.cheque1_month: np.ndarray = pop.cheque1_month
        self._mask: np.ndarray | None = None

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        """Whether each person of ``rows`` (an array of rows) may order."""
        if self._mask is not None:
            return self._mask[rows]
        return eligible_rows(np.asarray(rows, dtype=np.intp), self.month, self.rule, self.career, self.cheque1_month)

    @property
    def mask(self) -> np.ndarray:
        """Everybody's eligibility, a boolean column (made on first use)."""
        if self._mask is None:
            self._mask = eligible_everybody(self.month, self.rule, self.career, self.cheque1_month)
        return self._mask
