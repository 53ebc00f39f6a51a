"""Same numbers, to the byte: a fixed small run and the calibration objective against files pinned in tests/golden/.

The run has several scenarios (one made of parts, so the part runs are there too), two replications and two
parameter sets, over a short horizon so that it stays quick. What is pinned:

- ``summary.csv`` and ``comparison.csv`` of its run folder, byte for byte;
- the numbers the English report embeds (``<script id="loopbaan-report-figures">``), without the run folder's
  name (it holds the time of the run);
- the calibration objective (the residuals of every fit target) at the config's start values, on paths recorded
  at a small scale, as the exact bits of each float.

A change of the code that moves no number leaves these files as they are. A change that is meant to move numbers
(a new mechanism, a fix of the model) writes them again, on purpose and in the same commit::

    LOOPBAAN_WRITE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

and the commit says why the numbers moved.
"""

import gzip
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

import model

GOLDEN = Path(__file__).parent / "golden"
WRITE = os.environ.get("LOOPBAAN_WRITE_GOLDEN") == "1"
HORIZON = {"end": "2026-12", "warmup_months": 12}
SCENARIOS = [
    {"name": "law", "extends": "law_2025", **HORIZON},
    {"name": "ask1", "extends": "herintreders", **HORIZON},
    {"name": "resolution", "extends": "law_2025", **HORIZON,
     "parts": {"ask_1": "herintreders", "ask_2": "herintreders_outreach", "ask_4": "quality_monitoring"}},
]
SETTINGS = {"scale": 0.002, "replications": 2, "parameter_sets": 2, "seed": 5}


def _check(name: str, content: bytes) -> None:
    """``content`` is the golden file ``name`` to the byte (or becomes it, with LOOPBAAN_WRITE_GOLDEN=1).

    A large file is kept gzipped (``name.gz``, written without a time stamp); its content is compared.
    """
    packed = len(content) > 200_000
    path = GOLDEN / (name + ".gz" if packed else name)
    if WRITE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(gzip.compress(content, compresslevel=9, mtime=0) if packed else content)
        return
    assert path.is_file(), f"{path} is missing: write it with LOOPBAAN_WRITE_GOLDEN=1"
    expected = gzip.decompress(path.read_bytes()) if packed else path.read_bytes()
    if content != expected:
        got, want = content.decode().splitlines(), expected.decode().splitlines()
        first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        shown = lambda lines: lines[first] if first < len(lines) else "<end>"  # noqa: E731
        pytest.fail(f"{name} differs from the golden file first at line {first + 1} ({len(got)} lines against "
                    f"{len(want)}):\n  now:    {shown(got)}\n  golden: {shown(want)}")


@pytest.fixture(scope="module")
def golden_run(tmp_path_factory):
    """The fixed small run, saved, with its English report."""
    sim = model.Simulation(SCENARIOS, **SETTINGS)
    results = sim.run(progress=False, cache=False)
    folder = results.save(tmp_path_factory.mktemp("golden"), name="golden")
    report = results.report(lang="en")
    return folder, report


def test_the_run_has_parts_replications_and_parameter_sets(golden_run):
    folder, _ = golden_run
    manifest = json.loads((folder / "manifest.json").read_text())
    names = [s["name"] for s in manifest["scenarios"]]
    assert names[:3] == ["law", "ask1", "resolution"] and any("__" in n for n in names)
    assert (manifest["replications"], manifest["parameter_sets"]) == (2, 2)


@pytest.mark.parametrize("file", ["summary.csv", "comparison.csv"])
def test_run_folder_tables_are_the_golden_ones(golden_run, file):
    folder, _ = golden_run
    _check(file, (folder / file).read_bytes())


def test_the_report_embeds_the_golden_numbers(golden_run):
    _, report = golden_run
    html = report.read_text(encoding="utf-8")
    found = re.search(r'<script[^>]*id="loopbaan-report-figures"[^>]*>(.*?)</script>', html, re.S)
    assert found, "the report's numbers are not embedded"
    record = json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    record.pop("run")  # the run folder's name holds the time of the run
    _check("report_figures.json", (json.dumps(record, sort_keys=True, indent=1) + "\n").encode())


def test_the_calibration_objective_is_the_golden_one(tmp_path):
    from model.experiments.calibration import fit, replay
    from model.experiments.calibration.config import DEFAULT_CONFIG, load_config

    raw = yaml.safe_load(DEFAULT_CONFIG.read_text())
    raw.update(scenario=str(Path(__file__).resolve().parents[1] / "scenarios" / "baseline_2013.yaml"), scale=0.003,
               rounds=1)
    config_file = tmp_path / "calibration.yaml"
    config_file.write_text(yaml.safe_dump(raw, sort_keys=False))
    config = load_config(config_file)
    x = np.array(config.start(), dtype=float)
    paths = replay.record_paths(config.scenario, config.tree(x), config.scale, config.seed, config.last_year)
    residuals = fit.Objective(config, paths)(x)
    record = {"point": [v.hex() for v in x.tolist()],
              "targets": [t.name for t in config.targets],
              "residuals": [float(r).hex() for r in residuals]}
    _check("calibration_objective.json", (json.dumps(record, indent=1) + "\n").encode())
