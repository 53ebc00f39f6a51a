"""The report: executed on a small run, every section and figure there, the same numbers twice and in both languages."""

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import model
from model.interfaces.cli import app
from model.report import findings, labels, render, tables
from model.report import sections as sections_module
from model.report.loaded import RunData, load_run
from model.report.run_data import RunFolderError, RunTables

SECTIONS = ("briefing", "sharpen", "findings", "funnel", "reach", "budget", "capacity", "flows", "rate", "projections", "margins",
            "sensitivity", "calibration", "assumptions", "manifest")
# charts of a run without parameter sets or back-cast: all but the sensitivity chart
CHARTS = ("extra_work", "funnel", "reach", "budget", "capacity", "flows", "rate_path", "calibration")


@pytest.fixture(scope="module")
def small_results(reported_results):
    return reported_results


@pytest.fixture(scope="module")
def folder(small_results) -> Path:
    return small_results.folder


@pytest.fixture(scope="module")
def reports(small_results, folder):
    """The report in both languages, and the English one executed a second time (copied aside first)."""
    english = small_results.report(lang="en")
    first = english.read_text(encoding="utf-8")
    dutch = render.write_report(folder, "nl")
    cli = CliRunner().invoke(app, ["report", str(folder), "--lang", "en"])  # the second execution, as a user runs it
    second = english.read_text(encoding="utf-8")
    return {"en": first, "nl": dutch.read_text(encoding="utf-8"), "en_again": second, "paths": (english, dutch),
            "cli": cli}


def _figures(html: str) -> dict:
    found = re.search(rf'<script[^>]*id="{render.FIGURES_ID}"[^>]*>(.*?)</script>', html, re.S)
    assert found, "the report's numbers are not embedded"
    return json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def _sections(html: str) -> dict[str, str]:
    """Each section's HTML, by its id, in the order of the report."""
    heads = list(re.finditer(r'<h2 id="([a-z_]+)"', html))
    return {m.group(1): html[m.end(): heads[i + 1].start() if i + 1 < len(heads) else len(html)]
            for i, m in enumerate(heads)}


def _text(html: str) -> str:
    """The report without its images (their bytes are not what a reader compares)."""
    return re.sub(r'src="data:image/png;base64,[^"]*"', 'src=""', html)


def test_the_report_files_are_written_into_the_run_folder(reports, folder):
    english, dutch = reports["paths"]
    assert english == folder / "report.en.html" and dutch == folder / "report.html"
    assert not [p for p in folder.iterdir() if p.name.startswith(".")], "a temporary file was left behind"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert "report.html" not in manifest["files"]  # the run's own files are untouched


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_section_in_order_with_its_charts(reports, lang):
    html = reports[lang]
    sections = _sections(html)
    assert tuple(sections) == SECTIONS
    images = {key: part.count("<img") for key, part in sections.items()}
    assert images["findings"] == 1 and images["funnel"] == 1 and images["reach"] == 1 and images["budget"] == 1
    assert images["capacity"] == 1 and images["flows"] == 1 and images["rate"] == 1 and images["calibration"] == 1
    assert images["sensitivity"] == 0 and labels.text("text.no_sensitivity", lang)[:40] in html
    assert sum(images.values()) == len(CHARTS)
    assert f'<html lang="{lang}">' in html
    assert labels.text("report.title", lang) in html
    # findings first: the scenario paragraphs come before the first chart
    assert html.index(labels.text("finding.lead", lang)[:8]) < html.index("<img")


def test_scale_and_replications_and_warnings_at_the_top(reports):
    html = reports["en"]
    top = html[: html.index('<h2 id="findings"')]
    assert "scale 0.004" in top and "2 replications" in top and "seed 11" in top
    assert "Warning: scale 0.004" in top  # a small scale is noisy
    assert "within noise" in top  # at this scale some change in work is within noise


def test_the_report_is_self_contained(reports):
    for lang in ("en", "nl"):
        html = reports[lang]
        assert not re.search(r'<script[^>]*src="https?://', html) and not re.search(r'<link[^>]*href="https?://', html)
        assert html.count('src="data:image/png;base64,') == len(CHARTS)
        assert "def chart(" not in html  # the code is hidden


def test_running_it_twice_gives_identical_numbers(reports):
    assert _figures(reports["en"]) == _figures(reports["en_again"])
    assert _text(reports["en"]) == _text(reports["en_again"])


def test_dutch_and_english_have_the_same_figures(reports, folder):
    en, nl = _figures(reports["en"]), _figures(reports["nl"])
    assert en == nl
    run = load_run(folder)
    assert en["findings"] == findings.record(run)["findings"]
    assert len(en["findings"]) == len(findings.HEADLINE)
    # the sentences carry the same numbers: strip the words, swap the Dutch separators
    def numbers(text, lang):
        if lang == "nl":
            text = text.replace(".", "\x00").replace(",", ".").replace("\x00", ",")
        return re.findall(r"[+-]?\d[\d,]*(?:\.\d+)?", text)
    for en_text, nl_text in zip(findings.sentences(run, "en"), findings.sentences(run, "nl")):
        assert numbers(en_text, "en") == numbers(nl_text, "nl")


def test_the_findings_state_each_number_with_its_interval(folder):
    run = load_run(folder)
    row = run.item("herintreders", "extra_users")
    sentence = findings.sentences(run, "en")[0]
    assert sentence.startswith("Against the law as it stands, re-entrants admitted (ask 1):")
    assert f"{row['value']:+,.0f} users over 2025-2034 (90% interval {row['mean_low']:+,.0f} to {row['mean_high']:+,.0f})" \
        in sentence
    cost = run.item("herintreders", "extra_cost_total_eur")["value"]
    assert f"EUR {cost / 1e6:+,.2f} million" in sentence
    rate = run.item("herintreders", "employment_rate_change_pp")["value"]
    assert abs(rate) < findings.BARELY_PP and "barely moves the employment rate" in sentence


@pytest.mark.parametrize("gain_noise", ["clear", "within noise"])
def test_the_cost_per_person_year_is_the_same_figure_in_the_findings_and_their_table(folder, gain_noise):
    """The ratio of means of comparison.csv, with its interval; none when the gain in person-years is within noise."""
    import dataclasses

    run = load_run(folder)
    c = run.comparison.copy()
    ratio = (c.scenario == "herintreders") & (c.item == "cost_per_extra_person_year_eur")
    c.loc[ratio, ["value", "mean_low", "mean_high"]] = (23456.0, 12345.0, 98765.0) if gain_noise == "clear" else np.nan
    c.loc[(c.scenario == "herintreders") & (c.item == "extra_person_years_expected"), "noise"] = gain_noise
    run = dataclasses.replace(run, comparison=c)
    sentence = findings.sentences(run, "en")[0]
    cell = sections_module.findings_table(run, "en").loc["Cost per extra person-year at work (EUR)"].iloc[0]
    if gain_noise == "clear":
        assert "EUR 23,456 per extra person-year at work (90% interval 12,345 to 98,765)" in sentence
        assert cell == "23,456 [12,345; 98,765]"
        assert "23.456 euro per extra persoonsjaar aan het werk (90%-interval 12.345 tot 98.765)" in \
            findings.sentences(run, "nl")[0]
    else:
        assert "no cost per extra person-year at work (no gain in person-years told from noise)" in sentence
        assert cell == "–"


def test_the_parts_table_shows_each_figure_with_its_interval_and_an_old_folder_without_them(folder):
    import dataclasses

    run = load_run(folder)
    rows = [("herintreders", part, how, item, value, 3, value - 5, value + 5, "within noise" if abs(value) < 5 else "clear")
            for part, how, value in (("ask_1", "alone", 20.0), ("all parts", "interaction", 2.0))
            for item in sections_module.PART_ITEMS]
    parts = pd.DataFrame(rows, columns=["scenario", "part", "how", "item", "value", "replications", "mean_low",
                                        "mean_high", "noise"])
    table = sections_module.parts_table(dataclasses.replace(run, parts=parts), "en")
    cells = table.to_numpy().ravel().tolist()
    assert "+20 [+15; +25]" in cells and "≈ +2 [-3; +7]" in cells
    old = sections_module.parts_table(dataclasses.replace(run, parts=parts[["scenario", "part", "how", "item",
                                                                            "value"]]), "en")
    assert "+20" in old.to_numpy().ravel().tolist() and "≈" not in "".join(old.to_numpy().ravel().tolist())


def test_a_folder_from_before_the_decade_outcomes_still_gives_its_findings(folder):
    """A run folder written before person-years, outreach shares and the comparator: the sections leave them out."""
    import dataclasses

    sections = sections_module
    run = load_run(folder)
    new = ["extra_eligible", "extra_person_years", "cost_per_extra_person_year_eur", "cost_per_extra_user_eur",
           "outreach_contacts", "outreach_share_eligible", "extra_person_years_expected", "extra_employed_expected"]
    old = dataclasses.replace(run, comparison=run.comparison[~run.comparison["item"].isin(new)],
                              take_up=pd.DataFrame(),
                              parameters=run.parameters[~run.parameters["path"].str.startswith("comparators.")])
    sentence = findings.sentences(old, "en")[0]
    assert "users over 2025-2034" in sentence and "person-years" not in sentence
    assert sections.take_up_text(old, "en").empty and sections.comparator_text(old, "en").empty
    assert not sections.findings_table(old, "en").empty


def test_every_chart_title_states_a_number_and_every_chart_has_its_source(folder):
    run = load_run(folder)
    for lang in ("en", "nl"):
        for name in CHARTS:
            fig = run.figure(name, lang)
            title = fig._suptitle.get_text()
            assert re.search(r"\d", title) and "{" not in title, (name, title)
            source = fig._supxlabel.get_text().replace("\n", " ")
            assert run.manifest["run"] in source and "seed 11" in source
            assert ("2 replications" if lang == "en" else "2 replicaties") in source
            for ax in fig.axes:
                if ax.has_data():
                    assert ax.get_xlabel() or ax.get_ylabel(), (name, "an axis without its unit")
        assert run.figure("sensitivity", lang) is None


def test_the_rate_chart_draws_the_target_and_a_band(folder):
    run = load_run(folder)
    fig = run.figure("rate_path", "en")
    ax = fig.axes[0]
    assert any(line.get_ydata()[0] == pytest.approx(80.0) for line in ax.get_lines())  # the 80% line
    assert len(ax.collections) == len(run.scenario_names)  # one band per scenario


def test_a_run_with_parameter_sets_has_a_sensitivity_chart(folder):
    """The chart reads comparison.csv's share of the parameters (the split itself is tested in test_parameter_sets)."""
    run = load_run(folder)
    run.comparison = run.comparison.assign(share_parameters=0.25)
    run.manifest = {**run.manifest, "parameter_sets": 4}
    fig = run.figure("sensitivity", "nl")
    assert fig is not None and fig._suptitle.get_text().startswith("De onzekerheid over de parameters verklaart 25%")
    assert "4 parametersets x 2 replicaties" in fig._supxlabel.get_text().replace("\n", " ")
    bars = [p.get_width() for p in fig.axes[0].patches]
    assert bars == pytest.approx([25.0] * 3)


def test_the_sensitivity_chart_shows_the_pairs_compared_and_no_other_pairing(folder):
    run = load_run(folder)
    extra = run.comparison.assign(scenario="a_part_run", baseline="herintreders")  # a pair the report does not show
    run.comparison = pd.concat([run.comparison, extra]).assign(share_parameters=0.25)
    run.manifest = {**run.manifest, "parameter_sets": 4}
    fig = run.figure("sensitivity", "en")
    labels_shown = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels_shown == [f"{run.title(a, 'en')} − {run.title(b, 'en')}" for a, b in run.pairs()]
    assert len(fig.axes[0].patches) == 3 * len(run.pairs())


def test_a_run_with_parameter_sets_says_where_each_headline_spread_comes_from(folder):
    """The table reads spread.csv (the shares themselves are tested in test_spread)."""
    from model.params.uncertainty import assumption_group_descriptions

    sections = sections_module
    run = load_run(folder)
    assert sections.spread_text(run, "en").empty  # no parameter sets, no table
    names = [*assumption_group_descriptions(), "monte_carlo_noise", "not_attributed"]
    rows = [{"scenario": "herintreders", "baseline": "law_2025", "item": item, "group": "all", "assumption_group": g,
             "share": 0.5 if g == "take_up_out_of_work" else 0.1 if g == "centres" else np.nan if g == "not_attributed"
             else 0.0,
             "p_value": 0.2 if g == "centres" else 0.001, "columns": 3, "sets": 40, "replications_per_set": 2,
             "sd_of_set_means": sd}
            for item, sd in (("extra_users", 120.0), ("extra_cost_total_eur", 2.5e6), ("extra_eligible", 0.0))
            for g in names]
    run.spread = pd.DataFrame(rows)
    table = sections.spread_text(run, "nl")
    assert list(table.columns) == [labels.text(f"assumption_group.{g}", "nl") for g in names] + [
        labels.text("column.sd_of_set_means", "nl")]
    assert len(table) == 2  # eligible does not vary over the sets: no row
    users = table.loc[[i for i in table.index if labels.text("item.extra_users", "nl") in i][0]]
    assert users.iloc[0] == "50%" and users.iloc[1] == "0%" and users.iloc[-2] == "–" and users.iloc[-1] == "120"
    assert users[labels.text("assumption_group.centres", "nl")] == "(10%)"  # not told apart from chance
    run.spread = run.spread.drop(columns="p_value")  # a folder of the first runs: the p-value told from the share
    users = sections.spread_text(run, "nl").iloc[0]
    assert users[labels.text("assumption_group.centres", "nl")] == "(10%)" and users.iloc[0] == "50%"
    cost = table.loc[[i for i in table.index if labels.text("item.extra_cost_total_eur", "nl") in i][0]]
    assert cost.iloc[-1] == "2,5"  # in millions of euro


def test_under_an_envelope_the_workers_crowded_out_are_shown_by_group(folder):
    run = load_run(folder)
    assert sections_module.crowd_out_text(run, "en").empty  # no envelope in the run
    run.manifest = {**run.manifest, "scenarios": [
        {**s, "overrides": {"cheque.budget.yearly_cap_eur": {"2027-01-01": 18200000}}} if s["name"] == "law_2025"
        else s for s in run.manifest["scenarios"]]}
    table = sections_module.crowd_out_text(run, "en")
    shown = list(table.index)
    for group in ("reentrant_users", "workers", "workers_women", "workers_low_educated", "workers_age_50_plus",
                  "workers_migration_background", "workers_work_disability"):
        assert f"{labels.text('item.extra_users', 'en')}: {labels.group(group, 'en')}" in shown
    c = run.comparison.set_index(["scenario", "item", "group"])["value"]
    assert c[("herintreders", "extra_users", "workers_women")] <= c[("herintreders", "extra_users", "women")]


def test_a_backcast_adds_the_out_of_sample_years(folder, tmp_path):
    backcast = tmp_path / "backcast"
    shutil.copytree(folder, backcast)  # a run folder with a back-cast's validation table
    (backcast / "validation.csv").write_text(
        "scenario,target,kind,metric,group,period,role,sample,observed,model,within_tolerance\n"
        "b,starts_cheque1_later.2020,starts,starts_cheque1,all,2020,validation,out-of-sample,17753,21383,False\n"
        "b,starts_cheque2_later.2020,starts,starts_cheque2,all,2020,validation,out-of-sample,9866,9556,True\n"
        "b,vdab_pilot_2023,starts,starts_cheque1,non_active,2023-2024,validation,out-of-sample,,0.0,\n")
    table = tables.calibration_table(load_run(folder), backcast)
    late = table[table["sample"] == "out-of-sample"]
    assert list(late["year"]) == [2020, 2020] and list(late["model"]) == [21383, 9556]
    assert (table[table["sample"] == "in-sample"]["year"] <= 2018).all()


@pytest.fixture(scope="module")
def frozen(tmp_path_factory):
    """The same small run under the frozen projection, saved."""
    sim = model.Simulation(["law_2025", "herintreders"], scale=0.004, replications=2, seed=11, projection="frozen")
    results = sim.run(progress=False, cache=False)
    return results.save(tmp_path_factory.mktemp("frozen"), name="frozen")


@pytest.fixture(scope="module")
def longer(tmp_path_factory):
    """The small run with a third scenario whose pair the frozen run lacks (as make run's last pairs), saved."""
    sim = model.Simulation(["law_2025", "herintreders", "quality_monitoring"], scale=0.004, replications=2, seed=11)
    return sim.run(progress=False, cache=False).save(tmp_path_factory.mktemp("longer"), name="longer")


def test_the_headline_under_each_projection_side_by_side(folder, frozen, longer):
    run = load_run(folder)
    table = sections_module.projections_text(run, [RunTables.load(frozen)], "en")
    assert list(table.iloc[:, 0]) == [labels.text("projection.outlook", "en"), labels.text("projection.frozen", "en")]
    rates = [float(v) for v in table.iloc[:, 1]]
    assert 78.5 < rates[0] < 81.0 and 75.5 < rates[1] < 78.0  # the outlook's 79.3% and the frozen 76.8%, at small scale
    assert run.projection == "outlook" and RunTables.load(frozen).projection == "frozen"
    html = render.write_report(longer, "en", alternatives=[frozen]).read_text(encoding="utf-8")
    part = _sections(html)["projections"]
    assert labels.text("projection.frozen", "en") in part and labels.text("text.no_alternatives", "en")[:30] not in part
    shown = RunTables.load(longer)  # the text names the pair of the table: ask 1, which both runs hold
    assert shown.title("herintreders", "en") in part and shown.title("quality_monitoring", "en") not in part


def test_the_pair_set_side_by_side_is_the_last_that_the_alternatives_hold(frozen, longer):
    """The main run of `make run` ends with pairs the projection runs lack: the report shows the last pair they share."""
    run, alternative = RunTables.load(longer), RunTables.load(frozen)
    assert run.pairs()[-1] == ("quality_monitoring", "law_2025") and run.pairs()[-1] not in alternative.pairs()
    assert run.pair_shared_with([alternative]) == ("herintreders", "law_2025")
    assert run.pair_shared_with([]) == ("quality_monitoring", "law_2025")
    table = sections_module.projections_text(run, [alternative], "en")
    assert list(table.iloc[:, 0]) == [labels.text("projection.outlook", "en"), labels.text("projection.frozen", "en")]
    render.check_inputs(longer, "en", None, alternatives=[frozen])  # accepted: the pair is shared


def test_the_margins_and_the_flow_bands_are_shown(reports):
    part = _sections(reports["en"])["margins"]
    assert "group-years" in part and labels.text("margin.age_55_64", "en") in part
    flows = _sections(reports["en"])["flows"]
    assert labels.text("column.band", "en") in flows and "17.4" in flows  # the non-active to work band's top


def test_report_with_an_alternative_that_is_not_a_run(folder, tmp_path):
    result = CliRunner().invoke(app, ["report", str(folder), "--alternative", str(tmp_path)])
    assert result.exit_code == 2
    assert "--alternative: " in result.output and "not a finished run folder" in result.output


def test_report_with_an_alternative_of_other_scenarios(folder, tmp_path):
    other = model.Simulation(["law_2025"], scale=0.002, seed=3, projection="trend").run(progress=False, cache=False)
    saved = other.save(tmp_path, name="law-only")
    before = sorted(p.name for p in folder.iterdir())
    result = CliRunner().invoke(app, ["report", str(folder), "--alternative", str(saved)])
    assert result.exit_code == 2
    assert (f"--alternative {saved}: this run holds none of the pairs of the run reported (herintreders vs law_2025)"
            in result.output)
    assert sorted(p.name for p in folder.iterdir()) == before


# -- bad input: a clear message, exit 2, nothing written ------------------------------------------
def test_report_of_a_missing_folder(tmp_path):
    result = CliRunner().invoke(app, ["report", str(tmp_path / "nothing")])
    assert result.exit_code == 2
    assert f"error: {tmp_path / 'nothing'}: no such run folder" in result.output


def test_report_of_a_folder_that_is_not_a_run(tmp_path):
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a finished run folder of 'loopbaan run': manifest.json, summary.csv, comparison.csv, parameters.csv missing" \
        in result.output
    assert list(tmp_path.iterdir()) == []


def test_report_in_an_unknown_language(folder):
    before = sorted(p.name for p in folder.iterdir())
    result = CliRunner().invoke(app, ["report", str(folder), "--lang", "fr"])
    assert result.exit_code == 2
    assert "lang: 'fr' is not a language of the report; allowed: nl, en" in result.output
    assert sorted(p.name for p in folder.iterdir()) == before


def test_report_with_a_folder_that_is_not_a_backcast(folder, tmp_path):
    result = CliRunner().invoke(app, ["report", str(folder), "--backcast", str(tmp_path)])
    assert result.exit_code == 2
    assert f"--backcast {tmp_path}: not a back-cast run folder (validation.csv missing)" in result.output


def test_a_manifest_without_its_keys(tmp_path, folder):
    for name in ("summary.csv", "comparison.csv", "parameters.csv"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    (tmp_path / "manifest.json").write_text('{"run": "x"}')
    with pytest.raises(RunFolderError, match=r"manifest.json: key 'scenarios' missing"):
        RunData.load(tmp_path)


def test_results_report_rejects_a_bad_language(small_results):
    with pytest.raises(model.ReportError, match="allowed: nl, en"):
        small_results.report(lang="de")


def test_the_cli_prints_the_report_path(reports, folder):
    result = reports["cli"]
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == str(folder / "report.en.html")



ONE_RUN = {"start": "2025-01", "end": "2026-12", "warmup_months": 12}  # a short horizon: the shape is what counts


@pytest.fixture(scope="module", params=[("law_2025",), ("law_2025", "herintreders")], ids=["one scenario", "two"])
def one_replication(request, tmp_path_factory) -> Path:
    """A saved run of one replication (the shipped default) of one scenario, or of a scenario and its baseline."""
    specs = [{"name": name, "extends": name, **ONE_RUN} for name in request.param]
    results = model.Simulation(specs, scale=0.003, seed=3).run(progress=False, cache=False)
    results.save(tmp_path_factory.mktemp("one"), name="one")
    return results.folder


def test_a_run_of_one_replication_gets_a_whole_report(one_replication):
    """Every section, and findings that say what one run can say (no pair: no effect; one run: no interval)."""
    page = render.write_report(one_replication, "en").read_text(encoding="utf-8")
    sections = _sections(page)
    assert list(sections) == list(SECTIONS)
    run = load_run(one_replication)
    no_pairs = labels.text("text.no_pairs", "en")
    if len(run.scenario_names) == 1:
        assert no_pairs in _text(sections["findings"]) and findings.table(run).empty
        assert _figures(page)["findings"] == []
    else:
        assert run.pairs() == [("herintreders", "law_2025")] and no_pairs not in _text(page)
        found = _figures(page)["findings"]
        assert {row["item"] for row in found} == set(findings.HEADLINE)
        assert all(row["low"] is None for row in found)  # one run: no interval of the mean, and the text says so
        assert labels.text("interval.none", "en") in _text(sections["findings"])
        title = run.figure("extra_work", "en").get_suptitle().replace("\n", " ")
        assert title.endswith(f"({labels.text('interval.none', 'en')})")  # not the one run's value as "a to a"


def test_a_band_of_one_run_is_its_value(one_replication):
    """A one-replication summary has no p05/p95 columns: a chart's band is the value itself (no band drawn)."""
    run = load_run(one_replication)
    assert "p05" not in run.summary.columns and run.runs == 1
    metric = run.metric("waiting")
    pd.testing.assert_frame_equal(run.series(metric, "all", "p95"), run.series(metric, "all", "value"))
