"""Eligibility: who may order a cheque this month under the scenario's rules."""

from __future__ import annotations

from .. import rules
from ..process import Month, Process


class Eligibility(Process):
    """Hands on ``eligible``, a boolean column, to the processes after it."""

    name = "eligibility"
    parameters = ("cheque.eligibility.",)
    provides = ("eligible",)

    def step(self, model, month: Month) -> None:
        """Apply the rules in force (:func:`model.rules.is_eligible`)."""
        month.values["eligible"] = rules.is_eligible(model.people, month.number, month.params)
