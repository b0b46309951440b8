"""The hungry-thirsty world as the generation loop sees it: genomes in, one lived generation out.

Every generation one start cell (any cell but the food and water cells) and the
seed of the kernel's thirst draws come from ``stream(root, "hungry-thirsty",
generation)``; every agent starts there, hungry, and thirsty when
``world.start_thirsty``. Fitness: food eaten in the lifetime. The genome is
``worlds.hungry_thirsty.genome``, read as ``worlds.hungry_thirsty.model`` describes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.genome import DecodedAgents
from agents.rng import stream
from worlds.base import LifetimeBase, WorldBase
from worlds.hungry_thirsty import ENTRY
from worlds.hungry_thirsty.genome import FEATURES
from worlds.hungry_thirsty.kernel import run_lifetime
from worlds.hungry_thirsty.model import F_ATE, F_DRANK, F_THIRSTY, FITNESS_WEIGHTS, SIZE, make_dist, make_geo, make_passable
from worlds.hungry_thirsty.state import HungryThirstyState, RoomsGrid
from worlds.reporters import (
    fitness_columns,
    gene_columns,
    level1_columns,
    objective_scores,
    proxy_columns,
    solo_planner_columns,
)
from worlds.shifts import WorldAtGeneration


def generation_draws(root: int, generation: int, geo: np.ndarray) -> tuple[int, int, np.uint64]:
    """The generation's start cell (not food, not water) and the seed of its thirst draws."""
    rng = stream(root, "hungry-thirsty", generation)
    cells = [(x, y) for y in range(SIZE) for x in range(SIZE)
             if (x, y) not in ((geo[0], geo[1]), (geo[2], geo[3]))]
    sx, sy = cells[int(rng.integers(len(cells)))]
    seed = rng.integers(0, np.iinfo(np.uint64).max, dtype=np.uint64, endpoint=True)
    return int(sx), int(sy), np.uint64(seed)


@dataclass
class HungryThirstyLifetime(LifetimeBase):
    """One generation lived in the hungry-thirsty world."""

    state: HungryThirstyState
    steps: int
    start: tuple[int, int]
    geo: np.ndarray

    @property
    def fitness(self) -> np.ndarray:
        return self.state.features[:, F_ATE].copy()

    def row(self) -> dict:
        st, fit, weights = self.state, self.fitness, self.agents.weights
        everyone = np.ones(fit.shape[0], dtype=bool)
        j = objective_scores(weights, st.features, everyone)
        row: dict = {
            "n_agents": int(fit.shape[0]),
            **fitness_columns(fit),
            "food_mean": float(fit.mean()),
            "drinks_mean": float(st.features[:, F_DRANK].mean()),
            "ever_ate_rate": float((fit > 0).mean()),
            "thirsty_share": float(st.features[:, F_THIRSTY].mean() / self.steps),
            "planner_share": 1.0,
            "depth_mean": float(self.agents.depth.mean()),
            "nodes_mean": float(st.nodes.mean() / self.steps),
            **level1_columns(j, fit, everyone),
            **proxy_columns(FEATURES, st.features, fit),
            "start_x": self.start[0], "start_y": self.start[1],
            "food_x": int(self.geo[0]), "food_y": int(self.geo[1]),
            "water_x": int(self.geo[2]), "water_y": int(self.geo[3]),
        }
        for k, f in enumerate(FEATURES):
            row.update(gene_columns(f"w_{f}", weights[:, k]))
        row.update(gene_columns("competence", self.genomes[:, self.layout.slice("competence")][:, 0]))
        return row

    def entity_columns(self) -> dict[str, np.ndarray]:
        st = self.state
        cols = solo_planner_columns(self.generation, FEATURES, self.agents.weights, self.agents.depth, st.features,
                                    self.fitness)
        cols["end_x"] = st.x.copy()
        cols["end_y"] = st.y.copy()
        cols["end_thirsty"] = st.thirsty.astype(bool)
        return cols


class HungryThirstyWorld(WorldBase):
    """The fixed four-room grid; a relocation swaps the food and water corners."""

    entry = ENTRY

    def __init__(self, config, layout):
        super().__init__(config, layout)
        self.passable = make_passable()
        self._grids: dict[bool, RoomsGrid] = {}

    def grids(self, relocated: bool) -> RoomsGrid:
        """The rooms with the food and water corners swapped when ``relocated``."""
        if relocated not in self._grids:
            geo = make_geo(relocated)
            self._grids[relocated] = RoomsGrid(self.passable, make_dist(self.passable, geo), geo)
        return self._grids[relocated]

    def fitness_objective(self, agents: DecodedAgents) -> DecodedAgents:
        """Planners value exactly what selection counts: food eaten (the kernel adds the leaf value,
        ``worlds.hungry_thirsty.model``)."""
        return agents._replace(weights=np.tile(FITNESS_WEIGHTS, (agents.n, 1)))

    def lifetime(self, genomes: np.ndarray, generation: int, world: WorldAtGeneration,
                 agents: DecodedAgents) -> HungryThirstyLifetime:
        cfg = self.config
        grid = self.grids(world.relocation > 0)
        sx, sy, seed = generation_draws(cfg.run.seed, generation, grid.geo)
        state = HungryThirstyState.start(agents.n, sx, sy, cfg.world.start_thirsty)
        run_lifetime(seed, cfg.world.steps, agents, grid, state, float(cfg.world.thirst_prob),
                     cfg.agents.objective == "fitness")
        return HungryThirstyLifetime(generation, genomes, self.layout, agents, world, state, cfg.world.steps,
                                     (sx, sy), grid.geo)
