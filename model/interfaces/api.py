"""The Python API: run scenarios from a script or a notebook, read and save the results.

Example:
    >>> import model
    >>> sim = model.Simulation(["baseline_2020", "herintreders"], scale=0.02, seed=7)
    >>> res = sim.run()
    >>> res.difference("herintreders", baseline="baseline_2020")
    >>> res.plot("employment_rate")
    >>> res.save("outputs/")

The command line (``loopbaan run``) is a thin layer over this module: the same
inputs give the same ``summary.csv``, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..engine.process import Process, check_processes
from ..experiments import sweep
from ..experiments.backends import checked_scheduler, checked_workers
from ..experiments.build import Run, warmup_signature
from ..experiments.progress import Progress
from ..experiments.run import run as run_plan
from ..experiments.warmup_cache import checked_folder, default_folder
from ..mechanisms import default_processes
from ..params.scenario import Scenario, ScenarioError
from ..params.settings import RunSettings
from ..params.tree import ParameterError, ParameterTree
from ..params.yamlfile import excerpt
from ..report.charts import summary as summary_charts
from ..report.charts import sweeps as sweep_charts
from ..results import comparison, parts, run_folder
from ..results.atomic import RunFolder, default_name
from ..results.result import RunResult

ScenarioLike = Scenario | str | Path | dict


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


class _Shown(Progress):
    """A run's progress as a bar (months, time left, runs done) and, if asked, lines of text."""

    def __init__(self, bar, log: Callable[[str], None] | None):
        self.bar, self.log = bar, log

    def line(self, text: str) -> None:
        """Hand the line to the log."""
        if self.log is not None:
            self.log(text)

    def months(self, n: int) -> None:
        """Move the bar."""
        self.bar.update(n)

    def run_done(self, done: int, total: int) -> None:
        """Show the runs done."""
        self.bar.set_postfix_str(f"runs {done}/{total}")


class Simulation:
    """Scenarios run together on one synthetic population with common random numbers.

    Args:
        scenarios: Shipped scenario names (``"baseline_2020"``), paths to
            scenario files, dicts with the keys of a scenario file, or
            :class:`Scenario` objects; one or a list.
        scale: Share of the population simulated, in (0, 1] (default: the scenarios').
        seed: Root seed (default: the scenarios').
        replications: Independent replications (default: the scenarios'); with parameter sets, of each set.
        processes: The processes of a month (default: the model's, :func:`model.mechanisms.default_processes`).
        workers: Replications run at once, each in a process of its own (default 1); the results are
            the same whatever the number (:mod:`model.experiments.backends`). On more than one worker, run the
            script's code under ``if __name__ == "__main__":`` (the workers start a new Python that imports it).
        parameter_sets: Parameter sets drawn from the declared distributions (:mod:`model.params.uncertainty`);
            0 keeps the central values (default: the scenarios').
        projection: The projection of the employment rate after the last published year for every scenario:
            ``"outlook"`` (the default of the parameter files), ``"trend"`` or ``"frozen"``
            (``labour_market.projection.mode``); None keeps the scenarios'.

    Attributes:
        plan: What runs (:class:`model.experiments.build.Run`): the scenarios, the run's settings, the processes.

    Raises:
        ScenarioError: for any problem with a scenario, or scenarios that cannot share a run,
            before anything runs.
    """

    def __init__(self, scenarios: ScenarioLike | Iterable[ScenarioLike], scale: float | None = None,
                 seed: int | None = None, replications: int | None = None,
                 processes: list[Process] | None = None, workers: int = 1, parameter_sets: int | None = None,
                 projection: str | None = None):
        if isinstance(scenarios, (str, Path, dict, Scenario)):
            items = [scenarios]
        elif isinstance(scenarios, Iterable):
            items = list(scenarios)
        else:
            raise ScenarioError(f"scenarios: give a scenario (a shipped name, a path, a dict) or a list of them; "
                                f"got {scenarios!r}")
        try:
            law = ParameterTree.load()
        except ParameterError as exc:
            raise ScenarioError(str(exc)) from None
        self.processes = list(processes) if processes is not None else None
        if self.processes is not None:
            check_processes(self.processes, set(law.parameters))
        # (a partial, not a lambda: worker processes receive it)
        factory = functools.partial(list, self.processes) if self.processes is not None else default_processes
        self.plan = Run.of(items, law, factory, projection=projection, scale=scale, seed=seed,
                           replications=replications, parameter_sets=parameter_sets)
        for scenario in self.plan.scenarios:
            for message in scenario.warnings:
                warnings.warn(message, UserWarning, stacklevel=2)
        self.workers = checked_workers(workers)

    @property
    def scenarios(self) -> list[Scenario]:
        """The scenarios: those given, then the runs a scenario made of parts adds."""
        return self.plan.scenarios

    @property
    def settings(self) -> RunSettings:
        """The run's settings."""
        return self.plan.settings

    def __repr__(self) -> str:
        st = self.settings
        return (f"Simulation({[s.name for s in self.scenarios]}, {st.start} to {st.end}, scale {st.scale:g}, "
                f"seed {st.seed}, {st.replications} replication(s)"
                + (f" of each of {st.parameter_sets} parameter sets)" if st.parameter_sets else ")"))

    def months_to_simulate(self) -> int:
        """Months the run simulates in all (shared warm-ups counted once), for progress bars."""
        st = self.settings
        warmups = {warmup_signature(s, st): st.warmup_months for s in self.scenarios}
        return (sum(warmups.values()) + st.n_months * len(self.scenarios)) * st.runs

    def run(self, progress: bool = True, log: Callable[[str], None] | None = None,
            cache: bool | str | Path = True, workers: int | None = None, scheduler: str | None = None) -> Results:
        """Simulate every scenario and replication.

        Args:
            progress: Show a progress bar (in a terminal or in Jupyter).
            log: Receives a line of text at each stage (replications, timings).
            cache: Read and write warmed-up states in the cache (:mod:`model.experiments.warmup_cache`): True for
                the default folder (``outputs/cache``, or ``$LOOPBAAN_CACHE``; ``off`` there switches it
                off), a folder, or False for none. It never changes a result. A simulation with
                processes of its own (``processes=``) never uses it: their code is not in the key.
            workers: Replications run at once (default: the simulation's ``workers``).
            scheduler: The address of an existing Dask scheduler (``tcp://HOST:PORT``) to run the replications on
                (its workers need this package); the results are the same.
        """
        checked_scheduler(scheduler)
        workers = self.workers if workers is None else checked_workers(workers)
        if not isinstance(cache, (bool, str, Path)):
            raise ScenarioError(f"cache: give True, False or a folder, got {cache!r}")
        folder = default_folder() if cache is True else None if cache is False else Path(cache)
        if self.processes is not None:  # their code lives outside the package, so the cache key cannot cover it
            folder = None
        if folder is not None:
            try:
                folder = checked_folder(folder, "$LOOPBAAN_CACHE" if cache is True else "cache")
            except ValueError as exc:
                raise ScenarioError(str(exc)) from None
        try:  # a widget in Jupyter needs ipywidgets; otherwise the text bar, which works there too
            import ipywidgets  # noqa: F401
            from tqdm.auto import tqdm
        except ImportError:
            from tqdm.std import tqdm
        show = progress and (_in_notebook() or sys.stderr.isatty())
        with tqdm(total=self.months_to_simulate(), unit="month", desc="loopbaansim", disable=not show,
                  postfix=f"runs 0/{self.settings.runs}") as bar:  # months done and time left, and whole runs done
            result = run_plan(self.plan, _Shown(bar, log), folder, workers, scheduler)
        if log is None:  # (with a log, the run has shown them as lines)
            for note in result.cache.get("notes", []):
                warnings.warn(note, UserWarning, stacklevel=2)
        return Results(result)


@dataclass
class Results:
    """What a :class:`Simulation` produced.

    Attributes:
        run: The run's result (tables, settings, counters, timings, population fit).
        folder: The run folder, once saved.
    """

    run: RunResult
    folder: Path | None = field(default=None)

    # -- tables ------------------------------------------------------------
    @property
    def scenarios(self) -> list[Scenario]:
        """The scenarios, in the order given."""
        return self.run.scenarios

    @property
    def summary(self) -> pd.DataFrame:
        """Yearly results: exactly the rows of ``summary.csv``."""
        return self.run.summary

    @property
    def timeseries(self) -> pd.DataFrame:
        """Monthly counters: exactly ``timeseries.parquet``."""
        return self.run.monthly

    @property
    def population_fit(self) -> pd.DataFrame:
        """Every target of the synthetic population against the model: ``population_fit.csv``."""
        return self.run.fit

    @property
    def yearly(self) -> pd.DataFrame:
        """Yearly results per replication (the summary before averaging)."""
        return self.run.yearly

    def take_up(self) -> pd.DataFrame:
        """Cheque-1 users per eligible person-year, of re-entrants out of work and of workers (``take_up.csv``)."""
        from ..results.take_up import take_up_table

        return take_up_table(self.run)

    def spread(self) -> pd.DataFrame:
        """With parameter sets: the share of each headline's spread by group of assumptions (``spread.csv``).

        Empty for a run without parameter sets (see :mod:`model.results.spread`).
        """
        from ..results.spread import spread_table

        return spread_table(self.run)

    def comparison(self, wide: bool = True, baseline: str | None = None) -> pd.DataFrame:
        """What each scenario changes against its baseline (see :mod:`model.results.comparison`).

        Args:
            wide: One row per scenario and baseline, group ``all``, the means
                (what ``loopbaan run`` prints); ``False`` gives every item, group,
                p05 and p95 (``comparison.csv``).
            baseline: Compare every other scenario of the run with this one (default: each scenario with the
                nearest scenario it extends that runs with it, else the first).

        Raises:
            ScenarioError: for a baseline that is not a scenario of this run.
        """
        pairs = None
        if baseline is not None:
            names = [s.name for s in self.scenarios]
            if baseline not in names:
                raise ScenarioError(f"baseline {excerpt(baseline)} is not a scenario of this run; scenarios: "
                                    f"{', '.join(names)}")
            pairs = [(name, baseline) for name in names if name != baseline]
        compared = comparison.compare(self.run, pairs)
        return comparison.table(compared) if wide else compared

    def parts(self) -> pd.DataFrame:
        """Each part's share of every scenario made of parts (``resolution_full``): see :mod:`model.results.parts`."""
        return parts.decompose(self.run, self.run.parts)

    def levels(self) -> pd.DataFrame:
        """Each scenario's own levels (eligible, starts, cost, users back to work, employment rate)."""
        return comparison.levels(self.run)

    def difference(self, scenario: str, baseline: str | None = None, per_replication: bool = False) -> pd.DataFrame:
        """The paired difference ``scenario - baseline`` per year, metric and group.

        Both scenarios ran on the same people with the same random draws, so
        the difference is the effect of the rules, not sampling noise between
        two populations. It is taken per replication, then summarised.

        Args:
            scenario: Name of the scenario.
            baseline: Name of the baseline (default: the first scenario).
            per_replication: Return one row per replication instead of the summary.

        Returns:
            Columns scenario, baseline, year, metric, group (extra dimensions),
            value (mean over replications), p05, p95; or replication and value.

        Raises:
            ScenarioError: for a name that is not a scenario of this run.
        """
        names = [s.name for s in self.scenarios]
        baseline = baseline or names[0]
        for key, name in (("scenario", scenario), ("baseline", baseline)):
            if name not in names:
                raise ScenarioError(f"{key} '{name}' is not a scenario of this run; scenarios: {names}")
        keys = ["replication", "year", "metric", "group", *self.run.dims]
        yearly = self.run.yearly
        a = yearly[yearly["scenario"] == scenario].set_index(keys)["value"]
        b = yearly[yearly["scenario"] == baseline].set_index(keys)["value"]
        diff = (a - b).rename("value").reset_index()
        diff.insert(0, "baseline", baseline)
        diff.insert(0, "scenario", scenario)
        if per_replication:
            return diff
        grouped = diff.groupby(["scenario", "baseline", *keys[1:]], dropna=False, sort=True)["value"]
        out = grouped.mean().to_frame()
        out["p05"] = grouped.quantile(0.05)
        out["p95"] = grouped.quantile(0.95)
        return out.reset_index()

    # -- charts --------------------------------------------------------------
    @property
    def charts(self) -> list[str]:
        """Names of the charts :meth:`plot` draws: every chart of a run folder, 'difference', and the report's."""
        from ..report.charts import figures

        return [*summary_charts.CHARTS, "difference", *figures.FIGURES]

    def plot(self, name: str, **options: Any):
        """A chart as a matplotlib ``Figure`` (nothing is written).

        Args:
            name: A chart of the report (``funnel``, ``reach``, ``budget``, ``capacity``, ``flows``, ``rate_path``,
                ``extra_work``, ``sensitivity``, ``calibration``; option ``lang="nl"`` or ``"en"``), a chart
                of the run folder (``eligible_and_users``, ``cheque_starts``,
                ``government_cost``, ``employment_rate``, ``centres``, or their file
                names without extension, e.g. ``career_centres``), or
                ``difference`` with options ``scenario``, ``baseline``, ``metric``
                (default ``employed``) and ``groups`` (default ``("all",)``).

        Raises:
            ValueError: for an unknown chart name or option.
        """
        from ..report import labels, style
        from ..report.charts import figures

        def language() -> str:
            lang = options.get("lang", "en")
            if lang not in labels.LANGUAGES:
                raise ValueError(f"plot({name!r}): lang={lang!r} is not a language of the charts; allowed: "
                                 f"{', '.join(labels.LANGUAGES)}")
            return lang

        if name in figures.FIGURES:  # the report's charts, in Dutch or English
            unknown = set(options) - {"lang", "scenario", "scenarios", "backcast"}
            if unknown:
                raise ValueError(f"plot({name!r}) takes lang= and the chart's own options; got {sorted(unknown)}")
            lang = options.pop("lang", "en")
            return self.data().figure(name, lang, **options)
        if name == "difference":
            allowed = {"scenario", "baseline", "metric", "groups", "title", "lang"}
            unknown = set(options) - allowed
            if unknown or "scenario" not in options:
                raise ValueError(f"plot('difference') takes scenario= (required), baseline=, metric=, groups=, title=, "
                                 f"lang=; got {sorted(options)}")
            lang = language()
            table = self.difference(options["scenario"], options.get("baseline"))
            with style.styled():
                chart = summary_charts.difference(table, options.get("metric", "employed"),
                                                  tuple(options.get("groups", ("all",))), options.get("title"), lang)
            return summary_charts.stamp(chart, self.data(), lang)
        if set(options) - {"lang"}:
            raise ValueError(f"plot({name!r}) takes lang= only; got {sorted(options)}")
        return summary_charts.make(self.data(), name, language())

    # -- writing -------------------------------------------------------------
    def save(self, out: Path | str = "outputs", name: str | None = None, command: list[str] | None = None,
             folder: RunFolder | None = None, lang: str = "en") -> Path:
        """Write the run folder the CLI writes (tables, charts, manifest); return its path.

        Args:
            out: Folder in which the run folder is created.
            name: Name of the run folder (default: the scenario names joined by '+').
            command: Command recorded in the manifest (default: this call).
            folder: A :class:`model.results.atomic.RunFolder` reserved before the run (the CLI reserves one).
            lang: The language of the folder's charts: ``en`` (``charts/name.png``) or ``nl``
                (``charts/name.nl.png``).

        Raises:
            OutputError: when the folder cannot be created or written (nothing is kept then).
            ScenarioError: for a language the charts do not have (before anything is written).
        """
        from ..report import labels

        if lang not in labels.LANGUAGES:
            raise ScenarioError(f"save: lang={lang!r} is not a language of the charts; allowed: "
                                f"{', '.join(labels.LANGUAGES)}")
        name = name or default_name([s.name for s in self.scenarios])
        command = command or ["python", "model.Simulation(...).run().save()", f"out={out}", f"name={name}"]
        self.folder = run_folder.write(self.run, folder or Path(out), name, command,
                                       charts=summary_charts.drawer(lang))
        return self.folder

    def report(self, lang: str = "nl", backcast: str | Path | None = None, out: Path | str = "outputs",
               uncertainty: str | Path | None = None) -> Path:
        """Write the report into the run folder (saving the run first if it has no folder); return its path.

        The same as ``loopbaan report FOLDER --lang LANG``: ``report.html`` in Dutch,
        ``report.en.html`` in English (see :mod:`model.report.render`).

        Args:
            lang: ``nl`` or ``en``.
            backcast: A run folder of ``loopbaan backcast`` for the out-of-sample validation (optional).
            out: Where the run folder is made when the results were not saved yet.
            uncertainty: A run folder with parameter sets, for what would sharpen each headline (optional).

        Raises:
            ReportError: for a bad language, back-cast or uncertainty folder, or a notebook that fails (nothing is
                written).
        """
        from ..report.labels import LabelError, check_language
        from ..report.render import ReportError, write_report

        try:
            check_language(lang)
        except LabelError as exc:
            raise ReportError(str(exc)) from None
        folder = self.folder or self.save(out)
        return write_report(folder, lang, backcast, uncertainty=uncertainty)

    def data(self):
        """The results as the report reads them (:class:`model.report.loaded.RunData`), without writing anything."""
        from ..report.loaded import RunData

        return RunData.from_result(self.run, name=self.folder.name if self.folder else "in-memory")


class Sweep(sweep.Sweep):
    """A sweep (:class:`model.experiments.sweep.Sweep`) whose charts are drawn once it is complete.

    ``model.Sweep(FILE).run()`` runs the points not done yet; once every point
    is done it writes the tables and draws the charts (``morris.png``, ...):
    :mod:`model.report.charts.sweeps`.
    """

    def run(self, *args, **kwargs) -> sweep.SweepResult:
        """Run the points not yet done (:meth:`model.experiments.sweep.Sweep.run`), then draw the charts of a complete sweep."""
        result = super().run(*args, **kwargs)
        try:
            sweep_charts.write(result)
        except OSError as exc:
            raise sweep.SweepError(f"{result.folder}: the sweep's charts cannot be written ({exc.strerror or exc}); "
                                   f"its points and tables are kept: run the same command again") from None
        return result


@dataclass(frozen=True)
class ParameterValue:
    """A parameter with its source: the value on a date, or every dated value.

    Attributes:
        path: Dotted path of the parameter.
        value: The value in force on ``date`` (None when no date was asked).
        unit: Unit of the values.
        reference: Sources (entries of ``docs/sources.md`` or publications).
        description: What the parameter means.
        assumption: True when the values are assumptions rather than data.
        date: The date asked for, if any.
        values: Every dated value, ``{date: value}``.
    """

    path: str
    value: Any
    unit: str
    reference: tuple[str, ...]
    description: str
    assumption: bool
    date: dt.date | None
    values: dict[dt.date, Any]

    def __str__(self) -> str:
        shown = f"{self.value!r} on {self.date}" if self.date else \
            "; ".join(f"from {d}: {v!r}" for d, v in self.values.items())
        flag = " [assumption]" if self.assumption else ""
        return f"{self.path} ({self.unit}){flag}: {shown}\n  {self.description}\n  source: {'; '.join(self.reference)}"
def parameters(path: str = "", date: str | dt.date | None = None,
               scenario: ScenarioLike | None = None) -> ParameterValue | pd.DataFrame:
    """A parameter's value, unit and reference; or a table of every parameter under a prefix.

    Args:
        path: A parameter's full path (``"cheque.cheques.user_price"``), or a
            prefix (``"cheque."``, or ``""`` for all) for a table.
        date: The date of the value (``"2026-01-01"``); default: every dated value.
        scenario: Take the values of this scenario (default: the law with the calibrated values).

    Raises:
        ParameterError: for an unknown path or a bad date.
        ScenarioError: for a bad scenario.
    """
    if not isinstance(path, str):
        raise ParameterError(f"path: give a parameter's path or a prefix as text, got {path!r}")
    tree = Scenario.resolve(scenario).tree if scenario is not None else ParameterTree.load()
    when = None
    if date is not None:
        if isinstance(date, dt.datetime):
            when = date.date()
        elif isinstance(date, dt.date):
            when = date
        else:
            try:
                when = dt.date.fromisoformat(str(date))
            except ValueError:
                raise ParameterError(f"date: {date!r} is not a date; write YYYY-MM-DD") from None
    if path in tree:
        p = tree[path]
        return ParameterValue(path, p.at(when) if when else None, p.unit, p.reference, p.description, p.assumption,
                              when, dict(zip(p.dates, p.values)))
    paths = [q for q in sorted(tree.parameters) if q.startswith(path)]
    if not paths:
        tree[path]  # raises with the closest names
    rows = []
    for q in paths:
        p = tree[q]
        info = {"unit": p.unit, "assumption": p.assumption, "reference": "; ".join(p.reference), "description": p.description}
        if when:
            rows.append({"path": q, "date": when.isoformat(), "value": p.at(when) if p.dates[0] <= when else None, **info})
        else:
            rows += [{"path": q, "from": d.isoformat(), "value": v, **info} for d, v in zip(p.dates, p.values)]
    return pd.DataFrame(rows)


