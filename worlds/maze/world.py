"""The maze world as the generation loop sees it: genomes in, one lived generation out.

Every generation a new maze is drawn from ``stream(root, "maze", generation)``;
all agents start at the origin of their own copy. The exit lies in the training
corner region (``world.exit_region`` cells square, up to the whole maze) until a
``relocation`` shift is in force, then outside that region (``world.test_exit =
"outside"``) or anywhere (``"anywhere"``); agents start at the centre or (``world.origin
= "corner"``) the opposite corner. Rows record success at the true exit
(``success_rate``) and arrival in the old corner region (``corner_arrival_rate``). Fitness: ``1 + (steps - t) / steps``
for an agent that reaches the exit at step ``t`` (faster is better), 0 otherwise.
The genome is ``worlds.maze.genome``, read as ``worlds.maze.model`` describes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.rng import stream
from worlds.base import LifetimeBase, WorldBase
from worlds.maze import ENTRY
from worlds.maze.generator import Maze, make_maze
from worlds.maze.genome import FEATURES
from worlds.maze.kernel import run_lifetime
from worlds.maze.state import MazeGrid, MazeState
from worlds.reporters import (
    feature_columns,
    fitness_columns,
    gene_columns,
    level1_columns,
    objective_scores,
    solo_planner_columns,
)
from worlds.shifts import WorldAtGeneration


def maze_fitness(arrived: np.ndarray, steps: int) -> np.ndarray:
    """1 + (steps - t) / steps for arrival at step t; 0 for no arrival."""
    return np.where(arrived >= 0, 1.0 + (steps - arrived) / steps, 0.0)


@dataclass
class MazeLifetime(LifetimeBase):
    """One generation lived in the maze world."""

    maze: Maze
    state: MazeState
    steps: int

    @property
    def fitness(self) -> np.ndarray:
        return maze_fitness(self.state.arrived, self.steps)

    def row(self) -> dict:
        st, fit, weights = self.state, self.fitness, self.agents.weights
        everyone = np.ones(fit.shape[0], dtype=bool)
        j = objective_scores(weights, st.features, everyone)
        arrived = st.arrived >= 0
        row: dict = {
            "n_agents": int(fit.shape[0]),
            **fitness_columns(fit),
            "success_rate": float(arrived.mean()),
            "corner_arrival_rate": float((st.corner_at >= 0).mean()),
            "steps_to_exit_mean": float(st.arrived[arrived].mean()) if arrived.any() else float("nan"),
            "planner_share": 1.0,
            "depth_mean": float(self.agents.depth.mean()),
            "nodes_mean": float(st.nodes.mean() / self.steps),
            **level1_columns(j, fit, everyone),
            "exit_x": int(self.maze.exit_xy[0]), "exit_y": int(self.maze.exit_xy[1]),
            "exit_in_region": bool(self.maze.region[self.maze.exit_xy[1], self.maze.exit_xy[0]]),
        }
        for k, f in enumerate(FEATURES):
            row.update(feature_columns(f, st.features[:, k], fit))
            row.update(gene_columns(f"w_{f}", weights[:, k]))
        row.update(gene_columns("competence", self.genomes[:, self.layout.slice("competence")][:, 0]))
        return row

    def entity_columns(self) -> dict[str, np.ndarray]:
        st = self.state
        cols = solo_planner_columns(self.generation, FEATURES, self.agents.weights, self.agents.depth, st.features,
                                    self.fitness)
        cols["arrived_step"] = st.arrived.copy()
        cols["corner_step"] = st.corner_at.copy()
        return cols


class MazeWorld(WorldBase):
    """A fresh maze per generation; the exit's region follows the shift schedule."""

    entry = ENTRY

    def maze_at(self, generation: int, relocated: bool) -> Maze:
        w = self.config.world
        return make_maze(w.rows, w.cols, w.braid, w.exit_region, relocated,
                         stream(self.config.run.seed, "maze", generation), w.origin, w.test_exit,
                         w.test_region)

    def lifetime(self, genomes: np.ndarray, generation: int, world: WorldAtGeneration, agents) -> MazeLifetime:
        steps = self.config.world.steps
        maze = self.maze_at(generation, world.relocation > 0)
        state = MazeState.start(maze, agents.n, steps)
        run_lifetime(steps, agents, MazeGrid.of(maze), state)
        return MazeLifetime(generation, genomes, self.layout, agents, world, maze, state, steps)
