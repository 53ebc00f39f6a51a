"""A stop asked for (Ctrl-C, or SIGTERM raised as one) that reached compiled code, given back as what it was.

Python runs a signal's handler between two steps of Python code. When that step is
inside a compiled kernel's call back into Python (numba loading a cached kernel's
constants, for example), the handler's exception cannot pass through the compiled
frame, and the caller sees ``SystemError: ... returned a result with an exception
set`` with the stop as its cause. Such an error is a stop, not a fault of the model:
:func:`stop_within` finds the stop so that callers exit as interrupted (130 or 143),
not with a traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


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
