"""The monthly hazards of the moves between employed, registered job seeker and non-active.

Hazards are set per age cell (sex x education x migration x work disability x
single year of age) from the raked table of a year and the next year's, so that
the monthly flows, ageing included, carry the one labour-state profile by age
to the other (see :func:`hazards_from_table`). The hazards do not depend on the
simulated state, so a policy effect is not undone by the model chasing its
targets. The rates by cell follow the margins in the baseline; the ageing
process holds the population's composition by cell to the table's
(:mod:`model.mechanisms.ageing`), so the group rates do too (``margins.csv``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...people import codes
from ...people.synthesis import AGES, BAND_OF_YEAR, NON_ACTIVE_STATES, SHAPE, STATES, CellTable, single_year_shares

N_AGE_CELLS = int(np.prod(SHAPE[:-1])) // SHAPE[1] * len(AGES)
BAND_OF_CELL = BAND_OF_YEAR[np.arange(N_AGE_CELLS) % len(AGES)]  # age band of each age cell: a gather, not a division
# The group over which job-finding weights are averaged: static cell (sex x education x migration x disability) x
# age band. Averaged over a whole band instead, people of cells with long spells out (carers, the disabled) would
# pass part of their cell's flow into work to cells with short ones, and the cells' rates would leave the table's.
N_WEIGHT_GROUPS = N_AGE_CELLS // len(AGES) * len(codes.AGE_BANDS)
WEIGHT_GROUP_OF_CELL = np.arange(N_AGE_CELLS) // len(AGES) * len(codes.AGE_BANDS) + BAND_OF_CELL


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


def hazards_from_table(table: CellTable, p: Mapping, following: CellTable | None = None) -> LabourHazards:
    """Solve the monthly hazards that carry the table's labour-state profile by age to the next year's.

    The band shares of the tables are interpolated to single years of age; a
    person ages a year in 12 months, and the people aged ``a - 1`` in this
    year's table are those aged ``a`` in ``following`` (the next year's table),
    so the balance for age ``a`` of each cell is

        e (s_J + s_N) - j f_JE - n f_NE = (e'(a) - e(a-1)) / 12
        j (f_JE + f_JN) - e s_J - n f_NJ = (j'(a) - j(a-1)) / 12

    (``e'``, ``j'``: the next year's shares; without ``following`` this year's,
    a stationary profile), with the separation and job-seeker rates as
    parameters and the non-active rates solved. Where a solved rate would be
    negative, the outflow of the other side is raised instead. The hazards
    depend on the published margins only, never on the simulated state, so a
    policy effect is not undone by the model chasing its targets.
    """
    by_band = np.moveaxis(table.state_shares().reshape(*SHAPE[:-1], len(STATES)), 1, -1)
    by_year = single_year_shares(table)  # (sex, edu, mig, dis, state, year)
    e, j = by_year[..., 0, :], by_year[..., 1, :]
    n = np.maximum(1.0 - e - j, 1e-9)
    e_prev = np.concatenate([e[..., :1], e[..., :-1]], axis=-1)
    j_prev = np.concatenate([j[..., :1], j[..., :-1]], axis=-1)
    next_year = by_year if following is None else single_year_shares(following)
    e_next, j_next = next_year[..., 0, :], next_year[..., 1, :]
    tr = "labour_market.transitions."
    band_of_year = BAND_OF_YEAR
    sep = np.array([p[tr + "separation_rate_by_age_band"][b] for b in codes.AGE_BANDS])[band_of_year]
    share_js = p[tr + "separation_share_to_jobseeker"]
    s_j = np.broadcast_to(sep * share_js, e.shape).copy()
    s_n = np.broadcast_to(sep * (1 - share_js), e.shape).copy()
    f_je = np.full(e.shape, p[tr + "jobseeker_job_finding_rate"])
    f_jn = np.full(e.shape, p[tr + "jobseeker_to_non_active_rate"])

    need_e = e * (s_j + s_n) - j * f_je + (e_next - e_prev) / 12.0
    s_n_given = s_n.copy()
    s_n += np.where(need_e < 0, -need_e / np.maximum(e, 1e-9), 0.0)
    f_ne = np.maximum(need_e, 0.0) / n
    need_j = j * (f_je + f_jn) - e * s_j + (j_next - j_prev) / 12.0
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
