"""Monthly stocks by group: population, employed, eligible, aware and eligible, recent users, follow-up job seekers.

Two background steps share the work, so that it overlaps with the month's
other processes: :class:`StockKeys` computes every person's group key right
after the labour moves (while eligibility, outreach and uptake run), and
:class:`StockCounters` counts the stocks once eligibility is known. The engine's
second core runs background steps one after the other, in the order they were
handed over, so the keys are ready when the counting starts.
"""

from __future__ import annotations

import numpy as np

from .. import codes, metrics
from ..behaviour import guidance, uptake
from ..metrics import Counter
from ..process import Month, Process


class StockKeys(Process):
    """Group keys of everybody, for the month's stocks (recorded months only), in the background."""

    name = "stock_keys"
    parameters = ("cheque.eligibility.reentrant.",)
    needs = ("recent_users",)
    provides = ("stock_keys",)
    background = True
    reads = ("status", "age_months", "group_key_static", "months_worked_before_spell", "spell_start",
             "benefits_in_spell")

    def prepare(self, model, month: Month) -> None:
        """Copy the re-entrant-user flag, which uptake writes while the keys are computed."""
        if month.recorded and "reentrant_user" in model.people.dtypes:
            month.values["stocks:reentrant_user"] = model.people.reentrant_user.copy()

    def step(self, model, month: Month) -> None:
        """Compute the keys (recorded months only)."""
        if not month.recorded:
            return
        pop = model.people
        month.values["stock_keys"] = metrics.group_keys(pop, slice(None), month.number, month.params,
                                                        pop.group_key_static, month.values.get("stocks:reentrant_user"))


class StockCounters(Process):
    """Counts the stocks of the month with one ``bincount``.

    Runs in the background (a second thread) while uptake runs, with the keys
    of :class:`StockKeys`: it reads no column uptake writes.
    """

    name = "stocks"
    parameters = ("behaviour.awareness.",)
    counters = (
        Counter("population_20_64", "stock", "persons", "residents aged 20-64"),
        Counter("employed", "stock", "persons", "people at work (employed or self-employed)"),
        Counter("eligible", "stock", "persons", "people who may order a cheque this month under the scenario's rules"),
        Counter("aware_eligible", "stock", "persons", "eligible people who know the cheque (may take it up)"),
        Counter("recent_users", "stock", "persons", "people who started cheque 1 in the guidance-effect window"),
        Counter("followup_jobseekers", "stock", "persons", "job seekers who registered through VDAB follow-up "
                "(in their current spell)"),
    )
    needs = ("eligible", "recent_users", "stock_keys")
    background = True
    reads = ("status", "spell_start", "followup_month")

    def prepare(self, model, month: Month) -> None:
        """The flags of the large stocks and their bits, in the foreground (it balances the two cores' work)."""
        if not month.recorded:
            return
        pop, eligible = model.people, month.values["eligible"]
        flags = {
            "employed": pop.status == codes.EMPLOYED,
            "eligible": eligible,
            "aware_eligible": eligible & uptake.is_aware(pop, slice(None), month.params, month.number),
        }
        present = pop.status != codes.ABSENT
        month.values["stocks:flags"] = flags
        month.values["stocks:present"] = present
        month.values["stocks:index"] = metrics.Recorder.flag_index(present, flags)
        month.values["stocks:recent_rows"] = np.flatnonzero(month.values["recent_users"])

    def step(self, model, month: Month) -> None:
        """Record the stocks (recorded months only)."""
        if not month.recorded:
            return
        pop = model.people
        keys = month.values["stock_keys"]
        flags = month.values["stocks:flags"]
        sparse = {"recent_users": month.values["stocks:recent_rows"],
                  "followup_jobseekers": guidance.followup_jobseeker_rows(pop)}
        model.counters.stocks_from_keys(month.t, keys, month.values["stocks:present"], flags, "population_20_64", sparse,
                                        month.values["stocks:index"])
