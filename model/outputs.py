"""Writing a run folder: complete or not at all, never over an earlier run.

Everything is written into a hidden temporary folder next to the final one,
which is renamed into place only when all files are there. A failure removes
the temporary folder and leaves earlier runs untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pandas as pd

from . import charts
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
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _unique_folder(root: Path, name: str) -> Path:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    final = root / f"{stamp}-{name}"
    i = 2
    while final.exists():
        final = root / f"{stamp}-{name}-{i}"
        i += 1
    return final


def provenance() -> dict[str, object]:
    """Code hash, git commit and package versions, for manifests."""
    return {"code_sha256": code_digest(), "git": git_commit(), "versions": versions()}


@contextlib.contextmanager
def atomic_folder(out_root: Path, name: str):
    """Yield ``(tmp, final)``: write into ``tmp``; it becomes ``final`` only if the block succeeds."""
    out_root.mkdir(parents=True, exist_ok=True)
    final = _unique_folder(out_root, name)
    tmp = out_root / f".incomplete-{final.name}"
    tmp.mkdir()
    try:
        yield tmp, final
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def calibration_note(tree) -> str:
    """One line on where the behavioural parameters come from, for chart stamps."""
    info = tree.calibration
    if not info:
        return "behavioural parameters are uncalibrated priors"
    return f"behaviour calibrated {str(info.get('date', ''))[:10]} on 2014-2018 uptake"


def write_run(result: RunResult, out_root: Path, name: str, command: list[str],
              extra: dict[str, pd.DataFrame] | None = None, extra_charts=None) -> Path:
    """Write the run folder and return its final path.

    Args:
        extra: Further tables to write, as ``{file name: table}`` (CSV).
        extra_charts: ``callable(charts folder, stamp) -> list of files`` for further charts.
    """
    with atomic_folder(out_root, name) as (tmp, final):
        result.summary.to_csv(tmp / "summary.csv", index=False)
        result.monthly.to_parquet(tmp / "timeseries.parquet", index=False)
        result.fit.to_csv(tmp / "population_fit.csv", index=False)
        pd.DataFrame(result.scenarios[0].tree.table()).to_csv(tmp / "parameters.csv", index=False)
        st = result.scenarios[0].settings
        stamp = (f"loopbaansim run {final.name}; scale {st['scale']:g} ({result.persons:,} simulated people, "
                 f"1 = {result.weight:,.1f} people); seed {st['seed']}; {st['replications']} replication(s); "
                 f"{calibration_note(result.scenarios[0].tree)}")
        for file_name, table in (extra or {}).items():
            table.to_csv(tmp / file_name, index=False)
        chart_files = charts.write_all(result.summary, result.scenarios, tmp / "charts", stamp)
        if extra_charts is not None:
            chart_files += extra_charts(tmp / "charts", stamp)
        manifest = {
            "run": final.name,
            "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "command": command,
            "scenarios": [s.to_manifest() for s in result.scenarios],
            "seed": result.scenarios[0].settings["seed"],
            "replications": result.scenarios[0].settings["replications"],
            "replication_seeds": "numpy SeedSequence(seed, spawn_key=(replication,)), one child per (process, month)",
            "persons_simulated": result.persons,
            "persons_per_agent": result.weight,
            "hazards_capped": result.capped,
            "units": {**result.units, "employment_rate_20_64": "fraction"},
            "timings_seconds": {k: round(v, 3) for k, v in result.timings.items()},
            **provenance(),
            "files": sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file()) + ["manifest.json"],
            "charts": [str(Path(c).relative_to(tmp)) for c in chart_files],
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return final


def comparison_table(result: RunResult) -> pd.DataFrame:
    """One row per scenario: the figures a user reads first (group 'all', replication means).

    Averages and per-year rates are taken over the reported months, so a
    horizon that starts or ends mid-year is not misread.
    """
    m = result.monthly[result.monthly["group"] == "all"]
    m = m.groupby(["scenario", "metric", "month"])["value"].mean()  # over replications
    last_year = max(result.summary["year"])
    first = result.scenarios[0].name
    employed_last = {s.name: m.loc[(s.name, "employed")].loc[lambda v: v.index.str.startswith(str(last_year))].mean()
                     for s in result.scenarios}
    rows = []
    for sc in result.scenarios:
        per_month = lambda metric: m.loc[(sc.name, metric)]  # noqa: E731
        years = len(per_month("eligible")) / 12.0
        rate = result.summary[(result.summary.scenario == sc.name) & (result.summary.group == "all")
                              & (result.summary.metric == "employment_rate_20_64") & (result.summary.year == last_year)]["value"]
        rows.append({
            "scenario": sc.name,
            "eligible (avg)": per_month("eligible").mean(),
            "cheque-1 starts/yr": per_month("starts_cheque1").sum() / years,
            "gov. cost EUR M/yr": per_month("government_cost_eur").sum() / years / 1e6,
            "users back to work (total)": per_month("reentries_employment").sum(),
            f"employment rate {last_year}": float(rate.iloc[0]),
            f"extra employed {last_year} vs {first}": employed_last[sc.name] - employed_last[first],
        })
    return pd.DataFrame(rows).set_index("scenario")


def print_table(table: pd.DataFrame, file=None) -> None:
    """Print the comparison table in readable units."""
    file = file or sys.stdout
    fmt = {c: (lambda v: f"{v:.1%}") if c.startswith("employment rate") else
           (lambda v: f"{v:,.1f}") if "EUR" in c else (lambda v: f"{v:,.0f}") for c in table.columns}
    print(table.to_string(formatters=fmt), file=file)
