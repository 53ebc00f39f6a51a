"""Whether the simulation holds the employment margins it is raked to: ``margins.csv`` of a run folder.

The process :mod:`model.mechanisms.margins` records, each month, the people and
the people at work of every raked group with the rate the year's table holds
and the published rate in force. Here the yearly averages become one row per
scenario, year and group: the model's rate beside both, and whether it holds
the table's rate within the tolerance of ``model/params/targets/margins.yaml``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..params.yamlfile import parse_yaml, read_text

MARGINS_FILE = Path(__file__).resolve().parents[1] / "params" / "targets" / "margins.yaml"
METRICS = {"margin_people": "people", "margin_employed": "employed", "employment_rate_target": "target",
           "employment_rate_published": "published"}


def margin_settings(path: Path | None = None) -> dict[str, float]:
    """The tolerance and the best EU rate of 55-64 year-olds, from ``model/params/targets/margins.yaml``.

    Raises:
        ValueError: naming the file and key, for a value that is not a number between 0 and 1.
    """
    path = path or MARGINS_FILE
    raw = parse_yaml(read_text(path, ValueError, "margins file"), str(path), ValueError)
    out = {}
    for key in ("tolerance", "best_eu_rate_55_64"):
        value = raw.get(key, {}).get("value") if isinstance(raw, dict) and isinstance(raw.get(key), dict) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            raise ValueError(f"{path}: key '{key}.value' must be a number between 0 and 1, got {value!r}")
        out[key] = float(value)
    return out


def margin_table(summary: pd.DataFrame, settings: dict[str, float] | None = None) -> pd.DataFrame:
    """The model's employment rate by raked group and year beside the table's and the published one.

    Args:
        summary: A run's ``summary.csv`` (yearly values, mean over replications), with the ``margin`` column.

    Returns:
        Columns scenario, year, margin, model, target, published, difference (model minus target),
        within_tolerance, above_best_eu (the 55-64 rate, model's or target's, above the EU's best);
        empty if the run recorded no margins.
    """
    settings = settings or margin_settings()
    if "margin" not in summary.columns:
        return pd.DataFrame()
    rows = summary[summary["metric"].isin(list(METRICS)) & (summary["group"] == "all")]
    if rows.empty:
        return pd.DataFrame()
    wide = rows.pivot_table(index=["scenario", "year", "margin"], columns="metric", values="value",
                            observed=True, sort=False).rename(columns=METRICS).reset_index()
    wide = wide[wide["people"] > 0]
    out = wide[["scenario", "year", "margin"]].copy()
    out["model"] = wide["employed"] / wide["people"]
    out["target"] = wide["target"]
    out["published"] = wide["published"]
    out["difference"] = out["model"] - out["target"]
    out["within_tolerance"] = out["difference"].abs() <= settings["tolerance"]
    best = settings["best_eu_rate_55_64"]
    out["above_best_eu"] = (out["margin"] == "age_55_64") & ((out["model"] > best) | (out["target"] > best))
    return out.sort_values(["scenario", "year", "margin"], key=lambda c: c.astype(str), ignore_index=True)
