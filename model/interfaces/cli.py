"""Command line: the ``loopbaan`` commands.

``run``, ``report``, ``app``, ``calibrate``, ``backcast``, ``effects``, ``validate``, ``params``, ``sweep`` and
``explain``.
The commands parse, call and print: what they run lives in the layers below
(:mod:`model.experiments`, :mod:`model.results`, :mod:`model.report`), what they
print in :mod:`.printing`. Bad input (a wrong key, a value out of range, a
missing file, inconsistent scenarios) prints one clear message per problem on
stderr and exits with status 2 before anything is written.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading
import warnings
from pathlib import Path

import typer

from ..engine import interrupts
from ..engine.interrupts import stops_as_stops
from ..experiments.backends import checked_workers
from ..params.scenario import ScenarioError
from ..params.settings import flag_problem
from ..params.tree import ParameterError, ParameterTree
from ..params.yamlfile import shown_path

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="loopbaansim: policy-impact simulation of the Flemish loopbaancheque.")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that a run folder being written is removed."""


def _on_sigterm(signum, frame) -> None:
    raise interrupts.record(_Terminated())  # recorded too: a callback from compiled code may drop what it raises


def _quiet_about_stops(previous, unraisable) -> None:
    """A stop dropped by a callback from compiled code is recorded (it ends the run soon): no traceback for it."""
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        previous(unraisable)


@contextlib.contextmanager
def _stoppable():
    """While a command works: SIGTERM raised like Ctrl-C, and a stop that reached a compiled kernel taken as a stop.

    The handler that was installed before is put back afterwards, so a command called in-process (a test runner, a
    notebook) leaves the process's signal handling as it found it. Outside the main thread, where Python allows no
    handler, SIGTERM keeps its own.
    """
    main = threading.current_thread() is threading.main_thread()
    interrupts.forget()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if main else None
    previous_hook = sys.unraisablehook
    sys.unraisablehook = functools.partial(_quiet_about_stops, previous_hook)
    try:
        with stops_as_stops():
            yield
    finally:
        sys.unraisablehook = previous_hook
        interrupts.forget()
        if main and previous is not None:  # (None: a handler installed outside Python, which cannot be put back)
            signal.signal(signal.SIGTERM, previous)


def _simulation(scenarios: list[str], scale: float | None, seed: int | None, replications: int | None,
                parameter_sets: int | None = None, projection: str | None = None):
    """The scenarios as a :class:`model.interfaces.api.Simulation`; bad input exits with status 2."""
    from .api import Simulation

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sim = Simulation(scenarios, scale=scale, seed=seed, replications=replications,
                             parameter_sets=parameter_sets, projection=projection)
    except (ScenarioError, ParameterError) as exc:
        _fail(str(exc))
    for w in caught:
        typer.echo(f"warning: {w.message}", err=True)
    return sim


def _reserve(out: Path, name: str):
    """Reserve the run folder before simulating (a folder that cannot be written is reported now)."""
    from ..results.atomic import OutputError, RunFolder

    try:
        return RunFolder(out, name)
    except OutputError as exc:
        _fail(str(exc))


@contextlib.contextmanager
def _writing(out: Path, name: str, errors: tuple[type[Exception], ...] = ()):
    """The reserved run folder of a command, while it simulates and writes.

    A folder that cannot be written, or one of ``errors``, exits with status 2; Ctrl-C or SIGTERM exits
    with 130 or 143. Whatever happens, the temporary folder is removed unless it was made final.
    """
    from ..results.atomic import OutputError

    reserved = _reserve(out, name)
    try:
        with _stoppable():
            yield reserved
    except (OutputError, *errors) as exc:
        _fail(str(exc))
    except KeyboardInterrupt as exc:
        _interrupted(exc)
    finally:
        reserved.discard()  # nothing left behind if the command stopped (a no-op once the folder is final)


def _check_flags(**flags) -> None:
    """Each run setting given as a flag, against its bounds (:mod:`model.params.settings`); a bad one exits with 2."""
    for name, value in flags.items():
        if value is not None and (problem := flag_problem(name, value)):
            _fail(problem)


def _check_workers(workers: int) -> None:
    try:
        checked_workers(workers, "--workers")
    except ScenarioError as exc:
        _fail(str(exc))


@app.command()
def run(
    scenarios: list[str] = typer.Argument(...,
                                          help="Scenario files or shipped scenario names (baseline_2020 ...); "
                                               "they share population and random numbers."),
    scale: float | None = typer.Option(None, "--scale", help="Share of the population to simulate, in (0, 1]."),
    seed: int | None = typer.Option(None, "--seed", help="Root seed (overrides the scenarios')."),
    replications: int | None = typer.Option(None, "--replications", help="Replications (overrides the scenarios'); "
                                            "with parameter sets, of each set."),
    parameter_sets: int | None = typer.Option(None, "--parameter-sets", help="Parameter sets drawn from the "
                                              "distributions the parameter files declare (0: the central values)."),
    workers: int = typer.Option(1, "--workers", help="Replications run at once, each in a process of its own "
                                "(the results are the same whatever the number)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Run the replications on the Dask cluster of "
                                         "this scheduler (tcp://HOST:PORT)."),
    out: Path = typer.Option(Path("outputs"), "--out", help="Folder in which the run folder is created."),
    name: str | None = typer.Option(None, "--name", help="Name of the run folder (default: the scenario names)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write warmed-up states in the cache "
                                  "(outputs/cache, or $LOOPBAAN_CACHE)."),
    projection: str | None = typer.Option(None, "--projection", help="Projection of the employment rate after the "
                                          "last published year, for every scenario: outlook (the default: the "
                                          "published outlook, then a demographic continuation), trend or frozen."),
    lang: str = typer.Option("en", "--lang", help="Language of the run folder's charts: en (charts/NAME.png) or nl "
                                                  "(charts/NAME.nl.png)."),
) -> None:
    """Simulate the scenarios and write a new run folder; its path is the last line printed."""
    if lang not in ("en", "nl"):
        _fail(f"--lang: {lang!r} is not a language of the charts; allowed: en, nl")
    _check_flags(scale=scale, seed=seed, replications=replications, parameter_sets=parameter_sets)
    _check_workers(workers)
    _check_out(out)
    sim = _simulation(scenarios, scale, seed, replications, parameter_sets, projection)
    # heavy imports only once the input is known to be good
    from ..experiments.warmup_cache import checked_folder, default_folder
    from ..results import comparison
    from ..results.atomic import OutputError, check_name, default_name
    from ..results.flows import published_transitions
    from . import printing

    try:  # the published transitions go into the run folder: read them before minutes of simulation
        published_transitions()
    except ValueError as exc:
        _fail(str(exc))

    if name is not None:
        try:
            check_name(name)
        except OutputError as exc:
            _fail(f"--name: {exc}")
    if not no_cache and (cache_folder := default_folder()) is not None:
        try:
            checked_folder(cache_folder, "$LOOPBAAN_CACHE")
        except ValueError as exc:
            _fail(str(exc))
    with _writing(out, name or default_name([s.name for s in sim.scenarios]), (ScenarioError,)) as folder:
        results = sim.run(log=lambda s: typer.echo(s, err=True), cache=not no_cache, workers=workers,
                          scheduler=scheduler)
        path = results.save(folder=folder, command=sys.argv, lang=lang)
    result = results.run
    typer.echo("")
    printing.print_levels(results.levels())
    typer.echo(printing.wrapped("users back to work: recent users who started work (gross, including those who would "
                                "have anyway).") + "\n")
    printing.print_differences(results.comparison(wide=False), comparison.items(result.counters),
                               int(result.summary["year"].max()))
    for line in printing.spread_lines(results.spread()):
        typer.echo(printing.wrapped(line, "    "))
    if result.parts:
        typer.echo("")
        printing.print_parts(results.parts())
    typer.echo(printing.wrapped("at work (sim.): people at work minus the baseline, same people and draws, life by life; "
                                "(exp.): what guidance and follow-up are expected to bring, from every user's hazards "
                                "(the same, with far less noise); all of comparison.csv has users by group and costs "
                                "by item."))
    settings = sim.settings
    if settings.scale < 1 and settings.runs == 1:
        typer.echo(printing.wrapped(
            f"note: at scale {settings.scale:g} each simulated person stands for {result.weight:,.0f} people; "
            f"differences between scenarios smaller than about {20 * result.weight:,.0f} people are within sampling "
            f"noise. Use scale 1 or replications for results. Below scale 1 the career centres share their capacity in "
            f"pools, so waiting and capacity effects are approximate."), err=True)
    if result.capped:
        typer.echo(f"warning: {result.capped} hazards were capped at their ceiling (see manifest.json)", err=True)
    typer.echo(str(path))


def _interrupted(exc: KeyboardInterrupt) -> None:
    """Stopped by Ctrl-C (exit 130) or SIGTERM (exit 143): say so; the temporary folder is removed."""
    typer.echo("interrupted: nothing was written", err=True)
    raise typer.Exit(code=143 if isinstance(exc, _Terminated) else 130)


def _check_out(out: Path) -> None:
    try:
        if out.exists() and not out.is_dir():
            _fail(f"--out '{shown_path(out)}' exists and is not a folder")
    except OSError as exc:
        _fail(f"--out '{shown_path(out)}': {exc.strerror or exc}")


@app.command()
def calibrate(
    config: Path | None = typer.Option(None, "--config",
                                       help="Calibration config YAML (default: model/experiments/calibration/default.yaml)."),
    out: Path = typer.Option(Path("outputs"), "--out", help="Folder in which the calibration's run folder is created."),
    write: Path | None = typer.Option(None, "--write",
                                      help="Calibrated parameter file to write "
                                           "(default: model/params/calibrated/behaviour.yaml, used by every scenario)."),
    no_write: bool = typer.Option(False, "--no-write",
                                  help="Write the run folder only; leave the calibrated parameter file as it is."),
    check_scale: float | None = typer.Option(None, "--check-scale",
                                             help="Scale of the engine run that checks the fit, in (0, 1]."),
) -> None:
    """Fit the uptake, awareness and cheque-2 parameters to the 2014-2018 figures.

    Writes a run folder (targets with errors, parameters with uncertainty,
    correlations, chart) and then the calibrated parameter file.
    """
    from ..experiments.calibration.config import DEFAULT_CONFIG, CalibrationError, load_config
    from ..params.tree import CALIBRATED_FILE

    _check_out(out)
    if check_scale is not None and (problem := flag_problem("scale", check_scale, "--check-scale")):
        _fail(problem)
    if write is not None and no_write:
        _fail("give --write or --no-write, not both")
    if write is not None and write.is_dir():
        _fail(f"--write '{write}' is a folder; give a file name, e.g. {write / 'behaviour.yaml'}")
    try:
        loaded = load_config(config or DEFAULT_CONFIG)
    except CalibrationError as exc:
        _fail(str(exc))
    if check_scale is not None:
        loaded.check_scale = check_scale
    target = None if no_write else (write or CALIBRATED_FILE)
    if target is not None:  # find out now, not after minutes of fitting
        folder_of = target.parent if target.parent.exists() else next(p for p in target.parents if p.exists())
        if not os.access(folder_of, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
            _fail(f"--write '{target}': cannot write there")
    from ..experiments.calibration import fit
    from ..experiments.calibration import write as writer
    from ..report.charts.calibration import draw_calibration
    from .printing import calibration_lines

    with _writing(out, "calibration", (CalibrationError,)) as reserved:
        typer.echo(f"calibrating {len(loaded.parameters)} parameters to {len(loaded.targets)} targets (fit years "
                   f"{min(t.first_year for t in loaded.targets)}-{loaded.last_year}) at scale {loaded.scale:g}", err=True)
        for t in loaded.targets:
            if t.exception:
                typer.echo(f"note: fit target {t.name} is published for '{t.published_period}': {t.exception}",
                           err=True)
        result = fit.calibrate(loaded, progress=lambda s: typer.echo(s, err=True))
        folder, written = writer.write_calibration(result, reserved, target, sys.argv, charts=draw_calibration)
    for line in calibration_lines(result):
        typer.echo(line)
    for w in result.warnings:
        typer.echo(f"warning: {w}", err=True)
    if written:
        typer.echo(f"calibrated parameters written to {written}")
    typer.echo(str(folder))


@app.command()
def backcast(
    scenarios: list[str] | None = typer.Argument(None,
                                                 help="Back-cast scenarios (files or shipped names); the first is judged against "
                                                      "the figures (default: baseline_2013 and backcast_2013_rules)."),
    scale: float | None = typer.Option(None, "--scale",
                                       help="Share of the population to simulate, in (0, 1] "
                                            "(default: the scenarios', full scale)."),
    out: Path = typer.Option(Path("outputs"), "--out", help="Folder in which the run folder is created."),
) -> None:
    """Run the back-cast 2014-2024 and judge it against every observed figure, in and out of sample."""
    from ..experiments.calibration import backcast as bc

    _check_flags(scale=scale)
    _check_out(out)
    sim = _simulation([str(s) for s in (scenarios or bc.DEFAULT_SCENARIOS)], scale, None, None)
    from ..experiments.calibration.targets import TargetError, load_targets
    from ..experiments.progress import Lines
    from ..report.charts.calibration import draw_backcast
    from ..results.atomic import default_name
    from .printing import target_line

    try:  # read the targets before minutes of simulation
        load_targets()
        bc.last_fit_year()
    except TargetError as exc:
        _fail(str(exc))
    names = [s.name for s in sim.scenarios]
    with _writing(out, default_name(["backcast", *names]).replace("backcast+", "backcast-", 1)) as reserved:
        done = bc.backcast(sim.plan, Lines(lambda s: typer.echo(s, err=True)))
        folder = bc.write(done, reserved, sys.argv, charts=draw_backcast(done))
    typer.echo(f"\n{names[0]} against the observed figures (error: relative for counts, pp for shares)")
    for _, row in done.judged().iterrows():
        typer.echo(target_line(row, row["sample"]))
    users = done.result.metric("users")
    shown = done.differences[(done.differences["year"] == done.last_fit_year + 2) & (done.differences["metric"] == users)]
    for _, row in shown.iterrows():
        typer.echo(f"\n{row['year']}: cheque-1 starts {row['value_first']:,.0f} in {row['first']} against "
                   f"{row['value_other']:,.0f} in {row['other']}: {row['first_minus_other']:+,.0f} ({row['relative']:+.1%}), "
                   f"same people and draws, no exogenous shock")
    if not done.covid19.empty:
        c = done.covid19
        typer.echo(f"\na COVID-19 shock estimated on {c['estimated_on'].iloc[0]} alone: uptake x "
                   f"{c['multiplier'].iloc[0]:.3f} over {c['months'].iloc[0]} ({names[0]}_covid19); out of sample:")
        for _, row in c[c["observed"].notna()].iterrows():
            typer.echo(f"  {row['target']:<28} observed {row['observed']:>10.4g}  without {row['error_without']:+7.1%}"
                       f"  with {row['error_with']:+7.1%}")
    typer.echo(str(folder))


@app.command()
def effects(
    scenario: str = typer.Argument("herintreders", help="Scenario whose rules decide who may take the cheque "
                                                        "(a file or shipped name; default herintreders)."),
    scale: float | None = typer.Option(None, "--scale", help="Share of the population to simulate, in (0, 1] "
                                                             "(default: the scenario's)."),
    seed: int | None = typer.Option(None, "--seed", help="Root seed (default: the scenario's)."),
    out: Path = typer.Option(Path("outputs"), "--out", help="Folder in which the run folder is created."),
) -> None:
    """Compute the effect of guidance per user: net effect, share at work with and without it, deadweight.

    Gives guidance, in the scenario's first month, to everybody who may order a cheque, and follows
    them twice from the same state with the same random numbers: with the effects of guidance and
    without. Users are weighted by their hazard of taking the cheque up (self-selection).
    """
    _check_flags(scale=scale, seed=seed)
    _check_out(out)
    sim = _simulation([scenario], scale, seed, None)
    from ..experiments import effects as guidance_effect
    from ..results.atomic import default_name

    try:
        guidance_effect.horizon_months(sim.plan)
        guidance_effect.literature_range()
    except (ScenarioError, ValueError) as exc:
        _fail(str(exc))

    with _writing(out, default_name(["effects", sim.scenarios[0].name]).replace("effects+", "effects-", 1)) as reserved:
        effect = guidance_effect.measure(sim.plan)
        folder = guidance_effect.write(effect, sim.plan, reserved, sys.argv)
    typer.echo(str(effect))
    typer.echo(str(folder))


@app.command()
def validate(scenarios: list[str] = typer.Argument(..., help="Scenario files or shipped names to check.")) -> None:
    """Check scenario files (keys, values, parameter paths) without running; then whether they can share a run.

    Every file is checked and reported; the exit status is 2 if any is wrong.
    Scenarios that are each right but cannot share one run are reported as a
    note (run them separately).
    """
    from ..params.scenario import Scenario, run_settings

    try:
        law = ParameterTree.load()
    except ParameterError as exc:
        _fail(str(exc))
    loaded, failed = [], 0
    for item in scenarios:
        try:
            s = Scenario.resolve(item, law)
        except ScenarioError as exc:
            typer.echo(f"error: {exc}", err=True)
            failed += 1
            continue
        loaded.append(s)
        st = s.settings
        typer.echo(f"{s.files[0]}: ok: '{s.name}' ({' <- '.join(Path(f).name for f in s.files)}), "
                   f"{st.start} to {st.end}, warm-up {st.warmup_months} months, scale {st.scale}, "
                   f"seed {st.seed}, {st.replications} replication(s), {len(s.overrides)} override(s)")
        for message in s.warnings:
            typer.echo(f"warning: {message}", err=True)
    if len(loaded) > 1 and not failed:
        try:
            run_settings(loaded)
            typer.echo(f"these {len(loaded)} scenarios can share one run")
        except ScenarioError as exc:
            typer.echo(f"note: they cannot share one run (run them separately): {exc}")
    if failed:
        typer.echo(f"{failed} of {len(scenarios)} scenario(s) have errors", err=True)
        raise typer.Exit(code=2)


@app.command()
def params(
    prefix: str = typer.Argument("", help="Show parameters whose path starts with this."),
    date: str | None = typer.Option(None, "--date", help="Show the values in force on this date (YYYY-MM-DD)."),
    priors: bool = typer.Option(False, "--priors", help="Show the priors, without the calibrated values."),
) -> None:
    """List parameters with their values, units and sources (calibrated values by default)."""
    import datetime as dt

    try:
        tree = ParameterTree.load(calibrated=None) if priors else ParameterTree.load()
    except ParameterError as exc:
        _fail(str(exc))
    paths = [p for p in sorted(tree.parameters) if p.startswith(prefix)]
    if not paths:
        _fail(f"no parameter path starts with '{prefix}'")
    when = None
    if date:
        try:
            when = dt.date.fromisoformat(date)
        except ValueError:
            _fail(f"--date must be YYYY-MM-DD, got '{date}'")
    for path in paths:
        p = tree[path]
        flag = " [assumption]" if p.assumption else ""
        if tree.calibration and path in tree.calibration["parameters"]:
            flag += " [calibrated]"
        typer.echo(f"{path} ({p.unit}){flag}: {p.description}")
        if when:
            try:
                typer.echo(f"    {when}: {p.at(when)}")
            except ParameterError as exc:
                typer.echo(f"    {exc}")
        else:
            for d, v in zip(p.dates, p.values):
                typer.echo(f"    from {d}: {v}")
        typer.echo(f"    source: {'; '.join(p.reference)}")



@app.command()
def sweep(
    file: str = typer.Argument(..., help="A sweep file (see sweeps/), or a shipped sweep's name."),
    workers: int = typer.Option(1, "--workers", help="Points run at once, each in a process of its own."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Run the points on the Dask cluster of this "
                                         "scheduler (tcp://HOST:PORT)."),
    out: Path = typer.Option(Path("outputs"), "--out", help="Folder under which sweeps/NAME-DIGEST/ is kept."),
) -> None:
    """Run a sweep: a grid, a Morris screening or Sobol' indices of a scenario's paired difference against its baseline.

    Each finished point is stored at once; run again, a sweep skips the points
    it has. The sweep's folder is the last line printed.
    """
    _check_workers(workers)
    _check_out(out)
    from tqdm.std import tqdm

    from ..experiments.sweep import SweepError
    from .api import Sweep

    try:
        plan = Sweep(file)
    except SweepError as exc:
        _fail(str(exc))
    bar = tqdm(total=len(plan.design()), unit="point", desc=plan.spec.name, disable=not sys.stderr.isatty())

    def progress(done: int, total: int) -> None:
        bar.n = done
        bar.refresh()

    try:
        with _stoppable():
            result = plan.run(out, workers, progress, log=lambda s: typer.echo(s, err=True), scheduler=scheduler)
    except ScenarioError as exc:
        _fail(str(exc))
    except KeyboardInterrupt as exc:
        bar.close()
        typer.echo(f"interrupted: the finished points are kept in {plan.folder(out)}; run the same command again "
                   f"to run the others", err=True)
        raise typer.Exit(code=143 if isinstance(exc, _Terminated) else 130) from None
    finally:
        bar.close()
    checks = len(plan.check_points())
    typer.echo(f"{len(result.results)} of {len(plan.design())} points done"
               + (f" (and {checks} check point(s))" if checks else "")
               + f", {len(result.failed) + len(result.failed_checks)} failed")
    if not result.complete:
        typer.echo("the sweep is not complete: run the same command again to run the missing points")
    for table, key in ((result.indices, {"morris": "mu_star", "sobol": "ST"}.get(plan.spec.method)),
                       (result.tornado, "swing")):
        if table is not None and len(table):
            shown = table.sort_values(["output", key], ascending=[True, False])
            typer.echo(shown.to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    for line in result.check_lines():
        typer.echo(line)
    if result.discovery is not None:
        for line in result.discovery.lines():
            typer.echo(line)
    typer.echo(str(result.folder))


@app.command()
def report(
    run_dir: Path = typer.Argument(..., help="A run folder written by 'loopbaan run'."),
    lang: str = typer.Option("nl", "--lang", help="Language of the report: nl (report.html) or en (report.en.html)."),
    backcast: Path | None = typer.Option(None, "--backcast", help="A run folder of 'loopbaan backcast', for the "
                                         "out-of-sample years of the validation."),
    alternative: list[Path] | None = typer.Option(None, "--alternative", help="A run folder of the same scenarios "
                                                  "under another projection (loopbaan run ... --projection trend), "
                                                  "for the headline side by side; may be given more than once."),
    uncertainty: Path | None = typer.Option(None, "--uncertainty", help="A run folder with parameter sets "
                                            "(loopbaan run ... --parameter-sets M), for what would sharpen each "
                                            "headline most."),
) -> None:
    """Write the report (findings, charts, calibration, assumptions, manifest) into a run folder; its path is printed.

    Executes notebooks/report.py on RUN_DIR (it never runs the model or picks a folder) and writes a
    self-contained HTML file: report.html in Dutch, report.en.html in English.
    """
    from ..report.render import ReportError, write_report

    try:
        with _stoppable():  # a stopped report removes its scratch folder and writes nothing
            path = write_report(run_dir, lang, backcast, alternative, uncertainty)
    except ReportError as exc:
        _fail(str(exc))
    except KeyboardInterrupt as exc:
        typer.echo("interrupted: no report was written", err=True)
        raise typer.Exit(code=143 if isinstance(exc, _Terminated) else 130) from None
    typer.echo(str(path))


@app.command()
def explain(  # noqa: PLR0913 - a situation has this many fields, each an option
    status: str = typer.Option(..., "--status", help="employed, jobseeker (registered with VDAB) or non_active."),
    months_worked: int = typer.Option(..., "--months-worked", help="Months of work in the whole career (the current "
                                                                    "job included)."),
    months_in_spell: int = typer.Option(..., "--months-in-spell", help="Months in the current job, or out of work."),
    gap_before_job: int = typer.Option(0, "--gap-before-job", help="At work: months out of work just before the job."),
    benefit: list[str] = typer.Option([], "--benefit", help="A benefit received now (repeat for more): unemployment, "
                                                             "career_break, incapacity or pension."),
    earlier_benefit: list[str] = typer.Option([], "--earlier-benefit", help="A benefit received earlier in the time "
                                                                             "out of work (repeat for more)."),
    benefit_ended: int = typer.Option(0, "--benefit-ended", help="Months since the earlier benefits ended."),
    cheques_used: int = typer.Option(0, "--cheques-used", help="Cheques used in the window that runs (0-2)."),
    first_cheque: int = typer.Option(0, "--first-cheque", help="Months since that window began."),
    age: int = typer.Option(40, "--age", help="Age in years (20-64)."),
    education: str = typer.Option("medium", "--education", help="low, medium or high."),
    migration_background: bool = typer.Option(False, "--migration-background", help="Of migration background."),
    work_disability: bool = typer.Option(False, "--work-disability", help="With a work disability."),
    scenario: list[str] = typer.Option([], "--scenario", help="A scenario to ask about (repeat for more; default: "
                                                              "every shipped one)."),
    date: str = typer.Option("2026-01-01", "--date", help="The day asked about (YYYY-MM-DD or YYYY-MM)."),
    lang: str = typer.Option("en", "--lang", help="nl or en."),
) -> None:
    """Say for one person, under each scenario, whether they may order a cheque, which rule decides and who pays what."""
    from ..report import labels
    from . import explain as calculator
    from . import printing

    try:
        situation = calculator.Situation.checked(
            status=status, months_worked=months_worked, months_in_spell=months_in_spell, gap_before_job=gap_before_job,
            benefits=tuple(benefit), earlier_benefits=tuple(earlier_benefit), benefit_ended_months_ago=benefit_ended,
            cheques_used=cheques_used, first_cheque_months_ago=first_cheque, age=age, education=education,
            migration_background=migration_background, work_disability=work_disability)
        verdicts = calculator.explain(situation, scenario or None, date, lang)
    except (ScenarioError, ParameterError) as exc:
        _fail(str(exc))
    day = calculator.checked_date(date)
    typer.echo(labels.text("explain.heading", lang, date=day.isoformat()))
    for line in calculator.sentences(verdicts, lang):
        typer.echo(printing.wrapped(f"  {line}", "    "))


@app.command(name="app")
def serve_app(
    port: int = typer.Option(8765, "--port", help="Port of the page on this machine (0: a free one)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (this machine only by default)."),
    scale: float = typer.Option(None, "--scale", help="Scale of the page's runs (default 1: the full population)."),
    replications: int = typer.Option(None, "--replications",
                                     help="Replications of the page's runs (default 2: the least for an interval)."),
) -> None:
    """Serve the what-if page: choose the levers, run, read the findings and charts, download the scenario.

    The page's first run simulates the law and keeps it (about a minute and a half at full scale); every later
    run simulates only the new choice of levers.
    """
    from . import whatif

    if not 0 <= port <= 65535:
        _fail(f"--port must be from 0 to 65535, got {port}")
    try:
        chosen = whatif.checked_settings({"scale": whatif.PAGE["scale"] if scale is None else scale,
                                          "replications": whatif.PAGE["replications"] if replications is None
                                          else replications}, {"scale": "--scale", "replications": "--replications"})
    except ScenarioError as exc:
        _fail(str(exc))
    for key, value in chosen.items():  # (read by the page's process, which replaces this one)
        os.environ[whatif.SETTINGS_VARIABLES[key]] = str(value)
    typer.echo(f"the what-if page: http://{host}:{port} (Ctrl-C stops it)", err=True)
    command = [sys.executable, "-m", "solara", "run", "model.interfaces.app", "--host", host, "--port", str(port),
               "--production",
               "--no-open", "--no-check-version", "--log-level", "warning"]
    # plain http on this machine: Solara's note on cookies over https is no news here
    os.environ["PYTHONWARNINGS"] = "ignore::UserWarning:solara.server.starlette"
    os.chdir(Path(__file__).resolve().parents[2])
    # the server replaces this process, so a signal that stops 'loopbaan app' stops the page itself
    os.execv(sys.executable, command)


if __name__ == "__main__":
    app()
