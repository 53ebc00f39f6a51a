"""Year-on-year transitions between labour statuses, and the published figures to set beside them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .yamlfile import parse_yaml, read_text

TRANSITIONS_FILE = Path(__file__).parent / "targets" / "transitions.yaml"


def transition_table(yearly: pd.DataFrame) -> pd.DataFrame:
    """Shares of the origin status, January to January, per scenario, year and group.

    Args:
        yearly: Yearly values per replication (``RunResult.yearly``), with the
            ``transitions`` counter's ``from_status`` and ``to_status`` columns.

    Returns:
        Columns scenario, year, group, from_status, to_status, persons (mean
        over replications), share (of the people of ``from_status`` present in
        both Januaries; each origin's shares add up to one).
    """
    t = yearly[yearly["metric"] == "transitions"]
    keys = ["scenario", "year", "group", "from_status", "to_status"]
    persons = t.groupby(keys, sort=False)["value"].mean().rename("persons").reset_index()
    origin = persons.groupby(["scenario", "year", "group", "from_status"], sort=False)["persons"].transform("sum")
    persons["share"] = (persons["persons"] / origin.where(origin > 0)).astype(float)
    return persons


def published_transitions(path: Path = TRANSITIONS_FILE) -> pd.DataFrame:
    """The published transition shares: source, region, year, from_status, to_status, share, reference."""
    raw = parse_yaml(read_text(path, ValueError, "transitions file"), str(path), ValueError)
    rows = []
    for name, entry in raw["transitions"].items():
        for origin, destinations in entry["values"].items():
            for destination, share in destinations.items():
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
