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

import contextlib
import os
import pickle
import re
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

import numpy as np

from ..params.scenario import ScenarioError
from ..params.yamlfile import excerpt

MAX_WORKERS = 64  # jobs run at once, at most
CONNECT_SECONDS = 20  # a scheduler that has not answered by then is reported, not waited for
# a cluster with no worker after this long is reported, not waited for (an adaptive cluster may need longer: the
# environment variable sets it)
FIRST_WORKER_SECONDS = 600
FIRST_WORKER_VARIABLE = "LOOPBAAN_FIRST_WORKER_SECONDS"
PARENT_CHECK_SECONDS = 1.0  # how often a local worker checks that the process that started it is alive
SCHEMES = ("tcp", "tls")  # tls takes its certificates from Dask's own configuration (distributed.comm.tls)
# a Dask scheduler as loopbaan reaches it: a scheme, a host (name, IPv4 or [IPv6]) and a port
_ADDRESS = re.compile(r"(?P<scheme>[a-z]+)://(?P<host>[A-Za-z0-9][A-Za-z0-9._\-]*|\[[0-9A-Fa-f:.]+\]):"
                      r"(?P<port>[0-9]{1,5})")


def checked_workers(workers, label: str = "workers") -> int:
    """``workers`` if it is a whole number from 1 to :data:`MAX_WORKERS`, else a :class:`ScenarioError`.

    Args:
        label: How the caller names it (``workers``, or a command's ``--workers``).
    """
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or not 1 <= workers <= MAX_WORKERS:
        raise ScenarioError(f"{label} must be a whole number from 1 to {MAX_WORKERS}, got {workers!r}")
    return int(workers)


def checked_scheduler(scheduler, label: str = "scheduler") -> str | None:
    """``scheduler`` if it is None or a Dask scheduler's address ``tcp://HOST:PORT``, else a :class:`ScenarioError`.

    ``tls://HOST:PORT`` is accepted too (its certificates come from Dask's configuration); ``inproc://`` lives in
    another process's memory, and ``ws://`` or ``http://`` (the dashboard) are not a scheduler's address.
    """
    if scheduler is None:
        return None
    shown = excerpt(scheduler)
    expected = "give a Dask scheduler's address as tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786"
    if not isinstance(scheduler, str):
        raise ScenarioError(f"{label}: {expected}; got {shown} (a {type(scheduler).__name__}, not text)")
    scheme = scheduler.partition("://")[0] if "://" in scheduler else ""
    if scheme and scheme not in SCHEMES:
        raise ScenarioError(f"{label}: {expected}; got {shown}: the scheme {scheme}:// is not supported "
                            f"(only {' or '.join(f'{s}://' for s in SCHEMES)})")
    match = _ADDRESS.fullmatch(scheduler)
    if match is None:
        raise ScenarioError(f"{label}: {expected}; got {shown}: a host and a port are needed")
    if not 1 <= int(match["port"]) <= 65535:
        raise ScenarioError(f"{label}: the port must be from 1 to 65535; got {shown}")
    first_worker_seconds()  # a bad setting of the wait is refused now, before anything runs
    return scheduler


def start_worker(threads: int, parent: int) -> None:
    """Give the worker's kernels its share of the cores, and end the worker when its parent is gone.

    A parent killed outright (SIGKILL, out of memory) cannot stop its workers; without this they would run their
    replication to the end, for nothing, and hold the multiprocessing resource tracker open with them.
    """
    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="exit-with-parent").start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:  # an orphan is adopted by another process: its parent id changes
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # nothing to keep: the parent that would have used the result is gone


BROKEN = ("workers: a worker process ended before its job did (out of memory, killed, or a script without "
          "'if __name__ == \"__main__\":' whose processes of the month are its own); put the run under that line, or "
          "use workers=1")


def local_pool(processes: int, sharing: int | None = None) -> ProcessPoolExecutor:
    """A pool of fresh processes (``spawn``), each with its share of the cores for its kernels.

    Args:
        processes: The pool's processes.
        sharing: The processes that share the cores, in all pools (default ``processes``).
    """
    threads = max(1, (os.cpu_count() or 1) // (sharing or processes))
    return ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn"), initializer=start_worker,
                               initargs=(threads, os.getpid()))


@contextlib.contextmanager
def without_the_main_script(job: tuple):
    """While workers start: a script's own file is not run again in each of them, unless ``job`` needs it.

    Python starts a worker by importing the module that started the program; a script run as ``python
    script.py`` would run again in every worker, and a run not under ``if __name__ == "__main__":`` would
    try to start workers of its own there. The workers need only this package, unless the job refers to
    something the script defines (its own processes of the month): then the script is imported as usual.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(getattr(main, "__spec__", None), "name", None) is not None \
            or b"__main__" in pickle.dumps(job):
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def _end(pool: ProcessPoolExecutor) -> None:
    """End the pool's processes now, and the pool without waiting for its jobs."""
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


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
    with local_pool(workers) as pool:
        with without_the_main_script(jobs[0]):  # (the workers start at the first submissions)
            pending = {pool.submit(function, *job) for job in jobs}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for job in finished:
                    yield job.result()
        except BrokenProcessPool:
            _end(pool)
            raise ScenarioError(BROKEN) from None
        except BaseException:
            # a failure or a stop ends the run now: the jobs not started are not started, and the running ones are
            # ended (otherwise leaving the pool would wait for them to finish, for nothing)
            _end(pool)
            raise


def _on_dask(function: Callable, jobs: list[tuple], scheduler: str):
    """The jobs on an existing Dask distributed cluster (``dask.distributed.Client(scheduler)``)."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError:  # pragma: no cover - dask is a dependency
        raise ScenarioError("scheduler: dask.distributed is not installed") from None
    client = _connect(Client, scheduler)
    with client:
        seconds = first_worker_seconds()
        try:
            client.wait_for_workers(1, timeout=seconds)
        except TimeoutError:
            raise ScenarioError(f"scheduler: the Dask scheduler at {scheduler} has no worker after {seconds:g} s; "
                                f"start one (dask worker {scheduler}), or wait longer with "
                                f"{FIRST_WORKER_VARIABLE}=SECONDS") from None
        futures = [client.submit(function, *job, pure=False) for job in jobs]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            client.cancel(futures)
            raise


def _connect(client_class, scheduler: str):
    """A Dask client connected to ``scheduler`` within :data:`CONNECT_SECONDS`, or a :class:`ScenarioError`.

    Dask's own timeout does not cover a listener that accepts and never answers (the client then waits for ever),
    so the client is made in a thread and waited for here, in steps that Ctrl-C and SIGTERM interrupt.
    """
    made: dict = {}
    decided = threading.Lock()  # the caller gives up, or the client is made: one of the two, never both

    def connect() -> None:
        try:
            client = client_class(scheduler, timeout=CONNECT_SECONDS)
        except BaseException as exc:  # noqa: BLE001 - reported to the waiting thread, whatever it is
            made["error"] = exc
            return
        with decided:
            late = made.get("abandoned", False)
            made["client"] = client
        if late:  # connected after the caller gave up: not left behind as Dask's default client
            client.close()

    thread = threading.Thread(target=connect, daemon=True, name="dask-connect")
    thread.start()
    try:
        thread.join(CONNECT_SECONDS + 5)  # (a timed wait: interrupted by a signal's handler)
    finally:
        with decided:
            if "client" not in made and "error" not in made:
                made["abandoned"] = True
    if made.get("abandoned"):
        raise ScenarioError(f"scheduler: no answer from a Dask scheduler at {scheduler} within {CONNECT_SECONDS} s "
                            f"(something listens there, but it does not answer as a scheduler)")
    if "error" in made:
        exc = made["error"]
        raise ScenarioError(f"scheduler: cannot reach the Dask scheduler at {scheduler} "
                            f"({type(exc).__name__}: {str(exc)[:200] or 'no detail'})") from None
    return made["client"]


def first_worker_seconds() -> float:
    """How long a cluster may take to have its first worker: :data:`FIRST_WORKER_SECONDS`, or the environment's.

    Raises:
        ScenarioError: for a value of the environment variable that is not a positive number of seconds.
    """
    given = os.environ.get(FIRST_WORKER_VARIABLE)
    if given is None:
        return float(FIRST_WORKER_SECONDS)
    try:
        seconds = float(given)
    except ValueError:
        seconds = float("nan")
    if not (0 < seconds < float("inf")):
        raise ScenarioError(f"{FIRST_WORKER_VARIABLE}: give a positive number of seconds; got {given[:40]!r}")
    return seconds
