"""The calibration config: which parameters are fitted, to which targets, how.

A config is a YAML file (the default is ``model/experiments/calibration/default.yaml``)::

    scenario: ../../../scenarios/baseline_2013.yaml  # the back-cast, relative to this file
    targets: all                                    # or a list of target or series names
    scale: 0.02                                     # share of the population simulated
    seed: 20130701
    parameters:
      - path: behaviour.uptake.intercept_cheque1
        lower: -10
        upper: -2
        step: 0.02                                  # finite-difference step (absolute)
      - path: behaviour.uptake.migration
        keys: [eu, non_eu]                          # one value for both; their prior gap is kept

Errors name the file, the key and what is allowed (unknown parameter path,
unknown mapping key, unknown target, a validation-only target, bounds that
do not hold the prior).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ...params.calendar import month_number
from ...params.scenario import Scenario, ScenarioError, load
from ...params.tree import ParameterError, ParameterTree
from ...params.yamlfile import read_validated
from .replay import replay_limits
from .targets import TARGETS_FILE, Target, TargetError, load_targets

DEFAULT_CONFIG = Path(__file__).resolve().parent / "default.yaml"
# What the replay objective can compute (see model/experiments/calibration/replay.py).
REPLAYED_KINDS = ("starts", "share", "cheques_per_user")
REPLAYED_METRICS = ("starts_cheque1", "starts_cheque2")
NOT_REPLAYED_GROUPS = ("non_active", "re_entrant")  # not part of the hazard cell


class CalibrationError(ValueError):
    """A calibration config cannot be used."""


class _Free(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    path: str
    key: str | None = Field(None, description="Key of a mapping-valued parameter")
    keys: list[str] | None = Field(None, min_length=1, description="Keys moved together by one value")
    lower: float
    upper: float
    step: float = Field(gt=0)
    start: float | None = Field(None, description="Start value (default: the prior)")


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    scenario: str
    targets_file: str | None = None
    targets: Literal["all"] | list[str] = "all"
    scale: float = Field(gt=0, le=1)
    seed: int = Field(ge=0)
    rounds: int = Field(2, ge=1, le=5, description="Record labour paths, fit; repeated with the fitted values")
    max_evaluations: int = Field(600, ge=10)
    check_scale: float = Field(1.0, gt=0, le=1, description="Scale of the engine run that checks the fit")
    seed_check: bool = Field(True, description="Refit on a population drawn with seed + 1; add the difference to the uncertainty")
    parameters: list[_Free] = Field(min_length=1)


@dataclass(frozen=True)
class FreeParameter:
    """One fitted value: a parameter, or keys of a mapping-valued parameter.

    With several ``keys`` the fitted value is that of the first key; the
    others keep their prior difference to it.
    """

    path: str
    keys: tuple[str, ...]
    lower: float
    upper: float
    step: float
    prior: float
    offsets: tuple[float, ...]
    date: dt.date

    @property
    def label(self) -> str:
        """The path, with the fitted keys in brackets."""
        return self.path + (f"[{','.join(self.keys)}]" if self.keys else "")


@dataclass
class CalibrationConfig:
    """A checked config, with the scenario, the fit targets and the free parameters resolved."""

    file: Path
    text: str
    scenario: Scenario
    targets_file: Path
    targets: list[Target]
    parameters: list[FreeParameter]
    scale: float
    seed: int
    rounds: int
    max_evaluations: int
    check_scale: float
    seed_check: bool = True

    @property
    def sha256(self) -> str:
        """SHA-256 of the config's text."""
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def last_year(self) -> int:
        """Last year of any fit target."""
        return max(t.last_year for t in self.targets)

    def start(self) -> list[float]:
        """Start values of the free parameters."""
        return [p.prior for p in self.parameters]

    def overrides(self, x) -> dict[str, dict[dt.date, Any]]:
        """Scenario-style overrides that set the free parameters to ``x``."""
        out: dict[str, dict[dt.date, Any]] = {}
        base = self.scenario.tree
        for free, value in zip(self.parameters, x):
            value = float(value)
            if free.keys:
                current = out.get(free.path, {}).get(free.date) or dict(base[free.path].at(free.date))
                for key, offset in zip(free.keys, free.offsets):
                    current[key] = round(value + offset, 10)
                out[free.path] = {free.date: current}
            else:
                out[free.path] = {free.date: round(value, 10)}
        return out

    def tree(self, x) -> ParameterTree:
        """The scenario's parameter tree with the free parameters set to ``x``."""
        return self.scenario.tree.with_overrides(self.overrides(x), f"{self.file} (fitted values)")


def _free_parameter(spec: _Free, tree: ParameterTree, file: Path, index: int) -> FreeParameter:
    def where(sub: str = "") -> str:
        return f"{file}: key 'parameters.{index}{'.' + sub if sub else ''}'"

    if spec.path not in tree:
        close = difflib.get_close_matches(spec.path, list(tree.parameters), n=3, cutoff=0.6)
        hint = f"; did you mean {close}?" if close else ""
        raise CalibrationError(f"{where('path')}: unknown parameter '{spec.path}'{hint} (see model/params/parameters/)")
    param = tree[spec.path]
    if len(param.dates) != 1:
        raise CalibrationError(f"{where('path')}: '{spec.path}' has {len(param.dates)} dated values; only a parameter "
                               f"with one value can be fitted (the calibrated value replaces it)")
    value = param.values[0]
    keys = tuple(spec.keys or ([spec.key] if spec.key is not None else []))
    if spec.key is not None and spec.keys is not None:
        raise CalibrationError(f"{where()}: give 'key' or 'keys', not both")
    if isinstance(value, dict):
        if not keys:
            raise CalibrationError(f"{where()}: '{spec.path}' is a mapping; name the fitted key with 'key' "
                                   f"(allowed keys: {sorted(value)})")
        bad = [k for k in keys if k not in value]
        if bad:
            raise CalibrationError(f"{where('keys')}: {bad} not in '{spec.path}'; allowed keys: {sorted(value)}")
        if not all(isinstance(value[k], (int, float)) and not isinstance(value[k], bool) for k in keys):
            raise CalibrationError(f"{where()}: the keys {list(keys)} of '{spec.path}' are not numbers")
        prior = float(value[keys[0]])
        offsets = tuple(float(value[k]) - prior for k in keys)
    else:
        if keys:
            raise CalibrationError(f"{where()}: '{spec.path}' is not a mapping; remove 'key'/'keys'")
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise CalibrationError(f"{where('path')}: '{spec.path}' is not a number ({value!r}); only numbers can be fitted")
        prior, offsets = float(value), ()
    start = spec.start if spec.start is not None else prior
    if not spec.lower < spec.upper:
        raise CalibrationError(f"{where()}: lower ({spec.lower}) must be below upper ({spec.upper})")
    if not spec.lower <= start <= spec.upper:
        raise CalibrationError(f"{where()}: the start value {start} is outside [lower, upper] = [{spec.lower}, {spec.upper}]")
    for bound in (spec.lower, spec.upper):
        candidate = {**value, **{k: bound + o for k, o in zip(keys, offsets)}} if keys else bound
        try:  # the bounds must be values the parameter may take
            param.check_value(candidate, f"{where()} (bound {bound})")
        except ParameterError as exc:
            raise CalibrationError(str(exc)) from None
    return FreeParameter(spec.path, keys, spec.lower, spec.upper, spec.step, start, offsets, param.dates[0])


def _select_targets(spec: _Config, targets: list[Target], file: Path, targets_file: Path) -> list[Target]:
    if spec.targets == "all":
        return [t for t in targets if t.role == "fit"]
    by_name = {t.name: t for t in targets}
    series = {}
    for t in targets:
        series.setdefault(t.series, []).append(t)
    chosen: list[Target] = []
    for i, name in enumerate(spec.targets):
        picked = [by_name[name]] if name in by_name else series.get(name)
        if not picked:
            close = difflib.get_close_matches(name, sorted(set(by_name) | set(series)), n=3, cutoff=0.6)
            hint = f"; did you mean {close}?" if close else ""
            raise CalibrationError(f"{file}: key 'targets.{i}': unknown target '{name}'{hint} "
                                   f"(targets and series are listed in {targets_file})")
        for t in picked:
            if t.role != "fit":
                raise CalibrationError(f"{file}: key 'targets.{i}': '{t.name}' is a validation-only target "
                                       f"({t.period}); it is never fitted")
            if t not in chosen:
                chosen.append(t)
    return chosen


def load_config(path: Path | str = DEFAULT_CONFIG) -> CalibrationConfig:
    """Read and check a calibration config.

    The scenario is loaded on the priors (the law without any calibrated
    file), so a calibration never depends on an earlier one.

    Raises:
        CalibrationError: naming the file, the key and what is allowed.
    """
    path = Path(path)
    spec, text = read_validated(path, _Config, CalibrationError, "calibration config", {"parameters.": _Free})
    targets_file = (path.parent / spec.targets_file) if spec.targets_file else TARGETS_FILE
    try:
        all_targets = load_targets(targets_file)
        scenario = load(path.parent / spec.scenario, ParameterTree.load(calibrated=None))
    except (TargetError, ScenarioError, ParameterError) as exc:
        raise CalibrationError(f"{path}: {exc}") from None
    targets = _select_targets(spec, all_targets, path, targets_file)
    free = [_free_parameter(p, scenario.tree, path, i) for i, p in enumerate(spec.parameters)]
    labels = [f.label for f in free]
    if len(set(labels)) != len(labels) or len({(f.path, k) for f in free for k in f.keys}) != sum(len(f.keys) for f in free):
        raise CalibrationError(f"{path}: key 'parameters': a parameter (or key) is listed twice: {labels}")
    if len(targets) < len(free):
        raise CalibrationError(f"{path}: {len(free)} parameters cannot be fitted to {len(targets)} targets; "
                               f"give at least as many targets as parameters")
    replayable = [t for t in targets if t.kind not in REPLAYED_KINDS or t.metric not in REPLAYED_METRICS
                  or t.group in NOT_REPLAYED_GROUPS]
    if replayable:
        t = replayable[0]
        raise CalibrationError(
            f"{path}: key 'targets': '{t.name}' ({t.kind} of {t.metric}, group {t.group}) cannot be fitted: the "
            f"calibration objective tallies {list(REPLAYED_METRICS)} as {list(REPLAYED_KINDS)} by group, "
            f"except {list(NOT_REPLAYED_GROUPS)}")
    first_target_year = min(t.first_year for t in targets)
    problem = replay_limits(scenario.tree, scenario.settings.first_month, month_number(max(t.last_year for t in targets), 12))
    if problem:
        raise CalibrationError(f"{path}: key 'scenario': {problem}")
    if int(scenario.settings.start[:4]) > first_target_year:
        raise CalibrationError(f"{path}: key 'scenario': the scenario starts in {scenario.settings.start}, after the "
                               f"first target year {first_target_year}")
    return CalibrationConfig(file=path, text=text, scenario=scenario, targets_file=targets_file, targets=targets,
                             parameters=free, scale=spec.scale, seed=spec.seed, rounds=spec.rounds,
                             max_evaluations=spec.max_evaluations, check_scale=spec.check_scale,
                             seed_check=spec.seed_check)
