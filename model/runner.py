"""Running a set of scenarios.

One population and one set of random streams per replication, shared by
every scenario (common random numbers).
"""

from __future__ import annotations

import gc
import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import codes, metrics, uncertainty
from .cache import StateCache, entry_key
from .model import LoopbaanModel
from .population import Population
from .process import Process, all_counters, describe, dimension_names
from .processes import default_processes
from .randomness import Streams
from .scenario import Scenario, check_compatible
from .state import SimulationState
from .synthesis import draw_people, fit_report
from .tables import TableCache

CAPACITY_SLACK = 0.01  # spare rows beyond the largest published size in the horizon
# Replications whose monthly values are kept (timeseries.parquet); every replication's yearly values are
# kept. A month of one scenario is some 2,500 rows: a hundred replications of six scenarios would not fit.
MONTHLY_REPLICATIONS = 5


@dataclass
class RunResult:
    """Everything a run produced, before it is written.

    Attributes:
        scenarios: The scenarios, in the order given.
        monthly: Long table: scenario, replication, month, metric, group, (extra dimensions,) value.
        summary: Yearly tidy table: scenario, year, metric, group, value (p05, p95
            when there are several replications).
        fit: Population fit report of each replication.
        timings: Seconds spent per phase.
        capped: Hazards capped at their ceiling (should be 0).
        persons: Simulated persons at the start.
        weight: Persons represented by one simulated person.
        yearly: Yearly values per replication (scenario, replication, year, metric, group, value).
        units: Unit of each metric.
        dims: Names of the extra counter dimensions (columns of the tables).
        processes: What each process of the month declares, in order (for the manifest).
        hazard_bounds: Every cell where a labour hazard had to be bounded, per set of margins used.
        parts: For each scenario made of parts, the runs that show each part's share
            (:func:`model.parts.expand`).
        cache: The cache folder used and the keys of the warmed-up states read from it and written to it.
        parameter_sets: With parameter sets (:mod:`model.uncertainty`), the drawn values
            (:func:`model.uncertainty.sets_table`); None without.
        replications_per_set: Replications of each parameter set: run ``r`` (the
            ``replication`` column) belongs to set ``r // replications_per_set``.
    """

    scenarios: list[Scenario]
    monthly: pd.DataFrame
    summary: pd.DataFrame
    fit: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    capped: int = 0
    persons: int = 0
    weight: float = 1.0
    yearly: pd.DataFrame | None = None
    units: dict[str, str] = field(default_factory=dict)
    dims: tuple[str, ...] = ()
    processes: list[dict] = field(default_factory=list)
    hazard_bounds: pd.DataFrame | None = None
    parts: dict[str, dict] = field(default_factory=dict)
    cache: dict = field(default_factory=dict)
    parameter_sets: pd.DataFrame | None = None
    replications_per_set: int = 1

    def parameter_set_of(self, replication):
        """The parameter set of a run (its replication number, or an array of them)."""
        return replication // self.replications_per_set


def population_rows(scenario: Scenario, others: list[Scenario] = ()) -> tuple[int, int, float]:
    """Simulated persons at the scenario's first month, spare rows, and the weight of one simulated person.

    Spare rows are added for the largest published size any of the scenarios
    (``scenario`` and ``others``) reaches over the horizon.
    """
    tree, scale = scenario.tree, scenario.settings["scale"]
    first = scenario.first_month
    p = tree.at(codes.month_date(first))
    n = max(int(round(p["population.size_20_64"] * scale)), 1)
    weight = p["population.size_20_64"] / n
    largest = max(
        s.tree.at(codes.month_date(m))["population.size_20_64"]
        for s in [scenario, *others] for m in [*range(first, s.end_month + 1, 12), s.end_month]
    )
    spare = int(np.ceil(largest / weight * (1 + CAPACITY_SLACK))) - n + 100
    return n, spare, weight


def build_population(scenario: Scenario, streams: Streams, tables: TableCache,
                     others: list[Scenario] = ()) -> tuple[Population, float, pd.DataFrame]:
    """Synthesise the population at the scenario's first month (with the spare rows of :func:`population_rows`).

    Returns:
        The population (with spare rows for later growth), the weight of one
        simulated person and the fit report.
    """
    first = scenario.first_month
    p = scenario.tree.at(codes.month_date(first))
    table, _ = tables.get(p)
    n, spare, weight = population_rows(scenario, others)
    people = draw_people(table, n, first, p, streams.generator("synthesis", first))
    report = fit_report(table, people, first, p, weight)
    people.grow(spare)
    return people, weight, report


def warmup_signature(scenario: Scenario) -> str:
    """Digest of the parameters in force over the warm-up months.

    Scenarios with the same signature have the same warm-up, which is then
    simulated once and shared.
    """
    months = range(scenario.first_month, scenario.start_month)
    payload = [dict(scenario.tree.at(codes.month_date(m))) for m in months]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _yearly_parameters(scenarios: list[Scenario]) -> list:
    """The parameters of each January after the first month, for every scenario (what ``tables_for`` asks)."""
    out = []
    for scenario in scenarios:
        first = scenario.first_month
        januaries = range(first - codes.month_date(first).month + 13, scenario.end_month + 1, 12)
        out += [scenario.tree.at(codes.month_date(m)) for m in januaries]
    return out


def initial_state(scenarios: list[Scenario], replication: int, processes: list[Process],
                  tables: TableCache) -> tuple[SimulationState, pd.DataFrame]:
    """The state at the first simulated month of a replication, shared by every scenario.

    Returns:
        The state and the population fit report.
    """
    first = scenarios[0]
    streams = Streams(first.settings["seed"], replication)
    people, weight, fit = build_population(first, streams, tables, scenarios[1:])
    model = LoopbaanModel.start(first.tree, people, first.first_month, first.start_month, first.n_months, weight,
                                streams, processes, tables)
    model.close()
    return model.state, fit


def _summarise(yearly: pd.DataFrame, replications: int, dims: tuple[str, ...]) -> pd.DataFrame:
    """The yearly values over replications (mean, p05, p95), with text columns as text (it is summary.csv)."""
    keys = ["scenario", "year", "metric", "group", *dims]
    if replications == 1:
        out = yearly.drop(columns="replication")[keys + ["value"]]
    else:
        grouped = yearly.groupby(keys, dropna=False, observed=True)["value"]
        out = grouped.mean().rename("value").to_frame()
        out["p05"] = grouped.quantile(0.05)
        out["p95"] = grouped.quantile(0.95)
        out = out.reset_index()
    text = [c for c in out.columns if isinstance(out[c].dtype, pd.CategoricalDtype)]
    return out.astype({c: out[c].cat.categories.dtype for c in text})


def run(scenarios: list[Scenario], progress: Callable[[str], None] = lambda s: None,
        processes: Callable[[], list[Process]] = default_processes,
        advance: Callable[[int], None] = lambda months: None, cache: Path | None = None, workers: int = 1,
        scheduler: str | None = None, finished: Callable[[int, int], None] = lambda done, total: None) -> RunResult:
    """Simulate every scenario for every replication.

    Args:
        scenarios: Scenarios that can share a run (:func:`model.scenario.check_compatible`).
        progress: Receives a line of text at each stage.
        processes: Makes the list of processes of a month (a new list per model).
        advance: Called with the number of months just simulated (for progress bars).
        cache: Folder of the cache of warmed-up states (:mod:`model.cache`), or None for none.
        workers: Replications run at once, each in a process of its own (:mod:`model.workers`); the
            results are the same whatever the number.
        scheduler: A Dask scheduler's address (``tcp://HOST:PORT``): the replications run on that cluster.
        finished: Called with (replications done, replications in all) as each replication finishes.

    Raises:
        ScenarioError: if the scenarios cannot share a population.
    """
    check_compatible(scenarios)
    first = scenarios[0]
    settings = first.settings
    per_set, n_sets = settings["replications"], settings["parameter_sets"]
    declared = processes()
    dims = dimension_names(declared)
    units = {c.name: c.unit for c in all_counters(declared)}
    sets = None
    if n_sets:  # the outer loop: each set of drawn parameters runs every replication of every scenario
        drawn = uncertainty.draw_sets(first.tree, n_sets, settings["seed"])
        groups = [[uncertainty.with_set(s, values, f"parameter set {k}") for s in scenarios]
                  for k, values in enumerate(drawn)]
        sets = uncertainty.sets_table(drawn)
        cache = None  # each set has its own warm-up: caching them would fill the disk for no later use
    else:
        groups = [scenarios]
    total = len(groups) * per_set
    jobs = []
    for k, group in enumerate(groups):
        signatures = {s.name: warmup_signature(s) for s in group}  # (a digest of 138 months' parameters: once)
        jobs += [(group, k * per_set + r, signatures, k) for r in range(per_set)]
    if scheduler is not None or (workers > 1 and total > 1):
        from .workers import run_replications  # (imported here: a plain run needs no process pool)

        done = run_replications(jobs, processes, cache, workers, progress, advance, scheduler, total, finished)
    else:
        done, tables, tables_of = [], None, None
        for group, rep, signatures, k in jobs:
            if k != tables_of:  # raked once for all replications of a parameter set (each set has its own margins)
                tables, tables_of = TableCache(), k
            done.append(replicate(group, rep, processes, cache, signatures, progress, advance, tables, total))
            finished(len(done), total)
    done.sort(key=lambda r: r.replication)  # in replication order, whichever finished first
    timings: dict[str, float] = {}
    for rep in done:
        for key, value in rep.timings.items():
            timings[key] = timings.get(key, 0.0) + value
    columns = ["scenario", "replication", "month", "metric", "group", *dims, "value"]
    monthly = pd.concat([frame for rep in done for frame in rep.frames], ignore_index=True)[columns]
    yearly = pd.concat([frame for rep in done for frame in rep.yearly], ignore_index=True).sort_values(
        ["scenario", "replication", "year", "metric", "group", *dims], ignore_index=True)
    summary = _summarise(yearly, total, dims)
    cache_use = {"folder": str(cache) if cache is not None else None,
                 "read": [k for rep in done for k in rep.cache_read], "written": [k for rep in done for k in rep.cache_written]}
    return RunResult(scenarios, monthly, summary, pd.concat([rep.fit for rep in done], ignore_index=True), timings,
                     sum(rep.capped for rep in done), done[0].persons, done[0].weight, yearly, units, dims,
                     [describe(p) for p in declared], _bounds(done), cache=cache_use, parameter_sets=sets,
                     replications_per_set=per_set)


def _bounds(done: list) -> pd.DataFrame:
    """The bounded hazard cells that any replication used, once each."""
    frames = [rep.hazard_bounds for rep in done if rep.hazard_bounds is not None and len(rep.hazard_bounds)]
    if not frames:
        return done[0].hazard_bounds
    out = pd.concat(frames, ignore_index=True).drop_duplicates(ignore_index=True)
    return out.sort_values(["margins_from_year", "hazard", "sex", "education", "migration", "work_disability", "age"],
                           ignore_index=True)


@dataclass
class Replication:
    """What one replication of every scenario produced (:func:`replicate`).

    Attributes:
        replication: Its number.
        frames: Monthly long tables, one per scenario (none beyond :data:`MONTHLY_REPLICATIONS`).
        yearly: Yearly tables (:func:`model.metrics.yearly_summary`), one per scenario.
        fit: Population fit report.
        timings: Seconds spent per phase.
        capped: Hazards capped at their ceiling.
        persons: Simulated persons at the start.
        weight: Persons represented by one simulated person.
        hazard_bounds: Cells where a labour hazard had to be bounded.
        cache_read, cache_written: Keys of the cache entries read and written.
    """

    replication: int
    frames: list[pd.DataFrame]
    yearly: list[pd.DataFrame]
    fit: pd.DataFrame
    timings: dict[str, float]
    capped: int
    persons: int
    weight: float
    hazard_bounds: pd.DataFrame
    cache_read: list[str]
    cache_written: list[str]


def replicate(scenarios: list[Scenario], rep: int, processes: Callable[[], list[Process]], cache: Path | None,
              signatures: dict[str, str], progress: Callable[[str], None] = lambda s: None,
              advance: Callable[[int], None] = lambda months: None, tables: TableCache | None = None,
              total: int | None = None) -> Replication:
    """Simulate every scenario for replication ``rep``.

    Arguments as :func:`run`; ``signatures``: :func:`warmup_signature` of each scenario; ``tables``: raked tables
    to share with other replications (a new cache if None); ``total``: the run's number of replications (for the
    progress lines; default the scenarios' setting).
    """
    first = scenarios[0]
    settings = first.settings
    tables = TableCache() if tables is None else tables
    frames, yearly, timings, capped = [], [], {"synthesis": 0.0}, 0
    months = list(range(first.start_month, first.end_month + 1))
    declared = processes()
    dims = dimension_names(declared)
    names = sorted(s.name for s in scenarios)
    store = StateCache(cache) if cache is not None else None
    cache_use = {"read": [], "written": []}
    # Each distinct warm-up is simulated once (or read from the cache); every scenario then
    # continues from its own copy of the warmed-up state (the same way for all, so common
    # random numbers hold whether or not a warm-up was shared or cached).
    keys = {s.name: _cache_key(s, scenarios, rep, declared, signatures) for s in scenarios}
    uses = Counter(signatures.values())
    t0 = time.perf_counter()
    loaded = {} if store is None else {k: store.load(k) for k in dict.fromkeys(keys.values())}
    for entry in loaded.values():  # tables raked by the run that wrote the entry
        if entry is not None:
            tables.adopt(entry[1]["tables"])
    entry = None  # (only the dict keeps the states, so that each is freed once used)
    # the other yearly tables of the horizon are raked on the second core (while the population is
    # synthesised, or while the first months run: a model asking for a table waits for it)
    tables.prefetch(_yearly_parameters(scenarios))
    if loaded and all(v is not None for v in loaded.values()):
        written = next(iter(loaded.values()))[1]
        start, fit, persons = None, written["fit"], written["persons"]
        tables.get(first.tree.at(codes.month_date(first.first_month)))  # the synthesis's table: used, as without cache
    else:
        start, fit = initial_state(scenarios, rep, processes(), tables)
        persons = int((start.people.status != codes.ABSENT).sum())
    weight = population_rows(first, scenarios[1:])[2]
    timings["synthesis"] += time.perf_counter() - t0  # the raking goes on while the months run (if need be)
    progress(f"replication {rep + 1}/{total or settings['replications']}: {persons:,} persons "
             f"(1 = {weight:.2f} people)")
    to_warm = sum(1 for k in {signatures[s.name]: keys[s.name] for s in scenarios}.values() if not loaded.get(k))
    warmed: dict[str, SimulationState] = {}
    for scenario in scenarios:
        warmup_seconds, warm_note = 0.0, ""
        signature, key = signatures[scenario.name], keys[scenario.name]
        if signature not in warmed and loaded.get(key):
            warmed[signature] = loaded.pop(key)[0]
            cache_use["read"].append(key)
            warm_note = " (warm-up read from the cache)"
        elif signature not in warmed:
            to_warm -= 1  # the last warm-up continues the synthesised state itself, the others a copy
            warm = LoopbaanModel(scenario.tree, start if to_warm == 0 else start.snapshot(), processes(), tables)
            if to_warm == 0:
                start = None  # continued by this warm-up: no other reference may keep it alive
            t1 = time.perf_counter()
            _simulate(warm, scenario.start_month - 1, advance)
            warm.close()
            warmup_seconds = time.perf_counter() - t1
            warmed[signature] = warm.state
            warm = None
            warm_note = f" (+{warmup_seconds:.1f} s warm-up)"
            written = {"fit": fit, "persons": persons, "tables": tables.export()}
            if store is not None and store.store(key, warmed[signature], written):
                cache_use["written"].append(key)
        elif scenario.first_month < scenario.start_month:
            warm_note = " (warm-up shared)"
        uses[signature] -= 1  # the last scenario of a warm-up continues it itself, the others a copy
        state = warmed.pop(signature) if uses[signature] == 0 else warmed[signature].snapshot()
        model = LoopbaanModel(scenario.tree, state, processes(), tables)
        t1 = time.perf_counter()
        _simulate(model, scenario.end_month, advance)
        model.close()
        seconds = time.perf_counter() - t1
        timings[f"warmup:{scenario.name}"] = timings.get(f"warmup:{scenario.name}", 0.0) + warmup_seconds
        timings[f"simulate:{scenario.name}"] = timings.get(f"simulate:{scenario.name}", 0.0) + seconds
        capped += model.counters.capped
        counters = model.counters
        # the people are no longer needed: free them before the tables, the next scenario and the outputs
        # (the centres and their model refer to each other, so only the cycle collector frees them)
        model = state = None
        gc.collect()
        # the yearly values straight from the counters (the same to the last bit as from the monthly table);
        # every text column categorical, the scenarios' categories those of the run (concatenated, they stay so)
        ids = {"scenario": scenario.name, "replication": rep}
        yearly.append(metrics.as_categories(counters.yearly_frame(months, ids, dims), {"scenario": names}))
        if rep < MONTHLY_REPLICATIONS:
            frames.append(metrics.as_categories(counters.monthly_frame(months).assign(**ids), {"scenario": names}))
        progress(f"  {scenario.name}: {seconds:.1f} s for {scenario.n_months} months{warm_note}")
    start = None
    gc.collect()
    return Replication(rep, frames, yearly, fit.assign(replication=rep), timings, capped, persons, weight,
                       tables.bounded_hazards(), cache_use["read"], cache_use["written"])


def _cache_key(scenario: Scenario, scenarios: list[Scenario], replication: int, processes: list[Process],
               signatures: dict[str, str]) -> str:
    """The cache key of the warmed-up state of ``scenario`` in a run of ``scenarios`` (:mod:`model.cache`).

    Args:
        signatures: :func:`warmup_signature` of each scenario, by name.
    """
    first = scenarios[0]
    n, spare, _ = population_rows(first, scenarios[1:])
    # the parameters the synthesis and the processes' initialise read (at the first month), and those of the warm-up
    initial = json.dumps(dict(first.tree.at(codes.month_date(first.first_month))), sort_keys=True, default=str)
    return entry_key(warmup=signatures[scenario.name], initial=signatures[first.name], first_parameters=initial,
                     seed=first.settings["seed"], replication=replication, scale=first.settings["scale"],
                     first_month=first.first_month, start_month=scenario.start_month, months=first.n_months,
                     persons=n, rows=n + spare, processes=[describe(p) for p in processes])


def _simulate(model: LoopbaanModel, last: int, advance: Callable[[int], None]) -> None:
    """Run ``model`` up to month ``last``, a year at a time, reporting progress."""
    while model.month <= last:
        chunk_end = min(last, model.month + 11)
        n = chunk_end - model.month + 1
        model.run_until(chunk_end)
        advance(n)
