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
# # loopbaansim from Python: a quick start
#
# Run it as a script (`.venv/bin/python notebooks/quickstart.py`) or open it as a
# notebook (`.venv/bin/jupytext --to ipynb notebooks/quickstart.py`). It runs three
# scenarios on 2% of the population (about 78,000 simulated people, a few seconds),
# looks at the results, draws the paired difference of a scenario against its
# baseline, and saves the run folder the command line would write.
# Set `LOOPBAAN_OUT` to choose where the run folder goes (default: the
# repository's `outputs/`, wherever the notebook is started from). To open it in
# Jupyter, install it into the project's environment first
# (`.venv/bin/pip install jupyterlab ipywidgets`).

# %%
import os
from pathlib import Path

import model

OUT = os.environ.get("LOOPBAAN_OUT") or Path(model.__file__).resolve().parents[1] / "outputs"

# %% [markdown]
# Every number the model uses is a dated parameter with its unit and source:

# %%
print(model.parameters("cheque.fee.hourly_excl_vat", date="2026-01-01"))

# %% [markdown]
# Scenarios are shipped names (`scenarios/*.yaml`), paths to YAML files, or dicts
# with the same keys. A dict is checked exactly like a file. `law_2025` is the
# law as it stands (the 2025 transitional rules, then the loopbaankrediet);
# `herintreders` adds the resolution's first ask. Here, in a third scenario, the
# own contribution is halved from 2026; the centre's fee stays the same, so the
# government pays what the user no longer pays.

# %%
cheap = {
    "name": "cheap",
    "title": "Own contribution halved from 2026",
    "extends": "law_2025",
    "overrides": {"cheque.cheques.user_price": {"2026-01-01": {"cheque1": 30, "cheque2": 30}}},
}
sim = model.Simulation(["law_2025", "herintreders", cheap], scale=0.02, seed=7, replications=1)
sim

# %% [markdown]
# The scenarios share one synthetic population and the same random draws (common
# random numbers), so their differences are the effect of the rules.

# %%
res = sim.run()
res.comparison()

# %% [markdown]
# `res.summary` holds exactly the rows of `summary.csv` (yearly: stocks averaged,
# flows summed); `res.timeseries` the months of `timeseries.parquet`.

# %%
starts = res.summary.query("metric == 'starts_cheque1' and group == 'all'")
starts.pivot_table(index="year", columns="scenario", values="value").round(0)

# %%
res.timeseries.query("metric == 'eligible' and group == 'non_active' and scenario == 'herintreders'").head(6)

# %% [markdown]
# The effect of a scenario is a paired difference against its baseline, per year,
# metric and group (per replication, then mean, p05 and p95).

# %%
diff = res.difference("herintreders", baseline="law_2025")
effect = diff.query("group == 'all' and metric in ['eligible', 'starts_cheque1', 'government_cost_eur', 'employed']")
effect.pivot_table(index="year", columns="metric", values="value").round(0)

# %% [markdown]
# How far does it move the employment rate (20-64)? In percentage points. At 2%
# scale one simulated person stands for 50 people, so effects of a few hundred
# people are within noise: use scale 1, or replications, for results.

# %%
rate = diff.query("metric == 'employment_rate_20_64' and group == 'all'").set_index("year")["value"] * 100
rate.round(3)

# %% [markdown]
# Charts are matplotlib figures; every chart of a run folder has a name (`res.charts`).

# %%
fig = res.plot("difference", scenario="herintreders", baseline="law_2025", metric="eligible",
               groups=("all", "women", "non_active"))
fig

# %%
res.plot("employment_rate")

# %% [markdown]
# Saving writes the same run folder as `loopbaan run` (tables, charts, manifest)
# and returns its path.

# %%
folder = res.save(OUT)
print(folder)

# %% [markdown]
# How sure is it? Replications give the Monte Carlo noise of each difference;
# parameter sets add what is not known (the effects of guidance, awareness,
# the reading of the re-entrant rule, the calibrated values ...): each set is
# drawn from the distributions the parameter files declare, and runs every
# replication. `share_parameters` says how much of a difference's variance is
# due to the parameters rather than the noise. (A small run: 4 sets of 2
# replications at 1% scale over two years.)

# %%
short = {"scale": 0.01, "start": "2025-01", "end": "2026-12"}
uncertain = model.Simulation([{"name": "law", "extends": "law_2025", **short},
                              {"name": "reentrants", "extends": "herintreders", **short}],
                             replications=2, parameter_sets=4).run(progress=False)
columns = ["item", "value", "p05", "p95", "share_parameters"]
uncertain.comparison(wide=False).query("group == 'all' and item in ['extra_eligible', 'extra_users']")[columns]

# %% [markdown]
# Bad input stops before anything runs, with a message naming the key:

# %%
try:
    model.Scenario.from_dict({"name": "typo", "extends": "law_2025",
                              "overrides": {"cheque.cheques.user_prize": {"2026-01-01": 0}}})
except model.ScenarioError as error:
    print(error)
