"""A warm session: the baseline simulated once, then one alternative after another against it, in seconds.

The what-if page asks the same question again and again: the law against a
new choice of levers. A :class:`Session` simulates the baseline once per
replication, on worker processes that it keeps; each worker keeps its
replication's warmed-up state, raked tables and reference world (the job-finding
weights the reference scenario recorded, :mod:`model.mechanisms.labour_market.reference`).
Every later alternative is simulated alone from a copy of that state, and its
result is put next to the kept baseline: the numbers are the same to the last
bit as those of one run of the baseline and the alternative together
(``tests/test_session.py``), at the cost of the alternative's months only.

Replication ``r`` always runs on worker ``r % workers`` (a worker keeps the
states of its replications, about 0.4 GB each at full scale).
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd

from ..engine.interrupts import stops_as_stops
from ..params.scenario import Scenario, ScenarioError
from ..params.tree import ParameterTree
from ..results.result import RunResult
from .backends import BROKEN, checked_workers, local_pool, without_the_main_script
from .build import Run, warmup_signature
from .progress import Progress, Recorded
from .run import Replication, assemble, check_picklable, continue_scenario, replicate

# What a session's replications keep, by (session, replication): in the worker that runs them, or in this
# process when the session has one worker.
_KEPT: dict[tuple[str, int], dict] = {}


def _start(session: str, plan: Run, rep: int, cache: Path | None, signatures: dict[str, str]) -> Replication:
    """Simulate the baseline of replication ``rep`` and keep what the alternatives continue from."""
    keep: dict = {}
    with stops_as_stops():
        replication = replicate(plan, rep, cache, signatures, Recorded(), keep=keep)
    _KEPT[(session, rep)] = keep
    return replication


def _alternative(session: str, plan: Run, rep: int) -> Replication:
    """Simulate the alternative (the last scenario of ``plan``) of replication ``rep`` from the kept state.

    Raises:
        ScenarioError: when the session does not hold the replication (its worker was restarted).
    """
    keep = _KEPT.get((session, rep))
    if keep is None:
        raise ScenarioError(f"the session's replication {rep + 1} is not held by its worker any more; start a new one")
    scenario = plan.scenarios[-1]
    signature = warmup_signature(scenario, plan.settings)
    builder = keep["builder"]
    names = sorted(s.name for s in plan.scenarios)
    with stops_as_stops():
        outcome = continue_scenario(builder, scenario, keep["warm"][signature].snapshot(), rep, names, Progress(),
                                    keep["persons"])
    fit = keep["fit"]
    return Replication(rep, [outcome.monthly] if outcome.monthly is not None else [], [outcome.yearly],
                       fit.assign(replication=rep), {f"simulate:{scenario.name}": outcome.seconds}, outcome.capped,
                       keep["persons"], builder.weight, builder.tables.bounded_hazards(),
                       {"read": [], "written": [], "damaged": [], "not_written": [], "notes": []})


def _forget(session: str) -> None:
    """Drop what the session's replications keep in this process."""
    for key in [k for k in _KEPT if k[0] == session]:
        del _KEPT[key]


class Session:
    """The baseline of ``plan`` simulated once; :meth:`compare` simulates an alternative against it.

    Args:
        plan: A run of one scenario, the baseline (:class:`.build.Run`), without parameter sets.
        cache: Folder of the cache of warmed-up states, or None.
        workers: Processes that keep the replications (1: this process).
        projection: The projection the plan was made with (:meth:`.build.Run.of`), given to every alternative.
        law: The law the scenarios extend (read again if None).

    Raises:
        ScenarioError: for a plan of more than one scenario, with parameter sets, or whose processes cannot be
            sent to a worker process.
    """

    def __init__(self, plan: Run, cache: Path | None = None, workers: int = 1, projection: str | None = None,
                 law: ParameterTree | None = None):
        if len(plan.scenarios) != 1 or plan.settings.parameter_sets:
            raise ScenarioError("a session holds one baseline scenario, without parameter sets")
        self.plan, self.cache, self.projection, self.law = plan, cache, projection, law
        self.workers = min(checked_workers(workers), plan.settings.replications)
        self.id = uuid.uuid4().hex
        self._baseline: list[Replication] | None = None
        self._open = True
        self._lock = threading.Lock()  # one comparison at a time (two visitors of the page share the session)
        self._pools: list[ProcessPoolExecutor] = []
        if self.workers > 1:
            check_picklable(plan)
            # (a pool of one per worker, so that replication r always goes to the worker that keeps it)
            self._pools = [local_pool(1, sharing=self.workers) for _ in range(self.workers)]

    @property
    def open(self) -> bool:
        """Whether it can compare (a closed session, or one whose worker failed, cannot)."""
        return self._open

    @property
    def baseline(self) -> Scenario:
        """The baseline scenario."""
        return self.plan.first

    def start(self) -> None:
        """Simulate the baseline's replications now (:meth:`compare` does it first otherwise; once)."""
        with self._lock:
            self._start()

    def compare(self, scenario: Scenario | str | dict) -> RunResult:
        """The baseline and ``scenario`` as one run's result (the same numbers as a run of the two together).

        Raises:
            ScenarioError: for a bad scenario, one with the baseline's name or other settings (the session's
                scale, seed and replications hold), one that changes the months before the run's start (the
                baseline's warmed-up state is where every alternative starts), one made of parts, or a closed
                session.
        """
        settings = self.plan.settings
        plan = Run.of([self.baseline, scenario], self.law, self.plan.processes, self.projection, scale=settings.scale,
                      seed=settings.seed, replications=settings.replications)
        name = plan.scenarios[1].name
        if len(plan.scenarios) != 2 or plan.parts:
            raise ScenarioError(f"{name}: a session compares one scenario without parts with its baseline")
        if warmup_signature(plan.scenarios[1], settings) != warmup_signature(self.baseline, settings):
            raise ScenarioError(f"{name}: the scenario changes the months before {settings.start}; a session's "
                                f"alternatives start from the baseline's warmed-up state")
        with self._lock:
            baseline = self._start()
            alternatives = self._on_workers(_alternative, [(plan, r) for r in range(settings.replications)])
        names = sorted(s.name for s in plan.scenarios)
        done = [_joined(base, other, names) for base, other in zip(baseline, alternatives, strict=True)]
        return assemble(plan, done, self.cache)

    def close(self) -> None:
        """End the workers (and drop what this process keeps); a closed session compares no more."""
        self._open = False
        for pool in self._pools:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
        self._pools = []
        _forget(self.id)
        self._baseline = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> list[Replication]:
        if not self._open:
            raise ScenarioError("the session is closed; start a new one")
        if self._baseline is None:
            signatures = {self.baseline.name: warmup_signature(self.baseline, self.plan.settings)}
            self._baseline = self._on_workers(_start, [(self.plan, r, self.cache, signatures)
                                                       for r in range(self.plan.settings.replications)])
        return self._baseline

    def _on_workers(self, function, jobs: list[tuple]) -> list[Replication]:
        """``function(self.id, *job)`` for every job (replication ``r`` on its worker), in the jobs' order."""
        if not self._pools:
            return [function(self.id, *job) for job in jobs]
        with without_the_main_script(jobs[0]):  # (a worker starts at its first job)
            futures = [self._pools[job[1] % self.workers].submit(function, self.id, *job) for job in jobs]
        try:
            return [future.result() for future in futures]
        except BrokenProcessPool:
            self.close()
            raise ScenarioError(BROKEN) from None
        except BaseException:
            self.close()  # a worker that failed or was stopped leaves the session unusable: it says so next time
            raise


def _joined(base: Replication, other: Replication, names: list[str]) -> Replication:
    """One replication of the baseline and the alternative, as :func:`.run.replicate` makes it for the two.

    Args:
        names: The run's scenario names (the categories of the tables' scenario column).
    """
    def named(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
        return [frame.assign(scenario=pd.Categorical(frame["scenario"], categories=names)) for frame in frames]

    return Replication(base.replication, named(base.frames + other.frames), named(base.yearly + other.yearly), base.fit,
                       {**base.timings, **other.timings}, base.capped + other.capped, base.persons, base.weight,
                       other.hazard_bounds, base.cache_use)
