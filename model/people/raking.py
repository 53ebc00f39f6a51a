"""Iterative proportional fitting (raking) of a contingency table to margins.

A margin scales groups of cells so that parts of a group reach target shares
(or counts) while the group total is kept; IPF cycles over the margins until
no cell changes by more than a tolerance. Margins that contradict each other
cannot all be met; the loop then stops at ``max_iter`` and the fit report
shows what was reached for each target.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    def apply(self, table: np.ndarray) -> None:
        """Scale ``table`` in place so that this margin holds."""
        total = table[self.group].sum()
        covered = np.zeros_like(self.group)
        for part, target in zip(self.parts, self.targets):
            current = table[part].sum()
            goal = target * total if self.kind == "share" else target
            if current > 0:
                table[part] *= goal / current
            covered |= part
        if self.keep_total:
            rest = self.group & ~covered
            if rest.any():
                current = table[rest].sum()
                done = sum(table[p].sum() for p in self.parts)
                if current > 0:
                    table[rest] *= max(total - done, 0.0) / current

    def achieved(self, table: np.ndarray) -> list[float]:
        """Value reached for each part (share or count, as ``kind``)."""
        total = table[self.group].sum()
        values = [table[p].sum() for p in self.parts]
        if self.kind == "share":
            return [v / total if total > 0 else float("nan") for v in values]
        return values


def rake(seed: np.ndarray, margins: list[Margin], tol: float = 1e-10, max_iter: int = 2000) -> tuple[np.ndarray, int]:
    """Fit ``seed`` to ``margins`` by IPF.

    Args:
        seed: Non-negative table giving the interactions not fixed by margins.
        margins: Margins applied in order at every iteration.
        tol: Stop when no cell changes by more than this, relative to the total.
        max_iter: Stop after this many sweeps.

    Returns:
        The fitted table and the number of sweeps done.
    """
    table = np.array(seed, dtype=float)
    for sweep in range(1, max_iter + 1):
        before = table.copy()
        for margin in margins:
            margin.apply(table)
        if np.max(np.abs(table - before)) <= tol * table.sum():
            return table, sweep
    return table, max_iter
