"""The foraging world as the generation loop sees it: genomes in, one lived generation out.

A relocation shift draws a new food capacity map from ``stream(root, "landscape", number)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from agents.genome import DecodedAgents, GenomeLayout, with_capacity
from agents.inspection import inspection_enabled
from agents.inspection_reporters import InspectionView, inspection_columns
from agents.nesting.config import pack_nest
from agents.rng import seed_int, stream
from worlds.base import LifetimeBase, RunConfig, WorldBase
from worlds.foraging import ENTRY
from worlds.foraging.inspection import inspected_generation, inspection_entity_columns
from worlds.foraging.lifetime import simulate_lifetime
from worlds.foraging.metrics import entity_columns, generation_row, task_columns
from worlds.foraging.params import PARAM_DEFAULTS, PARAM_NAMES, pack_params
from worlds.foraging.state import ForagingState, Landscape, make_landscape, new_lifetime
from worlds.foraging.tasks import Task, TaskPool
from worlds.shifts import WorldAtGeneration


@dataclass
class ForagingLifetime(LifetimeBase):
    """One generation lived in the foraging world."""

    state: ForagingState
    max_level: int = 1
    task: Task | None = None  # the pool entry lived in (None: no task diversity; nothing recorded)
    inspection: InspectionView | None = None  # the designer's inspection (``[inspection]`` on), else None
    shift_extras = ("sugar_level",)

    @property
    def fitness(self) -> np.ndarray:
        """Reproductive fitness of each genome: offspring conceived by its level-1 agent (zero for a
        newborn the designer culled)."""
        if self.inspection is not None:
            return self.inspection.fitness
        return self.state.offspring[: self.genomes.shape[0]].astype(np.float64)

    def row(self) -> dict:
        row = generation_row(self.genomes, self.layout, self.agents, self.state, self.max_level)
        if self.task is not None:
            row.update(task_columns(self.task, self.agents, self.genomes.shape[0]))
        if self.inspection is not None:
            row.update(inspection_columns(self.inspection))
        return row

    def entity_columns(self) -> dict[str, np.ndarray]:
        cols = entity_columns(self.generation, self.agents, self.state, self.max_level)
        if self.inspection is not None:  # level-1 agents' inspection; sub-agents' rows are zeros
            cols.update(inspection_entity_columns(self.inspection, self.state, int(self.state.n_used[0])))
        return cols


class ForagingWorld(WorldBase):
    """Landscape drawn once per run; each generation lives a fresh lifetime on it."""

    entry = ENTRY

    def __init__(self, config: RunConfig, layout: GenomeLayout):
        super().__init__(config, layout)
        w = config.world
        self.landscape = make_landscape(w.height, w.width, w.food_patches, w.patch_radius, w.sugar_patches,
                                        w.material_density, w.hazard_density, stream(config.run.seed, "landscape"))
        self.base_params = {name: float(getattr(w, name)) for name in PARAM_NAMES if name not in PARAM_DEFAULTS}
        self.base_params["fitness_objective"] = 1.0 if config.agents.objective == "fitness" else 0.0
        self._relocated: dict[int, Landscape] = {0: self.landscape}
        self.tasks = TaskPool(w, config.run.seed)

    def landscape_for(self, relocation: int) -> Landscape:
        """The landscape with the food capacity map of relocation event ``relocation`` (0: the original)."""
        if relocation not in self._relocated:
            w = self.config.world
            drawn = make_landscape(w.height, w.width, w.food_patches, w.patch_radius, w.sugar_patches,
                                   w.material_density, w.hazard_density,
                                   stream(self.config.run.seed, "landscape", relocation))
            self._relocated[relocation] = replace(self.landscape, food_cap=drawn.food_cap)
        return self._relocated[relocation]

    def episode(self, generation: int, world: WorldAtGeneration, agents: DecodedAgents, steps: int,
                test: bool = False) -> tuple[DecodedAgents, ForagingState]:
        """Live one episode of ``steps`` steps in this generation's task: ordinary life, or (``test``) an
        inspection's test episode, from start cells and kernel draws of its own. Returns the agents (padded
        with room for sub-agents) and the final state."""
        cfg, root = self.config, self.config.run.seed
        n, capacity = agents.n, cfg.nesting.capacity(agents.n)
        if capacity > n:
            agents = with_capacity(agents, capacity)
        task = self.tasks.task_for(generation)
        landscape = self.landscape_for(world.relocation) if task.landscape is None else task.landscape
        params = {**world.params, **task.params}
        sugar_level = world.extra["sugar_level"] if task.sugar_level is None else task.sugar_level
        positions, draws = ("test-positions", "test-world") if test else ("positions", "world")
        state = new_lifetime(landscape, n, cfg.world.initial_energy, sugar_level,
                             stream(root, positions, generation), capacity, steps)
        simulate_lifetime(state, agents, pack_params(params), seed_int(root, draws, generation), steps,
                          pack_nest(cfg.nesting.kernel_values()))
        return agents, state

    def lifetime(self, genomes: np.ndarray, generation: int, world: WorldAtGeneration,
                 agents: DecodedAgents) -> ForagingLifetime:
        cfg = self.config
        max_level = cfg.nesting.max_level if cfg.nesting.subagents else 1
        task = self.tasks.task_for(generation) if self.tasks.diverse else None
        if inspection_enabled(cfg):
            life_agents, state, view = inspected_generation(self, genomes, generation, world, agents)
            return ForagingLifetime(generation, genomes, self.layout, life_agents, world, state, max_level, task,
                                    view)
        agents, state = self.episode(generation, world, agents, cfg.world.steps)
        return ForagingLifetime(generation, genomes, self.layout, agents, world, state, max_level, task)
