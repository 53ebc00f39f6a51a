"""Outcomes of guidance: where users are some months after their first cheque.

Each month, the users who started cheque 1 exactly
``behaviour.guidance_effect.evaluation_months`` months ago are counted, by
their status at that start (at work, or not), and those of them at work now.
Run against the same scenario with the effects of guidance switched off
(same people, same random numbers), these counts give the net effect per
user and the deadweight (:mod:`model.experiments.effects`).
"""

from __future__ import annotations

import numpy as np

from ...engine.counters import Counter
from ...engine.process import Month, Process
from ...engine.rows import rows_between
from ...people import codes

START_STATUS = (("status_at_start", ("employed", "non_employed")),)


class GuidanceOutcomes(Process):
    """Counts the cohort of users at the evaluation horizon (after the month's labour moves)."""

    name = "guidance_outcomes"
    parameters = ("behaviour.guidance_effect.evaluation_months", "behaviour.guidance_effect.duration_months")
    reads = ("status", "cheque1_month", "cheque1_status")
    counters = (
        Counter("cohort_users", "flow", "persons", "users followed up: cheque 1 started evaluation_months ago",
                START_STATUS, role="completed"),
        Counter("cohort_users_in_work", "flow", "persons", "users followed up who are at work now", START_STATUS,
                role="back_to_work"),
    )
    needs = ("recent_users",)

    def step(self, model, month: Month) -> None:
        """Count the users who reach the evaluation horizon this month."""
        if not month.recorded:
            return
        pop = month.people
        horizon = month.params["behaviour.guidance_effect.evaluation_months"]
        cohort = month.number - horizon
        if horizon <= month.params["behaviour.guidance_effect.duration_months"]:  # among the recent users: few rows
            recent = month.values["recent_users"]
            rows = recent[pop.cheque1_month[recent] == cohort]
        else:
            rows = rows_between(pop.cheque1_month, cohort, cohort)
        rows = rows[pop.status[rows] != codes.ABSENT]
        index = (pop.cheque1_status[rows] != codes.EMPLOYED).astype(np.intp)
        model.count(month, "cohort_users", rows, index=index)
        at_work = pop.status[rows] == codes.EMPLOYED
        model.count(month, "cohort_users_in_work", rows[at_work], index=index[at_work])
