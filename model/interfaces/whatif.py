"""The what-if page's logic, without the page: levers to a scenario, the run against the law, its findings and charts.

A choice of levers is a :class:`Levers`; :func:`scenario_dict` turns it into a
scenario that extends ``law_2025`` and overrides only what differs from the law
(so it is the same data ``loopbaan run`` reads: :func:`scenario_yaml`). The page's
run (:func:`run_levers`) compares the scenario with the law on common random numbers,
at full scale by default (:data:`PAGE`, stated on the page; ``loopbaan app --scale
--replications`` changes it), and returns the run as a
:class:`model.report.loaded.RunData`, so the page shows the report's own findings and
charts. The law is simulated once, at the first run, by a warm session
(:class:`model.experiments.session.Session`) whose workers keep its replications;
every later run simulates only the new scenario, with the same numbers as a run of
the two together.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable
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
# The page's runs (stated on the page): the full population, and two replications for an interval. The
# environment variables (set by loopbaan app --scale --replications) choose others.
PAGE = {"scale": 1.0, "replications": 2}
SETTINGS_VARIABLES = {"scale": "LOOPBAAN_APP_SCALE", "replications": "LOOPBAAN_APP_REPLICATIONS"}
WORKERS = 2  # the session's worker processes, at most (one per replication, on a machine's two cores)
_SESSION: dict = {}  # the page's warm session and its settings (one at a time: each holds its replications' states)
_SESSION_LOCK = threading.Lock()  # (the page runs in threads: two visitors must not start two sessions)


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
    def checked(cls, lang: str | None = None, **values) -> Levers:
        """Levers from loose values (a form's), checked.

        Args:
            lang: The page's language (``nl`` or ``en``): the message names a lever as the page does and says what
                is allowed in that language; None gives the names of the fields and pydantic's own words.

        Raises:
            ScenarioError: naming the lever and what is allowed.
        """
        return validated(cls, values, lang, lambda error: _problem(error, lang), "levers")


def validated(model: type[BaseModel], values: dict, lang: str | None, in_words: Callable[[dict], str], label: str):
    """``model(**values)``, or a :class:`ScenarioError` saying what is wrong.

    Args:
        lang: The page's language: each of pydantic's errors is said by ``in_words``; None gives the fields' names
            and pydantic's own words, after ``label``.
    """
    try:
        return model(**values)
    except ValidationError as exc:
        if lang is not None:
            raise ScenarioError("; ".join(in_words(e) for e in exc.errors())) from None
        # (pydantic marks a bad key of a mapping with a "[key]" step: the key itself names it)
        problems = "; ".join(f"{'.'.join(str(step) for step in e['loc'] if step != '[key]') or label}: {e['msg']}"
                             for e in exc.errors())
        raise ScenarioError(f"{label}: {problems}") from None


# The page's words for a lever (model/report/labels.yaml), and for what is wrong with a number it was given
PAGE_LABELS = {"price": "app.price", "budget_cap_m": "app.budget"}
PROBLEMS = {"greater_than_equal": ("app.problem.at_least", "ge"), "less_than_equal": ("app.problem.at_most", "le"),
            "finite_number": ("app.problem.number", None), "float_type": ("app.problem.number", None),
            "float_parsing": ("app.problem.number", None)}


def _problem(error: dict, lang: str) -> str:
    """One of pydantic's errors in the page's words and language (a field's own name and pydantic's words if none)."""
    from ..report import labels

    field = str(error["loc"][0]) if error["loc"] else ""
    name = labels.text(PAGE_LABELS[field], lang) if field in PAGE_LABELS else field
    if error["type"] in PROBLEMS:
        key, limit = PROBLEMS[error["type"]]
        shown = labels.number(error["ctx"][limit], lang) if limit else ""
        return labels.text(key, lang, lever=name, limit=shown)
    return f"{name}: {error['msg']}"


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


def page_settings() -> dict:
    """The scale and replications of the page's runs: :data:`PAGE`, or the environment's (:data:`SETTINGS_VARIABLES`).

    Raises:
        ScenarioError: naming the variable, for a value that is not an allowed scale or number of replications.
    """
    chosen: dict = dict(PAGE)
    for key, variable in SETTINGS_VARIABLES.items():
        given = os.environ.get(variable)
        if given is None:
            continue
        try:
            chosen[key] = float(given) if key == "scale" else int(given)
        except ValueError:
            raise ScenarioError(f"{variable}: {excerpt(given)} is not a {'number' if key == 'scale' else 'whole number'}"
                                ) from None
    return checked_settings(chosen, SETTINGS_VARIABLES)


def checked_settings(chosen: dict, names: dict[str, str]) -> dict:
    """``chosen`` (``scale``, ``replications``) if a run may have them.

    Args:
        names: How the caller names each (an environment variable, a command's option), for the message.

    Raises:
        ScenarioError: naming the setting, what is allowed and what was given.
    """
    from ..params.settings import RunSettings

    try:
        checked = RunSettings(start=FROM, end=LAST, scale=chosen["scale"], replications=chosen["replications"])
    except ValidationError as exc:
        problem = exc.errors()[0]
        key = str(problem["loc"][0])
        raise ScenarioError(f"{names.get(key, key)}: {problem['msg']}, got {excerpt(chosen.get(key))}") from None
    return {"scale": checked.scale, "replications": checked.replications}


def run_levers(levers: Levers, scale: float | None = None, replications: int | None = None,
              seed: int | None = None) -> RunData:
    """Compare the levers' scenario with the law (common random numbers), in memory.

    The first call simulates the law (its warm-up read from the cache if it is there) and keeps it in a warm
    session; a later call with the same settings simulates only the scenario.

    Args:
        scale, replications: Of the run (default :func:`page_settings`); other settings start a new session.
        seed: The root seed (default the run's).

    Raises:
        ScenarioError: when the levers equal the law (nothing to compare) or the scenario does not validate.
    """
    import warnings

    content = scenario_dict(levers)
    if not content["overrides"]:
        raise ScenarioError("levers: they equal the law as it stands; change at least one to compare")
    settings = page_settings()
    key = (settings["scale"] if scale is None else scale,
           settings["replications"] if replications is None else replications, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a lever equal to the law's value is no news on the page
        result = session(*key).compare(content)
    return RunData.from_result(result, name="whatif")


def session(scale: float, replications: int, seed: int | None = None):
    """The page's warm session for these settings (a new one closes the one before: it holds states in memory)."""
    from ..experiments.build import Run
    from ..experiments.session import Session
    from ..experiments.warmup_cache import checked_folder, default_folder

    key = (scale, replications, seed)
    with _SESSION_LOCK:
        if _SESSION.get("key") != key or not _SESSION["session"].open:  # (closed: a worker failed or was stopped)
            if "session" in _SESSION:
                _SESSION.pop("session").close()
                _SESSION.pop("key")
            folder = default_folder()
            try:
                cache = checked_folder(folder, "$LOOPBAAN_CACHE") if folder is not None else None
            except ValueError as exc:
                raise ScenarioError(str(exc)) from None
            plan = Run.of([BASELINE], _law(), scale=scale, replications=replications, seed=seed)
            _SESSION.update(key=key, session=Session(plan, cache, workers=min(WORKERS, replications), law=_law()))
        return _SESSION["session"]
