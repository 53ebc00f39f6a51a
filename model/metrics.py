"""Monthly counters by group, and their yearly summary.

Each person gets a 10-bit group key (woman, low- and high-educated, migration
background, work disability, non-active, re-entrant, and three bits for the
uptake age group 20-29, 30-39, 40-49, 50-54, 55-64); counts per key are made
with one ``np.bincount`` and turned into the reported groups with a 0/1
membership matrix, so no per-group pass over the population is needed.

Stocks (people at a moment) are yearly averages of the monthly values; flows
(events, money) are yearly totals. ``employment_rate_20_64`` is derived:
yearly average employed over yearly average population, per group.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from . import codes
from .population import UPTAKE_GROUP_OF_BAND, Population
from .rules import is_reentrant

AGE_GROUP_NAMES = tuple(f"age_{g.replace('-', '_')}" for g in codes.UPTAKE_AGE_GROUPS)  # age_20_29, ...
GROUPS = ("all", "women", "men", "low_educated", "mid_educated", "high_educated", "age_50_plus",
          *AGE_GROUP_NAMES, "migration_background", "work_disability", "disadvantaged", "non_active", "re_entrant")
WOMAN, LOW_EDU, HIGH_EDU, MIGRANT, DISABLED, NON_ACTIVE, REENTRANT = (1 << i for i in range(7))
AGE_SHIFT = 7  # bits 7-9: uptake age group code
KEY_BITS = 10
N_KEYS = 1 << KEY_BITS
FIRST_50_PLUS_GROUP = list(codes.UPTAKE_AGE_GROUPS).index("50-54")


def _age_key_by_month_of_age() -> np.ndarray:
    """Age-group key bits for each age in months (one gather per month instead of several passes)."""
    ages = np.arange(codes.EXIT_AGE_MONTHS + 1)
    band = np.clip((ages // 12 - 20) // 5, 0, len(codes.AGE_BANDS) - 1)  # as Population.age_band
    return (UPTAKE_GROUP_OF_BAND[band] << AGE_SHIFT).astype(np.uint16)


AGE_KEY = _age_key_by_month_of_age()

STOCKS = ("population_20_64", "employed", "eligible", "aware_eligible", "recent_users")
FLOWS = ("starts_cheque1", "starts_cheque2", "government_cost_eur", "user_cost_eur", "guidance_hours",
         "reentries_jobseeker", "reentries_employment", "job_changes", "entries_into_work",
         "exits_from_work", "exits_at_65", "exits_other", "entrants")
UNITS = {
    "population_20_64": "persons", "employed": "persons", "eligible": "persons",
    "aware_eligible": "persons", "recent_users": "persons", "starts_cheque1": "cheques",
    "starts_cheque2": "cheques", "government_cost_eur": "EUR", "user_cost_eur": "EUR",
    "guidance_hours": "hours", "reentries_jobseeker": "persons", "reentries_employment": "persons",
    "job_changes": "persons", "entries_into_work": "persons", "exits_from_work": "persons",
    "exits_at_65": "persons", "exits_other": "persons", "entrants": "persons", "employment_rate_20_64": "fraction",
}


def _membership() -> np.ndarray:
    keys = np.arange(N_KEYS)
    has = lambda bit: (keys & bit) != 0  # noqa: E731
    age_group = keys >> AGE_SHIFT
    rows = {
        "all": np.ones(N_KEYS, bool), "women": has(WOMAN), "men": ~has(WOMAN),
        "low_educated": has(LOW_EDU), "mid_educated": ~has(LOW_EDU) & ~has(HIGH_EDU), "high_educated": has(HIGH_EDU),
        "age_50_plus": age_group >= FIRST_50_PLUS_GROUP,
        **{name: age_group == i for i, name in enumerate(AGE_GROUP_NAMES)},
        "migration_background": has(MIGRANT), "work_disability": has(DISABLED),
        "disadvantaged": has(LOW_EDU) | (age_group >= FIRST_50_PLUS_GROUP) | has(MIGRANT) | has(DISABLED),
        "non_active": has(NON_ACTIVE), "re_entrant": has(REENTRANT),
    }
    return np.array([rows[g] for g in GROUPS], dtype=float)


MEMBERSHIP = _membership()


def static_keys(pop: Population, rows=slice(None)) -> np.ndarray:
    """Bits that change only when a person enters: sex, education, migration, disability."""
    education = pop.education[rows]
    return (pop.sex[rows].astype(np.uint8) * np.uint8(WOMAN)
            | (education == 0).view(np.uint8) * np.uint8(LOW_EDU)
            | (education == 2).view(np.uint8) * np.uint8(HIGH_EDU)
            | (pop.migration[rows] != 0).view(np.uint8) * np.uint8(MIGRANT)
            | pop.work_disability[rows].view(np.uint8) * np.uint8(DISABLED))


def group_keys(pop: Population, rows, month: int, p: Mapping, static: np.ndarray) -> np.ndarray:
    """Full group key (uint16) of each person in ``rows`` (``static`` is the cached static key column)."""
    key = static[rows].astype(np.uint16)
    key += np.take(AGE_KEY, pop.age_months[rows], mode="clip")  # ages past 65 (free rows) clip to 55-64
    key += (pop.status[rows] == codes.NON_ACTIVE).view(np.uint8) * np.uint16(NON_ACTIVE)
    key += is_reentrant(pop, month, p, rows).view(np.uint8) * np.uint16(REENTRANT)
    return key


class Recorder:
    """Monthly counters of one scenario run.

    Args:
        n_months: Months recorded.
        weight: Persons represented by one simulated person.
    """

    def __init__(self, n_months: int, weight: float):
        self.weight = weight
        self.stocks = np.zeros((len(STOCKS), n_months, len(GROUPS)))
        self.flows = np.zeros((len(FLOWS), n_months, len(GROUPS)))
        self.capped = 0

    def flow(self, name: str, t: int, keys: np.ndarray, amount: np.ndarray | float = 1.0) -> None:
        """Add events (or amounts, e.g. euros per person) by group key in month ``t``."""
        if len(keys) == 0:
            return
        weights = np.broadcast_to(np.asarray(amount, dtype=float), keys.shape)
        by_key = np.bincount(keys, weights=weights, minlength=N_KEYS)
        self.flows[FLOWS.index(name), t] += MEMBERSHIP @ by_key * self.weight

    def stocks_from_keys(self, t: int, keys: np.ndarray, present: np.ndarray, flags: Mapping[str, np.ndarray]) -> None:
        """Record the monthly stocks with one ``bincount``.

        Args:
            keys: Group key of every row (uint16, changed in place: flag bits are added).
            present: True for rows aged 20-64.
            flags: For each stock but the population, a boolean column.
        """
        names = [n for n in STOCKS if n != "population_20_64"]
        # KEY_BITS key bits, one bit per flag, then the present bit; set in place where true.
        # (multiplying the 0/1 view is ~20x faster than ufunc ``where=`` here)
        for i, name in enumerate(names):
            keys += flags[name].view(np.uint8) * np.uint16(1 << (KEY_BITS + i))
        present_bit = KEY_BITS + len(names)
        keys += present.view(np.uint8) * np.uint16(1 << present_bit)
        counts = np.bincount(keys, minlength=1 << (present_bit + 1))[1 << present_bit:].reshape(-1, N_KEYS)
        self.stocks[0, t] = MEMBERSHIP @ counts.sum(axis=0) * self.weight
        combos = np.arange(counts.shape[0])
        for i, name in enumerate(names):
            selected = counts[(combos >> i) & 1 == 1].sum(axis=0)
            self.stocks[STOCKS.index(name), t] = MEMBERSHIP @ selected * self.weight

    def monthly_frame(self, months: list[int]) -> pd.DataFrame:
        """Long monthly table: month, metric, group, value."""
        frames = []
        labels = [codes.month_date(m).isoformat()[:7] for m in months]
        for names, data in ((STOCKS, self.stocks), (FLOWS, self.flows)):
            for i, name in enumerate(names):
                df = pd.DataFrame(data[i], index=labels, columns=GROUPS)
                df = df.rename_axis("month").reset_index().melt(id_vars="month", var_name="group", value_name="value")
                df.insert(1, "metric", name)
                frames.append(df)
        return pd.concat(frames, ignore_index=True)


def yearly_summary(monthly: pd.DataFrame) -> pd.DataFrame:
    """Yearly values from a monthly long table with columns month, metric, group, value.

    Extra id columns (scenario, replication) are kept. Stocks are averaged,
    flows summed, and the employment rate derived per group.
    """
    ids = [c for c in monthly.columns if c not in ("month", "metric", "group", "value")]
    df = monthly.assign(year=monthly["month"].str[:4].astype(int))
    keys = ids + ["year", "metric", "group"]
    stocks = df[df["metric"].isin(STOCKS)].groupby(keys, as_index=False)["value"].mean()
    flows = df[df["metric"].isin(FLOWS)].groupby(keys, as_index=False)["value"].sum()
    wide = stocks.pivot_table(index=ids + ["year", "group"], columns="metric", values="value").reset_index()
    rate = wide[ids + ["year", "group"]].copy()
    rate["metric"] = "employment_rate_20_64"
    rate["value"] = np.where(wide["population_20_64"] > 0, wide["employed"] / wide["population_20_64"].where(wide["population_20_64"] > 0), np.nan)
    out = pd.concat([stocks, flows, rate], ignore_index=True)
    return out[keys + ["value"]].sort_values(keys, ignore_index=True)
