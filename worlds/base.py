"""What a world is to the rest of the package: the ``World`` protocol, its registry entry, and the concrete
base (``WorldBase``, ``LifetimeBase``) that owns the lifetime steps every world shares.

A world is built once per run from ``(config, layout)``; each generation
``live(genomes, generation)`` runs every lifetime (numba kernels over
structure-of-arrays) and returns a ``Lifetime``: ``fitness`` (one value per
genome, what selection sees), ``metrics()`` (the world's generation row, shared
columns from ``worlds.reporters``) and ``entity_columns()`` (per-entity records as named
numpy columns, arrays of their own that nothing changes later: the recorder keeps them, without a
copy, as Arrow until it writes them; pandas gets them on demand).
A world owns its config section, vocabulary (features, genome layout, comparators),
parameters, state, search model, kernel, reference twin and metrics in its own
subpackage, and registers a ``WorldEntry`` in ``worlds.registry``. Every world's
package has the same module and function names: ``genome`` (``FEATURES``,
``genome_layout``), ``state``, ``model`` (``plan``), ``kernel`` (``step``,
``run_lifetime``, taking named structures), ``reference`` (``reference_step``) and
``world``. A world reads its run config through ``RunConfig`` and never imports ``evo``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping, Protocol

import numpy as np

from agents.genome import DecodedAgents, GenomeLayout, Segment, decode
from worlds.shifts import WorldAtGeneration, world_at

if TYPE_CHECKING:
    from agents.schema import Section
    from worlds.shifts import ShiftBase


class RunConfig(Protocol):
    """What a world reads of a run config (``evo.config.Config`` is one): its sections by name."""

    @property
    def run(self) -> Any: ...  # .seed

    @property
    def world(self) -> Any: ...  # the world's own [world] section

    @property
    def agents(self) -> Any: ...  # .architecture, .max_depth, .objective

    @property
    def nesting(self) -> Any: ...  # [nesting] (worlds with sub-agents)

    @property
    def shifts(self) -> tuple: ...  # the shift schedule


class Lifetime(Protocol):
    """One generation lived in a world."""

    @property
    def fitness(self) -> np.ndarray: ...

    def metrics(self) -> dict[str, Any]: ...

    def entity_columns(self) -> dict[str, np.ndarray]: ...


class World(Protocol):
    """A world as the generation loop sees it."""

    def __init__(self, config: RunConfig, layout: GenomeLayout) -> None: ...

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


@dataclass
class LifetimeBase:
    """One generation lived in a world: the bookkeeping every world keeps, and the shift columns of its row.

    A world's lifetime adds its own fields and fills in ``fitness``, ``row()`` (its generation
    row before the shift columns) and ``entity_columns()``.
    """

    generation: int
    genomes: np.ndarray
    layout: GenomeLayout
    agents: DecodedAgents
    world: WorldAtGeneration
    #: Shifted parameters outside the kernel vector recorded in the row (after ``shifts_active``).
    shift_extras: ClassVar[tuple[str, ...]] = ()

    @property
    def fitness(self) -> np.ndarray:
        raise NotImplementedError

    def row(self) -> dict[str, Any]:
        raise NotImplementedError

    def entity_columns(self) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def metrics(self) -> dict[str, Any]:
        """The world's row, then the shift columns: which shifts are in force and every shifted value."""
        row = self.row()
        row["shifts_active"] = ",".join(self.world.active)
        for name in self.shift_extras:
            row[name] = self.world.extra[name]
        row.update(self.world.shifted)
        return row


class WorldBase:
    """The lifetime steps every world shares: the shift schedule applied, genomes decoded, the
    fitness-mirroring objective put in place; a world fills in ``lifetime`` (and may override
    ``base_params``, its kernel parameters before shifts, and ``fitness_objective``)."""

    entry: ClassVar[WorldEntry]

    def __init__(self, config: RunConfig, layout: GenomeLayout):
        self.config = config
        self.layout = layout
        self.base_params: dict[str, float] = {}

    @property
    def architecture(self) -> str:
        """How genomes decode: planners only where the world has no reactive agents."""
        return "planner" if self.entry.planners_only else self.config.agents.architecture

    def fitness_objective(self, agents: DecodedAgents) -> DecodedAgents:
        """``agents`` given the fitness-mirroring objective (default: the world's kernel reads it from
        ``base_params``)."""
        return agents

    def lifetime(self, genomes: np.ndarray, generation: int, world: WorldAtGeneration,
                 agents: DecodedAgents) -> LifetimeBase:
        raise NotImplementedError

    def live(self, genomes: np.ndarray, generation: int) -> LifetimeBase:
        cfg = self.config
        world = world_at(cfg.shifts, generation, self.base_params, self.entry.shift_params, self.entry.extra_base)
        agents = decode(genomes, self.layout, self.architecture, cfg.agents.max_depth)
        if cfg.agents.objective == "fitness":
            agents = self.fitness_objective(agents)
        return self.lifetime(genomes, generation, world, agents)
