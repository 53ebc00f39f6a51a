"""Fitting the behavioural parameters: least squares on the replay objective.

The residual of each target is (model - observed) / scale (see
:mod:`.targets`), so the sum of squares is a Gaussian log-likelihood with the
target scales as standard deviations. ``scipy.optimize.least_squares``
(trust-region reflective, bounds from the config) minimises it with a
finite-difference Jacobian whose steps come from the config (large enough to
step over the awareness staircase). The uncertainty of the fitted values is
the Gauss-Newton covariance ``s2 (J'J)^-1`` with a central-difference
Jacobian at the optimum, inflated by ``s2 = chi2 / (targets - parameters)``
when the model misfits more than the scales allow (never deflated), combined
with the difference between fits on two independently drawn calibration
populations (the seed check), which the Jacobian cannot see.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from ...mechanisms.uptake.hazards import cell_hazards
from ...params.calendar import month_date, month_number
from ...params.scenario import Scenario
from ..build import Run
from ..run import run
from . import replay
from .config import CalibrationConfig, CalibrationError
from .targets import Tallies, compare, residuals

CORRELATION_FLAG = 0.8  # pairs above this are reported as hard to tell apart
DECIMALS = 4            # fitted values are written (and checked) rounded to this


def flat_values(overrides: dict) -> dict[str, object]:
    """``{path: value}`` from single-dated overrides."""
    return {path: value for path, dated in overrides.items() for value in dated.values()}


class Objective:
    """Residuals of the fit targets as a function of the free parameters, on recorded paths.

    Deterministic: the paths fix every random number, and the replay has none.
    Evaluations are counted and cached by value.
    """

    def __init__(self, config: CalibrationConfig, paths: replay.Paths):
        self.config = config
        self.paths = paths
        self.first_year = min(t.first_year for t in config.targets)
        self.last_year = config.last_year
        self.evaluations = 0
        self._cache: dict[bytes, np.ndarray] = {}

    def tallies(self, x) -> Tallies:
        """Expected yearly starts by group with the free parameters at ``x``."""
        return replay.expected_tallies(self.paths, flat_values(self.config.overrides(x)), self.first_year, self.last_year)

    def __call__(self, x) -> np.ndarray:
        """Residuals (model - observed) / scale at ``x`` (cached)."""
        x = np.asarray(x, dtype=float)
        key = x.tobytes()
        if key not in self._cache:
            self.evaluations += 1
            res = np.array(residuals(self.config.targets, self.tallies(x)))
            if not np.isfinite(res).all():
                bad = [t.name for t, r in zip(self.config.targets, res) if not np.isfinite(r)]
                raise CalibrationError(f"{self.config.file}: the model gives no value for {bad} at {list(x)} "
                                       f"(no users in the period?); check the targets and the bounds")
            self._cache[key] = res
        return self._cache[key]

    def jacobian(self, x, central: bool = False, pool: ThreadPoolExecutor | None = None) -> np.ndarray:
        """Finite-difference Jacobian with the config's steps (forward, or central)."""
        x = np.asarray(x, dtype=float)
        lower = np.array([p.lower for p in self.config.parameters])
        upper = np.array([p.upper for p in self.config.parameters])
        steps = np.array([p.step for p in self.config.parameters])
        points = []
        for j, h in enumerate(steps):
            up, down = x.copy(), x.copy()
            if central and x[j] - h >= lower[j] and x[j] + h <= upper[j]:
                up[j] += h
                down[j] -= h
            elif x[j] + h <= upper[j]:
                up[j] += h
            else:
                down[j] -= h
            points += [up, down]
        values = list(pool.map(self, points) if pool else map(self, points))
        columns = [(values[2 * j] - values[2 * j + 1]) / (points[2 * j][j] - points[2 * j + 1][j]) for j in range(len(x))]
        return np.column_stack(columns)


@dataclass
class CalibrationResult:
    """What a calibration produced.

    Attributes:
        config: The config used.
        prior: Start values.
        values: Fitted values (rounded to ``DECIMALS``).
        sd: Standard error of each fitted value: the Jacobian's, combined with
            the seed check's difference when there is one.
        correlation: Correlation matrix of the fitted values (Jacobian and seed check together).
        chi_square: Sum of squared residuals at the fit.
        inflation: Factor applied to the covariance (chi2 / dof, at least 1).
        fit_table: Targets with the replay's model values at the fit.
        check_table: Targets with the full engine's values at the fit (``check_scale``).
        trace: One row per evaluation: round, evaluation, cost.
        rounds: Per round: seconds recording, seconds fitting, evaluations, status message.
        seconds: Wall-clock time of the whole calibration.
        check_summary: Yearly summary of the engine check run.
        check_persons: People simulated in the check run.
        warnings: Problems worth reading (bounds reached, hazards over their ceiling).
        sd_jacobian: Standard error from the Jacobian alone.
        seed_difference: Fit on another seed's population minus the fit (zeros without a seed check).
    """

    config: CalibrationConfig
    prior: np.ndarray
    values: np.ndarray
    sd: np.ndarray
    correlation: np.ndarray
    chi_square: float
    inflation: float
    fit_table: pd.DataFrame
    check_table: pd.DataFrame
    trace: pd.DataFrame
    rounds: list[dict]
    seconds: float
    check_summary: pd.DataFrame
    check_persons: int = 0
    warnings: list[str] = field(default_factory=list)
    sd_jacobian: np.ndarray | None = None
    seed_difference: np.ndarray | None = None

    def parameter_table(self) -> pd.DataFrame:
        """One row per fitted value: prior, value, standard errors, bounds."""
        rows = []
        for i, p in enumerate(self.config.parameters):
            rows.append({"parameter": p.label, "path": p.path, "keys": ",".join(p.keys), "prior": p.prior,
                         "value": self.values[i], "sd": self.sd[i],
                         "sd_jacobian": self.sd_jacobian[i] if self.sd_jacobian is not None else self.sd[i],
                         "seed_difference": self.seed_difference[i] if self.seed_difference is not None else 0.0,
                         "lower": p.lower, "upper": p.upper,
                         "at_bound": bool(np.isclose(self.values[i], [p.lower, p.upper], atol=p.step).any())})
        return pd.DataFrame(rows)

    def correlated_pairs(self) -> list[dict]:
        """Pairs of fitted values correlated beyond ``CORRELATION_FLAG``."""
        labels = [p.label for p in self.config.parameters]
        out = []
        for i in range(len(labels)):
            for j in range(i + 1, len(labels)):
                r = self.correlation[i, j]
                if abs(r) >= CORRELATION_FLAG:
                    out.append({"a": labels[i], "b": labels[j], "correlation": round(float(r), 3)})
        return out


def _covariance(jac: np.ndarray, chi_square: float) -> tuple[np.ndarray, float]:
    n, k = jac.shape
    inflation = max(1.0, chi_square / (n - k)) if n > k else 1.0
    return np.linalg.pinv(jac.T @ jac) * inflation, inflation


def check_with_engine(config: CalibrationConfig, values: np.ndarray, scale: float,
                      progress: Callable[[str], None] = lambda s: None) -> tuple[pd.DataFrame, int, Scenario]:
    """Run the full engine with the fitted values over the fit years; return its yearly summary."""
    from ..progress import Lines

    scenario = dataclasses.replace(config.scenario, tree=config.tree(values))
    settings = scenario.settings.updated(scale=scale, seed=config.seed, replications=1, parameter_sets=0,
                                         end=f"{config.last_year}-12")
    result = run(Run([scenario], settings), Lines(progress))
    return result.summary, result.persons, scenario


def _fit_on_paths(config: CalibrationConfig, paths: replay.Paths, x: np.ndarray, label: str, trace: list,
                  pool: ThreadPoolExecutor) -> tuple[np.ndarray, Objective, dict]:
    """Least squares from ``x`` on recorded paths; returns the solution, its objective and a summary row."""
    lower = np.array([p.lower for p in config.parameters])
    upper = np.array([p.upper for p in config.parameters])
    objective = Objective(config, paths)
    budget = config.max_evaluations
    t0 = time.perf_counter()

    def fun(v):
        res = objective(v)
        trace.append({"round": label, "evaluation": objective.evaluations, "cost": 0.5 * float(res @ res)})
        return res

    def jac(v):
        if objective.evaluations > budget:
            raise _Budget()
        return objective.jacobian(v, pool=pool)

    first = fun(x)
    start_cost = 0.5 * float(first @ first)
    try:
        solution = least_squares(fun, x, jac=jac, bounds=(lower, upper), method="trf", x_scale="jac",
                                 ftol=1e-7, xtol=1e-7, gtol=1e-8, max_nfev=200)
        x, message = solution.x, solution.message
    except _Budget:
        best = min(objective._cache.items(), key=lambda kv: float(kv[1] @ kv[1]))
        x, message = np.frombuffer(best[0]).copy(), f"stopped after {budget} evaluations (max_evaluations)"
    x = np.clip(x, lower, upper)
    cost = 0.5 * float(objective(x) @ objective(x))
    row = {"round": label, "record_seconds": round(paths.seconds, 2), "fit_seconds": round(time.perf_counter() - t0, 2),
           "evaluations": objective.evaluations, "start_cost": start_cost, "cost": cost, "message": message}
    return x, objective, row


def calibrate(config: CalibrationConfig, progress: Callable[[str], None] = lambda s: None,
              check: bool = True) -> CalibrationResult:
    """Fit the free parameters of ``config`` to its targets.

    Each round records the labour paths with the current values, then fits
    on them; the next round starts from the fit (see :mod:`.replay`). With
    ``seed_check``, the fit is repeated from the result on a population drawn
    with another seed: the difference measures the sampling noise of the
    reduced-scale population, which the Jacobian does not see, and is added to
    the reported uncertainty. Finally the fitted values are checked with the
    full engine at ``check_scale``.
    """
    t0 = time.perf_counter()
    x = np.array(config.start(), dtype=float)
    prior = x.copy()
    trace, rounds = [], []
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="calibrate") as pool:
        for r in range(config.rounds):
            recorded_at = x.copy()
            paths = replay.record_paths(config.scenario, config.tree(x), config.scale, config.seed, config.last_year)
            progress(f"round {r + 1}/{config.rounds}: recorded {paths.eligible.shape[1]:,} rows x "
                     f"{paths.eligible.shape[0]} months in {paths.seconds:.1f} s")
            x, objective, row = _fit_on_paths(config, paths, x, str(r + 1), trace, pool)
            rounds.append(row)
            progress(f"round {r + 1}: cost {row['start_cost']:,.2f} -> {row['cost']:,.2f} after "
                     f"{row['evaluations']} evaluations ({row['message']})")
        lower = np.array([p.lower for p in config.parameters])
        upper = np.array([p.upper for p in config.parameters])
        values = np.clip(np.round(x, DECIMALS), lower, upper)
        res = objective(values)
        jacobian = objective.jacobian(values, central=True, pool=pool)
        seed_difference = np.zeros(len(values))
        if config.seed_check:
            # Paths of another population, recorded with the same values as the last round's, so the two
            # fits differ by the population drawn only.
            other = config.seed + 1
            paths = replay.record_paths(config.scenario, config.tree(recorded_at), config.scale, other, config.last_year)
            x_other, _, row = _fit_on_paths(config, paths, values.copy(), f"seed {other}", trace, pool)
            rounds.append(row)
            seed_difference = x_other - values
            progress(f"seed check: refitted on a population drawn with seed {other} ({row['evaluations']} evaluations)")
    chi_square = float(res @ res)
    cov, inflation = _covariance(jacobian, chi_square)
    sd_jacobian = np.sqrt(np.clip(np.diag(cov), 0, None))
    # Var of one seed's estimate from two independent ones: difference^2 / 2 (one degree of freedom).
    total = cov + np.outer(seed_difference, seed_difference) / 2
    sd = np.sqrt(np.clip(np.diag(total), 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = total / np.outer(sd, sd)
    fit_table = compare(config.targets, objective.tallies(values))
    warnings = _warnings(config, values)
    if check:
        progress(f"checking the fit with the full engine at scale {config.check_scale:g}")
        check_summary, persons, _ = check_with_engine(config, values, config.check_scale, progress)
        check_table = compare(config.targets, Tallies.from_summary(check_summary))
    else:
        check_summary, persons, check_table = pd.DataFrame(), 0, fit_table.iloc[0:0]
    return CalibrationResult(config, prior, values, sd, correlation, chi_square, inflation, fit_table, check_table,
                             pd.DataFrame(trace), rounds, time.perf_counter() - t0, check_summary, persons, warnings,
                             sd_jacobian, seed_difference)


class _Budget(Exception):
    """The evaluation budget of the config is spent."""


def _warnings(config: CalibrationConfig, values: np.ndarray) -> list[str]:
    out = []
    for p, v in zip(config.parameters, values):
        if np.isclose(v, [p.lower, p.upper], atol=p.step).any():
            out.append(f"{p.label} = {v:g} is at a bound of [{p.lower:g}, {p.upper:g}]; widen the bounds in {config.file}")
    tree = config.tree(values)
    first = month_number(min(t.first_year for t in config.targets), 1)
    for month in (first, month_number(config.last_year, 12)):
        p = tree.at(month_date(month))
        top = float(cell_hazards(p).max())
        ceiling = p["simulation.hazard_ceiling"]["uptake_cheque1"]
        if top > ceiling:
            out.append(f"the highest cheque-1 hazard ({top:.4f}) is above its ceiling ({ceiling}) in "
                       f"{month_date(month):%Y-%m}: the engine would cap it")
    return out
