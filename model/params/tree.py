"""Dated parameters in the OpenFisca / PolicyEngine style.

The YAML files under ``model/params/parameters/`` form a tree. A node that has a
``values`` key is a parameter; every other mapping is a folder. The path of a
parameter is the file name followed by the keys leading to it, joined by dots
(``cheque.cheques.window_months``). Each parameter carries a description, a
unit, its references and values keyed by the date from which they apply.

Example:
    >>> tree = ParameterTree.load()
    >>> p = tree.at(datetime.date(2021, 3, 1))
    >>> p["cheque.government_cost"]["cheque1"]
    640
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .yamlfile import excerpt, parse_yaml, read_text

PARAMETER_DIR = Path(__file__).parent / "parameters"
# Written by ``loopbaan calibrate``: fitted values that replace the priors by default.
CALIBRATED_FILE = Path(__file__).parent / "calibrated" / "behaviour.yaml"
_META_KEYS = {
    "description", "unit", "reference", "values", "interpolation", "min", "max",
    "allowed", "assumption", "sums_to", "max_sum", "integer", "range", "distribution",
}
# How an uncertain parameter is drawn (``distribution``): over its ``range``, or one of listed choices.
DISTRIBUTIONS = ("uniform", "triangular", "choice")
SUM_TOLERANCE = 0.005
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


class ParameterError(ValueError):
    """A parameter was asked for, or given, in a way the tree does not allow."""


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and DATE_PATTERN.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ParameterError(f"{where}: {excerpt(value)} is not a date ({exc}); write dates as YYYY-MM-DD") from None
    raise ParameterError(f"{where}: {excerpt(value)} is not a date; write dates as YYYY-MM-DD")


def as_period(key: Any, where: str) -> tuple[dt.date, dt.date | None]:
    """A dated key: a date, a bounded range or an open range.

    A date holds from then on; a bounded range ``"YYYY-MM-DD..YYYY-MM-DD"``
    includes both days; an open range ``"YYYY-MM-DD.."`` holds from its day on,
    replacing every later dated value (its last day is ``datetime.date.max``).
    """
    if isinstance(key, tuple) and len(key) == 2:
        first, last = key
    elif isinstance(key, str) and key.endswith("..") and key.count("..") == 1:
        return _as_date(key[:-2], where), dt.date.max
    elif isinstance(key, str) and ".." in key:
        first, last = key.split("..", 1)
    else:
        return _as_date(key, where), None
    first, last = _as_date(first, where), _as_date(last, where)
    if last < first:
        raise ParameterError(f"{where}: the range {first}..{last} ends before it starts")
    return first, last


def period_label(key: tuple[dt.date, dt.date | None] | dt.date) -> str:
    """``YYYY-MM-DD`` for a date, ``YYYY-MM-DD..YYYY-MM-DD`` for a range."""
    if isinstance(key, tuple):
        first, last = key
        if last == dt.date.max:
            return f"{first.isoformat()}.."
        return first.isoformat() if last is None else f"{first.isoformat()}..{last.isoformat()}"
    return key.isoformat()


@dataclass(frozen=True)
class Distribution:
    """How an uncertain parameter is drawn for a parameter set (YAML key ``distribution``).

    ``uniform`` and ``triangular`` draw over the parameter's ``range``; the
    triangle peaks at the parameter's value (for a mapping of numbers, each
    key's triangle peaks at its own value and all keys share one quantile).
    ``choice`` draws one of ``choices`` with ``weights`` (equal by default)::

        distribution: triangular
        distribution: {choice: [[unemployment, career_break, incapacity, pension], [unemployment, career_break]],
                       weights: [0.5, 0.5]}
    """

    kind: str
    choices: tuple[Any, ...] = ()
    weights: tuple[float, ...] = ()


@dataclass(frozen=True)
class Parameter:
    """One dated parameter.

    Attributes:
        path: Dotted path in the tree.
        description: What the parameter means.
        unit: Unit of the values.
        reference: Sources of the values.
        dates: Dates from which each value applies, sorted.
        values: The values, aligned with ``dates``.
        interpolation: ``step`` (a value holds until the next date) or
            ``linear`` (numeric values interpolated between dates).
        minimum: Smallest allowed number, if any.
        maximum: Largest allowed number, if any.
        allowed: Allowed categories for text values or list items, if any.
        assumption: True when the values are assumptions rather than data.
        sums_to: For shares: every mapping of numbers in a value must add up
            to this (within ``SUM_TOLERANCE``).
        max_sum: For probabilities of exclusive outcomes: every mapping of
            numbers may add up to at most this.
        integer: True for counts (months, cheques): numbers must be whole.
        plausible_range: For effects no data identify: ``(low, high)``, the
            plausible range around the central value (YAML key ``range``); the
            uncertainty analysis samples it. Every value in the file must lie
            in it (a scenario may leave it, within ``min`` and ``max``).
        distribution: For uncertain parameters: how a run with parameter sets
            draws them (:mod:`model.params.uncertainty`), or None (the value is
            kept). See :class:`Distribution`.
        source_file: YAML file the parameter came from.
    """

    path: str
    description: str
    unit: str
    reference: tuple[str, ...]
    dates: tuple[dt.date, ...]
    values: tuple[Any, ...]
    interpolation: str = "step"
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[str, ...] | None = None
    assumption: bool = False
    sums_to: float | None = None
    max_sum: float | None = None
    integer: bool = False
    plausible_range: tuple[float, float] | None = None
    distribution: Distribution | None = None
    source_file: str = ""

    def at(self, when: dt.date) -> Any:
        """Return the value in force on ``when``.

        Raises:
            ParameterError: if ``when`` is before the first dated value.
        """
        i = bisect.bisect_right(self.dates, when) - 1
        if i < 0:
            raise ParameterError(
                f"parameter '{self.path}' has no value on {when.isoformat()}: "
                f"its first value applies from {self.dates[0].isoformat()}"
            )
        if self.interpolation == "linear" and i + 1 < len(self.dates):
            d0, d1 = self.dates[i], self.dates[i + 1]
            w = (when - d0).days / (d1 - d0).days
            return self.values[i] + w * (self.values[i + 1] - self.values[i])
        return self.values[i]

    def check_value(self, value: Any, where: str) -> None:
        """Check that ``value`` has the shape, type and range of this parameter.

        Raises:
            ParameterError: naming ``where``, the parameter and what is allowed.
        """
        _check_like(self.values[0], value, self, f"{where}: {self.path}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, Mapping):
        return "mapping"
    return type(value).__name__


def _check_like(reference: Any, value: Any, param: Parameter, where: str) -> None:
    want, got = _kind(reference), _kind(value)
    if want != got:
        raise ParameterError(f"{where}: expected a {want} like {excerpt(reference)}, got {excerpt(value)}")
    if want == "mapping":
        if set(reference) != set(value):
            raise ParameterError(
                f"{where}: keys must be exactly {sorted(reference)}, got {excerpt(sorted(map(str, value)))}"
            )
        for key in reference:
            _check_like(reference[key], value[key], param, f"{where}.{key}")
        numbers = [v for v in value.values() if _kind(v) == "number"]
        if numbers and len(numbers) == len(value):
            total = sum(numbers)
            if param.sums_to is not None and abs(total - param.sums_to) > SUM_TOLERANCE:
                raise ParameterError(f"{where}: shares add up to {total:.4f}; they must add up to {param.sums_to}")
            if param.max_sum is not None and total > param.max_sum + 1e-12:
                raise ParameterError(f"{where}: probabilities add up to {total:.4f}, more than {param.max_sum}")
    elif want == "number":
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an int too large for a float
            finite = False
        if not finite:
            raise ParameterError(f"{where}: {excerpt(value)} is not a finite number of a usable size ({param.unit})")
        if param.integer and value != int(value):
            raise ParameterError(f"{where}: {excerpt(value)} is not a whole number ({param.unit})")
        if param.minimum is not None and value < param.minimum:
            raise ParameterError(f"{where}: {value} is below the minimum {param.minimum} ({param.unit})")
        if param.maximum is not None and value > param.maximum:
            raise ParameterError(f"{where}: {value} is above the maximum {param.maximum} ({param.unit})")
    elif want == "text" and param.allowed is not None and value not in param.allowed:
        raise ParameterError(f"{where}: {excerpt(value)} is not allowed; allowed values: {list(param.allowed)}")
    elif want == "list" and param.allowed is not None:
        bad = [v for v in value if v not in param.allowed]
        if bad:
            raise ParameterError(f"{where}: {excerpt(bad)} not allowed; allowed items: {list(param.allowed)}")


def _parse_parameter(path: str, node: Mapping[str, Any], source: str) -> Parameter:
    unknown = set(node) - _META_KEYS
    if unknown:
        raise ParameterError(f"{source}: parameter '{path}' has unknown keys {sorted(unknown)}; allowed: {sorted(_META_KEYS)}")
    raw = node["values"]
    if not isinstance(raw, Mapping) or not raw:
        raise ParameterError(f"{source}: parameter '{path}' needs 'values' as a mapping date -> value")
    items = sorted((_as_date(k, f"{source}: {path}"), v) for k, v in raw.items())
    for key in ("description", "unit", "reference"):
        if key not in node:
            raise ParameterError(f"{source}: parameter '{path}' lacks '{key}' "
                                 f"(every parameter needs a description, unit and reference)")
    reference = node["reference"]
    param = Parameter(
        path=path,
        description=" ".join(str(node["description"]).split()),
        unit=str(node["unit"]),
        reference=tuple(str(r) for r in (reference if isinstance(reference, list) else [reference])),
        dates=tuple(d for d, _ in items),
        values=tuple(v for _, v in items),
        interpolation=node.get("interpolation", "step"),
        minimum=node.get("min"),
        maximum=node.get("max"),
        allowed=tuple(node["allowed"]) if "allowed" in node else None,
        assumption=bool(node.get("assumption", False)),
        sums_to=node.get("sums_to"),
        max_sum=node.get("max_sum"),
        integer=bool(node.get("integer", False)),
        plausible_range=_plausible_range(path, node, source),
        source_file=source,
    )
    param = replace(param, distribution=_distribution(param, node.get("distribution"), source))
    if param.interpolation not in ("step", "linear"):
        raise ParameterError(f"{source}: parameter '{path}': interpolation must be 'step' or 'linear'")
    for d, v in items:
        param.check_value(v, f"{source} ({d.isoformat()})")
    if param.plausible_range is not None:
        low, high = param.plausible_range
        for d, v in items:
            numbers = list(v.values()) if isinstance(v, Mapping) else [v]
            if not all(_kind(x) == "number" for x in numbers):
                raise ParameterError(f"{source}: parameter '{path}': 'range' needs numeric values")
            outside = [x for x in numbers if not low <= x <= high]
            if outside:
                raise ParameterError(f"{source} ({d.isoformat()}): {path}: {excerpt(outside)} outside its range "
                                     f"[{low}, {high}]")
        if _kind(param.values[0]) == "number":
            for bound in (low, high):
                param.check_value(bound, f"{source}: range")
    return param


def _plausible_range(path: str, node: Mapping[str, Any], source: str) -> tuple[float, float] | None:
    """The ``range: [low, high]`` of a parameter, checked (None if absent)."""
    if "range" not in node:
        return None
    value = node["range"]
    if (not isinstance(value, list) or len(value) != 2 or any(_kind(x) != "number" for x in value)
            or not all(math.isfinite(x) for x in value) or value[0] > value[1]):
        raise ParameterError(f"{source}: parameter '{path}': range must be [low, high], two finite numbers with "
                             f"low <= high, got {excerpt(value)}")
    return float(value[0]), float(value[1])


def _distribution(param: Parameter, value: Any, source: str) -> Distribution | None:
    """The checked ``distribution`` of a parameter (None if absent)."""
    if value is None:
        return None
    where = f"{source}: parameter '{param.path}': distribution"
    if len(param.values) != 1:
        raise ParameterError(f"{where}: a drawn parameter must have one dated value (it replaces its whole history); "
                             f"this one has {len(param.values)}")
    if isinstance(value, str):
        if value not in ("uniform", "triangular"):
            raise ParameterError(f"{where}: {excerpt(value)} is not a distribution; allowed: uniform, triangular "
                                 f"(over 'range'), or {{choice: [...], weights: [...]}}")
        if param.plausible_range is None:
            raise ParameterError(f"{where}: {value} draws over the parameter's 'range', which it lacks")
        if value == "uniform" and _kind(param.values[0]) == "mapping":
            raise ParameterError(f"{where}: uniform over one range would give every key the same value; use "
                                 f"triangular (each key peaks at its own value)")
        return Distribution(value)
    if not isinstance(value, Mapping) or "choice" not in value or set(value) - {"choice", "weights"}:
        raise ParameterError(f"{where}: give uniform, triangular, or a mapping with 'choice' (a list of values) and "
                             f"optionally 'weights'; got {excerpt(value)}")
    choices = value["choice"]
    if not isinstance(choices, list) or len(choices) < 2:
        raise ParameterError(f"{where}: 'choice' needs a list of at least two values, got {excerpt(choices)}")
    for choice in choices:
        param.check_value(choice, f"{where}: choice")
    weights = value.get("weights", [1 / len(choices)] * len(choices))
    if (not isinstance(weights, list) or len(weights) != len(choices) or any(_kind(w) != "number" for w in weights)
            or not all(math.isfinite(w) and w > 0 for w in weights) or abs(sum(weights) - 1) > SUM_TOLERANCE):
        raise ParameterError(f"{where}: 'weights' must be {len(choices)} positive numbers adding up to 1, "
                             f"got {excerpt(weights)}")
    return Distribution("choice", tuple(choices), tuple(float(w) for w in weights))


def _walk(prefix: str, node: Any, source: str, out: dict[str, Parameter]) -> None:
    if not isinstance(node, Mapping):
        raise ParameterError(f"{source}: '{prefix}' is neither a folder nor a parameter (no 'values')")
    if "values" in node:
        out[prefix] = _parse_parameter(prefix, node, source)
        return
    for key, child in node.items():
        _walk(f"{prefix}.{key}" if prefix else str(key), child, source, out)


class ParameterSet(Mapping[str, Any]):
    """The values of every parameter on one date (read-only mapping)."""

    def __init__(self, when: dt.date, values: dict[str, Any]):
        self.date = when
        self._values = values

    def __getitem__(self, path: str) -> Any:
        try:
            return self._values[path]
        except KeyError:
            raise ParameterError(_unknown_path_message(path, self._values)) from None

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def updated(self, values: Mapping[str, Any]) -> ParameterSet:
        """A copy with some values replaced (the paths must exist)."""
        unknown = [k for k in values if k not in self._values]
        if unknown:
            raise ParameterError(_unknown_path_message(unknown[0], self._values))
        return ParameterSet(self.date, {**self._values, **values})


def _unknown_path_message(path: str, known: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(path, list(known), n=3, cutoff=0.6)
    hint = f"; did you mean {close}?" if close else ""
    return f"unknown parameter '{path}'{hint} (see model/params/parameters/ for the tree)"


def _fitted_normal(info: Mapping[str, Any], file: Path) -> dict[str, Any] | None:
    """The normal distribution of the fitted values that a calibrated file declares (None for an older file).

    Raises:
        ParameterError: if the file's parameters and correlation matrix do not fit together.
    """
    rows, correlation = info.get("parameters"), info.get("correlation")
    if correlation is None:
        return None
    try:
        out = {"labels": [str(r["parameter"]) for r in rows], **{key: [float(r[key]) for r in rows] for key in
                                                                 ("value", "sd", "lower", "upper")}}
        matrix = [[float(x) for x in row] for row in correlation]
    except (KeyError, TypeError, ValueError) as exc:
        raise ParameterError(f"{file}: calibration.parameters and calibration.correlation must give each fitted "
                             f"value's parameter, value, sd, lower and upper, and a matrix of numbers ({exc})") from None
    n = len(out["labels"])
    if len(matrix) != n or any(len(row) != n for row in matrix) or not all(math.isfinite(x) for row in matrix
                                                                             for x in row):
        raise ParameterError(f"{file}: calibration.correlation must be a {n} x {n} matrix of finite numbers "
                             f"(one row and column per fitted parameter)")
    out["correlation"] = matrix
    return out


@dataclass(frozen=True)
class ParameterTree:
    """All parameters, with their dated values."""

    parameters: dict[str, Parameter] = field(default_factory=dict)
    calibration: dict[str, Any] | None = None
    # the fitted values' normal (labels, values, sd, bounds, correlation) from the calibrated file, for parameter sets
    fitted: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, directory: Path | str = PARAMETER_DIR, calibrated: Path | str | None = CALIBRATED_FILE) -> ParameterTree:
        """Read every ``*.yaml`` file below ``directory``, then apply the calibrated values.

        Args:
            directory: Folder of the parameter files (the law and the priors).
            calibrated: File written by ``loopbaan calibrate`` whose fitted values
                replace the priors; ``None`` (or a file that does not exist yet)
                keeps the priors.
        """
        tree = cls._load_priors(Path(directory))
        if calibrated is not None and Path(calibrated).is_file():
            tree = tree.with_calibration(Path(calibrated))
        return tree

    def with_calibration(self, file: Path) -> ParameterTree:
        """Apply the fitted values of a calibrated parameter file (see :mod:`model.experiments.calibration`).

        Raises:
            ParameterError: if the file is not a calibration file or its values do not fit the tree.
        """
        content = parse_yaml(read_text(file, ParameterError, "calibrated parameter file"), str(file), ParameterError)
        if not isinstance(content, Mapping) or not isinstance(content.get("overrides"), Mapping) \
                or not isinstance(content.get("calibration"), Mapping):
            raise ParameterError(f"{file}: not a calibrated parameter file (needs 'calibration' and 'overrides'); "
                                 f"re-create it with 'loopbaan calibrate'")
        tree = self.with_overrides(content["overrides"], str(file))
        info = content["calibration"]
        try:  # the package's own file by its path in the repository, others as given
            shown = file.resolve().relative_to(PARAMETER_DIR.parents[2])
        except ValueError:
            shown = file
        note = (f"Calibrated by loopbaan calibrate on {str(info.get('date', '?'))[:10]} to the "
                f"{info.get('fit_years', '')} uptake ({shown}; method, fit and uncertainty in its 'calibration' section)")
        params = dict(tree.parameters)
        for path in content["overrides"]:
            params[path] = replace(params[path], reference=(note, *params[path].reference))
        summary = {"file": str(file), "sha256": hashlib.sha256(file.read_bytes()).hexdigest(),
                   "date": info.get("date"), "method": info.get("method"), "parameters": sorted(content["overrides"])}
        return ParameterTree(params, summary, _fitted_normal(info, file))

    @classmethod
    def _load_priors(cls, directory: Path) -> ParameterTree:
        if not directory.is_dir():
            raise ParameterError(f"parameter folder '{directory}' does not exist")
        out: dict[str, Parameter] = {}
        for file in sorted(directory.rglob("*.yaml")):
            rel = file.relative_to(directory).with_suffix("")
            prefix = ".".join(rel.parts)
            content = parse_yaml(read_text(file, ParameterError, "parameter file"), str(file), ParameterError) or {}
            _walk(prefix, content, str(file.relative_to(directory.parent)), out)
        return cls(out)

    def __getitem__(self, path: str) -> Parameter:
        try:
            return self.parameters[path]
        except KeyError:
            raise ParameterError(_unknown_path_message(path, self.parameters)) from None

    def __contains__(self, path: str) -> bool:
        return path in self.parameters

    def at(self, when: dt.date) -> ParameterSet:
        """Return the values of all parameters in force on ``when``."""
        return ParameterSet(when, {p: param.at(when) for p, param in self.parameters.items()})

    def with_overrides(self, overrides: Mapping[str, Mapping[Any, Any]], source: str) -> ParameterTree:
        """Return a new tree with dated values added or replaced.

        Args:
            overrides: ``{path: {date: value}}``. A value dated on an existing
                date replaces it; other dates are added. A key may also be a
                bounded range, ``"2020-03-01..2021-06-30"`` (or a pair of
                dates): the value holds from the first day to the last, dates
                of the parameter inside the range are dropped, and the value in
                force before comes back the day after the range ends.
            source: Name of the file the overrides come from, for messages.

        Raises:
            ParameterError: for an unknown path, a bad date or range, ranges
                that overlap each other or a date of the same override, or a
                value of the wrong type or out of range.
        """
        params = dict(self.parameters)
        for path, dated in overrides.items():
            if path not in params:
                raise ParameterError(f"{source}: overrides: {_unknown_path_message(str(path), params)}")
            param = params[path]
            where = f"{source}: overrides.{path}"
            if not isinstance(dated, Mapping) or not dated:
                raise ParameterError(f"{where}: give dated values, e.g. {{2025-01-01: {excerpt(param.values[-1])}}}")
            points, ranges = {}, []
            for key, value in dated.items():
                first, last = as_period(key, f"{where} (key {excerpt(key)})")
                param.check_value(value, f"{source}: overrides")
                if last is None:
                    points[first] = value
                else:
                    ranges.append((first, last, value))
            ranges.sort(key=lambda r: r[0])
            for (a0, a1, _), (b0, b1, _) in zip(ranges, ranges[1:]):
                if b0 <= a1:
                    raise ParameterError(f"{where}: the ranges {a0}..{a1} and {b0}..{b1} overlap")
            for first, last, _ in ranges:
                inside = [d for d in points if first < d <= last]
                if inside:
                    raise ParameterError(f"{where}: {inside[0]} falls inside the range {first}..{last}")
            merged = dict(zip(param.dates, param.values))
            merged.update(points)
            for first, last, value in ranges:
                if last == dt.date.max:  # open range: holds for good
                    merged = {d: v for d, v in merged.items() if d < first}
                    merged[first] = value
                    continue
                after = last + dt.timedelta(days=1)
                restore = replace(param, dates=tuple(sorted(merged)), values=tuple(merged[d] for d in sorted(merged)))
                try:
                    previous = restore.at(after)
                except ParameterError:
                    previous = None  # the range starts the parameter's history: it holds on
                merged = {d: v for d, v in merged.items() if not first <= d <= last}
                merged[first] = value
                if previous is not None and after not in merged:
                    merged[after] = previous
            items = sorted(merged.items())
            params[path] = replace(param, dates=tuple(d for d, _ in items), values=tuple(v for _, v in items))
        return ParameterTree(params, self.calibration, self.fitted)

    def digest(self) -> str:
        """SHA-256 of all dated values, for the run manifest."""
        payload = {
            p: [[d.isoformat(), v] for d, v in zip(param.dates, param.values)]
            for p, param in sorted(self.parameters.items())
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    def table(self) -> list[dict[str, Any]]:
        """One row per parameter and date, for documentation and manifests."""
        rows = []
        for path, p in sorted(self.parameters.items()):
            for d, v in zip(p.dates, p.values):
                rows.append({
                    "path": path, "from": d.isoformat(), "value": json.dumps(v, default=str),
                    "unit": p.unit, "assumption": p.assumption,
                    "range": json.dumps(list(p.plausible_range)) if p.plausible_range else "",
                    "reference": "; ".join(p.reference),
                    "description": p.description,
                })
        return rows
