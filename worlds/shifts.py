"""The shift schedule: which environment changes are in force at a generation.

Each event sets one world parameter (``SHIFT_PARAM``) to a target value with a
timing: ``abrupt`` (the target from ``generation`` on), ``gradual`` (a linear ramp
from the value before to the target between ``generation`` and ``ramp_end``) or
``periodic`` (the target for ``period`` generations, the value before for the next
``period``, and so on). ``until`` (exclusive) ends an event and restores the value
before it; otherwise an event lasts until the next event on the same parameter.
Events on different parameters combine freely.

Relocation sets the integer ``relocation`` parameter to the event's number (its
1-based position in the schedule): the foraging world then draws its food capacity
map from ``stream(root, "landscape", number)``, the maze world draws the exit
outside the training corner.

``schedule_errors`` rejects contradictory schedules before a run starts; ``world_at``
is the one place that turns a schedule into a generation's world settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Protocol, Sequence

#: The world parameter each shift kind sets.
SHIFT_PARAM: dict[str, str] = {
    "superstimulus": "sugar_level",
    "contraception": "conception_prob",
    "relocation": "relocation",
    "scarcity": "food_regrow",
    "hazard_surge": "hazard_damage",
    "affordance": "build_allowed",
}
#: Parameters outside the kernel's vector, with their value before any shift.
EXTRA_BASE: dict[str, float] = {"sugar_level": 0.0, "relocation": 0.0}


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
    sugar_level: float
    active: tuple[str, ...]  # names of the events in force
    shifted: dict[str, float] = field(default_factory=dict)  # value of each parameter the schedule shifts
    relocation: int = 0  # number of the relocation event in force (0: none)


def event_name(event: Event) -> str:
    """The event's display name: its ``name``, or ``kind@generation``."""
    return event.name or f"{event.kind}@{event.generation}"


def _label(index: int, event: Event) -> str:
    return f"shifts[{index}]"


def event_target(index: int, event: Event) -> float:
    """The value an event sets its parameter to (relocation: its 1-based number)."""
    param = SHIFT_PARAM[event.kind]
    return float(index + 1) if param == "relocation" else float(getattr(event, param))


def schedule_errors(events: Sequence[Event], generations: int, kinds: Iterable[str]) -> list[str]:
    """Every problem of a schedule for a run of ``generations`` in a world that knows ``kinds``."""
    kinds = tuple(kinds)
    errors: list[str] = []
    for i, ev in enumerate(events):
        lab = _label(i, ev)
        first = len(errors)
        if ev.kind not in kinds:
            errors.append(f"{lab}.kind: {ev.kind!r} does not apply to this world (it knows {', '.join(kinds)})")
        if ev.generation >= generations:
            errors.append(f"{lab}.generation = {ev.generation} is past the run's end (run.generations = {generations})")
        if ev.ramp_end is not None:
            if ev.ramp_end <= ev.generation:
                errors.append(f"{lab}.ramp_end = {ev.ramp_end} ends before the ramp starts "
                              f"(generation = {ev.generation})")
            elif ev.ramp_end > generations:
                errors.append(f"{lab}.ramp_end = {ev.ramp_end} is past the run's end (run.generations = {generations})")
        if ev.until is not None and ev.until <= ev.generation:
            errors.append(f"{lab}.until = {ev.until} ends before the shift starts (generation = {ev.generation})")
        if ev.until is not None and ev.ramp_end is not None and ev.until < ev.ramp_end:
            errors.append(f"{lab}.until = {ev.until} cuts its own ramp (ramp_end = {ev.ramp_end})")
        if ev.kind == "relocation" and ev.timing == "gradual":
            errors.append(f"{lab}.timing: a relocation cannot ramp (use 'abrupt' or 'periodic')")
        errors[first:] = [f"{e} [shift '{event_name(ev)}']" for e in errors[first:]]
    by_param: dict[str, list[int]] = {}
    for i, ev in enumerate(events):
        by_param.setdefault(SHIFT_PARAM.get(ev.kind, ev.kind), []).append(i)
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


def _value(events: Sequence[tuple[int, Event]], generation: int, base: float) -> tuple[float, bool]:
    """(value, whether an event is in force) of one parameter; ``events`` sorted by generation."""
    started = [(i, ev) for i, ev in events if ev.generation <= generation]
    if not started:
        return base, False
    i, ev = started[-1]
    prior = _value(started[:-1], ev.generation - 1, base)[0]
    if ev.until is not None and generation >= ev.until:
        return prior, False
    target = event_target(i, ev)
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


def world_at(events: Iterable[Event], generation: int, base_params: dict[str, float]) -> WorldAtGeneration:
    """Apply every event in force at ``generation`` to the base parameters.

    ``base_params`` holds the unshifted world parameters; ``sugar_level`` and
    ``relocation`` start at 0 unless it names them.
    """
    events = list(events)
    base = {**EXTRA_BASE, **base_params}
    by_param: dict[str, list[tuple[int, Event]]] = {}
    for i, ev in enumerate(events):
        if ev.kind not in SHIFT_PARAM:  # the config schema admits only the kinds above
            raise ValueError(f"unknown shift kind {ev.kind!r}")
        by_param.setdefault(SHIFT_PARAM[ev.kind], []).append((i, ev))
    values = dict(base)
    active: list[tuple[int, str]] = []
    for param, evs in by_param.items():
        evs.sort(key=lambda p: p[1].generation)
        values[param], on = _value(evs, generation, base[param])
        if on:
            i, ev = [p for p in evs if p[1].generation <= generation][-1]
            active.append((i, event_name(ev)))
    params = {k: v for k, v in values.items() if k in base_params and k not in EXTRA_BASE}
    shifted = {param: values[param] for param in by_param}
    return WorldAtGeneration(params, float(values["sugar_level"]), tuple(n for _, n in sorted(active)),
                             shifted, int(values["relocation"]))
