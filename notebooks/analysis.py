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
# # loopbaansim: an analyst's notebook
#
# Load a finished run through the API and make a chart of your own. Name the run folder in
# `LOOPBAAN_RUN` (or set `folder` below); nothing here runs the model.
#
# ```
# .venv/bin/loopbaan run law_2025 herintreders --scale 0.1 --replications 5
# LOOPBAAN_RUN=outputs/<the folder printed last> .venv/bin/jupytext --to ipynb notebooks/analysis.py
# ```

# %%
import os

from matplotlib.figure import Figure

import model
from model.report import labels, style

folder = os.environ.get("LOOPBAAN_RUN") or "outputs/NAME-OF-A-RUN-FOLDER"
run = model.load_run(folder)  # the tables of the run folder: summary, comparison, differences, transitions ...
run.scenario_names, run.runs_text("en")

# %% [markdown]
# ## The tables
#
# `run.summary` holds every metric by scenario, year and group (mean, p05 and p95 over the runs);
# `run.series(metric, group)` gives one metric by year and scenario. Here: women starting a cheque.

# %%
women_users = run.series("starts_cheque1", "women")
women_users

# %% [markdown]
# ## A chart of one's own, in the shared style
#
# `style.styled()` gives the look of every loopbaansim chart; `run.source_line(lang)` the line that
# names the run, seed, scale and replications.

# %%
with style.styled():
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.subplots()
    for i, name in enumerate(women_users.columns):
        ax.plot(women_users.index, women_users[name], label=run.title(name, "en"), **style.series(i))
    share = women_users.iloc[:, -1].sum() / run.series("starts_cheque1").iloc[:, -1].sum()
    ax.set_title(f"Women are {share:.0%} of the new users under {run.title(women_users.columns[-1], 'en')}")
    ax.set_xlabel(labels.text("axis.year", "en"))
    ax.set_ylabel("Women starting cheque 1 (persons per year)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.supxlabel(run.source_line("en"), x=0.01, ha="left", fontsize=7, color=style.SOURCE_COLOUR)
fig

# %% [markdown]
# ## The report's charts, in Dutch or English

# %%
report_chart = run.figure("reach", lang="nl")
report_chart
