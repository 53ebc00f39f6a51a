"""The supply-driven incentive of the resolution's explanatory note: centres reach out themselves.

With a bonus per client from a target group (``centres.incentive``), every
open centre reaches, each month, ``coaches x contacts_per_coach_month_per_100eur
x bonus / 100`` people in its province: eligible people of the target groups
who do not know the cheque and are not under a running contact. Centres prefer
the people most ready to (re)turn to work (``easiest_client_loading``): among
the candidates of a province, the contacted are a weighted sample without
replacement, by the keys ``u ** (1 / w)`` with ``w = exp(loading x readiness)``
and one uniform per person (so the same people are reached in every scenario
with the same incentive). A contact makes the person aware with
``awareness_gain`` for ``effect_months``. The bonus itself is paid when a
client starts cheque 1 (:mod:`.queue`).
"""

from __future__ import annotations

import numpy as np

from ...engine.counters import Counter
from ...engine.process import Column, Month, Process
from ...people import codes
from ...people.groups import in_target_groups
from ..uptake.awareness import is_aware


class CentreOutreach(Process):
    """Contacts made by the centres under the incentive, and whom they inform."""

    name = "centre_outreach"
    parameters = ("centres.incentive.", "behaviour.awareness.", "outreach.")
    columns = (
        Column("incentive_until", np.int16, codes.NO_MONTH, "last month of the running contact by a centre"),
        Column("incentive_informed", np.bool_, False, "the latest contact by a centre made the person aware"),
    )
    reads = ("status", "age_months", "readiness", "province", "outreach_informed", "outreach_until")
    streams = ("incentive_contact", "incentive_informed")
    counters = (
        Counter("incentive_contacts", "flow", "persons", "people a centre reached under the supply-driven incentive"),
        Counter("incentive_informed", "flow", "persons", "people reached by a centre who became aware of the cheque"),
    )
    needs = ("eligible", "market")

    def step(self, model, month: Month) -> None:
        """Each province's contacts of the month, by the centres open there."""
        m, p, pop = month.number, month.params, month.people
        prefix = "centres.incentive."
        if not p[prefix + "enabled"]:
            return
        market = month.values["market"]
        per_coach = p[prefix + "contacts_per_coach_month_per_100eur"] * p[prefix + "bonus_per_client_eur"] / 100.0
        contacts = np.bincount(market.province[market.open], weights=market.coaches[market.open] * per_coach,
                               minlength=len(codes.PROVINCES)) / model.weight
        rows = np.flatnonzero(month.values["eligible"].mask)
        rows = rows[pop.incentive_until[rows] < m]
        rows = rows[in_target_groups(pop, rows, p[prefix + "target_groups"])]
        rows = rows[~is_aware(pop, rows, p, m)]
        u = month.streams.row_uniforms("incentive_contact", m, rows)
        # weighted sampling without replacement: the largest keys u^(1/w), taken as log(u) / w
        weight = np.exp(p[prefix + "easiest_client_loading"] * pop.readiness[rows].astype(np.float64))
        key = np.log(np.maximum(u, 1e-300)) / weight
        # a fractional number of contacts is rounded at random, so the contacts hold on average at any scale
        extra = month.streams.generator("incentive_contact", m).random(len(codes.PROVINCES))
        province = pop.province[rows].astype(np.intp)
        reached = []
        for code in range(len(codes.PROVINCES)):
            here = np.flatnonzero(province == code)
            k = min(int(np.floor(contacts[code] + extra[code])), len(here))
            if k > 0:
                reached.append(here[np.argpartition(-key[here], k - 1)[:k]])
        if not reached:
            return
        reached = rows[np.sort(np.concatenate(reached))]
        informed = month.streams.row_uniforms("incentive_informed", m, reached) < p[prefix + "awareness_gain"]
        pop.incentive_until[reached] = m + p[prefix + "effect_months"] - 1
        pop.incentive_informed[reached] = informed
        model.count(month, "incentive_contacts", reached)
        model.count(month, "incentive_informed", reached[informed])
