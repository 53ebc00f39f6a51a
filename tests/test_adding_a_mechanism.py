"""The walkthrough of docs/architecture.md: a new mechanism is one folder, one list, one parameter file, one scenario.

The test takes the four pieces from the page as a user would copy them: the process's file, the place in the
month's list, the parameter file (written into a copy of the parameters) and the scenario, and runs the scenario
against the law. Nothing else of the package changes, and the new cost reaches the comparison through its role.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from model.experiments.build import Run
from model.experiments.run import run
from model.mechanisms import MONTH
from model.params.tree import CALIBRATED_FILE, PARAMETER_DIR, ParameterTree
from model.results.comparison import compare

DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
SHORT = {"start": "2026-01", "end": "2026-12", "warmup_months": 12, "scale": 0.002, "seed": 3}
PROCESS_FILE = "model/mechanisms/reminders/process.py"
PARAMETER_FILE = "model/params/parameters/reminders.yaml"
SCENARIO_FILE = "scenarios/reminders.yaml"


@pytest.fixture(scope="module")
def walkthrough() -> tuple[dict[str, str], str]:
    """The files of the section (``` blocks with file=PATH) and the snippet of the month's list."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Adding a mechanism"):text.index("\n## ", text.index("## Adding a mechanism") + 5)]
    files = {m.group(1): m.group(2) for m in re.finditer(r"```\w+ file=(\S+)\n(.*?)```", section, re.DOTALL)}
    listing = section[section.index("**2. The list**"):section.index("**3. The parameter file**")]
    return files, listing


def test_the_walkthrough_names_one_folder_one_list_one_parameter_file_and_one_scenario(walkthrough):
    files, listing = walkthrough
    assert set(files) == {PROCESS_FILE, PARAMETER_FILE, SCENARIO_FILE}
    # the list on the page is the model's month with the new process in its place
    shown = re.search(r"MONTH = \((.*?)\)", listing, re.DOTALL).group(1)
    names = [name.strip() for name in shown.split(",")]
    expected = [p.__name__ for p in MONTH]
    expected.insert(expected.index("Outreach") + 1, "Reminders")
    assert names == expected


def test_the_walkthrough_runs_and_its_cost_joins_the_comparison(walkthrough, tmp_path):
    files, _ = walkthrough
    namespace: dict = {}
    exec(compile(files[PROCESS_FILE], PROCESS_FILE, "exec"), namespace)  # noqa: S102
    reminders = namespace["Reminders"]
    parameters = tmp_path / "parameters"
    shutil.copytree(PARAMETER_DIR, parameters)
    (parameters / "reminders.yaml").write_text(files[PARAMETER_FILE], encoding="utf-8")
    law = ParameterTree.load(parameters, CALIBRATED_FILE)
    scenario = tmp_path / "reminders.yaml"
    scenario.write_text(files[SCENARIO_FILE], encoding="utf-8")
    month = list(MONTH)
    month.insert(month.index(next(p for p in MONTH if p.__name__ == "Outreach")) + 1, reminders)

    plan = Run.of([{"name": "law", "extends": "law_2025", **SHORT}, {"name": "with_reminders",
                   "extends": str(scenario), **SHORT}], law=law, processes=lambda: [p() for p in month])
    result = run(plan)
    letters = result.summary.query("metric == 'letters' and group == 'non_active'").set_index("scenario")["value"]
    assert letters["law"] == 0 and letters["with_reminders"] > 0
    cost = result.summary.query("metric == 'reminders_cost_eur' and group == 'all'").set_index("scenario")["value"]
    price = law.at(dt.date(2026, 6, 1))["reminders.cost_per_letter_eur"]
    all_letters = result.summary.query("metric == 'letters' and group == 'all'").set_index("scenario")["value"]
    assert cost["with_reminders"] == pytest.approx(price * all_letters["with_reminders"])
    compared = compare(result).set_index(["scenario", "item", "group"])["value"]
    assert compared["with_reminders", "extra_cost_reminders_eur", "all"] == pytest.approx(cost["with_reminders"])
    # the letters change nobody's behaviour, and the new stream no existing draw: the letters are the only cost
    assert compared["with_reminders", "extra_cost_total_eur", "all"] == pytest.approx(cost["with_reminders"])
    assert compared["with_reminders", "extra_users", "all"] == 0
