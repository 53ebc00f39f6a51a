"""A run as the report reads it: its tables and manifest, from a run folder or from a run in memory.

The tables are those of the run folder's one schema (:mod:`model.results.run_folder`):
:meth:`RunTables.load` reads a folder with it, :meth:`RunTables.from_result` takes the
same tables of a run in memory (the what-if page, the run folder's own charts),
so both give the same findings and charts. Nothing here runs the model or picks
a folder by itself: the caller names the folder. The findings, tables and charts
of the report read a :class:`RunTables`; what users get from ``model.load_run``
is :class:`model.report.loaded.RunData`, the same tables with the report's charts.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from ..engine.counters import EMPLOYMENT_RATE, Counter, metric_of, with_role
from ..engine.process import all_counters
from ..mechanisms import default_processes
from ..params.scenario import PROJECTION
from ..results import run_folder
from ..results.result import RunResult
from ..results.run_folder import RunFolderError
from . import labels

__all__ = ["RunFolderError", "RunTables", "yearly_means"]
SHORT_NAME = 60  # a run name longer than this is shortened in source lines (RunTables.short_name)
MANY_SCENARIOS = 5  # a source line names at most this many scenarios, else their number
PART_RUN = "__"  # in the names of the part runs of a folder written before the manifest listed them


@dataclass
class RunTables:
    """The tables of one run.

    Attributes:
        folder: The run folder (None for a run in memory).
        manifest: ``manifest.json``.
        summary: ``summary.csv``: each scenario's yearly values (mean, p05, p95 over the runs).
        comparison: ``comparison.csv``: each scenario against its baseline over the horizon.
        differences: ``differences_by_year.csv``: the same, year by year, for the headline metrics
            (empty for a folder written before it existed).
        transitions: ``transitions.csv``: flows between statuses (empty if absent).
        parameters: ``parameters.csv``: every parameter with its source.
        parts: ``parts.csv``: each part's share of a scenario made of parts (empty if none).
        margins: ``margins.csv``: each raked group's employment rate against its table's (empty if absent).
        flow_bands: ``flow_bands.csv``: the flows against their published bands (empty if absent).
        take_up: ``take_up.csv``: users per eligible person-year, re-entrants and workers (empty if absent).
        spread: ``spread.csv``: with parameter sets, each headline's spread by group of assumptions (empty if absent).
    """

    folder: Path | None
    manifest: dict
    summary: pd.DataFrame
    comparison: pd.DataFrame
    differences: pd.DataFrame
    transitions: pd.DataFrame
    parameters: pd.DataFrame
    parts: pd.DataFrame = field(default_factory=pd.DataFrame)
    margins: pd.DataFrame = field(default_factory=pd.DataFrame)
    flow_bands: pd.DataFrame = field(default_factory=pd.DataFrame)
    take_up: pd.DataFrame = field(default_factory=pd.DataFrame)
    spread: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def of(cls, manifest: dict, tables: dict[str, pd.DataFrame], folder: Path | None = None) -> RunTables:
        """A run from its manifest and its tables (by file name, with or without ``.csv``)."""
        def table(name: str) -> pd.DataFrame:
            frame = tables.get(f"{name}.csv", tables.get(name))
            if frame is None:
                return pd.DataFrame()
            text = {c: str for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)}
            return frame.astype(text) if text else frame  # as a folder reads them: text, not categories

        return cls(folder, manifest, table("summary"), table("comparison"), table("differences_by_year"),
                   table("transitions"), table("parameters"), table("parts"), table("margins"),
                   table("flow_bands"), table("take_up"), table("spread"))

    @classmethod
    def load(cls, folder: str | Path) -> RunTables:
        """Read a run folder.

        Raises:
            RunFolderError: naming the folder and the file that is missing or unreadable.
        """
        manifest, tables = run_folder.read(folder)
        return cls.of(manifest, tables, Path(folder))

    @classmethod
    def from_result(cls, result: RunResult, name: str = "in-memory") -> RunTables:
        """The tables a run folder would hold, made from a run in memory (nothing is written)."""
        return cls.of(run_folder.manifest(result, name), run_folder.tables(result))

    # -- what the run is -------------------------------------------------------------------------
    @property
    def scenario_names(self) -> list[str]:
        """The scenarios asked for, in the run's order.

        The first is the baseline of the others unless they extend another. The runs that a scenario made of
        parts adds to show each part's share are left out (their figures are in ``parts``).
        """
        names = [s["name"] for s in self.manifest["scenarios"]]
        added = self.manifest.get("part_runs")
        return [n for n in names if n not in added] if added is not None else [n for n in names if PART_RUN not in n]

    @property
    def settings(self) -> dict:
        """The run's settings (start, end, scale, seed, replications, parameter sets, warm-up)."""
        return self.manifest.get("settings") or self.manifest["scenarios"][0]["settings"]  # (older folders)

    @property
    def years(self) -> tuple[int, int]:
        """First and last simulated year."""
        return int(self.summary["year"].min()), int(self.summary["year"].max())

    @property
    def runs(self) -> int:
        """Runs per scenario: replications, times the parameter sets if any."""
        return int(self.manifest["replications"]) * max(1, int(self.manifest.get("parameter_sets") or 0))

    @functools.cached_property
    def counters(self) -> list[Counter]:
        """The counters of the run, with their roles (from the manifest; for an older folder, the model's own)."""
        declared = self.manifest.get("metrics")
        if declared is None:
            return all_counters(default_processes())
        return [Counter(name, d["kind"], d["unit"], d["description"], by_group=d.get("by_group", True),
                        role=d.get("role", ""), item=d.get("item", ""), rank=d.get("rank", 0))
                for name, d in declared.items()]

    def metric(self, role: str) -> str:
        """The metric with ``role`` (:data:`model.engine.counters.ROLES`); ``rate`` gives the employment rate."""
        return EMPLOYMENT_RATE if role == "rate" else metric_of(self.counters, role)

    def costs(self) -> list[str]:
        """The metrics of the public costs, in their order."""
        return [c.name for c in with_role(self.counters, "cost")]

    def title(self, name: str, lang: str) -> str:
        """A scenario's short name in ``lang`` (the table's for a shipped scenario, else its own title)."""
        own = next((s["title"] for s in self.manifest["scenarios"] if s["name"] == name), name)
        return labels.scenario(name, own, lang)

    @property
    def projection(self) -> str:
        """The projection of the employment rate the run's baseline used (``labour_market.projection.mode``)."""
        first = self.manifest["scenarios"][0]
        chosen = (first.get("overrides") or {}).get(PROJECTION)
        if chosen:
            return str(list(chosen.values())[-1])
        rows = self.parameters[self.parameters["path"] == PROJECTION] if not self.parameters.empty else []
        # parameters.csv holds each value as YAML text ("outlook" with its quotes)
        return str(yaml.safe_load(str(rows.iloc[-1]["value"]))) if len(rows) else "trend"  # (a folder from before the outlook)

    def pairs(self) -> list[tuple[str, str]]:
        """Each (scenario, baseline) pair of the comparison, in the run's order (part runs left out)."""
        shown = set(self.scenario_names)
        rows = self.comparison[["scenario", "baseline"]].drop_duplicates()
        return [(s, b) for s, b in rows.itertuples(index=False, name=None) if s in shown and b in shown]

    def pair_shared_with(self, others: list[RunTables]) -> tuple[str, str] | None:
        """The pair the report sets side by side under other projections: the last of :meth:`pairs` every other run holds.

        ``make run`` runs all the resolution's scenarios, and the whole resolution against the law under the
        other projections: the pair shown is then ``resolution_full`` vs ``law_2025``. Without ``others``, the
        last pair; None when no pair is held by all.
        """
        shared = [pair for pair in self.pairs() if all(pair in other.pairs() for other in others)]
        return shared[-1] if shared else None

    def runs_text(self, lang: str) -> str:
        """'20 replications', or '4 parameter sets x 5 replications', in ``lang``."""
        n, sets = int(self.manifest["replications"]), int(self.manifest.get("parameter_sets") or 0)
        if sets:
            return labels.text("stamp.parameter_sets", lang, sets=sets, n=n)
        return labels.text("stamp.one_replication", lang) if n == 1 else labels.text("stamp.replications", lang, n=n)

    @property
    def short_name(self) -> str:
        """The run's name short enough for a source line: its time stamp and digest when the name is long.

        A run of many scenarios is named after all of them (up to about 240 characters); its time stamp and the
        digest that ends a long name identify it as well (``20261207T011127Z…0b0d6b4f``).
        """
        name = str(self.manifest["run"])
        if len(name) <= SHORT_NAME:
            return name
        stamp, tail = name.split("-", 1)[0], name.rsplit("-", 1)[-1]
        return f"{stamp}…{tail}" if re.fullmatch(r"[0-9a-f]{8}", tail) else f"{stamp}…"

    def source_line(self, lang: str) -> str:
        """The source line under every chart: run, scenarios, seed, scale, persons, replications."""
        names = self.scenario_names
        scenarios = (", ".join(names) if len(names) <= MANY_SCENARIOS
                     else labels.text("stamp.scenarios_many", lang, n=len(names)))
        return labels.text("stamp.line", lang, run=self.short_name, scenarios=scenarios,
                           seed=self.manifest["seed"], scale=labels.significant(self.settings["scale"], lang),
                           persons=labels.number(self.manifest["persons_simulated"], lang), runs=self.runs_text(lang))

    # -- values ----------------------------------------------------------------------------------
    @functools.cached_property
    def _yearly_means(self) -> pd.Series:
        """Every metric's yearly mean over the horizon by (metric, group, scenario), made once for the run."""
        return yearly_means(self.summary)

    def yearly_mean(self, metric: str, scenario: str, group: str = "all") -> float:
        """A metric's yearly mean over the horizon (summed over any extra dimension; nan when absent)."""
        return float(self._yearly_means.get((metric, group, scenario), float("nan")))

    def series(self, metric: str, group: str = "all", column: str = "value") -> pd.DataFrame:
        """A metric by year (rows) and scenario (columns), summed over any extra dimension.

        ``column`` is ``value``, ``p05`` or ``p95``; a run of one replication has no band, and its band is its value
        (as in ``comparison.csv``), so a chart draws none.
        """
        if column not in self.summary.columns and column in ("p05", "p95") and self.runs == 1:
            column = "value"
        rows = self.summary[(self.summary["metric"] == metric) & (self.summary["group"] == group)]
        table = rows.groupby(["year", "scenario"])[column].sum(min_count=1).unstack("scenario")
        return table.reindex(columns=[s for s in self.scenario_names if s in table.columns])

    def item(self, scenario: str, item: str, group: str = "all") -> pd.Series | None:
        """One row of the comparison (value, p05, p95, mean_low, mean_high, noise), or None."""
        rows = self.comparison[(self.comparison["scenario"] == scenario) & (self.comparison["item"] == item)
                               & (self.comparison["group"] == group)]
        return None if rows.empty else rows.iloc[0]


def yearly_means(summary: pd.DataFrame) -> pd.Series:
    """Each metric's yearly mean over the horizon, indexed by (metric, group, scenario), summed over extra dimensions."""
    yearly = summary.groupby(["metric", "group", "scenario", "year"], observed=True)["value"].sum(min_count=1)
    return yearly.groupby(level=["metric", "group", "scenario"], observed=True).mean()
