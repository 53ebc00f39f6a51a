"""Scenario discovery: under which assumptions does an output pass a threshold (PRIM, from the EMA workbench).

PRIM (the Patient Rule Induction Method, Friedman and Fisher 1999, as used in
scenario discovery by Bryant and Lempert 2010) peels the box of the swept
parameters' ranges, a little at a time, keeping the part where the runs of
interest are densest. Each step trades *coverage* (the share of all runs of
interest inside the box) for *density* (the share of the runs inside the box
that are of interest). The box chosen is the one of largest coverage whose
density reaches the asked density (or else the densest). Its limits on the
parameters it restricts answer the question "under which assumptions ...";
the quasi-p-value of each limit says how likely so tight a limit is by chance.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Discovery:
    """The box PRIM found.

    Attributes:
        question: The question in words (``extra_employed above 100``).
        cases: Runs that meet the condition.
        runs: Runs in all.
        box: One row per parameter: low and high of the box, whether the box restricts it, and the
            quasi-p-values of its lower and upper limits (empty when no box could be sought).
        trajectory: The peeling trajectory: coverage, density, mass and restricted dimensions of each box.
        chosen: The chosen box's row of ``trajectory`` (None when no box could be sought).
        note: Why no box was sought, if so.
        density_asked: The least density asked of the box.
    """

    question: str
    cases: int
    runs: int
    box: pd.DataFrame
    trajectory: pd.DataFrame
    chosen: int | None
    note: str = ""
    density_asked: float = 0.8

    def summary(self) -> dict:
        """The chosen box's statistics and restricted limits, for ``discovery.json`` and the terminal."""
        if self.chosen is None:
            return {"question": self.question, "cases": self.cases, "runs": self.runs, "note": self.note}
        row = self.trajectory.loc[self.chosen]
        limits = self.box[self.box["restricted"]]
        return {"question": self.question, "cases": self.cases, "runs": self.runs,
                "coverage": float(row["coverage"]), "density": float(row["density"]), "mass": float(row["mass"]),
                "limits": {p: [float(lo), float(hi)] for p, lo, hi in zip(limits["parameter"], limits["low"],
                                                                         limits["high"])}}

    def lines(self) -> list[str]:
        """The answer in words."""
        head = f"{self.question}: {self.cases} of {self.runs} runs"
        if self.chosen is None:
            return [f"{head}; {self.note}"]
        s = self.summary()
        out = [f"{head}. PRIM's box holds {s['coverage']:.0%} of them (coverage), and {s['density']:.0%} of the runs "
               f"in it meet the condition (density; {s['mass']:.0%} of all runs are in it)."]
        if s["density"] < self.density_asked:
            out[-1] += f" No box reaches the density asked ({self.density_asked:.0%}): this is the densest."
        out[-1] += " The box:"
        restricted = self.box[self.box["restricted"]]
        for _, r in restricted.iterrows():
            out.append(f"  {r['parameter']} from {r['low']:.4g} to {r['high']:.4g} "
                       f"(quasi-p {np.nanmin([r['qp_low'], r['qp_high']]):.2g})")
        if restricted.empty:
            out.append("  no restriction: the condition holds about as often everywhere in the ranges")
        elif (restricted[["qp_low", "qp_high"]].min(axis=1) > 0.05).any():
            out.append("  (a limit with a quasi-p above 0.05 could well be chance)")
        return out


def discover(x: pd.DataFrame, y: np.ndarray, question: str, density: float = 0.8) -> Discovery:
    """Run PRIM on the runs ``x`` (one column per parameter) whose condition is ``y`` (booleans).

    Args:
        density: The least density of the box chosen.
    """
    y = np.asarray(y, dtype=bool)
    cases, runs = int(y.sum()), len(y)
    empty = pd.DataFrame(columns=["parameter", "low", "high", "restricted", "qp_low", "qp_high"])
    if cases == 0 or cases == runs:
        note = "no run meets it" if cases == 0 else "every run meets it"
        return Discovery(question, cases, runs, empty, pd.DataFrame(), None, f"no box to find: {note}")
    with warnings.catch_warnings():  # the workbench warns of optional parts it does not need here
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        found = prim.Prim(x.astype(float), y).find_box()
    trajectory = found.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].copy()
    dense = trajectory[trajectory["density"] >= density]
    chosen = int(dense["coverage"].idxmax()) if len(dense) else int(trajectory["density"].idxmax())
    limits = found.box_lims[chosen]
    initial = found.box_lims[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, table = found.inspect(chosen, style="data")[0]
    qp = table.iloc[:, 2:4].reindex(x.columns)
    box = pd.DataFrame({
        "parameter": list(x.columns),
        "low": [float(limits.loc[0, c]) for c in x.columns],
        "high": [float(limits.loc[1, c]) for c in x.columns],
        "restricted": [bool(limits.loc[0, c] > initial.loc[0, c] or limits.loc[1, c] < initial.loc[1, c])
                       for c in x.columns],
        "qp_low": qp.iloc[:, 0].to_numpy(dtype=float),
        "qp_high": qp.iloc[:, 1].to_numpy(dtype=float),
    })
    return Discovery(question, cases, runs, box, trajectory, chosen, density_asked=density)
