"""The effect of guidance per user, computed by the model: an experiment inside the simulation.

The effect parameters (``behaviour.guidance_effect.*``) are monthly rates; what
the literature reports is a difference in the share at work about two years
later. :func:`measure` turns one into the other. It warms a scenario up to its
first reported month, gives guidance at that month to the people who may
order a cheque, and follows them for ``behaviour.guidance_effect.evaluation_months``
months twice, from the same state and with the same random numbers: once as
the scenario stands, once with every effect of guidance set to zero. The
difference is the net effect; the share at work without the effects is what
would have happened anyway.

Users select themselves (a latent readiness raises both their take-up and
their chance of returning), so each person treated counts with a weight equal
to their monthly hazard of starting cheque 1: the weighted averages describe
the people who would actually take the cheque up. The unweighted share at work
of everybody eligible, without guidance, shows how much more ready users are
than their peers; deadweight is the share of users at work after guidance who
would have been at work without it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..mechanisms.centres.choice import choose
from ..mechanisms.cheques.rules import cheques_used, record_start
from ..mechanisms.eligibility.rules import is_eligible
from ..mechanisms.uptake.hazards import cheque1_hazard
from ..params.calendar import month_date
from ..params.scenario import ScenarioError
from ..params.tree import ParameterTree
from ..people import codes
from ..results.atomic import RunFolder, atomic_folder
from ..results.provenance import provenance
from .build import Builder, Run

# Every parameter through which guidance changes a user's labour-market path.
EFFECT_PARAMETERS = {
    "behaviour.guidance_effect.extra_job_finding_rate": 0.0,
    "behaviour.guidance_effect.employed_non_active_exit_reduction": 0.0,
    "behaviour.guidance_effect.job_change_rate": 0.0,
    "behaviour.guidance_effect.job_change_separation_reduction": 0.0,
}
GROUPS = ("non_employed", "employed")
EFFECTS_FILE = Path(__file__).resolve().parents[1] / "params" / "targets" / "effects.yaml"


def literature_range(path: Path | None = None) -> tuple[float, float]:
    """The literature's range of the net effect per non-employed user (low, high), from ``params/targets/effects.yaml``.

    Raises:
        ValueError: naming the file and key, for a missing entry or a range that is not 0 <= low <= high <= 1.
    """
    from ..params.yamlfile import parse_yaml, read_text

    path = path or EFFECTS_FILE
    raw = parse_yaml(read_text(path, ValueError, "effects file"), str(path), ValueError)
    entry = raw.get("net_effect_non_employed") if isinstance(raw, dict) else None
    low, high = (entry.get("low"), entry.get("high")) if isinstance(entry, dict) else (None, None)
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high))
    if not numbers or not 0 <= low <= high <= 1:
        raise ValueError(f"{path}: key 'net_effect_non_employed' needs low and high, fractions with "
                         f"0 <= low <= high <= 1; got low={low!r}, high={high!r}")
    return float(low), float(high)
MAX_TREATED_WORKERS = 40_000  # simulated workers given guidance (a random subset of those eligible)


@dataclass
class GuidanceEffect:
    """The result of :func:`measure`.

    Attributes:
        table: One row per group of users (``non_employed``: non-active
            re-entrants; ``employed``: workers), with the persons treated,
            the users' shares at work after the horizon with and without the
            effects (hazard-weighted), the net effect in percentage points, the
            deadweight share, the share at work without guidance of people of
            the users' cells but without self-selection on readiness
            (``at_work_same_cells``), and the unweighted share of everybody
            eligible (``at_work_all_eligible``).
        scenario: Name of the scenario the experiment ran in.
        month: Month number of the guidance.
        horizon: Months followed.
    """

    table: pd.DataFrame
    scenario: str
    month: int
    horizon: int

    def net_effect(self, group: str = "non_employed") -> float:
        """Net effect on the share at work (a fraction; 0.05 is +5 percentage points)."""
        return float(self.table.loc[group, "net_effect"])

    def within_literature(self) -> bool | None:
        """Whether the net effect per non-employed user lies in the literature's range (None without such users)."""
        value = self.net_effect("non_employed")
        if np.isnan(value):
            return None
        low, high = literature_range()
        return low <= value <= high

    def __str__(self) -> str:
        when = month_date(self.month).isoformat()[:7]
        lines = [f"Effect of guidance given in {when} in '{self.scenario}', followed {self.horizon} months "
                 f"(same people and random numbers, effects on and off):"]
        for group, row in self.table.iterrows():
            if row["treated"] == 0:
                lines.append(f"  {group} users: nobody eligible")
                continue
            lines.append(
                f"  {group} users ({int(row['treated']):,} simulated): at work {row['at_work_with_guidance']:.1%} with "
                f"guidance, {row['at_work_without_guidance']:.1%} without; net effect {row['net_effect'] * 100:+.1f} "
                f"points; deadweight {row['deadweight']:.0%} of users at work. Without guidance, people of the "
                f"same cells: {row['at_work_same_cells']:.1%}; everybody eligible: {row['at_work_all_eligible']:.1%}")
        within = self.within_literature()
        if within is not None:
            low, high = literature_range()
            lines.append(f"  net effect per non-employed user {'within' if within else 'OUTSIDE'} the literature's range "
                         f"of {low * 100:+.0f} to {high * 100:+.0f} points (model/params/targets/effects.yaml)")
        return "\n".join(lines)


def without_effects(tree: ParameterTree, from_month: int) -> ParameterTree:
    """The parameter tree with every effect of guidance set to zero from ``from_month`` on."""
    start = f"{month_date(from_month).isoformat()}.."
    return tree.with_overrides({path: {start: value} for path, value in EFFECT_PARAMETERS.items()},
                               "effects switched off")


def horizon_months(plan: Run) -> int:
    """Months the users are followed (``behaviour.guidance_effect.evaluation_months``), checked against the run's end.

    Raises:
        ScenarioError: when the run ends before the horizon.
    """
    settings = plan.settings
    horizon = plan.first.tree.at(month_date(settings.start_month))["behaviour.guidance_effect.evaluation_months"]
    if settings.start_month + horizon - 1 > settings.end_month:  # guidance at start - 1, followed to start + horizon - 1
        raise ScenarioError(f"scenario '{plan.first.name}': the effect needs {horizon} months after "
                            f"{settings.start}, but the run ends {settings.end}")
    return horizon


def measure(plan: Run, replication: int = 0) -> GuidanceEffect:
    """Run the experiment in the run's first scenario (its scale and seed) at its first reported month.

    Args:
        plan: A run of one scenario (:meth:`model.experiments.build.Run.of`), e.g. ``herintreders``
            so that non-active re-entrants may order cheques.
        replication: Replication whose random numbers are used.
    """
    scenario = plan.first
    m0 = plan.settings.start_month
    horizon = horizon_months(plan)
    builder = Builder(plan, replication)
    start, _ = builder.initial_state()
    warm = builder.model(scenario, start)
    warm.run_until(m0 - 1)
    state = warm.state
    pop, p = state.people, warm.params(m0)

    # Awareness is a draw independent of the rest (outreach aside, which informs chosen groups): the
    # unaware may stand in for the aware, and treating every eligible person gives a larger sample.
    eligible = np.flatnonzero(is_eligible(pop, m0, p) & (cheques_used(pop, m0, p) == 0))
    non_employed = eligible[pop.status[eligible] != codes.EMPLOYED]
    workers = eligible[pop.status[eligible] == codes.EMPLOYED]
    if len(workers) > MAX_TREATED_WORKERS:
        pick = state.streams.generator("effects_sample", m0).choice(len(workers), MAX_TREATED_WORKERS, replace=False)
        workers = np.sort(workers[pick])
    groups = {"non_employed": non_employed, "employed": workers}
    weights = {g: cheque1_hazard(pop, rows, p, m0) for g, rows in groups.items()}
    # The same cells without self-selection: the hazard with readiness left out.
    no_selection = p.updated({"behaviour.readiness.uptake_loading_non_active": 0.0})
    cell_weights = {g: cheque1_hazard(pop, rows, no_selection, m0) for g, rows in groups.items()}
    treated = np.concatenate(list(groups.values()))
    status_at_start = pop.status[treated].copy()
    # Guidance started the month before m0: users are recent users from m0 for the effect window,
    # at a centre each chooses as users do, whose quality scales their effects.
    record_start(pop, treated, m0 - 1, p)
    pop.cheque1_status[treated] = status_at_start
    market = state.process_data["centre_market"]["arrays"]
    u = state.streams.row_uniforms("centre_choice", m0 - 1, treated)
    slot = choose(pop.province[treated].astype(np.intp), u, market, p)
    pop.centre[treated] = slot
    pop.guidance_quality[treated] = np.where(slot >= 0, market.quality[np.maximum(slot, 0)], 1.0)

    at_work = {}
    # the arm without the effects first: it is the replication's reference world, whose mean job-finding weights
    # both arms use (model.mechanisms.labour_market.reference), so it is the same whatever the effects' size
    for label, tree in (("off", without_effects(scenario.tree, m0 - 1)), ("on", scenario.tree)):
        arm = builder.model(dataclasses.replace(scenario, tree=tree), state.snapshot())
        arm.run_until(m0 + horizon - 1)
        people = arm.people
        at_work[label] = {g: people.status[rows] == codes.EMPLOYED for g, rows in groups.items()}
        present = {g: people.status[rows] != codes.ABSENT for g, rows in groups.items()}
    rows = []
    for g in GROUPS:
        w = weights[g] * present[g]  # people who left (65, emigration) are left out, the same in both arms
        total = w.sum()
        on = float((w * at_work["on"][g]).sum() / total) if total > 0 else np.nan
        off = float((w * at_work["off"][g]).sum() / total) if total > 0 else np.nan
        stay = present[g]
        wc = cell_weights[g] * present[g]
        rows.append({
            "group": g, "treated": int(len(groups[g])),
            "at_work_with_guidance": on, "at_work_without_guidance": off, "net_effect": on - off,
            "deadweight": off / on if on > 0 else np.nan,
            "at_work_same_cells": float((wc * at_work["off"][g]).sum() / wc.sum()) if wc.sum() > 0 else np.nan,
            "at_work_all_eligible": float(at_work["off"][g][stay].mean()) if stay.any() else np.nan,
        })
    return GuidanceEffect(pd.DataFrame(rows).set_index("group"), scenario.name, m0, horizon)


def write(effect: GuidanceEffect, plan: Run, folder: RunFolder, command: list[str]) -> Path:
    """Write the run folder of ``loopbaan effects``: ``guidance_effect.csv`` and a manifest."""
    with atomic_folder(folder) as (tmp, final):
        effect.table.reset_index().to_csv(tmp / "guidance_effect.csv", index=False)
        manifest = {
            "run": final.name, "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": command, "settings": plan.settings.model_dump(), "scenarios": [plan.first.to_manifest()],
            "seed": plan.settings.seed, "guidance_month": month_date(effect.month).isoformat()[:7],
            "horizon_months": effect.horizon, "summary": str(effect), **provenance(),
            "files": ["guidance_effect.csv", "manifest.json"],
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return folder.final

