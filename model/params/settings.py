"""Run settings: their types, bounds and defaults, in one place.

A run has one :class:`RunSettings`: the reported period, the warm-up, the scale,
the root seed, the replications and the parameter sets. A scenario file may
declare them (:class:`DeclaredSettings`, inherited through ``extends``); a run
takes them from its scenarios, which must agree, or from what the caller gives
(``--scale``, ``Simulation(scale=...)``), and holds them once
(:func:`model.params.scenario.run_settings`). Everything that runs, writes or
reports a run reads them from there.

The bounds of each setting are declared once here, as annotated types; the
messages for a scenario file (pydantic's) and for a command-line flag
(:func:`flag_problem`) both come from them.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .calendar import month_of

MONTH_PATTERN = r"^(19[5-9]\d|2[01]\d\d)-(0[1-9]|1[0-2])$"  # 1950-2199
MIN_SCALE = 1e-4  # about 390 simulated people: below that, a run says nothing
MAX_SEED = 2**63 - 1

Month = Annotated[str, Field(pattern=MONTH_PATTERN, description="A month, YYYY-MM (1950-2199)")]
Scale = Annotated[float, Field(ge=MIN_SCALE, le=1, description="Share of the population simulated (1 = one agent "
                                                               "per person); at least about 390 simulated people")]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED, description="Root seed of the random numbers")]
Replications = Annotated[int, Field(ge=1, le=1000, description="Independent replications (new population and draws "
                                                               "each); with parameter sets, of each set")]
ParameterSets = Annotated[int, Field(ge=0, le=1000, description="Parameter sets drawn from the declared distributions "
                                                                "(0: the central values); each runs every replication")]
WarmupMonths = Annotated[int, Field(ge=0, le=240, description="Months simulated before start, not reported")]

NAMES = ("start", "end", "scale", "seed", "replications", "parameter_sets", "warmup_months")
DEFAULTS: dict[str, Any] = {"scale": 1.0, "seed": 0, "replications": 1, "parameter_sets": 0, "warmup_months": 0}
PATTERN_HELP = {"start": "a month as YYYY-MM, from 1950-01 to 2199-12", "end": "a month as YYYY-MM, from 1950-01 to 2199-12"}
_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class DeclaredSettings(BaseModel):
    """The run settings a scenario file may declare (each may be left out: it is then inherited)."""

    model_config = _STRICT

    start: Month | None = Field(None, description="First reported month, YYYY-MM (1950-2199)")
    end: Month | None = Field(None, description="Last reported month, YYYY-MM (1950-2199)")
    scale: Scale | None = None
    seed: Seed | None = None
    replications: Replications | None = None
    parameter_sets: ParameterSets | None = None
    warmup_months: WarmupMonths | None = None


class RunSettings(BaseModel):
    """The settings of one run: complete, checked, and never changed once made.

    Attributes:
        start, end: First and last reported month, ``YYYY-MM``.
        scale: Share of the population simulated.
        seed: Root seed.
        replications: Replications (of each parameter set, if any).
        parameter_sets: Parameter sets drawn (0: the central values).
        warmup_months: Months simulated before ``start`` and not reported.
    """

    model_config = ConfigDict(**_STRICT, frozen=True)

    start: Month
    end: Month
    scale: Scale = DEFAULTS["scale"]
    seed: Seed = DEFAULTS["seed"]
    replications: Replications = DEFAULTS["replications"]
    parameter_sets: ParameterSets = DEFAULTS["parameter_sets"]
    warmup_months: WarmupMonths = DEFAULTS["warmup_months"]

    @property
    def start_month(self) -> int:
        """First reported month (a month number)."""
        return month_of(self.start)

    @property
    def end_month(self) -> int:
        """Last reported month."""
        return month_of(self.end)

    @property
    def first_month(self) -> int:
        """First simulated month, warm-up included."""
        return self.start_month - self.warmup_months

    @property
    def n_months(self) -> int:
        """Reported months."""
        return self.end_month - self.start_month + 1

    @property
    def runs(self) -> int:
        """Runs of every scenario: the replications, times the parameter sets if any."""
        return self.replications * max(1, self.parameter_sets)

    def parameter_set_of(self, run):
        """The parameter set of a run (its replication number, or an array of them): run ``r`` is in set ``r // replications``."""
        return run // self.replications

    def updated(self, **values: Any) -> RunSettings:
        """A copy with some settings replaced, checked like the others.

        Raises:
            pydantic.ValidationError: for a value of the wrong type or out of its bounds.
        """
        return RunSettings.model_validate({**self.model_dump(), **values})


def flag_problem(name: str, value: Any, flag: str | None = None) -> str | None:
    """What is wrong with a setting given on the command line (None if nothing), from its declared bounds.

    Args:
        name: The setting (``scale``, ``seed``, ...).
        value: The value given.
        flag: The flag as the user typed it (default ``--`` and the name with dashes).
    """
    field = RunSettings.model_fields[name]
    flag = flag or "--" + name.replace("_", "-")
    try:
        TypeAdapter(Annotated[field.annotation, *field.metadata]).validate_python(value, strict=True)
    except ValidationError:
        low = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
        high = next((m.le for m in field.metadata if hasattr(m, "le")), None)
        finite = not isinstance(value, float) or math.isfinite(value)
        show = lambda bound: f"{bound:g}" if isinstance(bound, float) else str(bound)  # noqa: E731
        text = f"{flag} must be {'a finite number ' if not finite else ''}from {show(low)} to {show(high)}, got {value!r}"
        hint = field.description if name == "scale" else None
        return text + (f" ({hint.split('; ')[-1]})" if hint else "")
    return None
