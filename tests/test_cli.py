"""End to end: a small run through the command line writes a complete run folder."""

import json

import pandas as pd
from typer.testing import CliRunner

from model.interfaces.cli import app

from .conftest import SCENARIOS, write_scenario

runner = CliRunner()


def test_run_writes_complete_folder(tmp_path):
    sc = [str(SCENARIOS / f"{n}.yaml") for n in ("baseline_2020", "pre2020_rules", "herintreders")]
    out = tmp_path / "outputs"
    earlier = out / "earlier-run"
    earlier.mkdir(parents=True)
    (earlier / "keep.txt").write_text("x")
    result = runner.invoke(app, ["run", *sc, "--scale", "0.002", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    folder = out / result.output.strip().splitlines()[-1].split("/")[-1]
    assert folder.is_dir() and (earlier / "keep.txt").exists()
    for name in ("manifest.json", "summary.csv", "timeseries.parquet", "population_fit.csv", "parameters.csv",
                 "charts/employment_rate_vs_target.png", "charts/employment_rate_vs_target.svg",
                 "charts/government_cost_per_year.png", "charts/eligible_and_users_by_group.png"):
        assert (folder / name).is_file(), name
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [s["name"] for s in manifest["scenarios"]] == ["baseline_2020", "pre2020_rules", "herintreders"]
    assert manifest["seed"] == 3 and manifest["code_sha256"] and "numpy" in manifest["versions"]
    summary = pd.read_csv(folder / "summary.csv")
    assert list(summary.columns) == ["scenario", "year", "metric", "group", "from_status", "to_status",
                                     "centre", "status_at_start", "channel", "margin", "value"]
    required = {"population_20_64", "employment_rate_20_64", "eligible", "starts_cheque1", "starts_cheque2",
                "government_cost_eur", "user_cost_eur", "reentries_jobseeker", "reentries_employment"}
    assert required <= set(summary.metric)
    assert {"all", "women", "men", "low_educated", "age_50_plus", "migration_background", "work_disability",
            "disadvantaged", "non_active", "re_entrant"} <= set(summary.group)
    assert sorted(summary.year.unique()) == list(range(2025, 2035))
    assert "eligible (avg)" in result.output
    assert not list(out.glob(".incomplete-*"))


def test_same_seed_gives_identical_files(tmp_path):
    path = write_scenario(tmp_path, "s", "name: s\nextends: " + str(SCENARIOS / "herintreders.yaml")
                          + "\nstart: 2025-01\nend: 2025-12\nwarmup_months: 3\n")
    folders = []
    for i in range(2):
        result = runner.invoke(app, ["run", str(path), "--scale", "0.002", "--seed", "5", "--out", str(tmp_path / f"o{i}")])
        assert result.exit_code == 0, result.output
        folders.append(tmp_path / f"o{i}" / result.output.strip().splitlines()[-1].split("/")[-1])
    assert (folders[0] / "summary.csv").read_bytes() == (folders[1] / "summary.csv").read_bytes()
    assert (folders[0] / "population_fit.csv").read_bytes() == (folders[1] / "population_fit.csv").read_bytes()


def test_replications_give_bands_and_what_run_prints_fits_in_120_columns(tmp_path):
    short = "\nstart: 2025-01\nend: 2025-12\nwarmup_months: 3\n"
    law = write_scenario(tmp_path, "law", "name: law\nextends: " + str(SCENARIOS / "law_2025.yaml") + short)
    whole = write_scenario(tmp_path, "resolution_full_long_name", "name: resolution_full_long_name\nextends: "
                           + str(law) + "\nparts:\n  ask_1_reentrants: herintreders\n  ask_4_monitoring: "
                           "quality_monitoring\n")
    result = runner.invoke(app, ["run", str(law), str(whole), "--scale", "0.002", "--replications", "2",
                                 "--no-cache", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    lines = result.output.rstrip("\n").splitlines()
    assert "Parts of resolution_full_long_name" in result.output and "Within noise" in result.output
    too_wide = [line for line in lines[:-1] if len(line) > 120]  # (the last line is the run folder's path)
    assert not too_wide, too_wide
    summary = pd.read_csv(tmp_path / "o" / lines[-1].split("/")[-1] / "summary.csv")
    assert {"p05", "p95"} <= set(summary.columns)
    row = summary[(summary.metric == "eligible") & (summary.group == "all")].iloc[0]
    assert row.p05 <= row.value <= row.p95
