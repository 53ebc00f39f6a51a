"""``loopbaan report``: execute ``notebooks/report.py`` on a run folder and write a self-contained HTML report.

The notebook is a jupytext file with a papermill parameters cell (``run_dir``,
``lang``, ``backcast``, ``alternatives``). It is executed with papermill in a fresh kernel,
converted with nbconvert (code hidden, images embedded as data, no script or
style loaded from the network) and written into the run folder atomically:
``report.html`` in Dutch, ``report.en.html`` in English. The run's own files are
never touched; a report written again replaces the report only, in one rename.

Nothing here runs the model or chooses a run folder: the caller names it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from ..results import run_folder
from . import labels
from .run_data import RunFolderError, RunTables

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "report.py"
FILE_NAMES = {"nl": "report.html", "en": "report.en.html"}
SCRATCH = "loopbaan-report-"  # the scratch folders of reports being made, in the system's temporary folder
SCRATCH_LOCK = ".running"  # the file in a scratch folder that its report holds locked while it runs
STALE_SCRATCH_SECONDS = 86_400  # a scratch folder of an older name is left a day before it counts as abandoned
FIGURES_ID = "loopbaan-report-figures"  # the <script type="application/json"> holding the report's numbers
# external resources that a self-contained page must not load (nbconvert's lab template links some)
_EXTERNAL = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>|<link[^>]*\bhref=\"https?://[^\"]*\"[^>]*>",
                       re.IGNORECASE)


class ReportError(RuntimeError):
    """The report cannot be made: a bad run folder, language or back-cast folder, or a failing notebook."""


def check_inputs(run_dir: str | Path, lang: str, backcast: str | Path | None,
                 alternatives: list[str | Path] | None = None, uncertainty: str | Path | None = None) -> RunTables:
    """The run folder, read; the language, back-cast folder, alternative runs and parameter-set run, checked.

    Raises:
        ReportError: naming the folder, file or option and what is allowed.
    """
    try:
        labels.check_language(lang)
    except labels.LabelError as exc:
        raise ReportError(str(exc)) from None
    try:
        run = RunTables.load(run_dir)
    except RunFolderError as exc:
        raise ReportError(str(exc)) from None
    if backcast is not None:
        try:
            found = (Path(backcast) / "validation.csv").is_file()
        except OSError:  # (a name too long for the file system)
            found = False
        if not found:
            raise ReportError(f"--backcast {backcast}: not a back-cast run folder (validation.csv missing); "
                              f"give a folder written by 'loopbaan backcast'")
        try:
            run_folder.read_extra(backcast, "validation.csv")
        except RunFolderError as exc:
            raise ReportError(f"--backcast: {exc}") from None
    for other in alternatives or []:
        try:
            alternative = RunTables.load(other)
        except RunFolderError as exc:
            raise ReportError(f"--alternative: {exc}") from None
        if run.pair_shared_with([alternative]) is None:
            pairs = [" vs ".join(pair) for pair in run.pairs()]
            shown = "; ".join(pairs[:3]) + (f" and {len(pairs) - 3} more" if len(pairs) > 3 else "")
            raise ReportError(f"--alternative {other}: this run holds none of the pairs of the run reported "
                              f"({shown or 'none'}), and the report sets one of them side by side under each "
                              f"projection; give a run of the same scenarios under another projection")
    if uncertainty is not None:
        try:
            spread = RunTables.load(uncertainty).spread
        except RunFolderError as exc:
            raise ReportError(f"--uncertainty: {exc}") from None
        if spread.empty:
            raise ReportError(f"--uncertainty {uncertainty}: this run has no spread.csv; give a run folder of "
                              f"'loopbaan run ... --parameter-sets M' (M of at least 10)")
    if not NOTEBOOK.is_file():
        raise ReportError(f"{NOTEBOOK}: the report notebook is missing (run from a clone of the repository)")
    return run


def write_report(run_dir: str | Path, lang: str = "nl", backcast: str | Path | None = None,
                 alternatives: list[str | Path] | None = None, uncertainty: str | Path | None = None) -> Path:
    """Execute the report notebook on ``run_dir`` and write ``report.html`` (nl) or ``report.en.html`` (en) into it.

    Args:
        run_dir: A run folder written by ``loopbaan run`` or :meth:`model.Results.save`.
        lang: ``nl`` or ``en``.
        backcast: A run folder of ``loopbaan backcast``, for the out-of-sample validation (optional).
        alternatives: Run folders of the same scenarios under other projections of the employment rate
            (``loopbaan run ... --projection trend``), for the headline side by side (optional).
        uncertainty: A run folder with parameter sets (``loopbaan run ... --parameter-sets M``), whose
            ``spread.csv`` ranks what would sharpen each headline (optional; the run's own when it has one).

    Returns:
        The report's path.

    Raises:
        ReportError: for bad inputs (nothing is written) or a notebook that fails (nothing is written).
    """
    run = check_inputs(run_dir, lang, backcast, alternatives, uncertainty)
    import jupytext
    import nbconvert
    import papermill

    notebook = jupytext.read(NOTEBOOK)
    parameters = {"run_dir": str(run.folder.resolve()), "lang": lang,
                  "backcast": str(Path(backcast).resolve()) if backcast is not None else None,
                  "alternatives": [str(Path(a).resolve()) for a in alternatives or []],
                  "uncertainty": str(Path(uncertainty).resolve()) if uncertainty is not None else None}
    remove_stale_scratch()
    try:
        scratch_folder = tempfile.TemporaryDirectory(prefix=SCRATCH)
    except OSError as exc:
        raise ReportError(f"{tempfile.gettempdir()}: cannot make the report's scratch folder there "
                          f"({exc.strerror or exc}); free some space or set TMPDIR to another folder") from None
    with scratch_folder as scratch, _held(Path(scratch) / SCRATCH_LOCK):
        executed_path = Path(scratch) / "report.ipynb"
        try:
            executed = papermill.execute_notebook(notebook, str(executed_path), parameters=parameters,
                                                  kernel_name="python3", progress_bar=False, cwd=str(NOTEBOOK.parent),
                                                  log_output=False, extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
        except papermill.PapermillExecutionError as exc:
            raise ReportError(f"{NOTEBOOK}: cell {exc.exec_count} failed: {exc.ename}: {exc.evalue}") from None
        except OSError as exc:  # the scratch folder filled up or went away
            raise ReportError(f"{scratch}: the report's scratch folder cannot be written ({exc.strerror or exc}); "
                              f"free some space or set TMPDIR to another folder") from None
        for number, cell in enumerate(executed.cells):  # ids fixed by position: the same report, byte for byte
            cell["id"] = f"cell-{number}"
        exporter = nbconvert.HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                                          exclude_output_prompt=True, exclude_markdown=True,
                                          embed_images=True)  # the notebook's own notes are for its readers, not the report's
        html, _ = exporter.from_notebook_node(executed, resources={"metadata": {"name": labels.text("report.title", lang)}})
    html = _EXTERNAL.sub("", html)
    html = re.sub(r"<html[^>]*>", f'<html lang="{lang}">', html, count=1)
    final = run.folder / FILE_NAMES[lang]
    tmp = run.folder / f".{final.name}.incomplete-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, final)  # one rename: a reader sees the old report or the new one, never half of one
    except OSError as exc:
        with contextlib.suppress(OSError):  # a folder that refused the file may refuse its removal too
            tmp.unlink(missing_ok=True)
        raise ReportError(f"{final}: cannot write the report ({exc.strerror or exc}); the run folder is "
                          f"unchanged") from None
    return final


def remove_stale_scratch(older_than_seconds: float = STALE_SCRATCH_SECONDS) -> None:
    """Remove the scratch folders of reports that ended without tidying up (killed outright).

    A report holds a lock on a file in its scratch folder for as long as it runs (released by the system when its
    process ends, however it ends), so a folder whose lock can be taken belongs to no running report, on this
    machine or any other that shares the folder. A folder without the lock file is removed only once it is older
    than ``older_than_seconds`` (a report makes its folder, then its lock: a moment without one).
    """
    for path in Path(tempfile.gettempdir()).glob(f"{SCRATCH}*"):
        try:
            if not path.is_dir():
                continue
            lock = path / SCRATCH_LOCK
            if lock.is_file():
                with lock.open("a") as handle:
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue  # a report runs there now
                    shutil.rmtree(path, ignore_errors=True)
            elif time.time() - path.stat().st_mtime > older_than_seconds:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


@contextlib.contextmanager
def _held(lock: Path):
    """Hold an exclusive lock on ``lock`` while the report runs (the system lets go when the process ends)."""
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
