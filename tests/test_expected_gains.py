"""The expected gains of guidance and registration (a conditional expectation), against closed forms and the simulation."""

import numpy as np
import pytest

import model
from model.mechanisms.labour_market import kernel
from model.mechanisms.labour_market.hazards import N_AGE_CELLS, N_WEIGHT_GROUPS
from model.mechanisms.labour_market.moves import AGE_CELLS
from model.people import codes
from model.results.comparison import paired_differences

MONTH, LAST = 200, 259  # 60 months to the horizon, the last year its last 12 months
HORIZON = (LAST, LAST - 11, 12, codes.EXIT_AGE_MONTHS)


def _hazards(work_exit=0.0, work_to_non_active=0.0, jobseeker_to_work=0.0, jobseeker_to_non_active=0.0,
             non_active_to_work=0.0, non_active_to_jobseeker=0.0):
    first, second = np.zeros((4, N_AGE_CELLS)), np.zeros((4, N_AGE_CELLS))
    first[codes.EMPLOYED], second[codes.EMPLOYED] = work_exit, work_to_non_active
    first[codes.JOBSEEKER], second[codes.JOBSEEKER] = jobseeker_to_work, jobseeker_to_non_active
    first[codes.NON_ACTIVE], second[codes.NON_ACTIVE] = non_active_to_work, non_active_to_jobseeker
    return first, second


def _person(status, reason=0, recent=True, duration=1, extra=0.0, stay_effect=0.0):
    """One person aged 40, out of work for 10 months (or at work), a cheque-1 user last month; no decay of weights."""
    columns = kernel.LabourColumns(np.array([status], np.int8), np.array([0], np.uint8), np.array([480], np.int16),
                                   np.array([MONTH - 10], np.int16), np.array([codes.NO_MONTH], np.int16),
                                   np.array([reason], np.int8), np.array([1.0], np.float32))
    flat = np.ones(720)
    weights = kernel.WeightTables(flat, 1e12, np.ones(len(codes.REASON)), np.ones((2, 720)), 1e12)
    guidance = kernel.Guidance(np.array([MONTH - 1 if recent else codes.NO_MONTH], np.int16),
                               np.array([codes.NO_MONTH], np.int16), np.array([1.0], np.float32), duration,
                               stay_effect, 0.0, extra)
    return columns, weights, guidance


def _gains(status, hazards, registered=False, **person):
    columns, weights, guidance = _person(status, **person)
    mean = np.ones((4, N_WEIGHT_GROUPS))
    return kernel.expected_gains(np.array([0]), np.array([person.get("reason", 0)]), MONTH, columns, AGE_CELLS, weights, guidance, *hazards, mean,
                                 (*HORIZON, float(registered)))


def test_a_guided_move_to_work_gains_the_two_state_chains_closed_form():
    """The futures carry no guidance (a later month's effect is its own term), even within the recent months."""
    s, f, extra = 0.01, 0.04, 0.02
    p, months, last = _gains(codes.NON_ACTIVE, _hazards(work_to_non_active=s, non_active_to_work=f), extra=extra,
                             duration=24)
    assert p[0] == pytest.approx(extra)
    delta = (1 - s - f) ** np.arange(LAST - MONTH + 1)  # the two futures part at the rate either moves
    assert months[0] == pytest.approx(extra * delta.sum())
    assert last[0] == pytest.approx(extra * delta[-12:].sum() / 12)


def test_a_registration_gains_the_difference_of_two_five_state_chains_started_out_of_work():
    """Checked against the chains written as a transition matrix (constant hazards: no decay, not a recent user)."""
    s_j, s_n, js_work, js_na, na_work, na_js = 0.01, 0.005, 0.05, 0.01, 0.02, 0.003
    _, months, last = _gains(codes.JOBSEEKER, _hazards(s_j, s_n, js_work, js_na, na_work, na_js),
                             registered=1.0, reason=1, recent=False)
    # states: at work, job seeker (spell going on), non-active (spell), job seeker (new spell), non-active (new)
    m = np.array([[1 - s_j - s_n, 0, 0, s_j, s_n],
                  [js_work, 1 - js_work - js_na, js_na, 0, 0],
                  [na_work, na_js, 1 - na_work - na_js, 0, 0],
                  [js_work, 0, 0, 1 - js_work - js_na, js_na],
                  [na_work, 0, 0, na_js, 1 - na_work - na_js]])
    registered, stayed = np.eye(5)[1], np.eye(5)[2]
    gained = []
    for _ in range(LAST - MONTH + 1):  # the month's moves first
        registered, stayed = registered @ m, stayed @ m
        gained.append(registered[0] - stayed[0])
    assert months[0] == pytest.approx(sum(gained))
    assert last[0] == pytest.approx(sum(gained[-12:]) / 12)
    # taken over everybody follow-up could register, with the chance that it does: registered or not by chance
    hazards = _hazards(s_j, s_n, js_work, js_na, na_work, na_js)
    for status in (codes.JOBSEEKER, codes.NON_ACTIVE):
        p, share, _ = _gains(status, hazards, registered=0.25, reason=1, recent=False)
        assert p[0] == 0.25 and share[0] == pytest.approx(0.25 * months[0])
    assert _gains(codes.EMPLOYED, hazards, registered=0.25, reason=1, recent=False)[1][0] == 0


def test_staying_at_work_gains_what_the_exit_cut_off_would_have_lost():
    s, f, cut = 0.02, 0.05, 0.3
    p, months, _ = _gains(codes.EMPLOYED, _hazards(work_to_non_active=s, non_active_to_work=f), stay_effect=cut)
    assert p[0] == pytest.approx(s * cut)
    delta = (1 - s - f) ** np.arange(LAST - MONTH + 1)
    assert months[0] == pytest.approx(s * cut * delta.sum())


def test_nobody_gains_without_an_effect_or_outside_the_recent_months():
    hazards = _hazards(work_to_non_active=0.01, non_active_to_work=0.04)
    assert _gains(codes.NON_ACTIVE, hazards, extra=0.0)[1][0] == 0
    assert _gains(codes.NON_ACTIVE, hazards, extra=0.02, recent=False)[1][0] == 0
    assert _gains(codes.EMPLOYED, hazards, stay_effect=0.0)[1][0] == 0


def test_the_expected_gain_agrees_with_the_simulated_difference_within_its_noise():
    """Ask 1 on a base with keen re-entrants and a strong effect, so that the simulated difference is clear of 0.

    The simulated paired difference is unbiased but noisy; the expected gain is
    precise but rests on the two futures' approximation (ageing and later tables
    left out). Run by run, their difference must be 0 within its 99% interval.
    """
    keen = {"behaviour.awareness.non_active_relative": {"2013-07-01": 1.0},
            "behaviour.uptake.out_of_work": {"2013-07-01": 3.0},
            "behaviour.guidance_effect.extra_job_finding_rate": {"2013-07-01": 0.03}}
    short = {"start": "2025-01", "end": "2027-12"}
    specs = [{"name": "keen_law", "extends": "law_2025", **short, "overrides": keen},
             {"name": "keen_ask_1", "extends": "herintreders", **short, "overrides": keen}]
    res = model.Simulation(specs, scale=0.02, replications=6, seed=3).run(progress=False, cache=False)
    d = paired_differences(res.run)
    d = d[d.group == "all"].pivot_table(index="replication", columns="item", values="value")
    for simulated, expected in (("extra_person_years", "extra_person_years_expected"),
                                ("extra_employed", "extra_employed_expected")):
        assert d[expected].mean() > 3 * d[expected].std(ddof=1) / np.sqrt(len(d))  # clear of 0
        gap = d[simulated] - d[expected]
        half = 4.03 * gap.std(ddof=1) / np.sqrt(len(gap))  # Student's t, 5 degrees of freedom, 99%
        assert abs(gap.mean()) <= half, (simulated, d[simulated].mean(), d[expected].mean(), half)
        assert d[expected].std(ddof=1) < d[simulated].std(ddof=1)  # and it is the less noisy of the two
