"""The processes of a month, in the order they run (see :mod:`model.process`).

``default_processes()`` is the month of the model:

1. ageing: everybody gets a month older; people reaching 65 leave; free rows
   are filled to the published size and age structure;
2. transitions: in January, status now against status the January before;
   centre market: recognised career centres (``mesa.Agent`` objects) open as
   supply grows, are assessed each January under quality monitoring (ask 4)
   and replaced when they lose their mandate; the month's market is handed on;
3. VDAB follow-up (ask 3, off unless switched on): non-active users are
   invited to register as job seeker some months after their first cheque;
4. labour market: follow-up registrations, then the moves between employed,
   registered job seeker and non-active, with the effects of guidance for
   recent users (job finding, staying in work, job changes);
5. guidance outcomes: users at the evaluation horizon, and whether at work;
6. eligibility: who may order a cheque this month under the scenario's rules;
7. outreach (ask 2, off unless switched on): contacts that raise awareness
   and lower the hassle of ordering in target groups of non-active people;
   centre outreach (the supply-driven incentive, off unless switched on):
   centres reach eligible people of the target groups in their province;
8. stocks: the month's stocks by group (one pass over everybody);
9. uptake: orders of cheque 1 by aware eligible people, of cheque 2 after
   cheque 1, within the monthly cap; centre queue: each order goes to a centre,
   which starts guidance within its capacity and the year's budget (waiting
   lists, drop-outs); costs.

A new mechanism is a module with a :class:`model.process.Process` and a place
in this list (or in a list given to :class:`model.Simulation`).
"""

from __future__ import annotations

from .ageing import Ageing
from .centre_market import CentreMarket
from .centre_outreach import CentreOutreach
from .centre_queue import CentreQueue
from .counters import StockCounters
from .eligibility import Eligibility
from .followup import VdabFollowup
from .guidance import GuidanceOutcomes
from .labour_market import LabourMarket
from .outreach import Outreach
from .transitions import Transitions
from .uptake import Uptake


def default_processes() -> list:
    """A new list of the model's processes, in the order of the month."""
    return [Ageing(), Transitions(), CentreMarket(), VdabFollowup(), LabourMarket(),
            GuidanceOutcomes(), Eligibility(), Outreach(), CentreOutreach(), StockCounters(), Uptake(), CentreQueue()]


def metric_names(kind: str) -> tuple[str, ...]:
    """Names of the model's counters of one kind (``stock`` or ``flow``), in process order."""
    return tuple(c.name for p in default_processes() for c in p.counters if c.kind == kind)


__all__ = ["Ageing", "Transitions", "CentreMarket", "CentreOutreach", "CentreQueue", "VdabFollowup",
           "LabourMarket", "GuidanceOutcomes", "Eligibility", "Outreach", "Uptake", "StockCounters",
           "default_processes", "metric_names"]
