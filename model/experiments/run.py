"""Running a set of scenarios: every replication (of every parameter set), into one result.

One population and one set of random streams per replication, shared by
every scenario (common random numbers). Each distinct warm-up is simulated
once (or read from the cache, :mod:`.warmup_cache`); every scenario then
continues from its own copy of the warmed-up state. With parameter sets
(:mod:`model.params.uncertainty`), each set runs every replication of every
scenario with its drawn values (the outer loop). Replications run here or on
worker processes (:mod:`.backends`); the results are the same either way.
"""

from __future__ import annotations

import gc
import pickle
import time
from collections import Counter as Tally
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..engine.counters import as_categories
from ..engine.interrupts import stops_as_stops
from ..engine.process import all_counters, describe, dimension_names
from ..engine.state import SimulationState
from ..mechanisms.labour_market.tables import TableCache, parameters_of_year
from ..params import uncertainty
from ..params.calendar import month_date
from ..params.scenario import ScenarioError
from ..people import codes
from ..results.result import RunResult
from .backends import run_all
from .build import Builder, Run, simulate, warmup_signature, yearly_parameters
from .progress import Progress, Recorded
from .warmup_cache import StateCache

# Replications whose monthly values are kept (timeseries.parquet); every replication's yearly values are
# kept. A month of one scenario is some 2,500 rows: a hundred replications of six scenarios would not fit.
MONTHLY_REPLICATIONS = 5
# From this many persons a finished scenario's people are collected at once (tens of MB a column); below
# it the collector's pass over every object of the process costs more time than the memory is worth.
COLLECT_FROM_PERSONS = 500_000
CACHE_USE = ("read", "written", "damaged", "not_written", "notes")  # what the manifest's "cache" lists
_TABLES: TableCache | None = None  # a worker's raked tables, kept between the replications of a parameter set it runs
_TABLES_OF: int | None = None  # the parameter set they belong to (a new set has other margins: its tables start afresh)


def run(plan: Run, progress: Progress | None = None, cache: Path | None = None, workers: int = 1,
        scheduler: str | None = None) -> RunResult:
    """Simulate every scenario of ``plan`` for every replication (and parameter set).

    Args:
        plan: What to run (:class:`.build.Run`).
        progress: What the run tells as it goes (default: nothing).
        cache: Folder of the cache of warmed-up states, or None for none.
        workers: Replications run at once, each in a process of its own (:mod:`.backends`); the
            results are the same whatever the number.
        scheduler: A Dask scheduler's address (``tcp://HOST:PORT``): the replications run on that cluster.

    Raises:
        ScenarioError: when the processes of the month cannot be sent to a worker process.
    """
    progress = progress or Progress()
    settings = plan.settings
    per_set = settings.replications
    sets = None
    if settings.parameter_sets:  # the outer loop: each set of drawn parameters runs every replication of every scenario
        drawn = uncertainty.draw_sets(plan.first.tree, settings.parameter_sets, settings.seed)
        groups = [Run([uncertainty.with_set(s, values, f"parameter set {k}") for s in plan.scenarios], settings,
                      plan.processes, plan.parts, plan.part_runs) for k, values in enumerate(drawn)]
        sets = uncertainty.sets_table(drawn)
        cache = None  # each set has its own warm-up: caching them would fill the disk for no later use
    else:
        groups = [plan]
    total = len(groups) * per_set
    jobs = []
    for k, group in enumerate(groups):
        signatures = {s.name: warmup_signature(s, settings) for s in group.scenarios}  # (a digest of months: once)
        jobs += [(group, k * per_set + r, cache, signatures, total, k) for r in range(per_set)]
    done = []
    if scheduler is not None or (workers > 1 and total > 1):
        check_picklable(plan)
        for replication, recorded in run_all(_replicate_in_worker, jobs, workers, scheduler):
            recorded.replay(progress)
            done.append(replication)
            progress.run_done(len(done), total)
    else:
        tables, tables_of = None, None
        for group, rep, cache_folder, signatures, _, k in jobs:
            if k != tables_of:  # raked once for all replications of a parameter set (each set has its own margins)
                tables, tables_of = TableCache(), k
            with stops_as_stops():  # (the population's kernels too: a stop while they load is a stop)
                done.append(replicate(group, rep, cache_folder, signatures, progress, tables, total))
            progress.run_done(len(done), total)
    return assemble(plan, done, cache, sets)


def assemble(plan: Run, done: list[Replication], cache: Path | None, sets: pd.DataFrame | None = None) -> RunResult:
    """The run's result from its replications (in any order): every scenario of ``plan``, every replication.

    Args:
        cache: Folder of the cache of warmed-up states the run used, or None.
        sets: The drawn parameter sets (:func:`model.params.uncertainty.sets_table`), if any.
    """
    settings = plan.settings
    declared = plan.processes()
    dims = dimension_names(declared)
    total = settings.runs
    done = sorted(done, key=lambda r: r.replication)  # in replication order, whichever finished first
    timings: dict[str, float] = {}
    for rep in done:
        for key, value in rep.timings.items():
            timings[key] = timings.get(key, 0.0) + value
    columns = ["scenario", "replication", "month", "metric", "group", *dims, "value"]
    monthly = pd.concat([frame for rep in done for frame in rep.frames], ignore_index=True)[columns]
    yearly = pd.concat([frame for rep in done for frame in rep.yearly], ignore_index=True).sort_values(
        ["scenario", "replication", "year", "metric", "group", *dims], ignore_index=True)
    cache_use = {"folder": str(cache) if cache is not None else None,
                 **{kind: [x for rep in done for x in rep.cache_use[kind]] for kind in CACHE_USE}}
    return RunResult(plan.scenarios, settings, all_counters(declared), monthly, yearly, _summarise(yearly, total, dims),
                     pd.concat([rep.fit for rep in done], ignore_index=True), dims, [describe(p) for p in declared],
                     timings, sum(rep.capped for rep in done), done[0].persons, done[0].weight, _bounds(done), plan.parts,
                     plan.part_runs, cache_use, sets)


def check_picklable(plan: Run) -> None:
    """The processes of the month can be sent to a worker process.

    Raises:
        ScenarioError: if they cannot (defined where a new process cannot import them, such as a notebook's own cell).
    """
    try:
        pickle.dumps(plan.processes())
        pickle.dumps(plan.processes)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise ScenarioError(f"workers: the processes of the month cannot be sent to another process ({exc}); "
                            f"define them in a module that can be imported, or use workers=1") from None


def _summarise(yearly: pd.DataFrame, runs: int, dims: tuple[str, ...]) -> pd.DataFrame:
    """The yearly values over the runs (mean, p05, p95), with text columns as text (it is summary.csv)."""
    keys = ["scenario", "year", "metric", "group", *dims]
    if runs == 1:
        out = yearly.drop(columns="replication")[keys + ["value"]]
    else:
        grouped = yearly.groupby(keys, dropna=False, observed=True)["value"]
        out = grouped.mean().rename("value").to_frame()
        out["p05"] = grouped.quantile(0.05)
        out["p95"] = grouped.quantile(0.95)
        out = out.reset_index()
    text = [c for c in out.columns if isinstance(out[c].dtype, pd.CategoricalDtype)]
    return out.astype({c: out[c].cat.categories.dtype for c in text})


def _bounds(done: list[Replication]) -> pd.DataFrame:
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
        yearly: Yearly tables (:meth:`model.engine.counters.Recorder.yearly_frame`), one per scenario.
        fit: Population fit report.
        timings: Seconds spent per phase.
        capped: Hazards capped at their ceiling.
        persons: Simulated persons at the start.
        weight: Persons represented by one simulated person.
        hazard_bounds: Cells where a labour hazard had to be bounded.
        cache_use: By kind (:data:`CACHE_USE`): the keys of the cache entries read, written, found damaged (removed,
            then written again) and not written, and the notes of what went wrong (the run went on).
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
    cache_use: dict[str, list[str]]


def _replicate_in_worker(plan: Run, rep: int, cache: Path | None, signatures: dict[str, str], total: int,
                         parameter_set: int) -> tuple[Replication, Recorded]:
    """Run replication ``rep`` in a worker process; its news comes back with it."""
    global _TABLES, _TABLES_OF
    if _TABLES is None or _TABLES_OF != parameter_set:  # (kept for a set's replications; not for every set: memory)
        _TABLES, _TABLES_OF = TableCache(), parameter_set
    recorded = Recorded()
    return replicate(plan, rep, cache, signatures, recorded, _TABLES, total), recorded


def replicate(plan: Run, rep: int, cache: Path | None, signatures: dict[str, str], progress: Progress | None = None,
              tables: TableCache | None = None, total: int | None = None, keep: dict | None = None) -> Replication:
    """Simulate every scenario of ``plan`` for replication ``rep``.

    Args:
        cache: Folder of the cache of warmed-up states, or None.
        signatures: :func:`.build.warmup_signature` of each scenario.
        tables: Raked tables to share with other replications (a new cache if None).
        total: The run's number of runs (for the progress lines; default the replications).
        keep: If given, receives what a later scenario needs to continue this replication as if it had been in
            ``plan`` (:func:`continue_scenario`; :mod:`.session`): ``warm`` (a copy of each warmed-up state, by
            warm-up signature, never continued), ``builder`` (with the replication's shared resources, such as the
            reference world's job-finding weights), ``fit`` and ``persons``.
    """
    progress = progress or Progress()
    settings = plan.settings
    builder = Builder(plan, rep, tables)
    frames, yearly, timings, capped = [], [], {"synthesis": 0.0}, 0
    names = sorted(s.name for s in plan.scenarios)
    store = StateCache(cache) if cache is not None else None
    cache_use = {kind: [] for kind in CACHE_USE}
    # Each distinct warm-up is simulated once (or read from the cache); every scenario then continues from its own
    # copy of the warmed-up state (the same way for all, so common random numbers hold whether or not a warm-up was
    # shared or cached).
    keys = {s.name: builder.cache_key(s, signatures) for s in plan.scenarios}
    uses = Tally(signatures.values())
    t0 = time.perf_counter()
    loaded = {} if store is None else {k: store.load(k) for k in dict.fromkeys(keys.values())}
    reported = _report_cache_notes(store, progress, 0)  # cache notes shown so far
    for entry in loaded.values():  # tables raked by the run that wrote the entry
        if entry is not None:
            builder.tables.adopt(entry[1]["tables"])
    entry = None  # (only the dict keeps the states, so that each is freed once used)
    # the other yearly tables of the horizon are raked on the second core (while the population is
    # synthesised, or while the first months run: a model asking for a table waits for it)
    builder.tables.prefetch(yearly_parameters(plan))
    if loaded and all(v is not None for v in loaded.values()):
        written = next(iter(loaded.values()))[1]
        start, fit, persons = None, written["fit"], written["persons"]
        # the tables of the first month: used, as without cache
        builder.tables.get(*parameters_of_year(lambda m: plan.first.tree.at(month_date(m)), plan.settings.first_month,
                                               plan.settings.first_month))
    else:
        start, fit = builder.initial_state()
        persons = int((start.people.status != codes.ABSENT).sum())
    timings["synthesis"] += time.perf_counter() - t0  # the raking goes on while the months run (if need be)
    progress.line(f"replication {rep + 1}/{total or settings.replications}: {persons:,} persons "
                  f"(1 = {builder.weight:.2f} people)")
    to_warm = sum(1 for k in {signatures[s.name]: keys[s.name] for s in plan.scenarios}.values() if not loaded.get(k))
    warmed: dict[str, SimulationState] = {}
    if keep is not None:
        keep["warm"] = {}
    for scenario in plan.scenarios:
        warmup_seconds, warm_note = 0.0, ""
        signature, key = signatures[scenario.name], keys[scenario.name]
        if signature not in warmed and loaded.get(key):
            warmed[signature] = loaded.pop(key)[0]
            cache_use["read"].append(key)
            warm_note = " (warm-up read from the cache)"
        elif signature not in warmed:
            to_warm -= 1  # the last warm-up continues the synthesised state itself, the others a copy
            warm = builder.model(scenario, start if to_warm == 0 else start.snapshot())
            if to_warm == 0:
                start = None  # continued by this warm-up: no other reference may keep it alive
            t1 = time.perf_counter()
            simulate(warm, settings.start_month - 1, progress.months)
            warmup_seconds = time.perf_counter() - t1
            warmed[signature] = warm.state
            warm = None
            warm_note = f" (+{warmup_seconds:.1f} s warm-up)"
            written = {"fit": fit, "persons": persons, "tables": builder.tables.export()}
            if store is not None and store.store(key, warmed[signature], written):
                cache_use["written"].append(key)
            reported = _report_cache_notes(store, progress, reported)
        elif settings.warmup_months:
            warm_note = " (warm-up shared)"
        if keep is not None and signature not in keep["warm"]:  # (before the scenario continues it)
            keep["warm"][signature] = warmed[signature].snapshot()
        uses[signature] -= 1  # the last scenario of a warm-up continues it itself, the others a copy
        outcome = continue_scenario(builder, scenario, warmed.pop(signature) if uses[signature] == 0
                                    else warmed[signature].snapshot(), rep, names, progress, persons)
        timings[f"warmup:{scenario.name}"] = timings.get(f"warmup:{scenario.name}", 0.0) + warmup_seconds
        timings[f"simulate:{scenario.name}"] = timings.get(f"simulate:{scenario.name}", 0.0) + outcome.seconds
        capped += outcome.capped
        yearly.append(outcome.yearly)
        if outcome.monthly is not None:
            frames.append(outcome.monthly)
        progress.line(f"  {scenario.name}: {outcome.seconds:.1f} s for {settings.n_months} months{warm_note}")
    start = None
    if persons >= COLLECT_FROM_PERSONS:
        gc.collect()
    if keep is not None:
        keep.update(builder=builder, fit=fit, persons=persons)
    return Replication(rep, frames, yearly, fit.assign(replication=rep), timings, capped, persons, builder.weight,
                       builder.tables.bounded_hazards(),
                       {**cache_use, **({"damaged": store.damaged, "not_written": store.not_written,
                                         "notes": store.notes} if store is not None else {})})


@dataclass
class Outcome:
    """What one scenario of one replication produced (:func:`continue_scenario`).

    Attributes:
        yearly: Its yearly table; monthly: its monthly table (None beyond :data:`MONTHLY_REPLICATIONS`).
        seconds: Seconds of its simulated months; capped: hazards capped at their ceiling.
    """

    yearly: pd.DataFrame
    monthly: pd.DataFrame | None
    seconds: float
    capped: int


def continue_scenario(builder: Builder, scenario, state: SimulationState, rep: int, names: list[str],
                      progress: Progress, persons: int) -> Outcome:
    """Simulate ``scenario`` from the warmed-up ``state`` to the run's last month (``state`` is used up).

    Args:
        builder: The replication's builder: its models share its resources (the raked tables, the reference world).
        names: The run's scenario names (the categories of the tables' scenario column).
        persons: The replication's persons (a large population's people are collected once done with).
    """
    settings = builder.run.settings
    model = builder.model(scenario, state)
    state = None  # (the model holds the people now: once it is done, nothing keeps them alive)
    t1 = time.perf_counter()
    simulate(model, settings.end_month, progress.months)
    seconds = time.perf_counter() - t1
    counters = model.counters
    # the people are no longer needed: free them before the tables, the next scenario and the outputs
    # (the centres and their model refer to each other, so only the cycle collector frees them)
    model = None
    if persons >= COLLECT_FROM_PERSONS:
        gc.collect()
    # the yearly values straight from the counters (the same to the last bit as from the monthly table);
    # every text column categorical, the scenarios' categories those of the run (concatenated, they stay so)
    months = list(range(settings.start_month, settings.end_month + 1))
    dims = dimension_names(builder.run.processes())
    ids = {"scenario": scenario.name, "replication": rep}
    yearly = as_categories(counters.yearly_frame(months, ids, dims), {"scenario": names})
    monthly = (as_categories(counters.monthly_frame(months).assign(**ids), {"scenario": names})
               if rep < MONTHLY_REPLICATIONS else None)
    return Outcome(yearly, monthly, seconds, counters.capped)


def _report_cache_notes(store: StateCache | None, progress: Progress, shown: int) -> int:
    """Show the cache's notes after the first ``shown`` as warnings (the run goes on; the manifest keeps them).

    Returns:
        The number of notes shown so far.
    """
    notes = store.notes if store is not None else []
    for note in notes[shown:]:
        progress.line(f"  warning: {note}")
    return len(notes)
