"""Iterative proportional fitting (raking) of a contingency table to margins.

A margin scales groups of cells so that parts of a group reach target shares
(or counts) while the group total is kept; IPF cycles over the margins until
no cell changes by more than a tolerance. Margins that contradict each other
cannot all be met; the loop then stops at ``max_iter`` and the fit report
shows what was reached for each target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np


@dataclass
class Margin:
    """Target for parts of a group of cells.

    Attributes:
        name: Label used in the fit report.
        group: Boolean mask of the cells whose total is kept (all cells when
            the margin sets absolute counts).
        parts: Disjoint boolean masks inside ``group``.
        targets: One target per part: a share of the group total when
            ``kind == "share"``, a number of persons when ``kind == "count"``.
        kind: ``share`` or ``count``. For ``count`` with parts that do not
            cover the group, the rest of the group takes the remainder.
    """

    name: str
    group: np.ndarray
    parts: list[np.ndarray]
    targets: list[float]
    kind: str = "share"
    keep_total: bool = True

    def __post_init__(self) -> None:
        # Each cell of the group labelled by its part (len(parts) for the rest of the group), for the
        # compiled sweeps: one pass over the group's cells gives every part's total at once. A run rakes
        # the table of every year, each with a few hundred sweeps over some twenty margins.
        covered = np.zeros(self.group.shape, dtype=np.int64)
        for part in self.parts:
            covered += part
        if covered.max(initial=0) > 1 or np.any(covered.astype(bool) & ~self.group):
            raise ValueError(f"margin '{self.name}': its parts must be disjoint and inside its group")
        labels = np.full(self.group.shape, len(self.parts), dtype=np.intp)
        for i, part in enumerate(self.parts):
            labels[part] = i
        self._cells = np.flatnonzero(self.group)
        self._labels = labels.ravel()[self._cells]
        self._goals = np.asarray(self.targets, dtype=float)

    def achieved(self, table: np.ndarray) -> list[float]:
        """Value reached for each part (share or count, as ``kind``)."""
        total = table[self.group].sum()
        values = [table[p].sum() for p in self.parts]
        if self.kind == "share":
            return [v / total if total > 0 else float("nan") for v in values]
        return values


def rake(seed: np.ndarray, margins: list[Margin], tol: float = 1e-10, max_iter: int = 2000) -> tuple[np.ndarray, int]:
    """Fit ``seed`` to ``margins`` by IPF.

    The sweeps run in one compiled kernel (:func:`_rake_sweeps`; tested equal to the first version,
    which scaled the table through each part's boolean mask): a run rakes the table of every year it
    simulates.

    Args:
        seed: Non-negative table giving the interactions not fixed by margins.
        margins: Margins applied in order at every iteration.
        tol: Stop when no cell changes by more than this, relative to the total.
        max_iter: Stop after this many sweeps.

    Returns:
        The fitted table and the number of sweeps done.
    """
    table = np.array(seed, dtype=float)  # a C-contiguous copy
    starts = np.cumsum([0] + [len(m._cells) for m in margins]).astype(np.intp)
    goal_starts = np.cumsum([0] + [len(m.parts) for m in margins]).astype(np.intp)
    cells = np.concatenate([m._cells for m in margins]).astype(np.intp) if margins else np.zeros(0, np.intp)
    labels = np.concatenate([m._labels for m in margins]).astype(np.intp) if margins else np.zeros(0, np.intp)
    goals = np.concatenate([m._goals for m in margins]) if margins else np.zeros(0)
    shares = np.array([m.kind == "share" for m in margins], dtype=np.bool_)
    keep = np.array([m.keep_total for m in margins], dtype=np.bool_)
    sweeps = _rake_sweeps(table.reshape(-1), starts, cells, labels, goal_starts, goals, shares, keep, tol, max_iter)
    return table, sweeps


@numba.njit(cache=True)
def _rake_sweeps(flat, starts, cells, labels, goal_starts, goals, shares, keep, tol, max_iter):  # pragma: no cover
    """Sweep the margins over ``flat`` (in place) until no cell moves by more than ``tol`` of the total."""
    before = np.empty_like(flat)
    for sweep in range(1, max_iter + 1):
        before[:] = flat
        for m in range(len(starts) - 1):
            k = goal_starts[m + 1] - goal_starts[m]
            sums = np.zeros(k + 1)
            for j in range(starts[m], starts[m + 1]):
                sums[labels[j]] += flat[cells[j]]
            total = 0.0
            for i in range(k + 1):
                total += sums[i]
            factors = np.ones(k + 1)
            done = 0.0
            for i in range(k):
                goal = goals[goal_starts[m] + i] * total if shares[m] else goals[goal_starts[m] + i]
                if sums[i] > 0:
                    factors[i] = goal / sums[i]
                    done += goal
            if keep[m] and sums[k] > 0:
                factors[k] = max(total - done, 0.0) / sums[k]
            for j in range(starts[m], starts[m + 1]):
                flat[cells[j]] *= factors[labels[j]]
        change = 0.0
        for c in range(len(flat)):
            change = max(change, abs(flat[c] - before[c]))
        if change <= tol * flat.sum():
            return sweep
    return max_iter
