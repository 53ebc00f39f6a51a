"""The whole state of one simulation, in one object that can be snapshotted and restored.

The state holds the people (columns), the institutions (``mesa.Agent`` objects such
as career centres or VDAB, by kind), the counters, the current month, the
random streams of the replication and each process's own data. A warm-up
shared by several scenarios hands all of it over: every scenario continues
from its own copy of the warmed-up state, institutions included.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import mesa

from ..people.population import Population
from .counters import Recorder
from .randomness import Streams


@dataclass
class SimulationState:
    """Everything that changes during a simulation.

    Attributes:
        people: The population (changed in place month by month).
        month: The next month to simulate (:func:`model.params.calendar.month_number`).
        first_month: The first simulated month (warm-up included).
        record_from: First recorded month; counters start there.
        weight: Persons represented by one simulated person.
        streams: Random streams of the replication (the same in every scenario).
        counters: Monthly counters of the recorded months.
        institutions: ``mesa.Agent`` objects by kind (for example ``"career_centres"``).
        process_data: Each process's own state, by process name.
    """

    people: Population
    month: int
    first_month: int
    record_from: int
    weight: float
    streams: Streams
    counters: Recorder
    institutions: dict[str, list[mesa.Agent]] = field(default_factory=dict)
    process_data: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def last_month(self) -> int:
        """Last recorded month."""
        return self.record_from + self.counters_months - 1

    @property
    def counters_months(self) -> int:
        """Number of recorded months."""
        first = next(iter(self.counters.data.values()), None)
        return 0 if first is None else first.shape[0]

    def snapshot(self) -> SimulationState:
        """An independent copy: continuing from it gives the same months as continuing this state.

        Institutions are copied without the model they belong to; the model
        that continues from the copy adopts them (:meth:`LoopbaanModel.adopt`).
        """
        agents = [a for kind in self.institutions.values() for a in kind]
        memo: dict[int, Any] = {id(a.model): None for a in agents}
        return SimulationState(
            people=self.people.copy(), month=self.month, first_month=self.first_month, record_from=self.record_from,
            weight=self.weight,
            streams=self.streams, counters=self.counters.copy(),
            institutions=copy.deepcopy(self.institutions, memo),
            process_data=copy.deepcopy(self.process_data),
        )
