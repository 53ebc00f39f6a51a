"""Observed uptake figures (targets) and the model's value of each.

A target file (``model/params/targets/uptake.yaml``) lists series of observed
figures, each with its source, the model output it is compared with, a
residual scale and a tolerance, and a role: ``fit`` (2014-2018 only) or
``validation`` (never fitted). Model values are computed from
:class:`Tallies`: yearly totals of a metric by group, which both the full
engine (its ``summary.csv``) and the calibration's expected-value replay
produce, so both are judged by the same code.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ...mechanisms import metric_names
from ...params.yamlfile import read_validated
from ...people.groups import GROUPS

TARGETS_FILE = Path(__file__).resolve().parents[2] / "params" / "targets" / "uptake.yaml"
FLOW_METRICS = metric_names("flow")
KINDS = ("starts", "share", "cheques_per_user", "change", "amount", "orders_per_start")


class TargetError(ValueError):
    """A target file, or a target named somewhere, cannot be used."""


class _Series(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    description: str
    kind: Literal["starts", "share", "cheques_per_user", "change", "amount", "orders_per_start"]
    metric: Literal[FLOW_METRICS]  # type: ignore[valid-type]
    group: Literal[GROUPS]  # type: ignore[valid-type]
    unit: str
    scale: float = Field(gt=0)
    scale_kind: Literal["relative", "absolute"]
    tolerance: float = Field(gt=0)
    tolerance_kind: Literal["relative", "absolute"]
    role: Literal["fit", "validation"]
    reference: list[str] = Field(min_length=1)
    values: dict[str, float | None] = Field(min_length=1)
    published_period: str | None = None
    exception: str | None = None

    @field_validator("values", mode="before")
    @classmethod
    def _period_keys(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = {}
        for key, v in value.items():
            key = str(key)
            if not re.fullmatch(r"(19|20)\d\d(-(19|20)\d\d)?", key):
                raise ValueError(f"period '{key}' must be a year (2015) or a span of years (2014-2018)")
            out[key] = v
        return out


class _TargetFile(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    last_fit_year: int = Field(ge=2014, le=2018)
    targets: dict[str, _Series] = Field(min_length=1)


@dataclass(frozen=True)
class Target:
    """One observed figure.

    Attributes:
        name: Unique name (series name, plus ``.year`` when the series has several).
        series: Name of the series in the target file.
        kind: One of ``KINDS``.
        metric: Model output compared (a flow of :mod:`model.mechanisms`).
        group: Group of people (``model.people.groups.GROUPS``).
        first_year: First year of the period.
        last_year: Last year of the period.
        value: Observed value, or None when not yet known.
        scale: Residual scale in the unit of the value.
        tolerance: Acceptance band, in the unit of the value.
        role: ``fit`` or ``validation``.
        unit: Unit of the value.
        description: What the figure is.
        reference: Sources.
        published_period: What the source's figure covers ("" when it is the period).
        exception: Why a fit target whose published period reaches past the
            fit years (or is not stated) is fitted all the same ("" if none).
    """

    name: str
    series: str
    kind: str
    metric: str
    group: str
    first_year: int
    last_year: int
    value: float | None
    scale: float
    tolerance: float
    role: str
    unit: str
    description: str
    reference: tuple[str, ...]
    published_period: str = ""
    exception: str = ""

    @property
    def period(self) -> str:
        """The year, or first-last years, the target covers."""
        return str(self.first_year) if self.first_year == self.last_year else f"{self.first_year}-{self.last_year}"


def load_targets(path: Path | str = TARGETS_FILE) -> list[Target]:
    """Read and check a target file.

    Raises:
        TargetError: naming the file, the key and what is allowed.
    """
    path = Path(path)
    spec, _ = read_validated(path, _TargetFile, TargetError, "target file")
    out = []
    for series, s in spec.targets.items():
        for period, value in s.values.items():
            first, _, last = period.partition("-")
            first_year, last_year = int(first), int(last or first)
            if last_year < first_year:
                raise TargetError(f"{path}: key 'targets.{series}.values.{period}': the period ends before it starts")
            if s.role == "fit" and last_year > spec.last_fit_year:
                raise TargetError(
                    f"{path}: key 'targets.{series}.values.{period}': a fit target may not use a figure after "
                    f"{spec.last_fit_year} (later years are for validation only); set role: validation")
            if s.role == "fit" and s.published_period is not None:
                years = [int(y) for y in re.findall(r"(?:19|20)\d\d", s.published_period)]
                if (not years or max(years) > spec.last_fit_year) and not s.exception:
                    raise TargetError(
                        f"{path}: key 'targets.{series}.published_period': '{s.published_period}' reaches past "
                        f"{spec.last_fit_year} or is not stated; a fit target needs an 'exception' saying why "
                        f"it is fitted all the same, or role: validation")
            if s.role == "fit" and value is None:
                raise TargetError(f"{path}: key 'targets.{series}.values.{period}': a fit target needs an observed value")
            if s.kind == "change" and first_year != last_year:
                raise TargetError(f"{path}: key 'targets.{series}.values.{period}': a change is on one year")
            name = series if len(s.values) == 1 else f"{series}.{period}"
            base = abs(value) if value is not None else math.nan
            out.append(Target(
                name=name, series=series, kind=s.kind, metric=s.metric, group=s.group,
                first_year=first_year, last_year=last_year, value=value,
                scale=s.scale * base if s.scale_kind == "relative" else s.scale,
                tolerance=s.tolerance * base if s.tolerance_kind == "relative" else s.tolerance,
                role=s.role, unit=s.unit, description=" ".join(s.description.split()), reference=tuple(s.reference),
                published_period=s.published_period or "", exception=" ".join((s.exception or "").split())))
    names = [t.name for t in out]
    if len(set(names)) != len(names):
        raise TargetError(f"{path}: target names repeat: {sorted({n for n in names if names.count(n) > 1})}")
    return out


def last_fit_year(path: Path | str = TARGETS_FILE) -> int:
    """The last year a fit target may use, as the target file sets it."""
    spec, _ = read_validated(Path(path), _TargetFile, TargetError, "target file")
    return spec.last_fit_year


class Tallies:
    """Yearly totals of flows by group: ``{(metric, group, year): value}``."""

    def __init__(self, values: dict[tuple[str, str, int], float]):
        self.values = values

    @classmethod
    def from_summary(cls, summary: pd.DataFrame, scenario: str | None = None) -> Tallies:
        """From a run's yearly summary (columns scenario, year, metric, group, value)."""
        df = summary if scenario is None else summary[summary["scenario"] == scenario]
        df = df[df["metric"].isin(FLOW_METRICS)]
        return cls({(m, g, int(y)): float(v) for m, g, y, v in zip(df["metric"], df["group"], df["year"], df["value"])})

    def total(self, metric: str, group: str, first: int, last: int) -> float:
        """Sum over the years ``first`` to ``last`` (NaN if a year is missing)."""
        return sum(self.values.get((metric, group, y), math.nan) for y in range(first, last + 1))


def model_value(target: Target, tallies: Tallies) -> float:
    """The model's value of ``target`` (NaN when the tallies do not cover its period)."""
    first, last = target.first_year, target.last_year
    if target.kind in ("starts", "amount"):
        return tallies.total(target.metric, target.group, first, last)
    if target.kind == "share":
        whole = tallies.total(target.metric, "all", first, last)
        return tallies.total(target.metric, target.group, first, last) / whole if whole > 0 else math.nan
    if target.kind == "cheques_per_user":
        users = tallies.total("starts_cheque1", target.group, first, last)
        cheques = users + tallies.total("starts_cheque2", target.group, first, last)
        return cheques / users if users > 0 else math.nan
    if target.kind == "orders_per_start":
        starts = (tallies.total("starts_cheque1", target.group, first, last)
                  + tallies.total("starts_cheque2", target.group, first, last))
        return tallies.total(target.metric, target.group, first, last) / starts if starts > 0 else math.nan
    if target.kind == "change":
        before = tallies.total(target.metric, target.group, first - 1, first - 1)
        return tallies.total(target.metric, target.group, first, first) / before - 1 if before > 0 else math.nan
    raise TargetError(f"unknown target kind '{target.kind}'; allowed: {list(KINDS)}")


def residuals(targets: list[Target], tallies: Tallies) -> list[float]:
    """(model - observed) / scale for each target, in order."""
    return [(model_value(t, tallies) - t.value) / t.scale for t in targets]


def compare(targets: list[Target], tallies: Tallies, last_fit_year: int = 2018) -> pd.DataFrame:
    """Tidy table: each target with its observed and model value, the error and whether it is within tolerance.

    ``error`` is model minus observed in the target's unit; ``error_relative``
    is the error over the observed value; ``sample`` says whether the period
    is in the fit years (``in-sample``) or after them (``out-of-sample``).
    """
    rows = []
    for t in targets:
        model = model_value(t, tallies)
        known = t.value is not None and not math.isnan(model)
        error = model - t.value if known else math.nan
        rows.append({
            "target": t.name, "kind": t.kind, "metric": t.metric, "group": t.group, "period": t.period,
            "role": t.role, "sample": "in-sample" if t.last_year <= last_fit_year else "out-of-sample",
            "observed": t.value, "model": model, "error": error,
            "error_relative": error / abs(t.value) if known and t.value else math.nan,
            "tolerance": t.tolerance if t.value is not None else math.nan,
            "within_tolerance": (abs(error) <= t.tolerance) if known else None,
            "residual": error / t.scale if known else math.nan,
            "unit": t.unit, "published_period": t.published_period or t.period, "exception": t.exception,
            "reference": "; ".join(t.reference),
        })
    return pd.DataFrame(rows)
