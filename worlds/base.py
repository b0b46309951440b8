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

from agents.genome import GenomeLayout, Segment

if TYPE_CHECKING:
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


#: Comparators a world may support (``agents.genome.apply_comparators`` and ``agents.objective``):
#: the objective held fixed, the depth held fixed, the heredity gene held fixed, and the
#: fitness-mirroring objective (``agents.objective = "fitness"``).
COMPARATORS: tuple[str, ...] = ("fixed_weights", "fixed_depth", "heredity", "fitness_objective")


def planner_segments(features: tuple[str, ...]) -> tuple[Segment, ...]:
    """The genes of a world of planners (block 0): architecture, one drive weight per feature, competence."""
    return (Segment("architecture", 1, 0.0, 1.0),
            Segment("drives", len(features), -1.0, 1.0, labels=tuple(f"w_{f}" for f in features)),
            Segment("competence", 1, 0.0, 1.0))


#: Genes the maze and hungry-thirsty worlds carried, unused, from the time every world shared the foraging
#: genome (a reactive policy of 6 x 7 genes in block 0, six hand-down genes in block 1, two defection
#: genes in block 2). They stay in those worlds' layouts so that their scenarios keep their genomes and
#: tables bit for bit; a new world declares only the genes it reads.
LEGACY_SEGMENTS: tuple[Segment, ...] = (
    Segment("unused_policy", 42, -1.0, 1.0),
    Segment("unused_handdown", 6, 0.0, 1.0, block=1),
    Segment("unused_defection", 2, 0.0, 1.0, block=2),
)


@dataclass(frozen=True)
class WorldEntry:
    """What the rest of the package needs to know about one world, its vocabulary included.

    ``features`` names the world's proxy features (the drive weights' columns); ``layout``
    builds its genome layout from a run config (which segments exist is the world's
    declaration, and an option may append its own); ``policy_shape`` is the reactive
    policy's (rows, observations), () where it has none; ``comparators`` are the
    ones of ``COMPARATORS`` it honours; ``shifts`` its shift kinds.
    """

    kind: str
    section: type["Section"]  # its [world] config section (a ``kind`` Literal field names it)
    shifts: Mapping[str, tuple[type["ShiftBase"], str]]  # shift kind -> (schema, parameter it sets)
    extra_base: Mapping[str, float] = field(default_factory=dict)  # shifted parameters outside the kernel vector
    factory: str = ""  # "module:Class" of the world, built from (config, layout)
    planners_only: bool = False  # True when the world has no reactive agents
    grid_cells: Callable[[Any], int] = lambda section: 0  # cells of one map (memory and time estimates)
    features: tuple[str, ...] = ()
    layout: Callable[[Any], GenomeLayout] | None = None  # (config) -> the genome layout
    policy_shape: tuple[int, ...] = ()
    comparators: frozenset[str] = frozenset({"fixed_weights", "fixed_depth"})

    def __post_init__(self) -> None:
        unknown = sorted(set(self.comparators) - set(COMPARATORS))
        if unknown:
            raise ValueError(f"world {self.kind!r}: unknown comparators {unknown} (known: {', '.join(COMPARATORS)})")

    def genome_layout(self, config: Any = None) -> GenomeLayout:
        """The genome layout of a run of this world (``config`` may switch optional segments on)."""
        if self.layout is None:
            raise ValueError(f"world {self.kind!r} declares no genome layout")
        return self.layout(config)

    @property
    def shift_params(self) -> dict[str, str]:
        return {kind: param for kind, (_, param) in self.shifts.items()}

    def world_class(self) -> type[World]:
        """The world class (importing it compiles nothing until a kernel is first called)."""
        module, name = self.factory.split(":")
        return getattr(importlib.import_module(module), name)
