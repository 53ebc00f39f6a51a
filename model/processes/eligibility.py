"""Eligibility: who may order a cheque this month under the scenario's rules."""

from __future__ import annotations

from .. import rules
from ..process import Month, Process


class Eligibility(Process):
    """Hands on ``eligible`` (:class:`model.rules.Eligible`): eligibility of any rows, or everybody's column, on demand."""

    name = "eligibility"
    parameters = ("cheque.eligibility.",)
    provides = ("eligible",)

    def step(self, model, month: Month) -> None:
        """The rules in force this month (:func:`model.rules.is_eligible`), worked out where they are needed."""
        month.values["eligible"] = rules.Eligible(model.people, month.number, month.params)
