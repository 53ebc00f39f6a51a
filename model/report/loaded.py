"""A run read back for its users: the run's tables (:class:`model.report.run_data.RunTables`) and the report's charts.

Example:
    >>> import model
    >>> run = model.load_run("outputs/20261204T220324Z-law_2025+herintreders")
    >>> run.comparison.head()
    >>> run.figure("rate_path", lang="nl")

The charts are drawn from the tables (:mod:`model.report.charts.figures`), which
read a :class:`~model.report.run_data.RunTables`; this class adds the one method
that reaches back to them, so the tables never import the charts.
"""

from __future__ import annotations

from pathlib import Path

from .run_data import RunTables


class RunData(RunTables):
    """The tables of one run (a folder, or results in memory), and the report's charts made from them."""

    def figure(self, name: str, lang: str = "en", **options):
        """A chart of the report as a matplotlib ``Figure`` (see :data:`model.report.charts.figures.FIGURES`)."""
        from .charts import figures  # (matplotlib only when a chart is asked for)

        return figures.make(self, name, lang, **options)


def load_run(folder: str | Path) -> RunData:
    """Read a run folder written by ``loopbaan run`` or :meth:`model.Results.save` (see :class:`RunData`)."""
    return RunData.load(folder)
