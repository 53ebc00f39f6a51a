"""The report notebook runs on a run folder and shows its numbers."""

import runpy
from pathlib import Path

from typer.testing import CliRunner

from model.cli import app

from .conftest import SCENARIOS

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "report.py"


def test_report_notebook_runs(tmp_path, monkeypatch, capsys):
    sc = [str(SCENARIOS / f"{n}.yaml") for n in ("baseline_2020", "herintreders")]
    result = CliRunner().invoke(app, ["run", *sc, "--scale", "0.002", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    run = result.output.strip().splitlines()[-1]
    monkeypatch.setenv("LOOPBAAN_RUN", run)
    namespace = runpy.run_path(str(NOTEBOOK))
    assert list(namespace["headline"].index) == ["baseline_2020", "herintreders"]
    assert namespace["headline"].loc["herintreders", "eligible"] > namespace["headline"].loc["baseline_2020", "eligible"]
    assert "run " in capsys.readouterr().out


QUICKSTART = Path(__file__).resolve().parents[1] / "notebooks" / "quickstart.py"


def test_quickstart_notebook_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOOPBAAN_OUT", str(tmp_path))
    namespace = runpy.run_path(str(QUICKSTART))
    folder = namespace["folder"]
    assert folder.parent == tmp_path and (folder / "summary.csv").is_file()
    assert set(namespace["res"].summary.scenario) == {"law_2025", "herintreders", "cheap"}
    assert (namespace["effect"].query("metric == 'eligible' and year == 2030")["value"] > 0).all()
    assert "unknown parameter 'cheque.cheques.user_prize'" in capsys.readouterr().out
