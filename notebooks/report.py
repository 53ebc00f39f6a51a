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
# # loopbaansim: scenario report
#
# Reads one run folder (the newest scenario run under `outputs/`, or the one
# named in the environment variable `LOOPBAAN_RUN`), the calibrated parameter
# file the run used, and the newest back-cast run (or the one named in
# `LOOPBAAN_BACKCAST`) for the validation table. Run it as a script
# (`.venv/bin/python notebooks/report.py`) or open it as a notebook
# (`.venv/bin/jupytext --to ipynb notebooks/report.py`, then Jupyter) and shows the results a policymaker reads
# first: who is eligible, who takes the cheque up, what it costs, who goes back
# to work, and the employment rate against the 80% target. Every figure comes
# from the run's `summary.csv`; re-running this notebook on the same run folder
# gives the same numbers.

# %%
import json
import os
from pathlib import Path

import pandas as pd

pd.set_option("display.width", 160)
pd.set_option("display.max_rows", 200)
pd.set_option("display.float_format", lambda v: f"{v:,.4f}" if abs(v) < 100 else f"{v:,.0f}")


def show(frame):
    """Display a table in Jupyter, print it when run as a script."""
    try:
        from IPython import get_ipython
        from IPython.display import display
        if get_ipython() is not None:
            return display(frame)
    except ImportError:
        pass
    print(frame.to_string(), end="\n\n")
root = Path(__file__).resolve().parents[1] if "__file__" in globals() else Path.cwd().parent


def newest_run(name_part=""):
    """Newest finished scenario run folder under outputs/ (calibration folders have no summary.csv)."""
    if not (root / "outputs").is_dir():
        return None
    folders = [p for p in (root / "outputs").iterdir()
               if p.is_dir() and not p.name.startswith(".") and (p / "summary.csv").is_file() and name_part in p.name]
    return max(folders, key=lambda p: p.name) if folders else None


run = Path(os.environ["LOOPBAAN_RUN"]) if os.environ.get("LOOPBAAN_RUN") else newest_run()
manifest = json.loads((run / "manifest.json").read_text())
summary = pd.read_csv(run / "summary.csv")
fit = pd.read_csv(run / "population_fit.csv")
scenarios = [s["name"] for s in manifest["scenarios"]]
print(f"run {manifest['run']}: scenarios {scenarios}, seed {manifest['seed']}, "
      f"{manifest['persons_simulated']:,} persons simulated, commit {manifest['git']['commit']}")

# %% [markdown]
# ## The scenarios

# %%
for s in manifest["scenarios"]:
    print(f"- {s['name']}: {s['title']}\n  {s['description']}\n  overrides: {s['overrides'] or 'none'}")

# %% [markdown]
# ## Headline figures (all residents 20-64, yearly averages over the horizon)

# %%
def table(metric, group="all", agg="mean"):
    d = summary[(summary.metric == metric) & (summary.group == group)]
    return d.pivot_table(index="year", columns="scenario", values="value")[scenarios].agg(agg)


headline = pd.DataFrame({
    "eligible": table("eligible"),
    "cheque-1 starts / year": table("starts_cheque1"),
    "cheque-2 starts / year": table("starts_cheque2"),
    "government cost EUR M / year": table("government_cost_eur") / 1e6,
    "users back to work, gross (total)": table("reentries_employment", agg="sum"),
    "registrations at VDAB (total)": table("registrations", agg="sum"),
})
show(headline.round(1))

# %% [markdown]
# ## Each scenario against its baseline (`comparison.csv`)
#
# Paired on the same people and random numbers, replication by replication; a
# scenario's baseline is the nearest scenario it extends in the run. Costs, users
# and registrations are totals over the horizon; people at work and the employment
# rate are those of the last year.

# %%
if (run / "comparison.csv").exists():
    compared = pd.read_csv(run / "comparison.csv")
    show(compared[compared.group == "all"].pivot_table(index=["scenario", "baseline"], columns="item",
                                                        values="value", sort=False).T.round(3))

# %% [markdown]
# ## Per group: eligible people and new users (yearly averages)

# %%
groups = ["women", "men", "low_educated", "age_50_plus", "migration_background", "work_disability",
          "disadvantaged", "non_active", "re_entrant", "reentrant_users"]
per_group = pd.concat({m: pd.DataFrame({g: table(m, g) for g in groups}).T
                       for m in ("eligible", "starts_cheque1")}, axis=1)
show(per_group.round(0))

# %% [markdown]
# ## Employment rate 20-64 against the 80% target, and extra people at work

# %%
rate = summary[(summary.metric == "employment_rate_20_64") & (summary.group == "all")].pivot_table(
    index="year", columns="scenario", values="value")[scenarios]
employed = summary[(summary.metric == "employed") & (summary.group == "all")].pivot_table(
    index="year", columns="scenario", values="value")[scenarios]
extra = employed.sub(employed[scenarios[0]], axis=0).add_suffix(f" minus {scenarios[0]}")
show(pd.concat([(rate * 100).round(2).add_suffix(" (%)"), extra.round(0)], axis=1))

# %% [markdown]
# ## Charts

# %%
try:
    from IPython.display import Image, display
except ImportError:  # run as a plain script: name the files instead
    Image = None
for chart in manifest["charts"]:
    if chart.endswith(".png"):
        display(Image(filename=str(run / chart))) if Image else print(run / chart)

# %% [markdown]
# ## How well the synthetic population fits the published margins
#
# `published` is the source figure, `target_used` what the raking aimed at (group
# rates shifted to add up to the total in force), `model_value` the synthetic
# population. Rows of kind `check` are compared, not fitted.

# %%
show(fit[fit.replication == 0][["target", "group", "kind", "published", "target_used", "model_value", "relative_error"]].round(4))

# %% [markdown]
# ## Calibration: how the behaviour was fitted, and how well
#
# The uptake, awareness and cheque-2 parameters were fitted to the 2014-2018
# figures only (`loopbaan calibrate`). The table shows each target, the full
# engine's value with the fitted parameters and the error; `sd` is the
# standard error of each fitted value. Figures from 2019 on are never fitted.

# %%
import yaml  # noqa: E402

calibration = manifest["scenarios"][0].get("calibration")
if not calibration:
    print("this run used the uncalibrated priors")
else:
    calibrated = yaml.safe_load(Path(calibration["file"]).read_text())["calibration"]
    if calibrated_sha := calibration.get("sha256"):
        import hashlib
        same = hashlib.sha256(Path(calibration["file"]).read_bytes()).hexdigest() == calibrated_sha
        print(f"calibrated file {calibration['file']} (calibrated {calibrated['date']}): "
              f"{'the one this run used' if same else 'CHANGED since this run; the tables below are of the new file'}")
    show(pd.DataFrame(calibrated["parameters"]).set_index("parameter"))
    fit_targets = pd.DataFrame(calibrated["targets"]).set_index("target")
    show(fit_targets)
    print(f"chi-square {calibrated['chi_square']} on {calibrated['degrees_of_freedom']} degrees of freedom; "
          f"parameters that are hard to tell apart: {calibrated['correlated_pairs']}")

# %% [markdown]
# ## Validation: the back-cast 2014-2021, in and out of sample
#
# From the newest `loopbaan backcast` run. `in-sample` rows were fitted;
# `out-of-sample` rows (2019 on) were not; observed values for 2019 on are
# added to `model/targets/uptake.yaml` as validation-only when published.
# The 2020 change combines the rule change (in the model) with COVID-19 (off).

# %%
backcast = Path(os.environ["LOOPBAAN_BACKCAST"]) if os.environ.get("LOOPBAAN_BACKCAST") else newest_run("backcast")
if backcast is None or not (backcast / "validation.csv").is_file():
    print("no back-cast run yet: run `loopbaan backcast`")
else:
    validation = pd.read_csv(backcast / "validation.csv")
    first_scenario = validation["scenario"].iloc[0]
    print(f"back-cast run {backcast.name}")
    show(validation[validation["scenario"] == first_scenario][
        ["target", "period", "sample", "role", "observed", "model", "error", "error_relative", "within_tolerance"]].round(4))
    differences = pd.read_csv(backcast / "scenario_differences.csv")
    show(differences.round(3))
    if (backcast / "composition_by_year.csv").is_file():  # users' composition per year, out of sample too
        composition = pd.read_csv(backcast / "composition_by_year.csv")
        composition = composition[composition["scenario"] == first_scenario]
        show((composition.pivot_table(index="year", columns="group", values="model_share")[
            ["women", "high_educated", "low_educated", "age_50_plus", "migration_background", "work_disability"]] * 100).round(1))
