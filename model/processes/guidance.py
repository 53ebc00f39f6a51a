"""Effects of guidance after the month's uptake: job changes of employed recent users.

The effects on the non-employed (more registration at VDAB, more job finding)
are extra rates inside the labour-market moves (:mod:`.labour_market`).
"""

from __future__ import annotations

from ..behaviour import guidance
from ..metrics import Counter
from ..process import Month, Process


class GuidanceEffects(Process):
    """Employed recent users change job at a monthly rate (their work spell goes on)."""

    name = "guidance_effects"
    parameters = ("behaviour.guidance_effect.",)
    streams = ("job_change",)
    counters = (Counter("job_changes", "flow", "persons", "employed recent users who change job"),)
    needs = ("recent_users",)

    def step(self, model, month: Month) -> None:
        """Count the job changes of employed recent users."""
        model.count(month, "job_changes", guidance.job_changes(model.people, month.number, month.params,
                                                               month.values["recent_users"], month.streams))
