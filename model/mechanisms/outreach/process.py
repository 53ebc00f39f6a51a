"""Ask 2 of the resolution: outreach to non-active people in disadvantaged groups.

Each channel (``outreach.letter``, ``outreach.assisted``) that is switched on
contacts, each month, a share of the non-active people in its target groups
who are not under a running contact (one uniform per person and month, so a
wider reach contacts the same people and more). By default
(``outreach.targeting.selection: eligible``) the channel writes only to those
the administrative data flag as able to order a cheque under the rules in
force, as VDAB could select them from the Datawarehouse Arbeidsmarkt & Sociale
Bescherming; the data miss some who are eligible
(``outreach.targeting.missed_share``) and flag some who are not
(``outreach.targeting.false_flag_share``), each a fixed property of the person.
``selection: target_groups`` writes to every non-active person of the groups. A contact makes the person aware of the
cheque with the channel's probability and, for the assisted channel, lowers
the hassle of ordering (a logit shift of the uptake hazard), for the
channel's ``effect_months``. Contacts are drawn from per-person random
numbers, so the same people are contacted in every scenario with the same
campaign. The cost is counted per person contacted, by channel.
"""

from __future__ import annotations

import numpy as np

from ...engine.counters import Counter
from ...engine.process import Column, Month, Process
from ...people import codes
from ...people.groups import in_target_groups

OUTREACH_CHANNELS = ("letter", "assisted")  # codes 1 and 2 of the outreach_channel column
CHANNEL_DIM = (("channel", OUTREACH_CHANNELS),)


class Outreach(Process):
    """Contacts of the outreach channels that are switched on, their awareness effect and cost."""

    name = "outreach"
    parameters = ("outreach.",)
    needs = ("eligible",)
    columns = (
        Column("outreach_until", np.int16, codes.NO_MONTH, "last month of the running outreach contact"),
        Column("outreach_channel", np.int8, 0, "channel of the latest contact (1 letter, 2 assisted)"),
        Column("outreach_informed", np.bool_, False, "the latest contact made the person aware of the cheque"),
    )
    reads = ("status", "age_months")
    streams = (*(f"outreach_{c}{suffix}" for c in OUTREACH_CHANNELS for suffix in ("", "_informed")), "outreach_flag")
    counters = (
        Counter("outreach_reached", "flow", "persons", "non-active people contacted by an outreach channel", CHANNEL_DIM,
                role="contacts"),
        Counter("outreach_reached_eligible", "flow", "persons", "people contacted who may order a cheque when contacted",
                CHANNEL_DIM, role="contacts_eligible"),
        Counter("outreach_informed", "flow", "persons", "people contacted who became aware of the cheque", CHANNEL_DIM),
        Counter("outreach_cost_eur", "flow", "EUR", "cost of outreach (per person contacted)", CHANNEL_DIM,
                role="cost", item="outreach", rank=2),
    )

    def step(self, model, month: Month) -> None:
        """Contact this month's share of each channel's targets."""
        m, p, pop = month.number, month.params, month.people
        for code, channel in enumerate(OUTREACH_CHANNELS, start=1):
            prefix = f"outreach.{channel}."
            if not p[prefix + "enabled"]:
                continue
            rows = np.flatnonzero(pop.status == codes.NON_ACTIVE)
            rows = rows[(pop.outreach_until[rows] < m) & in_target_groups(pop, rows, p[prefix + "target_groups"])]
            eligible = month.values["eligible"][rows]
            if p["outreach.targeting.selection"] == "eligible":
                # the data's error is the person's, the same every month (stream key month 0) and in every scenario
                u = month.streams.row_uniforms("outreach_flag", 0, rows)
                flagged = np.where(eligible, u >= p["outreach.targeting.missed_share"],
                                   u < p["outreach.targeting.false_flag_share"])
                rows, eligible = rows[flagged], eligible[flagged]
            # one uniform per person: a wider reach contacts the same people and more (nested campaigns)
            reached = month.streams.row_uniforms(f"outreach_{channel}", m, rows) < p[prefix + "monthly_reach"]
            rows, eligible = rows[reached], eligible[reached]
            informed = month.streams.row_uniforms(f"outreach_{channel}_informed", m, rows) < p[prefix + "awareness_gain"]
            pop.outreach_until[rows] = m + p[prefix + "effect_months"] - 1
            pop.outreach_channel[rows] = code
            pop.outreach_informed[rows] = informed
            index = np.full(len(rows), code - 1)
            model.count(month, "outreach_reached", rows, index=index)
            model.count(month, "outreach_reached_eligible", rows[eligible], index=index[eligible])
            model.count(month, "outreach_informed", rows[informed], index=index[informed])
            model.count(month, "outreach_cost_eur", rows, p[prefix + "cost_per_person_reached"], index=index)
