"""The what-if page's logic, without the page: levers to a scenario, the quick run, its findings and charts.

A choice of levers is a :class:`Levers`; :func:`scenario_dict` turns it into a
scenario that extends ``law_2025`` and overrides only what differs from the law
(so it is the same data ``loopbaan run`` reads: :func:`scenario_yaml`). A quick
run simulates the law and the scenario together at a reduced scale with common
random numbers (:data:`QUICK`, stated on the page) and returns the run as a
:class:`model.report.loaded.RunData`, so the page shows the report's own findings and
charts.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..params.scenario import Scenario, ScenarioError
from ..params.tree import ParameterTree
from ..params.yamlfile import excerpt
from ..report.loaded import RunData

BASELINE = "law_2025"
FROM = "2025-01"  # a lever acts from the start of the simulated period, unless it is given a later start
LAST = "2034-12"  # the last simulated month: a lever cannot start later
# The levers that can be given a start of their own (Levers.starts), in the page's order.
DATED = ("worker_rule", "reentrants", "letters", "assisted", "followup", "monitoring", "incentive", "price",
         "budget_cap_m")
GROUPS = ("low_educated", "age_50_plus", "migration_background", "work_disability")
# The stricter reading of the re-entrant definition (scenario herintreders_strict): its parameters and values
STRICT_READING = {
    "cheque.eligibility.reentrant.disqualifying_benefits": ["unemployment", "career_break", "incapacity", "pension"],
    "cheque.eligibility.reentrant.benefit_period": "whole_spell",
    "cheque.eligibility.reentrant.registered_job_seekers": False}
# The quick run behind the page: small enough to answer in seconds on two cores, stated on the page.
QUICK = {"scale": 0.02, "replications": 3}


@functools.cache
def _law() -> ParameterTree:
    """The law with the calibrated values, read once (the page asks for it at every change of a lever)."""
    return ParameterTree.load()


def _law_value(path: str, date: str = "2034-12-31"):
    """A parameter's value in the law on ``date`` (the last simulated day by default)."""
    return _law()[path].at(_date(date))


def _law_dates(path: str) -> list[str]:
    """The dates (``YYYY-MM-DD``) on which the law gives a parameter a value, within the simulated period."""
    return [d for d in (str(date)[:10] for date in _law()[path].dates) if f"{FROM}-01" < d <= f"{LAST}-31"]


def _date(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)


class Levers(BaseModel):
    """What a policymaker chooses on the page; the defaults are the law as it stands.

    Attributes:
        worker_rule: ``experience`` (7 years, the 2020 rule) or ``recent_work`` (the 2013 rule).
        reentrants: Admit re-entrants (ask 1).
        reading: ``text`` (the resolution's words: no unemployment or career-break benefit in the last 36
            months, registered job seekers included) or ``strict`` (no benefit of any kind in the whole spell, job
            seekers left to VDAB).
        letters: VDAB letters to non-active people in the target groups (ask 2).
        assisted: Help from partner organisations (ask 2).
        groups: The groups the outreach targets.
        followup: VDAB invites non-active users to register as job seekers (ask 3).
        monitoring: Quality monitoring of the centres (ask 4).
        incentive: The supply-driven incentive for centres.
        price: Own contribution per cheque, EUR (the law's from November 2025 by default).
        budget_cap_m: Yearly budget cap in EUR million (0: none, as in the law).
        starts: The month (``YYYY-MM``, 2025-01 to 2034-12) from which a lever acts, by lever (:data:`DATED`);
            a lever not named acts from 2025-01. Before its start the law holds.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    worker_rule: Literal["experience", "recent_work"] = "experience"
    reentrants: bool = False
    reading: Literal["text", "strict"] = "text"
    letters: bool = False
    assisted: bool = False
    groups: tuple[Literal["low_educated", "age_50_plus", "migration_background", "work_disability"], ...] = GROUPS
    followup: bool = False
    monitoring: bool = False
    incentive: bool = False
    price: float = Field(default_factory=lambda: float(_law_value("cheque.cheques.user_price")["cheque1"]),
                         ge=0, le=2000, allow_inf_nan=False)
    budget_cap_m: float = Field(default=0.0, ge=0, le=10000, allow_inf_nan=False)
    starts: dict[Literal[DATED], str] = Field(default_factory=dict)

    @field_validator("starts")
    @classmethod
    def _months_in_the_period(cls, starts: dict[str, str]) -> dict[str, str]:
        for lever, month in starts.items():
            if not re.fullmatch(r"20[0-9]{2}-(0[1-9]|1[0-2])", month) or not FROM <= month <= LAST:
                raise ValueError(f"{lever}: {excerpt(month)} is not a month from {FROM} to {LAST} (YYYY-MM)")
        return starts

    def start(self, lever: str) -> str:
        """The first day of the month from which ``lever`` acts (``YYYY-MM-01``), the date of its overrides."""
        return f"{self.starts.get(lever, FROM)}-01"

    @classmethod
    def checked(cls, **values) -> Levers:
        """Levers from loose values (a form's), checked.

        Raises:
            ScenarioError: naming the lever and what is allowed.
        """
        try:
            return cls(**values)
        except ValidationError as exc:
            # (pydantic marks a bad key of a mapping with a "[key]" step: the key itself names it)
            problems = "; ".join(f"{'.'.join(str(step) for step in e['loc'] if step != '[key]')}: {e['msg']}"
                                 for e in exc.errors())
            raise ScenarioError(f"levers: {problems}") from None


def overrides(levers: Levers) -> dict[str, dict[str, object]]:
    """The parameters the levers change, each dated from its lever's start (only those that differ from the law)."""
    out: dict[str, dict[str, object]] = {}
    start = levers.start
    if levers.worker_rule != _law_value("cheque.eligibility.worker_rule"):
        out["cheque.eligibility.worker_rule"] = {start("worker_rule"): levers.worker_rule}
    if levers.reentrants:
        out["cheque.eligibility.reentrant.enabled"] = {start("reentrants"): True}
        if levers.reading == "strict":
            out.update({path: {start("reentrants"): value} for path, value in STRICT_READING.items()})
    for lever, channel in (("letters", "letter"), ("assisted", "assisted")):
        if getattr(levers, lever):
            out[f"outreach.{channel}.enabled"] = {start(lever): True}
            if list(levers.groups) != list(_law_value(f"outreach.{channel}.target_groups")):
                out[f"outreach.{channel}.target_groups"] = {start(lever): list(levers.groups)}
    if levers.followup:
        out["vdab_followup.enabled"] = {start("followup"): True}
    if levers.monitoring:
        out["centres.monitoring.enabled"] = {start("monitoring"): True}
    if levers.incentive:
        out["centres.incentive.enabled"] = {start("incentive"): True}
    law_price = _law_value("cheque.cheques.user_price")
    if levers.price != float(law_price["cheque1"]):
        price = {"cheque1": levers.price, "cheque2": levers.price}
        out["cheque.cheques.user_price"] = {start("price"): price}
        for changed in _law_dates("cheque.cheques.user_price"):
            if changed > start("price"):  # a later change of the law's price would end the lever's: it holds then too
                out["cheque.cheques.user_price"][changed] = dict(price)
    if levers.budget_cap_m > 0:
        out["cheque.budget.yearly_cap_eur"] = {start("budget_cap_m"): round(levers.budget_cap_m * 1e6, 2)}
    return out


def scenario_dict(levers: Levers, name: str = "whatif") -> dict:
    """The levers as the content of a scenario file that extends the law."""
    chosen = {k: list(v) if isinstance(v, tuple) else v for k, v in levers.model_dump().items()}
    return {"name": name, "title": "A scenario built on the what-if page (loopbaan app)",
            "description": "The levers chosen: " + "; ".join(f"{k} {v}" for k, v in chosen.items()),
            "extends": BASELINE, "overrides": overrides(levers)}


def scenario_yaml(levers: Levers, name: str = "whatif") -> str:
    """The scenario file (YAML) that ``loopbaan run`` accepts; checked by loading it first.

    Raises:
        ScenarioError: when the scenario does not validate (a lever the law cannot take).
    """
    content = scenario_dict(levers, name)
    Scenario.from_dict(content, _law())  # never hand out a file that loopbaan run would refuse
    return yaml.dump(content, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=100)


class _PlainDumper(yaml.SafeDumper):
    """Safe YAML without anchors and aliases (a scenario file a person reads)."""

    def ignore_aliases(self, data) -> bool:
        return True


def quick_run(levers: Levers, scale: float = QUICK["scale"], replications: int = QUICK["replications"],
              seed: int | None = None) -> RunData:
    """Simulate the law and the levers' scenario together (common random numbers), in memory.

    Raises:
        ScenarioError: when the levers equal the law (nothing to compare) or the scenario does not validate.
    """
    import warnings

    from .api import Simulation

    content = scenario_dict(levers)
    if not content["overrides"]:
        raise ScenarioError("levers: they equal the law as it stands; change at least one to compare")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a lever equal to the law's value is no news on the page
        results = Simulation([BASELINE, content], scale=scale, replications=replications, seed=seed).run(progress=False)
    return RunData.from_result(results.run, name="whatif")
