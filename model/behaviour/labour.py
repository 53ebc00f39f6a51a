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

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import codes
from ..kernels import labour as kernels_labour
from ..population import Population
from ..synthesis import AGES, BAND_OF_YEAR, NON_ACTIVE_STATES, SHAPE, STATES, CellTable, single_year_shares

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
        # Total exit hazard from work (bounded by simulation.hazard_ceiling.separation).
        self.employed_exit = self.employed_to_jobseeker + self.employed_to_non_active
        # The two hazards of each state by status code and cell, for the kernel (free rows: none).
        none = np.zeros_like(self.employed_to_jobseeker)
        self.by_status = (
            np.stack([self.employed_to_jobseeker, self.jobseeker_to_employed, self.non_active_to_employed, none]),
            np.stack([self.employed_to_non_active, self.jobseeker_to_non_active, self.non_active_to_jobseeker, none]))


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


@dataclass
class Moves:
    """Who moves this month: every mover's row, in order, and move code (:mod:`model.kernels.labour`)."""

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


DECAY_TABLE_MONTHS = 720  # 60 years: every spell of a person aged 20-64 started at 18 or later


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


def _weight_arguments(pop: Population, p: Mapping, ready_weight: np.ndarray) -> tuple:
    """The columns and tables of the raw weights, as the kernels take them (:func:`~model.kernels.labour.raw_weights`)."""
    months = np.arange(DECAY_TABLE_MONTHS)  # decay tables of the usual spells; the kernels compute longer ones
    non_active_halving = float(p["labour_market.non_active_halving_months"])
    ratio_halving = float(p["labour_market.formerly_non_active.halving_months"])
    ratio_decay = np.ones((2, len(months)))
    ratio_decay[1] = np.exp2(-months / ratio_halving)
    return (pop.followup_month, codes.NO_MONTH, ready_weight, pop.registered_from, np.exp2(-months / non_active_halving),
            non_active_halving, formerly_non_active_ratios(p), ratio_decay, ratio_halving)


def _weight_parameters(p: Mapping) -> tuple:
    """The parameters of the raw weights: when one changes, the month's mean is made afresh."""
    return (float(p["behaviour.readiness.job_finding_loading"]), float(p["labour_market.non_active_halving_months"]),
            float(p["labour_market.formerly_non_active.halving_months"]), tuple(formerly_non_active_ratios(p)))


def _means(sums: np.ndarray) -> np.ndarray:
    """Mean raw weight by status and age band from the kernels' sums per chunk (1 at work, for free rows and empty bands)."""
    na_sum, na_count, js_sum, js_count = sums.sum(axis=0)  # chunks added in order: the same with any threads
    mean = np.ones((len(codes.STATUS), len(codes.AGE_BANDS)))
    np.divide(na_sum, na_count, out=mean[codes.NON_ACTIVE], where=na_count > 0)
    np.divide(js_sum, js_count, out=mean[codes.JOBSEEKER], where=js_count > 0)
    return mean


def _weights_and_means(pop: Population, month: int, p: Mapping, weight: np.ndarray,
                       ready_weight: np.ndarray) -> np.ndarray:
    """Raw job-finding weights into ``weight``, and their mean by status and age band (:func:`_means`).

    See :func:`job_finding_weights` for what the weights are.
    """
    return _means(kernels_labour.job_finding_weights(
        pop.status, YEAR_OF_AGE_MONTHS, len(AGES), pop.labour_cell_static, pop.age_months, pop.spell_start, month,
        BAND_OF_CELL, len(codes.AGE_BANDS), weight, *_weight_arguments(pop, p, ready_weight)))


def job_finding_weights(pop: Population, month: int, p: Mapping) -> np.ndarray:
    """Each out-of-work person's job-finding hazard as a multiple of their cell's (0 for others).

    The raw weight is ``ratio x exp(loading x readiness)``: for non-active
    people ``ratio`` halves every ``labour_market.non_active_halving_months``
    months out of work; for job seekers it is the formerly non-active ratio
    (:func:`formerly_non_active_ratios`, halving with time out). It is divided
    by its mean over the people of the same state and age band, so that the
    hazards of each state and age band keep their average: readiness, time
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
    band = BAND_OF_CELL[person_cells(pop, rows, pop.labour_cell_static)]
    out = np.zeros(len(pop))
    out[rows] = weight[rows] / mean[pop.status[rows], band]
    return out


def decide_moves(pop: Population, month: int, p: Mapping, hazards: LabourHazards, streams,
                 scratch: dict | None = None, renewed: np.ndarray | None = None, data: dict | None = None) -> Moves:
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
    guidance (``guidance_quality``, when the population has it).

    The weights are divided by their mean per state and age band over everybody
    a month before (kept in ``data``), which the same pass updates: one pass
    instead of two. The mean moves slowly (people's time out grows while others
    enter), so this keeps each band's hazards at their average to well within
    the noise; where there is no month before, or a parameter of the weights
    changed, the month's own mean is made first (:func:`job_finding_weights`).

    Args:
        streams: The random streams (separation, jobseeker_exit, non_active_exit).
        scratch: Arrays kept between months (:func:`ready_weights`), to spare making them each month.
        renewed: Rows whose readiness was drawn this month (new people).
        data: The labour market's data in the state (``job_finding_means``: the month before's mean and
            the parameters it was made with); without it, the month's own mean.
    """
    scratch = {} if scratch is None else scratch
    data = {} if data is None else data
    ready_weight = ready_weights(pop, p, scratch, renewed)
    weights = _weight_arguments(pop, p, ready_weight)
    known = data.get("job_finding_means")
    if known is None or known["parameters"] != _weight_parameters(p):
        known = {"mean": _weights_and_means(pop, month, p, np.empty(len(pop), dtype=np.float32), ready_weight)}
    g = "behaviour.guidance_effect."
    quality = pop.guidance_quality if "guidance_quality" in pop.dtypes else np.empty(0, dtype=np.float32)
    keys = np.array([streams.row_key(name, month) for name in ("separation", "jobseeker_exit", "non_active_exit")] + [0],
                    dtype=np.uint64)
    movers, move, sums = kernels_labour.decide(
        pop.status, YEAR_OF_AGE_MONTHS, len(AGES), pop.labour_cell_static, pop.age_months, pop.spell_start, month,
        BAND_OF_CELL, len(codes.AGE_BANDS), keys, known["mean"], hazards.by_status[0], hazards.by_status[1],
        pop.cheque1_month, pop.job_change_month, quality, int(p[g + "duration_months"]),
        float(p[g + "employed_non_active_exit_reduction"]), float(p[g + "job_change_separation_reduction"]),
        float(p[g + "extra_job_finding_rate"]), *weights)
    data["job_finding_means"] = {"mean": _means(sums), "parameters": _weight_parameters(p)}
    return Moves(movers, move)


def register(pop: Population, rows: np.ndarray) -> None:
    """Non-active people at ``rows`` register at VDAB as job seekers (their out-of-work spell goes on)."""
    pop.registered_from[rows] = pop.inactive_reason[rows]
    pop.status[rows] = codes.JOBSEEKER
    pop.inactive_reason[rows] = 0


def apply_moves(pop: Population, moves: Moves, month: int, p: Mapping, hazards: LabourHazards, streams) -> None:
    """Carry out the moves of :func:`decide_moves` in one kernel loop over the movers (:func:`model.kernels.labour.apply`)."""
    table = p["careers.benefit_by_reason"]
    benefit_probability = np.array([[0.0] * len(codes.BENEFITS)]
                                   + [[table[state][b] for b in codes.BENEFITS] for state in STATES[1:]])
    kernels_labour.apply(
        moves.rows, moves.codes, YEAR_OF_AGE_MONTHS, len(AGES), pop.labour_cell_static, pop.age_months, month,
        streams.row_key("destination_reason", month), streams.row_key("benefit", month), hazards.reason_cumulative,
        benefit_probability, np.array([codes.BENEFIT_BIT[b] for b in codes.BENEFITS], dtype=np.uint8),
        p["labour_market.transitions.benefit_on_job_loss"], codes.BENEFIT_BIT["unemployment"],
        p["labour_market.self_employed_share"], pop.status, pop.self_employed, pop.inactive_reason,
        pop.months_worked_before_spell, pop.spell_start, pop.gap_before_job, pop.benefits_in_spell, pop.registered_from)
