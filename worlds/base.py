"""What a world is to the rest of the package: the ``World`` protocol and its registry entry.

A world is built once per run from ``(config, layout)``; each generation
``live(genomes, generation)`` runs every lifetime (numba kernels over
structure-of-arrays) and returns a ``Lifetime``: ``fitness`` (one value per
genome, what selection sees), ``metrics()`` (the world's generation row, shared
columns from ``worlds.reporters``) and ``entity_columns()`` (per-entity records as named
numpy columns, arrays of their own that nothing changes later: the recorder keeps them, without a
copy, as Arrow until it writes them; pandas gets them on demand).
A world owns its config section, parameters, state, search model, kernel,
reference twin and metrics in its own subpackage, and registers a ``WorldEntry``
in ``worlds.registry``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol

import numpy as np

if TYPE_CHECKING:
    from agents.genome import GenomeLayout
    from agents.schema import Section
    from worlds.shifts import ShiftBase


class Lifetime(Protocol):
    """One generation lived in a world."""

    @property
    def fitness(self) -> np.ndarray: ...

    def metrics(self) -> dict[str, Any]: ...

    def entity_columns(self) -> dict[str, np.ndarray]: ...


class World(Protocol):
    """A world as the generation loop sees it."""

    def __init__(self, config: Any, layout: "GenomeLayout") -> None: ...

    def live(self, genomes: np.ndarray, generation: int) -> Lifetime: ...


@dataclass(frozen=True)
class WorldEntry:
    """What the rest of the package needs to know about one world."""

    kind: str
    section: type["Section"]  # its [world] config section (a ``kind`` Literal field names it)
    shifts: Mapping[str, tuple[type["ShiftBase"], str]]  # shift kind -> (schema, parameter it sets)
    extra_base: Mapping[str, float] = field(default_factory=dict)  # shifted parameters outside the kernel vector
    factory: str = ""  # "module:Class" of the world, built from (config, layout)
    planners_only: bool = False  # True when the world has no reactive agents
    grid_cells: Callable[[Any], int] = lambda section: 0  # cells of one map (memory and time estimates)

    @property
    def shift_params(self) -> dict[str, str]:
        return {kind: param for kind, (_, param) in self.shifts.items()}

    def world_class(self) -> type[World]:
        """The world class (importing it compiles nothing until a kernel is first called)."""
        module, name = self.factory.split(":")
        return getattr(importlib.import_module(module), name)
