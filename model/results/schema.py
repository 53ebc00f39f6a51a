"""What each table of a run folder holds: its columns, their types and its key, checked when written and when read.

One :class:`Table` per file. :func:`conform` is what :func:`model.results.run_folder.write`
calls on every table before it writes it (a table that breaks its schema is a
bug in the model, and no folder is written); :func:`check` is what
:func:`model.results.run_folder.read` calls on every table it reads, so a
folder changed by hand or by a fault (rows doubled, a file cut short, a column
gone, text where a number belongs) is refused with a message naming the file,
and never reaches a chart as doubled or missing figures.

Types: ``text`` (missing allowed: a dimension a metric does not have), ``int``
(whole numbers, none missing), ``number`` (finite or missing: an interval of one
run is missing, not infinite), ``flag`` (true, false or missing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

KINDS = ("text", "int", "number", "flag")
# the extra dimensions a counter may have (model.engine.counters), as columns of summary.csv: part of its key
DIMENSIONS = ("from_status", "to_status", "centre", "status_at_start", "channel", "margin")


class SchemaError(ValueError):
    """A table that does not hold what its file's schema says."""


@dataclass(frozen=True)
class Table:
    """A file's schema.

    Attributes:
        file: The file name in the run folder.
        columns: Every column the file must have, with its kind (:data:`KINDS`), in the order written.
        key: The columns that identify a row: no two rows share them.
        optional: Columns that may be absent (with their kind): the band of a run of one replication,
            or a counter's extra dimensions.
        optional_in_key: Those of ``optional`` that belong to the key when present.
        more_columns: Whether other columns may follow (a table whose readers use only some of its columns).
    """

    file: str
    columns: dict[str, str]
    key: tuple[str, ...]
    optional: dict[str, str] = field(default_factory=dict)
    optional_in_key: tuple[str, ...] = ()
    more_columns: bool = False

    def kinds(self, present: list[str]) -> dict[str, str]:
        """The kind of every known column among ``present``."""
        known = {**self.columns, **self.optional}
        return {c: known[c] for c in present if c in known}

    def with_dimensions(self, dimensions: Iterable[str]) -> Table:
        """The schema with a run's own counter dimensions as optional text columns of the key (summary.csv)."""
        added = [d for d in dimensions if d not in self.columns and d not in self.optional]
        if not added or not self.optional_in_key:
            return self
        return replace(self, optional={**self.optional, **dict.fromkeys(added, "text")},
                       optional_in_key=(*self.optional_in_key, *added))

    def read_options(self) -> dict:
        """``pandas.read_csv`` options that read the file as written.

        Text stays text (a scenario named ``0123`` or ``nan`` is not a number), and only an empty cell is missing.
        """
        text = [c for c, kind in {**self.columns, **self.optional}.items() if kind == "text"]
        return {"dtype": dict.fromkeys(text, str), "keep_default_na": False, "na_values": [""]}


_BAND = {"p05": "number", "p95": "number"}
TABLES: dict[str, Table] = {t.file: t for t in (
    Table("summary.csv", {"scenario": "text", "year": "int", "metric": "text", "group": "text", "value": "number"},
          key=("scenario", "year", "metric", "group"), optional={**dict.fromkeys(DIMENSIONS, "text"), **_BAND},
          optional_in_key=DIMENSIONS),
    Table("comparison.csv", {"scenario": "text", "baseline": "text", "item": "text", "group": "text", "unit": "text",
                             "value": "number", "p05": "number", "p95": "number", "replications": "int",
                             "mean_low": "number", "mean_high": "number", "noise": "text"},
          key=("scenario", "baseline", "item", "group"),
          # with parameter sets: the variance of an effect split between the sets and the Monte Carlo noise
          optional=dict.fromkeys(("var_total", "var_parameters", "var_monte_carlo", "share_parameters"), "number")),
    Table("differences_by_year.csv", {"scenario": "text", "baseline": "text", "metric": "text", "year": "int",
                                      "value": "number", "p05": "number", "p95": "number", "runs": "int",
                                      "mean_low": "number", "mean_high": "number", "noise": "text"},
          key=("scenario", "baseline", "metric", "year")),
    Table("transitions.csv", {"scenario": "text", "year": "int", "group": "text", "from_status": "text",
                              "to_status": "text", "persons": "number", "share": "number"},
          key=("scenario", "year", "group", "from_status", "to_status")),
    Table("flow_bands.csv", {"scenario": "text", "flow": "text", "from_status": "text", "to_status": "text",
                             "low": "number", "high": "number", "model_first_year": "number", "model_mean": "number",
                             "within_band": "flag", "description": "text"},
          key=("scenario", "flow")),
    Table("margins.csv", {"scenario": "text", "year": "int", "margin": "text", "model": "number", "target": "number",
                          "published": "number", "difference": "number", "within_tolerance": "flag",
                          "above_best_eu": "flag"},
          key=("scenario", "year", "margin")),
    Table("take_up.csv", {"scenario": "text", "population": "text", "eligible_person_years": "number",
                          "users": "number", "rate_per_year": "number", "runs": "int", "mean_low": "number",
                          "mean_high": "number"},
          key=("scenario", "population")),
    Table("spread.csv", {"scenario": "text", "baseline": "text", "item": "text", "group": "text",
                         "assumption_group": "text", "share": "number", "columns": "int", "sets": "int",
                         "replications_per_set": "int", "sd_of_set_means": "number"},
          key=("scenario", "baseline", "item", "group", "assumption_group"),
          optional={"p_value": "number"}),  # (a folder of the first runs has no p-value: the report derives it)
    Table("parameters.csv", {"path": "text", "from": "text", "value": "text", "unit": "text", "assumption": "flag",
                             "range": "text", "reference": "text", "description": "text"},
          key=("path", "from")),
    Table("parts.csv", {"scenario": "text", "part": "text", "how": "text", "item": "text", "value": "number"},
          key=("scenario", "part", "how", "item"),
          # each figure's interval (a folder of the first runs has none)
          optional={"replications": "int", "mean_low": "number", "mean_high": "number", "noise": "text"}),
    # a back-cast's targets against the model (model.experiments.calibration.backcast), as the report reads them
    Table("validation.csv", {"scenario": "text", "target": "text", "kind": "text", "metric": "text", "period": "text",
                             "sample": "text", "observed": "number", "model": "number", "within_tolerance": "flag"},
          key=("scenario", "target"), more_columns=True),
)}


def _bad_values(column: pd.Series, kind: str) -> pd.Series:
    """Which values of ``column`` are not of ``kind`` (a boolean mask)."""
    if kind == "text":
        return pd.Series(False, index=column.index)
    if kind == "flag":  # missing allowed: a target without a published value is neither within nor outside
        if column.dtype == bool:
            return pd.Series(False, index=column.index)
        return column.notna() & ~column.astype(str).str.lower().isin(("true", "false"))
    numbers = pd.to_numeric(column, errors="coerce")
    bad = numbers.isna() & column.notna()  # text where a number belongs
    values = numbers.to_numpy(dtype=float, na_value=np.nan)
    bad |= np.isinf(values)
    if kind == "int":
        bad |= column.isna() | (np.isfinite(values) & (values != np.round(values)))
    return bad


def problems(table: pd.DataFrame, schema: Table) -> list[str]:
    """What is wrong with ``table`` under ``schema`` (empty if nothing), each as a short phrase."""
    found = []
    missing = [c for c in schema.columns if c not in table.columns]
    if missing:
        found.append(f"column{'s' if len(missing) > 1 else ''} {', '.join(repr(c) for c in missing)} missing "
                     f"(expected {', '.join(schema.columns)})")
    unknown = [c for c in table.columns if c not in schema.columns and c not in schema.optional]
    if unknown and not schema.more_columns:
        found.append(f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(repr(str(c)) for c in unknown)}")
    if found:
        return found
    for column, kind in schema.kinds(list(table.columns)).items():
        bad = _bad_values(table[column], kind)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            found.append(f"column '{column}' must hold {_KIND_TEXT[kind]}; line {row + 2} holds "
                         f"{table[column].iloc[row]!r}")  # +2: the header is line 1
    key = [*schema.key, *(c for c in schema.optional_in_key if c in table.columns)]
    doubled = table.duplicated(subset=key, keep="first")
    if doubled.any():
        row = int(np.flatnonzero(doubled.to_numpy())[0])
        found.append(f"{int(doubled.sum())} row(s) repeat a key ({', '.join(key)}), first at line {row + 2}: "
                     f"each must appear once")
    return found


_KIND_TEXT = {"int": "whole numbers", "number": "finite numbers (or nothing)", "flag": "True or False",
              "text": "text"}


def schema_of(file: str, dimensions: Iterable[str] = ()) -> Table:
    """The schema of ``file`` (a key of :data:`TABLES`) for a run whose counters have ``dimensions``."""
    return TABLES[file].with_dimensions(dimensions)


def check(table: pd.DataFrame, file: str, where: str, dimensions: Iterable[str] = ()) -> None:
    """Refuse ``table`` read from ``file`` if it breaks the file's schema.

    Args:
        table: The table read.
        file: Its file name (a key of :data:`TABLES`).
        where: The path named in the message.
        dimensions: The run's counter dimensions (columns of ``summary.csv`` beyond the built-in ones).

    Raises:
        SchemaError: naming ``where`` and every problem found.
    """
    found = problems(table, schema_of(file, dimensions))
    if found:
        raise SchemaError(f"{where}: {'; '.join(found)}")


def conform(table: pd.DataFrame, file: str, dimensions: Iterable[str] = ()) -> pd.DataFrame:
    """``table`` as written, after checking it against its schema (files without one pass unchanged).

    Raises:
        SchemaError: the model made a table its schema does not allow (a fault of the model: nothing is written).
    """
    if file in TABLES:
        check(table, file, f"{file} (as the model made it)", dimensions)
    return table
