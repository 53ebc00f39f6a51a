"""The month's labour-market moves in one pass over every person (see :func:`.moves.decide_moves`).

The pass gives each person one uniform of their state's stream and lays the
outcomes out as consecutive intervals (base moves first, then the guidance
effects of recent users), so a person's base outcome is the same in every
scenario. An out-of-work person's job-finding weight is divided by the mean
weight of their state and cell (sex, education, migration, disability and age band), taken over
everybody a month before; the
same pass adds up this month's weights for the next month's mean.
:func:`job_finding_weights` makes the mean of the month itself, where there is
no month before (or the weights' parameters change).

The kernels take their arrays grouped in named tuples (:class:`AgeCells`,
:class:`LabourColumns`, :class:`WeightTables`, :class:`Guidance`,
:class:`MoveOutcomes`), so that no array can be handed in the wrong place.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from ...engine.randomness import row_uniform
from ...engine.rows import CHUNKS, chunk_bounds, joined
from ...people.codes import EMPLOYED, JOBSEEKER, NO_MONTH, NON_ACTIVE

# Move codes written per row by :func:`decide`.
STAY, WORK_TO_JOBSEEKER, WORK_TO_NON_ACTIVE, JOBSEEKER_TO_WORK, JOBSEEKER_TO_NON_ACTIVE, NON_ACTIVE_TO_WORK, \
    NON_ACTIVE_TO_JOBSEEKER = range(7)


class AgeCells(NamedTuple):
    """How a person's age cell is made: static cell x single year of age.

    Attributes:
        year_of_age: Single year of age (0 = 20 ... 44 = 64) of every age in months.
        n_years: Single years of age.
        weight_group_of_cell: The group over which the job-finding weights of each age cell are averaged
            (static cell x age band, :data:`.hazards.WEIGHT_GROUP_OF_CELL`).
        n_weight_groups: Such groups.
    """

    year_of_age: np.ndarray
    n_years: int
    weight_group_of_cell: np.ndarray
    n_weight_groups: int


class LabourColumns(NamedTuple):
    """The person columns the moves and the job-finding weights read.

    Attributes:
        ready_weight: ``exp(loading x readiness)`` of each person (:func:`.moves.ready_weights`).
    """

    status: np.ndarray
    labour_cell_static: np.ndarray
    age_months: np.ndarray
    spell_start: np.ndarray
    followup_month: np.ndarray
    registered_from: np.ndarray
    ready_weight: np.ndarray


class WeightTables(NamedTuple):
    """The decay of the job-finding weights with months out (see :func:`raw_weights`).

    Attributes:
        non_active_decay: ``2 ** (-k / non_active_halving)`` for ``k`` = 0, 1, ... months out (computed beyond).
        non_active_halving: Months in which a non-active person's weight halves.
        ratio_by_reason: Job finding of a job seeker relative to a recent job loser, by the reason registered from.
        ratio_decay: Shape (2, months): row 0 all ones (registered from work), row 1 ``2 ** (-k / ratio_halving)``.
        ratio_halving: Months in which that ratio halves.
    """

    non_active_decay: np.ndarray
    non_active_halving: float
    ratio_by_reason: np.ndarray
    ratio_decay: np.ndarray
    ratio_halving: float


class Guidance(NamedTuple):
    """The effects of guidance on recent users, and the columns that say who they are.

    Attributes:
        cheque1_month: Month of each person's latest cheque-1 start.
        job_change_month: Month of each person's latest job change after guidance.
        quality: Quality multiplier of each person's guidance.
        duration: Months a cheque-1 start counts as recent (``behaviour.guidance_effect.duration_months``).
        stay_effect: Mean reduction of employed users' exits to non-activity.
        job_change_effect: Mean reduction of the separations after a job change.
        extra_job_finding: Mean extra monthly job-finding rate of out-of-work users.
    """

    cheque1_month: np.ndarray
    job_change_month: np.ndarray
    quality: np.ndarray
    duration: int
    stay_effect: float
    job_change_effect: float
    extra_job_finding: float


class MoveOutcomes(NamedTuple):
    """What a move brings: a non-activity reason, benefits, self-employment.

    Attributes:
        reason_cumulative: Cumulative shares of the non-active reasons per age cell.
        benefit_probability: State x benefit (states as :data:`model.people.synthesis.STATES`).
        benefit_bits: The bit of each benefit.
        benefit_on_job_loss: Probability of an unemployment benefit for people losing their job for the register.
        unemployment_bit: The unemployment benefit's bit.
        self_employed_share: Probability that a person starting work is self-employed.
    """

    reason_cumulative: np.ndarray
    benefit_probability: np.ndarray
    benefit_bits: np.ndarray
    benefit_on_job_loss: float
    unemployment_bit: int
    self_employed_share: float


class MoverColumns(NamedTuple):
    """The columns a move changes (and the age cell's columns)."""

    labour_cell_static: np.ndarray
    age_months: np.ndarray
    status: np.ndarray
    self_employed: np.ndarray
    inactive_reason: np.ndarray
    months_worked_before_spell: np.ndarray
    spell_start: np.ndarray
    gap_before_job: np.ndarray
    benefits_in_spell: np.ndarray
    benefits_now: np.ndarray
    benefit_end_month: np.ndarray
    registered_from: np.ndarray


@numba.njit(inline="always")
def age_cell(i, c, ages):
    """The age cell of row ``i`` (static cell x single year of age), unsigned (inlined)."""
    year = ages.year_of_age[np.uint64(min(c.age_months[i], len(ages.year_of_age) - 1))]
    return np.uint64(c.labour_cell_static[i]) * np.uint64(ages.n_years) + np.uint64(year)


@numba.njit(inline="always")
def raw_weights(i, month, c, w):
    """The raw job-finding weight of row ``i`` as a non-active person and as a job seeker (inlined into the loops).

    The non-active weight is ``exp(loading x readiness) x 2 ** (-months out /
    halving)``; a job seeker's is ``exp(loading x readiness)`` times the
    formerly non-active ratio of the reason registered from, which halves
    with months out (1 for people registered from work).

    Args:
        c: :class:`LabourColumns`.
        w: :class:`WeightTables`.
    """
    months_out = max(month - c.spell_start[i], 0)
    ready = np.float64(c.ready_weight[i])
    reason = np.uint64(c.registered_from[i])
    if months_out < len(w.non_active_decay):
        w_na = ready * w.non_active_decay[np.uint64(months_out)]
        w_js = ready * w.ratio_by_reason[reason] * w.ratio_decay[min(reason, np.uint64(1)), np.uint64(months_out)]
    else:  # beyond the tables (rare): the same values, computed
        w_na = ready * np.exp2(-months_out / w.non_active_halving)
        w_js = ready * w.ratio_by_reason[reason] * (np.exp2(-months_out / w.ratio_halving) if reason > 0 else 1.0)
    return w_na, w_js


@numba.njit(inline="always")
def in_followup(i, c):
    """True for a job seeker registered through VDAB follow-up in the current spell (inlined)."""
    return (c.status[i] == JOBSEEKER) & (c.followup_month[i] != NO_MONTH) & (c.followup_month[i] >= c.spell_start[i])


@numba.njit(parallel=True, cache=True)
def job_finding_weights(month, c, ages, w, weight):
    """Each out-of-work person's raw job-finding weight (:func:`raw_weights`) into ``weight``, and its sums.

    Job seekers registered through VDAB follow-up count in the non-active
    means with their non-active weight, and not in the job seekers' means.
    Branch-free (the status of neighbouring rows is unpredictable): every row
    adds, with weight 0 where it does not count.

    Returns:
        Sums of shape (CHUNKS, 4, n_weight_groups): non-active weights and people, job seekers' weights and people.
    """
    status = c.status
    bounds = chunk_bounds(len(status))
    out = np.zeros((CHUNKS, 4, ages.n_weight_groups))
    for chunk in numba.prange(CHUNKS):
        # per-chunk sums in local arrays, indexed with unsigned numbers (no negative-index checks)
        sums = np.zeros((4, ages.n_weight_groups))
        # The out-of-work rows of the chunk first, without a branch (the status of neighbouring rows is
        # unpredictable, and a mispredicted branch costs more than the store), then the work on them only.
        rows = np.empty(bounds[chunk + 1] - bounds[chunk], dtype=np.uint64)
        k = 0
        for i in range(bounds[chunk], bounds[chunk + 1]):
            rows[k] = i
            s = status[i]
            k += (s == JOBSEEKER) | (s == NON_ACTIVE)
        for j in range(k):
            i = rows[j]
            s = status[i]
            jobseeker = s == JOBSEEKER
            non_active = s == NON_ACTIVE
            followup = in_followup(i, c)
            group = np.uint64(ages.weight_group_of_cell[age_cell(i, c, ages)])
            w_na, w_js = raw_weights(i, month, c, w)
            in_na = non_active | followup
            in_js = jobseeker & ~followup
            sums[0, group] += w_na * in_na
            sums[1, group] += in_na
            sums[2, group] += w_js * in_js
            sums[3, group] += in_js
            weight[i] = w_na if non_active else w_js
        out[chunk] = sums
    return out


@numba.njit(parallel=True, cache=True)
def decide(month, c, ages, w, guidance, first_hazard, second_hazard, keys, mean):
    """The move of every person this month, and the sums that make next month's mean job-finding weights.

    Each person's uniform comes from their state's stream. The outcomes are
    consecutive intervals: at work, ``[0, s_J)`` to job seeker and ``[s_J, s_J +
    s_N)`` to non-active (a recent user's intervals shrink from their start:
    whoever moves with the effect would have moved the same way without it);
    out of work, ``[0, f_E w)`` to work, ``[f_E w, f_E w + f_O)`` to the other
    state, then the recent user's extra rate to work. The common test of people
    at work (is the uniform below the top of both intervals?) comes first; the
    few below it are sorted out with branches.

    An out-of-work person's weight ``w`` is the raw weight (:func:`raw_weights`)
    over ``mean``, the mean raw weight of their state and weight group (cell and age band); the sums of
    this month's raw weights (as :func:`job_finding_weights`) are returned for
    the next month's mean, so one pass does both.

    Args:
        c: :class:`LabourColumns`; ages: :class:`AgeCells`; w: :class:`WeightTables`; guidance: :class:`Guidance`.
        first_hazard, second_hazard: By status and age cell: at work ``s_J`` and ``s_N``; job seekers
            ``f_JE`` and ``f_JN``; non-active ``f_NE`` and ``f_NJ``; 0 for free rows.
        keys: Stream keys by status (separation, job seeker exit, non-active exit, and 0 for free rows).
        mean: Mean raw weight by status and weight group (1 at work and for free rows).

    Returns:
        ``(movers, codes, sums)``: the movers' rows in increasing order, their move codes, and the sums
        of :func:`job_finding_weights`.
    """
    status = c.status
    bounds = chunk_bounds(len(status))
    first_recent, last_recent = month - guidance.duration, month - 1
    # Each chunk writes its movers from its own first row on (a few percent of the rows: only the pages
    # written are ever touched), then they are put together in order.
    rows = np.empty(len(status), dtype=np.int64)
    moves = np.empty(len(status), dtype=np.int8)
    counts = np.zeros(CHUNKS, dtype=np.uint64)
    sums_out = np.zeros((CHUNKS, 4, ages.n_weight_groups))
    for chunk in numba.prange(CHUNKS):
        k = bounds[chunk]
        sums = np.zeros((4, ages.n_weight_groups))  # per chunk, added in order at the end: the same with any threads
        for i in range(bounds[chunk], bounds[chunk + 1]):
            s = status[i]
            if s > NON_ACTIVE:  # a free row
                continue
            su = np.uint64(s)
            cell = age_cell(i, c, ages)
            u = row_uniform(keys[su], i)
            group = np.uint64(ages.weight_group_of_cell[cell])
            out_of_work = s != EMPLOYED
            if not out_of_work:
                if u >= first_hazard[0, cell] + second_hazard[0, cell]:
                    continue  # most people at work: no move (the effects at work only shrink the intervals)
                weight = 1.0
            else:
                jobseeker = s == JOBSEEKER
                followup = in_followup(i, c)
                w_na, w_js = raw_weights(i, month, c, w)
                in_na = ~jobseeker | followup
                in_js = jobseeker & ~followup
                sums[0, group] += w_na * in_na
                sums[1, group] += in_na
                sums[2, group] += w_js * in_js
                sums[3, group] += in_js
                weight = w_js if jobseeker else w_na
            first = first_hazard[su, cell] * (weight / mean[su, group])
            base = min(first + second_hazard[su, cell], 1.0)
            recent = (first_recent <= guidance.cheque1_month[i]) & (guidance.cheque1_month[i] <= last_recent)
            q = np.float64(guidance.quality[i]) if recent else 1.0
            extra = guidance.extra_job_finding * q * (recent & out_of_work)
            if u >= base + extra:
                continue
            if s == EMPLOYED:
                s_j, s_n = first, base - first
                stay, match = 1.0, 1.0
                if recent:
                    stay = min(max(1.0 - guidance.stay_effect * q, 0.0), 1.0)
                    changed = guidance.job_change_month[i]
                    if changed > month - guidance.duration and changed >= c.spell_start[i]:
                        match = min(max(1.0 - guidance.job_change_effect * q, 0.0), 1.0)
                code = STAY
                if u < s_j * match:
                    code = WORK_TO_JOBSEEKER
                elif u >= s_j and u < s_j + s_n * stay * match:
                    code = WORK_TO_NON_ACTIVE
            elif u < min(first, 1.0) or u >= base:
                code = JOBSEEKER_TO_WORK if s == JOBSEEKER else NON_ACTIVE_TO_WORK
            else:
                code = JOBSEEKER_TO_NON_ACTIVE if s == JOBSEEKER else NON_ACTIVE_TO_JOBSEEKER
            rows[k] = i
            moves[k] = code
            k += np.uint64(code != STAY)
        counts[chunk] = k - bounds[chunk]
        sums_out[chunk] = sums
    return joined(rows, bounds, counts), joined(moves, bounds, counts), sums_out


@numba.njit(parallel=True, cache=True)
def apply(movers, codes, month, reason_key, benefit_key, ages, c, outcomes):
    """Carry out the month's moves (rows ``movers`` with move ``codes``), one loop over the movers.

    People leaving work keep their months worked and start an out-of-work spell;
    people becoming non-active get a reason by their cell's reason shares and
    benefits by reason; people losing their job for the register get an
    unemployment benefit with probability ``benefit_on_job_loss``; job seekers
    becoming non-active keep their spell (benefits add up; the benefits received
    now are the new status's, and the end of the earlier ones is dated); people
    starting work are self-employed with probability ``self_employed_share``;
    non-active people who register keep their spell (their benefit ends). The uniforms are the person's own
    (streams ``destination_reason`` and ``benefit``).

    Args:
        reason_key, benefit_key: The keys of the month's streams ``destination_reason`` and ``benefit``.
        ages: :class:`AgeCells`; c: :class:`MoverColumns`; outcomes: :class:`MoveOutcomes`.
    """
    n_reasons = outcomes.reason_cumulative.shape[1]
    last_age = len(ages.year_of_age) - 1
    bounds = chunk_bounds(len(movers))
    # the columns written, out of their tuple first: a parallel loop's writes into an array held in a tuple are lost
    status, self_employed, inactive_reason, registered_from = c.status, c.self_employed, c.inactive_reason, \
        c.registered_from
    months_worked_before_spell, spell_start, gap_before_job, benefits_in_spell = c.months_worked_before_spell, \
        c.spell_start, c.gap_before_job, c.benefits_in_spell
    benefits_now, benefit_end_month = c.benefits_now, c.benefit_end_month
    for chunk in numba.prange(CHUNKS):  # every mover's own rows and uniforms: the same with any threads
        for j in range(bounds[chunk], bounds[chunk + 1]):
            i = movers[j]
            code = codes[j]
            if code == WORK_TO_JOBSEEKER or code == WORK_TO_NON_ACTIVE or code == JOBSEEKER_TO_NON_ACTIVE:
                if code == WORK_TO_JOBSEEKER:
                    new_status, reason = JOBSEEKER, 0
                    benefits = outcomes.unemployment_bit if row_uniform(benefit_key, i) < outcomes.benefit_on_job_loss else 0
                else:
                    new_status = NON_ACTIVE
                    u = row_uniform(reason_key, i)
                    cell = np.int64(c.labour_cell_static[i]) * ages.n_years + ages.year_of_age[
                        min(np.int64(c.age_months[i]), last_age)]
                    index = 0
                    for k in range(n_reasons):
                        if u >= outcomes.reason_cumulative[cell, k]:
                            index += 1
                    index = min(index, n_reasons - 1)
                    reason = index + 1  # codes.REASON[1:] matches the non-active states
                    u = row_uniform(benefit_key, i)
                    benefits, low = 0, 0.0
                    for b in range(len(outcomes.benefit_bits)):
                        high = low + outcomes.benefit_probability[index + 2, b]
                        if low <= u < high:
                            benefits |= outcomes.benefit_bits[b]
                        low = high
                if code == JOBSEEKER_TO_NON_ACTIVE:  # the out-of-work spell goes on: benefits add up
                    benefits_in_spell[i] |= benefits
                    if benefits_now[i] != 0:  # the job seeker's benefit ends as they leave the register
                        benefit_end_month[i] = month - 1
                else:
                    worked = np.int64(months_worked_before_spell[i]) + month - spell_start[i]
                    months_worked_before_spell[i] = min(worked, 32000)
                    spell_start[i] = month
                    benefits_in_spell[i] = benefits
                    benefit_end_month[i] = NO_MONTH
                    self_employed[i] = False
                benefits_now[i] = benefits
                status[i] = new_status
                inactive_reason[i] = reason
                registered_from[i] = 0
            elif code == JOBSEEKER_TO_WORK or code == NON_ACTIVE_TO_WORK:
                gap_before_job[i] = min(np.int64(month) - spell_start[i], 32000)
                spell_start[i] = month
                status[i] = EMPLOYED
                inactive_reason[i] = 0
                benefits_in_spell[i] = 0
                benefits_now[i] = 0
                benefit_end_month[i] = NO_MONTH
                self_employed[i] = row_uniform(reason_key, i) < outcomes.self_employed_share
                registered_from[i] = 0
            elif code == NON_ACTIVE_TO_JOBSEEKER:
                if benefits_now[i] != 0:  # a non-active person's benefit ends with the registration
                    benefit_end_month[i] = month - 1
                    benefits_now[i] = 0
                registered_from[i] = inactive_reason[i]
                status[i] = JOBSEEKER
                inactive_reason[i] = 0


# The states of the two futures of :func:`expected_gains`: at work; out of work in the spell going on (as a job
# seeker or non-active); out of work in a spell that a later exit from work starts (as a job seeker or non-active).
AT_WORK, JOBSEEKER_SPELL, NON_ACTIVE_SPELL, JOBSEEKER_NEW, NON_ACTIVE_NEW = range(5)


class Futures(NamedTuple):
    """The hazards that drive a person's two futures (:func:`expected_gains`), all for the person's age cell now.

    Attributes:
        work_to_jobseeker, work_to_non_active: Exit hazards at work.
        jobseeker_to_work, jobseeker_to_non_active, non_active_to_work, non_active_to_jobseeker: The cell's
            hazards out of work; the hazards to work are already divided by the mean weight of their state.
        ready: ``exp(loading x readiness)``.
        reason: Reason registered from (0: from work), or for a non-active person the reason they would.
        spell: Months out of work in the spell going on, this month.
    """

    work_to_jobseeker: float
    work_to_non_active: float
    jobseeker_to_work: float
    jobseeker_to_non_active: float
    non_active_to_work: float
    non_active_to_jobseeker: float
    ready: float
    reason: np.uint64
    spell: np.int64


@numba.njit(inline="always")
def _decay(k, non_active, reason, w):
    """A job-finding weight's decay after ``k`` months out (without readiness), non-active or registered from ``reason``."""
    if non_active:
        return w.non_active_decay[np.uint64(k)] if k < len(w.non_active_decay) else np.exp2(-k / w.non_active_halving)
    if reason == 0:
        return 1.0
    ratio = w.ratio_by_reason[reason]
    return ratio * (w.ratio_decay[1, np.uint64(k)] if k < w.ratio_decay.shape[1] else np.exp2(-k / w.ratio_halving))


@numba.njit(inline="always")
def _out(to_work, to_other):
    """An out-of-work state's hazards to work and to the other state, laid out as the kernel does (at most 1)."""
    work = min(to_work, 1.0)
    return work, min(to_other, 1.0 - work)


@numba.njit(inline="always")
def _gain(with_it, without, first_lag, lags, month, last_year_first, f, w):
    """Months at work of the future ``with_it`` less those of ``without`` (chances of each state), to lag ``lags``.

    Both futures move with the same hazards (the person's now, without
    guidance: a later month's effect is a term of its own, counted in that
    month along the simulated life, so the terms add up to the whole effect,
    each month's effect given the guidance before it). The moves are linear in
    the chances, so only their difference ``d`` is followed, in five scalars (no
    array per month); a month's moves come first from ``first_lag`` on. When
    what is left of ``d`` could no longer add a thousandth of a month, the rest
    is left out.

    Returns:
        ``(all months, months of the last year)``.
    """
    d0, d1, d2, d3, d4 = (with_it[AT_WORK] - without[AT_WORK], with_it[JOBSEEKER_SPELL] - without[JOBSEEKER_SPELL],
                          with_it[NON_ACTIVE_SPELL] - without[NON_ACTIVE_SPELL],
                          with_it[JOBSEEKER_NEW] - without[JOBSEEKER_NEW], with_it[NON_ACTIVE_NEW] - without[NON_ACTIVE_NEW])
    s_j, s_n = f.work_to_jobseeker, f.work_to_non_active
    # the hazards of the new spells do not change with the months (their weight is the person's, undecayed)
    jn_work, jn_other = _out(f.jobseeker_to_work * f.ready, f.jobseeker_to_non_active)
    nn_work, nn_other = _out(f.non_active_to_work * f.ready, f.non_active_to_jobseeker)
    total, last = 0.0, 0.0
    for k in range(lags + 1):
        if k >= first_lag:
            months = f.spell + k
            js_work, js_other = _out(f.jobseeker_to_work * f.ready * _decay(months, False, f.reason, w),
                                     f.jobseeker_to_non_active)
            ns_work, ns_other = _out(f.non_active_to_work * f.ready * _decay(months, True, f.reason, w),
                                     f.non_active_to_jobseeker)
            d0, d1, d2, d3, d4 = (
                d0 * (1.0 - s_j - s_n) + d1 * js_work + d2 * ns_work + d3 * jn_work + d4 * nn_work,
                d1 * (1.0 - js_work - js_other) + d2 * ns_other,
                d2 * (1.0 - ns_work - ns_other) + d1 * js_other,
                d0 * s_j + d3 * (1.0 - jn_work - jn_other) + d4 * nn_other,
                d0 * s_n + d4 * (1.0 - nn_work - nn_other) + d3 * jn_other)
        total += d0
        if month + k >= last_year_first:
            last += d0
        if abs(d0) + abs(d1) + abs(d2) + abs(d3) + abs(d4) < 1e-3 / (lags + 1):
            break  # the rest cannot add a thousandth of a month
    return total, last


@numba.njit(parallel=True, cache=True)
def expected_gains(rows, reasons, month, c, ages, w, guidance, first_hazard, second_hazard, mean, horizon):
    """The expected months at work that this month's guidance or registration brings each person (a conditional expectation).

    For a recent user out of work, guidance adds the interval ``[base, base +
    extra)`` to work (:func:`decide`): with that probability ``p`` this month's
    move is to work where it would have been none. For an employed recent
    user, it shrinks the exit intervals: with probability ``p`` (the part cut
    off) the person stays at work where they would have left. A non-active
    user whom follow-up could register this month (``p``: the chance it does)
    moves from now on as a job seeker where they would have stayed non-active.
    The person then has two futures, with and without that change, and each
    is followed as the chance of five states (at work; out in the spell going
    on, as job seeker or non-active, with the person's own weight decaying
    with months out; out in a spell a later exit starts), month by month to
    the horizon, with the person's hazards now and no guidance (:func:`_step`);
    the gain is the difference of their months at work. Summed along the
    simulated life, month by month, these terms are the whole effect of the
    guidance a life had (each month's effect given the guidance before it,
    with the later months' effects their own terms). Ageing, next years'
    tables and the mean weights' drift are left out: that is the estimator's
    approximation, and its agreement with the simulated difference is tested.

    Args:
        rows: The rows (recent users, or people registered this month).
        reasons: Per row, the reason a job seeker registered from, or for a non-active person the reason they
            are non-active (what they would register from).
        c: :class:`LabourColumns`; ages: :class:`AgeCells`; w: :class:`WeightTables`; guidance: :class:`Guidance`.
        first_hazard, second_hazard, mean: As :func:`decide`.
        horizon: ``(last recorded month, first month of the last year, months of the last year, exit age in
            months, registering)``: ``registering`` is the chance that follow-up registers each of ``rows``
            this month (0: ``rows`` are recent users). The gain of registering is taken over everybody it could
            register, whether chance registered them or not (a job seeker now, or still non-active), each with
            that chance: a conditional expectation of the draw too.

    Returns:
        ``(p, months, last_year)``: per row, the probability of the change, that probability times the months at
        work gained to the last recorded month, and times the months gained in the last year divided by its
        months (its share of the last year's average of people at work).
    """
    last_month, last_year_first, last_year_months, exit_age, registering = horizon
    registered = registering > 0.0
    n = len(rows)
    p_out = np.zeros(n)
    months_out = np.zeros(n)
    last_out = np.zeros(n)
    js, na = np.uint64(JOBSEEKER), np.uint64(NON_ACTIVE)
    for j in numba.prange(n):
        i = rows[j]
        s = c.status[i]
        if s > NON_ACTIVE or (registered and s == EMPLOYED):
            continue
        cell = age_cell(i, c, ages)
        group = np.uint64(ages.weight_group_of_cell[cell])
        recent = guidance.cheque1_month[i] >= month - guidance.duration and guidance.cheque1_month[i] < month
        q = np.float64(guidance.quality[i]) if recent else 0.0
        stay = min(max(1.0 - guidance.stay_effect * q, 0.0), 1.0)
        s_j, s_n = first_hazard[0, cell], second_hazard[0, cell]
        f = Futures(s_j, s_n, first_hazard[js, cell] / mean[js, group], second_hazard[js, cell],
                    first_hazard[na, cell] / mean[na, group], second_hazard[na, cell], np.float64(c.ready_weight[i]),
                    np.uint64(reasons[j]), np.int64(max(month - c.spell_start[i], 0)))
        with_it, without = np.zeros(5), np.zeros(5)
        first_lag = 1  # this month's move is the change itself
        if registered:
            p, first_lag = registering, 0  # registered before the month's moves, which come next
            with_it[JOBSEEKER_SPELL] = 1.0
            without[NON_ACTIVE_SPELL] = 1.0
        elif s == EMPLOYED:
            match = 1.0
            changed = guidance.job_change_month[i]
            if changed > month - guidance.duration and changed >= c.spell_start[i]:
                match = min(max(1.0 - guidance.job_change_effect * q, 0.0), 1.0)
            p_j, p_n = s_j * (1.0 - match), s_n * (1.0 - stay * match)
            p = p_j + p_n
            with_it[AT_WORK] = 1.0
            if p > 0.0:
                without[JOBSEEKER_NEW], without[NON_ACTIVE_NEW] = p_j / p, p_n / p
        else:
            w_na, w_js = raw_weights(i, month, c, w)
            weight = w_js if s == JOBSEEKER else w_na
            base = min(first_hazard[np.uint64(s), cell] * (weight / mean[np.uint64(s), group])
                       + second_hazard[np.uint64(s), cell], 1.0)
            p = min(guidance.extra_job_finding * q, max(1.0 - base, 0.0))
            with_it[AT_WORK] = 1.0
            without[JOBSEEKER_SPELL if s == JOBSEEKER else NON_ACTIVE_SPELL] = 1.0
        if p <= 0.0:
            continue
        lags = min(last_month - month, exit_age - 1 - c.age_months[i])
        total, last = _gain(with_it, without, first_lag, lags, month, last_year_first, f, w)
        p_out[j] = p
        months_out[j] = p * total
        last_out[j] = p * last / last_year_months
    return p_out, months_out, last_out
