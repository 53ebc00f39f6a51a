"""The reference world's mean job-finding weights, shared by every scenario of a replication.

An out-of-work person's job-finding weight is divided by the mean weight of
their state and weight group (:mod:`.moves`), so that readiness and time out
decide *who* finds work and the cell's hazard *how many*. Were each scenario to
take that mean over its own people, a scenario that moves a few people into
work would shift the mean, and with it, a little, the hazard of everybody else
in their group: each of those tiny shifts moves someone at the edge of their
interval, whose life then runs differently, and so on. In a run of the law and
ask 1 at scale 0.1, this spillover gave as many people a different working life
as the ask itself (8 to 23 non-users, adding -68 to +31 person-years of pure
noise per run to an effect of about +80). It is not a mechanism of the labour
market (the model has no displacement), only a side effect of the normalising.

So, over the reported months, the first scenario of a replication to simulate
a month (the run's first scenario: its reference) records the mean it used,
and every other scenario of that replication uses the same mean in that month,
if its weights have the same parameters (else its own mean: a scenario that
changes how the weights are made changes the mean too). A scenario then moves
nobody's hazard except through the people it really moves. The warm-up months
always use their own mean, so that a warm-up read from the cache is the same as
one simulated.
"""

from __future__ import annotations

import numpy as np

REFERENCE = "labour_market.reference_means"  # the engine resource holding a replication's ReferenceMeans


class ReferenceMeans:
    """The mean job-finding weights of the reference world, month by month (an engine resource of a replication)."""

    def __init__(self) -> None:
        self.by_month: dict[int, tuple[tuple, np.ndarray]] = {}

    def mean(self, month: int, parameters: tuple, own: np.ndarray) -> np.ndarray:
        """The mean to use in ``month``: the reference's if recorded with the same ``parameters``, else ``own``.

        The first call for a month records ``own`` as the reference's.

        Args:
            parameters: The parameters the weights are made with (:func:`.moves.weight_parameters`).
            own: The scenario's own mean (status x weight group).
        """
        recorded = self.by_month.setdefault(month, (parameters, own))
        return recorded[1] if recorded[0] == parameters else own
