"""What a run produced, before it is written: :class:`RunResult`.

The run (:mod:`model.experiments.run`) makes it; the comparison, the part
shares, the run folder and the report's tables are made from it. It carries
the run's settings and the counters the processes declared, so everything
downstream finds a metric by its role (:mod:`model.engine.counters`), never
by its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..engine.counters import Counter, metric_of, with_role
from ..params.scenario import Scenario
from ..params.settings import RunSettings


@dataclass
class RunResult:
    """Everything a run produced.

    Attributes:
        scenarios: The scenarios, in the order given (then the part runs).
        settings: The run's settings.
        counters: The counters the processes of a month declared, in process order.
        monthly: Long table: scenario, replication, month, metric, group, (extra dimensions,) value
            (the first :data:`model.experiments.run.MONTHLY_REPLICATIONS` runs).
        yearly: Yearly values per run: scenario, replication, year, metric, group, (extra dimensions,) value.
        summary: Yearly values over the runs: scenario, year, metric, group, value (p05, p95 when there are
            several runs).
        fit: Population fit report of each replication.
        dims: Names of the extra counter dimensions (columns of the tables).
        processes: What each process of the month declares, in order (for the manifest).
        timings: Seconds spent per phase.
        capped: Hazards capped at their ceiling (should be 0).
        persons: Simulated persons at the start.
        weight: Persons represented by one simulated person.
        hazard_bounds: Every cell where a labour hazard had to be bounded, per set of margins used.
        parts: For each scenario made of parts, the runs that show each part's share
            (:func:`model.experiments.part_runs.expand`).
        part_runs: The names of those runs that are not scenarios of their own (a report leaves them out).
        cache: The cache folder used; the keys of the warmed-up states read from it, written to it, found damaged
            (removed and written again) and not written; and the notes of what went wrong with it.
        parameter_sets: With parameter sets, the drawn values (:func:`model.params.uncertainty.sets_table`).
    """

    scenarios: list[Scenario]
    settings: RunSettings
    counters: list[Counter]
    monthly: pd.DataFrame
    yearly: pd.DataFrame
    summary: pd.DataFrame
    fit: pd.DataFrame
    dims: tuple[str, ...] = ()
    processes: list[dict] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    capped: int = 0
    persons: int = 0
    weight: float = 1.0
    hazard_bounds: pd.DataFrame | None = None
    parts: dict[str, dict] = field(default_factory=dict)
    part_runs: list[str] = field(default_factory=list)
    cache: dict = field(default_factory=dict)
    parameter_sets: pd.DataFrame | None = None

    @property
    def units(self) -> dict[str, str]:
        """The unit of each metric."""
        return {c.name: c.unit for c in self.counters}

    def metric(self, role: str) -> str:
        """The metric with ``role`` (:data:`model.engine.counters.ROLES`)."""
        return metric_of(self.counters, role)

    def costs(self) -> list[Counter]:
        """The counters of public costs, in their order."""
        return with_role(self.counters, "cost")

    def parameter_set_of(self, replication):
        """The parameter set of a run (its replication number, or an array of them)."""
        return self.settings.parameter_set_of(replication)
