"""Scenario files: what to simulate, validated before anything runs.

A scenario is a YAML file that names the scenario it extends (or ``law``, the
parameter tree as it stands) and overrides parameters with dated values. It may
declare run settings (start, end, scale, seed, replications, warm-up), inherited
from the extended scenario unless set. Unknown keys, bad values, unknown parameter
paths and inconsistent settings raise :class:`ScenarioError` with the file,
the key and what is allowed.

The scenarios of one run share their people and random numbers, so they must
agree on the settings: :func:`run_settings` checks it once and gives the run's
one :class:`model.params.settings.RunSettings`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, ValidationError

from .calendar import month_date
from .settings import DEFAULTS, NAMES, PATTERN_HELP, DeclaredSettings, RunSettings
from .tree import ParameterError, ParameterTree, as_period, period_label
from .yamlfile import MAX_DEPTH, excerpt, parse_yaml, read_text, shown_path, validation_lines

ROOT = "law"
SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"  # the shipped scenarios
SHARED_AT_START = ("population.", "careers.", "labour_market.")
SHARED_ALWAYS = ("simulation.",)
NAME_PATTERN = r"^[a-z0-9_]+$"
NAME_MAX = 64
REFERENCE_MAX = 200


class ScenarioError(ValueError):
    """A scenario (file or dict) or a set of scenarios cannot be used."""


class ScenarioFile(DeclaredSettings):
    """The keys a scenario file (or dict) may hold."""

    name: str = Field(pattern=NAME_PATTERN, max_length=NAME_MAX, description="Short name, used in outputs")
    title: str | None = Field(None, max_length=300, description="One-line title for charts and tables")
    description: str | None = Field(None, max_length=10_000)
    extends: str | list[str] = Field(ROOT, description="Scenario(s) this one extends: shipped names, paths, or 'law'")
    parts: dict[str, str] = Field(default_factory=dict, description="Named parts: each part is the own overrides of "
                                  "a scenario (shipped name or path), added to what this one extends")
    overrides: dict[str, Any] = Field(default_factory=dict)


KEYS = ["name", "title", "description", "extends", *NAMES, "parts", "overrides"]  # in the order of the docs
PART_NAME_MAX = 24
_PATTERN_HELP = {"name": f"lower-case letters, digits and _ only, at most {NAME_MAX} characters", **PATTERN_HELP}


def _validate(raw: Any, label: str) -> ScenarioFile:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{label}: a scenario must be a mapping of keys; allowed keys: {', '.join(KEYS)}")
    bad_keys = [k for k in raw if not isinstance(k, str)]
    if bad_keys:
        raise ScenarioError(f"{label}: key {excerpt(bad_keys[0])} is not allowed; allowed keys: {', '.join(KEYS)}")
    extends = raw.get("extends", ROOT)
    if not (isinstance(extends, str) or (isinstance(extends, list) and all(isinstance(e, str) for e in extends))):
        raise ScenarioError(f"{label}: key 'extends': give a scenario (a shipped name, a path or '{ROOT}') or a list "
                            f"of them; got {excerpt(extends)}")
    try:
        spec = ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError("\n".join(validation_lines(exc, label, ScenarioFile, patterns=_PATTERN_HELP,
                                                        allowed_order=KEYS))) from None
    references = spec.extends if isinstance(spec.extends, list) else [spec.extends]
    if not references:
        raise ScenarioError(f"{label}: key 'extends': give at least one scenario (or '{ROOT}')")
    for i, ref in enumerate(references):
        key = "extends" if isinstance(spec.extends, str) else f"extends.{i}"
        if not ref.strip() or ref.strip(" ./\\") == "" or len(ref) > REFERENCE_MAX or any(ord(c) < 32 for c in ref):
            raise ScenarioError(f"{label}: key '{key}': {excerpt(ref)} is not a scenario; give a shipped scenario name "
                                f"({', '.join(shipped_names())}), a path to a .yaml file, or '{ROOT}'")
    for part, ref in spec.parts.items():
        if not re.fullmatch(NAME_PATTERN, part) or len(part) > PART_NAME_MAX:
            raise ScenarioError(f"{label}: key 'parts.{part[:40]}': a part's name is lower-case letters, digits "
                                f"and _ only, at most {PART_NAME_MAX} characters")
        if not ref.strip() or ref == ROOT or len(ref) > REFERENCE_MAX or any(ord(c) < 32 for c in ref):
            raise ScenarioError(f"{label}: key 'parts.{part}': {excerpt(ref)} is not a scenario; give a shipped "
                                f"scenario name ({', '.join(shipped_names())}) or a path to a .yaml file")
    if len(spec.parts) == 1:
        raise ScenarioError(f"{label}: key 'parts': give at least two parts (or put the one part's overrides in "
                            f"'overrides')")
    if spec.parts and spec.overrides:
        raise ScenarioError(f"{label}: keys 'parts' and 'overrides' cannot go together: the runs that show each "
                            f"part's share would leave the overrides out; make them a part of their own (a scenario "
                            f"file named under 'parts')")
    for path, dated in spec.overrides.items():
        if not isinstance(dated, dict) or not dated:
            raise ScenarioError(f"{label}: key 'overrides.{path}': needs dated values, e.g. {{2025-01-01: value}} "
                                f"or {{2025-01-01..2026-12-31: value}}")
    return spec


@dataclass(frozen=True)
class Source:
    """Where one layer of a scenario came from.

    Attributes:
        label: The file's path, or ``<dict 'name'>`` for a scenario given as a dict.
        sha256: Hash of the file's bytes, or of the dict as canonical JSON.
        path: The file, if any.
        content: The dict, if the scenario was given as one.
    """

    label: str
    sha256: str
    path: Path | None = None
    content: dict | None = None


@dataclass
class Scenario:
    """A scenario with everything it extends resolved.

    Attributes:
        name: Short name.
        title: Title for charts.
        description: Free text.
        sources: The layers of the scenario, the scenario's own first, then
            what it extends (nearest first).
        settings: The run settings its files declare, with the defaults for what they leave out. A run takes
            its settings from its scenarios (:func:`run_settings`); nothing reads them from a scenario.
        overrides: All overrides of the layers, later layers winning.
        tree: The parameter tree with the overrides applied.
        warnings: Overrides that change nothing in the simulated months (dated
            before a later value of the law, or after the end), one line each.
        lineage: Names of the layers, the scenario's own first, then what it
            extends (nearest first): a scenario's baseline in a comparison is
            the nearest of these that runs with it.
        parts: For a scenario made of parts (key ``parts``): each part's name
            and its overrides (the own overrides of the scenario it names), in order.
        base: For a scenario made of parts: the references of what it extends
            (absolute paths, or ``law``), on which the parts are laid one by one.
    """

    name: str
    title: str
    description: str
    sources: list[Source]
    settings: RunSettings
    overrides: dict[str, dict[Any, Any]]
    tree: ParameterTree = field(repr=False)
    warnings: list[str] = field(default_factory=list)
    lineage: list[str] = field(default_factory=list)
    parts: dict[str, dict[str, dict]] = field(default_factory=dict)
    base: list[str] = field(default_factory=list)

    # -- building ------------------------------------------------------------
    @classmethod
    def load(cls, reference: str | Path, law: ParameterTree | None = None) -> Scenario:
        """A scenario from a file path or a shipped scenario's name (``"baseline_2020"``).

        Raises:
            ScenarioError: for any problem, naming the file and key.
        """
        return load(reference, law)

    @classmethod
    def from_dict(cls, content: dict, law: ParameterTree | None = None, source: str | None = None) -> Scenario:
        """A scenario from a dict with the keys of a scenario file, validated exactly like a file.

        Args:
            content: ``{"name": ..., "extends": ..., "overrides": {...}, ...}``.
            source: Label used in messages and the manifest (default ``<dict 'name'>``).

        Raises:
            ScenarioError: naming the label and the key.
        """
        return _resolve_top(("dict", content, source), law)

    @classmethod
    def resolve(cls, item: Scenario | str | Path | dict, law: ParameterTree | None = None) -> Scenario:
        """A scenario from a shipped name, a path, a dict, or a scenario (returned as it is)."""
        if isinstance(item, Scenario):
            return item
        if isinstance(item, dict):
            return cls.from_dict(item, law)
        if isinstance(item, (str, Path)):
            return cls.load(item, law)
        raise ScenarioError(f"a scenario must be a shipped name, a path, a dict or a Scenario; got {excerpt(item)}")

    # -- reading -------------------------------------------------------------
    @property
    def files(self) -> list[str]:
        """Labels of the layers (file paths, or ``<dict ...>``), the scenario's own first."""
        return [s.label for s in self.sources]

    def file_hashes(self) -> dict[str, str]:
        """SHA-256 of each layer, by label."""
        return {s.label: s.sha256 for s in self.sources}

    def to_manifest(self) -> dict[str, Any]:
        """The scenario as the run manifest records it."""
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "files": self.files, "file_sha256": self.file_hashes(),
            "dicts": {s.label: s.content for s in self.sources if s.content is not None},
            "overrides": {p: {period_label(k): v for k, v in dated.items()} for p, dated in self.overrides.items()},
            "parts": {name: sorted(over) for name, over in self.parts.items()},
            "parameters_sha256": self.tree.digest(),
            "calibration": self.tree.calibration,
        }


def shipped_names() -> list[str]:
    """Names of the scenarios shipped in ``scenarios/``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml")) if SCENARIO_DIR.is_dir() else []


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name longer than the file system allows
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _why_not_found(path: Path) -> str:
    """Why ``path`` cannot be opened, in words (a name too long, a folder that is not one ...)."""
    try:
        path.stat()
    except OSError as exc:
        if exc.strerror and exc.errno != errno.ENOENT:  # (no such file: the plain case)
            return f"scenario file not found ({exc.strerror.lower()})"
    return "scenario file not found"


def _locate(reference: str, folder: Path | None, label: str, key: str) -> Path:
    """The file a reference names: a path (relative to ``folder``), or a name in ``folder`` or the shipped scenarios."""
    candidate = Path(reference)
    looks_like_path = candidate.suffix in (".yaml", ".yml") or "/" in reference or os.sep in reference
    if looks_like_path:
        if candidate.suffix not in (".yaml", ".yml"):
            candidate = candidate.with_name(candidate.name + ".yaml")
        found = candidate if candidate.is_absolute() else (folder or Path.cwd()) / candidate
        if _is_file(found):
            return found
        tried = [found]
    else:
        tried = [(folder or Path.cwd()) / f"{reference}.yaml", SCENARIO_DIR / f"{reference}.yaml"]
        for found in tried:
            if _is_file(found):
                return found
    raise ScenarioError(f"{label}: key '{key}': scenario {excerpt(reference)} not found (looked for "
                        f"{', '.join(excerpt(str(t), 120) for t in tried)}); use a shipped scenario "
                        f"({', '.join(shipped_names())}), a path to a .yaml file, or '{ROOT}'")


def _read_file(path: Path) -> tuple[ScenarioFile, Source]:
    """Read and validate one scenario file (no inheritance)."""
    if _is_dir(path):
        raise ScenarioError(f"{path}: is a folder; give scenario files, e.g. {path / 'baseline_2020.yaml'}")
    text = read_text(path, ScenarioError, "scenario file")
    spec = _validate(parse_yaml(text, str(path), ScenarioError), str(path))
    return spec, Source(str(path), hashlib.sha256(text.encode("utf-8")).hexdigest(), path=path)


def _plain(value: Any, label: str, where: str, depth: int = 0) -> Any:
    """A dict scenario as plain data: numpy scalars as numbers, dates as text, paths as text, tuples as lists.

    Raises:
        ScenarioError: for nesting deeper than the YAML reader allows, or a value that is not data.
    """
    if depth > MAX_DEPTH:
        shown = where if len(where) <= 60 else where[:56] + " ..."
        raise ScenarioError(f"{label}: key '{shown}': nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            key = _plain_key(key, label, where, depth)
            out[key] = _plain(item, label, f"{where}.{key}" if where else str(key), depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(item, label, f"{where}.{i}", depth + 1) for i, item in enumerate(value)]
    raise ScenarioError(f"{label}: key '{where}': {excerpt(value)} is not plain data (numbers, text, lists, mappings)")


def _plain_key(key: Any, label: str, where: str, depth: int) -> Any:
    """A mapping's key as plain data.

    A pair of dates (a period, as :func:`model.params.tree.as_period` takes it) becomes its text form
    ``YYYY-MM-DD..YYYY-MM-DD``; a date its ``YYYY-MM-DD``.
    """
    if isinstance(key, (str, int)) and not isinstance(key, bool):
        return key
    if isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, (dt.date, str)) for k in key):
        first, last = (_plain(k, label, where, depth + 1) for k in key)
        return f"{first}..{last}"
    plain = _plain(key, label, where, depth + 1)
    if isinstance(plain, (list, dict)):
        raise ScenarioError(f"{label}: key '{where}': {excerpt(key)} cannot be a key; use a date, "
                            f"'YYYY-MM-DD..YYYY-MM-DD' or a pair of dates")
    return plain


def _read_dict(content: dict, source: str | None) -> tuple[ScenarioFile, Source]:
    name = content.get("name") if isinstance(content, dict) else None
    valid_name = isinstance(name, str) and len(name) <= NAME_MAX and re.fullmatch(NAME_PATTERN, name)
    label = source or (f"<dict '{name}'>" if valid_name else "<dict>")
    if isinstance(content, dict):
        content = _plain(content, label, "")
    spec = _validate(content, label)
    try:
        canonical = json.dumps(content, sort_keys=True, default=str)
    except (TypeError, ValueError):
        raise ScenarioError(f"{label}: the dict holds keys or values that are not plain data") from None
    return spec, Source(label, hashlib.sha256(canonical.encode("utf-8")).hexdigest(), content=content)


def _layers(item, stack: list[str], out: list[tuple[ScenarioFile, Source, str]]) -> None:
    """Append the layers of ``item`` (what it extends first, then itself) to ``out``, each once."""
    kind, value, extra = item
    if kind == "file":
        path = value
        key = str(path.resolve())
        if key in stack:
            names = " -> ".join([*stack[stack.index(key):], key])
            raise ScenarioError(f"{extra}: 'extends' makes a cycle: {names}")
        spec, source = _read_file(path)
        folder = path.parent
    else:
        spec, source = _read_dict(value, extra)
        key = f"dict:{id(value)}"
        folder = None
    if stack and spec.parts:
        raise ScenarioError(f"{extra}: extends {source.label}, a scenario made of parts; extend what it extends and "
                            f"name its parts (or put them in 'extends')")
    references = spec.extends if isinstance(spec.extends, list) else [spec.extends]
    for i, ref in enumerate(references):
        if ref == ROOT:
            continue
        k = "extends" if isinstance(spec.extends, str) else f"extends.{i}"
        parent = _locate(ref, folder, source.label, k)
        _layers(("file", parent, source.label), [*stack, key], out)
    if all(existing[2] != key for existing in out):
        out.append((spec, source, key))


def _part_layers(own: ScenarioFile, own_source: Source, stack_key: str) -> tuple[list, dict[str, dict], list[str]]:
    """The parts of a scenario as layers (each part's own overrides), the parts by name, and the base references."""
    folder = own_source.path.parent if own_source.path is not None else None
    references = own.extends if isinstance(own.extends, list) else [own.extends]
    base = [ROOT if ref == ROOT else str(_locate(ref, folder, own_source.label, "extends").resolve())
            for ref in references]
    layers, parts, owner = [], {}, {}
    for part, ref in own.parts.items():
        path = _locate(ref, folder, own_source.label, f"parts.{part}")
        if str(path.resolve()) == stack_key:
            raise ScenarioError(f"{own_source.label}: key 'parts.{part}': a scenario cannot be a part of itself")
        spec, source = _read_file(path)
        if spec.parts:
            raise ScenarioError(f"{own_source.label}: key 'parts.{part}': {path} is a scenario made of parts; name "
                                f"its parts here instead")
        if not spec.overrides:
            raise ScenarioError(f"{own_source.label}: key 'parts.{part}': {path} overrides nothing of its own, so it "
                                f"adds nothing as a part")
        for param in spec.overrides:
            if param in owner:
                raise ScenarioError(f"{own_source.label}: key 'parts.{part}': {path} overrides '{param}', which part "
                                    f"'{owner[param]}' overrides too; parts must change different parameters")
            owner[param] = part
        parts[part] = spec.overrides
        layers.append((ScenarioFile(name=spec.name, overrides=spec.overrides), source, f"part:{part}"))
    return layers, parts, base


def _resolve_top(item, law: ParameterTree | None) -> Scenario:
    law = law or ParameterTree.load()
    layers: list[tuple[ScenarioFile, Source, str]] = []
    _layers(item, [], layers)
    own, own_source, own_key = layers[-1]
    label = own_source.label
    parts, base = {}, []
    if own.parts:
        part_layers, parts, base = _part_layers(own, own_source, own_key)
        layers[-1:-1] = part_layers  # the parts after what it extends, its own overrides last
    declared: dict[str, Any] = {}
    overrides: dict[str, dict[Any, Any]] = {}
    tree = law
    changes = []  # (layer, path, parameter before, parameter after), to find overrides without effect
    for spec, source, _ in layers:  # what is extended first, so later layers win
        for key in NAMES:
            value = getattr(spec, key)
            if value is not None:
                declared[key] = value
        try:
            before, tree = tree, tree.with_overrides(spec.overrides, source.label)
        except ParameterError as exc:
            raise ScenarioError(str(exc)) from None
        changes += [(source.label, p, before[p], tree[p]) for p in spec.overrides]
        for p, dated in spec.overrides.items():  # keys as periods: (first day, last day or None)
            overrides.setdefault(p, {}).update({as_period(k, source.label): v for k, v in dated.items()})
    for key in ("start", "end"):
        if key not in declared:
            raise ScenarioError(f"{label}: key '{key}' is required (in this scenario or one it extends), as YYYY-MM")
    settings = RunSettings(**{**DEFAULTS, **declared})  # each value was checked with its file
    scenario = Scenario(name=own.name, title=own.title or own.name, description=(own.description or "").strip(),
                        sources=[s for _, s, _ in reversed(layers)], settings=settings, overrides=overrides, tree=tree,
                        lineage=[spec.name for spec, _, key in reversed(layers) if not key.startswith("part:")],
                        parts=parts, base=base)
    _check_period(scenario, settings, label)
    scenario.warnings = _without_effect(changes, settings)
    return scenario


def _without_effect(changes: list, settings: RunSettings) -> list[str]:
    """Overrides that change no value in the simulated months (warm-up included)."""
    dates = [month_date(m) for m in range(settings.first_month, settings.end_month + 1)]
    out = []
    for label, path, before, after in changes:
        def value(param, when):
            try:
                return param.at(when)
            except ParameterError:
                return None
        if all(value(before, d) == value(after, d) for d in dates):
            out.append(f"{label}: overrides.{path} changes nothing from {dates[0]:%Y-%m} to {dates[-1]:%Y-%m} "
                       f"(the simulated months): its dates are before a later value, after the end, or the value is "
                       f"the one in force")
    return out


def _check_period(scenario: Scenario, settings: RunSettings, label: str) -> None:
    """The period is in order, and the scenario's parameters cover it, warm-up included."""
    if settings.end_month < settings.start_month:
        raise ScenarioError(f"{label}: key 'end' ({settings.end}) is before 'start' ({settings.start})")
    for month in (settings.first_month, settings.end_month):
        try:
            scenario.tree.at(month_date(month))
        except (ParameterError, ValueError) as exc:
            raise ScenarioError(f"{label}: the simulated period (from {month_date(settings.first_month).isoformat()[:7]}, "
                                f"warm-up included) is not covered: {exc}") from None


def load(reference: str | Path, law: ParameterTree | None = None) -> Scenario:
    """Resolve a scenario file (a path, or a shipped scenario's name) with everything it extends.

    Raises:
        ScenarioError: for any problem, naming the file and key.
    """
    if not isinstance(reference, (str, Path)):
        raise ScenarioError(f"a scenario file is a path or a shipped scenario's name; got {excerpt(reference)}")
    path = Path(reference)
    if not _is_file(path) and isinstance(reference, str) and reference in shipped_names():
        path = SCENARIO_DIR / f"{reference}.yaml"
    elif _is_file(path) or path.suffix in (".yaml", ".yml") or _is_dir(path):
        pass
    else:
        raise ScenarioError(f"{shown_path(reference)}: scenario file not found; give a path to a .yaml file "
                            f"or a shipped scenario ({', '.join(shipped_names())})")
    if _is_dir(path):
        raise ScenarioError(f"{shown_path(path)}: is a folder; give scenario files, e.g. {path / 'baseline_2020.yaml'}")
    if not _is_file(path):
        raise ScenarioError(f"{shown_path(path)}: {_why_not_found(path)}")
    return _resolve_top(("file", path, str(path)), law)


PROJECTION = "labour_market.projection.mode"  # what a run's projection (--projection) sets


def with_projection(scenario: Scenario, projection: str | None) -> Scenario:
    """``scenario`` with the employment-rate projection ``projection`` from its first date on (None: unchanged).

    The run's choice replaces the parameter's whole history, in the scenario's
    own overrides too, so the manifest records it with them.

    Raises:
        ScenarioError: for a projection the parameter does not allow, naming the allowed ones.
    """
    if projection is None:
        return scenario
    allowed = list(scenario.tree[PROJECTION].allowed or ())
    if not isinstance(projection, str) or projection not in allowed:
        raise ScenarioError(f"projection: {excerpt(projection)} is not a projection of the employment rate; "
                            f"allowed: {', '.join(allowed)}")
    key = f"{scenario.tree[PROJECTION].dates[0].isoformat()}.."
    tree = scenario.tree.with_overrides({PROJECTION: {key: projection}}, "projection")
    overrides = {**scenario.overrides, PROJECTION: {as_period(key, "projection"): projection}}
    return dataclasses.replace(scenario, tree=tree, overrides=overrides)


def run_settings(scenarios: list[Scenario], **given: Any) -> RunSettings:
    """The one settings of a run of ``scenarios``: those the caller gives, else those the scenarios agree on.

    The scenarios of a run share their people and random numbers, so this also checks, once, that they can:
    distinct names, the same settings, the same parameters of the synthetic population at the first simulated
    month and the same parameters of the draws throughout.

    Args:
        scenarios: The scenarios asked for (the runs a scenario made of parts adds take the same settings).
        given: Settings the caller sets (``scale``, ``seed``, ``replications``, ``parameter_sets``); None keeps
            the scenarios'.

    Raises:
        ScenarioError: naming the setting, the files and what to do.
    """
    if not scenarios:
        raise ScenarioError("no scenario given")
    names = [s.name for s in scenarios]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ScenarioError(f"scenario names must differ within a run; repeated: {repeated}")
    given = {k: v for k, v in given.items() if v is not None}
    try:
        DeclaredSettings.model_validate(given)
    except ValidationError as exc:
        raise ScenarioError("\n".join(validation_lines(exc, "run settings", DeclaredSettings,
                                                        patterns=_PATTERN_HELP))) from None
    first = scenarios[0]
    for other in scenarios[1:]:
        differing = [k for k in NAMES if k not in given and getattr(other.settings, k) != getattr(first.settings, k)]
        if differing:
            detail = "; ".join(f"'{k}' is {getattr(first.settings, k)!r} in {first.files[0]} but "
                               f"{getattr(other.settings, k)!r} in {other.files[0]}" for k in differing)
            flags = [f"--{k}" for k in differing if k in ("scale", "seed", "replications")]
            hint = f"set them alike for all with {', '.join(flags)}" if len(flags) == len(differing) else \
                "set the same values in the files, or run these scenarios separately"
            raise ScenarioError(
                f"inconsistent scenarios: {detail}. Scenarios in one run share the population and random numbers: {hint}"
            )
    settings = first.settings.updated(**given)
    for scenario in scenarios:
        _check_period(scenario, settings, f"scenario '{scenario.name}'")
    check_shared(scenarios, settings)
    return settings


def check_shared(scenarios: list[Scenario], settings: RunSettings) -> None:
    """The scenarios build the same population at the first month and draw with the same parameters throughout.

    Raises:
        ScenarioError: naming the scenario's file and the parameters it changes.
    """
    first = scenarios[0]
    when = month_date(settings.first_month)
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
