"""The cheque itself: cheques per window, prices and costs, and the recording of a cheque start.

Pure functions of the population (columns), the month and the parameters in
force; only :func:`record_start` changes the population. Uptake and the
centres' queue use them; the queue owns the columns they write.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...params.calendar import decimal_year
from ...people import codes
from ...people.population import Population


def window_is_open(pop: Population, month: int, window_months: int, idx=slice(None)) -> np.ndarray:
    """True where no window runs: no cheque yet, or the last window has ended."""
    start = pop.window_start[idx].astype(np.int32)
    return (start == codes.NO_MONTH) | (month - start >= window_months)


def cheques_used(pop: Population, month: int, p: Mapping, idx=slice(None)) -> np.ndarray:
    """Cheques used in the window running at ``month`` (0 if none runs)."""
    open_ = window_is_open(pop, month, p["cheque.cheques.window_months"], idx)
    return np.where(open_, 0, pop.cheques_in_window[idx].astype(np.int32))


def may_order(pop: Population, month: int, p: Mapping, idx=slice(None)) -> np.ndarray:
    """True where the window still allows a cheque (eligibility is checked apart)."""
    return cheques_used(pop, month, p, idx) < p["cheque.cheques.max_per_window"]


def _by_number(p: Mapping, key: str, number: np.ndarray) -> np.ndarray:
    prices = p[key]
    return np.where(number <= 1, float(prices["cheque1"]), float(prices["cheque2"]))


def user_price(p: Mapping, number: np.ndarray) -> np.ndarray:
    """Own contribution per cheque; ``number`` is 1 for cheque 1, 2 or more for later cheques."""
    return _by_number(p, "cheque.cheques.user_price", number)


def hourly_fee(p: Mapping) -> float:
    """Fee per hour paid to the centre on the date of ``p``, VAT included.

    The dated fee excluding VAT (``cheque.fee.hourly_excl_vat``), indexed by
    ``cheque.fee.indexation_per_year`` from ``cheque.fee.index_base_year`` on,
    plus VAT (``cheque.fee.vat_rate``), which the government pays.
    """
    years = max(0.0, decimal_year(p.date) - p["cheque.fee.index_base_year"])
    indexed = p["cheque.fee.hourly_excl_vat"] * (1.0 + p["cheque.fee.indexation_per_year"]) ** years
    return float(indexed * (1.0 + p["cheque.fee.vat_rate"]))


def cheque_price(p: Mapping, number: np.ndarray) -> np.ndarray:
    """Full price of a cheque to the centre (hours x hourly fee, VAT included), by cheque number."""
    return _by_number(p, "cheque.cheques.hours", number) * hourly_fee(p)


def government_cost(p: Mapping, number: np.ndarray) -> np.ndarray:
    """Government cost per cheque: its full price less the own contribution (never below 0)."""
    return np.maximum(cheque_price(p, number) - user_price(p, number), 0.0)


def record_start(pop: Population, idx: np.ndarray, month: int, p: Mapping) -> np.ndarray:
    """Record that the people at rows ``idx`` start a cheque in ``month``.

    Opens a new window where none runs. Returns the cheque number (1, 2, ...)
    each person starts.
    """
    open_ = window_is_open(pop, month, p["cheque.cheques.window_months"], idx)
    number = np.where(open_, 1, pop.cheques_in_window[idx].astype(np.int32) + 1)
    pop.window_start[idx] = np.where(open_, month, pop.window_start[idx])
    pop.cheques_in_window[idx] = number
    pop.last_cheque_month[idx] = month
    first = idx[number == 1]
    pop.cheque1_month[first] = month
    return number
