"""Months as numbers, and dates as decimal years: the model's calendar.

A month is an integer, the months since January 1950 (:func:`month_number`), so
that it fits the ``int16`` columns of the population until the year 4680.
"""

from __future__ import annotations

import datetime as dt


def month_number(year: int, month: int) -> int:
    """Months since January 1950 (fits in int16 until the year 4680)."""
    return (year - 1950) * 12 + (month - 1)


def month_date(number: int) -> dt.date:
    """The first day of month ``number`` (inverse of :func:`month_number`)."""
    return dt.date(1950 + number // 12, number % 12 + 1, 1)


def month_of(text: str) -> int:
    """The month number of ``YYYY-MM``."""
    year, month = map(int, text.split("-"))
    return month_number(year, month)


def decimal_year(when: dt.date) -> float:
    """The date as a decimal year (2015-07-01 is about 2015.5)."""
    start = dt.date(when.year, 1, 1)
    return when.year + (when - start).days / (dt.date(when.year + 1, 1, 1) - start).days
