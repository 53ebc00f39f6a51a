"""The employment margins: the simulated employment rate of each raked group, beside the rate the table holds.

The synthetic population and the labour hazards are raked to published
employment rates (:func:`model.people.synthesis.cell_table`): the total, by sex,
by age group, by education (25-64), for a non-EU migration background and for a
work disability. Each recorded month this process counts the people and the
people at work of every group in one pass (:func:`.kernel.count_cells`) and
records them with two rates per group: the one the year's table is raked
to (the published profile shifted to the total in force) and the published
one (the parameter's value in force; after the last published year, the
projection's). The yearly averages go to ``margins.csv`` of the run folder
(:func:`model.results.margins.margin_table`), which checks that the simulation
holds its margins.
"""

from __future__ import annotations

import numpy as np

from ...engine.counters import Counter
from ...engine.process import Month, Process
from ...params.calendar import month_date
from ...people import codes
from ...people.synthesis import SHAPE
from ..labour_market.tables import RESOURCE, TableCache, horizon_parameters
from .kernel import count_cells

MARGINS = ("all", "men", "women", "age_20_34", "age_35_44", "age_45_54", "age_55_64", "low_educated_25_64",
           "mid_educated_25_64", "high_educated_25_64", "non_eu_background", "work_disability")
MARGIN_DIM = (("margin", MARGINS),)
# The raking target (name, group) of each margin (model.people.synthesis.cell_table's targets).
TARGET_OF = {
    "all": ("employment rate", "all"), "men": ("employment rate by sex", "men"),
    "women": ("employment rate by sex", "women"), "age_20_34": ("employment rate by age", "20-34"),
    "age_35_44": ("employment rate by age", "35-44"), "age_45_54": ("employment rate by age", "45-54"),
    "age_55_64": ("employment rate by age", "55-64"),
    **{f"{e}_educated_25_64": ("employment rate by education (25-64)", e) for e in codes.EDUCATION},
    "non_eu_background": ("employment rate non-EU background", "non_eu"),
    "work_disability": ("employment rate work disability", "work_disability"),
}
N_STATIC = int(np.prod(SHAPE[:-1])) // SHAPE[1]
N_BANDS = len(codes.AGE_BANDS)
BAND_OF_AGE_MONTHS = np.clip((np.arange(codes.EXIT_AGE_MONTHS + 1) // 12 - 20) // 5, 0, N_BANDS - 1).astype(np.int8)


def membership() -> np.ndarray:
    """Which (static cell, age band) belongs to each margin: shape (len(MARGINS), N_STATIC, N_BANDS), 0/1."""
    sex, edu, mig, dis = np.unravel_index(np.arange(N_STATIC), (SHAPE[0], *SHAPE[2:-1]))
    band = np.arange(N_BANDS)
    everyone = np.ones((N_STATIC, N_BANDS), dtype=bool)
    cell = lambda mask: np.asarray(mask)[:, None] & everyone  # noqa: E731
    ages = lambda bands: everyone & np.isin(band, bands)[None, :]  # noqa: E731
    rows = {"all": everyone, "men": cell(sex == 0), "women": cell(sex == 1),
            **{f"age_{g.replace('-', '_')}": ages(list(b)) for g, b in codes.EMPLOYMENT_AGE_GROUPS.items()},
            **{f"{e}_educated_25_64": cell(edu == i) & ages(list(range(1, N_BANDS)))
               for i, e in enumerate(codes.EDUCATION)},
            "non_eu_background": cell(mig == codes.MIGRATION.index("non_eu")), "work_disability": cell(dis == 1)}
    return np.stack([rows[m] for m in MARGINS]).astype(float)


MEMBERSHIP = membership()


def table_rates(table) -> tuple[np.ndarray, np.ndarray]:
    """The rate each margin is raked to, and its published rate, from a table's targets (in MARGINS order)."""
    found = {(t.name, t.group): t for t in table.targets}
    used = np.array([found[TARGET_OF[m]].used for m in MARGINS])
    published = np.array([found[TARGET_OF[m]].published for m in MARGINS])
    return used, published


class EmploymentMargins(Process):
    """Records each raked group's people and people at work, and the rates the table holds and the published one."""

    name = "employment_margins"
    parameters = ("population.", "labour_market.")  # the margins of the year's table
    reads = ("status", "age_months", "labour_cell_static")
    counters = (
        Counter("margin_people", "stock", "persons", "people of the group (raked margins of employment)",
                MARGIN_DIM, by_group=False),
        Counter("margin_employed", "stock", "persons", "people at work of the group (raked margins of employment)",
                MARGIN_DIM, by_group=False),
        Counter("employment_rate_target", "stock", "fraction", "employment rate the year's table is raked to (the "
                "published profile shifted to the total rate in force)", MARGIN_DIM, by_group=False),
        Counter("employment_rate_published", "stock", "fraction", "published employment rate in force (after the "
                "last published year: the projection's)", MARGIN_DIM, by_group=False),
    )

    def step(self, model, month: Month) -> None:
        """Count people and people at work by group (recorded months only), and record the three rates."""
        if not month.recorded or month.t < 0:
            return
        pop = month.people
        counts = count_cells(pop.status, pop.labour_cell_static, pop.age_months, BAND_OF_AGE_MONTHS, N_STATIC, N_BANDS)
        present = np.einsum("gcb,cb->g", MEMBERSHIP, counts[..., 0])
        employed = np.einsum("gcb,cb->g", MEMBERSHIP, counts[..., 1])
        scratch = model.scratch(self)
        year = month_date(month.number).year
        if scratch.get("year") != year:  # the table of the calendar year (its January): the year's average rates
            p = model.params(month.number - month_date(month.number).month + 1)
            table = model.resource(RESOURCE, TableCache).table(p, horizon_parameters(model.params, p))
            scratch["year"], scratch["rates"] = year, table_rates(table)
        used, published = scratch["rates"]
        index = np.arange(len(MARGINS))
        model.counters.total("margin_people", month.t, present * model.weight, index)
        model.counters.total("margin_employed", month.t, employed * model.weight, index)
        model.counters.total("employment_rate_target", month.t, used, index)
        model.counters.total("employment_rate_published", month.t, published, index)
