"""Labour market: moves between employed, registered job seeker and non-active.

Who finds work depends on the cell's hazard (:mod:`.hazards`, from the raked
table of the year: :mod:`.tables`), a person's latent readiness, and for job
seekers who came from non-activity on why and how long they were out
(:mod:`.moves`, :mod:`.kernel`). Recent cheque users move with the effects of
guidance (:mod:`model.mechanisms.guidance.effects`): more job finding when out
of work, fewer exits to non-activity and job changes when at work. Users who
accepted VDAB's follow-up offer (ask 3, :mod:`model.mechanisms.vdab_followup`)
register here, before the month's moves.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from ...engine.counters import Counter
from ...engine.process import Column, Month, Process, empty_rows
from ...engine.rows import sorted_contains
from ...params.calendar import month_date, month_number
from ...people import codes
from ...people.groups import N_KEYS
from ..guidance import effects as guidance
from . import kernel, moves
from .reference import REFERENCE, ReferenceMeans
from .tables import tables_for


def draw_readiness(streams, month: int, rows: np.ndarray) -> np.ndarray:
    """Standard normal readiness for ``rows`` (fixed for a person from their entry month)."""
    u = streams.row_uniforms("readiness", month, rows)
    return ndtri(np.clip(u, 1e-12, 1.0 - 1e-12)).astype(np.float32)


def _horizon(model) -> tuple[int, int, int]:
    """The last recorded month, the first recorded month of its year, and the recorded months of that year."""
    last = model.last_month
    first = max(month_number(month_date(last).year, 1), model.state.record_from)
    return last, first, last - first + 1


class LabourMarket(Process):
    """Moves between the labour states, counted with the movers' groups before the move."""

    name = "labour_market"
    parameters = ("labour_market.", "careers.benefit_by_reason", "behaviour.guidance_effect.", "behaviour.readiness.")
    columns = (*(Column(n) for n in ("status", "self_employed", "inactive_reason", "months_worked_before_spell",
                                     "spell_start", "gap_before_job", "benefits_in_spell", "benefits_now",
                                     "benefit_end_month")),
               Column("labour_cell_static", np.uint8, 0, "labour hazard cell without age (moves.static_cells), fixed"),
               Column("readiness", np.float32, 0.0, "latent readiness to (re)turn to work, standard normal, fixed"),
               Column("registered_from", np.int8, 0, "non-activity reason a job seeker registered from (0: from work)"),
               Column("followup_month", np.int16, codes.NO_MONTH, "month of registration through VDAB follow-up"),
               Column("job_change_month", np.int16, codes.NO_MONTH, "month of the latest job change after guidance"))
    reads = ("age_months", "cheque1_month", "guidance_quality")
    streams = (*moves.SEPARATION_STREAMS, "destination_reason", "benefit", "readiness", "job_change")
    counters = (
        Counter("entries_into_work", "flow", "persons", "all moves into work"),
        Counter("exits_from_work", "flow", "persons", "all moves out of work", role="exits"),
        Counter("registrations", "flow", "persons", "non-active people who register at VDAB as job seeker "
                "(follow-up included)", role="registrations"),
        Counter("reentries_employment", "flow", "persons", "non-employed recent users who start work",
                role="reentries"),
        Counter("reentries_jobseeker", "flow", "persons", "non-active recent users who register at VDAB as job seeker "
                "by themselves"),
        Counter("followup_exits_to_work", "flow", "persons", "job seekers registered through VDAB follow-up who start work"),
        Counter("exits_to_non_active_users", "flow", "persons", "employed recent users who leave work for non-activity"),
        Counter("job_changes", "flow", "persons", "employed recent users who change job", role="job_changes"),
        Counter("expected_person_years", "flow", "person-years", "person-years at work that guidance (the month's "
                "recent users) and registering through follow-up are expected to bring, to the end of the horizon "
                "(moves.expected_gains)", role="expected_person_years"),
        Counter("expected_employed", "flow", "persons", "the same gains' share of the last year's average of people "
                "at work", role="expected_employed"),
    )
    needs = ("renewed_rows",)
    provides = ("recent_users", "followup_rows")

    def initialise(self, model) -> None:
        """Draw everybody's readiness; note everybody's labour cell."""
        pop = model.people
        pop.readiness[:] = draw_readiness(model.streams, model.state.first_month, np.arange(len(pop)))
        pop.labour_cell_static[:] = moves.static_cells(pop)

    def step(self, model, month: Month) -> None:
        """Register follow-up acceptances, then decide the month's moves from the start-of-month state."""
        m, p, pop = month.number, month.params, month.people
        renewed = month.values["renewed_rows"]
        pop.readiness[renewed] = draw_readiness(month.streams, m, renewed)
        pop.labour_cell_static[renewed] = moves.static_cells(pop, renewed)
        registered = month.values.get("followup_registrations", empty_rows())
        model.count(month, "registrations", registered)
        moves.register(pop, registered, m)
        pop.followup_month[registered] = m
        # every row ever registered through follow-up (few), so that nobody searches all rows for them;
        # rows given to new people since (their month reset) are dropped
        data = model.data(self)
        ever = data.get("followup_rows", empty_rows())
        ever = np.union1d(ever[pop.followup_month[ever] != codes.NO_MONTH], registered)
        data["followup_rows"] = month.values["followup_rows"] = ever

        recent = guidance.recent_user_rows(pop, m, p)
        month.values["recent_users"] = recent
        changers = guidance.job_changes(pop, m, p, recent, month.streams)
        model.count(month, "job_changes", changers)
        pop.job_change_month[changers] = m
        _, hazards = tables_for(model, m)
        # over the reported months, the reference world's mean weights (reference.py): no spillover through them
        shared = model.resource(REFERENCE, ReferenceMeans) if month.t >= 0 else None
        movers = moves.decide_moves(pop, m, p, hazards, month.streams, model.scratch(self), renewed, data, shared)
        if month.recorded:  # what guidance and follow-up are expected to bring, next to what chance gives them
            due = month.values.get("followup_due", empty_rows())
            share = month.values.get("followup_share", 0.0)
            for rows, registering in ((recent, 0.0), (due, share)):
                if len(rows):
                    gains = moves.expected_gains(pop, m, p, hazards, rows, model.scratch(self), _horizon(model),
                                                 registering)
                    model.count(month, "expected_person_years", rows, gains.person_years)
                    model.count(month, "expected_employed", rows, gains.employed_last_year)
        if month.recorded:  # the keys of each set of movers once, for the counts of its subsets
            self._count_moves(model, month, movers, recent, guidance.followup_jobseeker_rows(pop, ever))
        moves.apply_moves(pop, movers, m, p, hazards, month.streams)

    @staticmethod
    def _count_moves(model, month: Month, movers: moves.Moves, recent: np.ndarray, followup: np.ndarray) -> None:
        """Count the month's moves, with the movers' groups before the move.

        Args:
            recent: Sorted rows of the recent users; followup: sorted rows of the follow-up job seekers.
        """
        if month.t < 0:
            return
        rows, k = movers.rows, kernel
        keys = model.group_keys(month, rows).astype(np.intp)  # every mover's key once, for the counts of the subsets
        # one count per (move code, recent user, follow-up job seeker, key); each counter adds up its classes
        user = sorted_contains(recent, rows)
        followed = sorted_contains(followup, rows)
        kind = (movers.codes.astype(np.intp) * 2 + user) * 2 + followed
        by_kind = np.bincount(kind * N_KEYS + keys, minlength=7 * 4 * N_KEYS).reshape(7, 2, 2, -1)
        to_work, registering = by_kind[[k.JOBSEEKER_TO_WORK, k.NON_ACTIVE_TO_WORK]], by_kind[k.NON_ACTIVE_TO_JOBSEEKER]
        for name, counts in (
                ("entries_into_work", to_work.sum(axis=(0, 1, 2))),
                ("exits_from_work", by_kind[[k.WORK_TO_JOBSEEKER, k.WORK_TO_NON_ACTIVE]].sum(axis=(0, 1, 2))),
                ("registrations", registering.sum(axis=(0, 1))),
                ("reentries_employment", to_work[:, 1].sum(axis=(0, 1))),
                ("reentries_jobseeker", registering[1].sum(axis=0)),
                ("followup_exits_to_work", by_kind[k.JOBSEEKER_TO_WORK, :, 1].sum(axis=0)),
                ("exits_to_non_active_users", by_kind[k.WORK_TO_NON_ACTIVE, 1].sum(axis=0))):
            model.counters.add_counts(name, month.t, counts)
