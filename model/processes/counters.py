"""Monthly stocks by group: population, employed, eligible, aware and eligible, recent users, follow-up job seekers.

The large stocks are counted in one kernel pass over every person
(:func:`model.kernels.stocks.count_stocks`), after eligibility and outreach and
before uptake; the small ones (recent users, follow-up job seekers) from their rows.
"""

from __future__ import annotations

import numpy as np

from .. import codes, metrics, rules
from ..behaviour import guidance, uptake
from ..kernels import stocks as kernels_stocks
from ..metrics import Counter
from ..process import Month, Process


class StockCounters(Process):
    """Counts the stocks of the month by group (recorded months only).

    In the foreground: on a second thread it ran no faster (its kernel uses both
    cores already), and two parallel kernels at once need a thread-safe numba
    threading layer.
    """

    name = "stocks"
    parameters = ("behaviour.awareness.", "cheque.eligibility.reentrant.")
    counters = (
        Counter("population_20_64", "stock", "persons", "residents aged 20-64"),
        Counter("employed", "stock", "persons", "people at work (employed or self-employed)"),
        Counter("eligible", "stock", "persons", "people who may order a cheque this month under the scenario's rules"),
        Counter("aware_eligible", "stock", "persons", "eligible people who know the cheque (may take it up)"),
        Counter("recent_users", "stock", "persons", "people who started cheque 1 in the guidance-effect window"),
        Counter("followup_jobseekers", "stock", "persons", "job seekers who registered through VDAB follow-up "
                "(in their current spell)"),
    )
    needs = ("eligible", "recent_users", "followup_rows")
    def step(self, model, month: Month) -> None:
        """Record the stocks (recorded months only): one kernel pass for the large ones, rows for the small ones."""
        if not month.recorded:
            return
        pop, p, m = model.people, month.params, month.number
        reentrant = "cheque.eligibility.reentrant."
        level = uptake.awareness_level(p)
        empty = np.empty(0, dtype=np.int16)
        outreach = ((pop.outreach_informed, pop.outreach_until) if "outreach_until" in pop.dtypes
                    and pop.outreach_informed.any() else (empty.astype(bool), empty))
        incentive = ((pop.incentive_informed, pop.incentive_until) if "incentive_until" in pop.dtypes
                     and pop.incentive_informed.any() else (empty.astype(bool), empty))
        by_flags = kernels_stocks.count_stocks(  # (flag combination, key)
            pop.status, pop.age_months, pop.group_key_static, pop.months_worked_before_spell, pop.spell_start,
            pop.benefits_in_spell, pop.gap_before_job, pop.cheque1_month, month.values["eligible"].rule(),
            pop.reentrant_user if "reentrant_user" in pop.dtypes else empty.astype(bool), pop.awareness_draw, np.float32(level),
            np.float32(level * p["behaviour.awareness.non_active_relative"]), *outreach, *incentive, m,
            p[reentrant + "min_months_worked"], p[reentrant + "min_months_out_of_work"],
            rules.benefit_mask(p[reentrant + "disqualifying_benefits"]), metrics.AGE_KEY,
            metrics.KEY_BIT_VALUES, metrics.N_KEYS)
        combos = np.arange(by_flags.shape[0])
        record = model.counters.set_stock
        record("population_20_64", month.t, by_flags.sum(axis=0))
        for bit, name in enumerate(("employed", "eligible", "aware_eligible")):
            record(name, month.t, by_flags[(combos >> bit) & 1 == 1].sum(axis=0))
        for name, rows in (("recent_users", month.values["recent_users"]),
                           ("followup_jobseekers", guidance.followup_jobseeker_rows(pop, month.values["followup_rows"]))):
            rows = rows[pop.status[rows] != codes.ABSENT]
            record(name, month.t, np.bincount(model.group_keys(month, rows), minlength=metrics.N_KEYS))
