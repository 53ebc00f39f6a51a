"""Monthly stocks by group: population, employed, eligible, aware and eligible, recent users, follow-up job seekers."""

from __future__ import annotations

from .. import codes, metrics
from ..behaviour import guidance, uptake
from ..metrics import Counter
from ..process import Month, Process


class StockCounters(Process):
    """Counts the stocks of the month with one ``bincount``, at the end of the month's processes.

    It runs last: the group keys read the re-entrant-user flag that uptake
    sets, so it cannot overlap with uptake.
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

    def step(self, model, month: Month) -> None:
        """Record the stocks (recorded months only)."""
        if not month.recorded:
            return
        pop, p = model.people, month.params
        eligible = month.values["eligible"]
        keys = metrics.group_keys(pop, slice(None), month.number, p, pop.group_key_static)
        flags = {
            "employed": pop.status == codes.EMPLOYED,
            "eligible": eligible,
            "aware_eligible": eligible & uptake.is_aware(pop, slice(None), p, month.number),
            "recent_users": month.values["recent_users"],
            "followup_jobseekers": guidance.followup_jobseekers(pop),
        }
        model.counters.stocks_from_keys(month.t, keys, pop.status != codes.ABSENT, flags, "population_20_64")
