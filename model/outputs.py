"""Writing a run folder: complete or not at all, never over an earlier run.

Everything is written into a hidden temporary folder next to the final one,
which is renamed into place only when all files are there. A failure removes
the temporary folder and leaves earlier runs untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pandas as pd

from . import codes, comparison, flows, parts
from .runner import RunResult

PACKAGES = ("numpy", "pandas", "mesa", "scipy", "matplotlib", "pydantic", "typer", "pyarrow", "PyYAML")
CODE_DIR = Path(__file__).parent


def code_digest() -> str:
    """SHA-256 over the package's Python and parameter files."""
    h = hashlib.sha256()
    for f in sorted(list(CODE_DIR.rglob("*.py")) + list(CODE_DIR.rglob("*.yaml"))):
        h.update(str(f.relative_to(CODE_DIR)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def git_commit() -> dict[str, object]:
    """Commit of the checkout the code runs from, and whether it has changes."""
    try:
        root = CODE_DIR.parent
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, timeout=10)
        if commit.returncode != 0:
            return {"commit": None, "dirty": None}
        return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def versions() -> dict[str, str | None]:
    """Versions of Python and the packages a run depends on."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


NAME_MAX_BYTES = 200  # a run folder's name; with the time stamp and prefixes it stays below 255 bytes
_TEMPORARY = re.compile(r"^\.incomplete-(\d+)-[0-9a-f]{8}-")
STALE_SECONDS = 24 * 3600


class OutputError(RuntimeError):
    """A run folder cannot be created or written."""


def check_name(name: str) -> str:
    """A run folder name, checked: letters, digits and ``_ . + -``, not starting with '.', at most 200 bytes.

    Raises:
        OutputError: saying what is allowed.
    """
    if not re.fullmatch(r"[A-Za-z0-9_+-][A-Za-z0-9_.+-]*", name or ""):
        raise OutputError(f"run name {name!r} is not allowed: use letters, digits and _ . + - (no '/', not starting with '.')")
    if len(name.encode()) > NAME_MAX_BYTES:
        raise OutputError(f"run name of {len(name.encode())} bytes is too long: at most {NAME_MAX_BYTES} "
                          f"(the folder name adds a time stamp)")
    return name


def default_name(scenario_names: list[str]) -> str:
    """The scenario names joined by '+', shortened with a hash when too long for a folder name."""
    name = "+".join(scenario_names)
    if len(name.encode()) <= NAME_MAX_BYTES:
        return name
    suffix = f"+{len(scenario_names)}-scenarios-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
    return name[: NAME_MAX_BYTES - len(suffix)].rstrip("+") + suffix


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(out_root: Path) -> list[Path]:
    """Remove temporary folders left by runs that were killed (their process is gone, or a day old)."""
    removed = []
    try:
        candidates = [p for p in out_root.iterdir() if p.name.startswith(".incomplete-") and p.is_dir()]
    except OSError:
        return removed
    now = time.time()
    for folder in candidates:
        match = _TEMPORARY.match(folder.name)
        try:
            old = now - folder.stat().st_mtime > STALE_SECONDS
        except OSError:
            continue
        if (match and not _alive(int(match.group(1)))) or (not match and old):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


class RunFolder:
    """A run folder reserved before anything is simulated, made final only when complete.

    Creating it makes the output root and a uniquely named hidden temporary
    folder in it (named after this process, so a later run can tell a killed
    run's leftovers from a running one's), so a folder that cannot be written
    is reported before minutes of simulation. :meth:`commit` renames it to
    ``<UTC time>-<name>``, taking the next free ``-2``, ``-3`` ... when two
    runs finish in the same second.

    Raises:
        OutputError: when the root or the folder cannot be created.
    """

    def __init__(self, out_root: Path | str, name: str):
        self.root = Path(out_root)
        self.name = check_name(name)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            if not self.root.is_dir():
                raise NotADirectoryError(20, "not a folder")
            remove_stale(self.root)
            self.tmp = self.root / f".incomplete-{os.getpid()}-{secrets.token_hex(4)}-{self.name}"
            self.tmp.mkdir()
        except OSError as exc:
            raise OutputError(f"output folder '{self.root}': cannot write there ({exc.strerror or exc})") from None
        self.final: Path | None = None

    def candidate(self, when: str) -> Path:
        """The first final name not taken yet for the time stamp ``when`` (what the manifest records)."""
        for i in range(1, 1000):
            final = self.root / (f"{when}-{self.name}" if i == 1 else f"{when}-{self.name}-{i}")
            if not final.exists():
                return final
        raise OutputError(f"{self.root}: no free run folder name for '{self.name}'")

    def commit(self, when: str | None = None) -> Path:
        """Rename the temporary folder to its final name for the time stamp ``when`` (default: now); return it.

        The name is the first free one; if another run takes it in the same
        instant, the next suffix is used.
        """
        when = when or dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        for i in range(1, 1000):
            final = self.root / (f"{when}-{self.name}" if i == 1 else f"{when}-{self.name}-{i}")
            if final.exists():
                continue
            try:
                os.rename(self.tmp, final)  # fails if another run took the name in between (non-empty folder)
            except OSError as exc:
                if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
                    continue
                raise
            self.final = final
            return final
        raise OutputError(f"{self.root}: no free run folder name for '{self.name}'")

    def discard(self) -> None:
        """Remove the temporary folder."""
        shutil.rmtree(self.tmp, ignore_errors=True)


def provenance() -> dict[str, object]:
    """Code hash, git commit and package versions, for manifests."""
    return {"code_sha256": code_digest(), "git": git_commit(), "versions": versions()}


@contextlib.contextmanager
def atomic_folder(folder: RunFolder):
    """Yield ``(tmp, final_name)``: write into ``tmp``; it gets its final name only if the block succeeds.

    ``final_name`` is the folder's final path, for manifests and chart
    stamps: the time stamp is taken once, and the first free name for it is
    used (only if another run takes that very name while this one writes does
    the folder get the next suffix instead). A failure removes the temporary
    folder; a failure to write (a full disk) becomes an :class:`OutputError`.

    Args:
        folder: The run folder, reserved before the run.
    """
    when = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        yield folder.tmp, folder.candidate(when)
        folder.commit(when)
    except OSError as exc:
        folder.discard()
        raise OutputError(f"writing the run folder in '{folder.root}' failed ({exc.strerror or exc}); nothing was kept, "
                          f"earlier runs are untouched") from None
    except BaseException:
        folder.discard()
        raise


def calibration_note(tree) -> str:
    """One line on where the behavioural parameters come from, for chart stamps."""
    info = tree.calibration
    if not info:
        return "behavioural parameters are uncalibrated priors"
    return f"behaviour calibrated {str(info.get('date', ''))[:10]} on 2014-2018 uptake"


def stamp(result: RunResult, run_name: str | None = None) -> str:
    """The line printed under every chart: run, scale, seed, replications, calibration."""
    st = result.scenarios[0].settings
    head = f"loopbaansim run {run_name}" if run_name else f"loopbaansim ({', '.join(s.name for s in result.scenarios)})"
    return (f"{head}; scale {st['scale']:g} ({result.persons:,} simulated people, 1 = {result.weight:,.1f} people); "
            f"seed {st['seed']}; {runs_note(st)}; {calibration_note(result.scenarios[0].tree)}")


def runs_note(settings: dict) -> str:
    """'3 replications', or '4 parameter sets x 5 replications'."""
    n, sets = settings["replications"], settings.get("parameter_sets") or 0
    reps = "1 replication" if n == 1 else f"{n} replications"
    return f"{sets} parameter sets x {reps}" if sets else reps


def write_run(result: RunResult, out_root: Path | RunFolder, name: str, command: list[str],
              extra: dict[str, pd.DataFrame] | None = None, extra_charts=None) -> Path:
    """Write the run folder and return its final path.

    Args:
        out_root: Folder in which the run folder is created, or a :class:`RunFolder` reserved before the run.
        name: Name of the run (when ``out_root`` is a folder).
        extra: Further tables to write, as ``{file name: table}`` (CSV).
        extra_charts: ``callable(charts folder, stamp) -> list of files`` for further charts.

    Raises:
        OutputError: when the folder cannot be created or written (nothing is kept then).
    """
    folder = out_root if isinstance(out_root, RunFolder) else RunFolder(out_root, name)
    with atomic_folder(folder) as (tmp, final):
        result.summary.to_csv(tmp / "summary.csv", index=False)
        result.monthly.to_parquet(tmp / "timeseries.parquet", index=False)
        result.fit.to_csv(tmp / "population_fit.csv", index=False)
        compared = comparison.compare(result)
        compared.to_csv(tmp / "comparison.csv", index=False)
        comparison.yearly_differences(result).to_csv(tmp / "differences_by_year.csv", index=False)
        if result.parts:
            parts.decompose(result, result.parts).to_csv(tmp / "parts.csv", index=False)
        transitions = flows.transition_table(result.yearly)
        transitions.to_csv(tmp / "transitions.csv", index=False)
        flows.transition_check(transitions).to_csv(tmp / "transitions_published.csv", index=False)
        if result.hazard_bounds is not None:
            result.hazard_bounds.to_csv(tmp / "hazard_bounds.csv", index=False)
        pd.DataFrame(result.scenarios[0].tree.table()).to_csv(tmp / "parameters.csv", index=False)
        if result.parameter_sets is not None:
            result.parameter_sets.to_csv(tmp / "parameter_sets.csv", index=False)
        stamp_line = stamp(result, final.name)
        for file_name, table in (extra or {}).items():
            table.to_csv(tmp / file_name, index=False)
        from . import charts  # matplotlib only once the simulation is over (time and memory)

        chart_files = charts.write_all(result.summary, result.scenarios, tmp / "charts", stamp_line)
        if extra_charts is not None:
            chart_files += extra_charts(tmp / "charts", stamp_line)
        manifest = {
            "run": final.name,
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": command,
            "scenarios": [s.to_manifest() for s in result.scenarios],
            "seed": result.scenarios[0].settings["seed"],
            "replications": result.scenarios[0].settings["replications"],
            "parameter_sets": result.scenarios[0].settings["parameter_sets"],
            "parameter_set_draws": ("none: every parameter at its central value" if result.parameter_sets is None else
                                    "model.uncertainty: each declared distribution from SeedSequence(seed, spawn_key="
                                    "(key of 'parameter_sets:PATH',)); the calibrated values jointly from their fitted "
                                    "normal; replication r belongs to set r // replications (parameter_sets.csv)"),
            "replication_seeds": "numpy SeedSequence(seed, spawn_key=(replication,)), one child per (process, month)",
            "persons_simulated": result.persons,
            "persons_per_agent": result.weight,
            "hazards_capped": result.capped,
            "processes": result.processes,
            "units": {**result.units, "employment_rate_20_64": "fraction"},
            "timings_seconds": {k: round(v, 3) for k, v in result.timings.items()},
            "cache": result.cache,
            **provenance(),
            "files": sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file()) + ["manifest.json"],
            "charts": [str(Path(c).relative_to(tmp)) for c in chart_files],
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return folder.final


def write_effect(effect, scenario, folder: RunFolder, command: list[str]) -> Path:
    """Write the run folder of ``loopbaan effects``: ``guidance_effect.csv`` and a manifest."""
    with atomic_folder(folder) as (tmp, final):
        effect.table.reset_index().to_csv(tmp / "guidance_effect.csv", index=False)
        manifest = {
            "run": final.name, "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": command, "scenarios": [scenario.to_manifest()], "seed": scenario.settings["seed"],
            "guidance_month": codes.month_date(effect.month).isoformat()[:7], "horizon_months": effect.horizon,
            "summary": str(effect), **provenance(),
            "files": ["guidance_effect.csv", "manifest.json"],
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return folder.final


def levels_table(result: RunResult) -> pd.DataFrame:
    """One row per scenario: its own levels (group 'all', replication means); differences are in :mod:`model.comparison`.

    From the yearly values of every replication. Averages and per-year rates
    are taken over the reported months, so a horizon that starts or ends
    mid-year is not misread.
    """
    y = result.yearly[(result.yearly["group"] == "all")]
    if result.dims:  # counters with extra dimensions are not among these metrics: one value per year each
        y = y[y[list(result.dims)].isna().all(axis=1)]
    y = y.groupby(["scenario", "metric", "year"])["value"].mean()  # over replications
    last_year = max(result.summary["year"])
    first = result.scenarios[0]
    months = pd.Series([codes.month_date(m).year for m in range(first.start_month, first.end_month + 1)]).value_counts()
    years = months.sum() / 12.0
    rows = []
    for sc in result.scenarios:
        per_year = lambda metric, name=sc.name: y.loc[(name, metric)]  # noqa: E731
        rate = result.summary[(result.summary.scenario == sc.name) & (result.summary.group == "all")
                              & (result.summary.metric == "employment_rate_20_64") & (result.summary.year == last_year)]["value"]
        eligible = per_year("eligible")  # yearly averages, weighed by the months of each year in the horizon
        rows.append({
            "scenario": sc.name,
            "eligible (avg)": float((eligible * months.reindex(eligible.index)).sum() / months.sum()),
            "cheque-1 starts/yr": per_year("starts_cheque1").sum() / years,
            "gov. cost EUR M/yr": per_year("government_cost_eur").sum() / years / 1e6,
            "users back to work (gross)": per_year("reentries_employment").sum(),
            f"employment rate {last_year}": float(rate.iloc[0]),
        })
    return pd.DataFrame(rows).set_index("scenario")


def print_table(table: pd.DataFrame, file=None) -> None:
    """Print the levels table in readable units."""
    file = file or sys.stdout
    fmt = {c: (lambda v: f"{v:.1%}") if c.startswith("employment rate") else
           (lambda v: f"{v:,.1f}") if "EUR" in c else (lambda v: f"{v:,.0f}") for c in table.columns}
    print(table.to_string(formatters=fmt), file=file)
