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

STATUSES = codes.STATUS[:3]  # employed, jobseeker, non_active
BLOCK_ROWS = 1 << 19
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
        if month.recorded:  # everybody's key, then the people present both times counted, a block of rows at a time
            params = month.all_params or month.params
            counts = 0
            for first in range(0, len(pop), BLOCK_ROWS):  # (a block at a time keeps the memory of the keys small)
                rows = np.arange(first, min(first + BLOCK_ROWS, len(pop)))
                keys = metrics.group_keys(pop, rows, month.number, params, pop.group_key_static)
                counts = counts + kernels_keys.count_transitions(
                    keys, pop.status[rows[0]:rows[-1] + 1], pop.status_january[rows[0]:rows[-1] + 1], metrics.N_KEYS,
                    len(STATUSES)).sum(axis=0)
            model.counters.add_counts("transitions", month.t, counts)
        pop.status_january[:] = np.where(pop.status == codes.ABSENT, -1, pop.status)
