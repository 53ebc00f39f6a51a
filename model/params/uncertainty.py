"""Parameter uncertainty: parameter sets drawn from what the parameter files declare.

A run with ``parameter_sets: M`` (``--parameter-sets M``) draws M sets of the
uncertain parameters (the outer loop) and runs ``replications`` replications
of every scenario with each (the inner loop). Two kinds of parameters are drawn:

* every parameter whose YAML entry declares a ``distribution``
  (:class:`model.params.tree.Distribution`): the effects and behaviours no data
  identify over their plausible ``range``, and discrete choices such as the
  reading of the re-entrant definition or the projection of the employment rate;
* the calibrated parameters, jointly, from the normal distribution of their fit
  (values, standard deviations and correlation matrix in the calibrated file,
  ``model/calibrated/behaviour.yaml``), each kept within its fit bounds.

Each parameter is drawn from its own random stream, keyed by its path (the
calibrated ones share one), under the run's root seed: adding an uncertain
parameter changes no other's draws, and set ``k`` is the same however many sets
are drawn. A drawn value replaces the parameter's whole history in every scenario
of the run, except in a scenario that sets the parameter itself (its own choice
is a policy, not an uncertainty): the baseline and the scenario share each set,
so the differences stay paired.

:func:`variance_split` divides the variance of a difference over all runs into
the part between parameter sets and the part within them (Monte Carlo noise);
:func:`assumption_groups` names the group of assumptions of every drawn parameter
(``assumption_groups.yaml``), to which :mod:`model.results.spread` attributes the
part between sets.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from .scenario import Scenario
from .seeds import named_generator
from .tree import Parameter, ParameterError, ParameterTree
from .yamlfile import read_validated

CALIBRATED_STREAM = "parameter_sets:calibrated"
ASSUMPTION_GROUPS_FILE = Path(__file__).with_name("assumption_groups.yaml")


class _AssumptionGroup(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    description: str = Field(min_length=1)
    prefixes: list[str] = Field(min_length=1)


class _AssumptionGroupsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    groups: dict[str, _AssumptionGroup] = Field(min_length=1)


@functools.cache
def _groups_file(path: Path) -> _AssumptionGroupsFile:
    content, _ = read_validated(path, _AssumptionGroupsFile, ParameterError, "file of assumption groups",
                                nested={"groups.": _AssumptionGroup})
    seen: dict[str, str] = {}
    for name, group in content.groups.items():
        for prefix in group.prefixes:
            if prefix in seen:
                raise ParameterError(f"{path}: key 'groups.{name}.prefixes': {prefix!r} is already in group "
                                     f"{seen[prefix]!r}; a prefix belongs to one group")
            seen[prefix] = name
    return content


def assumption_groups(paths: list[str], file: Path = ASSUMPTION_GROUPS_FILE) -> dict[str, str]:
    """The group of assumptions of each drawn parameter: the group of its longest matching prefix.

    Args:
        paths: Parameter paths (:func:`drawn_paths`).
        file: The file of groups (``model/params/assumption_groups.yaml``).

    Returns:
        ``{path: group}``, in the order of ``paths``.

    Raises:
        ParameterError: for a malformed file, or a path that no prefix matches (naming the groups).
    """
    content = _groups_file(Path(file))
    prefixes = sorted(((prefix, name) for name, group in content.groups.items() for prefix in group.prefixes),
                      key=lambda pair: -len(pair[0]))
    out = {}
    for path in paths:
        name = next((name for prefix, name in prefixes if path == prefix or path.startswith(prefix + ".")), None)
        if name is None:
            raise ParameterError(f"{file}: the drawn parameter {path!r} is in no group of assumptions; add a prefix "
                                 f"of it to one of the groups: {', '.join(content.groups)}")
        out[path] = name
    return out


def assumption_group_descriptions(file: Path = ASSUMPTION_GROUPS_FILE) -> dict[str, str]:
    """Each group of assumptions and its description, in the file's order."""
    return {name: group.description for name, group in _groups_file(Path(file)).groups.items()}


def drawn_paths(tree: ParameterTree) -> list[str]:
    """The paths of every parameter a parameter set draws, sorted."""
    paths = {path for path, param in tree.parameters.items() if param.distribution is not None}
    if tree.fitted is not None:
        paths |= {label.split("[")[0] for label in tree.fitted["labels"]}
    return sorted(paths)


def _quantile_value(param: Parameter, u: float) -> Any:
    """The value of quantile ``u`` of a parameter's uniform or triangular distribution."""
    from scipy import stats

    low, high = param.plausible_range
    central = param.values[0]
    # counts stay whole: those declared so, and those whose value is written as a whole number (coaches, hours)
    whole = param.integer or isinstance(central, int) and not isinstance(central, bool)

    def one(mode: float) -> float:
        if high <= low:
            return low
        if param.distribution.kind == "uniform":
            x = low + u * (high - low)
        else:
            x = float(stats.triang.ppf(u, (mode - low) / (high - low), loc=low, scale=high - low))
        return int(round(x)) if whole else round(x, 10)

    if isinstance(central, Mapping):  # each key peaks at its own value; all keys share the quantile
        return {key: one(float(value)) for key, value in central.items()}
    return one(float(central))


def _draw_declared(param: Parameter, n: int, seed: int) -> list[Any]:
    u = named_generator(seed, f"parameter_sets:{param.path}").random(n)
    dist = param.distribution
    if dist.kind == "choice":
        index = np.searchsorted(np.cumsum(dist.weights) / sum(dist.weights), u, side="right")
        return [dist.choices[min(int(i), len(dist.choices) - 1)] for i in index]
    return [_quantile_value(param, float(x)) for x in u]


def _draw_calibrated(tree: ParameterTree, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` draws of the calibrated parameters from the normal of their fit, as {path: value}."""
    fitted = tree.fitted
    mean, sd = np.array(fitted["value"]), np.array(fitted["sd"])
    covariance = np.array(fitted["correlation"]) * np.outer(sd, sd)
    lower = np.linalg.cholesky(covariance + np.eye(len(sd)) * 1e-12 * sd.max() ** 2)
    z = named_generator(seed, CALIBRATED_STREAM).standard_normal((n, len(sd)))
    x = np.clip(mean + z @ lower.T, fitted["lower"], fitted["upper"])
    out = []
    for row in x:
        values: dict[str, Any] = {}
        for label, fitted_value, drawn in zip(fitted["labels"], mean, row):
            path, _, keys = label.partition("[")
            if not keys:
                values[path] = round(float(drawn), 10)
                continue
            # a fitted value of mapping keys: move those keys by the drawn shift (their fitted gaps are kept)
            current = values.setdefault(path, dict(tree[path].values[-1]))
            for key in keys.rstrip("]").split(","):
                current[key] = round(float(current[key]) + float(drawn - fitted_value), 10)
        out.append(values)
    return out


def draw_sets(tree: ParameterTree, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` parameter sets: each a mapping of path to drawn value.

    Args:
        tree: The parameter tree (the law with the calibrated values) whose declared distributions are drawn.
        n: Number of sets.
        seed: The run's root seed.
    """
    sets: list[dict[str, Any]] = [{} for _ in range(n)]
    for path, param in sorted(tree.parameters.items()):
        if param.distribution is not None:
            for values, value in zip(sets, _draw_declared(param, n, seed)):
                values[path] = value
    if tree.fitted is not None:
        for values, drawn in zip(sets, _draw_calibrated(tree, n, seed)):
            values.update(drawn)
    return sets


def with_set(scenario: Scenario, values: Mapping[str, Any], label: str) -> Scenario:
    """The scenario with a parameter set's values, except those it sets itself.

    Args:
        values: ``{path: value}`` (:func:`draw_sets`); each replaces the parameter's whole history.
        label: Names the set in messages (``parameter set 3``).
    """
    overrides = {path: {f"{scenario.tree[path].dates[0].isoformat()}..": value}
                 for path, value in values.items() if path not in scenario.overrides}
    return dataclasses.replace(scenario, tree=scenario.tree.with_overrides(overrides, label))


def sets_table(sets: list[dict[str, Any]]) -> pd.DataFrame:
    """The drawn sets as a long table: parameter_set, parameter, value (JSON text for a mapping or a list)."""
    rows = [(k, path, json.dumps(value) if isinstance(value, (Mapping, list, bool)) else value)
            for k, values in enumerate(sets) for path, value in sorted(values.items())]
    return pd.DataFrame(rows, columns=["parameter_set", "parameter", "value"])


def variance_split(values: np.ndarray, parameter_set: np.ndarray) -> dict[str, float]:
    """The variance of ``values`` over all runs, split into between and within parameter sets.

    The split is the analysis of variance of a balanced design: with ``var``
    the mean squared deviation (``ddof=0``), ``var(all) = var(set means) +
    mean(var within each set)`` exactly. The between part also holds the noise
    of each set's mean (about the within part / (replications - 1)), so
    ``share_parameters`` removes it before dividing.

    Args:
        values: One value per run.
        parameter_set: The parameter set of each run (every set the same number of runs).

    Returns:
        ``var_total``, ``var_parameters`` (between sets), ``var_monte_carlo`` (within sets) and
        ``share_parameters`` (NaN with one replication per set, or no variance at all); all NaN when the sets
        hold unequal numbers of runs (a value some runs do not define).
    """
    values = np.asarray(values, dtype=float)
    frame = pd.DataFrame({"value": values, "set": np.asarray(parameter_set)})
    groups = frame.groupby("set")["value"]
    sizes = groups.size()
    if sizes.nunique() != 1:  # a value some runs lack (a ratio without a gain): no balanced split to make
        return dict.fromkeys(("var_total", "var_parameters", "var_monte_carlo", "share_parameters"), np.nan)
    per_set = int(sizes.iloc[0])
    between = float(np.var(groups.mean().to_numpy()))
    within = float(groups.var(ddof=0).mean())
    total = float(np.var(values))
    share = np.nan
    if per_set > 1 and total > 0:
        share = min(max(between - within / (per_set - 1), 0.0) / total, 1.0)
    return {"var_total": total, "var_parameters": between, "var_monte_carlo": within, "share_parameters": share}
