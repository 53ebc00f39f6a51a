"""Monthly stocks by group: population, employed, eligible, aware and eligible, recent users, follow-up job seekers.

The large stocks are counted in one kernel pass over every person
(:func:`.kernel.count_stocks`), after eligibility and outreach and before
uptake; the small ones (recent users, follow-up job seekers) from their rows.
"""

from __future__ import annotations

import numpy as np

from ...engine.counters import Counter
from ...engine.process import Month, Process
from ...people import codes
from ...people.groups import N_KEYS, key_columns
from ...people.reentrants import reentrant_rule
from ..guidance.effects import followup_jobseeker_rows
from ..uptake.awareness import awareness_columns, awareness_levels
from .kernel import count_stocks


class StockCounters(Process):
    """Counts the stocks of the month by group (recorded months only)."""

    name = "stocks"
    parameters = ("behaviour.awareness.", "cheque.eligibility.reentrant.")
    reads = ("status", "age_months", "months_worked_before_spell", "spell_start", "gap_before_job",
             "benefits_in_spell", "benefits_now", "benefit_end_month", "reentrant_user",
             "outreach_informed", "outreach_until", "incentive_informed",
             "incentive_until", "followup_month")
    counters = (
        Counter("population_20_64", "stock", "persons", "residents aged 20-64", role="population"),
        Counter("employed", "stock", "persons", "people at work (employed or self-employed)", role="employed"),
        Counter("eligible", "stock", "persons", "people who may order a cheque this month under the scenario's rules",
                role="eligible"),
        Counter("aware_eligible", "stock", "persons", "eligible people who know the cheque (may take it up)",
                role="aware"),
        Counter("recent_users", "stock", "persons", "people who started cheque 1 in the guidance-effect window"),
        Counter("followup_jobseekers", "stock", "persons", "job seekers who registered through VDAB follow-up "
                "(in their current spell)"),
    )
    needs = ("eligible", "recent_users", "followup_rows")
    def step(self, model, month: Month) -> None:
        """Record the stocks (recorded months only): one kernel pass for the large ones, rows for the small ones."""
        if not month.recorded:
            return
        pop, p, m = month.people, month.params, month.number
        eligible = month.values["eligible"]
        by_flags = count_stocks(m, key_columns(pop), reentrant_rule(p),  # (flag combination, key)
                                eligible.rule, eligible.career, eligible.cheque1_month,
                                awareness_columns(pop), awareness_levels(p))
        combos = np.arange(by_flags.shape[0])
        record = model.counters.set_stock
        record("population_20_64", month.t, by_flags.sum(axis=0))
        for bit, name in enumerate(("employed", "eligible", "aware_eligible")):
            record(name, month.t, by_flags[(combos >> bit) & 1 == 1].sum(axis=0))
        for name, rows in (("recent_users", month.values["recent_users"]),
                           ("followup_jobseekers", followup_jobseeker_rows(pop, month.values["followup_rows"]))):
            rows = rows[pop.status[rows] != codes.ABSENT]
            record(name, month.t, np.bincount(model.group_keys(month, rows), minlength=N_KEYS))
