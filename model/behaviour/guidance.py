"""Who counts as a recent user of guidance, and job changes of employed users.

The effects on the non-employed (more registration at VDAB, more job finding)
are extra rates inside the labour-market moves (``behaviour.labour.move``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import codes
from ..population import Population


def recent_users(pop: Population, month: int, p: Mapping) -> np.ndarray:
    """True for people who started cheque 1 within the effect window (this month excluded)."""
    duration = p["behaviour.guidance_effect.duration_months"]
    first = pop.cheque1_month
    return (first >= month - duration) & (first <= month - 1)


def job_changes(pop: Population, month: int, p: Mapping, recent: np.ndarray, streams) -> np.ndarray:
    """Rows of employed recent users who change job this month (their work spell goes on)."""
    rows = np.flatnonzero(recent & (pop.status == codes.EMPLOYED))
    u = streams.row_uniforms("job_change", month, rows)
    return rows[u < p["behaviour.guidance_effect.job_change_rate"]]
