"""Who counts as a recent user of guidance, and the effects of guidance on workers.

The effects on the non-employed (an extra rate of finding work) and on
workers (fewer exits to non-activity; a job change lowers the separation
hazard) act inside the labour-market moves (:func:`model.mechanisms.labour_market.moves.decide_moves`),
which read their parameters, ``behaviour.guidance_effect.*``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...engine.rows import rows_between
from ...people import codes
from ...people.population import Population
from .kernel import job_changers


def recent_user_rows(pop: Population, month: int, p: Mapping) -> np.ndarray:
    """Sorted rows of the people who started cheque 1 within the effect window (this month excluded)."""
    duration = p["behaviour.guidance_effect.duration_months"]
    return rows_between(pop.cheque1_month, month - duration, month - 1)


def job_changes(pop: Population, month: int, p: Mapping, recent: np.ndarray, streams) -> np.ndarray:
    """Rows of employed recent users who change job this month (their work spell goes on).

    The rate is the mean rate times the quality of the user's guidance (``guidance_quality``).

    Args:
        recent: Rows of the recent users (:func:`recent_user_rows`).
    """
    rate = p["behaviour.guidance_effect.job_change_rate"]
    if rate <= 0:
        return np.empty(0, dtype=np.intp)
    return job_changers(recent, pop.status, pop.guidance_quality, streams.row_key("job_change", month), float(rate))


def followup_jobseekers(pop: Population, rows=slice(None)) -> np.ndarray:
    """True for job seekers who registered through VDAB follow-up in their current out-of-work spell."""
    followup = pop.followup_month[rows]
    return (pop.status[rows] == codes.JOBSEEKER) & (followup >= pop.spell_start[rows]) & (followup != codes.NO_MONTH)


def followup_jobseeker_rows(pop: Population, registered: np.ndarray) -> np.ndarray:
    """Sorted rows of :func:`followup_jobseekers` among ``registered``, the rows ever registered through follow-up."""
    return registered[followup_jobseekers(pop, registered)]
