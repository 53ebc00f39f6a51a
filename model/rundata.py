"""A finished run folder read back: its tables and manifest, for the report, the what-if page and notebooks.

Example:
    >>> import model
    >>> run = model.load_run("outputs/20261204T220324Z-law_2025+herintreders")
    >>> run.comparison.head()
    >>> run.figure("rate_path", lang="nl")

Nothing here runs the model or picks a folder by itself: the caller names the folder.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import labels

PART_RUN = "__"  # in the name of a run added to show a part's share (model/parts.py: NAME__part, NAME__upto_part)
REQUIRED = ("manifest.json", "summary.csv", "comparison.csv", "parameters.csv")


class RunFolderError(ValueError):
    """A folder that is not a finished run folder of ``loopbaan run``."""


@dataclass
class RunData:
    """The tables of one run folder.

    Attributes:
        folder: The run folder.
        manifest: ``manifest.json``.
        summary: ``summary.csv``: each scenario's yearly values (mean, p05, p95 over the runs).
        comparison: ``comparison.csv``: each scenario against its baseline over the horizon.
        differences: ``differences_by_year.csv``: the same, year by year, for the headline metrics
            (empty for a folder written before it existed).
        transitions: ``transitions.csv``: flows between statuses (empty if absent).
        parameters: ``parameters.csv``: every parameter with its source.
        parts: ``parts.csv``: each part's share of a scenario made of parts (empty if none).
    """

    folder: Path | None
    manifest: dict
    summary: pd.DataFrame
    comparison: pd.DataFrame
    differences: pd.DataFrame
    transitions: pd.DataFrame
    parameters: pd.DataFrame
    parts: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def load(cls, folder: str | Path) -> RunData:
        """Read a run folder.

        Raises:
            RunFolderError: naming the folder and the file that is missing or unreadable.
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise RunFolderError(f"{folder}: no such run folder (give a folder written by 'loopbaan run')")
        missing = [name for name in REQUIRED if not (folder / name).is_file()]
        if missing:
            raise RunFolderError(f"{folder}: not a finished run folder of 'loopbaan run': {', '.join(missing)} missing")
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            tables = {name: pd.read_csv(folder / f"{name}.csv") if (folder / f"{name}.csv").is_file() else pd.DataFrame()
                      for name in ("summary", "comparison", "differences_by_year", "transitions", "parameters",
                                   "parts")}
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise RunFolderError(f"{folder}: cannot read the run folder: {exc}") from None
        for key in ("run", "scenarios", "seed", "replications", "persons_simulated", "persons_per_agent"):
            if key not in manifest:
                raise RunFolderError(f"{folder / 'manifest.json'}: key '{key}' missing: not a manifest of 'loopbaan run'")
        return cls(folder, manifest, tables["summary"], tables["comparison"], tables["differences_by_year"],
                   tables["transitions"], tables["parameters"], tables["parts"])

    @classmethod
    def from_results(cls, results, name: str = "in-memory") -> RunData:
        """The tables a run folder would hold, made from :class:`model.Results` in memory (nothing is written).

        The what-if page uses it, so its findings and charts are the report's own.
        """
        from . import comparison, flows

        run = results.run
        first = run.scenarios[0]
        manifest = {"run": name, "scenarios": [s.to_manifest() for s in run.scenarios], "seed": first.settings["seed"],
                    "replications": first.settings["replications"], "parameter_sets": first.settings["parameter_sets"],
                    "persons_simulated": int(run.persons), "persons_per_agent": float(run.weight)}
        from . import parts as parts_module

        plain = lambda frame: frame.astype({c: str for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})  # noqa: E731
        return cls(None, manifest, plain(results.summary), plain(results.comparison(wide=False)),
                   comparison.yearly_differences(run), plain(flows.transition_table(run.yearly)),
                   pd.DataFrame(first.tree.table()),
                   parts_module.decompose(run, run.parts) if run.parts else pd.DataFrame())

    # -- what the run is -------------------------------------------------------------------------
    @property
    def scenario_names(self) -> list[str]:
        """The scenarios asked for, in the run's order.

        The first is the baseline of the others unless they extend another. The runs that a scenario made of
        parts adds to show each part's share are left out (their figures are in ``parts``).
        """
        return [s["name"] for s in self.manifest["scenarios"] if PART_RUN not in s["name"]]

    @property
    def settings(self) -> dict:
        """The run's settings (start, end, scale, seed, replications, parameter sets)."""
        return self.manifest["scenarios"][0]["settings"]

    @property
    def years(self) -> tuple[int, int]:
        """First and last simulated year."""
        return int(self.summary["year"].min()), int(self.summary["year"].max())

    @property
    def runs(self) -> int:
        """Runs per scenario: replications, times the parameter sets if any."""
        return int(self.manifest["replications"]) * max(1, int(self.manifest.get("parameter_sets") or 0))

    def title(self, name: str, lang: str) -> str:
        """A scenario's short name in ``lang`` (the table's for a shipped scenario, else its own title)."""
        own = next((s["title"] for s in self.manifest["scenarios"] if s["name"] == name), name)
        return labels.scenario(name, own, lang)

    def pairs(self) -> list[tuple[str, str]]:
        """Each (scenario, baseline) pair of the comparison, in the run's order (part runs left out)."""
        rows = self.comparison[["scenario", "baseline"]].drop_duplicates()
        return [(s, b) for s, b in rows.itertuples(index=False, name=None) if PART_RUN not in s + b]

    def runs_text(self, lang: str) -> str:
        """'20 replications', or '4 parameter sets x 5 replications', in ``lang``."""
        n, sets = int(self.manifest["replications"]), int(self.manifest.get("parameter_sets") or 0)
        if sets:
            return labels.text("stamp.parameter_sets", lang, sets=sets, n=n)
        return labels.text("stamp.one_replication", lang) if n == 1 else labels.text("stamp.replications", lang, n=n)

    def source_line(self, lang: str) -> str:
        """The source line under every chart: run, scenarios, seed, scale, persons, replications."""
        return labels.text("stamp.line", lang, run=self.manifest["run"], scenarios=", ".join(self.scenario_names),
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
        """A metric by year (rows) and scenario (columns), summed over any extra dimension."""
        rows = self.summary[(self.summary["metric"] == metric) & (self.summary["group"] == group)]
        table = rows.groupby(["year", "scenario"])[column].sum(min_count=1).unstack("scenario")
        return table.reindex(columns=[s for s in self.scenario_names if s in table.columns])

    def item(self, scenario: str, item: str, group: str = "all") -> pd.Series | None:
        """One row of the comparison (value, p05, p95, mean_low, mean_high, noise), or None."""
        rows = self.comparison[(self.comparison["scenario"] == scenario) & (self.comparison["item"] == item)
                               & (self.comparison["group"] == group)]
        return None if rows.empty else rows.iloc[0]

    def figure(self, name: str, lang: str = "en", **options):
        """A chart of the report as a matplotlib ``Figure`` (see :data:`model.figures.FIGURES`)."""
        from . import figures

        return figures.make(self, name, lang, **options)


def yearly_means(summary: pd.DataFrame) -> pd.Series:
    """Each metric's yearly mean over the horizon, indexed by (metric, group, scenario), summed over extra dimensions.

    The charts of a run folder (:mod:`model.charts`) and of the report (:mod:`model.figures`) both read it.
    """
    yearly = summary.groupby(["metric", "group", "scenario", "year"], observed=True)["value"].sum(min_count=1)
    return yearly.groupby(level=["metric", "group", "scenario"], observed=True).mean()


def load_run(folder: str | Path) -> RunData:
    """Read a run folder written by ``loopbaan run`` or :meth:`model.Results.save` (see :class:`RunData`)."""
    return RunData.load(folder)
