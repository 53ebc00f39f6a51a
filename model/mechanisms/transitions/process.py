"""Year-on-year transitions between labour statuses, January to January.

At the start of every January (after ageing, before the month's moves) the
status of each person present is compared with their status the January
before; people who were not present then (new 20-year-olds, people filling
a band) are left out, as in a panel. ``transitions.csv`` turns the counts
into shares of the origin status.
"""

from __future__ import annotations

import numpy as np

from ...engine.counters import Counter
from ...engine.process import Column, Month, Process
from ...params.calendar import month_date
from ...people import codes
from ...people.groups import key_columns
from ...people.reentrants import reentrant_rule
from .kernel import count_transitions

STATUSES = codes.STATUS[:3]  # employed, jobseeker, non_active
TRANSITION_DIMS = (("from_status", STATUSES), ("to_status", STATUSES))


class Transitions(Process):
    """Counts January-to-January moves by group; keeps each person's status of the last January."""

    name = "transitions"
    columns = (Column("status_january", np.int8, -1, "status in the last January (-1: not present then)"),)
    reads = ("status", "age_months", "months_worked_before_spell", "spell_start", "gap_before_job",
             "benefits_in_spell", "benefits_now", "benefit_end_month", "reentrant_user")
    counters = (Counter("transitions", "flow", "persons", "people present in two Januaries, by status in the first "
                        "(from_status) and the second (to_status)", TRANSITION_DIMS, role="transitions"),)
    needs = ("renewed_rows",)

    def step(self, model, month: Month) -> None:
        """In January: count the year's transitions, then note this January's status."""
        # Only Januaries matter, and in the warm-up only the last one before recording starts.
        if month_date(month.number).month != 1 or month.number < model.state.record_from - 12:
            return
        pop = month.people
        if month.recorded:  # the people present both times, counted by key in one pass
            rule = reentrant_rule(month.all_params or month.params)
            counts = count_transitions(pop.status_january, month.number, key_columns(pop), rule, len(STATUSES))
            model.counters.add_counts("transitions", month.t, counts)
        pop.status_january[:] = np.where(pop.status == codes.ABSENT, -1, pop.status)
