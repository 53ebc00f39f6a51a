"""The processes of a month, in the order they run (see :mod:`model.process`).

``DEFAULT_PROCESSES`` is the month of the model:

1. ageing: everybody gets a month older; people reaching 65 leave; free rows
   are filled to the published size and age structure;
2. labour market: moves between employed, registered job seeker and
   non-active, with extra rates for recent cheque users (guidance effect);
3. eligibility: who may order a cheque this month under the scenario's rules;
4. stocks: the month's stocks by group (in a second thread while 5 and 6 run);
5. uptake: cheque 1 for aware eligible people, cheque 2 after cheque 1; costs;
6. guidance effects: job changes of employed recent users.

A new mechanism is a module with a :class:`model.process.Process` and a place
in this list (or in a list given to :class:`model.Simulation`).
"""

from __future__ import annotations

from .ageing import Ageing
from .counters import StockCounters
from .eligibility import Eligibility
from .guidance import GuidanceEffects
from .labour_market import LabourMarket
from .uptake import Uptake


def default_processes() -> list:
    """A new list of the model's processes, in the order of the month."""
    return [Ageing(), LabourMarket(), Eligibility(), StockCounters(), Uptake(), GuidanceEffects()]


def metric_names(kind: str) -> tuple[str, ...]:
    """Names of the model's counters of one kind (``stock`` or ``flow``), in process order."""
    return tuple(c.name for p in default_processes() for c in p.counters if c.kind == kind)


__all__ = ["Ageing", "LabourMarket", "Eligibility", "StockCounters", "Uptake", "GuidanceEffects", "default_processes",
           "metric_names"]
