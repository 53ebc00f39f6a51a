"""Benchmark: one scenario at full scale, as a user runs it.

Runs ``loopbaan run SCENARIO`` in a child process (into a temporary folder,
deleted afterwards) and prints the seconds of the simulated months (from the
run's manifest), the seconds of the whole command, and its peak memory
(maximum resident set size of the child, from ``getrusage``). Compares them
with the targets given on the command line.

Usage:
    python -m model.bench scenarios/baseline_2020.yaml [--scale 1.0] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one_run(scenario: str, scale: float) -> dict[str, float]:
    """Run the CLI once in a child process; return its timings, peak memory and size."""
    with tempfile.TemporaryDirectory(prefix="loopbaan-bench-") as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "model.cli", "run", scenario, "--scale", str(scale), "--out", out],
                              capture_output=True, text=True)
        wall = time.perf_counter() - t0
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if proc.returncode != 0:
            sys.exit(f"benchmark run failed ({proc.returncode}):\n{proc.stderr}")
        folder = Path(proc.stdout.strip().splitlines()[-1])
        manifest = json.loads((folder / "manifest.json").read_text())
        timings = manifest["timings_seconds"]
        simulate = sum(v for k, v in timings.items() if k.startswith("simulate:"))
        warmup = sum(v for k, v in timings.items() if k.startswith("warmup:"))
        settings = manifest["scenarios"][0]["settings"]
        return {"simulate": simulate, "warmup": warmup, "synthesis": timings["synthesis"], "wall": wall,
                "peak_gib": max(peak_kib, before) / 2**20, "persons": manifest["persons_simulated"],
                "start": settings["start"], "end": settings["end"]}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the medians against the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=1, help="repeat and report medians")
    parser.add_argument("--target-simulate", type=float, default=15.0, help="seconds for the simulated months")
    parser.add_argument("--target-wall", type=float, default=45.0, help="seconds for the whole command")
    parser.add_argument("--target-memory", type=float, default=1.5, help="GiB peak memory")
    args = parser.parse_args(argv)
    runs = [one_run(args.scenario, args.scale) for _ in range(args.runs)]
    med = {k: statistics.median(r[k] for r in runs) for k in ("simulate", "warmup", "synthesis", "wall", "peak_gib")}
    r0 = runs[0]
    print(f"scenario {args.scenario}: {r0['persons']:,} persons, {r0['start']} to {r0['end']}, {args.runs} run(s), medians:")
    rows = [
        ("simulated months (s)", med["simulate"], args.target_simulate),
        ("whole command (s)", med["wall"], args.target_wall),
        ("peak memory (GiB)", med["peak_gib"], args.target_memory),
    ]
    for label, value, target in rows:
        print(f"  {label:<22} {value:8.2f}   target < {target:g}   {'ok' if value < target else 'MISSED'}")
    print(f"  (synthesis {med['synthesis']:.2f} s, warm-up {med['warmup']:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
