"""Year-on-year transitions between labour statuses, and the published figures to set beside them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..mechanisms.transitions.process import STATUSES
from ..params.yamlfile import parse_yaml, read_text

TRANSITIONS_FILE = Path(__file__).resolve().parents[1] / "params" / "targets" / "transitions.yaml"


def transition_table(yearly: pd.DataFrame, metric: str = "transitions") -> pd.DataFrame:
    """Shares of the origin status, January to January, per scenario, year and group.

    Args:
        yearly: Yearly values per replication (``RunResult.yearly``), with the
            transitions counter's ``from_status`` and ``to_status`` columns.
        metric: The transitions counter (the role ``transitions``).

    Returns:
        Columns scenario, year, group, from_status, to_status, persons (mean
        over replications), share (of the people of ``from_status`` present in
        both Januaries; each origin's shares add up to one).
    """
    t = yearly[yearly["metric"] == metric]
    keys = ["scenario", "year", "group", "from_status", "to_status"]
    persons = t.groupby(keys, sort=False)["value"].mean().rename("persons").reset_index()
    origin = persons.groupby(["scenario", "year", "group", "from_status"], sort=False)["persons"].transform("sum")
    persons["share"] = (persons["persons"] / origin.where(origin > 0)).astype(float)
    return persons


def _entries(path: Path | None, key: str, what: str) -> tuple[Path, dict]:
    """The file (``model/params/targets/transitions.yaml`` by default) and its named entries under ``key``.

    Raises:
        ValueError: naming the file and key, when ``key`` does not map names to entries.
    """
    path = path or TRANSITIONS_FILE
    raw = parse_yaml(read_text(path, ValueError, "transitions file"), str(path), ValueError)
    entries = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise ValueError(f"{path}: key '{key}' must map names to {what}")
    return path, entries


def published_transitions(path: Path | None = None) -> pd.DataFrame:
    """The published transition shares: source, region, year, from_status, to_status, share, reference.

    Raises:
        ValueError: naming the file and key, for a file that is not the shape
            of ``model/params/targets/transitions.yaml``.
    """
    path, entries = _entries(path, "transitions", "published tables")
    rows = []
    for name, entry in entries.items():
        where = f"{path}: key 'transitions.{name}"
        if not isinstance(entry, dict) or set(entry) != {"description", "region", "year", "reference", "values"}:
            raise ValueError(f"{where}' needs exactly the keys description, region, year, reference, values")
        if not isinstance(entry["values"], dict):
            raise ValueError(f"{where}.values' must map a status to {{status: share}}")
        for origin, destinations in entry["values"].items():
            for destination, share in (destinations.items() if isinstance(destinations, dict) else [(None, None)]):
                if origin not in STATUSES or destination not in STATUSES:
                    raise ValueError(f"{where}.values.{origin}': statuses must be among {list(STATUSES)}, "
                                     f"as a mapping {{status: share}}")
                if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
                    raise ValueError(f"{where}.values.{origin}.{destination}': {share!r} is not a share between 0 and 1")
                rows.append({"source": name, "region": entry["region"], "year": entry["year"], "from_status": origin,
                             "to_status": destination, "share": float(share), "reference": "; ".join(entry["reference"])})
    return pd.DataFrame(rows)


def transition_check(table: pd.DataFrame, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """The model's shares (group ``all``, its first simulated year and its mean over all years) beside each published cell."""
    published = published_transitions() if published is None else published
    model = table[table["group"] == "all"]
    if model.empty:
        return pd.DataFrame()
    first_year = model["year"].min()
    mean = model.groupby(["scenario", "from_status", "to_status"])["share"].mean().rename("model_mean_all_years")
    first = model[model["year"] == first_year].set_index(["scenario", "from_status", "to_status"])["share"].rename(
        f"model_{first_year}")
    out = []
    for scenario in model["scenario"].unique():
        rows = published.assign(scenario=scenario)
        on = ["scenario", "from_status", "to_status"]
        rows = rows.join(first, on=on).join(mean, on=on)
        out.append(rows)
    return pd.concat(out, ignore_index=True)


def published_bands(path: Path | None = None) -> pd.DataFrame:
    """The bands the model's flows are held to: from_status, to_status, low, high, description, reference.

    Raises:
        ValueError: naming the file and key, for a band that is not the shape of ``model/params/targets/transitions.yaml``.
    """
    path, entries = _entries(path, "bands", "bands of a flow")
    rows = []
    for name, entry in entries.items():
        where = f"{path}: key 'bands.{name}"
        keys = {"from_status", "to_status", "low", "high", "description", "reference"}
        if not isinstance(entry, dict) or set(entry) != keys:
            raise ValueError(f"{where}' needs exactly the keys {', '.join(sorted(keys))}")
        if entry["from_status"] not in STATUSES or entry["to_status"] not in STATUSES:
            raise ValueError(f"{where}': from_status and to_status must be among {list(STATUSES)}")
        low, high = entry["low"], entry["high"]
        if any(isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1 for v in (low, high)) \
                or low > high:
            raise ValueError(f"{where}': low and high must be shares between 0 and 1, low not above high; "
                             f"got {low!r} and {high!r}")
        rows.append({"flow": name, "from_status": entry["from_status"], "to_status": entry["to_status"],
                     "low": float(low), "high": float(high), "description": " ".join(str(entry["description"]).split()),
                     "reference": "; ".join(entry["reference"])})
    return pd.DataFrame(rows)


def band_check(table: pd.DataFrame, bands: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each scenario's flows (group ``all``: first simulated year, mean over all years) against their bands.

    Returns:
        Columns scenario, flow, from_status, to_status, low, high, model_first_year, model_mean,
        within_band (the mean over all years inside the band), description; empty without transitions.
    """
    bands = published_bands() if bands is None else bands
    model = table[table["group"] == "all"]
    if model.empty:
        return pd.DataFrame()
    first_year = model["year"].min()
    on = ["scenario", "from_status", "to_status"]
    mean = model.groupby(on)["share"].mean().rename("model_mean")
    first = model[model["year"] == first_year].set_index(on)["share"].rename("model_first_year")
    out = []
    for scenario in model["scenario"].unique():
        rows = bands.assign(scenario=scenario).join(first, on=on).join(mean, on=on)
        rows["within_band"] = (rows["model_mean"] >= rows["low"]) & (rows["model_mean"] <= rows["high"])
        out.append(rows[["scenario", "flow", "from_status", "to_status", "low", "high", "model_first_year",
                         "model_mean", "within_band", "description"]])
    return pd.concat(out, ignore_index=True)
