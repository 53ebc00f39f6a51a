"""Sweeps over parameters: a grid, a Morris screening or Sobol' indices (SALib) of a scenario's difference against its baseline.

A sweep file names the scenario, its baseline, the outputs (items of the
comparison, :func:`model.results.comparison.model_items`, group ``all``) and the parameters with their
ranges (by default the parameter's own plausible ``range``). Each point of the
design sets the parameters to its values for the whole simulation, in the
scenario *and* its baseline (an assumption holds in both worlds), and runs
the pair at the sweep's scale, seed and replications with common random
numbers; its outputs are the mean paired differences.

Each finished point is written at once to ``points/`` of the sweep's folder
(atomically); a failed point is written to ``failed/`` with its parameters and
the error, and does not stop the others. Run again, a sweep skips the points
it has, so an interrupted sweep loses nothing. The folder's name holds a digest
of the sweep file, so another sweep never mixes its points with these. When
every point is done, ``results.csv`` (one row per point) and, for Morris,
``morris.csv`` (mu*, its 95% interval, sigma, per output and parameter), or for
Sobol' ``sobol.csv`` (first-order and total indices with their intervals), are
written once; the sweep's charts (``morris.png`` ...) are drawn from them by the
report layer (:mod:`model.report.charts.sweeps`; ``model.Sweep`` and ``loopbaan
sweep`` draw them).

Usage::

    loopbaan sweep sweeps/effects_screening.yaml [--workers 2]
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..engine.interrupts import stop_within
from ..params.scenario import Scenario, ScenarioError
from ..params.tree import ParameterError, ParameterTree
from ..params.yamlfile import excerpt, parse_yaml, read_text, validation_lines
from ..results.comparison import compare, model_items
from .backends import checked_scheduler, checked_workers, run_all
from .build import Run
from .run import run as run_plan

SWEEP_DIR = Path(__file__).resolve().parents[2] / "sweeps"


class SweepError(ScenarioError):
    """A sweep file or its parameters are not usable (nothing was run)."""


class Range(BaseModel):
    """The range of one swept parameter (default: the parameter's plausible ``range``)."""

    model_config = ConfigDict(extra="forbid", strict=True)
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)


class DiscoverySpec(BaseModel):
    """A scenario-discovery question (PRIM, :mod:`model.experiments.discovery`): when does an output pass a threshold?"""

    model_config = ConfigDict(extra="forbid", strict=True)
    output: str
    above: float | None = Field(default=None, allow_inf_nan=False)
    below: float | None = Field(default=None, allow_inf_nan=False)
    density: float = Field(default=0.8, gt=0, le=1, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_threshold(self) -> DiscoverySpec:
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of above and below (the threshold of the output)")
        return self


class CheckSpec(BaseModel):
    """The fast path's check: some points run again at a larger scale, to say how far the sweep's scale agrees."""

    model_config = ConfigDict(extra="forbid", strict=True)
    points: int = Field(default=3, ge=1, le=100)
    scale: float = Field(default=1.0, gt=0, le=1, allow_inf_nan=False)
    replications: int = Field(default=1, ge=1, le=100)


class SweepSpec(BaseModel):
    """A sweep file."""

    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    description: str = ""
    scenario: str
    baseline: str
    outputs: list[str] = Field(min_length=1)
    method: Literal["grid", "morris", "sobol", "latin"]
    levels: int = Field(default=4, ge=2, le=20)
    trajectories: int = Field(default=10, ge=2, le=1000)
    samples: int = Field(default=64, ge=2, le=4096)
    scale: float = Field(default=0.05, gt=0, le=1, allow_inf_nan=False)
    replications: int = Field(default=1, ge=1, le=100)
    seed: int = Field(default=20250101, ge=0, le=2**63 - 1)
    start: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    end: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    warmup_months: int | None = Field(default=None, ge=0, le=600)
    parameters: dict[str, Range] = Field(min_length=1)
    discovery: DiscoverySpec | None = None
    check: CheckSpec | None = None

    @model_validator(mode="after")
    def _small_enough(self) -> SweepSpec:
        if self.discovery is not None and self.discovery.output not in self.outputs:
            raise ValueError(f"discovery.output must be one of the sweep's outputs {self.outputs}, got "
                             f"{self.discovery.output!r}")
        if self.check is not None and self.check.scale <= self.scale:
            raise ValueError(f"check.scale ({self.check.scale:g}) must be above the sweep's scale ({self.scale:g}): "
                             f"the check runs some points again with more people")
        if self.method == "grid" and self.levels ** len(self.parameters) > 10_000:
            raise ValueError(f"a grid of {self.levels} levels over {len(self.parameters)} parameters has "
                             f"{self.levels ** len(self.parameters):,} points; at most 10,000 (use method: morris)")
        if self.method == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"samples must be a power of 2 for Sobol' sequences (2, 4, 8, ... 4096), got {self.samples}")
        return self


class Sweep:
    """A sweep, validated against the parameters and scenarios (:class:`SweepError` before anything runs).

    Args:
        spec: A sweep file's path, a shipped sweep's name, or a dict with its keys.
    """

    def __init__(self, spec: str | Path | dict):
        self.source, raw = _read(spec)
        try:
            self.spec = SweepSpec.model_validate(raw)
        except ValidationError as exc:
            raise SweepError("\n".join(validation_lines(exc, self.source, SweepSpec))) from None
        known = model_items()
        bad = [o for o in self.spec.outputs if o not in known]
        if bad:
            raise SweepError(f"{self.source}: key 'outputs': {bad} are not outputs; allowed: {', '.join(known)}")
        try:
            law = ParameterTree.load()
        except ParameterError as exc:
            raise SweepError(str(exc)) from None
        self.bounds, self.integer = {}, {}
        for path, given in self.spec.parameters.items():
            where = f"{self.source}: key 'parameters.{path}'"
            if path not in law.parameters:
                raise SweepError(f"{where}: no such parameter (see `loopbaan params`)")
            param = law.parameters[path]
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in param.values):
                raise SweepError(f"{where}: only a parameter with one number can be swept; its values are "
                                 f"{excerpt(param.values[-1])}")
            low, high = given.low, given.high
            if low is None or high is None:
                if param.plausible_range is None:
                    raise SweepError(f"{where}: give low and high (the parameter has no plausible range of its own)")
                low = param.plausible_range[0] if low is None else low
                high = param.plausible_range[1] if high is None else high
            if not low < high:
                raise SweepError(f"{where}: low must be below high, got {low} and {high}")
            for value in (low, high):  # the parameter's own limits (the runs would refuse the value)
                try:
                    param.check_value(int(round(value)) if param.integer else float(value), where)
                except ParameterError as exc:
                    raise SweepError(str(exc)) from None
            self.bounds[path] = (float(low), float(high))
            self.integer[path] = param.integer
        self.layers = {}  # what the scenario and the baseline extend, and their own overrides
        for role in ("baseline", "scenario"):
            name = getattr(self.spec, role)
            try:
                target = Scenario.resolve(name, law)
            except ScenarioError as exc:
                raise SweepError(f"{self.source}: key '{role}': {exc}") from None
            if target.parts:  # the scenario as a whole: what it extends with every part laid on it, in order
                own: dict[str, dict] = {}
                for part in target.parts.values():
                    for path, dated in part.items():
                        own.setdefault(path, {}).update(dated)
                self.layers[role] = (list(target.base), own)
            else:
                self.layers[role] = (name, {})
        self._pair(self.design().iloc[0])  # the scenarios resolve, with the first point's values
        # the digest names the points, so it covers what decides them: a discovery question asked of the
        # results does not, and asking one of a finished sweep reuses its points
        text = json.dumps(self.spec.model_dump(exclude={"discovery"}), sort_keys=True)
        self.digest = hashlib.sha256(text.encode()).hexdigest()[:10]

    @property
    def problem(self) -> dict:
        """The SALib problem: names and bounds."""
        return {"num_vars": len(self.bounds), "names": list(self.bounds), "bounds": [list(b) for b in self.bounds.values()]}

    def design(self) -> pd.DataFrame:
        """The points: one row each, a column per parameter, indexed by point number (the same every time)."""
        names = list(self.bounds)
        if self.spec.method == "grid":
            axes = [np.linspace(low, high, self.spec.levels) for low, high in self.bounds.values()]
            values = np.array(list(itertools.product(*axes)))
        elif self.spec.method == "morris":
            from SALib.sample import morris as morris_sample

            values = morris_sample.sample(self.problem, N=self.spec.trajectories, num_levels=self.spec.levels,
                                          seed=self.spec.seed)
        elif self.spec.method == "sobol":  # Saltelli's scheme on a Sobol' sequence, first-order and total indices
            from SALib.sample import sobol as sobol_sample

            values = sobol_sample.sample(self.problem, self.spec.samples, calc_second_order=False, seed=self.spec.seed)
        else:  # a Latin hypercube of ``samples`` points (for scenario discovery)
            from SALib.sample import latin

            values = latin.sample(self.problem, self.spec.samples, seed=self.spec.seed)
        design = pd.DataFrame(values, columns=names)
        design.index.name = "point"
        return design

    def check_points(self) -> list[int]:
        """The points the fast path's check runs again (evenly spread over the design; none without ``check``)."""
        if self.spec.check is None:
            return []
        n = len(self.design())
        return sorted({int(i) for i in np.linspace(0, n - 1, min(self.spec.check.points, n)).round()})

    def _pair(self, point: pd.Series, check: bool = False) -> list[dict]:
        """The baseline and the scenario with the point's values from the first day on (at the check's scale)."""
        overrides = {path: {"2000-01-01..": int(round(point[path])) if self.integer[path] else float(point[path])}
                     for path in self.bounds}
        settings = {"scale": self.spec.scale, "seed": self.spec.seed, "replications": self.spec.replications}
        if check:
            settings.update(scale=self.spec.check.scale, replications=self.spec.check.replications)
        settings.update({k: v for k, v in (("start", self.spec.start), ("end", self.spec.end),
                                           ("warmup_months", self.spec.warmup_months)) if v is not None})
        pair = []
        for role in ("baseline", "scenario"):
            extends, own = self.layers[role]
            pair.append({"name": role, "extends": extends, "overrides": {**own, **overrides}, **settings})
        try:
            Run.of(pair)
        except ScenarioError as exc:
            raise SweepError(f"{self.source}: {exc}") from None
        return pair

    def folder(self, out: Path) -> Path:
        """The sweep's folder under ``out`` (its name holds the sweep file's digest)."""
        return Path(out) / "sweeps" / f"{self.spec.name}-{self.digest}"

    def run(self, out: Path = Path("outputs"), workers: int = 1, progress: Callable[[int, int], None] | None = None,
            log: Callable[[str], None] = lambda s: None, scheduler: str | None = None) -> SweepResult:
        """Run the points not yet done, then (when all are done) write the tables.

        Args:
            out: Folder under which ``sweeps/NAME-DIGEST/`` is kept.
            workers: Points run at once, each in a process of its own.
            scheduler: A Dask scheduler's address (``tcp://HOST:PORT``) to run the points on instead.
            progress: Called with (points done, points in all) as points finish.
            log: Receives a line per failed point.
        """
        workers, scheduler = checked_workers(workers), checked_scheduler(scheduler)  # before anything is written
        folder = self.folder(out)
        design = self.design()
        self._tidy(folder, design, log)
        _write_once(folder / "sweep.json", json.dumps({"source": self.source, "spec": self.spec.model_dump(),
                                                       "bounds": self.bounds, "evaluation": self.evaluation()},
                                                      indent=2))
        checks = self.check_points()
        todo = [(i, False) for i in design.index if not (folder / "points" / f"{i}.json").exists()]
        todo += [(i, True) for i in checks if not (folder / "check" / f"{i}.json").exists()]
        total = len(design) + len(checks)
        done = total - len(todo)
        if progress:
            progress(done, total)
        jobs = [(self, int(i), design.loc[i], check) for i, check in todo]
        for i, check, record in run_all(_run_point, jobs, workers, scheduler):
            kind = "failed" if "error" in record else "check" if check else "points"
            name = f"check-{i}.json" if check and kind == "failed" else f"{i}.json"
            _write_atomic(folder / kind / name, json.dumps(record, indent=1))
            if kind == "failed":
                what = "check of point" if check else "point"
                log(f"{what} {i} failed ({record['error'].splitlines()[-1]}); parameters: {record['parameters']}")
            else:
                (folder / "failed" / (f"check-{i}.json" if check else f"{i}.json")).unlink(missing_ok=True)
                done += 1
            if progress:
                progress(done, total)
        return SweepResult(self, folder)

    def _tidy(self, folder: Path, design: pd.DataFrame, log: Callable[[str], None]) -> None:
        """Make the sweep's folder usable as it finds it: what is damaged runs again, with a line saying so.

        A point file that is not a finished point of this sweep (cut short, not JSON, another design's point) is
        moved to ``set_aside/``, so its point runs again; a file that is not a point file at all is left alone and
        ignored; a ``points/`` (or ``check/``, ``failed/``) that is a file is moved aside. Files of a write in progress (their
        names begin with a dot) belong to a sweep running now and are left alone.

        Raises:
            SweepError: the folder cannot be made or read (no permission, a full disk).
        """
        try:
            for sub in ("points", "failed", "check"):
                path = folder / sub
                if path.exists() and not path.is_dir():
                    aside = path.with_name(f"{sub}.not-a-folder-{os.getpid()}")
                    os.replace(path, aside)
                    log(f"warning: {path} is a file, not a folder: moved aside to {aside.name}; "
                        f"its points run again")
                path.mkdir(parents=True, exist_ok=True)
            for sub in ("points", "check"):
                for path in sorted((folder / sub).iterdir()):
                    if path.name.startswith("."):
                        continue
                    if not POINT_FILE.fullmatch(path.name) or not path.is_file():
                        log(f"warning: {path}: not a point file of this sweep (ignored)")
                        continue
                    _, problem = read_point(path, self, design)
                    if problem:  # kept aside, not deleted: it may be the only copy of hours of work
                        aside = folder / SET_ASIDE / f"{sub}-{path.stem}-{os.getpid()}-{time.time_ns()}.json"
                        aside.parent.mkdir(exist_ok=True)
                        os.replace(path, aside)
                        log(f"warning: {path}: {problem}: moved to {SET_ASIDE}/{aside.name}; the point runs again")
        except OSError as exc:
            raise SweepError(f"{folder}: cannot prepare the sweep's folder: {exc.strerror or exc}") from None

    def evaluation(self) -> str:
        """Which path evaluates the points, in words (for ``sweep.json`` and the terminal)."""
        spec = self.spec
        text = (f"full engine at reduced scale {spec.scale:g} ({spec.replications} replication(s) per point, "
                f"paired against the baseline)")
        if spec.check is not None:
            text += (f"; {len(self.check_points())} points run again at scale {spec.check.scale:g} "
                     f"({spec.check.replications} replication(s)) to check the agreement (check.csv)")
        return text


class SweepResult:
    """The points of a sweep's folder, and their analysis once every point is done."""

    def __init__(self, sweep: Sweep, folder: Path):
        self.sweep, self.folder = sweep, folder
        rows, design = [], sweep.design()
        for path in _point_files(folder / "points"):
            record, _ = read_point(path, sweep, design)
            if record is not None:  # a damaged one is not done (run() runs it again)
                rows.append({"point": int(path.stem), **record["parameters"], **record["outputs"]})
        self.results = pd.DataFrame(rows).set_index("point") if rows else pd.DataFrame()
        stems = [p.stem for p in (folder / "failed").glob("*.json")]
        self.failed = sorted(int(stem) for stem in stems if stem.isdigit())
        self.failed_checks = sorted(int(stem.removeprefix("check-")) for stem in stems if stem.startswith("check-"))
        checked = {int(p.stem): record["outputs"] for p in _point_files(folder / "check")
                   if (record := read_point(p, sweep, design)[0]) is not None}
        self.complete = len(self.results) == len(sweep.design()) and set(sweep.check_points()) <= set(checked)
        method = sweep.spec.method
        self.indices = {"morris": self._morris, "sobol": self._sobol}[method]() \
            if self.complete and method in ("morris", "sobol") else None
        self.tornado = self._tornado() if self.complete and method == "grid" else None
        self.check = self._check(checked) if self.complete and sweep.spec.check is not None else None
        self.discovery = None
        if self.complete and sweep.spec.discovery is not None:
            from .discovery import discover  # (the EMA workbench: only for a sweep that asks)

            ask = sweep.spec.discovery
            y = self.results[ask.output].to_numpy(dtype=float)
            meets = y > ask.above if ask.above is not None else y < ask.below
            question = (f"{sweep.spec.scenario} vs {sweep.spec.baseline}: {ask.output} "
                        f"{'above' if ask.above is not None else 'below'} "
                        f"{ask.above if ask.above is not None else ask.below:g}")
            self.discovery = discover(self.results[list(sweep.bounds)], meets, question, ask.density)
        if not self.complete:
            return
        _write_once(folder / "results.csv", self.results.reset_index().to_csv(index=False))
        if self.indices is not None:
            _write_once(folder / f"{method}.csv", self.indices.to_csv(index=False))
        if self.tornado is not None:
            _write_once(folder / "tornado.csv", self.tornado.to_csv(index=False))
        if self.check is not None:
            _write_once(folder / "check.csv", self.check.to_csv(index=False))
        if self.discovery is not None:
            _write_once(folder / "discovery.json", json.dumps(self.discovery.summary(), indent=2))
            if self.discovery.chosen is not None:
                _write_once(folder / "discovery.csv", self.discovery.box.to_csv(index=False))

    def _tornado(self) -> pd.DataFrame:
        """For a grid: each output's mean over the points at each level of a parameter (the others varied).

        Columns output, parameter, at_low and at_high (the means at the parameter's lowest and highest
        level), smallest and largest (over all its levels) and swing (largest - smallest), largest swing first.
        """
        rows = []
        for output in self.sweep.spec.outputs:
            for parameter in self.sweep.bounds:
                means = self.results.groupby(self.results[parameter].round(12))[output].mean()
                rows.append({"output": output, "parameter": parameter, "at_low": means.iloc[0],
                             "at_high": means.iloc[-1], "smallest": means.min(), "largest": means.max(),
                             "swing": means.max() - means.min()})
        out = pd.DataFrame(rows)
        return out.sort_values(["output", "swing"], ascending=[True, False], kind="stable").reset_index(drop=True)

    def _check(self, checked: dict[int, dict]) -> pd.DataFrame:
        """The check points: each output at the sweep's scale and at the check's, and how far apart.

        ``difference_of_spread`` divides the difference by the output's standard deviation over the whole
        sweep: small values mean the reduced scale ranks the points as the larger scale would.
        """
        rows = []
        for i in self.sweep.check_points():
            for output in self.sweep.spec.outputs:
                fast, slow = float(self.results.loc[i, output]), float(checked[i][output])
                spread = float(self.results[output].std())
                rows.append({"point": i, "output": output, "sweep_value": fast, "check_value": slow,
                             "difference": fast - slow,
                             "difference_of_spread": (fast - slow) / spread if spread > 0 else np.nan})
        return pd.DataFrame(rows)

    def check_lines(self) -> list[str]:
        """How far the sweep's scale agrees with the check's, per output, in words."""
        if self.check is None:
            return []
        spec = self.sweep.spec
        lines = [f"fast path: {self.sweep.evaluation()}. Agreement on {self.check['point'].nunique()} point(s):"]
        for output, part in self.check.groupby("output", sort=False):
            worst = part["difference"].abs().max()
            of_spread = part["difference_of_spread"].abs().max()
            lines.append(f"  {output}: largest difference {worst:,.4g} (scale {spec.scale:g} against "
                         f"{spec.check.scale:g}), " + ("the output does not vary over the sweep" if pd.isna(of_spread)
                                                       else f"{of_spread:.2f} times the output's standard deviation "
                                                            f"over the sweep"))
        return lines

    def _morris(self) -> pd.DataFrame:
        """mu* (mean absolute elementary effect), its 95% interval and sigma, per output and parameter."""
        from SALib.analyze import morris as morris_analyze

        x = self.results[list(self.sweep.bounds)].to_numpy()
        frames = []
        for output in self.sweep.spec.outputs:
            y = self.results[output].to_numpy(dtype=float)
            if not np.isfinite(y).all():  # e.g. a cost per person at work where nobody more is at work
                continue
            found = morris_analyze.analyze(self.sweep.problem, x, y, num_levels=self.sweep.spec.levels,
                                           seed=self.sweep.spec.seed, print_to_console=False)
            frames.append(pd.DataFrame({"output": output, "parameter": found["names"], "mu_star": found["mu_star"],
                                        "mu_star_conf": found["mu_star_conf"], "mu": found["mu"],
                                        "sigma": found["sigma"]}))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


    def _sobol(self) -> pd.DataFrame:
        """First-order (S1) and total (ST) Sobol' indices with their 95% intervals, per output and parameter."""
        from SALib.analyze import sobol as sobol_analyze

        frames = []
        for output in self.sweep.spec.outputs:
            y = self.results[output].to_numpy(dtype=float)
            if not np.isfinite(y).all() or np.ptp(y) == 0:  # no variance to share out
                continue
            found = sobol_analyze.analyze(self.sweep.problem, y, calc_second_order=False, seed=self.sweep.spec.seed,
                                          print_to_console=False)
            frames.append(pd.DataFrame({"output": output, "parameter": list(self.sweep.bounds), "S1": found["S1"],
                                        "S1_conf": found["S1_conf"], "ST": found["ST"], "ST_conf": found["ST_conf"]}))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _run_point(sweep: Sweep, i: int, point: pd.Series, check: bool = False) -> tuple[int, bool, dict]:
    """Run one point (at the check's scale if ``check``); the mean paired differences of the outputs, or the error."""
    parameters = {k: float(v) for k, v in point.items()}
    try:
        compared = compare(run_plan(Run.of(sweep._pair(point, check))))
        rows = compared[compared["group"] == "all"].set_index("item")["value"]
        return i, check, {"parameters": parameters,
                          "outputs": {o: float(rows.get(o, np.nan)) for o in sweep.spec.outputs}}
    except Exception as exc:  # a failed point is reported with its parameters and does not take the others down
        stop = stop_within(exc)
        if stop is not None:  # Ctrl-C or SIGTERM that reached a compiled kernel: a stop, not a failed point
            raise stop from None
        return i, check, {"parameters": parameters, "error": traceback.format_exc(limit=3)}


def _read(spec: str | Path | dict) -> tuple[str, dict]:
    """The sweep's source name and its raw mapping."""
    if isinstance(spec, dict):
        return f"<dict {spec.get('name', '?')!r}>", spec
    path = Path(spec)
    if not path.suffix and not path.exists():
        path = SWEEP_DIR / f"{spec}.yaml"
    raw = parse_yaml(read_text(path, SweepError, "sweep file"), str(path), SweepError)
    if not isinstance(raw, dict):
        raise SweepError(f"{path}: a sweep file must be a mapping; allowed keys: {', '.join(SweepSpec.model_fields)}")
    return str(path), raw


POINT_FILE = re.compile(r"(0|[1-9][0-9]{0,8})\.json")  # points/7.json, check/7.json (not 007.json)
SET_ASIDE = "set_aside"  # where point files that are not finished points of the sweep are kept, not deleted


def _point_files(folder: Path) -> list[Path]:
    """The point files of ``folder`` in point order (none if it is not a folder)."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if POINT_FILE.fullmatch(p.name) and p.is_file()),
                  key=lambda p: int(p.stem))


def read_point(path: Path, sweep: Sweep, design: pd.DataFrame) -> tuple[dict | None, str | None]:
    """A point file read once: its record if it is a finished point of ``sweep``, else what makes it not one.

    A finished point is a JSON object with the point's ``parameters`` (the design's values, so a file of another
    design is not taken for this one) and a number for each of the sweep's ``outputs``.

    Returns:
        ``(record, None)``, or ``(None, problem)``.
    """
    i = int(path.stem)
    if i not in design.index:
        return None, f"point {i} is not in the design (0 to {len(design) - 1})"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None, "not a readable JSON file"
    if not isinstance(record, dict) or not isinstance(record.get("parameters"), dict) \
            or not isinstance(record.get("outputs"), dict):
        return None, "not a point record (parameters and outputs expected)"
    given = record["parameters"]
    for name, value in design.loc[i].items():
        try:
            same = _is_number(given.get(name)) and math.isclose(float(given[name]), float(value), rel_tol=1e-12,
                                                                 abs_tol=1e-12)
        except OverflowError:  # an integer too large for a float
            same = False
        if not same:
            return None, f"its parameter {name!r} is not the design's"
    missing = [o for o in sweep.spec.outputs if not _is_number(record["outputs"].get(o))]
    if missing:
        return None, f"output {missing[0]!r} missing or not a number"
    return record, None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _write_atomic(path: Path, text: str) -> None:
    """Write ``path`` in one rename (a reader sees all of it or none).

    Raises:
        SweepError: it cannot be written (a full disk, no permission); the points finished before are kept.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SweepError(f"{path}: cannot be written ({exc.strerror or exc}); the points finished before are kept: "
                         f"free some space and run the same command again") from None


def _write_once(path: Path, text: str) -> None:
    """Write ``path`` unless it exists (a finished sweep's tables are the same every time: never rewritten)."""
    if not path.exists():
        _write_atomic(path, text)
