"""The run folder's one schema: the tables a run folder holds, made once, for writing and for memory.

:func:`tables` makes every table of a run folder from a :class:`~.result.RunResult`
and :func:`manifest` its manifest; :func:`write` writes them into a new folder
(complete or not at all, :mod:`.atomic`), and :func:`read` reads a folder back,
checking what it finds. The report (:class:`model.report.run_data.RunTables`) reads
a folder with :func:`read`, or takes :func:`tables` and :func:`manifest` of a
run in memory: the same tables either way.

The files:

- ``summary.csv``: each scenario's yearly values by group (mean, p05, p95 over the runs);
- ``timeseries.parquet``: the monthly values of the first runs;
- ``population_fit.csv``: every target of the synthetic population against the model;
- ``comparison.csv``: each scenario against its baseline over the horizon (:mod:`.comparison`);
- ``differences_by_year.csv``: the same year by year, for the headline metrics;
- ``parts.csv``: each part's share of a scenario made of parts (:mod:`.parts`), if any;
- ``transitions.csv`` and ``transitions_published.csv``: flows between statuses, and the published ones (:mod:`.flows`);
- ``flow_bands.csv``: the model's flows against the published bands, definitions restated (:mod:`.flows`);
- ``margins.csv``: the employment rate of each raked group against its table's and the published one (:mod:`.margins`);
- ``take_up.csv``: cheque-1 users per eligible person-year, of re-entrants out of work and of workers (:mod:`.take_up`);
- ``hazard_bounds.csv``: labour hazards that had to be bounded;
- ``parameters.csv``: every parameter with its source; ``parameter_sets.csv``: the drawn sets, if any;
- ``spread.csv``: with parameter sets, the share of each headline's spread by group of assumptions (:mod:`.spread`);
- ``manifest.json``: the run, its settings, scenarios, processes, metrics, provenance and files;
- ``charts/``: the run's charts, when the caller draws them (:mod:`model.report.charts.summary`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..engine.counters import EMPLOYMENT_RATE, with_role
from ..params.yamlfile import shown_path, validation_lines
from .atomic import OutputError, RunFolder, atomic_folder
from .comparison import compare, paired_differences, yearly_differences
from .flows import band_check, transition_check, transition_table
from .margins import margin_table
from .parts import decompose
from .provenance import provenance
from .result import RunResult
from .schema import TABLES, SchemaError, conform, schema_of
from .schema import check as check_table
from .spread import spread_table
from .take_up import take_up_table

REQUIRED = ("manifest.json", "summary.csv", "comparison.csv", "parameters.csv")
READ = ("summary", "comparison", "differences_by_year", "transitions", "parameters", "parts", "margins",
        "flow_bands", "take_up", "spread")  # what a report reads
MAX_MANIFEST_BYTES = 50_000_000  # a manifest is some kilobytes; a larger file is not one
PARAMETER_SET_DRAWS = ("model.params.uncertainty: each declared distribution from SeedSequence(seed, spawn_key=(key of "
                       "'parameter_sets:PATH',)); the calibrated values jointly from their fitted normal; replication r "
                       "belongs to set r // replications (parameter_sets.csv)")
# draws a run's charts into a folder from its manifest and tables (the report layer's; this layer draws nothing)
Charts = Callable[[dict, dict[str, pd.DataFrame], Path], list[Path]]


class RunFolderError(ValueError):
    """A folder that is not a finished run folder of ``loopbaan run``."""


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _ScenarioEntry(_Loose):
    name: str = Field(min_length=1)
    title: str = ""


class _Metric(_Loose):
    kind: str
    unit: str
    description: str


class _FileDigest(_Loose):
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class ManifestRead(_Loose):
    """What a report needs of ``manifest.json``, with its types (other keys are kept, unchecked)."""

    run: str = Field(min_length=1)
    scenarios: list[_ScenarioEntry] = Field(min_length=1)
    seed: int
    replications: int = Field(ge=1)
    parameter_sets: int | None = Field(default=None, ge=0)
    persons_simulated: int = Field(ge=1)
    persons_per_agent: float = Field(gt=0, allow_inf_nan=False)
    settings: dict[str, Any] | None = None
    part_runs: list[str] | None = None
    metrics: dict[str, _Metric] | None = None
    file_digests: dict[str, _FileDigest] | None = None


def digest(data: bytes) -> dict[str, Any]:
    """A file's size and SHA-256 (of its bytes), as the manifest records them."""
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def tables(result: RunResult) -> dict[str, pd.DataFrame]:
    """Every table of the run folder of ``result``, by file name."""
    per_rep = paired_differences(result)
    out = {"summary.csv": result.summary, "timeseries.parquet": result.monthly, "population_fit.csv": result.fit,
           "comparison.csv": compare(result, per_rep=per_rep), "differences_by_year.csv": yearly_differences(result)}
    if result.parts:
        out["parts.csv"] = decompose(result, result.parts)
    transitions = with_role(result.counters, "transitions")
    if transitions:
        out["transitions.csv"] = transition_table(result.yearly, transitions[0].name)
        out["transitions_published.csv"] = transition_check(out["transitions.csv"])
        out["flow_bands.csv"] = band_check(out["transitions.csv"])
    margins = margin_table(result.summary)
    if not margins.empty:
        out["margins.csv"] = margins
    take_up = take_up_table(result)
    if not take_up.empty:
        out["take_up.csv"] = take_up
    if result.hazard_bounds is not None:
        out["hazard_bounds.csv"] = result.hazard_bounds
    out["parameters.csv"] = pd.DataFrame(result.scenarios[0].tree.table())
    if result.parameter_sets is not None:
        out["parameter_sets.csv"] = result.parameter_sets
        spread = spread_table(result, per_rep)
        if not spread.empty:
            out["spread.csv"] = spread
    return out


def manifest(result: RunResult, name: str, command: list[str] | None = None) -> dict[str, Any]:
    """The run's manifest (without the files written, which :func:`write` adds)."""
    settings = result.settings
    return {
        "run": name,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command or [],
        "settings": settings.model_dump(),
        "scenarios": [s.to_manifest() for s in result.scenarios],
        "part_runs": list(result.part_runs),
        "parts": result.parts,
        "seed": settings.seed,
        "replications": settings.replications,
        "parameter_sets": settings.parameter_sets,
        "parameter_set_draws": ("none: every parameter at its central value" if result.parameter_sets is None
                                else PARAMETER_SET_DRAWS),
        "replication_seeds": "numpy SeedSequence(seed, spawn_key=(replication,)), one child per (process, month)",
        "persons_simulated": result.persons,
        "persons_per_agent": result.weight,
        "hazards_capped": result.capped,
        "processes": result.processes,
        "metrics": {c.name: c.describe() for c in result.counters},
        "units": {**result.units, EMPLOYMENT_RATE: "fraction"},
        "timings_seconds": {k: round(v, 3) for k, v in result.timings.items()},
        "cache": result.cache,
        **provenance(),
    }


def write(result: RunResult, out_root: Path | RunFolder, name: str, command: list[str],
          extra: dict[str, pd.DataFrame] | None = None, charts: Charts | None = None) -> Path:
    """Write the run folder and return its final path.

    Args:
        out_root: Folder in which the run folder is created, or a :class:`.atomic.RunFolder` reserved before the run.
        name: Name of the run (when ``out_root`` is a folder).
        command: The command recorded in the manifest.
        extra: Further tables to write, as ``{file name: table}`` (CSV).
        charts: ``charts(manifest, tables, charts folder) -> files``: draws the run's charts from the tables
            written (the caller's choice: the results layer draws nothing).

    Raises:
        OutputError: when the folder cannot be created or written (nothing is kept then).
    """
    folder = out_root if isinstance(out_root, RunFolder) else RunFolder(out_root, name)
    written = {**tables(result), **(extra or {})}
    try:
        for file_name, table in written.items():
            conform(table, file_name, result.dims)
    except SchemaError as exc:  # a fault of the model, said in one line; nothing is written
        raise OutputError(f"the run's tables break their schema, so no run folder is written (a fault of the "
                          f"model: please report it): {exc}") from None
    with atomic_folder(folder) as (tmp, final):
        for file_name, table in written.items():
            if file_name.endswith(".parquet"):
                table.to_parquet(tmp / file_name, index=False)
            else:
                table.to_csv(tmp / file_name, index=False)
        content = manifest(result, final.name, command)
        chart_files = charts(content, written, tmp / "charts") if charts is not None else []
        content["files"] = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file()) + ["manifest.json"]
        content["charts"] = [str(Path(c).relative_to(tmp)) for c in chart_files]
        # what each file held when written: read() refuses a file changed since (cut short, doubled, edited)
        content["file_digests"] = {f: digest((tmp / f).read_bytes()) for f in content["files"] if f != "manifest.json"}
        (tmp / "manifest.json").write_text(json.dumps(content, indent=2, default=str), encoding="utf-8")
    return folder.final


def read(folder: str | Path) -> tuple[dict, dict[str, pd.DataFrame]]:
    """A run folder's manifest and the tables a report reads (:data:`READ`; an absent one is empty), checked.

    The manifest is checked for what a report needs (:class:`ManifestRead`); every table read is checked against
    its schema (:mod:`.schema`: columns, types, one row per key) and, when the manifest records it (folders
    written since it does), against the size and digest it had when written; the tables must name the manifest's
    scenarios. A folder that fails any check is refused before anything is drawn from it.

    Raises:
        RunFolderError: naming the folder and the file that is missing, unreadable or damaged, or the manifest's key.
    """
    folder = Path(folder)
    try:
        if not folder.is_dir():
            raise RunFolderError(f"{shown_path(folder)}: no such run folder (give a folder written by 'loopbaan run')")
        missing = [name for name in REQUIRED if not (folder / name).is_file()]
    except OSError as exc:  # a name longer than the file system allows, a folder that cannot be listed
        raise RunFolderError(f"{shown_path(folder)}: cannot read the run folder ({exc.strerror or exc})") from None
    if missing:
        raise RunFolderError(f"{folder}: not a finished run folder of 'loopbaan run': {', '.join(missing)} missing")
    content = _read_manifest(folder / "manifest.json")
    found = {name: read_table(folder, f"{name}.csv", content) for name in READ}
    _check_scenarios(folder, content, found)
    return content, found


def read_extra(folder: str | Path, file: str) -> pd.DataFrame:
    """A further table of a run folder (a back-cast's ``validation.csv``), read and checked like the report's own.

    Raises:
        RunFolderError: naming the folder or file: not a run folder, or the file missing, changed or malformed.
    """
    content, _ = read(folder)
    table = read_table(Path(folder), file, content)
    if table.empty:
        raise RunFolderError(f"{Path(folder) / file}: missing or empty")
    return table


def read_table(folder: Path, file: str, content: dict) -> pd.DataFrame:
    """One table of a run folder, checked against its schema and the digest its manifest ``content`` records.

    Returns:
        The table (empty when the folder has no such file and the manifest does not list it).

    Raises:
        RunFolderError: naming the file: listed but missing, changed since written, unreadable, or not its schema.
    """
    path, digests = folder / file, content.get("file_digests") or {}
    if not path.is_file():
        if file in digests:
            raise RunFolderError(f"{path}: missing (manifest.json lists it): the run folder is incomplete")
        return pd.DataFrame()
    try:
        data = path.read_bytes()  # read once: what is checked is what is parsed
    except OSError as exc:
        raise RunFolderError(f"{path}: cannot read the table: {exc.strerror or exc}") from None
    if file in digests:
        _check_digest(path, data, digests[file])
    dimensions = [d for metric in (content.get("metrics") or {}).values() for d in metric.get("dims", [])]
    options = schema_of(file, dimensions).read_options() if file in TABLES else {}
    try:
        table = pd.read_csv(io.BytesIO(data), encoding="utf-8", **options)
    except pd.errors.EmptyDataError:
        raise RunFolderError(f"{path}: empty: not a table of 'loopbaan run'") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise RunFolderError(f"{path}: cannot read the table: {str(exc)[:300]}") from None
    if file in TABLES:
        try:
            check_table(table, file, str(path), dimensions)
        except SchemaError as exc:
            raise RunFolderError(str(exc)) from None
    return table


def _read_manifest(path: Path) -> dict:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RunFolderError(f"{path}: cannot read the manifest: {exc.strerror or exc}") from None
    if size > MAX_MANIFEST_BYTES:
        raise RunFolderError(f"{path}: larger than {MAX_MANIFEST_BYTES:,} bytes: not a manifest of 'loopbaan run'")
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise RunFolderError(f"{path}: not a UTF-8 text file: not a manifest of 'loopbaan run'") from None
    except (ValueError, RecursionError) as exc:
        raise RunFolderError(f"{path}: not valid JSON ({str(exc)[:200]}): not a manifest of 'loopbaan run'") from None
    except OSError as exc:
        raise RunFolderError(f"{path}: cannot read the manifest: {exc.strerror or exc}") from None
    if not isinstance(content, dict):
        raise RunFolderError(f"{path}: not a manifest of 'loopbaan run' (a JSON object is expected, found "
                             f"{type(content).__name__})")
    try:
        ManifestRead.model_validate(content)
    except ValidationError as exc:
        lines = validation_lines(exc, str(path), ManifestRead)
        raise RunFolderError("\n".join(line.replace("is required", "missing: not a manifest of 'loopbaan run'")
                                        for line in lines)) from None
    return content


def _check_digest(path: Path, data: bytes, recorded: dict) -> None:
    now = digest(data)
    if now["bytes"] != recorded["bytes"]:
        raise RunFolderError(f"{path}: {now['bytes']:,} bytes, but the run wrote {recorded['bytes']:,} (manifest.json, "
                             f"file_digests): the file was cut short or changed; run again or restore it")
    if now["sha256"] != recorded["sha256"]:
        raise RunFolderError(f"{path}: its content differs from what the run wrote (SHA-256 in manifest.json, "
                             f"file_digests): the file was changed; run again or restore it")


def _check_scenarios(folder: Path, content: dict, found: dict[str, pd.DataFrame]) -> None:
    names = [s["name"] for s in content["scenarios"]]
    if len(set(names)) != len(names):
        raise RunFolderError(f"{folder / 'manifest.json'}: key 'scenarios': a scenario is named twice")
    summary = found["summary"]
    if summary.empty:
        raise RunFolderError(f"{folder / 'summary.csv'}: no rows: the run folder holds no results")
    for table, columns in (("summary", ("scenario",)), ("comparison", ("scenario", "baseline")),
                           ("differences_by_year", ("scenario", "baseline")), ("parts", ("scenario",))):
        frame = found[table]
        for column in columns:
            if frame.empty:
                continue
            unknown = sorted(set(frame[column].dropna().astype(str)) - set(names))
            if unknown:
                raise RunFolderError(f"{folder / (table + '.csv')}: column '{column}' names "
                                     f"{', '.join(unknown[:3])}, not a scenario of manifest.json "
                                     f"({', '.join(names[:6])}{' ...' if len(names) > 6 else ''})")
    absent = [n for n in names if n not in set(summary["scenario"].astype(str))]
    if absent:
        raise RunFolderError(f"{folder / 'summary.csv'}: no rows for {', '.join(absent[:3])} (a scenario of "
                             f"manifest.json): the file was cut short or changed")
