"""One person's situation under each scenario: may they order a cheque, which rule decides, who pays what.

A :class:`Situation` is what a person can tell about themselves (status, months
worked, months in the current job or out of work, benefits in that time, cheques
used, age, education, groups). :func:`explain` makes it a population of one and
asks the model's own rule functions (:mod:`model.mechanisms.eligibility.rules`,
:mod:`model.people.reentrants`, :mod:`model.mechanisms.cheques.rules`) under the
parameters each scenario has in force on a date: the same row functions the
simulation compiles into its kernels, so the calculator and the model cannot
disagree (``tests/test_explain.py`` runs the rule case tables through it). The
reasons are sentences in Dutch or English from the one translation table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..mechanisms.cheques import rules as cheques
from ..mechanisms.eligibility.rules import EXPERIENCE, eligibility_rule, eligible_rows, is_eligible, months_worked_in_window
from ..params.calendar import month_number
from ..params.scenario import Scenario, ScenarioError, shipped_names
from ..params.tree import ParameterTree
from ..params.yamlfile import excerpt
from ..people import codes
from ..people.codes import BENEFITS
from ..people.groups import TARGET_GROUPS
from ..people.population import Population, empty
from ..people.reentrants import benefit_mask, career_columns, is_reentrant
from ..report import labels

DATE = "2026-01-01"  # the day the calculator asks about, unless told (a fixed day: the same answer next year)
STATUSES = {"employed": codes.EMPLOYED, "jobseeker": codes.JOBSEEKER, "non_active": codes.NON_ACTIVE}
Benefit = Literal["unemployment", "career_break", "incapacity", "pension"]
assert set(Benefit.__args__) == set(BENEFITS)  # (the allowed names are the model's own)


class Situation(BaseModel):
    """What a person tells about themselves, on the day asked about.

    Attributes:
        status: ``employed``, ``jobseeker`` (registered with VDAB) or ``non_active``.
        months_worked: Months of work in the whole career, up to the day (the current job included).
        months_in_spell: Months in the current job, or out of work (for a job seeker or a non-active person).
        gap_before_job: For a person at work: months out of work just before the current job.
        benefits: Benefits received now (out of work).
        earlier_benefits: Benefits received earlier in the current spell out of work, ended
            ``benefit_ended_months_ago`` months ago.
        cheques_used: Cheques used in the window that runs (begun ``first_cheque_months_ago`` months ago).
        age: Age in years (20-64).
        education: ``low``, ``medium`` or ``high``.
        migration_background, work_disability: The person's groups.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    status: Literal["employed", "jobseeker", "non_active"]
    months_worked: int = Field(ge=0, le=600)
    months_in_spell: int = Field(ge=0, le=600)
    gap_before_job: int = Field(default=0, ge=0, le=600)
    benefits: tuple[Benefit, ...] = ()
    earlier_benefits: tuple[Benefit, ...] = ()
    benefit_ended_months_ago: int = Field(default=0, ge=0, le=600)
    cheques_used: int = Field(default=0, ge=0, le=2)
    first_cheque_months_ago: int = Field(default=0, ge=0, le=600)
    age: int = Field(default=40, ge=20, le=64)
    education: Literal["low", "medium", "high"] = "medium"
    migration_background: bool = False
    work_disability: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Situation:
        if self.status == "employed" and self.months_in_spell > self.months_worked:
            raise ValueError(f"months_in_spell ({self.months_in_spell}) is part of months_worked "
                             f"({self.months_worked}) for a person at work: it cannot be more")
        if self.status == "employed" and (self.benefits or self.earlier_benefits):
            raise ValueError("benefits and earlier_benefits are those of a spell out of work: a person at work has none")
        if self.earlier_benefits and not 0 < self.benefit_ended_months_ago <= self.months_in_spell:
            raise ValueError("earlier_benefits need benefit_ended_months_ago, from 1 to months_in_spell")
        if self.cheques_used and not 0 < self.first_cheque_months_ago:
            raise ValueError("cheques_used needs first_cheque_months_ago (when the window began), at least 1")
        return self

    @classmethod
    def checked(cls, lang: str | None = None, **values) -> Situation:
        """A situation from loose values, checked.

        Args:
            lang: The page's language: the message names a field as the page does and says what is allowed in that
                language; None gives the fields' names and pydantic's own words.

        Raises:
            ScenarioError: naming the field and what is allowed.
        """
        from .whatif import validated

        return validated(cls, values, lang, lambda error: _problem(error, values, lang), "situation")

    def groups(self) -> list[str]:
        """The disadvantaged groups the person belongs to (the outreach's target groups)."""
        member = {"low_educated": self.education == "low", "age_50_plus": self.age >= 50,
                  "migration_background": self.migration_background, "work_disability": self.work_disability}
        return [g for g in TARGET_GROUPS if member[g]]

    def population(self, month: int) -> Population:
        """The person as a population of one row in ``month`` (the columns the rules read)."""
        pop = empty(1)
        status = STATUSES[self.status]
        pop.status[0] = status
        pop.age_months[0] = self.age * 12
        pop.spell_start[0] = month - self.months_in_spell
        # the current job is counted in its spell; out of work, every month worked lies before the spell
        pop.months_worked_before_spell[0] = (self.months_worked - self.months_in_spell if status == codes.EMPLOYED
                                             else self.months_worked)
        pop.gap_before_job[0] = self.gap_before_job if status == codes.EMPLOYED else 0
        now, earlier = benefit_mask(self.benefits), benefit_mask(self.earlier_benefits)
        pop.benefits_now[0] = now
        pop.benefits_in_spell[0] = now | earlier
        if earlier:
            pop.benefit_end_month[0] = month - self.benefit_ended_months_ago
        if self.cheques_used:
            pop.cheques_in_window[0] = self.cheques_used
            pop.window_start[0] = month - self.first_cheque_months_ago
            pop.cheque1_month[0] = month - self.first_cheque_months_ago
        return pop


def _problem(error: dict, values: dict, lang: str) -> str:
    """One of pydantic's errors in the page's words and language."""
    field = str(error["loc"][0]) if error["loc"] else ""
    name = labels.text(f"person.{field}", lang) if labels.has(f"person.{field}") else field
    if error["type"] in ("greater_than_equal", "less_than_equal"):
        limit = error["ctx"]["ge" if error["type"] == "greater_than_equal" else "le"]
        key = "app.problem.at_least" if error["type"] == "greater_than_equal" else "app.problem.at_most"
        return labels.text(key, lang, lever=name, limit=labels.number(limit, lang))
    if error["type"] == "value_error" and values.get("status") == "employed" \
            and values.get("months_in_spell", 0) > values.get("months_worked", 0):
        return labels.text("person.spell_in_worked", lang)
    return f"{name}: {error['msg']}"


@dataclass(frozen=True)
class Verdict:
    """The answer under one scenario.

    Attributes:
        scenario: Its name; title: its title.
        eligible: Whether the rules let the person order a cheque (the model's own answer).
        may_order: Whether they may order one now (eligible, and the window has room).
        cheque: The number of the cheque they would start (1 or 2).
        user_pays_eur, government_pays_eur: What the person and the government pay for it (VAT included).
        reason: Which rule decides, in the language asked for.
        reached: Who would reach out to the person under this scenario, in that language (empty if nobody).
    """

    scenario: str
    title: str
    eligible: bool
    may_order: bool
    cheque: int
    user_pays_eur: float
    government_pays_eur: float
    reason: str
    reached: str


def explain(situation: Situation | dict, scenarios: list[str | dict] | None = None, date: str | dt.date = DATE,
            lang: str = "en") -> pd.DataFrame:
    """The person under each scenario on ``date``: a row each (the fields of :class:`Verdict`).

    Args:
        situation: A :class:`Situation` or its fields as a dict.
        scenarios: Shipped names, files or dicts (default: every shipped scenario).
        date: The day asked about (``YYYY-MM-DD``, or ``YYYY-MM`` for its first day).
        lang: ``nl`` or ``en``.

    Raises:
        ScenarioError: for a bad situation, scenario, date or language.
    """
    if isinstance(situation, dict):
        situation = Situation.checked(**situation)
    elif not isinstance(situation, Situation):
        raise ScenarioError(f"situation: give a Situation or a dict of its fields, got {type(situation).__name__}")
    try:
        labels.check_language(lang)
    except labels.LabelError as exc:
        raise ScenarioError(exc.args[0]) from None
    day = checked_date(date)
    law = ParameterTree.load()
    names = scenarios if scenarios is not None else shipped()
    verdicts = [_verdict(situation, Scenario.resolve(item, law), day, lang) for item in names]
    return pd.DataFrame([v.__dict__ for v in verdicts])


def sentences(verdicts: pd.DataFrame, lang: str) -> list[str]:
    """Each verdict of :func:`explain` as a sentence: the scenario, the answer and who pays what, why, who reaches out."""
    lines = []
    for v in verdicts.itertuples():
        money = {"user": labels.number(v.user_pays_eur, lang, 2), "government": labels.number(v.government_pays_eur,
                                                                                                  lang, 2)}
        answer = (labels.text("explain.yes", lang, cheque=v.cheque, **money) if v.may_order
                  else labels.text("explain.no", lang))
        line = f"{v.scenario}: {answer}. {labels.text('explain.because', lang).capitalize()}: {v.reason}."
        if v.reached:
            line += f" {v.reached[0].upper()}{v.reached[1:]}."
        lines.append(line)
    return lines


def shipped() -> list[str]:
    """The names of the shipped scenarios, the law first."""
    names = shipped_names()
    return ["law_2025", *[n for n in names if n != "law_2025"]]


def checked_date(date: str | dt.date) -> dt.date:
    """``date`` as a day (``YYYY-MM-DD`` or ``YYYY-MM``), from 2013-07 (the first rules) to 2064.

    Raises:
        ScenarioError: for anything else.
    """
    if isinstance(date, dt.date):
        day = date
    else:
        try:
            day = dt.date.fromisoformat(date if len(str(date)) > 7 else f"{date}-01")
        except (TypeError, ValueError):
            raise ScenarioError(f"date: {excerpt(date)} is not a day (YYYY-MM-DD) or a month (YYYY-MM)") from None
    if not dt.date(2013, 7, 1) <= day <= dt.date(2064, 12, 31):
        raise ScenarioError(f"date: {day} is outside 2013-07-01 to 2064-12-31 (the rules the model holds)")
    return day


def _verdict(situation: Situation, scenario: Scenario, day: dt.date, lang: str) -> Verdict:
    """The person under one scenario's parameters on ``day``."""
    p = scenario.tree.at(day)
    month = month_number(day.year, day.month)
    pop = situation.population(month)
    row = np.array([0])
    eligible = bool(is_eligible(pop, month, p, row)[0])  # the model's own answer
    rule = eligibility_rule(p)
    career = career_columns(pop)
    as_worker = bool(eligible_rows(row, month, rule._replace(reentrants=0, first_time_only=0), career,
                                   pop.cheque1_month)[0])
    reentrant = bool(is_reentrant(pop, month, p, row)[0])
    reason = _reason(situation, p, rule, pop, month, eligible, as_worker, reentrant, lang)
    may = eligible and bool(cheques.may_order(pop, month, p, row)[0])
    used = int(cheques.cheques_used(pop, month, p, row)[0])
    number = np.array([1 if used == 0 else used + 1])
    if eligible and not may:
        reason += "; " + labels.text("explain.window_full", lang, used=used,
                                     window=labels.number(p["cheque.cheques.window_months"], lang))
    return Verdict(scenario.name, scenario.title, eligible, may, int(number[0]),
                   float(cheques.user_price(p, number)[0]), float(cheques.government_cost(p, number)[0]), reason,
                   _reached(situation, p, eligible, lang))


def _reason(situation: Situation, p, rule, pop: Population, month: int, eligible: bool, as_worker: bool,
            reentrant: bool, lang: str) -> str:
    """Which rule decides, as a sentence."""
    t = lambda key, **values: labels.text(f"explain.{key}", lang, **values)  # noqa: E731
    n = lambda value: labels.number(value, lang)  # noqa: E731
    if situation.status == "employed":
        if rule.worker_rule == EXPERIENCE:
            text = t("experience_yes" if as_worker else "experience_no", worked=n(situation.months_worked),
                     required=n(rule.months_required))
        else:
            recent = int(months_worked_in_window(pop, month, rule.window_months)[0])
            text = t("recent_yes" if as_worker else "recent_no", worked=n(recent), window=n(rule.window_months),
                     required=n(rule.months_required))
    elif reentrant:
        opened = rule.reentrants and (situation.status == "non_active" or rule.job_seekers)
        if opened:
            text = t("reentrant_yes", worked=n(situation.months_worked), out=n(situation.months_in_spell))
        elif rule.reentrants:
            text = t("reentrant_jobseeker")
        else:
            text = t("reentrant_closed")
    else:
        text = t("jobseeker" if situation.status == "jobseeker" else "not_reentrant",
                 why=_not_reentrant(situation, p, lang))
    if rule.first_time_only and not eligible and (as_worker or reentrant) and situation.cheques_used:
        text += "; " + t("first_time_only")
    return text


def _not_reentrant(situation: Situation, p, lang: str) -> str:
    """Why a person out of work is not a re-entrant under the definition in force."""
    worked, out = p["cheque.eligibility.reentrant.min_months_worked"], p["cheque.eligibility.reentrant.min_months_out_of_work"]
    n = lambda value: labels.number(value, lang)  # noqa: E731
    if situation.months_worked < worked:
        return labels.text("explain.why.worked", lang, worked=n(situation.months_worked), required=n(worked))
    if situation.months_in_spell < out:
        return labels.text("explain.why.out", lang, out=n(situation.months_in_spell), required=n(out))
    excluded = set(p["cheque.eligibility.reentrant.disqualifying_benefits"])
    received = [b for b in (*situation.benefits, *situation.earlier_benefits) if b in excluded]
    return labels.text("explain.why.benefit", lang,
                       benefits=", ".join(labels.text(f"explain.benefit.{b}", lang) for b in dict.fromkeys(received)))


def _reached(situation: Situation, p, eligible: bool, lang: str) -> str:
    """Who would reach out to the person under the scenario: VDAB's letters, the partners, VDAB's follow-up."""
    out = []
    groups = set(situation.groups())
    if situation.status == "non_active":
        for channel in ("letter", "assisted"):
            targets = set(p[f"outreach.{channel}.target_groups"])
            selected = eligible or p["outreach.targeting.selection"] == "target_groups"
            if p[f"outreach.{channel}.enabled"] and groups & targets and selected:
                out.append(labels.text(f"explain.reached.{channel}", lang))
        if p["vdab_followup.enabled"] and eligible:
            out.append(labels.text("explain.reached.followup", lang))
    return "; ".join(out)
