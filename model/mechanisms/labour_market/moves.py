"""The month's moves between employed, registered job seeker and non-active: who moves, and what it changes.

:func:`decide_moves` decides every person's move from the start-of-month state
in one kernel pass (:func:`.kernel.decide`); :func:`apply_moves` carries them
out (:func:`.kernel.apply`). Who finds work among the people out of work is
set by their job-finding weights (:func:`job_finding_weights`): readiness,
time out and the reason they were out decide *who*, the hazards of
:mod:`.hazards` *how many*.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ...people import codes
from ...people.population import Population
from ...people.synthesis import AGES, SHAPE, STATES
from . import kernel
from .hazards import N_WEIGHT_GROUPS, WEIGHT_GROUP_OF_CELL, LabourHazards
from .reference import ReferenceMeans

# Single year of age (0 = 20 ... 44 = 64) of every age in months, clipped: one gather instead of arithmetic.
YEAR_OF_AGE_MONTHS = np.clip(np.arange(codes.EXIT_AGE_MONTHS + 1) // 12 - 20, 0, len(AGES) - 1).astype(np.intp)
AGE_CELLS = kernel.AgeCells(YEAR_OF_AGE_MONTHS, len(AGES), WEIGHT_GROUP_OF_CELL, N_WEIGHT_GROUPS)
DECAY_TABLE_MONTHS = 720  # 60 years: every spell of a person aged 20-64 started at 18 or later
SEPARATION_STREAMS = ("separation", "jobseeker_exit", "non_active_exit")  # the stream of each status's moves


def static_cells(pop: Population, rows=slice(None)) -> np.ndarray:
    """Cell without age (sex, education, migration, disability), 0-35, as uint8 (the column ``labour_cell_static``).

    These attributes never change for a person, so the model keeps this column
    and updates it only for new people.
    """
    s = SHAPE
    cell = ((pop.sex[rows].astype(np.uint8) * s[2] + pop.education[rows].astype(np.uint8)) * s[3]
            + pop.migration[rows].astype(np.uint8)) * s[4] + pop.work_disability[rows].view(np.uint8)
    return cell.astype(np.uint8)


def person_cells(pop: Population, rows: np.ndarray) -> np.ndarray:
    """Age cell (static cell x single year of age) of each person in ``rows``, as intp."""
    year = np.take(YEAR_OF_AGE_MONTHS, pop.age_months[rows], mode="clip")
    cell = pop.labour_cell_static[rows].astype(np.intp)
    cell *= len(AGES)
    cell += year
    return cell


@dataclass
class Moves:
    """Who moves this month: every mover's row, in order, and move code (:mod:`.kernel`)."""

    rows: np.ndarray
    codes: np.ndarray


def formerly_non_active_ratios(p: Mapping) -> np.ndarray:
    """Job-finding of a job seeker relative to a recent job loser, by the reason they registered from (index 0: from work).

    People who registered after a spell of non-activity find work at a ratio
    that depends on why they were non-active
    (``labour_market.formerly_non_active.job_finding_ratio``); the ratio falls
    by half every ``labour_market.formerly_non_active.halving_months`` months
    out of work (applied in the kernel).
    """
    prefix = "labour_market.formerly_non_active."
    return np.array([1.0] + [p[prefix + "job_finding_ratio"][r] for r in codes.REASON[1:]])


def ready_weights(pop: Population, p: Mapping, scratch: dict, renewed: np.ndarray | None = None) -> np.ndarray:
    """``exp(loading x readiness)`` of every person, kept in ``scratch`` for the loading in force.

    Readiness is fixed for a person, so the exponential is taken once for
    everybody (again only when ``behaviour.readiness.job_finding_loading``
    changes), then for the ``renewed`` rows, whose readiness was just drawn.
    """
    loading = np.float32(p["behaviour.readiness.job_finding_loading"])
    cached = scratch.get("ready_weight")
    if cached is None or scratch.get("loading") != loading or len(cached) != len(pop):
        cached = np.exp(loading * pop.readiness)
        scratch.update(ready_weight=cached, loading=loading)
    elif renewed is not None and len(renewed):
        cached[renewed] = np.exp(loading * pop.readiness[renewed])
    return cached


def weight_tables(p: Mapping) -> kernel.WeightTables:
    """The decay tables of the raw weights (:func:`.kernel.raw_weights`), of the usual spells; the kernels compute longer ones."""
    months = np.arange(DECAY_TABLE_MONTHS)
    non_active_halving = float(p["labour_market.non_active_halving_months"])
    ratio_halving = float(p["labour_market.formerly_non_active.halving_months"])
    ratio_decay = np.ones((2, len(months)))
    ratio_decay[1] = np.exp2(-months / ratio_halving)
    return kernel.WeightTables(np.exp2(-months / non_active_halving), non_active_halving,
                               formerly_non_active_ratios(p), ratio_decay, ratio_halving)


def labour_columns(pop: Population, ready_weight: np.ndarray) -> kernel.LabourColumns:
    """The columns the moves and the weights read (:class:`.kernel.LabourColumns`)."""
    return kernel.LabourColumns(pop.status, pop.labour_cell_static, pop.age_months, pop.spell_start,
                                pop.followup_month, pop.registered_from, ready_weight)


def weight_parameters(p: Mapping) -> tuple:
    """The parameters of the raw weights: when one changes, the month's mean is made afresh."""
    return (float(p["behaviour.readiness.job_finding_loading"]), float(p["labour_market.non_active_halving_months"]),
            float(p["labour_market.formerly_non_active.halving_months"]), tuple(formerly_non_active_ratios(p)))


def _means(sums: np.ndarray) -> np.ndarray:
    """Mean raw weight by status and weight group (cell x age band) from the kernels' sums per chunk.

    1 at work, for free rows and for empty groups.
    """
    na_sum, na_count, js_sum, js_count = sums.sum(axis=0)  # chunks added in order: the same with any threads
    mean = np.ones((len(codes.STATUS), N_WEIGHT_GROUPS))
    np.divide(na_sum, na_count, out=mean[codes.NON_ACTIVE], where=na_count > 0)
    np.divide(js_sum, js_count, out=mean[codes.JOBSEEKER], where=js_count > 0)
    return mean


def _weights_and_means(pop: Population, month: int, p: Mapping, weight: np.ndarray,
                       ready_weight: np.ndarray) -> np.ndarray:
    """Raw job-finding weights into ``weight``, and their mean by status and weight group (:func:`_means`)."""
    return _means(kernel.job_finding_weights(month, labour_columns(pop, ready_weight), AGE_CELLS, weight_tables(p),
                                             weight))


def job_finding_weights(pop: Population, month: int, p: Mapping) -> np.ndarray:
    """Each out-of-work person's job-finding hazard as a multiple of their cell's (0 for others).

    The raw weight is ``ratio x exp(loading x readiness)``: for non-active
    people ``ratio`` halves every ``labour_market.non_active_halving_months``
    months out of work; for job seekers it is the formerly non-active ratio
    (:func:`formerly_non_active_ratios`, halving with time out). It is divided
    by its mean over the people of the same state, cell (sex, education,
    migration, disability) and age band, so that the hazards of each cell keep
    their average: readiness, time
    out and the reason decide *who* finds work, not how many.

    The mean is taken over the same people in every scenario, as far as the
    scenario leaves them where they were: everybody in the state (users of
    guidance included: their base weight does not depend on the guidance),
    except that people who registered through VDAB follow-up count with the
    non-active people they would otherwise be, not with the job seekers. So a
    scenario moves other people's hazards only through the people it really
    moves to another state.
    """
    weight = np.zeros(len(pop), dtype=np.float32)
    mean = _weights_and_means(pop, month, p, weight, ready_weights(pop, p, {}))
    rows = np.flatnonzero((pop.status == codes.JOBSEEKER) | (pop.status == codes.NON_ACTIVE))
    group = WEIGHT_GROUP_OF_CELL[person_cells(pop, rows)]
    out = np.zeros(len(pop))
    out[rows] = weight[rows] / mean[pop.status[rows], group]
    return out


def decide_moves(pop: Population, month: int, p: Mapping, hazards: LabourHazards, streams,
                 scratch: dict | None = None, renewed: np.ndarray | None = None, data: dict | None = None,
                 reference: ReferenceMeans | None = None) -> Moves:
    """Decide one month of labour-market moves, all from the start-of-month state (one kernel pass).

    Employed people leave work with their cell's separation hazards; employed
    recent users of cheque 1 leave less often (guidance effect on staying in
    work, and a job change after guidance lowers both separation hazards).
    Job seekers and non-active people find work with the cell's hazard times
    their person weight (:func:`job_finding_weights`), plus, for recent users,
    the extra rate of the guidance effect. Each person has one uniform of
    their state's stream and the outcomes are laid out as consecutive
    intervals (base moves first), so that a person's base outcome is the same
    in every scenario. The effects of a user scale with the quality of their
    guidance (``guidance_quality``).

    The weights are divided by their mean per state and weight group over everybody
    a month before (kept in ``data``), which the same pass updates: one pass
    instead of two. The mean moves slowly (people's time out grows while others
    enter), so this keeps each cell's hazards at their average to well within
    the noise; where there is no month before, or a parameter of the weights
    changed, the month's own mean is made first (:func:`job_finding_weights`).

    Args:
        streams: The random streams (:data:`SEPARATION_STREAMS`).
        scratch: Arrays kept between months (:func:`ready_weights`), to spare making them each month.
        renewed: Rows whose readiness was drawn this month (new people).
        data: The labour market's data in the state (``job_finding_means``: the month before's mean and
            the parameters it was made with); without it, the month's own mean.
        reference: The reference world's means of the replication (:mod:`.reference`), over the reported
            months: the mean is the reference's, so a scenario moves nobody's hazard through it.
    """
    scratch = {} if scratch is None else scratch
    data = {} if data is None else data
    ready_weight = ready_weights(pop, p, scratch, renewed)
    known = data.get("job_finding_means")
    if known is None or known["parameters"] != weight_parameters(p):
        known = {"mean": _weights_and_means(pop, month, p, np.empty(len(pop), dtype=np.float32), ready_weight)}
    keys = np.array([streams.row_key(name, month) for name in SEPARATION_STREAMS] + [0], dtype=np.uint64)
    mean = known["mean"] if reference is None else reference.mean(month, weight_parameters(p), known["mean"])
    scratch["mean_used"] = mean  # for the expected gains of the month (expected_gains)
    movers, move, sums = kernel.decide(month, labour_columns(pop, ready_weight), AGE_CELLS, weight_tables(p),
                                       guidance_of(pop, p), *hazards.by_status, keys, mean)
    data["job_finding_means"] = {"mean": _means(sums), "parameters": weight_parameters(p)}
    return Moves(movers, move)


def guidance_of(pop: Population, p: Mapping) -> kernel.Guidance:
    """The effects of guidance and the columns that say who the recent users are (:class:`.kernel.Guidance`)."""
    g = "behaviour.guidance_effect."
    return kernel.Guidance(pop.cheque1_month, pop.job_change_month, pop.guidance_quality,
                           int(p[g + "duration_months"]), float(p[g + "employed_non_active_exit_reduction"]),
                           float(p[g + "job_change_separation_reduction"]), float(p[g + "extra_job_finding_rate"]))


@dataclass
class ExpectedGains:
    """What guidance is expected to bring the month's recent users (:func:`.kernel.expected_gains`).

    Attributes:
        probability: Per row, the probability that guidance changes this month's move.
        person_years: Per row, the expected person-years at work gained to the end of the horizon.
        employed_last_year: Per row, the expected gain in the last year's average of people at work.
    """

    probability: np.ndarray
    person_years: np.ndarray
    employed_last_year: np.ndarray


def expected_gains(pop: Population, month: int, p: Mapping, hazards: LabourHazards, rows: np.ndarray,
                   scratch: dict, horizon: tuple[int, int, int], registering: float = 0.0) -> ExpectedGains:
    """The expected gains of ``rows`` this month, with the mean weights :func:`decide_moves` used.

    A conditional expectation next to the simulated paired difference: each
    person adds the probability that guidance (or registering through
    follow-up) changes their month, times the months at work it then brings,
    instead of the one life that chance picks (:func:`.kernel.expected_gains`).
    Call after :func:`decide_moves` and before :func:`apply_moves` (the
    start-of-month state).

    Args:
        rows: The recent users, or (with ``registering``) the people follow-up could register this month (those
            registered are job seekers now, the others still non-active).
        registering: The chance that follow-up registers each of ``rows`` (0: ``rows`` are the recent users).
        scratch: The scratch of :func:`decide_moves` (its ready weights and the mean it used).
        horizon: ``(last recorded month, first recorded month of the last year, months of the last year)``.
    """
    weights = labour_columns(pop, ready_weights(pop, p, scratch))
    reasons = np.where(pop.status[rows] == codes.NON_ACTIVE, pop.inactive_reason[rows], pop.registered_from[rows])
    probability, months, last_year = kernel.expected_gains(
        rows, reasons.astype(np.int64), month, weights, AGE_CELLS, weight_tables(p), guidance_of(pop, p), *hazards.by_status,
        scratch["mean_used"], (*horizon, codes.EXIT_AGE_MONTHS, float(registering)))
    return ExpectedGains(probability, months / 12.0, last_year)


def register(pop: Population, rows: np.ndarray, month: int) -> None:
    """Non-active people at ``rows`` register at VDAB as job seekers (their out-of-work spell goes on)."""
    ended = rows[pop.benefits_now[rows] != 0]  # a non-active person's benefit ends with the registration
    pop.benefit_end_month[ended] = month - 1
    pop.benefits_now[ended] = 0
    pop.registered_from[rows] = pop.inactive_reason[rows]
    pop.status[rows] = codes.JOBSEEKER
    pop.inactive_reason[rows] = 0


def apply_moves(pop: Population, moves: Moves, month: int, p: Mapping, hazards: LabourHazards, streams) -> None:
    """Carry out the moves of :func:`decide_moves` in one kernel loop over the movers (:func:`.kernel.apply`)."""
    table = p["careers.benefit_by_reason"]
    benefit_probability = np.array([[0.0] * len(codes.BENEFITS)]
                                   + [[table[state][b] for b in codes.BENEFITS] for state in STATES[1:]])
    outcomes = kernel.MoveOutcomes(hazards.reason_cumulative, benefit_probability,
                                   np.array([codes.BENEFIT_BIT[b] for b in codes.BENEFITS], dtype=np.uint8),
                                   float(p["labour_market.transitions.benefit_on_job_loss"]),
                                   codes.BENEFIT_BIT["unemployment"], float(p["labour_market.self_employed_share"]))
    columns = kernel.MoverColumns(pop.labour_cell_static, pop.age_months, pop.status, pop.self_employed,
                                  pop.inactive_reason, pop.months_worked_before_spell, pop.spell_start,
                                  pop.gap_before_job, pop.benefits_in_spell, pop.benefits_now,
                                  pop.benefit_end_month, pop.registered_from)
    kernel.apply(moves.rows, moves.codes, month, streams.row_key("destination_reason", month),
                 streams.row_key("benefit", month), AGE_CELLS, columns, outcomes)
