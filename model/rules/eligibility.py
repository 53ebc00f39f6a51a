"""Who may order a cheque: the 2013 rule, the 2020 rule and the re-entrant extension."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from .. import codes
from ..population import Population
from .cheques import never_used


def benefit_mask(names: Iterable[str]) -> int:
    """Bit mask of the benefits named (``codes.BENEFITS``)."""
    mask = 0
    for name in names:
        if name not in codes.BENEFIT_BIT:
            raise ValueError(f"unknown benefit '{name}'; allowed: {list(codes.BENEFITS)}")
        mask |= codes.BENEFIT_BIT[name]
    return mask


def months_worked_in_window(pop: Population, month: int, window_months: int, idx=slice(None)) -> np.ndarray:
    """Months worked in the last ``window_months`` months, for people at work.

    The current work spell counts in full up to the window; before it lies the
    gap out of work (``gap_before_job``) and, before that, earlier work, taken
    as one block ending at the gap (the history is not stored month by month).
    People not at work get 0.
    """
    at_work = pop.status[idx] == codes.EMPLOYED
    spell = pop.spell_months(month, idx)
    current = np.minimum(spell, window_months)
    room = window_months - spell - pop.gap_before_job[idx].astype(np.int32)
    earlier = np.clip(room, 0, pop.months_worked_before_spell[idx].astype(np.int32))
    return np.where(at_work, current + earlier, 0)


def meets_recent_work_rule(pop: Population, month: int, months_required: int, window_months: int, idx=slice(None)) -> np.ndarray:
    """2013 rule: at work now, with ``months_required`` months of work in the last ``window_months``.

    The same as ``months_worked_in_window(...) >= months_required`` (tested), in
    comparisons of the int16 columns with numbers, without wider copies: with
    ``R`` required in a window ``W >= R``, a person at work qualifies when the
    current job already lasts ``R`` months, or when the gap before it is at most
    ``W - R`` and the current job plus earlier work reach ``R``.
    """
    at_work = pop.status[idx] == codes.EMPLOYED
    if months_required <= 0:
        return at_work
    if months_required > window_months:
        return np.zeros_like(at_work)
    start = pop.spell_start[idx]
    long_job = start <= month - months_required
    # months worked before + current job >= R, i.e. before - start >= R - month (kept in int16)
    enough = (pop.months_worked_before_spell[idx] - start) >= months_required - month
    short_gap = pop.gap_before_job[idx] <= window_months - months_required
    return at_work & (long_job | (short_gap & enough))


def meets_experience_rule(pop: Population, month: int, months_required: int, idx=slice(None)) -> np.ndarray:
    """2020 rule: at work now, with at least ``months_required`` months of work experience."""
    at_work = pop.status[idx] == codes.EMPLOYED
    # months worked = before + (month - spell_start) >= required, kept in int16 (no copies).
    return at_work & ((pop.months_worked_before_spell[idx] - pop.spell_start[idx]) >= months_required - month)


def is_reentrant(pop: Population, month: int, p: Mapping, idx=slice(None)) -> np.ndarray:
    """The resolution's re-entrant definition, whether or not it opens the cheque.

    Worked at least ``min_months_worked`` months, then at least
    ``min_months_out_of_work`` months neither employed nor self-employed, with
    no disqualifying benefit in that spell. Registration at VDAB is not needed.
    """
    prefix = "cheque.eligibility.reentrant."
    status = pop.status[idx]
    out_of_work = (status == codes.JOBSEEKER) | (status == codes.NON_ACTIVE)
    worked = pop.months_worked_before_spell[idx] >= p[prefix + "min_months_worked"]
    long_out = pop.spell_start[idx] <= month - p[prefix + "min_months_out_of_work"]
    no_benefit = (pop.benefits_in_spell[idx] & benefit_mask(p[prefix + "disqualifying_benefits"])) == 0
    return out_of_work & worked & long_out & no_benefit


def is_eligible(pop: Population, month: int, p: Mapping, idx=slice(None)) -> np.ndarray:
    """Whether each person may order a cheque this month under the rules in force.

    Workers qualify under the worker rule in force (2013 recent-work rule or
    2020 experience rule). Where the re-entrant extension is on, non-active
    re-entrants qualify too; registered job seekers do not (VDAB serves them).
    Under ``cheque.eligibility.first_time_only`` (the rules of November 2025),
    only people who never used a cheque qualify.
    """
    rule = p["cheque.eligibility.worker_rule"]
    if rule == "recent_work":
        eligible = meets_recent_work_rule(
            pop, month,
            p["cheque.eligibility.recent_work.months_required"],
            p["cheque.eligibility.recent_work.window_months"], idx,
        )
    elif rule == "experience":
        eligible = meets_experience_rule(pop, month, p["cheque.eligibility.experience.months_required"], idx)
    else:  # guarded by the parameter's allowed values
        raise ValueError(f"unknown worker rule '{rule}'")
    if p["cheque.eligibility.reentrant.enabled"]:
        non_active = pop.status[idx] == codes.NON_ACTIVE
        eligible = eligible | (non_active & is_reentrant(pop, month, p, idx))
    if p["cheque.eligibility.first_time_only"]:
        eligible &= never_used(pop, idx)
    return eligible


WORKER_RULES = ("experience", "recent_work")  # codes of the compiled rule (model.kernels.eligibility)


class Eligible:
    """Who may order a cheque this month (:func:`is_eligible`), worked out for the rows that are asked about.

    Most processes ask about a few rows (candidates for uptake, people on a
    waiting list), and the stocks are counted with the rule compiled into
    their own pass (:meth:`rule`), so nobody pays a pass over everybody to
    make the whole column first; :attr:`mask` makes it when it is needed.
    The columns the rules read (status, months worked, spell, gap, benefits,
    first cheque) are written by the labour market and the centre queue, so
    the answer is the same anywhere between those two in the month.

    Args:
        pop: The population.
        month: The month number.
        p: Parameters in force (``cheque.eligibility.``).
    """

    def __init__(self, pop: Population, month: int, p: Mapping):
        self.pop, self.month, self.p = pop, month, p
        self._mask: np.ndarray | None = None

    def __getitem__(self, rows) -> np.ndarray:
        """Whether each person of ``rows`` may order (rows, a slice or a boolean mask)."""
        if self._mask is not None:
            return self._mask[rows]
        return is_eligible(self.pop, self.month, self.p, rows)

    @property
    def mask(self) -> np.ndarray:
        """Everybody's eligibility, a boolean column (made on first use)."""
        if self._mask is None:
            self._mask = is_eligible(self.pop, self.month, self.p)
        return self._mask

    def rule(self) -> tuple[int, ...]:
        """The rule in force as the numbers :func:`model.kernels.eligibility.eligible_row` takes."""
        p, prefix = self.p, "cheque.eligibility."
        worker_rule = p[prefix + "worker_rule"]
        if worker_rule == "experience":
            required, window = p[prefix + "experience.months_required"], 0
        else:
            required, window = (p[prefix + "recent_work.months_required"], p[prefix + "recent_work.window_months"])
        reentrant = prefix + "reentrant."
        return (WORKER_RULES.index(worker_rule), int(required), int(window), int(bool(p[reentrant + "enabled"])),
                int(p[reentrant + "min_months_worked"]), int(p[reentrant + "min_months_out_of_work"]),
                benefit_mask(p[reentrant + "disqualifying_benefits"]), int(bool(p[prefix + "first_time_only"])),
                codes.NO_MONTH)

    def columns(self) -> tuple[np.ndarray, ...]:
        """The columns :func:`model.kernels.eligibility.eligible_row` reads, in its order."""
        pop = self.pop
        return (pop.status, pop.months_worked_before_spell, pop.spell_start, pop.gap_before_job, pop.benefits_in_spell,
                pop.cheque1_month)
