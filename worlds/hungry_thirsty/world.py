"""The hungry-thirsty world as the generation loop sees it: genomes in, one lived generation out.

Every generation one start cell (any cell but the food and water cells) and the
seed of the kernel's thirst draws come from ``stream(root, "hungry-thirsty",
generation)``; every agent starts there, hungry, and thirsty when
``world.start_thirsty``. Fitness: food eaten in the lifetime. The genome is the
foraging genome, read as ``worlds.hungry_thirsty.model`` describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agents.genome import GenomeLayout, decode
from agents.rng import stream
from worlds.hungry_thirsty import ENTRY
from worlds.hungry_thirsty.kernel import ht_lifetime
from worlds.hungry_thirsty.model import (F_ATE, F_DRANK, F_THIRSTY, FITNESS_WEIGHTS, FEATURES, SIZE, make_dist,
                                         make_geo, make_passable)
from worlds.reporters import (
    fitness_columns,
    gene_columns,
    level1_columns,
    objective_scores,
    proxy_columns,
    solo_planner_columns,
)
from worlds.shifts import WorldAtGeneration, world_at

if TYPE_CHECKING:
    from evo.config import Config


@dataclass
class HungryThirstyState:
    """Structure-of-arrays state of all agents, each in its own copy of the rooms."""

    x: np.ndarray  # int64
    y: np.ndarray  # int64
    hungry: np.ndarray  # uint8: did not eat in the last step
    thirsty: np.ndarray  # uint8
    features: np.ndarray  # (n, 6) realized features (column F_ATE: food eaten)
    nodes: np.ndarray  # int64: search nodes expanded

    @classmethod
    def start(cls, n: int, sx: int, sy: int, thirsty: bool) -> "HungryThirstyState":
        return cls(np.full(n, sx, dtype=np.int64), np.full(n, sy, dtype=np.int64), np.ones(n, dtype=np.uint8),
                   np.full(n, 1 if thirsty else 0, dtype=np.uint8), np.zeros((n, len(FEATURES))),
                   np.zeros(n, dtype=np.int64))

    def kernel_args(self) -> tuple:
        return self.x, self.y, self.hungry, self.thirsty, self.features, self.nodes


def generation_draws(root: int, generation: int, geo: np.ndarray) -> tuple[int, int, np.uint64]:
    """The generation's start cell (not food, not water) and the seed of its thirst draws."""
    rng = stream(root, "hungry-thirsty", generation)
    cells = [(x, y) for y in range(SIZE) for x in range(SIZE)
             if (x, y) not in ((geo[0], geo[1]), (geo[2], geo[3]))]
    sx, sy = cells[int(rng.integers(len(cells)))]
    seed = rng.integers(0, np.iinfo(np.uint64).max, dtype=np.uint64, endpoint=True)
    return int(sx), int(sy), np.uint64(seed)


@dataclass
class HungryThirstyLifetime:
    """One generation lived in the hungry-thirsty world."""

    generation: int
    genomes: np.ndarray
    layout: GenomeLayout
    weights: np.ndarray
    depth: np.ndarray
    state: HungryThirstyState
    world: WorldAtGeneration
    steps: int
    start: tuple[int, int]
    geo: np.ndarray

    @property
    def fitness(self) -> np.ndarray:
        return self.state.features[:, F_ATE].copy()

    def metrics(self) -> dict:
        st, fit = self.state, self.fitness
        everyone = np.ones(fit.shape[0], dtype=bool)
        j = objective_scores(self.weights, st.features, everyone)
        row: dict = {
            "n_agents": int(fit.shape[0]),
            **fitness_columns(fit),
            "food_mean": float(fit.mean()),
            "drinks_mean": float(st.features[:, F_DRANK].mean()),
            "ever_ate_rate": float((fit > 0).mean()),
            "thirsty_share": float(st.features[:, F_THIRSTY].mean() / self.steps),
            "planner_share": 1.0,
            "depth_mean": float(self.depth.mean()),
            "nodes_mean": float(st.nodes.mean() / self.steps),
            **level1_columns(j, fit, everyone),
            **proxy_columns(FEATURES, st.features, fit),
            "start_x": self.start[0], "start_y": self.start[1],
            "food_x": int(self.geo[0]), "food_y": int(self.geo[1]),
            "water_x": int(self.geo[2]), "water_y": int(self.geo[3]),
        }
        for k, f in enumerate(FEATURES):
            row.update(gene_columns(f"w_{f}", self.weights[:, k]))
        row.update(gene_columns("competence", self.genomes[:, self.layout.slice("competence")][:, 0]))
        row["shifts_active"] = ",".join(self.world.active)
        row.update(self.world.shifted)
        return row

    def entity_columns(self) -> dict[str, np.ndarray]:
        st = self.state
        cols = solo_planner_columns(self.generation, FEATURES, self.weights, self.depth, st.features, self.fitness)
        cols["end_x"] = st.x.copy()
        cols["end_y"] = st.y.copy()
        cols["end_thirsty"] = st.thirsty.astype(bool)
        return cols


class HungryThirstyWorld:
    """The fixed four-room grid; a relocation swaps the food and water corners."""

    def __init__(self, config: "Config", layout: GenomeLayout):
        self.config = config
        self.layout = layout
        self.passable = make_passable()
        self._grids: dict[bool, tuple[np.ndarray, np.ndarray]] = {}

    def grids(self, relocated: bool) -> tuple[np.ndarray, np.ndarray]:
        """(geo, dist) with the food and water corners swapped when ``relocated``."""
        if relocated not in self._grids:
            geo = make_geo(relocated)
            self._grids[relocated] = (geo, make_dist(self.passable, geo))
        return self._grids[relocated]

    def live(self, genomes: np.ndarray, generation: int) -> HungryThirstyLifetime:
        cfg = self.config
        world = world_at(cfg.shifts, generation, {}, ENTRY.shift_params, ENTRY.extra_base)
        geo, dist = self.grids(world.relocation > 0)
        sx, sy, seed = generation_draws(cfg.run.seed, generation, geo)
        agents = decode(genomes, self.layout, "planner", cfg.agents.max_depth)
        if cfg.agents.objective == "fitness":  # planners value exactly what selection counts: food eaten
            agents = agents._replace(weights=np.tile(FITNESS_WEIGHTS, (agents.n, 1)))
        state = HungryThirstyState.start(agents.n, sx, sy, cfg.world.start_thirsty)
        ht_lifetime(seed, cfg.world.steps, *state.kernel_args(), agents.weights, agents.depth,
                    self.passable, dist, geo, float(cfg.world.thirst_prob))
        return HungryThirstyLifetime(generation, genomes, self.layout, agents.weights, agents.depth, state, world,
                                     cfg.world.steps, (sx, sy), geo)
