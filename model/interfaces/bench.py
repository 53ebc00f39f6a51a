"""Benchmark: the workloads of a user, timed as whole commands, against the targets of the speed issue.

Each workload runs ``loopbaan run`` in a child process (into a temporary
folder, deleted afterwards) and reads the seconds of the simulated months
from the run's manifest; the whole command is timed from outside and its
peak memory is the child's maximum resident set size (``getrusage``):

1. one scenario at full scale, cold: an empty cache (synthesis and warm-up simulated);
2. the same command again: the warmed-up state read from the cache;
3. one scenario at scale 0.1 (cache off): the seconds of its 120 simulated months;
4. three scenarios at full scale, with the cache of 1;
5. the precision of the effects per CPU-second: the law, ask 1 and ask 4 at
   scale 0.1 with 4 replications in one process, the 90% half-width of the
   simulated and of the expected gains in person-years and people at work
   (:func:`precision`);
6. the what-if page at full scale, driven in Chromium by its test
   (``tests/test_app.py``): the seconds from Run to the findings on the screen,
   for the page's first run (the law too) and the next one (:func:`page`).

Before and after, a fixed reference workload (plain numpy passes over 4
million rows) is timed in this process; the model's times are also printed
as multiples of it, so that a slower machine or a noisy moment shows.

With ``--uncertainty`` it times the workloads of the uncertainty issue
instead: 100 replications of six scenarios at scale 0.1 on two workers, and the
shipped Morris screening (``sweeps/resolution_screening.yaml``, 14 parameters,
scale 0.05) on two workers.

Usage:
    python -m model.interfaces.bench scenarios/law_2025.yaml [--runs 3]
    python -m model.interfaces.bench --uncertainty
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TARGETS = {  # the targets on the 2-core machine (the precision issue's: 120 months in 3 s, a cache hit in 6 s, < 1 GiB)
    "simulate": 3.0, "cold_wall": 25.0, "cached_wall": 6.0, "cold_peak": 1.0, "cached_peak": 1.0,
    "small_simulate": 1.0,
}
# The precision workload: the law, ask 1 and ask 4 at scale 0.1, replications in one process (its CPU time is the run's)
PRECISION = {"scenarios": ("law_2025", "herintreders", "quality_monitoring"), "scale": 0.1, "replications": 4}
PRECISION_ITEMS = (("extra_person_years", "extra_person_years_expected"), ("extra_employed", "extra_employed_expected"))
THREE = ("law_2025", "herintreders", "quality_monitoring")
SIX = ("law_2025", "baseline_2020", "herintreders", "herintreders_outreach", "vdab_followup", "quality_monitoring")
UNCERTAINTY_TARGETS = {"replications": 600.0, "morris": 1200.0}  # seconds: 10 and 20 minutes
PAGE_TARGET = 15.0  # seconds from Run to a full-scale answer, after the page's first run (the precision issue)
HEADLINE = ("extra_users", "extra_cost_total_eur", "extra_employed", "employment_rate_change_pp")


def reference_seconds(rows: int = 4_000_000, passes: int = 10) -> float:
    """Seconds of a fixed numpy workload: ``passes`` rounds of arithmetic, a comparison and a ``bincount`` over ``rows``."""
    rng = np.random.default_rng(0)
    a, b = rng.random(rows), rng.random(rows)
    keys = rng.integers(0, 2048, rows)
    t0 = time.perf_counter()
    for _ in range(passes):
        c = a * 1.0001 + b
        np.bincount(keys[c > 1.0], minlength=2048)
    return time.perf_counter() - t0


def one_run(scenarios: list[str], scale: float, cache: str) -> dict[str, float]:
    """Run the CLI once in a child process; return the simulated seconds, the whole command's seconds and its peak memory."""
    with tempfile.TemporaryDirectory(prefix="loopbaan-bench-") as out:
        env = {**os.environ, "LOOPBAAN_CACHE": cache}
        t0 = time.perf_counter()
        with open(Path(out) / "stdout.txt", "w+") as stdout_file, open(Path(out) / "stderr.txt", "w+") as stderr_file:
            proc = subprocess.Popen([sys.executable, "-m", "model", "run", *scenarios, "--scale", str(scale),
                                     "--out", out], stdout=stdout_file, stderr=stderr_file, env=env)
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak memory, not the largest so far
            wall = time.perf_counter() - t0
            stdout_file.seek(0)
            stderr_file.seek(0)
            stdout, stderr = stdout_file.read(), stderr_file.read()
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"benchmark run failed ({os.waitstatus_to_exitcode(status)}):\n{stderr}")
        folder = Path(stdout.strip().splitlines()[-1])
        manifest = json.loads((folder / "manifest.json").read_text())
        timings = manifest["timings_seconds"]
        simulate = sum(v for k, v in timings.items() if k.startswith("simulate:"))
        warmup = sum(v for k, v in timings.items() if k.startswith("warmup:"))
        return {"simulate": simulate, "warmup": warmup, "synthesis": timings["synthesis"], "wall": wall,
                "persons": manifest["persons_simulated"], "cache_read": len(manifest["cache"]["read"]),
                "peak_gib": usage.ru_maxrss / 2**20}  # Linux reports KiB


def timed(command: list[str]) -> tuple[float, float, str, float]:
    """Run a command in a child process: its seconds, peak memory (GiB), last line of output and CPU seconds.

    The peak memory is the child's own; the CPU seconds are user and system time over all its threads.
    """
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout_file, tempfile.TemporaryFile("w+") as stderr_file:
        proc = subprocess.Popen(command, stdout=stdout_file, stderr=stderr_file)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        stdout_file.seek(0)
        stderr_file.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"benchmark command failed: {' '.join(command)}\n{stderr_file.read()[-3000:]}")
        lines = stdout_file.read().strip().splitlines()
    return seconds, usage.ru_maxrss / 2**20, lines[-1] if lines else "", usage.ru_utime + usage.ru_stime


def precision() -> None:
    """Print the 90% interval of the mean of the simulated and the expected gains, and what a CPU-second buys.

    A half-width shrinks as one over the square root of the CPU time, so
    ``half-width x sqrt(CPU seconds / 3600)`` is the half-width one CPU-hour of
    such runs gives, whatever the run's length; the square of the two
    estimators' ratio is how many times more CPU the simulated one needs for
    the expected one's precision.
    """
    with tempfile.TemporaryDirectory(prefix="loopbaan-bench-") as out:
        wall, _, folder, cpu = timed([sys.executable, "-m", "model", "run", *PRECISION["scenarios"], "--scale",
                                       str(PRECISION["scale"]), "--replications", str(PRECISION["replications"]),
                                       "--workers", "1", "--no-cache", "--out", out])
        compared = pd.read_csv(Path(folder) / "comparison.csv")
    rows = compared[compared["group"] == "all"].set_index(["scenario", "baseline", "item"])
    print(f"  precision: {' '.join(PRECISION['scenarios'])} at scale {PRECISION['scale']:g}, "
          f"{PRECISION['replications']} replications: {cpu:.0f} CPU s ({wall:.0f} s); 90% half-width of the mean "
          f"[at one CPU-hour]:")
    for (scenario, baseline), _ in rows.groupby(level=[0, 1], sort=False):
        cells = []
        for simulated, expected in PRECISION_ITEMS:
            half = {k: (rows.loc[(scenario, baseline, k), "mean_high"] - rows.loc[(scenario, baseline, k), "mean_low"]) / 2
                    for k in (simulated, expected)}
            hour = {k: v * np.sqrt(cpu / 3600) for k, v in half.items()}
            gain = (half[simulated] / half[expected]) ** 2 if half[expected] > 0 else float("nan")
            cells.append(f"{simulated} {half[simulated]:,.1f} [{hour[simulated]:,.1f}], expected {half[expected]:,.1f} "
                         f"[{hour[expected]:,.1f}] (the simulated one needs {gain:,.1f}x the CPU)")
        print(f"    {scenario} vs {baseline}: " + "; ".join(cells))


def page() -> None:
    """Drive the what-if page at full scale in Chromium (its test) and print the seconds of its first and next run."""
    with tempfile.TemporaryDirectory(prefix="loopbaan-bench-") as out:
        timings = Path(out) / "page.json"
        env = {**os.environ, "LOOPBAAN_APP_TEST_SCALE": "1", "LOOPBAAN_APP_TIMINGS": str(timings)}
        done = subprocess.run([sys.executable, "-m", "pytest", "tests/test_app.py", "-q", "-n", "0",
                               "-k", "runs_a_scenario"], env=env, capture_output=True, text=True)
        if done.returncode != 0 or not timings.is_file():
            print(f"  what-if page, full scale: the page's test failed\n{done.stdout[-3000:]}")
            return
        seconds = json.loads(timings.read_text())
    verdict = "ok" if seconds["next"] <= PAGE_TARGET else "MISSED"
    print(f"  what-if page, full scale, 2 replications (Chromium): first run {seconds['first']:.1f} s (the law too); "
          f"next run {seconds['next']:.1f} s   target <= {PAGE_TARGET:g}   {verdict}")


def headline_rows(compared: pd.DataFrame) -> pd.DataFrame:
    """The rows of a comparison table that the closing note quotes (group all, :data:`HEADLINE` items)."""
    if compared.empty:
        return compared
    return compared[(compared["group"] == "all") & compared["item"].isin(HEADLINE)]


def uncertainty() -> int:
    """Time the uncertainty issue's workloads and print them against its targets."""
    cli = [sys.executable, "-m", "model"]
    with tempfile.TemporaryDirectory(prefix="loopbaan-bench-") as out:
        reps, reps_peak, folder, _ = timed([*cli, "run", *SIX, "--scale", "0.1", "--replications", "100", "--workers", "2",
                                         "--no-cache", "--out", out])
        comparison = Path(folder) / "comparison.csv"
        compared = pd.read_csv(comparison) if comparison.is_file() else pd.DataFrame()
        morris, morris_peak, sweep_folder, _ = timed([*cli, "sweep", "resolution_screening", "--workers", "2",
                                                   "--out", out])
        indices = Path(sweep_folder) / "morris.csv"
        top = indices.read_text().splitlines()[:4] if indices.is_file() else []
    for label, seconds, peak, target in (
            ("100 replications x 6 scenarios, scale 0.1, 2 workers", reps, reps_peak, UNCERTAINTY_TARGETS["replications"]),
            ("Morris screening, 14 parameters, scale 0.05, 2 workers", morris, morris_peak, UNCERTAINTY_TARGETS["morris"])):
        verdict = "ok" if seconds <= target else "MISSED"
        print(f"  {label:<56} {seconds:8.1f} s  (peak of the main process {peak:.2f} GiB)  target <= {target:g} s  {verdict}")
    print(f"  Morris indices (first rows of morris.csv): {top[1:] if top else 'none'}")
    print("  headline differences of the 100 replications: mean [p05, p95 of the replications] "
          "(90% interval of the mean; noise)")
    for row in headline_rows(compared).itertuples(index=False):
        print(f"    {row.scenario} vs {row.baseline}: {row.item} {row.value:+,.4g} [{row.p05:+,.4g}, {row.p95:+,.4g}] "
              f"({row.mean_low:+,.4g} to {row.mean_high:+,.4g}; {row.noise})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the workloads and print medians against the targets."""
    if argv is None:
        argv = sys.argv[1:]
    if argv == ["--uncertainty"]:
        return uncertainty()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--runs", type=int, default=1, help="repeat each workload and report medians")
    args = parser.parse_args(argv)
    ref = [reference_seconds()]
    rows = {k: [] for k in ("cold", "cached", "small", "three")}
    with tempfile.TemporaryDirectory(prefix="loopbaan-bench-cache-") as cache:
        for _ in range(args.runs):
            for entry in Path(cache).iterdir():  # cold: an empty cache each time
                subprocess.run(["rm", "-rf", str(entry)], check=True)
            rows["cold"].append(one_run([args.scenario], 1.0, cache))
            rows["cached"].append(one_run([args.scenario], 1.0, cache))
            rows["small"].append(one_run([args.scenario], 0.1, "off"))
        rows["three"].append(one_run(list(THREE), 1.0, cache))
    ref.append(reference_seconds())
    reference = statistics.median(ref)
    med = {kind: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for kind, runs in rows.items()}
    cold, cached, small, three = med["cold"], med["cached"], med["small"], med["three"]
    print(f"{args.scenario}: {cold['persons']:,.0f} persons, {args.runs} run(s) of each workload, medians; "
          f"reference workload {reference:.3f} s (numpy, 4M rows; before {ref[0]:.3f}, after {ref[1]:.3f})")
    table = [
        ("120 months, full scale (s)", cold["simulate"], TARGETS["simulate"], True),
        ("whole command, cold (s)", cold["wall"], TARGETS["cold_wall"], True),
        ("whole command, cache hit (s)", cached["wall"], TARGETS["cached_wall"], True),
        ("peak memory, cold (GiB)", cold["peak_gib"], TARGETS["cold_peak"], False),
        ("peak memory, cache hit (GiB)", cached["peak_gib"], TARGETS["cached_peak"], False),
        ("120 months, scale 0.1 (s)", small["simulate"], TARGETS["small_simulate"], True),
        ("three scenarios, full scale, cache of 1 (s)", three["wall"], None, True),
    ]
    for label, value, target, seconds in table:
        ratio = f"{value / reference:7.1f} x ref" if seconds else " " * 13
        goal = f"target <= {target:g}   {'ok' if value <= target else 'MISSED'}" if target is not None else ""
        print(f"  {label:<44} {value:8.2f}  {ratio}   {goal}")
    print(f"  (cold: synthesis {cold['synthesis']:.2f} s, warm-up {cold['warmup']:.2f} s; cache hit: "
          f"{cached['cache_read']:.0f} state(s) read, 120 months {cached['simulate']:.2f} s; "
          f"three scenarios: 360 months {three['simulate']:.2f} s)")
    precision()
    page()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
