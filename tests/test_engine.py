"""The engine's plug-in points: processes, random streams by name, extra counter dimensions, snapshots."""

from collections.abc import Mapping

import mesa
import numpy as np
import pandas as pd
import pytest

import model
from model.engine.counters import Counter
from model.engine.engine import LoopbaanModel
from model.engine.process import Column, Process, ProcessError, check_processes
from model.engine.randomness import Streams
from model.experiments.build import Builder
from model.experiments.run import run
from model.mechanisms import default_processes
from model.params.scenario import load
from model.params.seeds import stream_key
from model.people import codes

from .conftest import SCENARIOS, plan, write_scenario

SMALL = "start: 2025-01\nend: 2025-12\nscale: 0.003\nseed: 11\nwarmup_months: 6\n"
CHANNELS = ("letter", "phone", "event")


class Calls(Process):
    """A dummy mechanism: contacts non-active people through three lines, from its own stream."""

    name = "calls"
    columns = (Column("called", np.bool_, False, "contacted by the dummy mechanism"),)
    reads = ("status",)
    streams = ("dummy_outreach",)
    counters = (Counter("call_contacts", "flow", "persons", "people contacted", (("line", CHANNELS),)),)
    needs = ("eligible",)

    def step(self, model, month):
        pop = month.people
        rows = np.flatnonzero(pop.status == codes.NON_ACTIVE)
        u = model.streams.row_uniforms("dummy_outreach", month.number, rows)
        chosen = rows[u < 0.05]
        pop.called[chosen] = True
        line = (model.streams.row_uniforms("dummy_outreach", month.number + 1000, chosen) * 3).astype(np.intp)
        model.count(month, "call_contacts", chosen, index=line)


class Centre(mesa.Agent):
    """A stand-in institution that counts the months it has lived through."""

    def __init__(self, m):
        super().__init__(m)
        self.months = 0


class Centres(Process):
    """A dummy process holding institutions in the state."""

    name = "centres"

    def initialise(self, model):
        model.state.institutions["centres"] = [Centre(model), Centre(model)]

    def step(self, model, month):
        for centre in model.state.institutions["centres"]:
            assert centre.model is model
            centre.months += 1


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    folder = tmp_path_factory.mktemp("eng")
    base = write_scenario(folder, "base", f"name: base\nextends: {SCENARIOS / 'baseline_2020.yaml'}\n{SMALL}")
    herin = write_scenario(folder, "herin", "name: herin\nextends: base\noverrides:\n"
                           "  cheque.eligibility.reentrant.enabled: {2025-01-01: true}\n")
    law = model.ParameterTree.load()
    return [load(base, law), load(herin, law)]


def test_a_new_process_with_its_own_stream_changes_no_existing_result(scenarios):
    plain = run(plan(scenarios))
    with_calls = run(plan(scenarios, processes=lambda: [*default_processes(), Calls()]))
    core = with_calls.summary[with_calls.summary.metric != "call_contacts"].drop(columns="line")
    pd.testing.assert_frame_equal(core.reset_index(drop=True), plain.summary.reset_index(drop=True))
    contacts = with_calls.summary[with_calls.summary.metric == "call_contacts"]
    # every group that has people has contacts (re-entrant users exist only once re-entrants take the cheque)
    assert set(contacts.line) == set(CHANNELS) and (contacts[contacts.group != "reentrant_users"].value > 0).all()
    assert "line" in with_calls.monthly.columns and with_calls.units["call_contacts"] == "persons"
    assert [p["name"] for p in with_calls.processes][-1] == "calls"
    assert with_calls.processes[-1]["streams"] == ["dummy_outreach"]
    # the channels add up to what a plain count gives: one count per contacted person
    by_channel = contacts[contacts.group == "non_active"].groupby("year")["value"].sum()
    assert by_channel.iloc[0] > 0


def test_counter_dimensions_are_not_limited_by_group_key_bits():
    from model.engine.counters import Recorder
    from model.people.groups import GROUPS, N_KEYS
    many = tuple(f"centre_{i}" for i in range(300))
    rec = Recorder([Counter("clients", "flow", "persons", "clients per centre", (("centre", many),))], 1, 1.0)
    keys = np.array([0, N_KEYS - 1, 5], dtype=np.uint16)
    rec.add("clients", 0, keys, index=np.array([299, 0, 299]))
    assert rec.data["clients"].shape == (1, len(GROUPS), 300)
    assert rec.data["clients"][0, GROUPS.index("all"), 299] == 2 and rec.data["clients"][0, GROUPS.index("all"), 0] == 1
    with pytest.raises(ValueError, match="has extra dimensions"):
        rec.add("clients", 0, keys)


def test_continuing_a_restored_snapshot_gives_the_same_months(scenarios):
    scenario = scenarios[1]
    settings = scenario.settings
    builder = Builder(plan([scenario], processes=lambda: [*default_processes(), Centres()]), 0)
    original = builder.start(builder.population()[0])
    original.run_until(settings.start_month + 2)
    snapshot = original.snapshot()
    original.run_until(settings.end_month)
    restored = LoopbaanModel(scenario.tree, snapshot, [*default_processes(), Centres()])
    restored.run_until(settings.end_month)
    for name in original.counters.data:
        assert np.array_equal(original.counters.data[name], restored.counters.data[name]), name
    for column in original.people.column_names():
        assert np.array_equal(getattr(original.people, column), getattr(restored.people, column)), column
    # the institutions came along, belong to the new model, and kept counting
    centres = restored.state.institutions["centres"]
    assert [c.months for c in centres] == [settings.n_months + settings.warmup_months] * 2
    career = restored.state.institutions["career_centres"]
    assert all(c.model is restored for c in centres + career) and len(restored.agents) == 2 + len(career) == 264
    assert [c.unique_id for c in centres] == [c.unique_id for c in original.state.institutions["centres"]]
    # the career centres too: same slots, capacity, quality and last month's figures
    attributes = ("slot", "unique_id", "capacity_hours", "quality", "hours_delivered", "waiting", "mandate")
    assert [[getattr(c, a) for a in attributes] for c in career] == \
        [[getattr(c, a) for a in attributes] for c in original.state.institutions["career_centres"]]


def test_institutions_survive_a_shared_warm_up(scenarios):
    seen = []

    class Report(Centres):
        name = "centres"

        def step(self, model, month):
            super().step(model, month)
            if month.number == model.state.last_month:
                seen.append([c.months for c in model.state.institutions["centres"]])

    run(plan(scenarios, processes=lambda: [*default_processes(), Report()]))
    months = scenarios[0].settings.n_months + scenarios[0].settings.warmup_months
    assert seen == [[months, months], [months, months]]


def test_stream_keys_depend_on_the_name_only():
    assert stream_key("separation") == stream_key("separation") != stream_key("separations")
    a, b = Streams(1, 0), Streams(1, 0)
    rows = np.arange(10)
    b.row_uniforms("some_new_stream", 5, rows)
    assert np.array_equal(a.row_uniforms("separation", 5, rows), b.row_uniforms("separation", 5, rows))
    with pytest.raises(ValueError, match="non-empty name"):
        stream_key("")


@pytest.mark.parametrize("make, message", [
    (lambda p: p + [p[0].__class__()], "need distinct, non-empty names"),
    (lambda p: [type("Early", (Process,), {"name": "early", "needs": ("eligible",)})(), *p],
     r"process 'early' needs \['eligible'\], which no earlier process provides"),
    (lambda p: [*p, type("Twin", (Process,), {"name": "twin", "streams": ("separation",)})()],
     "random stream 'separation' is declared by both 'labour_market' and 'twin'"),
    (lambda p: [*p, type("Writer", (Process,), {"name": "writer", "columns": (Column("cheques_in_window"),)})()],
     "column 'cheques_in_window' is declared by both 'centre_queue' and 'writer'"),
    (lambda p: [*p, type("Watcher", (Process,), {"name": "watcher", "reads": ("called",)})()],
     "process 'watcher' reads the column 'called', but no process of the month owns it"),
    (lambda p: [*p, type("Self", (Process,), {"name": "self", "columns": (Column("x", np.int8),), "reads": ("x",)})()],
     "process 'self' reads the column 'x', but it owns it itself"),
    (lambda p: [*p, type("Reader", (Process,), {"name": "reader", "parameters": ("cheque.nothing",)})()],
     r"process 'reader' reads parameters that no file defines: \['cheque.nothing'\]"),
    (lambda p: [*p, type("Count", (Process,), {"name": "count", "counters": (Counter("employed", "stock", "p", "d"),)})()],
     "counter 'employed' is declared by both 'stocks' and 'count'"),
])
def test_a_list_of_processes_that_cannot_make_a_month_is_refused(make, message, law):
    with pytest.raises(ProcessError, match=message):
        check_processes(make(default_processes()), set(law.parameters))


def test_every_default_process_reads_only_parameters_that_exist(law):
    check_processes(default_processes(), set(law.parameters))


class Sneaky(Process):
    """Draws from another process's stream, or reads a parameter or a column it does not declare."""

    name = "sneaky"
    what = "stream"

    def step(self, model, month):
        if self.what == "stream":
            month.streams.row_uniforms("separation", month.number, np.arange(3))
        elif self.what == "parameter":
            month.params["cheque.cheques.window_months"]
        elif self.what == "column":
            month.people.cheque1_month  # noqa: B018 (reading is the point)
        else:
            model.count(month, "not_declared", np.arange(3))


@pytest.mark.parametrize("what, message", [
    ("stream", "process 'sneaky' draws from the random stream 'separation', which it does not declare in 'streams'"),
    ("parameter", "process 'sneaky' reads 'cheque.cheques.window_months', which is not among the parameters it declares"),
    ("column", "process 'sneaky' reads the column 'cheque1_month' of process 'centre_queue', which it does not "
               "declare; add it to 'reads'"),
    ("counter", "counter 'not_declared' is not declared by any process"),
])
def test_a_process_may_use_only_what_it_declares(what, message, scenarios):
    sneaky = Sneaky()
    sneaky.what = what
    with pytest.raises((ProcessError, ValueError), match=message):
        run(plan(scenarios[:1], processes=lambda: [*default_processes(), sneaky]))


def test_a_column_no_process_owns_is_free_to_read_and_a_declared_one_is_read(scenarios):
    seen = {}

    class Reader(Process):
        name = "reader"
        reads = ("cheque1_month",)

        def step(self, model, month):
            seen["sex"] = month.people.sex  # a core column no process owns
            seen["cheque1_month"] = month.people.cheque1_month  # the centre queue's, declared

    run(plan(scenarios[:1], processes=lambda: [*default_processes(), Reader()]))
    assert set(seen) == {"sex", "cheque1_month"}


def test_processes_given_to_a_simulation_are_checked_at_once():
    with pytest.raises(ProcessError, match="is not a model.Process"):
        model.Simulation("baseline_2020", processes=[object()])
    with pytest.raises(ProcessError, match=r"is not a model.Process \(a class: give an instance"):
        model.Simulation("baseline_2020", processes=[*default_processes(), Calls])
    with pytest.raises(ProcessError, match="a month needs at least one process"):
        model.Simulation("baseline_2020", processes=[])
    with pytest.raises(ValueError, match="kind must be 'stock' or 'flow', got 'stok'"):
        Counter("x", "stok", "persons", "typo")


def test_a_column_without_dtype_must_exist(scenarios):
    lost = type("Lost", (Process,), {"name": "lost", "columns": (Column("nowhere"),), "step": lambda self, m, mo: None})()
    with pytest.raises(ProcessError, match="process 'lost' owns the column 'nowhere', which the population does not have"):
        run(plan(scenarios[:1], processes=lambda: [*default_processes(), lost]))


def yearly_summary(monthly: pd.DataFrame, kinds: Mapping[str, str], dims: tuple[str, ...] = ()) -> pd.DataFrame:
    """The yearly values of a monthly long table, the plain way (the reference of the counters' own route).

    Stocks are averaged over the months, flows summed; the employment rate is derived per group.
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


def test_the_yearly_table_made_from_the_counters_is_that_of_the_monthly_table_to_the_last_bit():
    from model.engine.process import all_counters, dimension_names

    simulation = model.Simulation([{"name": "base", "extends": "law_2025", "scale": 0.004, "end": "2027-06"},
                                   {"name": "bonus", "extends": "centre_incentive", "scale": 0.004, "end": "2027-06"}])
    settings = simulation.settings
    declared = default_processes()
    builder = Builder(simulation.plan, 0)
    state, _ = builder.initial_state()
    bonus = builder.model(simulation.scenarios[1], state)
    bonus.run_until(settings.end_month)
    months = list(range(settings.start_month, settings.end_month + 1))  # two and a half years
    dims = dimension_names(declared)
    monthly = bonus.counters.monthly_frame(months).assign(scenario="bonus", replication=3)
    expected = yearly_summary(monthly, {c.name: c.kind for c in all_counters(declared)}, dims)
    made = bonus.counters.yearly_frame(months, {"scenario": "bonus", "replication": 3}, dims)
    assert set(dims) <= set(made.columns) and made["year"].nunique() == 3
    assert isinstance(made["metric"].dtype, pd.CategoricalDtype)  # text columns are categorical (memory)

    def as_text(frame):
        return frame.astype({c: "str" for c in frame.columns if c not in ("replication", "year", "value")})

    pd.testing.assert_frame_equal(as_text(made), as_text(expected), check_exact=True)


def _monthly_frame_by_melting(counters, months):
    """The monthly table as it was first made: a frame per counter, melted, concatenated (the reference)."""
    from model.engine.counters import as_categories
    from model.params.calendar import month_date
    from model.people.groups import GROUPS

    frames = []
    labels = [month_date(m).isoformat()[:7] for m in months]
    for counter in sorted(counters.counters.values(), key=lambda c: c.kind != "stock"):
        data = counters.data[counter.name]
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
    return as_categories(pd.concat(frames, ignore_index=True), {**counters.categories(), "month": labels})


def test_the_monthly_table_is_that_of_melting_a_frame_per_counter():
    simulation = model.Simulation([{"name": "bonus", "extends": "centre_incentive", "scale": 0.002, "end": "2026-03"}])
    builder = Builder(simulation.plan, 0)
    state, _ = builder.initial_state()
    bonus = builder.model(simulation.scenarios[0], state)
    bonus.run_until(simulation.settings.end_month)
    months = list(range(simulation.settings.start_month, simulation.settings.end_month + 1))
    made = bonus.counters.monthly_frame(months)
    assert any(c.dims for c in bonus.counters.counters.values())  # a counter with extra dimensions is in it
    pd.testing.assert_frame_equal(made, _monthly_frame_by_melting(bonus.counters, months), check_exact=True)


def test_the_documented_month_is_the_month_the_model_runs():
    """The numbered lists of :mod:`model.mechanisms` and of the ODD name the processes of ``MONTH``, in its order."""
    import re
    from pathlib import Path

    import model.mechanisms as mechanisms

    names = [p.name for p in default_processes()]
    assert len(names) == len(mechanisms.MONTH) >= 10
    assert re.findall(r"^\s*\d+\. ``(\w+)``", mechanisms.__doc__, flags=re.MULTILINE) == names
    odd = (Path(__file__).resolve().parents[1] / "docs" / "odd.md").read_text(encoding="utf-8")
    overview = odd[odd.index("## 3. Process overview"):odd.index("## 4.")]
    assert re.findall(r"^\d+\. \*\*[^*]+\*\* \(`(\w+)`", overview, flags=re.MULTILINE) == names
