"""The Python API: Simulation, Results, Scenario.from_dict / load, parameters; against the CLI."""

import datetime as dt
import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

import model
from model.interfaces.cli import app
from model.params.scenario import ScenarioError

from .conftest import write_scenario

SHORT = {"start": "2025-01", "end": "2026-12", "warmup_months": 12, "scale": 0.003, "seed": 7}
CHEAP = {"name": "cheap", "extends": "baseline_2020",
         "overrides": {"cheque.cheques.user_price": {"2026-01-01": {"cheque1": 20, "cheque2": 20}}}}


@pytest.fixture(scope="module")
def results():
    base = {"name": "base", "extends": "baseline_2020", **SHORT}
    herin = {"name": "herin", "extends": "herintreders", **SHORT}
    cheap = {**CHEAP, **SHORT}
    return model.Simulation([base, herin, cheap]).run(progress=False)


def test_dir_lists_the_api_and_import_sets_no_backend():
    code = ("import sys, model, matplotlib; names = dir(model); import model.report.charts.summary; "
            "print(names); print(matplotlib.rcParams._get_backend_or_none()); print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    for name in ("Simulation", "Results", "Scenario", "ScenarioError", "parameters"):
        assert name in out[0]
    assert out[1] == "None" and out[2] == "False"


def test_summary_and_timeseries_are_the_files_save_writes(results, tmp_path):
    folder = results.save(tmp_path)
    assert folder.parent == tmp_path and folder.is_dir()
    written = pd.read_csv(folder / "summary.csv")
    pd.testing.assert_frame_equal(written, results.summary.reset_index(drop=True), check_dtype=False)
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "timeseries.parquet"), results.timeseries)
    manifest = json.loads((folder / "manifest.json").read_text())
    cheap = next(s for s in manifest["scenarios"] if s["name"] == "cheap")
    assert cheap["files"][0] == "<dict 'cheap'>" and cheap["files"][1].endswith("baseline_2020.yaml")
    assert cheap["dicts"]["<dict 'cheap'>"]["overrides"] == CHEAP["overrides"]


def test_api_and_cli_write_identical_summaries(tmp_path):
    base = write_scenario(tmp_path, "base", json.dumps({"name": "base", "extends": "baseline_2020", **SHORT,
                                                        "warmup_months": 3}))  # JSON is YAML
    spec = {"name": "cheap", "extends": str(base), "overrides": CHEAP["overrides"]}
    path = tmp_path / "cheap.yaml"
    path.write_text(json.dumps(spec))
    cli = CliRunner().invoke(app, ["run", str(base), str(path), "--scale", "0.002", "--seed", "5",
                                   "--out", str(tmp_path / "cli")])
    assert cli.exit_code == 0, cli.output
    cli_folder = tmp_path / "cli" / cli.output.strip().splitlines()[-1].split("/")[-1]
    sim = model.Simulation([str(base), spec], scale=0.002, seed=5)
    api_folder = sim.run(progress=False).save(tmp_path / "api")
    assert (cli_folder / "summary.csv").read_bytes() == (api_folder / "summary.csv").read_bytes()


def test_cli_takes_shipped_scenario_names(tmp_path):
    ok = CliRunner().invoke(app, ["validate", "baseline_2020", "herintreders"])
    assert ok.exit_code == 0 and "ok: 'herintreders' (herintreders.yaml <- law_2025.yaml)" in ok.output
    bad = CliRunner().invoke(app, ["run", "baseline_2021", "--out", str(tmp_path / "o")])
    assert bad.exit_code == 2 and "baseline_2021: scenario file not found; give a path to a .yaml file or a shipped scenario" in bad.output
    assert not (tmp_path / "o").exists()


def test_difference_with_itself_is_exactly_zero(results):
    diff = results.difference("cheap", baseline="cheap")
    values = diff[["value", "p05", "p95"]]
    # A rate of an empty group (no re-entrant users without re-entrants) is undefined in both: NaN.
    assert len(diff) and ((values == 0) | values.isna()).all().all() and values.notna().any().all()


def test_the_comparison_takes_the_baseline_it_is_given(results):
    assert set(results.comparison().index) == {("herin", "base"), ("cheap", "base")}
    assert set(results.comparison(baseline="herin").index) == {("base", "herin"), ("cheap", "herin")}
    chosen = results.comparison(baseline="herin", wide=False)
    assert set(zip(chosen["scenario"], chosen["baseline"], strict=True)) == {("base", "herin"), ("cheap", "herin")}
    users = chosen.set_index(["scenario", "item", "group"])["value"]
    # the default's pair read the other way round: the opposite figure
    against_base = results.comparison(wide=False).set_index(["scenario", "item", "group"])["value"]
    assert users[("base", "extra_users", "all")] == pytest.approx(-against_base[("herin", "extra_users", "all")])
    assert users[("base", "extra_users", "all")] != 0


def test_a_comparison_with_a_baseline_not_in_the_run_is_refused(results):
    with pytest.raises(ScenarioError, match="baseline 'law' is not a scenario of this run; scenarios: base, herin, cheap"):
        results.comparison(baseline="law")


def test_difference_is_paired_per_year_metric_and_group(results):
    diff = results.difference("herin", baseline="base")
    assert list(diff.columns) == ["scenario", "baseline", "year", "metric", "group", "from_status", "to_status",
                                  "centre", "status_at_start", "channel", "margin", "value", "p05", "p95"]
    row = diff[(diff.metric == "eligible") & (diff.group == "non_active") & (diff.year == 2026)].iloc[0]
    s = results.summary
    pick = lambda sc: s[(s.scenario == sc) & (s.metric == "eligible") & (s.group == "non_active") & (s.year == 2026)]["value"].iloc[0]  # noqa: E731
    assert row.value == pytest.approx(pick("herin") - pick("base")) and row.value > 0
    per_rep = results.difference("herin", "base", per_replication=True)
    assert set(per_rep.replication) == {0}
    with pytest.raises(model.ScenarioError, match=r"scenario 'nope' is not a scenario of this run; scenarios: \['base', 'herin', 'cheap'\]"):
        results.difference("nope")


def test_every_cli_chart_has_a_name(results):
    from matplotlib.figure import Figure

    from model.report.charts import figures, summary
    assert set(results.charts) == {*summary.CHARTS, "difference", *figures.FIGURES}
    for name, (file_name, _) in summary.CHARTS.items():
        assert isinstance(results.plot(name), Figure)
        assert isinstance(results.plot(file_name), Figure)
    assert isinstance(results.plot("difference", scenario="herin", baseline="base", metric="eligible"), Figure)
    with pytest.raises(ValueError, match="no chart named 'pie'"):
        results.plot("pie")
    with pytest.raises(ValueError, match=r"plot\('difference'\) takes scenario="):
        results.plot("difference")


def test_extends_a_list_applied_in_order(law, tmp_path):
    cheap_file = write_scenario(tmp_path, "cheap_file", "name: cheap_file\nextends: baseline_2020\noverrides:\n"
                                "  cheque.cheques.user_price: {2026-01-01: {cheque1: 20, cheque2: 20}}\n")
    both = model.Scenario.from_dict({"name": "both", "extends": ["herintreders", str(cheap_file)]}, law)
    p = both.tree.at(dt.date(2026, 6, 1))
    assert p["cheque.eligibility.reentrant.enabled"] is True
    assert p["cheque.cheques.user_price"] == {"cheque1": 20, "cheque2": 20}
    assert both.settings.start == "2025-01"  # from the shipped baseline
    assert [f.split("/")[-1] for f in both.files] == ["<dict 'both'>", "cheap_file.yaml", "baseline_2020.yaml",
                                                      "herintreders.yaml", "law_2025.yaml"]
    later_wins = model.Scenario.from_dict({"name": "x", "extends": [str(cheap_file), "baseline_2020"],
                                           "overrides": {"cheque.cheques.user_price": {"2026-01-01": {"cheque1": 30, "cheque2": 30}}}}, law)
    assert later_wins.tree.at(dt.date(2026, 6, 1))["cheque.cheques.user_price"]["cheque1"] == 30


def test_a_file_elsewhere_extends_a_shipped_scenario(tmp_path, law):
    path = write_scenario(tmp_path, "mine", "name: mine\nextends: baseline_2020\n")
    assert model.Scenario.load(path, law).settings.start == "2025-01"
    assert model.Scenario.load("herintreders", law).name == "herintreders"


def test_bounded_range_ends_by_itself(law):
    s = model.Scenario.from_dict({"name": "pause", "extends": "baseline_2020",
                                  "overrides": {"behaviour.uptake.shock_multiplier": {"2025-03-01..2025-05-31": 0.0},
                                                "cheque.cheques.hours": {"2026-01-01..2026-12-31": {"cheque1": 6, "cheque2": 3}}}}, law)
    at = lambda d, path: s.tree.at(d)[path]  # noqa: E731
    assert at(dt.date(2025, 2, 1), "behaviour.uptake.shock_multiplier") == 1.0
    assert at(dt.date(2025, 5, 31), "behaviour.uptake.shock_multiplier") == 0.0
    assert at(dt.date(2025, 6, 1), "behaviour.uptake.shock_multiplier") == 1.0
    assert at(dt.date(2027, 1, 1), "cheque.cheques.hours") == {"cheque1": 4, "cheque2": 3}
    res = model.Simulation({**s.to_manifest()["dicts"]["<dict 'pause'>"], **SHORT, "warmup_months": 0}).run(progress=False)
    starts = res.timeseries[(res.timeseries.metric == "starts_cheque1") & (res.timeseries.group == "all")].set_index("month")["value"]
    assert (starts[["2025-03", "2025-04", "2025-05"]] == 0).all()
    assert starts["2025-02"] > 0 and starts["2025-06"] > 0


def test_a_range_that_holds_across_a_change_of_the_law(law):
    s = model.Scenario.from_dict({"name": "held", "extends": "baseline_2013",
                                  "overrides": {"cheque.eligibility.worker_rule": {"2019-07-01..2020-06-30": "recent_work"}}}, law)
    rule = lambda d: s.tree.at(d)["cheque.eligibility.worker_rule"]  # noqa: E731
    assert rule(dt.date(2020, 3, 1)) == "recent_work" and rule(dt.date(2020, 7, 1)) == "experience"


def test_parameters_value_unit_reference():
    p = model.parameters("cheque.cheques.user_price", date="2022-01-01")
    assert p.value == {"cheque1": 40, "cheque2": 40} and p.unit == "EUR per cheque"
    assert any("docs/sources.md#" in r for r in p.reference)
    assert "cheque.cheques.user_price" in str(p)
    assert model.parameters("cheque.cheques.user_price").values[dt.date(2013, 7, 1)] == {"cheque1": 40, "cheque2": 40}
    table = model.parameters("cheque.cheques.", date="2021-01-01")
    assert "cheque.cheques.hours" in set(table.path)
    with pytest.raises(model.ParameterError, match="unknown parameter 'cheque.nothing'"):
        model.parameters("cheque.nothing")
    with pytest.raises(model.ParameterError, match="date: 'soon' is not a date"):
        model.parameters("cheque.cheques.user_price", date="soon")


def test_settings_given_to_simulation_are_strict():
    with pytest.raises(model.ScenarioError, match=r"key 'scale': Input should be a valid number"):
        model.Simulation("baseline_2020", scale=True)
    with pytest.raises(model.ScenarioError, match=r"key 'seed': Input should be a valid integer"):
        model.Simulation("baseline_2020", seed="42")
    with pytest.raises(model.ScenarioError, match=r"key 'scale': Input should be a finite number"):
        model.Simulation("baseline_2020", scale=float("nan"))
    with pytest.raises(model.ScenarioError, match=r"scenario names must differ within a run"):
        model.Simulation(["baseline_2020", "baseline_2020"])


def test_replications_give_paired_bands():
    base = {"name": "base", "extends": "baseline_2020", **SHORT, "warmup_months": 0, "scale": 0.002}
    herin = {**base, "name": "herin", "extends": "herintreders"}
    res = model.Simulation([base, herin], replications=3).run(progress=False)
    diff = res.difference("herin", "base")
    defined = diff.dropna(subset=["value"])  # rates of empty groups are undefined
    assert (defined["p05"] <= defined["value"] + 1e-9).all() and (defined["value"] <= defined["p95"] + 1e-9).all()
    per_rep = res.difference("herin", "base", per_replication=True)
    assert set(per_rep.replication) == {0, 1, 2} and len(per_rep) == 3 * len(diff)
    row = diff[(diff.metric == "eligible") & (diff.group == "all") & (diff.year == 2026)].iloc[0]
    reps = per_rep[(per_rep.metric == "eligible") & (per_rep.group == "all") & (per_rep.year == 2026)]["value"]
    assert row.value == pytest.approx(reps.mean()) and row.p05 < row.p95


def test_the_readme_example_runs(tmp_path, monkeypatch):
    """The README's ten lines of Python, as a user would paste them (smaller and shorter, into a temporary folder)."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = text.index("```python") + len("```python")
    code = text[start:text.index("```\n", start)]
    assert len(code.strip().splitlines()) <= 12  # the import, a blank line and ten lines
    monkeypatch.chdir(tmp_path)
    assert code.count("scale=0.02") == 1
    namespace: dict = {}
    exec(compile(code.replace("scale=0.02", "scale=0.001"), "README.md", "exec"), namespace)  # noqa: S102
    folder = namespace["folder"]
    assert (tmp_path / folder).parent == tmp_path / "outputs" and (tmp_path / folder / "comparison.csv").is_file()
    wide = namespace["res"].comparison()
    assert len(wide) == 1 and wide.reset_index().iloc[0].tolist()[:2] == ["herintreders", "law_2025"]


SCRIPT = '''import model
from model.mechanisms import default_processes

short = {"start": "2025-01", "end": "2025-12", "warmup_months": 6, "scale": 0.002, "seed": 7}
processes = None
if OWN:
    processes = default_processes()

    class Ageing(type(processes[0])):
        """The shipped first process, defined in this script: the workers need the script then."""

    processes[0] = Ageing()
res = model.Simulation([{"name": "base", "extends": "law_2025", **short}, {"name": "herin", "extends": "herintreders",
                       **short}], replications=2, workers=2, processes=processes).run(progress=False, cache=False)
print("users", res.comparison().loc[("herin", "base"), "extra_users"])
'''


@pytest.mark.parametrize("own", [False, True])
def test_workers_in_a_plain_script_run_or_say_how_in_one_line(tmp_path, own):
    script = tmp_path / "plain.py"  # no 'if __name__ == "__main__":', as a newcomer writes it
    script.write_text(f"OWN = {own}\n" + SCRIPT)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    if not own:  # the workers need only the package: the script is not run again in them
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.startswith("users ")
    else:  # the workers need the script's own process: the one line says what to do
        assert done.returncode == 1
        assert done.stderr.strip().splitlines()[-1] == (
            "model.params.scenario.ScenarioError: workers: a worker process ended before its job did (out of memory, "
            "killed, or a script without 'if __name__ == \"__main__\":' whose processes of the month are its own); "
            "put the run under that line, or use workers=1")
