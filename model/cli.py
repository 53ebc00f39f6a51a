"""Command line: ``loopbaan run``, ``loopbaan validate``, ``loopbaan params``.

Bad input (a wrong key, a value out of range, a missing file, inconsistent
scenarios) prints one clear message per problem on stderr and exits with
status 2 before anything is written.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Optional

import typer

from .params import ParameterError, ParameterTree
from .scenario import ScenarioError, check_compatible, load

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="loopbaansim: policy-impact simulation of the Flemish loopbaancheque.")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def _load_all(files: list[Path], scale: Optional[float], seed: Optional[int], replications: Optional[int]):
    try:
        law = ParameterTree.load()
        scenarios = [load(f, law) for f in files]
        for s in scenarios:
            if scale is not None:
                s.settings["scale"] = scale
            if seed is not None:
                s.settings["seed"] = seed
            if replications is not None:
                s.settings["replications"] = replications
        check_compatible(scenarios)
        return scenarios
    except (ScenarioError, ParameterError) as exc:
        _fail(str(exc))


@app.command()
def run(
    scenarios: list[Path] = typer.Argument(..., help="Scenario YAML files; they share population and random numbers."),
    scale: Optional[float] = typer.Option(None, "--scale", help="Share of the population to simulate, in (0, 1]."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Root seed (overrides the scenarios')."),
    replications: Optional[int] = typer.Option(None, "--replications", help="Replications (overrides the scenarios')."),
    out: Path = typer.Option(Path("outputs"), "--out", help="Folder in which the run folder is created."),
    name: Optional[str] = typer.Option(None, "--name", help="Name of the run folder (default: the scenario names)."),
) -> None:
    """Simulate the scenarios and write a new run folder; its path is the last line printed."""
    if scale is not None and not 0 < scale <= 1:
        _fail(f"--scale must be in (0, 1], got {scale}")
    if seed is not None and seed < 0:
        _fail(f"--seed must be 0 or more, got {seed}")
    if replications is not None and not 1 <= replications <= 1000:
        _fail(f"--replications must be from 1 to 1000, got {replications}")
    if out.exists() and not out.is_dir():
        _fail(f"--out '{out}' exists and is not a folder")
    if name is not None and not re.fullmatch(r"[A-Za-z0-9_+-][A-Za-z0-9_.+-]*", name):
        _fail(f"--name '{name}' is not allowed: use letters, digits and _ . + - (no '/', not starting with '.')")
    loaded = _load_all(scenarios, scale, seed, replications)
    from . import outputs, runner  # heavy imports only once the input is known to be good

    result = runner.run(loaded, progress=lambda s: typer.echo(s, err=True))
    folder = outputs.write_run(result, out, name or "+".join(s.name for s in loaded), sys.argv)
    typer.echo("")
    outputs.print_table(outputs.comparison_table(result))
    typer.echo("users back to work: recent users who started work (gross, including those who would have anyway);\n"
               "extra employed: people at work minus the first scenario, same people and draws (the net effect).")
    settings = loaded[0].settings
    if settings["scale"] < 1 and settings["replications"] == 1:
        typer.echo(f"note: at scale {settings['scale']:g} each simulated person stands for {result.weight:,.0f} people; "
                   f"differences between scenarios smaller than about {20 * result.weight:,.0f} people are within "
                   f"sampling noise. Use scale 1 or replications for results.", err=True)
    if result.capped:
        typer.echo(f"warning: {result.capped} hazards were capped at their ceiling (see manifest.json)", err=True)
    typer.echo(str(folder))


@app.command()
def validate(scenarios: list[Path] = typer.Argument(..., help="Scenario YAML files to check.")) -> None:
    """Check scenario files (keys, values, parameter paths, consistency) without running."""
    loaded = _load_all(scenarios, None, None, None)
    for s in loaded:
        st = s.settings
        typer.echo(f"{s.files[0]}: ok: '{s.name}' ({' <- '.join(str(f.name) for f in s.files)}), "
                   f"{st['start']} to {st['end']}, warm-up {st['warmup_months']} months, scale {st['scale']}, "
                   f"seed {st['seed']}, {st['replications']} replication(s), {len(s.overrides)} override(s)")


@app.command()
def params(
    prefix: str = typer.Argument("", help="Show parameters whose path starts with this."),
    date: Optional[str] = typer.Option(None, "--date", help="Show the values in force on this date (YYYY-MM-DD)."),
) -> None:
    """List parameters with their values, units and sources."""
    import datetime as dt

    tree = ParameterTree.load()
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


if __name__ == "__main__":
    app()
