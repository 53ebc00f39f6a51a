"""Monthly stocks by group: population, employed, eligible, aware and eligible, recent users, follow-up job seekers."""

from __future__ import annotations

from .. import codes, metrics
from ..behaviour import guidance, uptake
from ..metrics import Counter
from ..process import Month, Process


class StockCounters(Process):
    """Counts the stocks of the month with one ``bincount``.

    Runs in the background (a second thread) while uptake runs: it reads no
    column uptake writes, except the re-entrant-user flag of the group keys,
    of which it takes a copy first (:meth:`prepare`).
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
    needs = ("eligible", "recent_users")
    background = True
    reads = ("status", "age_months", "awareness_draw", "group_key_static", "months_worked_before_spell",
             "spell_start", "benefits_in_spell", "outreach_until", "outreach_informed", "followup_month")

    def prepare(self, model, month: Month) -> None:
        """Copy the re-entrant-user flag, which uptake writes while the stocks are counted."""
        if month.recorded and "reentrant_user" in model.people.dtypes:
            month.values["stocks:reentrant_user"] = model.people.reentrant_user.copy()

    def step(self, model, month: Month) -> None:
        """Record the stocks (recorded months only)."""
        if not month.recorded:
            return
        pop, p = model.people, month.params
        eligible = month.values["eligible"]
        keys = metrics.group_keys(pop, slice(None), month.number, p, pop.group_key_static,
                                  month.values.get("stocks:reentrant_user"))
        flags = {
            "employed": pop.status == codes.EMPLOYED,
            "eligible": eligible,
            "aware_eligible": eligible & uptake.is_aware(pop, slice(None), p, month.number),
            "recent_users": month.values["recent_users"],
            "followup_jobseekers": guidance.followup_jobseekers(pop),
        }
        model.counters.stocks_from_keys(month.t, keys, pop.status != codes.ABSENT, flags, "population_20_64")
