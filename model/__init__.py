"""loopbaansim: a policy-impact simulation of the Flemish career-guidance voucher (loopbaancheque).

From Python::

    import model
    sim = model.Simulation(["baseline_2020", "herintreders"], scale=0.02, seed=7)
    res = sim.run()
    res.summary                      # yearly results (summary.csv)
    res.difference("herintreders")   # paired difference with the first scenario
    res.plot("employment_rate")      # a matplotlib Figure
    res.save("outputs/")             # the run folder the CLI writes
    res.report(lang="en")            # report.en.html in that folder (loopbaan report)
    run = model.load_run(folder)     # a run folder read back: tables, findings, the report's charts
    run.figure("rate_path", lang="nl")

    model.Scenario.load("herintreders")
    model.Scenario.from_dict({"name": "cheap", "extends": "baseline_2020", "overrides": {...}})
    model.parameters("cheque.cheques.user_price", date="2026-01-01")

The names are loaded on first use, so ``import model`` stays light and sets no
matplotlib backend.

The package is in layers, each a folder that imports only the folders below it
(checked by ``make lint``): ``params`` (what may vary) -> ``people`` -> ``engine`` ->
``mechanisms`` -> ``results`` -> ``experiments`` -> ``report`` -> ``interfaces``.
``docs/architecture.md`` walks through them.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

_EXPORTS = {
    "Simulation": "interfaces.api", "Results": "interfaces.api", "parameters": "interfaces.api",
    "ParameterValue": "interfaces.api", "Sweep": "interfaces.api",
    "SweepError": "experiments.sweep",
    "Scenario": "params.scenario", "ScenarioError": "params.scenario",
    "ParameterError": "params.tree", "ParameterTree": "params.tree", "RunSettings": "params.settings",
    "OutputError": "results.atomic",
    "Process": "engine.process", "Column": "engine.process", "Month": "engine.process", "ProcessError": "engine.process",
    "Counter": "engine.counters",
    "default_processes": "mechanisms",
    "SimulationState": "engine.state",
    "LoopbaanModel": "engine.engine",
    "load_run": "report.loaded", "RunData": "report.loaded", "RunFolderError": "report.run_data",
    "ReportError": "report.render",
    "explain": "interfaces.explain", "Situation": "interfaces.explain",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'model' has no attribute {name!r}")


def __dir__() -> list[str]:
    return [*__all__, "__version__"]
