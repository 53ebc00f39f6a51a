"""Replications in parallel processes (``loopbaan run --workers K``, ``Simulation(..., workers=K)``).

Each replication is simulated whole in one worker process (:func:`model.runner.replicate`);
its random numbers come from its own child of the root seed, so the results are
the same whatever the number of workers and whichever finishes first (tested).
Workers are started fresh (``spawn``: the compiled kernels' thread pool does not
survive a fork), and each uses its share of the cores for its kernels, so two
workers on two cores do not fight over them. A worker keeps its raked tables for
the next replication it gets.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path

from .process import Process
from .scenario import Scenario, ScenarioError

MAX_WORKERS = 64  # replications run at once, at most
_TABLES = None  # the worker's raked tables, kept between the replications it runs


def _start_worker(threads: int) -> None:
    """Give the worker's kernels its share of the cores."""
    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))


def _one(scenarios: list[Scenario], rep: int, processes: Callable[[], list[Process]], cache: Path | None,
         signatures: dict[str, str]):
    """Run replication ``rep`` in this worker; its progress lines come back with it."""
    global _TABLES
    from .runner import replicate
    from .tables import TableCache

    if _TABLES is None:
        _TABLES = TableCache()
    lines: list[str] = []
    months = [0]

    def advance(n: int) -> None:
        months[0] += n

    result = replicate(scenarios, rep, processes, cache, signatures, lines.append, advance, _TABLES)
    return result, lines, months[0]


def run_replications(scenarios: list[Scenario], replications: range, processes: Callable[[], list[Process]],
                     cache: Path | None, signatures: dict[str, str], workers: int, progress: Callable[[str], None],
                     advance: Callable[[int], None]) -> list:
    """Run ``replications`` on ``workers`` processes; return their :class:`model.runner.Replication` (any order).

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
    workers = min(workers, len(replications))
    threads = max(1, (os.cpu_count() or 1) // workers)
    done = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_start_worker,
                             initargs=(threads,)) as pool:
        pending = {pool.submit(_one, scenarios, rep, processes, cache, signatures) for rep in replications}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for job in finished:
                    result, lines, months = job.result()
                    for line in lines:
                        progress(line)
                    advance(months)
                    done.append(result)
        except BaseException:
            for job in pending:  # a failed replication stops the run: the others are not started
                job.cancel()
            raise
    return done
