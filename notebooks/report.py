# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # loopbaansim: the report for the Flemish Parliament
#
# Executed by `loopbaan report RUN_DIR --lang nl|en` (papermill fills the parameters cell below,
# nbconvert writes `report.html` or `report.en.html` into the run folder with the code hidden).
# It reads one run folder, named in `run_dir`; it never picks a folder by itself and never runs
# the model. Every number comes from the run folder's tables; every word from `model/report/labels.yaml`.
# To read it by hand, set `run_dir` below and run the cells in Jupyter.

# %% tags=["parameters"]
run_dir = None  # a run folder of `loopbaan run` (required)
lang = "nl"  # nl or en
backcast = None  # a run folder of `loopbaan backcast`, for the out-of-sample years (optional)
alternatives = []  # run folders of the same scenarios under other projections of the employment rate (optional)
uncertainty = None  # a run folder with parameter sets, for what would sharpen each headline (optional)

# %%
from IPython.display import HTML, Markdown, display

from model.report import briefing, findings, labels, sections
from model.report.loaded import load_run
from model.report.run_data import RunTables

if run_dir is None:
    raise ValueError("run_dir: name the run folder to report on (loopbaan report RUN_DIR)")
run = load_run(run_dir)


def section(key):
    """A section heading with a fixed id (the same in both languages)."""
    display(HTML(f'<h2 id="{key}">{labels.text(f"section.{key}", lang)}</h2>'))


def chart(name, **options):
    """Show a chart of model.report.charts.figures; False when the run has none of it (a bool, so a cell never shows it twice)."""
    fig = run.figure(name, lang, **options)
    if fig is not None:
        display(fig)
    return fig is not None


display(HTML("<style>code, p { overflow-wrap: anywhere; } table.briefing td { white-space: nowrap; } "
             "table.briefing small { color: #555; }</style>"))  # long run names wrap; intervals under their means
display(Markdown(sections.header(run, lang)))
for warning in sections.warning_lines(run, lang):
    display(HTML(f'<p class="warning" style="border-left:4px solid #B00000;padding-left:8px"><b>{warning}</b></p>'))
spread_run = RunTables.load(uncertainty) if uncertainty else (run if not run.spread.empty else None)
display(HTML(sections.figures_record(run, spread_run)))

# %% [markdown]
# ## The answer in brief: each ask by each measure and each group

# %%
section("briefing")
lead = briefing.lead(run, lang)
if lead:
    display(Markdown(f"**{lead}** {briefing.lead_groups(run, lang)}"))
measures = briefing.measures_table(run, lang)
if measures.empty:  # one scenario, or none with its baseline: nothing to compare
    display(Markdown(labels.text("text.no_pairs", lang)))
else:
    display(HTML(briefing.html_table(measures)))
    display(Markdown(labels.text("brief.table", lang)))
note = briefing.eligible_note(run, lang)
if note:
    display(Markdown(note))
for sentence in briefing.ask_sentences(run, lang):
    display(Markdown(sentence))
by_group = briefing.groups_table(run, lang)
if not by_group.empty:
    display(HTML(briefing.html_table(by_group)))
    display(Markdown(labels.text("brief.groups", lang)))

# %% [markdown]
# ## What would sharpen this answer

# %%
section("sharpen")
if spread_run is None:
    display(Markdown(labels.text("sharpen.none", lang)))
else:
    display(Markdown(briefing.sharpen_intro(spread_run, lang)))
    display(HTML(sections.html_table(briefing.sharpen_table(spread_run, lang), index=True)))
    display(HTML(sections.html_table(briefing.data_table(spread_run, lang), index=True)))
    display(Markdown(labels.text("sharpen.noise", lang)))

# %% [markdown]
# ## Key findings

# %%
section("findings")
if not run.pairs():  # one scenario, or none with its baseline: nothing to compare
    display(Markdown(labels.text("text.no_pairs", lang)))
for paragraph in findings.sentences(run, lang):
    display(Markdown(paragraph))
display(HTML(sections.html_table(sections.findings_table(run, lang), index=True)))
display(Markdown(labels.text("text.findings_table", lang)))
parts = sections.parts_table(run, lang)
if not parts.empty:  # the resolution's asks: each one's part, alone and added one by one
    display(Markdown(labels.text("text.parts", lang)))
    display(HTML(sections.html_table(parts, index=True)))
_ = chart("extra_work")

# %% [markdown]
# ## The funnel by group

# %%
section("funnel")
first, last = run.scenario_names[0], run.scenario_names[-1]
display(Markdown(labels.text("text.funnel", lang, start=run.years[0], end=run.years[1], scenario=run.title(first, lang),
                             months=sections.follow_up_months(run))))
chart("funnel")
display(HTML(sections.html_table(sections.funnel_text(run, lang, first), index=True)))
if last != first:
    display(Markdown(f"**{run.title(last, lang)}**"))
    display(HTML(sections.html_table(sections.funnel_text(run, lang, last), index=True)))

# %% [markdown]
# ## Who the cheque reaches

# %%
section("reach")
display(Markdown(labels.text("text.reach", lang)))
chart("reach")
display(HTML(sections.html_table(sections.reach_text(run, lang), index=True)))
take_up = sections.take_up_text(run, lang)
if not take_up.empty:  # the take-up of re-entrants against the workers' that the calibration fits
    display(Markdown(labels.text("text.take_up", lang)))
    display(HTML(sections.html_table(take_up)))
for line in sections.outreach_lines(run, lang):  # ask 2: whom the contacts reach, and at what cost
    display(Markdown(line))
comparator = sections.comparator_text(run, lang)
if not comparator.empty:  # beside VDAB's own route for people out of work
    display(Markdown(labels.text("text.comparator", lang)))
    display(HTML(sections.html_table(comparator, index=True)))
crowd_out = sections.crowd_out_text(run, lang)
if not crowd_out.empty:  # the asks under a budget envelope: who takes the places, who loses them
    display(Markdown(labels.text("text.crowd_out", lang)))
    display(HTML(sections.html_table(crowd_out, index=True)))

# %% [markdown]
# ## Budget, capacity, flows

# %%
section("budget")
chart("budget")
display(HTML(sections.html_table(sections.budget_text(run, lang), index=True)))

section("capacity")
chart("capacity")

section("flows")
if chart("flows"):
    display(Markdown(labels.text("text.flows", lang, year=int(run.transitions["year"].max()))))
bands = sections.flow_bands_text(run, lang)
if not bands.empty:
    display(Markdown(labels.text("text.flow_bands", lang)))
    display(HTML(sections.html_table(bands)))

# %% [markdown]
# ## The employment rate against 80%

# %%
section("rate")
_ = chart("rate_path")

section("projections")
others = [RunTables.load(folder) for folder in alternatives]
projections = sections.projections_text(run, others, lang)
if not projections.empty:
    scenario, baseline = run.pair_shared_with(others)  # the pair the table shows
    display(Markdown(labels.text("text.projections", lang, scenario=run.title(scenario, lang),
                                 baseline=run.title(baseline, lang))))
    display(HTML(sections.html_table(projections)))
    if not alternatives:
        display(Markdown(labels.text("text.no_alternatives", lang)))

section("margins")
margins, margins_line = sections.margins_text(run, lang)
if not margins.empty:
    display(Markdown(margins_line))
    display(HTML(sections.html_table(margins)))

# %% [markdown]
# ## Sensitivity, calibration and validation

# %%
section("sensitivity")
if not chart("sensitivity"):
    display(Markdown(labels.text("text.no_sensitivity", lang)))
spread = sections.spread_text(run, lang)
if not spread.empty:  # how much of each headline's spread comes from each group of assumptions
    display(Markdown(labels.text("text.spread", lang, sets=int(run.spread["sets"].max()))))
    display(HTML(sections.html_table(spread, index=True)))

section("calibration")
chart("calibration", backcast=backcast)
table, fit_line = sections.calibration_summary(run, lang, backcast)
display(HTML(sections.html_table(table)))
display(Markdown(fit_line))
if backcast is None:
    display(Markdown(labels.text("text.no_backcast", lang)))

# %% [markdown]
# ## Assumptions and the manifest

# %%
section("assumptions")
assumed = sections.assumptions(run, lang)
display(Markdown(labels.text("text.assumptions", lang, count=len(assumed))))
display(HTML(sections.html_table(assumed)))

section("manifest")
display(Markdown("\n".join(f"- `{line}`" for line in sections.manifest_lines(run, lang))))
