"""Ask 3 of the resolution: VDAB invites non-active users to register as job seeker.

When ``vdab_followup.enabled``, VDAB contacts users who are still non-active
``vdab_followup.months_after_guidance`` months after the start of their
first cheque of a window (at the start of that month, before its labour
moves; once per window); a share accepts. The labour market registers them
before the month's moves (:mod:`model.mechanisms.labour_market`); as job seekers they then
find work at the rate of formerly non-active job seekers, which depends on
why and how long they were out. Off unless a scenario switches it on.
"""

from __future__ import annotations

import numpy as np

from ...engine.counters import Counter
from ...engine.process import Month, Process, empty_rows
from ...people import codes


class VdabFollowup(Process):
    """Contacts, acceptances and their cost; hands the acceptances on as ``followup_registrations``."""

    name = "vdab_followup"
    parameters = ("vdab_followup.",)
    reads = ("status", "cheque1_month")
    streams = ("followup_contact", "followup_acceptance")
    counters = (
        Counter("followup_contacts", "flow", "persons", "non-active users contacted by VDAB after guidance"),
        Counter("followup_registrations", "flow", "persons", "contacted users who register as job seeker"),
        Counter("followup_cost_eur", "flow", "EUR", "cost of VDAB's follow-up contacts", role="cost", item="followup",
                rank=3),
    )
    provides = ("followup_registrations", "followup_due", "followup_share")

    def step(self, model, month: Month) -> None:
        """Contact this month's users; hand the acceptances on."""
        m, p, pop = month.number, month.params, month.people
        month.values["followup_registrations"] = month.values["followup_due"] = empty_rows()
        month.values["followup_share"] = 0.0
        if not p["vdab_followup.enabled"]:
            return
        due = np.flatnonzero(pop.cheque1_month == m - p["vdab_followup.months_after_guidance"])
        due = due[pop.status[due] == codes.NON_ACTIVE]
        contacted = due[month.streams.row_uniforms("followup_contact", m, due) < p["vdab_followup.contact_share"]]
        accepted = contacted[month.streams.row_uniforms("followup_acceptance", m, contacted)
                             < p["vdab_followup.acceptance_share"]]
        model.count(month, "followup_contacts", contacted)
        model.count(month, "followup_cost_eur", contacted, p["vdab_followup.cost_per_contact"])
        model.count(month, "followup_registrations", accepted)
        month.values["followup_registrations"] = accepted
        # who could have registered, and how likely: the expected gain of follow-up is taken over them all
        # (model.mechanisms.labour_market.moves.expected_gains), not over the few that chance picked
        month.values["followup_due"] = due
        month.values["followup_share"] = float(p["vdab_followup.contact_share"] * p["vdab_followup.acceptance_share"])
