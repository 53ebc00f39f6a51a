"""Scenario files: what to simulate, validated before anything runs.

A scenario is a YAML file that names the scenario it extends (or ``law``, the
parameter tree as it stands) and overrides parameters with dated values. Run
settings (start, end, scale, seed, replications, warm-up) are inherited from
the extended scenario unless set. Unknown keys, bad values, unknown parameter
paths and inconsistent settings raise :class:`ScenarioError` with the file,
the key and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import codes
from .params import ParameterError, ParameterTree

ROOT = "law"
SETTINGS = ("start", "end", "scale", "seed", "replications", "warmup_months")
SHARED_AT_START = ("population.", "careers.", "labour_market.")
SHARED_ALWAYS = ("simulation.",)
MONTH_PATTERN = r"^(19[5-9]\d|2[01]\d\d)-(0[1-9]|1[0-2])$"  # 1950-2199


class ScenarioError(ValueError):
    """A scenario file or a set of scenarios cannot be used."""


class ScenarioFile(BaseModel):
    """The keys a scenario file may hold."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9_]+$", description="Short name, used in outputs")
    title: str | None = Field(None, description="One-line title for charts and tables")
    description: str | None = None
    extends: str = Field(ROOT, description="Scenario file (name or path) this one extends, or 'law'")
    start: str | None = Field(None, pattern=MONTH_PATTERN, description="First reported month, YYYY-MM (1950-2199)")
    end: str | None = Field(None, pattern=MONTH_PATTERN, description="Last reported month, YYYY-MM (1950-2199)")
    scale: float | None = Field(None, gt=0, le=1, description="Share of the population simulated (1 = one agent per person)")
    seed: int | None = Field(None, ge=0, description="Root seed of the random numbers")
    replications: int | None = Field(None, ge=1, le=1000)
    warmup_months: int | None = Field(None, ge=0, le=240, description="Months simulated before start, not reported")
    overrides: dict[str, dict[dt.date, Any]] = Field(default_factory=dict)

    @field_validator("overrides", mode="before")
    @classmethod
    def _dates_as_keys(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for path, dated in value.items():
            if not isinstance(dated, dict):
                raise ValueError(f"'{path}' needs dated values, e.g. {{2025-01-01: value}}")
            out[path] = {(k if isinstance(k, dt.date) else dt.date.fromisoformat(str(k))): v for k, v in dated.items()}
        return out


@dataclass
class Scenario:
    """A scenario with its chain of files resolved.

    Attributes:
        name: Short name.
        title: Title for charts.
        files: Files of the chain, the scenario's own first.
        settings: Run settings (all of ``SETTINGS``).
        overrides: All overrides of the chain, later files winning.
        tree: The parameter tree with the overrides applied.
    """

    name: str
    title: str
    description: str
    files: list[Path]
    settings: dict[str, Any]
    overrides: dict[str, dict[dt.date, Any]]
    tree: ParameterTree = field(repr=False)

    @property
    def first_month(self) -> int:
        return self.start_month - self.settings["warmup_months"]

    @property
    def start_month(self) -> int:
        year, month = map(int, self.settings["start"].split("-"))
        return codes.month_number(year, month)

    @property
    def end_month(self) -> int:
        year, month = map(int, self.settings["end"].split("-"))
        return codes.month_number(year, month)

    @property
    def n_months(self) -> int:
        return self.end_month - self.start_month + 1

    def file_hashes(self) -> dict[str, str]:
        return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in self.files}

    def to_manifest(self) -> dict[str, Any]:
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "files": [str(f) for f in self.files], "file_sha256": self.file_hashes(),
            "settings": self.settings,
            "overrides": {p: {d.isoformat(): v for d, v in dated.items()} for p, dated in self.overrides.items()},
            "parameters_sha256": self.tree.digest(),
            "calibration": self.tree.calibration,
        }


_PATTERN_HELP = {
    "name": "lower-case letters, digits and _ only",
    "start": "a month as YYYY-MM, from 1950-01 to 2199-12",
    "end": "a month as YYYY-MM, from 1950-01 to 2199-12",
}


def _format_validation(error: ValidationError, file: Path) -> str:
    allowed = ", ".join(ScenarioFile.model_fields)
    lines = []
    for e in error.errors():
        key = ".".join(str(x) for x in e["loc"]) or "(top level)"
        if e["type"] == "string_pattern_mismatch" and key in _PATTERN_HELP:
            lines.append(f"{file}: key '{key}': got {e.get('input')!r}; expected {_PATTERN_HELP[key]}")
        elif e["type"] == "extra_forbidden":
            lines.append(f"{file}: key '{key}' is not allowed; allowed keys: {allowed}")
        elif e["type"] == "missing":
            lines.append(f"{file}: key '{key}' is required")
        else:
            lines.append(f"{file}: key '{key}': {e['msg']} (got {e.get('input')!r})")
    return "\n".join(lines)


def read_file(path: Path) -> ScenarioFile:
    """Read and validate one scenario file (no inheritance)."""
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder; give scenario files, e.g. {path / 'baseline_2020.yaml'}")
    if not path.is_file():
        raise ScenarioError(f"{path}: scenario file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a UTF-8 text file") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML: {exc}") from None
    except ValueError as exc:  # e.g. an impossible date such as 2025-02-30
        raise ScenarioError(f"{path}: not a valid value: {exc} (dates are YYYY-MM-DD)") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: a scenario must be a mapping of keys; allowed keys: {', '.join(ScenarioFile.model_fields)}")
    try:
        return ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(_format_validation(exc, path)) from None


def _locate(reference: str, relative_to: Path) -> Path:
    """Path of the scenario named in ``extends``, relative to the file naming it."""
    candidate = Path(reference)
    if candidate.suffix not in (".yaml", ".yml"):
        candidate = candidate.with_name(candidate.name + ".yaml")
    return candidate if candidate.is_absolute() else relative_to.parent / candidate


def load(path: str | Path, law: ParameterTree | None = None) -> Scenario:
    """Resolve a scenario file with everything it extends.

    Raises:
        ScenarioError: for any problem, naming the file and key.
    """
    law = law or ParameterTree.load()
    path = Path(path)
    chain: list[tuple[Path, ScenarioFile]] = []
    current = path
    while True:
        if any(current.resolve() == f.resolve() for f, _ in chain):
            names = " -> ".join(str(f) for f, _ in chain + [(current, None)])
            raise ScenarioError(f"{path}: 'extends' makes a cycle: {names}")
        spec = read_file(current)
        chain.append((current, spec))
        if spec.extends == ROOT:
            break
        parent = _locate(spec.extends, current)
        if not parent.is_file():
            raise ScenarioError(f"{current}: key 'extends': scenario '{spec.extends}' not found (looked for {parent}); use a scenario file name or '{ROOT}'")
        current = parent

    settings: dict[str, Any] = {}
    overrides: dict[str, dict[dt.date, Any]] = {}
    for file, spec in reversed(chain):  # root first, so later files win
        for key in SETTINGS:
            value = getattr(spec, key)
            if value is not None:
                settings[key] = value
        for p, dated in spec.overrides.items():
            overrides.setdefault(p, {}).update(dated)
    settings.setdefault("scale", 1.0)
    settings.setdefault("seed", 0)
    settings.setdefault("replications", 1)
    settings.setdefault("warmup_months", 0)
    for key in ("start", "end"):
        if key not in settings:
            raise ScenarioError(f"{path}: key '{key}' is required (in this file or one it extends), as YYYY-MM")
    own = chain[0][1]
    tree = law
    for file, spec in reversed(chain):
        try:
            tree = tree.with_overrides(spec.overrides, str(file))
        except ParameterError as exc:
            raise ScenarioError(str(exc)) from None
    scenario = Scenario(name=own.name, title=own.title or own.name, description=(own.description or "").strip(),
                        files=[f for f, _ in chain], settings=settings, overrides=overrides, tree=tree)
    if scenario.end_month < scenario.start_month:
        raise ScenarioError(f"{path}: key 'end' ({settings['end']}) is before 'start' ({settings['start']})")
    for month in (scenario.first_month, scenario.end_month):
        try:
            tree.at(codes.month_date(month))
        except ParameterError as exc:
            raise ScenarioError(f"{path}: the simulated period (from {codes.month_date(scenario.first_month).isoformat()[:7]}, warm-up included) is not covered: {exc}") from None
    return scenario


def check_compatible(scenarios: list[Scenario]) -> None:
    """Scenarios of one run share the population and the random numbers, so their settings must agree."""
    if not scenarios:
        raise ScenarioError("no scenario given")
    names = [s.name for s in scenarios]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ScenarioError(f"scenario names must differ within a run; repeated: {dup}")
    first = scenarios[0]
    for other in scenarios[1:]:
        differing = [k for k in SETTINGS if other.settings[k] != first.settings[k]]
        if differing:
            detail = "; ".join(f"'{k}' is {first.settings[k]!r} in {first.files[0]} but {other.settings[k]!r} in {other.files[0]}"
                               for k in differing)
            flags = [f"--{k}" for k in differing if k in ("scale", "seed", "replications")]
            hint = f"set them alike for all with {', '.join(flags)}" if len(flags) == len(differing) else \
                "set the same values in the files, or run these scenarios separately"
            raise ScenarioError(
                f"inconsistent scenarios: {detail}. Scenarios in one run share the population and random numbers: {hint}"
            )
    when = codes.month_date(first.first_month)
    base = first.tree.at(when)
    for other in scenarios[1:]:
        values = other.tree.at(when)
        # The shared population is built from these at the first simulated month.
        differing = [k for k in base if k.startswith(SHARED_AT_START) and base[k] != values[k]]
        if differing:
            raise ScenarioError(
                f"inconsistent scenarios: {other.files[0]} changes {differing} at the first simulated month "
                f"({when.isoformat()[:7]}); scenarios in one run share one synthetic population built from these, "
                f"so change them later or run that scenario separately"
            )
        # The draws depend on these at every date: they must be the same throughout.
        differing = [k for k, prm in first.tree.parameters.items() if k.startswith(SHARED_ALWAYS)
                     and (prm.dates, prm.values) != (other.tree[k].dates, other.tree[k].values)]
        if differing:
            raise ScenarioError(
                f"inconsistent scenarios: {other.files[0]} changes {differing}; the random draws depend on them, "
                f"so they must be the same in every scenario of a run (common random numbers)"
            )
