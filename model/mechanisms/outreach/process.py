"""Ask 2 of the resolution: outreach to non-active people in disadvantaged groups.

Each channel (``outreach.letter``, ``outreach.assisted``) that is switched on
contacts, each month, a share of the non-active people in its target groups
who are not under a running contact (one uniform per person and month, so a
wider reach contacts the same people and more). A contact makes the person aware of the
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
    columns = (
        Column("outreach_until", np.int16, codes.NO_MONTH, "last month of the running outreach contact"),
        Column("outreach_channel", np.int8, 0, "channel of the latest contact (1 letter, 2 assisted)"),
        Column("outreach_informed", np.bool_, False, "the latest contact made the person aware of the cheque"),
    )
    reads = ("status", "age_months")
    streams = tuple(f"outreach_{c}{suffix}" for c in OUTREACH_CHANNELS for suffix in ("", "_informed"))
    counters = (
        Counter("outreach_reached", "flow", "persons", "non-active people contacted by an outreach channel", CHANNEL_DIM),
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
            # one uniform per person: a wider reach contacts the same people and more (nested campaigns)
            rows = rows[month.streams.row_uniforms(f"outreach_{channel}", m, rows) < p[prefix + "monthly_reach"]]
            informed = month.streams.row_uniforms(f"outreach_{channel}_informed", m, rows) < p[prefix + "awareness_gain"]
            pop.outreach_until[rows] = m + p[prefix + "effect_months"] - 1
            pop.outreach_channel[rows] = code
            pop.outreach_informed[rows] = informed
            index = np.full(len(rows), code - 1)
            model.count(month, "outreach_reached", rows, index=index)
            model.count(month, "outreach_informed", rows[informed], index=index[informed])
            model.count(month, "outreach_cost_eur", rows, p[prefix + "cost_per_person_reached"], index=index)
