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


def published_transitions(path: Path | None = None) -> pd.DataFrame:
    """The published transition shares: source, region, year, from_status, to_status, share, reference.

    Raises:
        ValueError: naming the file and key, for a file that is not the shape
            of ``model/params/targets/transitions.yaml``.
    """
    path = path or TRANSITIONS_FILE
    raw = parse_yaml(read_text(path, ValueError, "transitions file"), str(path), ValueError)
    entries = raw.get("transitions") if isinstance(raw, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise ValueError(f"{path}: key 'transitions' must map names to published tables")
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
