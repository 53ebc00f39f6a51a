"""Writing a calibration: its run folder, and the calibrated parameter file.

The run folder (``outputs/<time>-calibration``) is written atomically like
any run. Only when it is complete is the calibrated parameter file replaced
(write to a temporary file, then rename), so a failed calibration leaves the
previous calibrated file as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ...params.tree import CALIBRATED_FILE
from ...results.atomic import RunFolder, atomic_folder
from ...results.provenance import provenance
from .fit import CalibrationResult, flat_values

METHOD = ("least squares (scipy.optimize.least_squares, trust-region reflective) on (model - observed) / scale "
          "of each 2014-2018 target; objective: expected uptake replayed on labour paths recorded with common "
          "random numbers at reduced scale; uncertainty: Gauss-Newton covariance from a central-difference "
          "Jacobian, inflated by chi2/dof when above 1, combined with the difference between fits on two independently "
          "drawn calibration populations (seed check)")


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def targets_table(result: CalibrationResult) -> pd.DataFrame:
    """Every fit target: observed, the replay's value at the fit, and the full engine's (if checked)."""
    fit = result.fit_table
    table = fit[["target", "kind", "metric", "group", "period", "published_period", "exception", "observed", "tolerance",
                 "unit", "reference"]].copy()
    table["model_replay"] = fit["model"]
    table["error_replay"] = fit["error"]
    table["within_tolerance_replay"] = fit["within_tolerance"]
    if len(result.check_table):
        check = result.check_table.set_index("target").loc[fit["target"]]
        table["model_engine"] = check["model"].to_numpy()
        table["error_engine"] = check["error"].to_numpy()
        table["error_relative_engine"] = check["error_relative"].to_numpy()
        table["within_tolerance_engine"] = check["within_tolerance"].to_numpy()
    return table


def _correlation_table(result: CalibrationResult) -> pd.DataFrame:
    labels = [p.label for p in result.config.parameters]
    return pd.DataFrame(result.correlation, index=labels, columns=labels).rename_axis("parameter").reset_index()


def _plain(value):
    """Numbers and flags as plain Python values for YAML."""
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else round(float(value), 6)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def calibrated_content(result: CalibrationResult, run_manifest: dict) -> dict:
    """The calibrated parameter file as a mapping: provenance, then the overrides."""
    config = result.config
    targets = targets_table(result)
    keep = [c for c in ("target", "period", "published_period", "observed", "model_replay", "model_engine", "error_engine",
                        "within_tolerance_engine", "tolerance") if c in targets]
    return {
        "calibration": {
            "date": run_manifest["created_utc"],
            "method": METHOD,
            "config": _relative(config.file),
            "config_sha256": config.sha256,
            "targets_file": _relative(config.targets_file),
            "targets_sha256": hashlib.sha256(config.targets_file.read_bytes()).hexdigest(),
            "fit_years": f"{min(t.first_year for t in config.targets)}-{config.last_year}",
            "scale": config.scale,
            "seed": config.seed,
            "chi_square": round(result.chi_square, 4),
            "degrees_of_freedom": len(config.targets) - len(config.parameters),
            "covariance_inflation": round(result.inflation, 4),
            "parameters": [{k: _plain(v) for k, v in row.items()} for row in
                           result.parameter_table()[["parameter", "prior", "value", "sd", "sd_jacobian", "seed_difference",
                                                     "lower", "upper"]].to_dict("records")],
            "correlated_pairs": result.correlated_pairs(),
            # the whole matrix (rows and columns in the order of 'parameters'): a run with parameter sets
            # draws the fitted values from the normal of these sd and correlations (model.params.uncertainty)
            "correlation": [[round(float(r), 4) for r in row] for row in result.correlation],
            "targets": [{k: _plain(v) for k, v in row.items()} for row in targets[keep].to_dict("records")],
            "warnings": result.warnings,
            "run": {k: run_manifest[k] for k in ("run", "created_utc", "command", "code_sha256", "git", "versions",
                                                 "seconds", "check_run")},
        },
        "overrides": config.overrides(result.values),
    }


def write_calibration(result: CalibrationResult, out_root: Path | RunFolder,
                      calibrated_file: Path | None = CALIBRATED_FILE, command: list[str] | None = None,
                      charts: Callable[[CalibrationResult, Path, str], list[Path]] | None = None) -> tuple[Path, Path | None]:
    """Write the run folder, then (if ``calibrated_file``) replace the calibrated parameter file.

    Args:
        charts: ``charts(result, charts folder, stamp) -> files``: draws the fit (the caller's choice; an
            experiment draws nothing itself).

    Returns:
        The run folder and the calibrated file written (or None).
    """
    config = result.config
    folder = out_root if isinstance(out_root, RunFolder) else RunFolder(out_root, "calibration")
    with atomic_folder(folder) as (tmp, final):
        targets = targets_table(result)
        targets.to_csv(tmp / "calibration_targets.csv", index=False)
        result.parameter_table().to_csv(tmp / "calibration_parameters.csv", index=False)
        _correlation_table(result).to_csv(tmp / "calibration_correlation.csv", index=False)
        result.trace.to_csv(tmp / "calibration_trace.csv", index=False)
        if len(result.check_summary):
            result.check_summary.to_csv(tmp / "check_summary.csv", index=False)
        stamp = (f"loopbaansim calibration {final.name}; objective at scale {config.scale:g}, seed {config.seed}; "
                 f"engine check at scale {config.check_scale:g}; fit years 2014-{config.last_year}")
        chart_files = charts(result, tmp / "charts", stamp) if charts is not None else []
        manifest = {
            "run": final.name,
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": command or [],
            "kind": "calibration",
            "config": {"file": str(config.file), "sha256": config.sha256, "text": config.text},
            "targets_file": {"file": str(config.targets_file),
                             "sha256": hashlib.sha256(config.targets_file.read_bytes()).hexdigest()},
            "scenario": config.scenario.to_manifest(),
            "seed": config.seed,
            "scale": config.scale,
            "method": METHOD,
            "rounds": result.rounds,
            "seconds": round(result.seconds, 2),
            "check_run": {"scale": config.check_scale, "persons_simulated": result.check_persons,
                          "months": f"{config.scenario.settings.start} to {config.last_year}-12"},
            "fitted": flat_values(config.overrides(result.values)),
            "warnings": result.warnings,
            **provenance(),
            "charts": [str(Path(c).relative_to(tmp)) for c in chart_files],
        }
        content = calibrated_content(result, manifest)
        header = ("# Calibrated behavioural parameters, written by `loopbaan calibrate`. Do not edit by hand:\n"
                  "# change the config or the targets and calibrate again. Every scenario uses these values\n"
                  "# unless it overrides them.\n")
        text = header + yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=110)
        (tmp / "calibrated.yaml").write_text(text, encoding="utf-8")
        manifest["files"] = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file()) + ["manifest.json"]
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    final = folder.final
    if calibrated_file is None:
        return final, None
    calibrated_file = Path(calibrated_file)
    calibrated_file.parent.mkdir(parents=True, exist_ok=True)
    partial = calibrated_file.with_name(f".{calibrated_file.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, calibrated_file)
    return final, calibrated_file
