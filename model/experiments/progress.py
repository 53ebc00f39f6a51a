"""What a run tells as it goes: lines of text, months simulated, runs finished.

One object travels through a run instead of a callback per kind of news. This
:class:`Progress` tells nothing; the command line and the Python API pass one
that prints lines and moves a bar. A worker process records its news
(:class:`Recorded`) and the run plays it back in the parent's progress.
"""

from __future__ import annotations

from collections.abc import Callable


class Progress:
    """The news of a run; every method does nothing here (override what you show)."""

    def line(self, text: str) -> None:
        """A line of text at a stage of the run (a replication started, a scenario simulated)."""

    def months(self, n: int) -> None:
        """``n`` more months simulated."""

    def run_done(self, done: int, total: int) -> None:
        """``done`` runs (replications of every scenario) of ``total`` are finished."""


class Lines(Progress):
    """Lines of text to a function (``print``, a log), nothing else.

    Args:
        write: Receives each line.
    """

    def __init__(self, write: Callable[[str], None]):
        self.write = write

    def line(self, text: str) -> None:
        """Hand the line to ``write``."""
        self.write(text)


class Recorded(Progress):
    """The lines and months of one replication in a worker process, to be told again in the parent (:meth:`replay`)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.months_done = 0

    def line(self, text: str) -> None:
        """Keep the line."""
        self.lines.append(text)

    def months(self, n: int) -> None:
        """Count the months."""
        self.months_done += n

    def replay(self, progress: Progress) -> None:
        """Tell ``progress`` what was recorded."""
        for text in self.lines:
            progress.line(text)
        progress.months(self.months_done)
