"""Monthly counters by group, the roles they play in the results, and their yearly summary.

A process declares its counters (:class:`Counter`); the engine keeps them per
month and group in a :class:`Recorder`, counting people by their group key
(:mod:`model.people.groups`: one ``np.bincount`` per count, then a membership
matrix, with no per-group pass over the population).

Stocks (people at a moment) are yearly averages of the monthly values; flows
(events, money) are yearly totals. ``employment_rate_20_64`` is derived: the
yearly average of the counter with the role ``employed`` over that of the
counter with the role ``population``, per group.

A counter may declare a **role** (:data:`ROLES`): what it means to the results.
The comparison, the findings and the charts find their metrics by role, never
by name, so a new cost counter joins the costs of every table and chart by
declaring ``role="cost"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..params.calendar import month_date
from ..people.groups import GROUPS, MEMBERSHIP, N_KEYS

EMPLOYMENT_RATE = "employment_rate_20_64"  # the derived metric: employed over population, per group

# What a counter can mean to the results. A role held by one counter names one metric; "cost" may be held
# by several (each an item of the costs, with its own ``item`` name and ``rank``).
ROLES = {
    "population": "residents aged 20-64: the denominator of the employment rate",
    "employed": "people at work: the numerator of the employment rate",
    "eligible": "people who may order a cheque",
    "aware": "eligible people who know the cheque",
    "users": "new users: people starting cheque 1",
    "second_starts": "people starting cheque 2",
    "cost": "a public cost in EUR (one item of the budget)",
    "hours": "hours of guidance started",
    "capacity": "hours of guidance the centres can give a month",
    "waiting": "people waiting for a centre",
    "dropouts": "people who gave up waiting for a centre",
    "registrations": "registrations at VDAB as job seeker",
    "user_quality": "quality multipliers of the new users' centres, summed",
    "completed": "users at the evaluation horizon of guidance",
    "back_to_work": "users at the evaluation horizon who are at work",
    "reentries": "non-employed recent users who start work (gross)",
    "transitions": "people by status one January and the next",
    "exits": "all moves out of work",
    "job_changes": "employed recent users who change job",
    "contacts": "people contacted by outreach",
    "contacts_eligible": "people contacted by outreach who may order a cheque when contacted",
    "expected_person_years": "person-years at work that guidance is expected to bring, to the end of the horizon "
                             "(a conditional expectation from each recent user's hazards)",
    "expected_employed": "the same, as its share of the last year's average of people at work",
}


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
        role: What the counter means to the results (a key of :data:`ROLES`), or empty.
        item: For a cost: its short name in the comparison (``extra_cost_<item>_eur``) and the charts.
        rank: For a cost: its place among the costs in tables and charts (lowest first; the programme's
            own cost first, then the resolution's asks in order).
    """

    name: str
    kind: Literal["stock", "flow"]
    unit: str
    description: str
    dims: tuple[tuple[str, tuple[str, ...]], ...] = ()
    by_group: bool = True
    role: str = ""
    item: str = ""
    rank: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"a counter needs a name, got {self.name!r}")
        if self.kind not in ("stock", "flow"):
            raise ValueError(f"counter '{self.name}': kind must be 'stock' or 'flow', got {self.kind!r}")
        for dim in self.dims:
            if not (isinstance(dim, tuple) and len(dim) == 2 and isinstance(dim[0], str) and dim[1]
                    and all(isinstance(label, str) for label in dim[1])):
                raise ValueError(f"counter '{self.name}': dims must be ((name, (label, ...)), ...), got {dim!r}")
        if self.role and self.role not in ROLES:
            raise ValueError(f"counter '{self.name}': role {self.role!r} is not a role; allowed: {', '.join(ROLES)}")
        if (self.role == "cost") != bool(self.item):
            raise ValueError(f"counter '{self.name}': a cost (role 'cost') needs an item name, and only a cost has one")

    @property
    def shape(self) -> tuple[int, ...]:
        """Sizes of the extra dimensions."""
        return tuple(len(labels) for _, labels in self.dims)

    def describe(self) -> dict:
        """What the counter declares, as plain data (for the run manifest)."""
        return {"kind": self.kind, "unit": self.unit, "description": self.description, "role": self.role,
                "item": self.item, "rank": self.rank, "dims": [d for d, _ in self.dims], "by_group": self.by_group}


def with_role(counters: Iterable[Counter], role: str) -> list[Counter]:
    """The counters of a role, in their rank order (declared order among equal ranks)."""
    if role not in ROLES:
        raise ValueError(f"{role!r} is not a role; allowed: {', '.join(ROLES)}")
    return sorted((c for c in counters if c.role == role), key=lambda c: c.rank)


def metric_of(counters: Iterable[Counter], role: str) -> str:
    """The one metric with ``role``.

    Raises:
        ValueError: when no counter, or more than one, holds the role.
    """
    found = with_role(counters, role)
    if len(found) != 1:
        raise ValueError(f"role {role!r}: {'no counter holds it' if not found else 'held by ' + str([c.name for c in found])}"
                         f"; a role other than 'cost' belongs to exactly one counter")
    return found[0].name


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
        out: dict[str, set] = {"metric": {*self.counters, EMPLOYMENT_RATE}, "group": set(GROUPS)}
        for counter in self.counters.values():
            for dim, labels in counter.dims:
                out.setdefault(dim, set()).update(labels)
        return {column: sorted(values) for column, values in out.items()}

    def monthly_frame(self, months: list[int]) -> pd.DataFrame:
        """Long monthly table: month, metric, group, value and the extra dimensions; stocks first, then flows.

        A counter without extra dimensions gives its rows group by group (each group's months in order), one
        with dimensions month by month (groups, then dimensions, within). The text columns are categorical
        (:meth:`categories`; the months' categories are their labels); a dimension a counter does not have
        is missing (NaN) in its rows. The columns come in the order in which the counters first have them.
        The codes are made with numpy: building and melting a frame per counter took longer than a small
        run's months (tested equal to that way).
        """
        labels = [month_date(m).isoformat()[:7] for m in months]
        categories = {**self.categories(), "month": labels}
        code_of = {column: {value: i for i, value in enumerate(values)} for column, values in categories.items()}
        n_months = len(labels)
        ordered = sorted(self.counters.values(), key=lambda c: c.kind != "stock")  # stable: declared order within kind
        columns: list[str] = []
        for counter in ordered:  # each column where it first appears (a counter's columns: its dimensions, then value)
            columns += [c for c in ("month", "metric", "group", *(d for d, _ in counter.dims), "value")
                        if c not in columns]
        parts: dict[str, list[np.ndarray]] = {column: [] for column in columns}
        for counter in ordered:
            data = np.asarray(self.data[counter.name])[:n_months]
            groups = np.array([code_of["group"][g] for g in (GROUPS if counter.by_group else ("all",))])
            if not counter.dims:  # group by group, the months in order within
                month = np.tile(np.arange(n_months), len(groups))
                group = np.repeat(groups, n_months)
                value = data.T.reshape(-1)
                dims = {}
            else:  # month by month: groups, then the dimensions, within
                shape = (n_months, len(groups), *(len(lab) for _, lab in counter.dims))
                grid = np.indices(shape).reshape(len(shape), -1)
                month, group, value = grid[0], groups[grid[1]], data.reshape(-1)
                dims = {d: np.array([code_of[d][x] for x in lab])[grid[2 + k]]
                        for k, (d, lab) in enumerate(counter.dims)}
            n = len(value)
            parts["month"].append(month)
            parts["metric"].append(np.full(n, code_of["metric"][counter.name]))
            parts["group"].append(group)
            parts["value"].append(value)
            for column in columns:
                if column not in ("month", "metric", "group", "value"):
                    parts[column].append(dims.get(column, np.full(n, -1)))
        out = {}
        for column in columns:
            joined = np.concatenate(parts[column])
            out[column] = (joined if column == "value"
                           else pd.Categorical.from_codes(joined.astype(np.int32), categories=categories[column]))
        return pd.DataFrame(out)

    def yearly_frame(self, months: list[int], ids: Mapping[str, object], dims: tuple[str, ...] = ()) -> pd.DataFrame:
        """The yearly table: stocks averaged and flows summed over each year's months, made from the counters' arrays.

        Stocks are averaged over each year's months and flows summed (``numpy.add.reduceat`` over the months);
        the employment rate is derived per group. A replication whose monthly values are not kept needs
        only this: it is some ten times faster than melting every month into a long table first.

        Args:
            months: The recorded months, in order (those of :meth:`monthly_frame`).
            ids: Id columns and their value (``{"scenario": ..., "replication": ...}``), first in the table.
            dims: Columns of extra counter dimensions, after the group.
        """
        years = np.array([month_date(m).year for m in months])
        first = np.flatnonzero(np.r_[True, years[1:] != years[:-1]])
        n_months = np.diff(np.r_[first, len(years)])
        frames, rates = [], {}
        # the employment rate's parts, by their roles (a month without them has no rate)
        parts = {c.role: c.name for c in self.counters.values() if c.role in ("population", "employed") and not c.dims}
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
            if counter.name in parts.values():
                rates[counter.role] = values.reshape(len(first), len(groups))
        if len(rates) == 2:
            people, employed = rates["population"], rates["employed"]
            with np.errstate(invalid="ignore", divide="ignore"):
                rate = np.where(people > 0, employed / np.where(people > 0, people, np.nan), np.nan)
            grid = np.meshgrid(years[first], np.array(GROUPS, dtype=object), indexing="ij")
            frames.append(pd.DataFrame({"year": grid[0].reshape(-1), "metric": EMPLOYMENT_RATE,
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
