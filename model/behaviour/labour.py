"""Monthly moves between employed, registered job seeker and non-active.

Hazards are set per age cell (sex x education x migration x work disability x
single year of age) from the raked table of the date, so that the table's
labour-state profile by age is the stationary state of the monthly flows,
ageing included (see :func:`hazards_from_table`). The hazards do not depend on the
simulated state, so a policy effect is not undone by the model chasing its
targets. The rates by cell stay at the margins in the baseline; totals and
group rates move with the composition of the population (for example,
better-educated cohorts ageing into 55-64).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import codes
from ..population import Population
from ..synthesis import AGES, BAND_OF_YEAR, NON_ACTIVE_STATES, SHAPE, STATES, CellTable, draw_benefits, single_year_shares

N_AGE_CELLS = int(np.prod(SHAPE[:-1])) // SHAPE[1] * len(AGES)
BAND_OF_CELL = BAND_OF_YEAR[np.arange(N_AGE_CELLS) % len(AGES)]  # age band of each age cell: a gather, not a division


@dataclass
class LabourHazards:
    """Monthly hazards per age cell: sex x education x migration x disability x single year of age.

    Attributes:
        employed_to_jobseeker, employed_to_non_active, jobseeker_to_employed,
        jobseeker_to_non_active, non_active_to_employed, non_active_to_jobseeker:
            Monthly transition probabilities, arrays of length ``N_AGE_CELLS``.
        reason_cumulative: Cumulative shares of the non-active reasons per
            age cell, shape (N_AGE_CELLS, 5), for people becoming non-active.
        bounded: The cells where a solved hazard had to be bounded (see
            :func:`hazards_from_table`), one row per cell and hazard.
    """

    employed_to_jobseeker: np.ndarray
    employed_to_non_active: np.ndarray
    jobseeker_to_employed: np.ndarray
    jobseeker_to_non_active: np.ndarray
    non_active_to_employed: np.ndarray
    non_active_to_jobseeker: np.ndarray
    reason_cumulative: np.ndarray
    bounded: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        # Total exit hazard of each state, for the first, one-comparison test.
        self.employed_exit = self.employed_to_jobseeker + self.employed_to_non_active
        self.jobseeker_exit = self.jobseeker_to_employed + self.jobseeker_to_non_active
        self.non_active_exit = self.non_active_to_employed + self.non_active_to_jobseeker


def hazards_from_table(table: CellTable, p: Mapping) -> LabourHazards:
    """Solve the monthly hazards that keep the table's labour-state profile by age stationary.

    The band shares of the table are interpolated to single years of age; a
    person ages a year in 12 months, so the balance for age ``a`` is

        e (s_J + s_N) - j f_JE - n f_NE = (e(a) - e(a-1)) / 12
        j (f_JE + f_JN) - e s_J - n f_NJ = (j(a) - j(a-1)) / 12

    with the separation and job-seeker rates as parameters and the non-active
    rates solved. Where a solved rate would be negative, the outflow of the
    other side is raised instead.
    """
    by_band = np.moveaxis(table.state_shares().reshape(*SHAPE[:-1], len(STATES)), 1, -1)
    by_year = single_year_shares(table)  # (sex, edu, mig, dis, state, year)
    e, j = by_year[..., 0, :], by_year[..., 1, :]
    n = np.maximum(1.0 - e - j, 1e-9)
    e_prev = np.concatenate([e[..., :1], e[..., :-1]], axis=-1)
    j_prev = np.concatenate([j[..., :1], j[..., :-1]], axis=-1)
    tr = "labour_market.transitions."
    band_of_year = BAND_OF_YEAR
    sep = np.array([p[tr + "separation_rate_by_age_band"][b] for b in codes.AGE_BANDS])[band_of_year]
    share_js = p[tr + "separation_share_to_jobseeker"]
    s_j = np.broadcast_to(sep * share_js, e.shape).copy()
    s_n = np.broadcast_to(sep * (1 - share_js), e.shape).copy()
    f_je = np.full(e.shape, p[tr + "jobseeker_job_finding_rate"])
    f_jn = np.full(e.shape, p[tr + "jobseeker_to_non_active_rate"])

    need_e = e * (s_j + s_n) - j * f_je + (e - e_prev) / 12.0
    s_n_given = s_n.copy()
    s_n += np.where(need_e < 0, -need_e / np.maximum(e, 1e-9), 0.0)
    f_ne = np.maximum(need_e, 0.0) / n
    need_j = j * (f_je + f_jn) - e * s_j + (j - j_prev) / 12.0
    f_jn_given = f_jn.copy()
    f_jn += np.where(need_j < 0, -need_j / np.maximum(j, 1e-9), 0.0)
    f_nj = np.maximum(need_j, 0.0) / n
    # Separations are drawn sparsely below a ceiling: a raised exit hazard above it is cut to it
    # (a few small cells where the interpolated age profile falls steeply; reported).
    room = p["simulation.hazard_ceiling"]["separation"] - s_j
    s_n_raised = s_n.copy()
    s_n = np.minimum(s_n, np.maximum(room, 0.0))
    bounded = _bounded_cells({
        "employed_to_non_active": (s_n_given, s_n_raised, s_n, "raised: the non-active to work hazard would be negative"),
        "jobseeker_to_non_active": (f_jn_given, f_jn, np.minimum(f_jn, 1.0),
                                    "raised: the non-active to job seeker hazard would be negative"),
        "non_active_to_employed": (f_ne, f_ne, np.minimum(f_ne, 1.0), ""),
        "non_active_to_jobseeker": (f_nj, f_nj, np.minimum(f_nj, 1.0), ""),
    }, e.shape)

    non_active = by_band[..., 2:, :]  # (sex, edu, mig, dis, reason, band)
    totals = non_active.sum(axis=-2, keepdims=True)
    reason = np.divide(non_active, totals, out=np.full_like(non_active, 1.0 / len(NON_ACTIVE_STATES)), where=totals > 0)
    reason = np.moveaxis(reason[..., band_of_year], -2, -1).reshape(N_AGE_CELLS, len(NON_ACTIVE_STATES))
    cap = lambda x: np.clip(x.ravel(), 0.0, 1.0)  # noqa: E731
    return LabourHazards(cap(s_j), cap(s_n), cap(f_je), cap(f_jn), cap(f_ne), cap(f_nj), np.cumsum(reason, axis=1),
                         bounded)


def _bounded_cells(hazards: dict, shape: tuple[int, ...]) -> pd.DataFrame:
    """Cells whose hazard was raised above its parameter value, or cut (to the ceiling or to 1), one row each.

    Args:
        hazards: ``{name: (value before, value solved, value used, why it was raised)}``, arrays of ``shape``.
    """
    rows = []
    index = np.indices(shape).reshape(len(shape), -1)
    for name, (before, solved, used, why) in hazards.items():
        before, solved, used = (np.broadcast_to(np.asarray(a, dtype=float), shape).ravel() for a in (before, solved, used))
        for i in np.flatnonzero((solved > before + 1e-12) | (used < solved - 1e-12)):
            sex, edu, mig, dis, year = index[:, i]
            reasons = [why] if solved[i] > before[i] + 1e-12 else []
            if used[i] < solved[i] - 1e-12:
                reasons.append(f"cut to {used[i]:.3f} (the sparse-draw ceiling, or 1)")
            rows.append({"sex": codes.SEX[sex], "education": codes.EDUCATION[edu], "migration": codes.MIGRATION[mig],
                         "work_disability": bool(dis), "age": int(AGES[year]), "hazard": name,
                         "before": float(before[i]), "solved": float(solved[i]), "used": float(used[i]),
                         "why": "; ".join(reasons)})
    return pd.DataFrame(rows, columns=["sex", "education", "migration", "work_disability", "age", "hazard", "before",
                                       "solved", "used", "why"])


def static_cells(pop: Population, rows=slice(None)) -> np.ndarray:
    """Cell without age (sex, education, migration, disability), 0-35, as uint8.

    These attributes never change for a person, so the model keeps this column
    and updates it only for entrants.
    """
    s = SHAPE
    cell = ((pop.sex[rows].astype(np.uint8) * s[2] + pop.education[rows].astype(np.uint8)) * s[3]
            + pop.migration[rows].astype(np.uint8)) * s[4] + pop.work_disability[rows].view(np.uint8)
    return cell.astype(np.uint8)


# Single year of age (0 = 20 ... 44 = 64) of every age in months, clipped: one gather instead of arithmetic.
YEAR_OF_AGE_MONTHS = np.clip(np.arange(codes.EXIT_AGE_MONTHS + 1) // 12 - 20, 0, len(AGES) - 1).astype(np.intp)


def person_cells(pop: Population, rows: np.ndarray, static: np.ndarray) -> np.ndarray:
    """Age cell (static cell x single year of age) of each person in ``rows``, as intp."""
    year = np.take(YEAR_OF_AGE_MONTHS, pop.age_months[rows], mode="clip")
    cell = static[rows].astype(np.intp)
    cell *= len(AGES)
    cell += year
    return cell


def leave_work(pop: Population, rows: np.ndarray, month: int, status: np.ndarray, reason: np.ndarray,
               benefits: np.ndarray) -> None:
    """People at ``rows`` stop working this month."""
    pop.months_worked_before_spell[rows] = pop.months_worked(month, rows).clip(max=32000)
    pop.spell_start[rows] = month
    pop.status[rows] = status
    pop.inactive_reason[rows] = reason
    pop.benefits_in_spell[rows] = benefits
    pop.self_employed[rows] = False
    pop.registered_from[rows] = 0


def start_work(pop: Population, rows: np.ndarray, month: int, self_employed: np.ndarray) -> None:
    """People at ``rows`` start working this month."""
    pop.gap_before_job[rows] = pop.spell_months(month, rows).clip(max=32000)
    pop.spell_start[rows] = month
    pop.status[rows] = codes.EMPLOYED
    pop.inactive_reason[rows] = 0
    pop.benefits_in_spell[rows] = 0
    pop.self_employed[rows] = self_employed
    pop.registered_from[rows] = 0


@dataclass
class Moves:
    """Who moved this month (row arrays), for the counters."""

    work_to_jobseeker: np.ndarray
    work_to_non_active: np.ndarray
    jobseeker_to_work: np.ndarray
    jobseeker_to_non_active: np.ndarray
    non_active_to_work: np.ndarray
    non_active_to_jobseeker: np.ndarray
    work_to_non_active_cell: np.ndarray
    jobseeker_to_non_active_cell: np.ndarray
    capped: int = 0


@dataclass
class PersonEffects:
    """What makes one person's hazards differ from their cell's, for one month.

    Attributes:
        recent_user: True for people within the guidance-effect window.
        readiness: Latent readiness to (re)turn to work (standard normal).
        followup_jobseekers: Sorted rows of job seekers who registered through
            VDAB follow-up in their current spell (see :func:`job_finding_weights`).
        job_changed: Given rows of people at work, True for recent users who
            changed job after guidance, in this work spell (see
            ``behaviour.guidance_effect.job_change_separation_reduction``).
        quality: Quality multiplier of each person's latest guidance (the
            centre's, :mod:`model.institutions.centres`), or None for 1: the
            effects of guidance on a user are the mean effects times it.
    """

    recent_user: np.ndarray
    readiness: np.ndarray
    followup_jobseekers: np.ndarray
    job_changed: Callable[[np.ndarray], np.ndarray]
    quality: np.ndarray | None = None

    def multiplier(self, rows: np.ndarray) -> np.ndarray | float:
        """The quality multiplier of ``rows`` (1 without centres)."""
        return 1.0 if self.quality is None else self.quality[rows].astype(np.float64)


def user_effect(effects: PersonEffects, rows: np.ndarray, mean_effect: float) -> np.ndarray:
    """The effect of guidance on each of ``rows``: ``mean_effect`` x quality for recent users, 0 for others.

    Only the few recent users are gathered, not every row.
    """
    out = np.zeros(len(rows))
    if mean_effect == 0:
        return out
    users = np.flatnonzero(effects.recent_user[rows])
    out[users] = mean_effect * effects.multiplier(rows[users])
    return out


def formerly_non_active_ratio(pop: Population, rows: np.ndarray, month: int, p: Mapping) -> np.ndarray:
    """Job-finding of each job seeker relative to a recent job loser of the same cell (1 for job losers).

    People who registered after a spell of non-activity find work at a ratio
    that depends on why they were non-active
    (``labour_market.formerly_non_active.job_finding_ratio``) and falls by half
    every ``labour_market.formerly_non_active.halving_months`` months out of work.
    """
    prefix = "labour_market.formerly_non_active."
    reason = pop.registered_from[rows].astype(np.intp)
    by_reason = np.array([1.0] + [p[prefix + "job_finding_ratio"][r] for r in codes.REASON[1:]])[reason]
    months_out = np.maximum(pop.spell_months(month, rows), 0)
    decay = np.exp2(-months_out / p[prefix + "halving_months"])
    return np.where(reason > 0, by_reason * decay, 1.0)


def _raw_weights(pop: Population, rows: np.ndarray, month: int, p: Mapping, effects: PersonEffects,
                 jobseekers: bool) -> np.ndarray:
    """``exp(loading x readiness)`` times the duration factor (non-active) or the formerly non-active ratio (job seekers)."""
    exponent = np.float32(p["behaviour.readiness.job_finding_loading"]) * effects.readiness[rows]
    if not jobseekers:  # the longer out of work, the less likely to return
        months_out = np.maximum(pop.spell_months(month, rows), 0).astype(np.float32)
        exponent -= months_out * np.float32(np.log(2.0) / p["labour_market.non_active_halving_months"])
    weight = np.exp(exponent).astype(np.float64)
    if jobseekers:
        weight *= formerly_non_active_ratio(pop, rows, month, p)
    return weight


def job_finding_weights(pop: Population, rows: np.ndarray, month: int, p: Mapping, effects: PersonEffects,
                        jobseekers: bool, cells: np.ndarray | None = None) -> np.ndarray:
    """Each person's job-finding hazard as a multiple of their cell's.

    The weight is ``ratio x exp(loading x readiness)`` (for non-active people
    ``ratio`` halves every ``labour_market.non_active_halving_months`` months
    out of work; for job seekers it is :func:`formerly_non_active_ratio`),
    divided by its mean over the people of the same state and age band, so
    that the hazards of each state and age band keep their average (cells
    within a band may drift a little as readiness is selected out): readiness,
    time out and the reason decide *who* finds work, not how many.

    The mean is taken over the same people in every scenario, as far as the
    scenario leaves them where they were: everybody in the state (users of
    guidance included: their base weight does not depend on the guidance),
    except that people who registered through VDAB follow-up count with the
    non-active people they would otherwise be, not with the job seekers. So a
    scenario moves other people's hazards only through the people it really
    moves to another state.

    Args:
        cells: The age cells of ``rows`` (:func:`person_cells`), if known: they give the age band.
    """
    n_bands = len(codes.AGE_BANDS)
    weight = _raw_weights(pop, rows, month, p, effects, jobseekers)
    band = pop.age_band(rows) if cells is None else BAND_OF_CELL[cells]
    followup = effects.followup_jobseekers
    if jobseekers:
        ref = np.ones(len(rows)) if len(followup) == 0 else (~np.isin(rows, followup)).astype(float)
        totals = np.bincount(band, weights=weight * ref, minlength=n_bands)
        counts = np.bincount(band, weights=ref, minlength=n_bands)
    else:
        totals = np.bincount(band, weights=weight, minlength=n_bands)
        counts = np.bincount(band, minlength=n_bands).astype(float)
        if len(followup):
            extra_band = pop.age_band(followup)
            totals += np.bincount(extra_band, weights=_raw_weights(pop, followup, month, p, effects, False),
                                  minlength=n_bands)
            counts += np.bincount(extra_band, minlength=n_bands)
    mean = np.divide(totals, counts, out=np.ones(n_bands), where=counts > 0)
    return weight / mean[band]


def decide_moves(pop: Population, month: int, p: Mapping, hazards: LabourHazards, streams, effects: PersonEffects,
                 static: np.ndarray, pool=None, candidates: Callable[[], tuple] | None = None) -> Moves:
    """Decide one month of labour-market moves, all from the start-of-month state.

    Employed people leave work with the cell's separation hazards (drawn
    sparsely, common random numbers); employed recent users leave less often
    (guidance effect on staying in work). Job seekers and non-active people
    find work with the cell's hazard times their person weight
    (:func:`job_finding_weights`), plus, for recent cheque users, the extra
    rate of the guidance effect. Each person has one uniform and the outcomes
    are laid out as consecutive intervals (base moves first), so that a
    person's base outcome is the same in every scenario. The three groups are
    decided independently (read-only), in a second thread when ``pool`` is given.

    Args:
        effects: Person-level differences (:class:`PersonEffects`).
        static: Column of :func:`static_cells`.
        pool: Optional ``concurrent.futures`` executor.
        candidates: Returns the month's separation candidates (:func:`separation_candidates`), if drawn
            already (called where the separations are decided, in the second thread when there is one).
    """
    # Separations and job seekers on the second core, the (larger) non-active group here.
    def separations_and_jobseekers():
        drawn = candidates() if candidates is not None else separation_candidates(streams, month, len(pop), p)
        return (_decide_separations(pop, month, p, hazards, drawn, static, effects),
                _decide_jobseekers(pop, month, p, hazards, streams, effects, static))

    other = pool.submit(separations_and_jobseekers) if pool is not None else None
    n_to_w, n_to_j = _decide_non_active(pop, month, p, hazards, streams, effects, static)
    separations, jobseekers = other.result() if other is not None else separations_and_jobseekers()
    w_to_j, w_to_n, w_to_n_cell, capped = separations
    j_to_w, j_to_n, j_to_n_cell = jobseekers
    return Moves(w_to_j, w_to_n, j_to_w, j_to_n, n_to_w, n_to_j, w_to_n_cell, j_to_n_cell, capped)


# Each group is first tested against its total exit hazard (one comparison per
# person); only the few who move are then sorted into destinations.

def separation_candidates(streams, month: int, n_rows: int, p: Mapping) -> tuple[np.ndarray, np.ndarray]:
    """The month's candidates for leaving work: rows drawn at the ceiling hazard, and their uniforms.

    They depend on nothing but the stream, the month and the number of rows,
    so they can be drawn before the month's state is known (in the second
    thread, while the month's first processes run).
    """
    return streams.sparse_candidates("separation", month, n_rows, p["simulation.hazard_ceiling"]["separation"])


def _decide_separations(pop, month, p, hazards, candidates, static, effects):
    """[0, s_J) job seeker, [s_J, s_J + s_N) non-active; guidance shrinks the intervals of users.

    The shrunken intervals keep their start, so whoever moves with the effect
    would have moved the same way without it.
    """
    ceiling = p["simulation.hazard_ceiling"]["separation"]
    rows, u = candidates
    keep = pop.status[rows] == codes.EMPLOYED
    rows, u = rows[keep], u[keep] * ceiling
    cell = person_cells(pop, rows, static)
    total = hazards.employed_exit[cell]
    capped = int(np.count_nonzero(total > ceiling))
    moved = np.flatnonzero(u < total)
    rows, u, cell = rows[moved], u[moved], cell[moved]
    s_j, s_n = hazards.employed_to_jobseeker[cell], hazards.employed_to_non_active[cell]
    g = "behaviour.guidance_effect."
    stay = np.clip(1.0 - user_effect(effects, rows, p[g + "employed_non_active_exit_reduction"]), 0.0, 1.0)
    match = np.where(effects.job_changed(rows),
                     np.clip(1.0 - p[g + "job_change_separation_reduction"] * effects.multiplier(rows), 0.0, 1.0), 1.0)
    to_j = u < s_j * match
    to_n = (u >= s_j) & (u < s_j + s_n * stay * match)
    return rows[to_j], rows[to_n], cell[to_n], capped


def _decide_jobseekers(pop, month, p, hazards, streams, effects, static):
    """[0, f_JE w) work, [f_JE w, f_JE w + f_JN) non-active, then the users' extra to work."""
    extra_work = p["behaviour.guidance_effect.extra_job_finding_rate"]
    js = np.flatnonzero(pop.status == codes.JOBSEEKER)
    u = streams.row_uniforms("jobseeker_exit", month, js)
    cell = person_cells(pop, js, static)
    base_e = hazards.jobseeker_to_employed[cell] * job_finding_weights(pop, js, month, p, effects, True, cell)
    base_n = hazards.jobseeker_to_non_active[cell]
    base = np.minimum(base_e + base_n, 1.0)
    extra = user_effect(effects, js, extra_work)
    to_work = (u < np.minimum(base_e, 1.0)) | ((u >= base) & (u < base + extra))
    to_n = ~to_work & (u < base)
    return js[to_work], js[to_n], cell[to_n]


def _decide_non_active(pop, month, p, hazards, streams, effects, static):
    """[0, f_NE w) work, [f_NE w, f_NE w + f_NJ) register, then the users' extra to work."""
    extra_work = p["behaviour.guidance_effect.extra_job_finding_rate"]
    na = np.flatnonzero(pop.status == codes.NON_ACTIVE)
    u = streams.row_uniforms("non_active_exit", month, na)
    cell = person_cells(pop, na, static)
    base_e = hazards.non_active_to_employed[cell] * job_finding_weights(pop, na, month, p, effects, False, cell)
    base = np.minimum(base_e + hazards.non_active_to_jobseeker[cell], 1.0)
    extra = user_effect(effects, na, extra_work)
    to_work = (u < np.minimum(base_e, 1.0)) | ((u >= base) & (u < base + extra))
    to_j = ~to_work & (u < base)
    return na[to_work], na[to_j]


def register(pop: Population, rows: np.ndarray) -> None:
    """Non-active people at ``rows`` register at VDAB as job seekers (their out-of-work spell goes on)."""
    pop.registered_from[rows] = pop.inactive_reason[rows]
    pop.status[rows] = codes.JOBSEEKER
    pop.inactive_reason[rows] = 0


def apply_moves(pop: Population, moves: Moves, month: int, p: Mapping, hazards: LabourHazards, streams) -> None:
    """Carry out the moves decided by :func:`decide_moves`."""
    w_to_j, j_to_w = moves.work_to_jobseeker, moves.jobseeker_to_work
    n_to_w, n_to_j = moves.non_active_to_work, moves.non_active_to_jobseeker
    _enter_non_active(pop, moves.work_to_non_active, moves.work_to_non_active_cell, month, p, hazards, streams, from_work=True)
    u = streams.row_uniforms("benefit", month, w_to_j)
    benefit = np.where(u < p["labour_market.transitions.benefit_on_job_loss"], codes.BENEFIT_BIT["unemployment"], 0)
    leave_work(pop, w_to_j, month, np.full(len(w_to_j), codes.JOBSEEKER), np.zeros(len(w_to_j)), benefit)
    _enter_non_active(pop, moves.jobseeker_to_non_active, moves.jobseeker_to_non_active_cell, month, p, hazards, streams,
                      from_work=False)
    starters = np.concatenate([j_to_w, n_to_w])
    u = streams.row_uniforms("destination_reason", month, starters)
    start_work(pop, starters, month, u < p["labour_market.self_employed_share"])
    register(pop, n_to_j)


def _enter_non_active(pop, rows, cells, month, p, hazards, streams, from_work: bool) -> None:
    """Give people becoming non-active a reason (by their cell) and its benefits."""
    u = streams.row_uniforms("destination_reason", month, rows)
    reason_index = (u[:, None] >= hazards.reason_cumulative[cells]).sum(axis=1).clip(max=len(NON_ACTIVE_STATES) - 1)
    reason = reason_index + 1  # codes.REASON[1:] matches NON_ACTIVE_STATES
    benefits = draw_benefits(reason_index + 2, streams.row_uniforms("benefit", month, rows), p)
    if from_work:
        leave_work(pop, rows, month, np.full(len(rows), codes.NON_ACTIVE), reason, benefits)
    else:  # the out-of-work spell goes on: benefits add up
        pop.status[rows] = codes.NON_ACTIVE
        pop.inactive_reason[rows] = reason
        pop.benefits_in_spell[rows] |= benefits
        pop.registered_from[rows] = 0
