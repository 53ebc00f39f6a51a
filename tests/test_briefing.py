"""The briefing on top of the report, what would sharpen the answer, and the report's words in the reader's language.

The asks by measure and by group; the data that would identify each group of assumptions; numbers, sources,
the manifest and the run folder's charts in Dutch and English.
"""

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from model.interfaces.cli import app
from model.params.uncertainty import assumption_group_descriptions
from model.report import briefing, labels, render, sections, tables
from model.report.charts import summary
from model.report.loaded import load_run


@pytest.fixture(scope="module")
def folder(reported_results):
    return reported_results.folder


@pytest.fixture()
def run(folder):
    return load_run(folder)


def _row(run, scenario, item, group="all"):
    c = run.comparison
    return c[(c["scenario"] == scenario) & (c["item"] == item) & (c["group"] == group)].iloc[0]


def test_the_rows_are_the_asks_the_run_holds_and_every_pair_of_another_run(run):
    assert briefing.rows(run) == [briefing.Row("herintreders", "herintreders", "law_2025")]
    other = run.comparison.replace({"scenario": {"herintreders": "my_variant"}})
    run.comparison = other
    run.manifest = {**run.manifest, "scenarios": [{**s, "name": "my_variant"} if s["name"] == "herintreders" else s
                                                  for s in run.manifest["scenarios"]]}
    assert briefing.rows(run) == [briefing.Row("my_variant", "my_variant", "law_2025")]
    assert briefing.name(run, briefing.rows(run)[0], "en") == (f"{run.title('my_variant', 'en')} − "
                                                                f"{run.title('law_2025', 'en')}")


def test_each_measure_is_the_paired_difference_with_its_interval(run):
    table = briefing.measures_table(run, "en")
    cells = table.loc[labels.text("brief.row.herintreders", "en")]
    for key, item, factor, decimals in (("eligible", "extra_eligible", 1, 0), ("users", "extra_users", 1, 0),
                                        ("cost", "extra_cost_total_eur", 1e-6, 2),
                                        ("person_years", "extra_person_years_expected", 1, 0),
                                        ("employed", "extra_employed_expected", 1, 0)):
        r = _row(run, "herintreders", item)
        show = lambda v, f=factor, d=decimals: labels.number(v * f, "en", d, sign=True)  # noqa: E731
        assert cells[labels.text(f"brief.column.{key}", "en")] == (
            f"{show(r['value'])}\n[{show(r['mean_low'])}; {show(r['mean_high'])}]")
    employed = _row(run, "herintreders", "extra_employed_expected")
    goal = cells[labels.text("brief.column.share_of_goal", "en")]
    assert goal.startswith(labels.number(100 * employed["value"] / 120_000, "en", 3, sign=True) + "%\n[")
    found = briefing.figures(run).loc["herintreders"]
    rate = run.series("employment_rate_20_64")["law_2025"].iloc[-1]
    people = run.series(run.metric("population"))["law_2025"].iloc[-1]
    assert found[("share_of_distance", "value")] == pytest.approx(employed["value"] / ((0.80 - rate) * people))
    assert found[("share_of_goal", "low")] == pytest.approx(employed["mean_low"] / 120_000)


def test_the_cost_per_person_year_is_shown_only_for_a_gain_told_from_noise(run):
    run.comparison.loc[(run.comparison["item"] == "extra_person_years_expected"), "noise"] = "within noise"
    cell = briefing.measures_table(run, "nl").iloc[0][labels.text("brief.column.cost_per_person_year", "nl")]
    assert cell == "–"


def test_the_same_figures_in_both_languages(run):
    def numbers(table, lang):
        text = " ".join(table.to_numpy().ravel())
        if lang == "nl":
            text = text.replace(".", "\x00").replace(",", ".").replace("\x00", ",")
        return re.findall(r"[+-]?\d[\d,]*(?:\.\d+)?", text)

    assert numbers(briefing.measures_table(run, "en"), "en") == numbers(briefing.measures_table(run, "nl"), "nl")
    assert numbers(briefing.groups_table(run, "en"), "en") == numbers(briefing.groups_table(run, "nl"), "nl")


def test_by_group_the_eligible_users_and_work_with_the_reach_before_and_after(run):
    table = briefing.groups_table(run, "en")
    ask = labels.text("brief.row.herintreders", "en")
    assert [g for a, g in table.index if a == ask] == [labels.group(g, "en") for g in briefing.GROUPS]
    non_active = table.loc[(ask, labels.group("non_active", "en"))]
    eligible = _row(run, "herintreders", "extra_eligible", "non_active")
    assert eligible["value"] > 0  # ask 1 opens the cheque to non-active people
    assert non_active[labels.text("brief.column.eligible", "en")].startswith(
        labels.number(eligible["value"], "en", sign=True) + "\n[")
    reach = tables.reach_table(run)
    for group in ("low_educated", "age_50_plus"):
        cell = table.loc[(ask, labels.group(group, "en")), labels.text("brief.column.reach", "en")]
        assert cell == (f"{labels.number(reach.loc[group, 'law_2025'], 'en', 2)} → "
                        f"{labels.number(reach.loc[group, 'herintreders'], 'en', 2)}")


def test_the_groups_eligible_are_the_difference_of_the_groups_counts(run):
    """comparison.csv's eligible by group: the paired difference of the yearly means (summary.csv, over the runs)."""
    for group in briefing.GROUPS:
        by_year = run.series(run.metric("eligible"), group)
        expected = (by_year["herintreders"] - by_year["law_2025"]).mean()
        assert _row(run, "herintreders", "extra_eligible", group)["value"] == pytest.approx(expected, rel=1e-9, abs=1e-6)
        employed = _row(run, "herintreders", "extra_employed_expected", group)["value"]
        assert 0 <= employed <= _row(run, "herintreders", "extra_employed_expected")["value"] + 1e-9


def test_the_sentences_and_the_lead(run):
    sentences = briefing.ask_sentences(run, "nl")
    assert len(sentences) == 1 and sentences[0].startswith("**" + labels.text("brief.row.herintreders", "nl"))
    assert labels.text("brief.what.herintreders", "nl") in sentences[0]
    assert briefing.lead(run, "en") == ""  # no resolution in this run
    rename = {"herintreders": "resolution_full"}
    run.comparison = run.comparison.replace({"scenario": rename})
    run.summary = run.summary.replace({"scenario": rename})
    run.manifest = {**run.manifest, "scenarios": [{**s, "name": rename.get(s["name"], s["name"])}
                                                  for s in run.manifest["scenarios"]]}
    employed = _row(run, "resolution_full", "extra_employed_expected")["value"]
    lead = briefing.lead(run, "en")
    assert lead.startswith(f"The four asks together bring {labels.number(employed, 'en', sign=True)} people to work")
    assert "barely moves the employment rate" in lead


def test_the_note_on_ask_1_gives_the_take_up_of_re_entrants_beside_workers(run):
    t = run.take_up.set_index(["scenario", "population"])
    note = briefing.eligible_note(run, "en")
    assert labels.number(1000 * t.loc[("herintreders", "reentrants"), "rate_per_year"], "en", 1) in note
    assert labels.number(1000 * t.loc[("herintreders", "workers"), "rate_per_year"], "en", 1) in note


def _spread(scenarios=("herintreders",)):
    names = [*assumption_group_descriptions(), "monte_carlo_noise", "not_attributed"]
    share = {"take_up_out_of_work": 0.6, "labour_market": 0.2, "centres": 0.3, "monte_carlo_noise": 0.05,
             "not_attributed": 0.1}
    p_value = {"centres": 0.4}  # the largest share after take-up, but not told apart from chance
    return pd.DataFrame([{"scenario": s, "baseline": "law_2025", "item": item, "group": "all", "assumption_group": g,
                          "share": share.get(g, 0.0), "p_value": p_value.get(g, 0.001), "columns": 3, "sets": 20,
                          "replications_per_set": 2, "sd_of_set_means": sd}
                         for s in scenarios for item, sd in (("extra_users", 300.0), ("extra_cost_total_eur", 2e6),
                                                             ("extra_employed", 5.0))
                         for g in names])


def test_what_would_sharpen_each_headline_ranks_the_assumptions(run):
    run.spread = _spread()
    run.manifest = {**run.manifest, "parameter_sets": 20}
    table = briefing.sharpen_table(run, "en")
    ask = labels.text("brief.row.herintreders", "en")
    assert list(table.index) == [f"{ask}: {labels.text('item.extra_users', 'en')}",
                                 f"{ask}: {labels.text('item.extra_cost_total_eur', 'en')}"]  # not a headline: left out
    users = table.iloc[0]
    ranked = [users[labels.text("sharpen.rank", "en", rank=r)] for r in (1, 2, 3)]
    assert ranked[0] == labels.text("assumption_group.take_up_out_of_work", "en") + ": 60%"
    assert ranked[1] == labels.text("assumption_group.labour_market", "en") + ": 20%"  # told from chance first
    assert ranked[2] == labels.text("assumption_group.centres", "en") + ": (30%)"
    assert users[labels.text("assumption_group.monte_carlo_noise", "en")] == "5%"
    assert table.iloc[1][labels.text("column.sd_of_set_means", "en")] == "2"  # EUR million
    data = briefing.data_table(run, "nl")
    assert list(data.index[:2]) == [labels.text("assumption_group.take_up_out_of_work", "nl"),
                                    labels.text("assumption_group.labour_market", "nl")]
    first = data.iloc[0]
    assert first[labels.text("sharpen.data", "nl")] == labels.text("sharpen.data.take_up_out_of_work", "nl")
    assert "VDAB" in first[labels.text("sharpen.holder", "nl")]
    assert "20 parametersets" in briefing.sharpen_intro(run, "nl")


def test_the_resolution_without_its_parts_is_shown_as_the_four_asks_together(run):
    rename = {"herintreders": "resolution_whole"}
    run.comparison = run.comparison.replace({"scenario": rename})
    run.manifest = {**run.manifest, "scenarios": [{**s, "name": rename.get(s["name"], s["name"])}
                                                  for s in run.manifest["scenarios"]]}
    assert briefing.rows(run) == [briefing.Row("resolution_full", "resolution_whole", "law_2025")]
    run.spread = _spread(("resolution_whole",))
    assert briefing.sharpen_table(run, "en").index[0].startswith(labels.text("brief.row.resolution_full", "en") + ": ")


def test_every_group_of_assumptions_says_which_data_would_identify_it_and_who_holds_them():
    for group in assumption_group_descriptions():
        for lang in labels.LANGUAGES:
            assert labels.text(f"sharpen.data.{group}", lang) and labels.text(f"sharpen.holder.{group}", lang)


def test_the_report_names_a_run_without_parameter_sets_given_as_uncertainty(folder):
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    with pytest.raises(render.ReportError, match=r"--uncertainty .*: this run has no spread.csv; give a run folder "
                                                 r"of 'loopbaan run \.\.\. --parameter-sets M'"):
        render.write_report(folder, "en", uncertainty=folder)
    result = CliRunner().invoke(app, ["report", str(folder), "--uncertainty", str(folder / "nope")])
    assert result.exit_code == 2 and "--uncertainty" in result.output and "Traceback" not in result.output
    # nothing written, nothing lost: the folder's files (a report written before included) are as they were
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


def test_the_header_at_full_scale_says_one_per_person(run):
    run.manifest = {**run.manifest, "persons_per_agent": 1.0, "settings": {**run.settings, "scale": 1.0}}
    assert "één per persoon" in sections.header(run, "nl") and "one for each person" in sections.header(run, "en")
    assert "één per 1 " not in sections.header(run, "nl")


def test_the_assumptions_and_the_manifest_in_the_readers_language(run):
    dutch = sections.assumptions(run, "nl")
    values = " ".join(dutch[labels.text("column.value", "nl")]) + " ".join(dutch[labels.text("column.range", "nl")])
    assert not re.search(r"\d\.\d", values), "a decimal point in the Dutch table"
    assert re.search(r"\d,\d", values)
    references = " ".join(dutch[labels.text("column.reference", "nl")])
    assert "Veronderstelling (docs/sources.md#assumptions)" in references and "Assumption (" not in references
    english = sections.assumptions(run, "en")
    assert re.search(r"\d\.\d", " ".join(english[labels.text("column.value", "en")]))
    lines = sections.manifest_lines(run, "nl")
    assert lines[0].startswith("run: ") and "gemaakt" in lines[0] and lines[3].startswith("gesimuleerde personen: ")
    assert sections.value_in_language("[0.15, 1.0]", "nl") == "[0,15; 1,0]"
    assert sections.value_in_language("{cheque1: 20.5}", "nl") == "{cheque1: 20,5}"
    assert sections.value_in_language("true", "nl") == "ja" and sections.value_in_language("outlook", "nl") == "outlook"


def test_the_fit_line_names_the_file_inside_the_repository(run):
    _, line = sections.calibration_summary(run, "nl", None)
    assert "chi-kwadraat" in line and "model/params/calibrated/behaviour.yaml" in line
    assert "chi-square" not in line and not re.search(r"\(.*/work/|bestand /", line)
    assert sections.repository_path("/somewhere/else/model/params/calibrated/x.yaml") == "model/params/calibrated/x.yaml"


def test_the_shares_in_the_findings_table_carry_their_percent_sign(run):
    table = sections.findings_table(run, "nl")
    goal = table.loc[labels.text("item.share_of_goal", "nl")].iloc[0]
    assert re.fullmatch(r"[+-]?\d+,\d\d% \[[+-]?\d+,\d\d%; [+-]?\d+,\d\d%\]", goal), goal


def test_the_funnel_counts_those_out_of_work_at_the_start_apart(run):
    table = tables.funnel_table(run, "herintreders")
    assert (table[tables.FROM_OUT_OF_WORK] <= table["back_to_work"] + 1e-9).all()
    assert (table[tables.FROM_OUT_OF_WORK] >= 0).all() and table.loc["all", tables.FROM_OUT_OF_WORK] > 0
    text = labels.text("text.funnel", "en", start=2025, end=2034, scenario="x", months=sections.follow_up_months(run))
    assert "24 months after their start" in text


def test_the_run_folders_charts_in_the_chosen_language_with_a_short_source_line(folder, run, tmp_path):
    manifest = json.loads((folder / "manifest.json").read_text())
    for file_name, _ in summary.CHARTS.values():  # saved without a language: English
        assert f"charts/{file_name}.png" in manifest["charts"] and f"charts/{file_name}.nl.png" not in manifest["charts"]
    written = summary.write_all(run, tmp_path, "nl")
    assert sorted(p.name for p in written) == sorted(f"{f}.nl.{ext}" for f, _ in summary.CHARTS.values()
                                                     for ext in ("png", "svg"))
    dutch = summary.make(run, "government_cost", "nl")
    assert dutch._suptitle.get_text().startswith("Onder de huidige regelgeving kost de cheque de overheid")
    assert dutch.axes[0].get_xlabel() == "jaar"
    long_name = "20261207T011127Z-" + "+".join(["law_2025", "herintreders"] * 12) + "-29-scenarios-0b0d6b4f"
    run.manifest = {**run.manifest, "run": long_name,
                    "scenarios": [{**s, "name": f"s{i}"} for i, s in enumerate(run.manifest["scenarios"] * 4)]}
    line = run.source_line("en")
    assert "20261207T011127Z…0b0d6b4f" in line and long_name not in line
    assert "scenarios 8, listed in the manifest" in line and len(line) < 160


@pytest.mark.parametrize("name", list(summary.CHARTS))
def test_no_chart_title_runs_past_the_figure(run, name):
    fig = summary.make(run, name, "nl")
    width = int(fig.get_figwidth() * 9)
    assert all(len(line) <= width for line in fig._suptitle.get_text().split("\n"))


def test_the_language_of_a_run_folder_chart_is_checked(reported_results):
    with pytest.raises(ValueError, match=r"plot\('centres'\): lang='fr' is not a language of the charts; allowed: "
                                         r"nl, en"):
        reported_results.plot("centres", lang="fr")
    with pytest.raises(ValueError, match=r"plot\('centres'\) takes lang= only; got \['colour'\]"):
        reported_results.plot("centres", colour="red")
    assert reported_results.plot("career_centres", lang="nl")._suptitle.get_text().startswith("Loopbaancentra: onder")


def test_the_lead_says_whom_the_four_asks_bring_in(run):
    rename = {"herintreders": "resolution_full"}
    run.comparison = run.comparison.replace({"scenario": rename})
    run.summary = run.summary.replace({"scenario": rename})
    run.manifest = {**run.manifest, "scenarios": [{**s, "name": rename.get(s["name"], s["name"])}
                                                  for s in run.manifest["scenarios"]]}
    text = briefing.lead_groups(run, "en")
    users = _row(run, "resolution_full", "extra_users", "non_active")["value"]
    assert f"{labels.number(users, 'en', sign=True)} are non-active" in text
    low = tables.reach(run, "resolution_full", "low_educated")
    assert (labels.text("brief.still_unequal", "en") in text) == (low < 1)
    run.comparison = run.comparison[run.comparison["group"] != "work_disability"]  # a folder without users by group
    assert briefing.lead_groups(run, "en") == ""


def test_a_run_folder_in_dutch_and_a_language_the_charts_do_not_have(reported_results, tmp_path):
    import model

    with pytest.raises(model.ScenarioError, match=r"save: lang='fr' is not a language of the charts; allowed: nl, en"):
        reported_results.save(tmp_path, name="french", lang="fr")
    assert not (tmp_path / "french").exists()
    result = CliRunner().invoke(app, ["run", "law_2025", "--scale", "0.001", "--lang", "fr", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--lang: 'fr' is not a language of the charts; allowed: en, nl" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_shares_ranked_are_embedded_with_the_reports_numbers(run):
    run.spread = _spread()
    record = briefing.sharpen_record(run)
    assert len(record) == 2 * 8 and {r["item"] for r in record} == {"extra_users", "extra_cost_total_eur"}
    embedded = json.loads(re.search(r">(.*)</script>", sections.figures_record(run, run)).group(1))
    assert embedded["sharpen"] == record and "sharpen" not in json.loads(
        re.search(r">(.*)</script>", sections.figures_record(run)).group(1))


def test_a_run_of_one_scenario_has_no_briefing_rows(run):
    run.comparison = run.comparison.iloc[0:0]  # one scenario: no pair to compare
    assert briefing.rows(run) == [] and briefing.measures_table(run, "en").empty
    assert briefing.groups_table(run, "en").empty and briefing.ask_sentences(run, "en") == []
    assert briefing.lead(run, "en") == "" and briefing.lead_groups(run, "en") == ""
