"""Compile the model's kernels once, into numba's cache, before anything else runs them.

``make setup`` runs this after installing: a tiny population under the law and
under the resolution with its parts and a budget cap (every mechanism on) for a
year and a half, in one process. numba keeps what it compiles next to the
sources (``__pycache__``), so the processes that follow (the test suite's two
workers, the worker processes of replications and of the what-if page) load the
kernels instead of each compiling them again at the same time.

Usage:
    python -m model.interfaces.kernels
"""

from __future__ import annotations

import time

SHORT = {"start": "2025-01", "end": "2025-12", "warmup_months": 6}


def main() -> int:
    """Simulate the tiny runs; print how long it took."""
    from .api import Simulation

    t0 = time.perf_counter()
    law = {"name": "law", "extends": "law_2025", **SHORT}
    whole = {"name": "whole", "extends": "law_2025", **SHORT,
             "parts": {"ask_1": "herintreders", "ask_2": "herintreders_outreach", "ask_3": "vdab_followup",
                       "ask_4": "quality_monitoring"}}
    capped = {"name": "capped", "extends": "law_2025", **SHORT,  # a cap small enough to bind
              "overrides": {"cheque.budget.yearly_cap_eur": {"2025-01-01": 1_000_000.0}}}
    Simulation([law, whole, capped], scale=0.001, replications=1).run(progress=False, cache=False)
    print(f"the model's kernels are compiled and cached ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
