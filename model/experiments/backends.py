"""Jobs in parallel: local processes (``--workers K``) or a Dask cluster (``--scheduler``).

:func:`run_all` runs a function on every job and yields the results as each
finishes; it knows nothing of what the jobs are. Runs hand it their
replications (:mod:`.run`: each simulated whole in one worker, with its own
child of the root seed, so the results are the same whatever the number of
workers and whichever finishes first), sweeps their points (:mod:`.sweep`).
Workers are started fresh (``spawn``: the compiled kernels' thread pool does not
survive a fork), and each uses its share of the cores for its kernels, so two
workers on two cores do not fight over them. With ``--scheduler
tcp://HOST:PORT`` the jobs go to an existing Dask distributed cluster instead
(its workers need this package).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context

import numpy as np

from ..params.scenario import ScenarioError

MAX_WORKERS = 64  # jobs run at once, at most


def checked_workers(workers, label: str = "workers") -> int:
    """``workers`` if it is a whole number from 1 to :data:`MAX_WORKERS`, else a :class:`ScenarioError`.

    Args:
        label: How the caller names it (``workers``, or a command's ``--workers``).
    """
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or not 1 <= workers <= MAX_WORKERS:
        raise ScenarioError(f"{label} must be a whole number from 1 to {MAX_WORKERS}, got {workers!r}")
    return int(workers)


def checked_scheduler(scheduler, label: str = "scheduler") -> str | None:
    """``scheduler`` if it is None or looks like a Dask scheduler's address, else a :class:`ScenarioError`."""
    if scheduler is not None and not (isinstance(scheduler, str) and "://" in scheduler):
        raise ScenarioError(f"{label}: give the address of a Dask scheduler, e.g. 'tcp://127.0.0.1:8786'; "
                            f"got {scheduler!r}")
    return scheduler


def _start_worker(threads: int) -> None:
    """Give the worker's kernels its share of the cores."""
    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))


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
