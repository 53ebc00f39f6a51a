"""Building the synthetic Flemish population aged 20-64 from published margins.

Three steps:

1. :func:`cell_table` rakes a joint table of persons by sex x age band x
   education x migration x work disability x labour state (employed, job
   seeker, or non-active by reason) to the margins in force on a date, by IPF.
   Group employment rates are used as relative profiles: each set is shifted on
   the logit scale so that it adds up to the total rate in force.
2. :func:`draw_people` turns the table into persons (integerised counts per
   cell, ages within the band) and draws their careers: months worked, months
   out of work, the benefits in the current out-of-work spell.
3. :func:`fit_report` compares every target with the synthetic population.

The same table drives the monthly labour-market hazards (:mod:`model.mechanisms.labour_market.hazards`)
and the attributes of the 20-year-olds entering each month.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit, logit

from . import codes
from .groups import static_keys
from .population import Population
from .raking import Margin, rake
from .reentrants import is_reentrant

# Labour state axis of the cell table: employed, job seeker, then the non-active reasons.
STATES = ("employed", "jobseeker", "care", "illness", "student", "early_retirement", "other")
NON_ACTIVE_STATES = STATES[2:]
SHAPE = (len(codes.SEX), len(codes.AGE_BANDS), len(codes.EDUCATION), len(codes.MIGRATION), 2, len(STATES))
N_GROUP_CELLS = int(np.prod(SHAPE[:-1]))


def _labels_to_array(mapping: Mapping[str, float], labels: tuple[str, ...]) -> np.ndarray:
    return np.array([mapping[label] for label in labels], dtype=float)


def _axis_mask(axis: int, values) -> np.ndarray:
    """Boolean mask over the table selecting ``values`` on ``axis``."""
    index = np.indices(SHAPE)[axis]
    return np.isin(index, np.atleast_1d(values))


def _shift_rates(rates: np.ndarray, sizes: np.ndarray, total_rate: float) -> np.ndarray:
    """Shift group rates on the logit scale so that their weighted mean is ``total_rate``."""
    logits = logit(np.clip(rates, 1e-6, 1 - 1e-6))
    weights = sizes / sizes.sum()
    delta = brentq(lambda d: float(weights @ expit(logits + d)) - total_rate, -10, 10)
    return expit(logits + delta)


@dataclass
class Target:
    """One published figure the table is fitted to (a row of the fit report)."""

    name: str
    group: str
    published: float
    used: float
    kind: str  # "share" or "count"
    margin: Margin | None = None
    part: int = 0


@dataclass
class CellTable:
    """The raked joint table of persons on one date.

    Attributes:
        counts: Persons per cell (full scale), shape ``SHAPE``.
        targets: The targets and the margins that carry them.
        sweeps: IPF sweeps done.
        date: Date of the margins.
    """

    counts: np.ndarray
    targets: list[Target] = field(default_factory=list)
    sweeps: int = 0
    date: object = None
    _year_counts: np.ndarray | None = field(default=None, repr=False)

    def year_counts(self) -> np.ndarray:
        """Persons per (sex, single year of age, edu, mig, dis, state), cached.

        A fifth of each band per year, split over the labour states with the
        smooth profile by age of :func:`single_year_shares`.
        """
        if self._year_counts is None:
            band_totals = self.counts.sum(axis=-1)  # (sex, band, edu, mig, dis)
            year_totals = band_totals[:, BAND_OF_YEAR] / 5.0
            shares = np.moveaxis(single_year_shares(self), -1, 1)
            self._year_counts = year_totals[..., None] * shares
        return self._year_counts

    def state_shares(self) -> np.ndarray:
        """Shares of each labour state within each group cell, shape (N_GROUP_CELLS, 7)."""
        flat = self.counts.reshape(N_GROUP_CELLS, len(STATES))
        totals = flat.sum(axis=1, keepdims=True)
        return np.divide(flat, totals, out=np.full_like(flat, 1.0 / len(STATES)), where=totals > 0)


def group_cell(sex, band, education, migration, disability) -> np.ndarray:
    """Flat index of the group cell (all axes but the labour state), as intp."""
    s = SHAPE
    return ((((sex.astype(np.intp) * s[1] + band) * s[2] + education) * s[3] + migration) * s[4]
            + disability.astype(np.intp))


AGES = np.arange(20, 65)  # single years of age
BAND_OF_YEAR = (AGES - 20) // 5


def _interpolate_years(band_values: np.ndarray) -> np.ndarray:
    """Linear interpolation of (..., band) values at band midpoints to (..., single year)."""
    mids = 22.5 + 5.0 * np.arange(len(codes.AGE_BANDS))
    flat = band_values.reshape(-1, band_values.shape[-1])
    out = np.array([np.interp(AGES + 0.5, mids, row) for row in flat])
    return out.reshape(*band_values.shape[:-1], len(AGES))


def single_year_shares(table: CellTable) -> np.ndarray:
    """Labour-state shares by single year of age, shape (sex, edu, mig, dis, state, year).

    The band shares are interpolated between band midpoints, then rescaled so
    that each band's average over its five years equals the band share, so the
    age profile is smooth and still adds up to the raked margins.
    """
    by_band = np.moveaxis(table.state_shares().reshape(*SHAPE[:-1], len(STATES)), 1, -1)
    by_year = _interpolate_years(by_band)
    for _ in range(3):  # rescale to band means, renormalise over states
        means = np.stack([by_year[..., BAND_OF_YEAR == b].mean(axis=-1) for b in range(len(codes.AGE_BANDS))], axis=-1)
        by_year *= np.divide(by_band, means, out=np.ones_like(means), where=means > 0)[..., BAND_OF_YEAR]
        by_year /= by_year.sum(axis=-2, keepdims=True)
    return by_year


def projection_years(p: Mapping) -> int:
    """Whole years past the last published employment rate, when the projection moves the margins (else 0).

    The "outlook" and "trend" projections move the margins with the year; "frozen" holds them.
    """
    if p["labour_market.projection.mode"] == "frozen" or not hasattr(p, "date"):
        return 0
    return max(0, p.date.year - p["labour_market.projection.last_published_year"])


def outlook_horizon(p: Mapping) -> int:
    """The last year of the published outlook of the employment rate (``labour_market.projection.outlook``)."""
    return max(int(year) for year in p["labour_market.projection.outlook"])


def needs_horizon(p: Mapping) -> bool:
    """True when the margins of ``p`` continue the outlook past its last year (they need that year's parameters)."""
    return (p["labour_market.projection.mode"] == "outlook" and hasattr(p, "date")
            and p.date.year > outlook_horizon(p) and projection_years(p) > 0)


def _age_group_sizes(p: Mapping) -> np.ndarray:
    """Shares of the population by employment age group (20-34, 35-44, 45-54, 55-64) in ``p``."""
    shares = _labels_to_array(p["population.age_band_shares"], codes.AGE_BANDS)
    return np.array([shares[list(bands)].sum() for bands in codes.EMPLOYMENT_AGE_GROUPS.values()]) / shares.sum()


def _age_rates(p: Mapping, total: float) -> np.ndarray:
    """The published age profile of ``p`` shifted on the logit scale to ``total`` with the age structure of ``p``."""
    published = np.array([p["labour_market.employment_rate_by_age"][g] for g in codes.EMPLOYMENT_AGE_GROUPS])
    return _shift_rates(published, _age_group_sizes(p), total)


def employment_margins(p: Mapping, horizon: Mapping | None = None) -> tuple[float, np.ndarray, dict[str, float]]:
    """The total employment rate, the rates by sex (men, women) and by age group in force.

    After the last published year (``labour_market.projection.*``):

    - "outlook" (the default): the total rate goes in a straight line from the
      last published rate to the published outlook's rate in its last year
      (``labour_market.projection.outlook``); after that year the rates by age
      group are held at that year's (the published profile shifted to the
      outlook's rate) and the total moves with the age structure of the
      population (a demographic continuation: ``horizon`` gives the
      parameters of the outlook's last year);
    - "trend": the published 2013-2023 trend of the total rate, the women's
      rate and the 55-64 rate goes on, each held below the ceiling;
    - "frozen": the last published rates hold.

    Raises:
        ValueError: if the outlook is continued and ``horizon`` is not given.
    """
    total = float(p["labour_market.employment_rate_20_64"])
    by_sex = _labels_to_array(p["labour_market.employment_rate_by_sex"], codes.SEX).astype(float)
    by_age = dict(p["labour_market.employment_rate_by_age"])
    years = projection_years(p)
    if years and p["labour_market.projection.mode"] == "trend":
        trend = p["labour_market.projection.trend_per_year"]
        ceiling = p["labour_market.projection.ceiling"]
        total = min(total + trend["total"] * years, ceiling)
        by_sex[1] = min(by_sex[1] + trend["women"] * years, ceiling)
        by_age["55-64"] = min(by_age["55-64"] + trend["age_55_64"] * years, ceiling)
    elif years and p["labour_market.projection.mode"] == "outlook":
        outlook = p["labour_market.projection.outlook"]
        last = p["labour_market.projection.last_published_year"]
        known = {last: total, **{int(year): float(rate) for year, rate in outlook.items()}}
        if p.date.year <= outlook_horizon(p):
            total = float(np.interp(p.date.year, sorted(known), [known[y] for y in sorted(known)]))
        else:
            if horizon is None:
                raise ValueError(f"the employment rate of {p.date.year} continues the outlook of "
                                 f"{outlook_horizon(p)}: give that year's parameters")
            held = _age_rates(horizon, known[outlook_horizon(p)])  # the age rates of the outlook's last year
            total = float(_age_group_sizes(p) @ held)
            by_age = dict(zip(codes.EMPLOYMENT_AGE_GROUPS, held))
    return total, by_sex, by_age


def cell_table(p: Mapping, horizon: Mapping | None = None) -> CellTable:
    """Rake the joint table to the margins in ``p`` (a ``ParameterSet``).

    Args:
        horizon: The parameters of the outlook's last year, where the margins continue it
            (:func:`needs_horizon`, :func:`employment_margins`).
    """
    size = float(p["population.size_20_64"])
    bands = codes.AGE_BANDS
    # --- seed: interactions that the margins do not fix (shapes only) ---
    seed = np.ones(SHAPE)
    edu_by_age = np.array([_labels_to_array(p["population.education.seed_shares_by_age"][b], codes.EDUCATION) for b in bands])
    seed *= edu_by_age[None, :, :, None, None, None]
    high_by_sex = p["population.education.high_share_by_sex_25_64"]
    odds_women = (high_by_sex["women"] / (1 - high_by_sex["women"])) / (high_by_sex["men"] / (1 - high_by_sex["men"]))
    seed[1, :, 2] *= odds_women
    emp = _labels_to_array(p["labour_market.seed.employment_by_age_band"], bands)
    js = _labels_to_array(p["labour_market.seed.jobseeker_share_of_non_employed_by_age_band"], bands)
    reason_w = np.array([_labels_to_array(p["labour_market.seed.reason_weights_by_age_band"][b],
                                          NON_ACTIVE_STATES) for b in bands])
    reason_w = reason_w / reason_w.sum(axis=1, keepdims=True)
    state_seed = np.concatenate([emp[:, None], ((1 - emp) * js)[:, None], ((1 - emp) * (1 - js))[:, None] * reason_w], axis=1)
    seed *= state_seed[None, :, None, None, None, :]
    illness = STATES.index("illness")
    seed[:, :, :, :, 1, illness] *= p["labour_market.seed.illness_weight_work_disability"]

    employed = _axis_mask(5, 0)
    jobseeker = _axis_mask(5, 1)
    non_active = _axis_mask(5, list(range(2, len(STATES))))
    everyone = np.ones(SHAPE, dtype=bool)
    age25 = _axis_mask(1, list(range(1, len(bands))))
    targets: list[Target] = []

    def add(margin: Margin, published: list[float], groups: list[str]) -> Margin:
        for i, (pub, grp) in enumerate(zip(published, groups)):
            targets.append(Target(margin.name, grp, float(pub), float(margin.targets[i]), margin.kind, margin, i))
        return margin

    # --- demographic margins ---
    women = p["population.women_share"]
    band_shares = _labels_to_array(p["population.age_band_shares"], bands)
    band_shares = band_shares / band_shares.sum()
    sex_age_parts, sex_age_targets, sex_age_labels = [], [], []
    for s, sex_share in enumerate((1 - women, women)):
        for b in range(len(bands)):
            sex_age_parts.append(_axis_mask(0, s) & _axis_mask(1, b))
            sex_age_targets.append(size * sex_share * band_shares[b])
            sex_age_labels.append(f"{codes.SEX[s]} {bands[b]}")
    demographic = [
        add(Margin("population by sex and age", everyone, sex_age_parts, sex_age_targets, "count", keep_total=False),
            sex_age_targets, sex_age_labels),
    ]
    edu_shares = _labels_to_array(p["population.education.shares_25_64"], codes.EDUCATION)
    demographic.append(add(Margin("education share (25-64)", age25, [age25 & _axis_mask(2, e) for e in range(3)],
                                  list(edu_shares)),
                           list(edu_shares), list(codes.EDUCATION)))
    mig_shares = _labels_to_array(p["population.migration_shares"], codes.MIGRATION)
    demographic.append(add(Margin("migration background share", everyone, [_axis_mask(3, m) for m in range(3)], list(mig_shares)),
                           list(mig_shares), list(codes.MIGRATION)))
    dis = p["population.work_disability_share"]
    demographic.append(add(Margin("work disability share", everyone, [_axis_mask(4, 1)], [dis]), [dis], ["work_disability"]))
    table, _ = rake(seed, demographic)
    # People aged 20-24 get the level they will attain, taken as that of 25-34
    # (assumption: no published figure for 20-24, many of whom are still studying).
    young, next_bands = _axis_mask(1, 0), _axis_mask(1, [1, 2])
    young_shares = [table[next_bands & _axis_mask(2, e)].sum() / table[next_bands].sum() for e in range(3)]
    demographic.append(add(Margin("education share (20-24, taken as 25-34)", young, [young & _axis_mask(2, e) for e in range(3)],
                                  young_shares),
                           young_shares, list(codes.EDUCATION)))
    table, _ = rake(table, demographic)

    # --- employment margins, group rates shifted to the total in force ---
    total_rate, sex_rates, age_rates_raw = employment_margins(p, horizon)
    employment: list[Margin] = [add(Margin("employment rate", everyone, [employed], [total_rate]), [total_rate], ["all"])]
    sex_sizes = np.array([table[_axis_mask(0, s)].sum() for s in range(2)])
    shifted = _shift_rates(sex_rates, sex_sizes, total_rate)
    for s in range(2):
        g = _axis_mask(0, s)
        employment.append(add(Margin("employment rate by sex", g, [g & employed], [shifted[s]]), [sex_rates[s]], [codes.SEX[s]]))
    age_groups = codes.EMPLOYMENT_AGE_GROUPS
    age_rates = np.array([age_rates_raw[k] for k in age_groups])  # by label, in code order
    age_sizes = np.array([table[_axis_mask(1, list(v))].sum() for v in age_groups.values()])
    shifted = _shift_rates(age_rates, age_sizes, total_rate)
    for i, (label, bands_in) in enumerate(age_groups.items()):
        g = _axis_mask(1, list(bands_in))
        employment.append(add(Margin("employment rate by age", g, [g & employed], [shifted[i]]), [age_rates[i]], [label]))
    non_eu = _axis_mask(3, 2)
    r = p["labour_market.employment_rate_non_eu"]
    employment.append(add(Margin("employment rate non-EU background", non_eu, [non_eu & employed], [r]), [r], ["non_eu"]))
    disabled = _axis_mask(4, 1)
    r = p["labour_market.employment_rate_work_disability"]
    employment.append(add(Margin("employment rate work disability", disabled, [disabled & employed], [r]), [r],
                          ["work_disability"]))
    non_employed = jobseeker | non_active
    n_js = p["labour_market.jobseekers_registered"]
    employment.append(add(Margin("registered job seekers", non_employed, [jobseeker], [n_js], "count"), [n_js], ["all"]))
    reason_shares = _labels_to_array(p["labour_market.non_active_reason_shares"], NON_ACTIVE_STATES)
    reason_shares = reason_shares / reason_shares.sum()
    reason_parts = [_axis_mask(5, 2 + k) for k in range(len(NON_ACTIVE_STATES))]
    employment.append(add(Margin("non-active reason share", non_active, reason_parts, list(reason_shares)),
                          list(reason_shares), list(NON_ACTIVE_STATES)))
    care = _axis_mask(5, STATES.index("care"))
    r = p["labour_market.care_women_share"]
    employment.append(add(Margin("women share among carers", care, [care & _axis_mask(0, 1)], [r]), [r], ["women"]))

    # Stage A without the education rates, to learn the 25-64 rate they must add up to.
    table_a, _ = rake(table, demographic + employment)
    rate_25_64 = table_a[age25 & employed].sum() / table_a[age25].sum()
    edu_rates = _labels_to_array(p["labour_market.employment_rate_by_education_25_64"], codes.EDUCATION)
    edu_sizes = np.array([table_a[age25 & _axis_mask(2, e)].sum() for e in range(3)])
    shifted = _shift_rates(edu_rates, edu_sizes, rate_25_64)
    for e in range(3):
        g = age25 & _axis_mask(2, e)
        employment.append(add(Margin("employment rate by education (25-64)", g, [g & employed], [shifted[e]]), [edu_rates[e]],
                              [codes.EDUCATION[e]]))
    table, sweeps = rake(table_a, demographic + employment)
    return CellTable(counts=table, targets=targets, sweeps=sweeps, date=p.date if hasattr(p, "date") else None)


# ---------------------------------------------------------------------------
# From the table to persons
# ---------------------------------------------------------------------------

def integerise(probabilities: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Whole counts per cell summing to ``n``.

    Floors, plus the remainder spread multinomially by the fractional parts
    (so margins hold to within rounding).
    """
    expected = probabilities / probabilities.sum() * n
    counts = np.floor(expected).astype(np.int64)
    remainder = n - int(counts.sum())
    if remainder > 0:
        frac = expected - counts
        # only the cells with a fractional part: a multinomial draws nothing for the others, and
        # a draw of a few people (the month's entrants) would cost a pass over every cell
        cells = np.flatnonzero(frac > 0)
        counts[cells] += rng.multinomial(remainder, frac[cells] / frac[cells].sum())
    return counts


def integerise_within(weights: np.ndarray, indices: list[np.ndarray], n: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray:
    """:func:`integerise` for several quotas at once: ``n[k]`` draws among the cells ``indices[k]`` of ``weights``.

    Each quota gets the floors of its expected counts, and its remainder is
    drawn multinomially by the fractional parts, as :func:`integerise` does,
    but all quotas share one draw of uniforms (each remainder unit picks a cell
    by the inverse of its quota's cumulative fractional parts). A month's
    entrants fill a few hundred quotas: one call per quota cost most of the
    month's renewal.

    Returns:
        The drawn cell of every person, quota by quota (``n[k]`` entries for quota ``k``).
    """
    index = np.concatenate(indices)
    sizes = np.array([len(i) for i in indices])
    owner = np.repeat(np.arange(len(indices)), sizes)
    probabilities = weights[index]
    expected = probabilities / np.bincount(owner, probabilities, minlength=len(n))[owner] * n[owner]
    counts = np.floor(expected).astype(np.int64)
    remainder = n - np.bincount(owner, counts, minlength=len(n)).astype(np.int64)
    cumulative = np.cumsum(expected - counts)
    ends = np.cumsum(sizes) - 1
    starts = ends - sizes + 1
    before = np.where(starts > 0, cumulative[np.maximum(starts - 1, 0)], 0.0)
    units = np.repeat(np.arange(len(n)), remainder)
    target = before[units] + rng.random(len(units)) * (cumulative[ends] - before)[units]
    target = np.minimum(target, np.nextafter(cumulative[ends], -np.inf)[units])  # rounding never picks past the end
    picked = np.clip(np.searchsorted(cumulative, target, side="right"), starts[units], ends[units])
    counts += np.bincount(picked, minlength=len(index))
    return np.repeat(index, counts)


@functools.lru_cache(maxsize=4096)
def _cells_of(lo: int, hi: int, cell: int) -> np.ndarray:
    """The flat indices, in ``CellTable.year_counts()``, of group ``cell`` at the single years of age in [lo, hi] months.

    Every month draws its entrants cell by cell, from the same few hundred (age range, cell) pairs: the
    indices are worked out once (read only: they are shared).
    """
    in_range = ~((AGES * 12 + 11 < lo) | (AGES * 12 > hi))
    sex, band, edu, mig, dis = np.unravel_index(cell, SHAPE[:-1])
    years = np.flatnonzero(in_range & (BAND_OF_YEAR == band))
    index = np.ravel_multi_index((sex, years[:, None], edu, mig, dis, np.arange(len(STATES))[None, :]),
                                 (SHAPE[0], len(AGES), *SHAPE[2:])).ravel().astype(np.int32)
    index.flags.writeable = False
    return index


def draw_people(table: CellTable, n: int | Mapping[tuple[int, ...], int], month: int, p: Mapping,
                rng: np.random.Generator, age_range: tuple[int, int] | None = None) -> Population:
    """Draw ``n`` persons from ``table`` with careers as of ``month``.

    Args:
        table: Raked cell table.
        n: Number of persons, or a mapping ``{key: number}`` to draw several
            groups at once (``age_range`` is then ignored). A key is an age
            range ``(first, last)`` in months, or ``(first, last, cell)`` to
            draw only in one group cell (:func:`group_cell`: sex, band,
            education, migration, disability) of the table.
        month: Month number the population describes.
        p: Parameters in force.
        rng: Generator for this draw.
        age_range: If given, ``(first, last)`` age in months, both included:
            people are drawn from the single years of age in that range with a
            uniform age in months (``(240, 240)`` gives new 20-year-olds).
    """
    quotas = dict(n) if isinstance(n, Mapping) else {age_range or (AGES[0] * 12, AGES[-1] * 12 + 11): n}
    # Small integer types throughout, and temporaries dropped as soon as used: at full scale each
    # 64-bit column of 3.8 million people is 30 MB, and the synthesis sets the run's peak memory.
    year_counts = table.year_counts()
    all_cells, lows, highs = [], [], []
    in_cells = {key: count for key, count in quotas.items() if len(key) == 3}
    if in_cells:  # group cells: only their single years and states are drawn from, all in one draw
        keys, number = np.array(list(in_cells), dtype=np.int64), np.array(list(in_cells.values()), dtype=np.int64)
        all_cells.append(integerise_within(year_counts.ravel(), [_cells_of(*key) for key in in_cells], number, rng))
        lows.append(np.repeat(keys[:, 0].astype(np.int16), number))
        highs.append(np.repeat(keys[:, 1].astype(np.int16), number))
    for (lo, hi), count in ((key, count) for key, count in quotas.items() if len(key) == 2):
        in_range = ~((AGES * 12 + 11 < lo) | (AGES * 12 > hi))
        counts = year_counts.copy()
        counts[:, ~in_range] = 0.0
        per_cell = integerise(counts.ravel(), count, rng)
        all_cells.append(np.repeat(np.arange(per_cell.size, dtype=np.int32), per_cell))
        lows.append(np.full(count, lo, dtype=np.int16))
        highs.append(np.full(count, hi, dtype=np.int16))
    cells = np.concatenate(all_cells)
    lo, hi = np.concatenate(lows), np.concatenate(highs)
    del all_cells, lows, highs
    n = len(cells)
    order = rng.permutation(n)  # rows carry no order by cell
    cells, lo, hi = cells[order], lo[order], hi[order]
    del order
    sex, year, edu, mig, dis, state = (a.astype(np.int8) for a in np.unravel_index(cells, table.year_counts().shape))
    del cells
    year16 = (20 + year.astype(np.int16)) * 12
    first = np.maximum(year16, lo)
    last = np.minimum(year16 + 11, hi)
    del year16, lo, hi, year
    ages = (first + np.floor(rng.random(n) * (last - first + 1)).astype(np.int16)).astype(np.int16)
    del first, last

    status = np.select([state == 0, state == 1], [codes.EMPLOYED, codes.JOBSEEKER], codes.NON_ACTIVE).astype(np.int8)
    reason = np.where(state >= 2, state - 1, 0).astype(np.int8)  # STATES[2:] are REASON[1:]
    del state
    self_employed = (status == codes.EMPLOYED) & (rng.random(n) < p["labour_market.self_employed_share"])
    career = draw_careers(status, reason, ages, edu, month, p, rng)
    people = Population(
        sex=sex, age_months=ages, education=edu, migration=mig, work_disability=dis.astype(bool),
        status=status, self_employed=self_employed, inactive_reason=reason,
        awareness_draw=rng.random(n, dtype=np.float32),
        cheques_in_window=np.zeros(n, dtype=np.int8), window_start=np.full(n, codes.NO_MONTH, dtype=np.int16),
        last_cheque_month=np.full(n, codes.NO_MONTH, dtype=np.int16),
        cheque1_month=np.full(n, codes.NO_MONTH, dtype=np.int16),
        group_key_static=np.zeros(n, dtype=np.uint8), reentrant_user=np.zeros(n, dtype=bool),
        **career,
    )
    people.group_key_static[:] = static_keys(people)
    return people


def draw_benefits(reason_labels: np.ndarray, u: np.ndarray, p: Mapping) -> np.ndarray:
    """Benefit bit flags for people entering a spell with the given state keys.

    Args:
        reason_labels: Index into ``STATES`` (0 = employed: no benefit; 1 = job
            seeker; 2.. non-active reasons).
        u: One uniform per person.
    """
    table = p["careers.benefit_by_reason"]
    out = np.zeros(len(u), dtype=np.uint8)
    cumulative = np.zeros(len(u))
    for name in codes.BENEFITS:
        prob = np.array([0.0] + [table[key][name] for key in STATES[1:]])[reason_labels]
        hit = (u >= cumulative) & (u < cumulative + prob)
        out[hit] |= codes.BENEFIT_BIT[name]
        cumulative += prob
    return out


def _status_key(status: np.ndarray, reason: np.ndarray) -> np.ndarray:
    """Index into ('employed', 'jobseeker', 'care', ..., 'other') per person."""
    return np.where(status == codes.EMPLOYED, 0, np.where(status == codes.JOBSEEKER, 1, reason + 1))


def draw_careers(status, reason, ages, edu, month: int, p: Mapping, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Months worked, current spell and benefits in the spell, per person.

    Potential career = months since the entry age of the education level. The
    non-employed are out of work for an exponential number of months (mean by
    reason, capped by the career); of the rest of the career a Beta-distributed
    share was spent working. Workers' current job lasts an exponential share of
    their months worked.
    """
    n = len(status)
    keys = STATES
    k = _status_key(status, reason).astype(np.int8)
    entry = _labels_to_array(p["careers.entry_age_years"], codes.EDUCATION)[edu] * 12
    potential = np.maximum(ages - entry, 0)
    del entry
    attach_mean = np.array([p["careers.attachment"][key] for key in keys])[k]
    conc = p["careers.attachment_concentration"]
    a = np.clip(attach_mean, 1e-6, 1 - 1e-6)
    share = rng.beta(a * conc, (1 - a) * conc)
    share[attach_mean <= 0] = 0.0
    del a, attach_mean

    gap_mean = np.array([0.0] + [p["careers.months_out_of_work"][key] for key in keys[1:]])[k]
    out_months = np.minimum(np.ceil(rng.exponential(1.0, n) * gap_mean), potential)
    del gap_mean
    is_emp = status == codes.EMPLOYED
    potential -= out_months
    share *= potential
    del potential
    worked = np.round(share).astype(np.int32)
    del share
    worked = np.where(is_emp, np.maximum(worked, 1), worked)

    tenure = np.minimum(np.ceil(rng.exponential(1.0, n) * p["careers.tenure_share"] * worked), worked)
    tenure = np.maximum(tenure, 1).astype(np.int32)
    before = np.where(is_emp, worked - tenure, worked)
    del worked
    spell = np.where(is_emp, tenure, out_months)
    del tenure, out_months
    gap_before = np.where(is_emp & (before > 0), np.ceil(rng.exponential(1.0, n) * p["careers.gap_before_job_months"]), 0)

    benefits = draw_benefits(k, rng.random(n), p)
    return {
        "months_worked_before_spell": np.minimum(before, 32000).astype(np.int16),
        "spell_start": np.maximum(month - spell, -32000).astype(np.int16),
        "gap_before_job": np.minimum(gap_before, 32000).astype(np.int16),
        "benefits_in_spell": benefits,
        # the benefit drawn is the current status's own: received now, none ended earlier in the spell
        "benefits_now": benefits.copy(),
        "benefit_end_month": np.full(n, codes.NO_MONTH, dtype=np.int16),
    }


# ---------------------------------------------------------------------------
# Fit report
# ---------------------------------------------------------------------------

def _person_cells(pop: Population) -> np.ndarray:
    present = pop.status != codes.ABSENT
    state = _status_key(pop.status, pop.inactive_reason.astype(np.intp))
    flat = group_cell(pop.sex, pop.age_band(), pop.education, pop.migration, pop.work_disability) * len(STATES) + state
    return np.bincount(flat[present], minlength=int(np.prod(SHAPE))).reshape(SHAPE).astype(float)


def fit_report(table: CellTable, pop: Population, month: int, p: Mapping, weight: float) -> pd.DataFrame:
    """Every raking target against the table and the synthetic persons.

    Columns: ``target, group, kind, published, target_used, table_value,
    model_value, error, relative_error``; ``error`` is model minus published
    (counts weighted up to full scale). Rows with kind ``check`` are figures
    the model is compared with but not fitted to (pool sizes, non-active rate).
    """
    persons = _person_cells(pop) * weight
    rows = []
    for t in table.targets:
        model_value = t.margin.achieved(persons)[t.part]
        table_value = t.margin.achieved(table.counts)[t.part]
        rows.append({"target": t.name, "group": t.group, "kind": t.kind, "published": t.published,
                     "target_used": t.used, "table_value": table_value, "model_value": model_value})
    present = pop.status != codes.ABSENT
    n_present = present.sum()
    non_active = pop.status == codes.NON_ACTIVE
    rows.append({"target": "non-active rate (check)", "group": "all", "kind": "check",
                 "published": p["labour_market.non_active_rate_20_64"], "model_value": non_active.sum() / n_present})
    reentrant = is_reentrant(pop, month, p)
    strict = dict(p)  # the stricter reading (scenario herintreders_strict)
    strict["cheque.eligibility.reentrant.disqualifying_benefits"] = ["unemployment", "career_break", "incapacity", "pension"]
    strict["cheque.eligibility.reentrant.benefit_period"] = "whole_spell"
    care = non_active & (pop.inactive_reason == codes.REASON.index("care"))
    ref = p["labour_market.homemakers_without_benefit"]
    rows.append({"target": "carers and homemakers (check)", "group": "all", "kind": "check", "published": ref,
                 "model_value": care.sum() * weight})
    rows.append({"target": "re-entrant pool, the resolution's text: no unemployment or career-break benefit in the "
                 "period (check)", "group": "all", "kind": "check", "published": ref,
                 "model_value": reentrant.sum() * weight})
    rows.append({"target": "re-entrant pool, strict reading: no benefit of any kind in the spell (check)",
                 "group": "all", "kind": "check", "published": ref,
                 "model_value": is_reentrant(pop, month, strict).sum() * weight})
    employed = pop.status == codes.EMPLOYED
    worked = pop.months_worked(month)
    needed = p["cheque.eligibility.experience.months_required"]
    young = employed & (pop.age_months < 30 * 12)
    rows.append({"target": "workers below the 7-year experience rule (check)", "group": "all", "kind": "check",
                 "model_value": (employed & (worked < needed)).sum() / max(employed.sum(), 1)})
    rows.append({"target": "workers below the 7-year experience rule (check)", "group": "age 20-29", "kind": "check",
                 "model_value": (young & (worked < needed)).sum() / max(young.sum(), 1)})
    report = pd.DataFrame(rows)
    report["error"] = report["model_value"] - report["published"]
    report["relative_error"] = report["error"] / report["published"]
    return report
