"""Labour market: moves between employed, registered job seeker and non-active.

Recent cheque users move with extra rates (the guidance effect, see
:mod:`model.behaviour.guidance`); the hazards are those of
:mod:`model.behaviour.labour`.
"""

from __future__ import annotations

import numpy as np

from ..behaviour import guidance, labour
from ..metrics import Counter
from ..process import Column, Month, Process


class LabourMarket(Process):
    """Moves between the labour states, counted with the movers' groups before the move."""

    name = "labour_market"
    parameters = ("labour_market.", "careers.benefit_by_reason", "behaviour.guidance_effect.",
                  "simulation.hazard_ceiling")
    columns = tuple(Column(n) for n in ("status", "self_employed", "inactive_reason", "months_worked_before_spell",
                                        "spell_start", "gap_before_job", "benefits_in_spell"))
    streams = ("separation", "jobseeker_exit", "non_active_exit", "destination_reason", "benefit")
    counters = (
        Counter("entries_into_work", "flow", "persons", "all moves into work"),
        Counter("exits_from_work", "flow", "persons", "all moves out of work"),
        Counter("reentries_employment", "flow", "persons", "non-employed recent users who start work"),
        Counter("reentries_jobseeker", "flow", "persons", "non-active recent users who register at VDAB as job seeker"),
    )
    provides = ("recent_users",)

    def step(self, model, month: Month) -> None:
        """Decide the month's moves from the start-of-month state, count them, carry them out."""
        m, p, pop = month.number, month.params, model.people
        recent = guidance.recent_users(pop, m, p)
        month.values["recent_users"] = recent
        _, hazards = model.tables_for(m)
        moves = labour.decide_moves(pop, m, p, hazards, month.streams, recent, pop.labour_cell_static, model.pool)
        model.counters.capped += moves.capped
        to_work = np.concatenate([moves.jobseeker_to_work, moves.non_active_to_work])
        model.count(month, "entries_into_work", to_work)
        model.count(month, "exits_from_work", np.concatenate([moves.work_to_jobseeker, moves.work_to_non_active]))
        model.count(month, "reentries_employment", to_work[recent[to_work]])
        model.count(month, "reentries_jobseeker", moves.non_active_to_jobseeker[recent[moves.non_active_to_jobseeker]])
        labour.apply_moves(pop, moves, m, p, hazards, month.streams)
