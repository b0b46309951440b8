"""The shift schedule: which environment changes are in force at a generation.

An event has a ``kind``, a ``generation`` and parameters; an abrupt event is in
force from its generation on, and a later event of the same kind replaces an
earlier one. ``world_at`` turns the schedule into the world parameters of one
generation, so new kinds (and later gradual or periodic timing) only add cases here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Protocol


class Event(Protocol):
    kind: str
    generation: int
    name: str


@dataclass(frozen=True)
class WorldAtGeneration:
    """World settings in force at one generation."""

    params: dict[str, float]
    sugar_level: float
    active: tuple[str, ...]  # names of the events in force


def event_name(event: Event) -> str:
    """The event's display name: its ``name``, or ``kind@generation``."""
    return event.name or f"{event.kind}@{event.generation}"


def world_at(events: Iterable[Event], generation: int, base_params: dict[str, float]) -> WorldAtGeneration:
    """Apply every event in force at ``generation`` to the base parameters."""
    params = dict(base_params)
    sugar_level = 0.0
    latest: dict[str, Any] = {}
    for ev in sorted(events, key=lambda e: e.generation):
        if ev.generation <= generation:
            latest[ev.kind] = ev
    for kind, ev in latest.items():
        if kind == "superstimulus":
            sugar_level = float(ev.sugar_level)
        elif kind == "contraception":
            params["conception_prob"] = float(ev.conception_prob)
        else:  # the config schema admits only the kinds handled above
            raise ValueError(f"unknown shift kind {kind!r}")
    return WorldAtGeneration(params, sugar_level, tuple(event_name(e) for e in latest.values()))
