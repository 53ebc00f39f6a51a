"""The people of the model, held as columns (one numpy array per attribute).

One row is one person aged 20-64 (a row whose ``status`` is ``ABSENT`` is a
free slot). All updates are whole-array operations on these columns; no Python
object exists per person.

Career state is stored so that it need not be touched every month:
``months_worked_before_spell`` holds the months worked before the current
spell, and ``spell_start`` the month the current spell (at work, or out of
work) began. Months worked and months out of work are derived on demand.

The core columns (``CORE_DTYPES``) are drawn by the synthesis
(:mod:`model.people.synthesis`); a process of the engine may add columns of its
own (:meth:`Population.add_column`), which new people receive with the column's
fill value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import codes

UPTAKE_GROUP_OF_BAND = np.zeros(len(codes.AGE_BANDS), dtype=np.intp)
for _group, _bands in enumerate(codes.UPTAKE_AGE_GROUPS.values()):
    UPTAKE_GROUP_OF_BAND[list(_bands)] = _group

# Core columns, their types and the value of a free row (see docs/odd.md for units).
CORE_DTYPES: dict[str, Any] = {
    "sex": np.int8, "age_months": np.int16, "education": np.int8, "migration": np.int8,
    "work_disability": np.bool_, "status": np.int8, "self_employed": np.bool_,
    "inactive_reason": np.int8, "months_worked_before_spell": np.int16,
    "spell_start": np.int16, "gap_before_job": np.int16, "benefits_in_spell": np.uint8,
    "benefits_now": np.uint8, "benefit_end_month": np.int16,
    "awareness_draw": np.float32, "cheques_in_window": np.int8, "window_start": np.int16,
    "last_cheque_month": np.int16, "cheque1_month": np.int16,
    # the group key's inputs beside the columns above: its bits that never change for a person (drawn with
    # them), and whether the person took cheque 1 as a re-entrant (see model.people.groups)
    "group_key_static": np.uint8, "reentrant_user": np.bool_,
}
_FREE_ROW = {"status": codes.ABSENT, "window_start": codes.NO_MONTH, "last_cheque_month": codes.NO_MONTH,
             "cheque1_month": codes.NO_MONTH, "benefit_end_month": codes.NO_MONTH}


class Population:
    """Columns describing every person.

    Core columns (always present):
        sex: 0 man, 1 woman (``codes.SEX``).
        age_months: Age in completed months.
        education: ``codes.EDUCATION`` code.
        migration: ``codes.MIGRATION`` code.
        work_disability: True for a work disability.
        status: ``codes.STATUS`` code (employed, job seeker, non-active, absent).
        self_employed: True for self-employed people at work.
        inactive_reason: ``codes.REASON`` code, 0 unless non-active.
        months_worked_before_spell: Career months worked before the current spell.
        spell_start: Month number (:func:`model.params.calendar.month_number`) the current spell began.
        gap_before_job: Months out of work just before the current work spell.
        benefits_in_spell: Bit flags (``codes.BENEFIT_BIT``) of benefits received
            in the current out-of-work spell.
        benefits_now: Bit flags of the benefits received now (those of the current status in the spell: an
            unemployment benefit ends when a job seeker becomes non-active, a non-active person's benefit when
            they register at VDAB).
        benefit_end_month: Last month of the spell in which a benefit that has ended was received
            (``codes.NO_MONTH`` if none has ended): with ``benefits_now`` it tells whether a benefit fell in the
            last months of the spell (the resolution's "in that period").
        awareness_draw: Fixed latent draw in [0, 1): aware while below the level.
        cheques_in_window: Cheques used in the current window.
        window_start: Month the current window began (``codes.NO_MONTH`` if none).
        last_cheque_month: Month of the latest cheque start.
        cheque1_month: Month of the latest cheque-1 start (recent-user effects).
        group_key_static: The bits of the group key that never change for a person
            (:func:`model.people.groups.static_keys`), kept so that a key costs no pass over them.
        reentrant_user: True once the person took cheque 1 as a re-entrant out of work (non-active, or a
            registered job seeker where they may order; a fixed flag).

    Args:
        **columns: Every core column, plus any extra column, as arrays of one length.
    """

    def __init__(self, **columns: Any):
        missing = [name for name in CORE_DTYPES if name not in columns]
        if missing:
            raise ValueError(f"population lacks the core columns {missing}")
        self.dtypes: dict[str, Any] = {}
        self.fills: dict[str, Any] = {}
        for name, values in columns.items():
            dtype = CORE_DTYPES.get(name, np.asarray(values).dtype)
            setattr(self, name, np.asarray(values, dtype=dtype))
            self.dtypes[name] = dtype
            self.fills[name] = _FREE_ROW.get(name, 0)
        sizes = {len(getattr(self, name)) for name in self.dtypes}
        if len(sizes) != 1:
            raise ValueError(f"population columns differ in length: {sizes}")

    def column_names(self) -> tuple[str, ...]:
        """Names of every column, core columns first."""
        return tuple(self.dtypes)

    def add_column(self, name: str, dtype: Any, fill: Any = 0) -> None:
        """Add a column (every row, free rows and new people get ``fill``)."""
        if name in self.dtypes:
            raise ValueError(f"population already has a column '{name}'")
        setattr(self, name, np.full(len(self), fill, dtype=dtype))
        self.dtypes[name] = dtype
        self.fills[name] = fill

    def __len__(self) -> int:
        return len(self.status)

    def copy(self) -> Population:
        """Deep copy (each scenario runs on its own copy of the same people)."""
        out = Population(**{n: getattr(self, n).copy() for n in self.dtypes})
        out.fills = dict(self.fills)
        return out

    def grow(self, rows: int) -> None:
        """Add ``rows`` free rows at the end, one column at a time (so memory grows by one column at most)."""
        for name, dtype in self.dtypes.items():
            column = getattr(self, name)
            longer = np.empty(len(column) + rows, dtype=dtype)
            longer[:len(column)] = column
            longer[len(column):] = _FREE_ROW.get(name, self.fills[name])
            setattr(self, name, longer)
            del column

    def put(self, idx: np.ndarray, people: Population) -> None:
        """Overwrite rows ``idx`` with ``people``; columns ``people`` lacks get their fill value."""
        for name in self.dtypes:
            getattr(self, name)[idx] = getattr(people, name) if name in people.dtypes else self.fills[name]

    # Derived quantities -------------------------------------------------
    def age_band(self, idx=slice(None)) -> np.ndarray:
        """Five-year age band code (0 = 20-24 ... 8 = 60-64), as intp."""
        band = (self.age_months[idx].astype(np.intp) // 12 - 20) // 5
        return np.clip(band, 0, len(codes.AGE_BANDS) - 1)

    def uptake_age_group(self, idx=slice(None)) -> np.ndarray:
        """Uptake age group code (index into ``codes.UPTAKE_AGE_GROUPS``: 0 = 20-29 ... 4 = 55-64), as intp."""
        return UPTAKE_GROUP_OF_BAND[self.age_band(idx)]

    def months_worked(self, month: int, idx=slice(None)) -> np.ndarray:
        """Career months worked up to ``month``, as int32."""
        before = self.months_worked_before_spell[idx].astype(np.int32)
        at_work = self.status[idx] == codes.EMPLOYED
        return before + np.where(at_work, month - self.spell_start[idx].astype(np.int32), 0)

    def spell_months(self, month: int, idx=slice(None)) -> np.ndarray:
        """Months since the current spell began, as int32."""
        return month - self.spell_start[idx].astype(np.int32)


def empty(n: int) -> Population:
    """A population of ``n`` free rows (core columns only)."""
    return Population(**{name: np.full(n, _FREE_ROW.get(name, 0), dtype=dtype) for name, dtype in CORE_DTYPES.items()})


def concat(parts: list[Population]) -> Population:
    """Stack populations row-wise (they must have the same columns)."""
    names = parts[0].column_names()
    return Population(**{n: np.concatenate([getattr(p, n) for p in parts]) for n in names})
