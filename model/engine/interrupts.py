"""A stop asked for (Ctrl-C, or SIGTERM raised as one) that reached compiled code, given back as what it was.

Python runs a signal's handler between two steps of Python code. When that step is
inside a compiled kernel's call back into Python (numba loading a cached kernel's
constants, for example), the handler's exception cannot pass through the compiled
frame, and the caller sees ``SystemError: ... returned a result with an exception
set`` with the stop as its cause. Such an error is a stop, not a fault of the model:
:func:`stop_within` finds the stop so that callers exit as interrupted (130 or 143),
not with a traceback.

A handler's exception raised inside a callback that ``ctypes`` calls (numba's
compiler, through llvmlite, on a kernel's first compilation) is printed and
dropped: the stop never reaches the caller. So a handler also *records* its stop
(:func:`record`), and the engine asks for it between two months and a run folder
before it gets its final name (:func:`raise_recorded`): a stop is never lost.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

_recorded: KeyboardInterrupt | None = None


def record(stop: KeyboardInterrupt) -> KeyboardInterrupt:
    """Keep ``stop`` until :func:`raise_recorded` raises it (or :func:`forget` drops it); return it, to be raised."""
    global _recorded
    _recorded = stop
    return stop


def raise_recorded() -> None:
    """Raise the stop a signal handler recorded, if it has not been raised through to here yet."""
    global _recorded
    stop, _recorded = _recorded, None
    if stop is not None:
        raise stop


def forget() -> None:
    """Drop a recorded stop (a command ends: its stop was handled)."""
    global _recorded
    _recorded = None


def stop_within(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or SIGTERM stop behind ``exc`` (through its causes and contexts), if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


@contextlib.contextmanager
def stops_as_stops() -> Iterator[None]:
    """Re-raise a ``SystemError`` that a stop caused as the stop itself (other errors pass unchanged)."""
    try:
        yield
    except SystemError as exc:
        stop = stop_within(exc)
        if stop is None:
            raise
        raise stop from None
