"""The calibration objective: labour paths recorded once, uptake replayed in expectation.

Simulating the back-cast for every candidate set of behavioural parameters
would make the objective a step function (each sampled start appears or
vanishes at a threshold) and slow. Instead:

1. :func:`record_paths` runs the engine once at reduced scale, with common
   random numbers, and records per month and row what the uptake hazards
   depend on: the hazard cell (sex, age group, education, migration,
   disability, status), eligibility, the awareness draw, and which rows
   were given to new people.
2. :func:`expected_tallies` replays the uptake of cheques 1 and 2 on these
   paths *in expectation*: each row carries the probability that its person
   has not yet started cheque 1, and, per month of a cheque-1 start, the
   probability that cheque 2 has not yet followed. The hazards come from the
   engine's own functions (:mod:`model.mechanisms.uptake.hazards`), evaluated per
   hazard cell (:func:`model.mechanisms.uptake.hazards.cell_hazards`). The
   expected starts are smooth in the parameters and exactly reproducible for a seed.

What the replay leaves out: the feedback of uptake on the labour paths (the
guidance effect on recent users' labour moves). Under the 2013 rules only
people at work can order a cheque, so this feedback barely moves
eligibility; the calibration records the paths again with the fitted values
(``rounds``) to take it into account.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ...engine.process import Month, Process
from ...mechanisms import default_processes
from ...mechanisms.uptake import awareness, hazards
from ...params.calendar import month_date, month_number
from ...params.scenario import Scenario
from ...params.tree import ParameterSet, ParameterTree
from ...people.groups import GROUPS, MEMBERSHIP, group_keys
from ..build import Builder, Run
from .targets import Tallies


@dataclass
class Paths:
    """What the uptake hazards depend on, per recorded month and row.

    Attributes:
        months: Month numbers recorded (from the scenario's first month).
        cells: Hazard cell of each row (:func:`model.mechanisms.uptake.hazards.hazard_cell`), shape (months, rows).
        eligible: Eligibility under the scenario's rules, shape (months, rows).
        draws: Awareness draw of each row, shape (months, rows).
        renewed: Per month, the rows given to new people that month.
        params: Parameters in force each month (the tree the paths were recorded with).
        weight: Persons represented by one row.
        seconds: Time spent recording.
    """

    months: list[int]
    cells: np.ndarray
    eligible: np.ndarray
    draws: np.ndarray
    renewed: list[np.ndarray]
    params: list[ParameterSet]
    weight: float
    seconds: float = 0.0


class _RecordPaths(Process):
    """A process placed just before uptake: notes what the uptake hazards depend on."""

    name = "record_paths"
    reads = ("status", "self_employed", "age_months")
    needs = ("eligible", "renewed_rows")

    def __init__(self, paths: Paths):
        self.paths = paths

    def step(self, model, month: Month) -> None:
        """Note the hazard cells, eligibility, awareness draws and renewed rows of the month."""
        i = month.number - self.paths.months[0]
        self.paths.cells[i] = hazards.hazard_cell(month.people)
        self.paths.eligible[i] = month.values["eligible"].mask
        self.paths.draws[i] = month.people.awareness_draw
        self.paths.renewed.append(month.values["renewed_rows"].copy())
        self.paths.params.append(model.params(month.number))


def replay_limits(tree: ParameterTree, first: int, last: int) -> str | None:
    """What the replay cannot do on this horizon, or None.

    The replay does not reopen a window (horizon longer than the window) and
    counts at most two cheques per window (the engine would count a third
    cheque as a cheque-2 start).
    """
    params = [tree.at(month_date(m)) for m in range(first, last + 1)]
    window = min(p["cheque.cheques.window_months"] for p in params)
    if last - first + 1 > window:
        return (f"the calibration horizon ({last - first + 1} months from {month_date(first):%Y-%m}) is longer "
                f"than the cheque window ({window} months); the replay does not reopen windows")
    most = max(p["cheque.cheques.max_per_window"] for p in params)
    if most > 2:
        return f"cheque.cheques.max_per_window is {most} in the calibration horizon; the replay handles at most 2"
    return None


def record_paths(scenario: Scenario, tree: ParameterTree, scale: float, seed: int, last_year: int) -> Paths:
    """Run the scenario's engine at ``scale`` from its first month to December of ``last_year``, recording paths.

    Raises:
        ValueError: if the horizon is longer than the cheque window (the replay
            does not reopen windows).
    """
    t0 = time.perf_counter()
    first, last = scenario.settings.first_month, month_number(last_year, 12)
    months = list(range(first, last + 1))
    problem = replay_limits(tree, first, last)
    if problem:
        raise ValueError(problem)
    # the horizon as a run's: from the scenario's first month to the last one, which alone is reported
    settings = scenario.settings.updated(scale=scale, seed=seed, start=f"{last_year}-12", end=f"{last_year}-12",
                                         warmup_months=last - first)
    builder = Builder(Run([dataclasses.replace(scenario, tree=tree)], settings), 0)
    people, _ = builder.population()
    n = len(people)
    paths = Paths(months, np.zeros((len(months), n), np.uint16), np.zeros((len(months), n), bool),
                  np.zeros((len(months), n), np.float32), [], [], builder.weight)
    processes = default_processes()
    processes.insert(next(i for i, p in enumerate(processes) if p.name == "uptake"), _RecordPaths(paths))
    builder.start(people, processes).run_until(last)
    paths.seconds = time.perf_counter() - t0
    return paths


def _cell_groups(p: ParameterSet, month: int) -> np.ndarray:
    """0/1 matrix (groups x hazard cells): which reported groups each cell belongs to."""
    cells = hazards.cell_population()
    return MEMBERSHIP[:, group_keys(cells, slice(None), month, p)]


def expected_tallies(paths: Paths, values: Mapping[str, object], first_year: int, last_year: int) -> Tallies:
    """Expected yearly cheque starts by group, with the parameters in ``values`` replacing the recorded ones.

    Args:
        paths: Recorded labour paths.
        values: ``{parameter path: value}`` in force at every recorded month.
        first_year: First year tallied.
        last_year: Last year tallied.
    """
    n_months, n_rows = paths.eligible.shape
    years = list(range(first_year, last_year + 1))
    starts1 = np.zeros((len(years), hazards.N_CELLS))
    starts2 = np.zeros((len(years), hazards.N_CELLS))
    not_started = np.ones(n_rows)  # P(no cheque 1 yet)
    params = [p.updated(values) for p in paths.params]
    levels = np.array([awareness.awareness_level(p) for p in params], dtype=np.float32)
    # Rows that can ever start cheque 1 (eligible while aware); only they can reach cheque 2.
    active = np.flatnonzero((paths.eligible & (paths.draws < levels[:, None])).any(axis=0))
    position = np.full(n_rows, -1)
    position[active] = np.arange(len(active))
    # waiting[j, k]: P(cheque 1 started in month k and no cheque 2 since), for active row j
    waiting = np.zeros((len(active), n_months))
    for i, month in enumerate(paths.months):
        p = params[i]
        renewed = paths.renewed[i]
        if len(renewed):  # a new person in the row: nothing used yet
            not_started[renewed] = 1.0
            waiting[position[renewed][position[renewed] >= 0]] = 0.0
        eligible = paths.eligible[i]
        cells = paths.cells[i]
        max_cheques = p["cheque.cheques.max_per_window"]
        started1 = np.zeros(n_rows)
        if max_cheques >= 1:
            at_risk = eligible & (paths.draws[i] < levels[i])
            # The engine accepts a candidate drawn at the ceiling rate with hazard / ceiling: above it, capped.
            hazard = np.minimum(hazards.cell_hazards(p), p["simulation.hazard_ceiling"]["uptake_cheque1"])[cells]
            started1 = not_started * hazard * at_risk
            not_started -= started1
        started2 = np.zeros(len(active))
        if i > 0 and max_cheques >= 2:
            hazard2 = hazards.cheque2_hazard_after(i - np.arange(i), p)  # by month of cheque 1
            ok = np.flatnonzero(eligible[active])
            block = waiting[ok, :i] * hazard2
            started2[ok] = block.sum(axis=1)
            waiting[ok, :i] -= block
        waiting[:, i] = started1[active]
        y = month_date(month).year - first_year
        if 0 <= y < len(years):
            starts1[y] += np.bincount(cells, weights=started1, minlength=hazards.N_CELLS)
            starts2[y] += np.bincount(cells[active], weights=started2, minlength=hazards.N_CELLS)
    groups = _cell_groups(paths.params[-1], paths.months[-1])
    out: dict[tuple[str, str, int], float] = {}
    for metric, starts in (("starts_cheque1", starts1), ("starts_cheque2", starts2)):
        by_group = starts @ groups.T * paths.weight
        for y, year in enumerate(years):
            for g, group in enumerate(GROUPS):
                out[(metric, group, year)] = float(by_group[y, g])
    return Tallies(out)
