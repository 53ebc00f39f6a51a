"""The report notebook runs on a run folder and shows its numbers."""

import runpy
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "report.py"


def test_report_notebook_has_a_parameters_cell_and_picks_no_folder(monkeypatch):
    """Papermill fills the tagged cell; run as a plain script without a folder, it stops with a clear message."""
    import jupytext
    import pytest

    notebook = jupytext.read(NOTEBOOK)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "run_dir = None" in tagged[0].source and 'lang = "nl"' in tagged[0].source
    with pytest.raises(ValueError, match="run_dir: name the run folder to report on"):
        runpy.run_path(str(NOTEBOOK))


ANALYSIS = Path(__file__).resolve().parents[1] / "notebooks" / "analysis.py"


def test_analysis_notebook_loads_a_run_and_makes_a_chart(reported_results, monkeypatch):
    monkeypatch.setenv("LOOPBAAN_RUN", str(reported_results.folder))
    namespace = runpy.run_path(str(ANALYSIS))
    assert namespace["run"].scenario_names == ["law_2025", "herintreders"]
    assert (namespace["women_users"].columns == ["law_2025", "herintreders"]).all()
    assert namespace["fig"].axes[0].get_title(loc="left").startswith("Women are ") and namespace["report_chart"] is not None


QUICKSTART = Path(__file__).resolve().parents[1] / "notebooks" / "quickstart.py"


def test_quickstart_notebook_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOOPBAAN_OUT", str(tmp_path))
    namespace = runpy.run_path(str(QUICKSTART))
    folder = namespace["folder"]
    assert folder.parent == tmp_path and (folder / "summary.csv").is_file()
    assert set(namespace["res"].summary.scenario) == {"law_2025", "herintreders", "cheap"}
    assert (namespace["effect"].query("metric == 'eligible' and year == 2030")["value"] > 0).all()
    assert "unknown parameter 'cheque.cheques.user_prize'" in capsys.readouterr().out
