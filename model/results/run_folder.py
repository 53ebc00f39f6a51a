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
- ``hazard_bounds.csv``: labour hazards that had to be bounded;
- ``parameters.csv``: every parameter with its source; ``parameter_sets.csv``: the drawn sets, if any;
- ``manifest.json``: the run, its settings, scenarios, processes, metrics, provenance and files;
- ``charts/``: the run's charts, when the caller draws them (:mod:`model.report.charts.summary`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ..engine.counters import EMPLOYMENT_RATE, with_role
from .atomic import RunFolder, atomic_folder
from .comparison import compare, yearly_differences
from .flows import transition_check, transition_table
from .parts import decompose
from .provenance import provenance
from .result import RunResult

REQUIRED = ("manifest.json", "summary.csv", "comparison.csv", "parameters.csv")
READ = ("summary", "comparison", "differences_by_year", "transitions", "parameters", "parts")  # what a report reads
MANIFEST_KEYS = ("run", "scenarios", "seed", "replications", "persons_simulated", "persons_per_agent")
PARAMETER_SET_DRAWS = ("model.params.uncertainty: each declared distribution from SeedSequence(seed, spawn_key=(key of "
                       "'parameter_sets:PATH',)); the calibrated values jointly from their fitted normal; replication r "
                       "belongs to set r // replications (parameter_sets.csv)")
# draws a run's charts into a folder from its manifest and tables (the report layer's; this layer draws nothing)
Charts = Callable[[dict, dict[str, pd.DataFrame], Path], list[Path]]


class RunFolderError(ValueError):
    """A folder that is not a finished run folder of ``loopbaan run``."""


def tables(result: RunResult) -> dict[str, pd.DataFrame]:
    """Every table of the run folder of ``result``, by file name."""
    out = {"summary.csv": result.summary, "timeseries.parquet": result.monthly, "population_fit.csv": result.fit,
           "comparison.csv": compare(result), "differences_by_year.csv": yearly_differences(result)}
    if result.parts:
        out["parts.csv"] = decompose(result, result.parts)
    transitions = with_role(result.counters, "transitions")
    if transitions:
        out["transitions.csv"] = transition_table(result.yearly, transitions[0].name)
        out["transitions_published.csv"] = transition_check(out["transitions.csv"])
    if result.hazard_bounds is not None:
        out["hazard_bounds.csv"] = result.hazard_bounds
    out["parameters.csv"] = pd.DataFrame(result.scenarios[0].tree.table())
    if result.parameter_sets is not None:
        out["parameter_sets.csv"] = result.parameter_sets
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
    with atomic_folder(folder) as (tmp, final):
        written = {**tables(result), **(extra or {})}
        for file_name, table in written.items():
            if file_name.endswith(".parquet"):
                table.to_parquet(tmp / file_name, index=False)
            else:
                table.to_csv(tmp / file_name, index=False)
        content = manifest(result, final.name, command)
        chart_files = charts(content, written, tmp / "charts") if charts is not None else []
        content["files"] = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file()) + ["manifest.json"]
        content["charts"] = [str(Path(c).relative_to(tmp)) for c in chart_files]
        (tmp / "manifest.json").write_text(json.dumps(content, indent=2, default=str), encoding="utf-8")
    return folder.final


def read(folder: str | Path) -> tuple[dict, dict[str, pd.DataFrame]]:
    """A run folder's manifest and the tables a report reads (:data:`READ`; an absent one is empty).

    Raises:
        RunFolderError: naming the folder and the file that is missing or unreadable, or the manifest's key.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise RunFolderError(f"{folder}: no such run folder (give a folder written by 'loopbaan run')")
    missing = [name for name in REQUIRED if not (folder / name).is_file()]
    if missing:
        raise RunFolderError(f"{folder}: not a finished run folder of 'loopbaan run': {', '.join(missing)} missing")
    try:
        content = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        found = {name: pd.read_csv(folder / f"{name}.csv") if (folder / f"{name}.csv").is_file() else pd.DataFrame()
                 for name in READ}
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise RunFolderError(f"{folder}: cannot read the run folder: {exc}") from None
    if not isinstance(content, dict):
        raise RunFolderError(f"{folder / 'manifest.json'}: not a manifest of 'loopbaan run' (a JSON object is expected)")
    for key in MANIFEST_KEYS:
        if key not in content:
            raise RunFolderError(f"{folder / 'manifest.json'}: key '{key}' missing: not a manifest of 'loopbaan run'")
    return content, found
