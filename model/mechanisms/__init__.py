"""Layer 4, the mechanisms: one folder each, and the month in one list.

A mechanism's folder holds its process (:class:`model.engine.process.Process`),
its behaviour and rules, and its compiled kernel, side by side. The month of
the model is :data:`MONTH`, in this order (the tests hold this list to it):

1. ``ageing``: everybody gets a month older; people reaching 65 leave; free
   rows are filled to the published size and age structure (:mod:`.ageing`);
2. ``transitions``: in January, status now against status the January before (:mod:`.transitions`);
3. ``centre_market``: recognised career centres (``mesa.Agent`` objects) open as
   supply grows, are assessed each January under quality monitoring (ask 4)
   and replaced when they lose their mandate; the month's market is handed on
   (:mod:`.centres.market`);
4. ``vdab_followup``: (ask 3, off unless switched on) non-active users are
   invited to register as job seeker some months after their first cheque (:mod:`.vdab_followup`);
5. ``labour_market``: follow-up registrations, then the moves between employed,
   registered job seeker and non-active, with the effects of guidance for
   recent users (job finding, staying in work, job changes) (:mod:`.labour_market`);
6. ``guidance_outcomes``: users at the evaluation horizon, and whether at work (:mod:`.guidance`);
7. ``eligibility``: who may order a cheque this month under the scenario's rules (:mod:`.eligibility`);
8. ``outreach``: (ask 2, off unless switched on) contacts that raise awareness
   and lower the hassle of ordering in target groups of non-active people (:mod:`.outreach`);
9. ``centre_outreach``: (the supply-driven incentive, off unless switched on)
   centres reach eligible people of the target groups in their province (:mod:`.centres.outreach`);
10. ``stocks``: the month's stocks by group (one pass over everybody) (:mod:`.stocks`);
11. ``employment_margins``: each raked group's employment rate against the one
    its table holds and the published one (:mod:`.margins`);
12. ``uptake``: orders of cheque 1 by aware eligible people, of cheque 2 after
    cheque 1, within the monthly cap (:mod:`.uptake`);
13. ``centre_queue``: each order goes to a centre, which starts guidance within
    its capacity and the year's budget (waiting lists, drop-outs); costs (:mod:`.centres.queue`).

The rules of the cheque itself (windows, prices, costs) are in :mod:`.cheques`:
uptake and the centres' queue use them. A new mechanism is a folder with a
process and its place in :data:`MONTH` (or in a list given to
:class:`model.Simulation`); ``docs/architecture.md`` walks through one.
"""

from __future__ import annotations

from ..engine.process import Process
from .ageing.process import Ageing
from .centres.market import CentreMarket
from .centres.outreach import CentreOutreach
from .centres.queue import CentreQueue
from .eligibility.process import Eligibility
from .guidance.process import GuidanceOutcomes
from .labour_market.process import LabourMarket
from .margins.process import EmploymentMargins
from .outreach.process import Outreach
from .stocks.process import StockCounters
from .transitions.process import Transitions
from .uptake.process import Uptake
from .vdab_followup.process import VdabFollowup

# The month, in order.
MONTH: tuple[type[Process], ...] = (Ageing, Transitions, CentreMarket, VdabFollowup, LabourMarket, GuidanceOutcomes,
                                    Eligibility, Outreach, CentreOutreach, StockCounters, EmploymentMargins, Uptake,
                                    CentreQueue)


def default_processes() -> list[Process]:
    """A new list of the model's processes (new instances), in the order of the month."""
    return [process() for process in MONTH]


def metric_names(kind: str) -> tuple[str, ...]:
    """Names of the model's counters of one kind (``stock`` or ``flow``), in process order."""
    return tuple(c.name for p in MONTH for c in p.counters if c.kind == kind)
