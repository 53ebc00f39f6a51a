"""Eligibility: who may order a cheque this month under the scenario's rules."""

from __future__ import annotations

from ...engine.process import Month, Process
from .rules import Eligible


class Eligibility(Process):
    """Hands on ``eligible`` (:class:`.rules.Eligible`): eligibility of any rows, or everybody's column, on demand."""

    name = "eligibility"
    parameters = ("cheque.eligibility.",)
    reads = ("status", "months_worked_before_spell", "spell_start", "gap_before_job", "benefits_in_spell",
             "benefits_now", "benefit_end_month", "cheque1_month")
    provides = ("eligible",)

    def step(self, model, month: Month) -> None:
        """The rules in force this month (:func:`.rules.is_eligible`), worked out where they are needed."""
        month.values["eligible"] = Eligible(month.people, month.number, month.params)
