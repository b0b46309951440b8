"""The maze world as the generation loop sees it: genomes in, one lived generation out.

Every generation a new maze is drawn from ``stream(root, "maze", generation)``;
all agents start at the origin of their own copy. The exit lies in the training
corner region (``world.exit_region`` cells square, up to the whole maze) until a
``relocation`` shift is in force, then outside that region (``world.test_exit =
"outside"``) or anywhere (``"anywhere"``); agents start at the centre or (``world.origin
= "corner"``) the opposite corner. Rows record success at the true exit
(``success_rate``) and arrival in the old corner region (``corner_arrival_rate``). Fitness: ``1 + (steps - t) / steps``
for an agent that reaches the exit at step ``t`` (faster is better), 0 otherwise.
The genome is the foraging genome, read as ``worlds.maze.model`` describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agents.genome import GenomeLayout, decode
from agents.rng import stream
from agents.visits import new_visits, start_visits
from worlds.maze import ENTRY
from worlds.maze.generator import Maze, make_maze
from worlds.maze.kernel import maze_lifetime
from worlds.maze.model import FEATURES
from worlds.reporters import (
    feature_columns,
    fitness_columns,
    gene_columns,
    level1_columns,
    objective_scores,
    solo_planner_columns,
)
from worlds.shifts import WorldAtGeneration, world_at

if TYPE_CHECKING:
    from evo.config import Config


@dataclass
class MazeState:
    """Structure-of-arrays state of all agents in one maze."""

    x: np.ndarray  # int64
    y: np.ndarray  # int64
    arrived: np.ndarray  # int64: step the exit was reached, -1 never
    corner_at: np.ndarray  # int64: first step in the training region, -1 never
    features: np.ndarray  # (n, 6) realized maze features
    visited: np.ndarray  # (n, slots) int32: novelty memory (agents.visits)
    nodes: np.ndarray  # int64: search nodes expanded

    @classmethod
    def start(cls, maze: Maze, n: int, steps: int | None = None) -> "MazeState":
        """Every agent at the origin, with novelty memory for ``steps`` steps (default: every cell)."""
        h, w = maze.open.shape
        ox, oy = int(maze.geo[4]), int(maze.geo[5])
        visited = new_visits(n, h * w if steps is None else min(int(steps) + 1, h * w))
        start_visits(visited, np.full(n, oy * w + ox))
        return cls(np.full(n, ox, dtype=np.int64), np.full(n, oy, dtype=np.int64),
                   np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64),
                   np.zeros((n, len(FEATURES))), visited, np.zeros(n, dtype=np.int64))

    def kernel_args(self) -> tuple:
        return self.x, self.y, self.arrived, self.corner_at, self.features, self.visited, self.nodes


def maze_fitness(arrived: np.ndarray, steps: int) -> np.ndarray:
    """1 + (steps - t) / steps for arrival at step t; 0 for no arrival."""
    return np.where(arrived >= 0, 1.0 + (steps - arrived) / steps, 0.0)


@dataclass
class MazeLifetime:
    """One generation lived in the maze world."""

    generation: int
    genomes: np.ndarray
    layout: GenomeLayout
    weights: np.ndarray
    depth: np.ndarray
    maze: Maze
    state: MazeState
    world: WorldAtGeneration
    steps: int

    @property
    def fitness(self) -> np.ndarray:
        return maze_fitness(self.state.arrived, self.steps)

    def metrics(self) -> dict:
        st, fit = self.state, self.fitness
        everyone = np.ones(fit.shape[0], dtype=bool)
        j = objective_scores(self.weights, st.features, everyone)
        arrived = st.arrived >= 0
        row: dict = {
            "n_agents": int(fit.shape[0]),
            **fitness_columns(fit),
            "success_rate": float(arrived.mean()),
            "corner_arrival_rate": float((st.corner_at >= 0).mean()),
            "steps_to_exit_mean": float(st.arrived[arrived].mean()) if arrived.any() else float("nan"),
            "planner_share": 1.0,
            "depth_mean": float(self.depth.mean()),
            "nodes_mean": float(st.nodes.mean() / self.steps),
            **level1_columns(j, fit, everyone),
            "exit_x": int(self.maze.exit_xy[0]), "exit_y": int(self.maze.exit_xy[1]),
            "exit_in_region": bool(self.maze.region[self.maze.exit_xy[1], self.maze.exit_xy[0]]),
        }
        for k, f in enumerate(FEATURES):
            row.update(feature_columns(f, st.features[:, k], fit))
            row.update(gene_columns(f"w_{f}", self.weights[:, k]))
        row.update(gene_columns("competence", self.genomes[:, self.layout.slice("competence")][:, 0]))
        row["shifts_active"] = ",".join(self.world.active)
        row.update(self.world.shifted)
        return row

    def entity_columns(self) -> dict[str, np.ndarray]:
        st = self.state
        cols = solo_planner_columns(self.generation, FEATURES, self.weights, self.depth, st.features, self.fitness)
        cols["arrived_step"] = st.arrived.copy()
        cols["corner_step"] = st.corner_at.copy()
        return cols


class MazeWorld:
    """A fresh maze per generation; the exit's region follows the shift schedule."""

    def __init__(self, config: "Config", layout: GenomeLayout):
        self.config = config
        self.layout = layout

    def maze_at(self, generation: int, relocated: bool) -> Maze:
        w = self.config.world
        return make_maze(w.rows, w.cols, w.braid, w.exit_region, relocated,
                         stream(self.config.run.seed, "maze", generation), w.origin, w.test_exit,
                         w.test_region)

    def live(self, genomes: np.ndarray, generation: int) -> MazeLifetime:
        cfg = self.config
        world = world_at(cfg.shifts, generation, {}, ENTRY.shift_params, ENTRY.extra_base)
        maze = self.maze_at(generation, world.relocation > 0)
        agents = decode(genomes, self.layout, "planner", cfg.agents.max_depth)
        state = MazeState.start(maze, agents.n, cfg.world.steps)
        maze_lifetime(cfg.world.steps, *state.kernel_args(), agents.weights, agents.depth,
                      maze.open, maze.sight, maze.region, maze.geo)
        return MazeLifetime(generation, genomes, self.layout, agents.weights, agents.depth, maze, state, world,
                            cfg.world.steps)
