"""A warm session: the baseline once, then alternatives against it, with the numbers of a run of the two together."""

import pandas as pd
import pytest

from model.experiments.build import Run
from model.experiments.session import _KEPT, Session
from model.interfaces import whatif
from model.params.scenario import ScenarioError

SMALL = {"scale": 0.005, "replications": 2, "seed": 11}


def _run_together(alternative: dict):
    from model.interfaces.api import Simulation

    return Simulation([whatif.BASELINE, alternative], **SMALL).run(progress=False, cache=False).run


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.yearly, b.yearly)
    pd.testing.assert_frame_equal(a.monthly, b.monthly)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    assert [s.name for s in a.scenarios] == [s.name for s in b.scenarios]


@pytest.mark.parametrize("workers", [1, 2])
def test_each_alternative_has_the_numbers_of_a_run_with_the_baseline(workers):
    first = whatif.scenario_dict(whatif.Levers(reentrants=True, monitoring=True))
    second = whatif.scenario_dict(whatif.Levers(letters=True, price=20.0), name="other")
    with Session(Run.of([whatif.BASELINE], **SMALL), workers=workers) as session:
        for alternative in (first, second, first):  # the kept state is not changed by an alternative
            _same(session.compare(alternative), _run_together(alternative))


def test_one_replication_and_a_closed_session():
    plan = Run.of([whatif.BASELINE], **{**SMALL, "replications": 1})
    session = Session(plan)
    alternative = whatif.scenario_dict(whatif.Levers(followup=True))
    result = session.compare(alternative)
    assert sorted(result.yearly["replication"].unique()) == [0]
    assert any(key[0] == session.id for key in _KEPT)
    session.close()
    assert not any(key[0] == session.id for key in _KEPT)  # what it kept is dropped
    with pytest.raises(ScenarioError, match="the session is closed; start a new one"):
        session.compare(alternative)


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
