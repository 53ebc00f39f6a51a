"""Raking: the compiled sweeps against the numpy reference, and the margins they reach."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.mechanisms.labour_market import tables as labour_tables
from model.mechanisms.labour_market.tables import TableCache
from model.params.tree import ParameterTree
from model.people.raking import Margin, rake


def rake_by_masks(seed, margins, tol=1e-10, max_iter=2000):
    """IPF as it was first written, in numpy through each part's boolean mask: the reference of the kernel."""
    table = np.array(seed, dtype=float)
    for sweep in range(1, max_iter + 1):
        before = table.copy()
        for margin in margins:
            total = table[margin.group].sum()
            covered = np.zeros_like(margin.group)
            for part, target in zip(margin.parts, margin.targets):
                current = table[part].sum()
                goal = target * total if margin.kind == "share" else target
                if current > 0:
                    table[part] *= goal / current
                covered |= part
            if margin.keep_total:
                rest = margin.group & ~covered
                if rest.any():
                    current = table[rest].sum()
                    done = sum(table[p].sum() for p in margin.parts)
                    if current > 0:
                        table[rest] *= max(total - done, 0.0) / current
        if np.max(np.abs(table - before)) <= tol * table.sum():
            return table, sweep
    return table, max_iter


def _margins(shape: tuple[int, int], rng: np.random.Generator) -> list[Margin]:
    """Row totals (counts), column shares, and the share of a corner inside the first row."""
    rows, cols = shape
    everyone = np.ones(shape, dtype=bool)
    row_masks = [np.zeros(shape, dtype=bool) for _ in range(rows)]
    for r, mask in enumerate(row_masks):
        mask[r] = True
    col_masks = [np.zeros(shape, dtype=bool) for _ in range(cols)]
    for c, mask in enumerate(col_masks):
        mask[:, c] = True
    col_shares = rng.dirichlet(np.ones(cols))
    corner = np.zeros(shape, dtype=bool)
    corner[0, 0] = True
    return [Margin("rows", everyone, row_masks, list(rng.uniform(10, 100, rows)), "count", keep_total=False),
            Margin("columns", everyone, col_masks, list(col_shares)),
            Margin("corner", row_masks[0], [corner], [0.3])]


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 5), cols=st.integers(1, 6), seed=st.integers(0, 2**32 - 1),
       empty=st.booleans(), max_iter=st.integers(1, 50))
def test_the_compiled_sweeps_equal_the_first_numpy_version(rows, cols, seed, empty, max_iter):
    rng = np.random.default_rng(seed)
    table = rng.uniform(0.1, 5.0, (rows, cols))
    if empty:  # an empty cell, and parts without people, stay empty
        table[-1, -1] = 0.0
    margins = _margins((rows, cols), rng)
    fitted, sweeps = rake(table, margins, max_iter=max_iter)
    expected, expected_sweeps = rake_by_masks(table, margins, max_iter=max_iter)
    assert sweeps == expected_sweeps
    np.testing.assert_allclose(fitted, expected, rtol=1e-12, atol=1e-12)


def test_consistent_margins_are_reached():
    rng = np.random.default_rng(4)
    margins = _margins((3, 4), rng)
    fitted, sweeps = rake(rng.uniform(0.5, 2.0, (3, 4)), margins[:2])
    assert sweeps < 2000
    np.testing.assert_allclose(fitted.sum(axis=1), margins[0].targets, rtol=1e-9)
    np.testing.assert_allclose(fitted.sum(axis=0) / fitted.sum(), margins[1].targets, rtol=1e-9)


def test_a_margin_whose_parts_overlap_is_refused():
    everyone = np.ones((2, 2), dtype=bool)
    with pytest.raises(ValueError, match="margin 'twice': its parts must be disjoint and inside its group"):
        Margin("twice", everyone, [everyone, everyone], [0.5, 0.5])
    first_row = np.array([[True, True], [False, False]])
    with pytest.raises(ValueError, match="inside its group"):
        Margin("outside", first_row, [~first_row], [0.5])


def test_a_later_run_takes_the_tables_this_process_made(monkeypatch):
    """Tables are pure functions of their margins: a second run's cache finds the first one's, made once."""
    law = ParameterTree.load()
    p, following = law.at(dt.date(2016, 7, 1)), law.at(dt.date(2017, 7, 1))
    table, hazards = TableCache().get(p, following)
    made = []
    monkeypatch.setattr(labour_tables, "cell_table", lambda *a: made.append(a))
    monkeypatch.setattr(labour_tables, "hazards_from_table", lambda *a: made.append(a))
    again, again_hazards = TableCache().get(p, following)
    assert made == [] and again is table and again_hazards is hazards
    ceiling = dict(p["simulation.hazard_ceiling"], separation=0.5)  # a parameter the hazards read: another key
    assert TableCache.key(p.updated({"simulation.hazard_ceiling": ceiling})) != TableCache.key(p)
