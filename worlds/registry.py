"""One registry: ``world.kind`` -> the world, its config section and its shift kinds.

Each world's package defines its ``ENTRY`` without compiling anything; the world
class itself (and so its kernels) is imported only when a run builds it. Adding
a world is adding its subpackage and one line in ``_PACKAGES``.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from worlds.base import WorldEntry

_PACKAGES = ("worlds.foraging", "worlds.maze", "worlds.hungry_thirsty")


@cache
def worlds() -> dict[str, WorldEntry]:
    """Every registered world, by kind (in registration order; the first is the default)."""
    entries = (importlib.import_module(package).ENTRY for package in _PACKAGES)
    return {entry.kind: entry for entry in entries}


def world_entry(kind: str) -> WorldEntry:
    """The registry entry of ``kind``; ValueError naming the known kinds otherwise."""
    known = worlds()
    if kind not in known:
        raise ValueError(f"unknown world kind {kind!r} (known: {', '.join(known)})")
    return known[kind]


def shift_schemas() -> dict[str, Any]:
    """Every shift kind any world knows -> its schema (one schema per kind)."""
    out: dict[str, Any] = {}
    for entry in worlds().values():
        for kind, (schema, _) in entry.shifts.items():
            out.setdefault(kind, schema)
    return out
