"""The shift schedule: which environment changes are in force at a generation.

Each event sets one world parameter (the world's ``shift_params``, from its
registry entry: shift kind -> parameter) to a target value with a
timing: ``abrupt`` (the target from ``generation`` on), ``gradual`` (a linear ramp
from the value before to the target between ``generation`` and ``ramp_end``) or
``periodic`` (the target for ``period`` generations, the value before for the next
``period``, and so on). ``until`` (exclusive) ends an event and restores the value
before it; otherwise an event lasts until the next event on the same parameter.
Events on different parameters combine freely.

Relocation sets the integer ``relocation`` parameter to the event's number (its
1-based position in the schedule); each world says what a relocation moves.
``ShiftBase`` is the timing schema every shift kind shares; a world declares its
kinds (with their target fields) in its own ``config`` module.

``schedule_errors`` rejects contradictory schedules before a run starts;
``schedule_warnings`` names the shifts a run is too short to reach (not an error); ``world_at``
is the one place that turns a schedule into a generation's world settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal, Mapping, Protocol, Sequence

from pydantic import Field, model_validator

from agents.schema import Section

#: The parameter a relocation sets (every world that moves something understands it).
RELOCATION = "relocation"


class ShiftBase(Section):
    """Timing shared by every shift kind.

    ``abrupt``: the target value holds from ``generation`` on. ``gradual``: the value
    ramps linearly from the value before to the target between ``generation`` and
    ``ramp_end``. ``periodic``: on for ``period`` generations, off for ``period``, and
    so on from ``generation``. ``until`` (exclusive) ends the event: the value before
    it returns. An event without ``until`` lasts until the next event on its parameter.
    """

    generation: int = Field(ge=0)
    name: str = ""
    timing: Literal["abrupt", "gradual", "periodic"] = "abrupt"
    ramp_end: int | None = Field(None, ge=0)
    period: int | None = Field(None, ge=1)
    until: int | None = Field(None, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _default_name(cls, data):
        """An unnamed shift (one appended with ``--set 'shifts+={...}'``) is named ``kind@generation``,
        the name it is shown by everywhere (:func:`event_name`)."""
        if isinstance(data, dict) and not data.get("name") and isinstance(data.get("kind"), str) \
                and isinstance(data.get("generation"), int) and not isinstance(data.get("generation"), bool):
            data = {**data, "name": f"{data['kind']}@{data['generation']}"}
        return data

    @model_validator(mode="after")
    def _timing_fields(self) -> "ShiftBase":
        if self.timing == "gradual" and self.ramp_end is None:
            raise ValueError("a gradual shift needs ramp_end (the generation its ramp reaches the target)")
        if self.timing != "gradual" and self.ramp_end is not None:
            raise ValueError(f"ramp_end is only for timing = 'gradual' (this shift is {self.timing!r})")
        if self.timing == "periodic" and self.period is None:
            raise ValueError("a periodic shift needs period (generations on, then as many off)")
        if self.timing != "periodic" and self.period is not None:
            raise ValueError(f"period is only for timing = 'periodic' (this shift is {self.timing!r})")
        return self


class Relocation(ShiftBase):
    """Something moves: foraging food patches, the maze exit, ... (each world says what)."""

    kind: Literal["relocation"]


class Event(Protocol):
    kind: str
    generation: int
    name: str
    timing: str
    ramp_end: int | None
    period: int | None
    until: int | None


@dataclass(frozen=True)
class WorldAtGeneration:
    """World settings in force at one generation."""

    params: dict[str, float]  # the kernel parameters of the base world, shifted
    extra: dict[str, float]  # the shifted parameters outside the kernel's vector (sugar_level, relocation, ...)
    active: tuple[str, ...]  # names of the events in force
    shifted: dict[str, float] = field(default_factory=dict)  # value of each parameter the schedule shifts
    relocation: int = 0  # number of the relocation event in force (0: none)


def event_name(event: Event) -> str:
    """The event's display name: its ``name``, or ``kind@generation``."""
    return event.name or f"{event.kind}@{event.generation}"


def _label(index: int, event: Event) -> str:
    return f"shifts[{index}]"


def event_target(index: int, event: Event, param: str) -> float:
    """The value an event sets its parameter to (relocation: its 1-based number)."""
    return float(index + 1) if param == RELOCATION else float(getattr(event, param))


def schedule_errors(events: Sequence[Event], generations: int, shift_params: Mapping[str, str]) -> list[str]:
    """Every problem of a schedule for a run of ``generations`` in a world whose shift kinds
    set the parameters ``shift_params`` (kind -> parameter)."""
    kinds = tuple(shift_params)
    errors: list[str] = []
    for i, ev in enumerate(events):
        lab = _label(i, ev)
        first = len(errors)
        if ev.kind not in kinds:
            errors.append(f"{lab}.kind: {ev.kind!r} does not apply to this world (it knows {', '.join(kinds)})")
        if ev.ramp_end is not None and ev.ramp_end <= ev.generation:
            errors.append(f"{lab}.ramp_end = {ev.ramp_end} ends before the ramp starts "
                          f"(generation = {ev.generation})")
        if ev.until is not None and ev.until <= ev.generation:
            errors.append(f"{lab}.until = {ev.until} ends before the shift starts (generation = {ev.generation})")
        if ev.until is not None and ev.ramp_end is not None and ev.until < ev.ramp_end:
            errors.append(f"{lab}.until = {ev.until} cuts its own ramp (ramp_end = {ev.ramp_end})")
        if ev.kind == "relocation" and ev.timing == "gradual":
            errors.append(f"{lab}.timing: a relocation cannot ramp (use 'abrupt' or 'periodic')")
        errors[first:] = [f"{e} [shift '{event_name(ev)}']" for e in errors[first:]]
    by_param: dict[str, list[int]] = {}
    for i, ev in enumerate(events):
        by_param.setdefault(shift_params.get(ev.kind, ev.kind), []).append(i)
    for param, idx in by_param.items():
        idx.sort(key=lambda k: events[k].generation)
        for a, b in zip(idx, idx[1:]):
            ea, eb = events[a], events[b]
            clash = (f"{_label(a, ea)} ('{event_name(ea)}') and {_label(b, eb)} ('{event_name(eb)}') "
                     f"both set {param}")
            if ea.generation == eb.generation:
                errors.append(f"{clash} from generation {eb.generation}: contradictory")
            elif ea.ramp_end is not None and ea.ramp_end > eb.generation:
                errors.append(f"{clash}: the second starts at {eb.generation}, inside the ramp of the first "
                              f"(ramp_end = {ea.ramp_end})")
            elif ea.until is not None and ea.until > eb.generation:
                errors.append(f"{clash}: the second starts at {eb.generation} before the first ends "
                              f"(until = {ea.until})")
            elif ea.timing == "periodic" and ea.until is None:
                errors.append(f"{clash}: the first is periodic without 'until', so the two overlap")
    return errors


def schedule_warnings(events: Sequence[Event], generations: int) -> list[str]:
    """What a run of ``generations`` will not see of a schedule: shifts that start at or after
    its end (a shorter run of a scenario never reaches them) and ramps cut short by its end.

    Not errors: the run goes ahead, the shift simply never (or only partly) happens; the
    caller logs these and records them in the run's manifest.
    """
    notes: list[str] = []
    for i, ev in enumerate(events):
        lab = f"{_label(i, ev)} '{event_name(ev)}'"
        if ev.generation >= generations:
            notes.append(f"{lab} at generation {ev.generation} is past the run's end (run.generations = "
                         f"{generations}): the run never reaches it")
        elif ev.ramp_end is not None and ev.ramp_end > generations:
            reached = (generations - 1 - ev.generation) / (ev.ramp_end - ev.generation)
            notes.append(f"{lab}: its ramp ends at generation {ev.ramp_end}, past the run's end (run.generations = "
                         f"{generations}): the last generation gets {reached:.0%} of the way to the target")
    return notes


def _value(events: Sequence[tuple[int, Event]], generation: int, base: float, param: str) -> tuple[float, bool]:
    """(value, whether an event is in force) of one parameter; ``events`` sorted by generation."""
    started = [(i, ev) for i, ev in events if ev.generation <= generation]
    if not started:
        return base, False
    i, ev = started[-1]
    prior = _value(started[:-1], ev.generation - 1, base, param)[0]
    if ev.until is not None and generation >= ev.until:
        return prior, False
    target = event_target(i, ev, param)
    if ev.timing == "gradual":
        assert ev.ramp_end is not None
        if generation >= ev.ramp_end:
            return target, True
        frac = (generation - ev.generation) / (ev.ramp_end - ev.generation)
        return prior + frac * (target - prior), True
    if ev.timing == "periodic":
        assert ev.period is not None
        on = ((generation - ev.generation) // ev.period) % 2 == 0
        return (target, True) if on else (prior, False)
    return target, True


def world_at(events: Iterable[Event], generation: int, base_params: dict[str, float],
             shift_params: Mapping[str, str], extra_base: Mapping[str, float]) -> WorldAtGeneration:
    """Apply every event in force at ``generation`` to the base parameters.

    ``base_params`` holds the unshifted kernel parameters; ``extra_base`` the shifted
    parameters outside the kernel's vector with their value before any shift
    (``relocation`` starts at 0 unless named); ``shift_params`` maps each shift kind
    the world knows to the parameter it sets.
    """
    events = list(events)
    extra = {RELOCATION: 0.0, **extra_base}
    base = {**extra, **base_params}
    by_param: dict[str, list[tuple[int, Event]]] = {}
    for i, ev in enumerate(events):
        if ev.kind not in shift_params:  # the config schema admits only the world's kinds
            raise ValueError(f"unknown shift kind {ev.kind!r}")
        by_param.setdefault(shift_params[ev.kind], []).append((i, ev))
    values = dict(base)
    active: list[tuple[int, str]] = []
    for param, evs in by_param.items():
        evs.sort(key=lambda p: p[1].generation)
        values[param], on = _value(evs, generation, base[param], param)
        if on:
            i, ev = [p for p in evs if p[1].generation <= generation][-1]
            active.append((i, event_name(ev)))
    params = {k: v for k, v in values.items() if k in base_params and k not in extra}
    shifted = {param: values[param] for param in by_param}
    return WorldAtGeneration(params, {k: float(values[k]) for k in extra}, tuple(n for _, n in sorted(active)),
                             shifted, int(values[RELOCATION]))
