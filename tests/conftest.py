"""Shared fixtures: the parameter tree and small, fast runs."""

import os
from pathlib import Path

import pytest

# Tests run without the cache of warmed-up states (and the CLI they start inherits it), so that each
# test simulates what it checks; the cache's own tests give a folder explicitly.
os.environ["LOOPBAAN_CACHE"] = "off"

if os.environ.get("PYTEST_XDIST_WORKER"):
    # the suite runs in one process per core: one kernel thread each, not two processes fighting over both cores
    # (a test of threads sets its own number, and a command a test starts has the default)
    import numba

    numba.set_num_threads(1)

from model.params.tree import ParameterTree  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def law() -> ParameterTree:
    return ParameterTree.load()


def plan(scenarios, processes=None, **given):
    """A run of resolved scenarios, through the one way into the engine (:class:`model.experiments.build.Run`).

    Args:
        processes: Makes the processes of a month (default: the model's).
        given: Settings that replace the scenarios' (scale, seed, ...).
    """
    from model.experiments.build import Run
    from model.mechanisms import default_processes
    from model.params.scenario import run_settings

    scenarios = list(scenarios)
    return Run(scenarios, run_settings(scenarios, **given), processes or default_processes)


def write_scenario(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def reported_results(tmp_path_factory):
    """A small saved run of the law and ask 1 (2 replications), shared by the report's and the notebooks' tests."""
    import model

    sim = model.Simulation(["law_2025", "herintreders"], scale=0.004, replications=2, seed=11)
    results = sim.run(progress=False, cache=False)
    results.save(tmp_path_factory.mktemp("runs"), name="small")
    return results

