"""Monthly counters by group, and their yearly summary.

Each person gets an 11-bit group key (woman, low- and high-educated, migration
background, work disability, non-active, re-entrant, three bits for the
uptake age group 20-29, 30-39, 40-49, 50-54, 55-64, and re-entrant user: took
cheque 1 as a re-entrant, a fixed flag); counts per key are made
with one ``np.bincount`` and turned into the reported groups with a 0/1
membership matrix, so no per-group pass over the population is needed.

Stocks (people at a moment) are yearly averages of the monthly values; flows
(events, money) are yearly totals. ``employment_rate_20_64`` is derived:
yearly average employed over yearly average population, per group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from . import codes
from .kernels import keys as kernels_keys
from .population import UPTAKE_GROUP_OF_BAND, Population
from .rules import benefit_mask

AGE_GROUP_NAMES = tuple(f"age_{g.replace('-', '_')}" for g in codes.UPTAKE_AGE_GROUPS)  # age_20_29, ...
GROUPS = ("all", "women", "men", "low_educated", "mid_educated", "high_educated", "age_50_plus",
          *AGE_GROUP_NAMES, "migration_background", "work_disability", "disadvantaged", "non_active", "re_entrant",
          "reentrant_users")
WOMAN, LOW_EDU, HIGH_EDU, MIGRANT, DISABLED, NON_ACTIVE, REENTRANT = (1 << i for i in range(7))
AGE_SHIFT = 7  # bits 7-9: uptake age group code
REENTRANT_USER = 1 << 10
KEY_BITS = 11
N_KEYS = 1 << KEY_BITS
KEY_BIT_VALUES = np.array([NON_ACTIVE, REENTRANT, REENTRANT_USER], dtype=np.int64)  # bits of the kernels' keys
FIRST_50_PLUS_GROUP = list(codes.UPTAKE_AGE_GROUPS).index("50-54")


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
        "non_active": has(NON_ACTIVE), "re_entrant": has(REENTRANT), "reentrant_users": has(REENTRANT_USER),
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


def group_keys(pop: Population, rows, month: int, p: Mapping, static: np.ndarray,
               reentrant_user: np.ndarray | None = None) -> np.ndarray:
    """Full group key (uint16) of each person in ``rows``.

    Args:
        static: The cached static key column (:func:`static_keys`).
        reentrant_user: The re-entrant-user column to use (default: the population's; a
            background process passes the copy it took).
    """
    if reentrant_user is None and "reentrant_user" in pop.dtypes:
        reentrant_user = pop.reentrant_user
    if reentrant_user is None:
        reentrant_user = np.empty(0, dtype=bool)
    prefix = "cheque.eligibility.reentrant."
    rows = np.arange(len(pop)) if isinstance(rows, slice) else np.asarray(rows, dtype=np.intp)
    kernel = kernels_keys.group_keys_parallel if len(rows) > 4_000 else kernels_keys.group_keys
    return kernel(
        rows, pop.status, pop.age_months, static, pop.months_worked_before_spell, pop.spell_start, pop.benefits_in_spell,
        reentrant_user, month, p[prefix + "min_months_worked"], p[prefix + "min_months_out_of_work"],
        benefit_mask(p[prefix + "disqualifying_benefits"]), AGE_KEY, KEY_BIT_VALUES)


@dataclass(frozen=True)
class Counter:
    """A monthly counter that a process declares and records.

    Attributes:
        name: Metric name in the outputs.
        kind: ``stock`` (people at a moment: yearly average of the months) or
            ``flow`` (events or money: yearly total).
        unit: Unit of the values (persons, cheques, EUR, hours, ...).
        description: What is counted.
        dims: Extra dimensions besides the person groups, as
            ``((dimension, (label, ...)), ...)``: for example one count per
            career centre or per outreach channel. Each becomes a column of the
            tidy tables.
        by_group: False for a counter kept for everybody only (group ``all``):
            for example per career centre, or a value of the market such as
            its mean quality, which is not a count of people.
    """

    name: str
    kind: Literal["stock", "flow"]
    unit: str
    description: str
    dims: tuple[tuple[str, tuple[str, ...]], ...] = ()
    by_group: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"a counter needs a name, got {self.name!r}")
        if self.kind not in ("stock", "flow"):
            raise ValueError(f"counter '{self.name}': kind must be 'stock' or 'flow', got {self.kind!r}")
        for dim in self.dims:
            if not (isinstance(dim, tuple) and len(dim) == 2 and isinstance(dim[0], str) and dim[1]
                    and all(isinstance(label, str) for label in dim[1])):
                raise ValueError(f"counter '{self.name}': dims must be ((name, (label, ...)), ...), got {dim!r}")

    @property
    def shape(self) -> tuple[int, ...]:
        """Sizes of the extra dimensions."""
        return tuple(len(labels) for _, labels in self.dims)


class Recorder:
    """Monthly counters of one scenario run, by group (and extra dimensions).

    Args:
        counters: The counters to keep, as declared by the processes.
        n_months: Months recorded.
        weight: Persons represented by one simulated person.
    """

    def __init__(self, counters: list[Counter], n_months: int, weight: float):
        self.weight = weight
        self.counters = {c.name: c for c in counters}
        self.data = {c.name: np.zeros((n_months, len(GROUPS) if c.by_group else 1, *c.shape)) for c in counters}
        self.capped = 0

    def copy(self) -> Recorder:
        """An independent copy (for snapshots)."""
        out = Recorder(list(self.counters.values()), 0, self.weight)
        out.data = {k: v.copy() for k, v in self.data.items()}
        out.capped = self.capped
        return out

    @property
    def kinds(self) -> dict[str, str]:
        """``{metric: "stock" or "flow"}``."""
        return {name: c.kind for name, c in self.counters.items()}

    @property
    def units(self) -> dict[str, str]:
        """``{metric: unit}``."""
        return {name: c.unit for name, c in self.counters.items()}

    def add(self, name: str, t: int, keys: np.ndarray, amount: np.ndarray | float = 1.0,
            index: np.ndarray | None = None) -> None:
        """Add people (or amounts, e.g. euros per person) by group key in month ``t``.

        Args:
            keys: Group key (:func:`group_keys`) of each person counted.
            amount: One amount per person, or one for all.
            index: For a counter with extra dimensions, the flat index of each
                person's cell in them (``numpy.ravel_multi_index`` over ``Counter.shape``).
        """
        if len(keys) == 0:
            return
        counter = self.counters.get(name)
        if counter is None:
            raise ValueError(f"counter '{name}' is not declared by any process; declared: {sorted(self.counters)}")
        weights = np.broadcast_to(np.asarray(amount, dtype=float), keys.shape)
        cells = int(np.prod(counter.shape)) if counter.dims else 1
        if not counter.by_group:  # people counted for everybody only, weighted like the others
            self.total(name, t, weights * self.weight, index)
            return
        if counter.dims:
            if index is None:
                raise ValueError(f"counter '{name}' has extra dimensions {[d for d, _ in counter.dims]}: give an index")
            keys = keys.astype(np.intp) * cells + index
        if np.ndim(amount) == 0:  # one amount for all: count, then multiply (no array of weights)
            by_key = np.bincount(keys, minlength=N_KEYS * cells).reshape(N_KEYS, cells) * float(amount)
        else:
            by_key = np.bincount(keys, weights=weights, minlength=N_KEYS * cells).reshape(N_KEYS, cells)
        self.data[name][t] += (MEMBERSHIP @ by_key * self.weight).reshape(len(GROUPS), *counter.shape)

    flow = add  # flows and stocks with extra dimensions are added alike

    def add_counts(self, name: str, t: int, by_key: np.ndarray) -> None:
        """Add counts of simulated people already made per group key (shape ``(N_KEYS, *Counter.shape)`` or flat cells)."""
        counter = self.counters[name]
        by_key = by_key.reshape(N_KEYS, -1)
        self.data[name][t] += (MEMBERSHIP @ by_key * self.weight).reshape(len(GROUPS), *counter.shape)

    def total(self, name: str, t: int, amount: np.ndarray | float, index: np.ndarray | None = None) -> None:
        """Add amounts (real units: persons, hours, EUR) to a counter kept for everybody only (``by_group=False``).

        Unlike :meth:`add`, the amounts are not multiplied by the weight: they are
        already what they stand for (a centre's capacity in hours, a quality level).

        Args:
            amount: One amount per entry of ``index``, or one amount for a counter without dimensions.
            index: Flat index of each amount in the counter's dimensions.
        """
        counter = self.counters.get(name)
        if counter is None:
            raise ValueError(f"counter '{name}' is not declared by any process; declared: {sorted(self.counters)}")
        if counter.by_group:
            raise ValueError(f"counter '{name}' is kept by group: count people with add()")
        if not counter.dims:
            self.data[name][t, 0] += float(np.sum(amount))
            return
        if index is None:
            raise ValueError(f"counter '{name}' has extra dimensions {[d for d, _ in counter.dims]}: give an index")
        cells = int(np.prod(counter.shape))
        by_cell = np.bincount(np.asarray(index, dtype=np.intp), weights=np.broadcast_to(
            np.asarray(amount, dtype=float), np.shape(index)), minlength=cells)
        self.data[name][t, 0] += by_cell.reshape(counter.shape)

    def set_stock(self, name: str, t: int, by_key: np.ndarray) -> None:
        """Set a stock of month ``t`` from its count of simulated people per group key (length ``N_KEYS``)."""
        self.data[name][t] = MEMBERSHIP @ by_key * self.weight

    def categories(self) -> dict[str, list[str]]:
        """The categories of the tables' text columns (metric, group, each extra dimension), sorted as text.

        The tables keep these columns as ``pandas.Categorical`` with these
        categories: a hundred replications of a dozen scenarios hold tens of
        millions of rows, and a code per row takes a small part of the memory of
        its text. Sorted as text, the categories sort the rows as the text would.
        """
        out: dict[str, set] = {"metric": {*self.counters, "employment_rate_20_64"}, "group": set(GROUPS)}
        for counter in self.counters.values():
            for dim, labels in counter.dims:
                out.setdefault(dim, set()).update(labels)
        return {column: sorted(values) for column, values in out.items()}

    def monthly_frame(self, months: list[int]) -> pd.DataFrame:
        """Long monthly table: month, metric, group, (extra dimensions,) value; stocks first, then flows.

        The text columns are categorical (:meth:`categories`; the months' categories are their labels).
        """
        frames = []
        labels = [codes.month_date(m).isoformat()[:7] for m in months]
        ordered = sorted(self.counters.values(), key=lambda c: c.kind != "stock")  # stable: declared order within kind
        for counter in ordered:
            data = self.data[counter.name]
            groups = GROUPS if counter.by_group else ("all",)
            if not counter.dims:
                df = pd.DataFrame(data, index=labels, columns=groups)
                df = df.rename_axis("month").reset_index().melt(id_vars="month", var_name="group", value_name="value")
            else:
                index = pd.MultiIndex.from_product([labels, groups, *(lab for _, lab in counter.dims)],
                                                   names=["month", "group", *(d for d, _ in counter.dims)])
                df = pd.DataFrame({"value": data.reshape(-1)}, index=index).reset_index()
            df.insert(1, "metric", counter.name)
            frames.append(df)
        out = pd.concat(frames, ignore_index=True)
        return as_categories(out, {**self.categories(), "month": labels})


    def yearly_frame(self, months: list[int], ids: Mapping[str, object], dims: tuple[str, ...] = ()) -> pd.DataFrame:
        """The yearly table of :func:`yearly_summary`, made from the counters' arrays without a monthly table.

        Stocks are averaged over each year's months and flows summed (``numpy.add.reduceat`` over the months);
        the employment rate is derived per group. A replication whose monthly values are not kept needs
        only this: it is some ten times faster than melting every month into a long table first.

        Args:
            months: The recorded months, in order (those of :meth:`monthly_frame`).
            ids: Id columns and their value (``{"scenario": ..., "replication": ...}``), first in the table.
            dims: Columns of extra counter dimensions, after the group.
        """
        years = np.array([codes.month_date(m).year for m in months])
        first = np.flatnonzero(np.r_[True, years[1:] != years[:-1]])
        n_months = np.diff(np.r_[first, len(years)])
        frames, rates = [], {}
        for counter in self.counters.values():
            values = _sum_by_year(self.data[counter.name][: len(months)], first, n_months)
            if counter.kind == "stock":
                values = values / n_months.reshape(-1, *([1] * (values.ndim - 1)))
            groups = GROUPS if counter.by_group else ("all",)
            levels = [years[first], np.array(groups, dtype=object), *(np.array(lab, dtype=object)
                                                                      for _, lab in counter.dims)]
            grid = np.meshgrid(*levels, indexing="ij")
            frame = {"year": grid[0].reshape(-1), "metric": counter.name, "group": grid[1].reshape(-1)}
            frame.update({d: g.reshape(-1) for (d, _), g in zip(counter.dims, grid[2:])})
            frame["value"] = values.reshape(-1)
            frames.append(pd.DataFrame(frame))
            if counter.name in ("population_20_64", "employed") and not counter.dims:
                rates[counter.name] = values.reshape(len(first), len(groups))
        if len(rates) == 2:
            people, employed = rates["population_20_64"], rates["employed"]
            with np.errstate(invalid="ignore", divide="ignore"):
                rate = np.where(people > 0, employed / np.where(people > 0, people, np.nan), np.nan)
            grid = np.meshgrid(years[first], np.array(GROUPS, dtype=object), indexing="ij")
            frames.append(pd.DataFrame({"year": grid[0].reshape(-1), "metric": "employment_rate_20_64",
                                        "group": grid[1].reshape(-1), "value": rate.reshape(-1)}))
        out = pd.concat(frames, ignore_index=True)
        for name, value in reversed(list(ids.items())):
            out.insert(0, name, value)
        keys = [*ids, "year", "metric", "group", *dims]
        for dim in dims:
            if dim not in out:
                out[dim] = np.nan
        out["year"] = out["year"].astype(int)
        out = as_categories(out, self.categories())
        return out[keys + ["value"]].sort_values(keys, ignore_index=True)


def as_categories(frame: pd.DataFrame, categories: Mapping[str, list]) -> pd.DataFrame:
    """``frame`` with each column named in ``categories`` made categorical with those categories (in place)."""
    for column, values in categories.items():
        if column in frame:
            frame[column] = pd.Categorical(frame[column], categories=values)
    return frame


def _sum_by_year(data: np.ndarray, first: np.ndarray, n_months: np.ndarray) -> np.ndarray:
    """Each year's sum of the months (rows of ``data``), added in month order with Kahan's compensation.

    The same additions in the same order as pandas' grouped sum and mean, so the
    yearly values are the same to the last bit whichever way they are made.
    """
    total = np.zeros((len(first), *data.shape[1:]))
    compensation = np.zeros_like(total)
    for k in range(int(n_months.max())):
        years = np.flatnonzero(k < n_months)
        value = data[first[years] + k]
        y = value - compensation[years]
        t = total[years] + y
        compensation[years] = (t - total[years]) - y
        total[years] = t
    return total


def yearly_summary(monthly: pd.DataFrame, kinds: Mapping[str, str], dims: tuple[str, ...] = ()) -> pd.DataFrame:
    """Yearly values from a monthly long table with columns month, metric, group, value.

    Args:
        monthly: The monthly table. Other columns are kept as keys: id
            columns (scenario, replication) first, extra dimensions ``dims``
            after the group.
        kinds: ``{metric: "stock" or "flow"}``: stocks are averaged over the
            months, flows summed. The employment rate is derived per group.
        dims: Columns of extra counter dimensions (empty for metrics without them).
    """
    ids = [c for c in monthly.columns if c not in ("month", "metric", "group", "value", *dims)]
    df = monthly.assign(year=monthly["month"].str[:4].astype(int))
    keys = ids + ["year", "metric", "group", *dims]
    stock_names = [m for m, k in kinds.items() if k == "stock"]
    flow_names = [m for m, k in kinds.items() if k == "flow"]
    stocks = df[df["metric"].isin(stock_names)].groupby(keys, as_index=False, dropna=False)["value"].mean()
    flows = df[df["metric"].isin(flow_names)].groupby(keys, as_index=False, dropna=False)["value"].sum()
    people = stocks[stocks["metric"].isin(["population_20_64", "employed"])]
    wide = people.pivot_table(index=ids + ["year", "group"], columns="metric", values="value").reset_index()
    rate = wide[ids + ["year", "group"]].copy()
    rate["metric"] = "employment_rate_20_64"
    rate["value"] = np.where(wide["population_20_64"] > 0,
                             wide["employed"] / wide["population_20_64"].where(wide["population_20_64"] > 0), np.nan)
    out = pd.concat([stocks, flows, rate], ignore_index=True)
    return out[keys + ["value"]].sort_values(keys, ignore_index=True)
