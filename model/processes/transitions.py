"""Year-on-year transitions between labour statuses, January to January.

At the start of every January (after ageing, before the month's moves) the
status of each person present is compared with their status the January
before; people who were not present then (new 20-year-olds, people filling
a band) are left out, as in a panel. ``transitions.csv`` turns the counts
into shares of the origin status.
"""

from __future__ import annotations

import numpy as np

from .. import codes, metrics
from ..kernels import keys as kernels_keys
from ..metrics import Counter
from ..process import Column, Month, Process
from ..rules import benefit_mask

STATUSES = codes.STATUS[:3]  # employed, jobseeker, non_active
TRANSITION_DIMS = (("from_status", STATUSES), ("to_status", STATUSES))


class Transitions(Process):
    """Counts January-to-January moves by group; keeps each person's status of the last January."""

    name = "transitions"
    columns = (Column("status_january", np.int8, -1, "status in the last January (-1: not present then)"),)
    counters = (Counter("transitions", "flow", "persons", "people present in two Januaries, by status in the first "
                        "(from_status) and the second (to_status)", TRANSITION_DIMS),)
    needs = ("renewed_rows",)

    def step(self, model, month: Month) -> None:
        """In January: count the year's transitions, then note this January's status."""
        # Only Januaries matter, and in the warm-up only the last one before recording starts.
        if codes.month_date(month.number).month != 1 or month.number < model.state.record_from - 12:
            return
        pop = model.people
        if month.recorded:  # the people present both times, counted by key in one pass
            params = month.all_params or month.params
            prefix = "cheque.eligibility.reentrant."
            reentrant_user = pop.reentrant_user if "reentrant_user" in pop.dtypes else np.empty(0, dtype=bool)
            counts = kernels_keys.count_transitions(
                pop.status, pop.status_january, metrics.N_KEYS, len(STATUSES), pop.age_months, pop.group_key_static,
                pop.months_worked_before_spell, pop.spell_start, pop.benefits_in_spell, reentrant_user, month.number,
                params[prefix + "min_months_worked"], params[prefix + "min_months_out_of_work"],
                benefit_mask(params[prefix + "disqualifying_benefits"]), metrics.AGE_KEY, metrics.KEY_BIT_VALUES)
            model.counters.add_counts("transitions", month.t, counts)
        pop.status_january[:] = np.where(pop.status == codes.ABSENT, -1, pop.status)
