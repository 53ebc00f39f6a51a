"""Replications (and sweep points) in parallel: local processes (``--workers K``) or a Dask cluster (``--scheduler``).

Each replication is simulated whole in one worker process (:func:`model.runner.replicate`);
its random numbers come from its own child of the root seed, so the results are
the same whatever the number of workers and whichever finishes first (tested).
Workers are started fresh (``spawn``: the compiled kernels' thread pool does not
survive a fork), and each uses its share of the cores for its kernels, so two
workers on two cores do not fight over them. A worker keeps its raked tables for
the next replication it gets. With ``--scheduler tcp://HOST:PORT`` the jobs go
to an existing Dask distributed cluster instead (its workers need this package).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from .process import Process
from .scenario import Scenario, ScenarioError

MAX_WORKERS = 64  # replications run at once, at most
_TABLES = None  # the worker's raked tables, kept between the replications of a parameter set it runs
_TABLES_OF = None  # the parameter set they belong to (a new set has other margins: its tables start afresh)


def checked_workers(workers) -> int:
    """``workers`` if it is a whole number from 1 to :data:`MAX_WORKERS`, else a :class:`ScenarioError`."""
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or not 1 <= workers <= MAX_WORKERS:
        raise ScenarioError(f"workers: give a whole number from 1 to {MAX_WORKERS}, got {workers!r}")
    return int(workers)


def checked_scheduler(scheduler) -> str | None:
    """``scheduler`` if it is None or looks like a Dask scheduler's address, else a :class:`ScenarioError`."""
    if scheduler is not None and not (isinstance(scheduler, str) and "://" in scheduler):
        raise ScenarioError(f"scheduler: give the address of a Dask scheduler, e.g. 'tcp://127.0.0.1:8786'; "
                            f"got {scheduler!r}")
    return scheduler


def _start_worker(threads: int) -> None:
    """Give the worker's kernels its share of the cores."""
    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))


def _one(scenarios: list[Scenario], rep: int, processes: Callable[[], list[Process]], cache: Path | None,
         signatures: dict[str, str], total: int, parameter_set: int = 0):
    """Run replication ``rep`` in this worker; its progress lines come back with it."""
    global _TABLES, _TABLES_OF
    from .runner import replicate
    from .tables import TableCache

    if _TABLES is None or _TABLES_OF != parameter_set:  # (kept for a set's replications; not for every set: memory)
        _TABLES, _TABLES_OF = TableCache(), parameter_set
    lines: list[str] = []
    months = [0]

    def advance(n: int) -> None:
        months[0] += n

    result = replicate(scenarios, rep, processes, cache, signatures, lines.append, advance, _TABLES, total)
    return result, lines, months[0]


def run_replications(jobs: list[tuple[list[Scenario], int, dict[str, str], int]], processes: Callable[[], list[Process]],
                     cache: Path | None, workers: int, progress: Callable[[str], None],
                     advance: Callable[[int], None], scheduler: str | None = None, total: int | None = None,
                     finished: Callable[[int, int], None] = lambda done, total: None) -> list:
    """Run the replications on ``workers`` processes (or a Dask cluster); return their :class:`model.runner.Replication`.

    Args:
        jobs: ``(scenarios, replication, warm-up signatures, parameter set)`` of each replication (the
            scenarios carry the replication's parameter set, if any; 0 without).
        total: The run's number of replications, for the progress lines.
        finished: Called with (replications done, replications in all) as each finishes.

    Raises:
        ScenarioError: if the processes of the month cannot be sent to a worker (defined where a new process
            cannot import them, such as a notebook's own cell).
    """
    try:
        pickle.dumps(processes())
        pickle.dumps(processes)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise ScenarioError(f"workers: the processes of the month cannot be sent to another process ({exc}); "
                            f"define them in a module that can be imported, or use workers=1") from None
    done = []
    calls = [(scenarios, rep, processes, cache, signatures, total or len(jobs), k)
             for scenarios, rep, signatures, k in jobs]
    for result, lines, months in run_all(_one, calls, workers, scheduler):
        for line in lines:
            progress(line)
        advance(months)
        done.append(result)
        finished(len(done), len(jobs))
    return done


def run_all(function: Callable, jobs: list[tuple], workers: int = 1, scheduler: str | None = None):
    """``function(*job)`` for every job, yielded as each finishes (in any order).

    In this process when ``workers`` is 1 and there is no scheduler; on
    ``workers`` fresh local processes; or on the Dask cluster at ``scheduler``
    (``tcp://HOST:PORT``), whose workers must have this package installed. A
    job that raises stops the others from starting and raises here.
    """
    if scheduler is not None:
        yield from _on_dask(function, jobs, scheduler)
        return
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield function(*job)
        return
    workers = min(workers, len(jobs))
    threads = max(1, (os.cpu_count() or 1) // workers)
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_start_worker,
                             initargs=(threads,)) as pool:
        pending = {pool.submit(function, *job) for job in jobs}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for job in finished:
                    yield job.result()
        except BaseException:
            for job in pending:  # a failure stops the run: the jobs not started are not started
                job.cancel()
            raise


def _on_dask(function: Callable, jobs: list[tuple], scheduler: str):
    """The jobs on an existing Dask distributed cluster (``dask.distributed.Client(scheduler)``)."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError:  # pragma: no cover - dask is a dependency
        raise ScenarioError("scheduler: dask.distributed is not installed") from None
    try:
        client = Client(scheduler, timeout=10)
    except OSError as exc:
        raise ScenarioError(f"scheduler: cannot reach the Dask scheduler at {scheduler!r} ({exc})") from None
    with client:
        futures = [client.submit(function, *job, pure=False) for job in jobs]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            client.cancel(futures)
            raise
