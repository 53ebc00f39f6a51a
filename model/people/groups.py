"""The reporting groups, the resolution's target groups, and the group key that counts people by group.

Each person has an 11-bit group key: woman, low- and high-educated, migration
background, work disability, non-active, re-entrant (:mod:`.reentrants`),
three bits for the uptake age group (20-29, 30-39, 40-49, 50-54, 55-64) and
re-entrant user (took cheque 1 as a re-entrant, a fixed flag); the groups
``workers_*`` are the reporting groups less those re-entrant users. Counts per key
are made with one ``np.bincount`` and turned into the reported groups
(:data:`GROUPS`) with a 0/1 membership matrix (:data:`MEMBERSHIP`), so no
per-group pass over the population is needed.

The key is written once, as a row function (:func:`key_row`), compiled into
every loop that counts by key (``inline="always"``, so its arguments cost no
call per row): :func:`group_keys` here, the January transitions and the
month's stocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numba
import numpy as np

from . import codes
from .codes import NON_ACTIVE
from .population import UPTAKE_GROUP_OF_BAND, Population
from .reentrants import ReentrantRule, reentrant_row, reentrant_rule

AGE_GROUP_NAMES = tuple(f"age_{g.replace('-', '_')}" for g in codes.UPTAKE_AGE_GROUPS)  # age_20_29, ...
GROUPS = ("all", "women", "men", "low_educated", "mid_educated", "high_educated", "age_50_plus",
          *AGE_GROUP_NAMES, "migration_background", "work_disability", "disadvantaged", "non_active", "re_entrant",
          "reentrant_users", "workers_women", "workers_low_educated", "workers_age_50_plus",
          "workers_migration_background", "workers_work_disability")
# Everybody but the users admitted as re-entrants, by group: under a budget envelope, the users counted in these
# groups are the workers whose places the re-entrants take (the comparison's ``workers`` group, split).
WORKER_GROUPS = tuple(g for g in GROUPS if g.startswith("workers_"))
# The resolution's disadvantaged groups (ask 2), as outreach and the centres' incentive name them.
TARGET_GROUPS = ("low_educated", "age_50_plus", "migration_background", "work_disability")
WOMAN, LOW_EDU, HIGH_EDU, MIGRANT, DISABLED, NON_ACTIVE_BIT, REENTRANT_BIT = (1 << i for i in range(7))
AGE_SHIFT = 7  # bits 7-9: uptake age group code
REENTRANT_USER_BIT = 1 << 10
KEY_BITS = 11
N_KEYS = 1 << KEY_BITS
FIRST_50_PLUS_GROUP = list(codes.UPTAKE_AGE_GROUPS).index("50-54")
AGE_50_PLUS_MONTHS = 50 * 12


def _age_key_by_month_of_age() -> np.ndarray:
    """Age-group key bits for each age in months (one gather per month instead of several passes)."""
    ages = np.arange(codes.EXIT_AGE_MONTHS + 1)
    band = np.clip((ages // 12 - 20) // 5, 0, len(codes.AGE_BANDS) - 1)  # as Population.age_band
    return (UPTAKE_GROUP_OF_BAND[band] << AGE_SHIFT).astype(np.uint16)


AGE_KEY = _age_key_by_month_of_age()


def _membership() -> np.ndarray:
    keys = np.arange(N_KEYS)
    has = lambda bit: (keys & bit) != 0  # noqa: E731
    age_group = (keys >> AGE_SHIFT) & 0b111
    rows = {
        "all": np.ones(N_KEYS, bool), "women": has(WOMAN), "men": ~has(WOMAN),
        "low_educated": has(LOW_EDU), "mid_educated": ~has(LOW_EDU) & ~has(HIGH_EDU), "high_educated": has(HIGH_EDU),
        "age_50_plus": age_group >= FIRST_50_PLUS_GROUP,
        **{name: age_group == i for i, name in enumerate(AGE_GROUP_NAMES)},
        "migration_background": has(MIGRANT), "work_disability": has(DISABLED),
        "disadvantaged": has(LOW_EDU) | (age_group >= FIRST_50_PLUS_GROUP) | has(MIGRANT) | has(DISABLED),
        "non_active": has(NON_ACTIVE_BIT), "re_entrant": has(REENTRANT_BIT), "reentrant_users": has(REENTRANT_USER_BIT),
    }
    rows |= {name: rows[name.removeprefix("workers_")] & ~has(REENTRANT_USER_BIT)
             for name in GROUPS if name.startswith("workers_")}
    return np.array([rows[g] for g in GROUPS], dtype=float)


MEMBERSHIP = _membership()


def static_keys(pop: Population, rows=slice(None)) -> np.ndarray:
    """Bits that never change for a person: sex, education, migration, disability (the column ``group_key_static``)."""
    education = pop.education[rows]
    return (pop.sex[rows].astype(np.uint8) * np.uint8(WOMAN)
            | (education == 0).view(np.uint8) * np.uint8(LOW_EDU)
            | (education == 2).view(np.uint8) * np.uint8(HIGH_EDU)
            | (pop.migration[rows] != 0).view(np.uint8) * np.uint8(MIGRANT)
            | pop.work_disability[rows].view(np.uint8) * np.uint8(DISABLED))


def in_target_groups(pop: Population, rows: np.ndarray, groups: list[str]) -> np.ndarray:
    """True for people in any of the named groups of :data:`TARGET_GROUPS`."""
    tests = {
        "low_educated": lambda: pop.education[rows] == 0,
        "age_50_plus": lambda: pop.age_months[rows] >= AGE_50_PLUS_MONTHS,
        "migration_background": lambda: pop.migration[rows] != 0,
        "work_disability": lambda: pop.work_disability[rows],
    }
    hit = np.zeros(len(rows), dtype=bool)
    for group in groups:
        hit |= tests[group]()
    return hit


class KeyColumns(NamedTuple):
    """The columns the group key reads: those of the re-entrant definition, and age and the fixed bits.

    (Flat, not a tuple holding :class:`~model.people.reentrants.CareerColumns`: the compiler's parallel loops
    take no nested tuples.)
    """

    status: np.ndarray
    months_worked_before_spell: np.ndarray
    spell_start: np.ndarray
    benefits_in_spell: np.ndarray
    benefits_now: np.ndarray
    benefit_end_month: np.ndarray
    age_months: np.ndarray
    group_key_static: np.ndarray
    reentrant_user: np.ndarray


def key_columns(pop: Population) -> KeyColumns:
    """The columns of ``pop`` that :func:`key_row` reads."""
    return KeyColumns(pop.status, pop.months_worked_before_spell, pop.spell_start, pop.benefits_in_spell,
                      pop.benefits_now, pop.benefit_end_month, pop.age_months, pop.group_key_static, pop.reentrant_user)


@numba.njit(inline="always")
def key_row(i, month, c, rule):
    """The group key (uint16) of row ``i`` in ``month`` (inlined into the calling loop).

    Arithmetic on booleans, without branches: the status of neighbouring rows is unpredictable.

    Args:
        c: :class:`KeyColumns`.
        rule: The re-entrant definition in force (:class:`model.people.reentrants.ReentrantRule`).
    """
    age = AGE_KEY[min(np.uint64(c.age_months[i]), np.uint64(len(AGE_KEY) - 1))]
    non_active = c.status[i] == NON_ACTIVE
    reentrant = reentrant_row(i, month, c, rule)
    return (np.uint16(c.group_key_static[i]) + age + np.uint16(non_active) * np.uint16(NON_ACTIVE_BIT)
            + np.uint16(reentrant) * np.uint16(REENTRANT_BIT)
            + np.uint16(c.reentrant_user[i]) * np.uint16(REENTRANT_USER_BIT))


@numba.njit(cache=True, nogil=True)
def _keys(rows, month, c, rule):
    out = np.empty(len(rows), dtype=np.uint16)
    for j in range(len(rows)):
        out[j] = key_row(rows[j], month, c, rule)
    return out


@numba.njit(cache=True, parallel=True)
def _keys_parallel(rows, month, c, rule):
    """:func:`_keys` on the cores, for many rows (a parallel loop costs more to start than a few rows take)."""
    out = np.empty(len(rows), dtype=np.uint16)
    for j in numba.prange(len(rows)):  # each row's key on its own: the same with any threads
        out[j] = key_row(rows[j], month, c, rule)
    return out


PARALLEL_FROM = 4_000  # rows from which the keys are made on the cores


def group_keys(pop: Population, rows, month: int, p: Mapping, rule: ReentrantRule | None = None) -> np.ndarray:
    """The group key (uint16) of each person in ``rows`` (an array of rows, or a slice for every row).

    Args:
        p: Parameters in force (the re-entrant definition), unless ``rule`` is given.
    """
    rows = np.arange(len(pop)) if isinstance(rows, slice) else np.asarray(rows, dtype=np.intp)
    kernel = _keys_parallel if len(rows) > PARALLEL_FROM else _keys
    return kernel(rows, month, key_columns(pop), reentrant_rule(p) if rule is None else rule)
