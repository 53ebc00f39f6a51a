"""A warm session: the baseline once, then alternatives against it, with the numbers of a run of the two together."""

import numpy as np
import pandas as pd
import pytest

from model.experiments.build import Run
from model.experiments.session import _KEPT, Session
from model.interfaces import whatif
from model.params.scenario import ScenarioError

SMALL = {"scale": 0.001, "replications": 2, "seed": 11}


FIRST = whatif.scenario_dict(whatif.Levers(reentrants=True, monitoring=True))
SECOND = whatif.scenario_dict(whatif.Levers(letters=True, price=20.0), name="other")


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A cache of warmed-up states for this file's runs and sessions (each replication warmed up once)."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def together(cache):
    """The first alternative run together with the baseline, as loopbaan run does it."""
    from model.interfaces.api import Simulation

    return Simulation([whatif.BASELINE, FIRST], **SMALL).run(progress=False, cache=cache).run


def _same_table(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """The same table to the last bit (column by column: pandas' own check takes a minute on a monthly table)."""
    assert list(a.columns) == list(b.columns) and list(a.dtypes) == list(b.dtypes) and len(a) == len(b)
    for column in a.columns:
        if isinstance(a[column].dtype, pd.CategoricalDtype):
            assert list(a[column].cat.categories) == list(b[column].cat.categories), column
            assert np.array_equal(a[column].cat.codes.to_numpy(), b[column].cat.codes.to_numpy()), column
        else:
            assert a[column].reset_index(drop=True).equals(b[column].reset_index(drop=True)), column


def _same(a, b) -> None:
    for table in ("yearly", "monthly", "summary"):
        _same_table(getattr(a, table), getattr(b, table))
    assert [s.name for s in a.scenarios] == [s.name for s in b.scenarios]


def test_each_alternative_has_the_numbers_of_a_run_with_the_baseline(cache, together):
    # on two workers, as the page runs it (one worker, in this process, takes the same steps: the test below)
    with Session(Run.of([whatif.BASELINE], **SMALL), cache=cache, workers=2) as session:
        _same(session.compare(FIRST), together)
        other = session.compare(SECOND)
        assert sorted(other.yearly["scenario"].unique()) == ["law_2025", "other"]
        _same(session.compare(FIRST), together)  # the other alternative left the kept state as it was


def test_one_replication_in_this_process_and_a_closed_session(cache, together):
    plan = Run.of([whatif.BASELINE], **{**SMALL, "replications": 1})
    session = Session(plan, cache=cache)
    result = session.compare(FIRST)
    assert sorted(result.yearly["replication"].unique()) == [0]
    first = together.yearly
    _same_table(result.yearly, first[first["replication"] == 0].reset_index(drop=True))
    assert any(key[0] == session.id for key in _KEPT)
    session.close()
    assert not any(key[0] == session.id for key in _KEPT)  # what it kept is dropped
    with pytest.raises(ScenarioError, match="the session is closed; start a new one"):
        session.compare(SECOND)


def test_what_a_session_refuses():
    with pytest.raises(ScenarioError, match="a session holds one baseline scenario, without parameter sets"):
        Session(Run.of([whatif.BASELINE, "herintreders"], **SMALL))
    with pytest.raises(ScenarioError, match="a session holds one baseline scenario, without parameter sets"):
        Session(Run.of([whatif.BASELINE], parameter_sets=2, **SMALL))
    session = Session(Run.of([whatif.BASELINE], **SMALL))
    early = {"name": "early", "extends": whatif.BASELINE,
             "overrides": {"cheque.eligibility.reentrant.enabled": {"2020-01-01": True}}}
    with pytest.raises(ScenarioError, match="early: the scenario changes the months before 2025-01"):
        session.compare(early)
    longer = {"name": "longer", "extends": whatif.BASELINE, "warmup_months": 24}
    with pytest.raises(ScenarioError, match="inconsistent scenarios: 'warmup_months' is 138 .* but 24 in <dict 'longer'>"):
        session.compare(longer)
    with pytest.raises(ScenarioError, match="resolution_full: a session compares one scenario without parts"):
        session.compare("resolution_full")
    assert session._baseline is None  # nothing was simulated for a refused scenario
    session.close()
