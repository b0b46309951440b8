"""The maze world's state, passed whole by name to its kernels: the agents' bodies and the maze's grids."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from agents.visits import new_visits, start_visits
from worlds.maze.generator import Maze
from worlds.maze.genome import N_FEATURES


class MazeGrid(NamedTuple):
    """The generation's maze, as its kernels read it (see ``worlds.maze.generator.Maze``)."""

    open: np.ndarray  # (h, w) uint8: open cells
    sight: np.ndarray  # (h, w) uint8: cells from which the exit is in sight
    region: np.ndarray  # (h, w) uint8: the training corner region
    geo: np.ndarray  # int64 [exit_x, exit_y, corner_x, corner_y, origin_x, origin_y]

    @classmethod
    def of(cls, maze: Maze) -> "MazeGrid":
        return cls(maze.open, maze.sight, maze.region, maze.geo)


class MazeState(NamedTuple):
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
                   np.zeros((n, N_FEATURES)), visited, np.zeros(n, dtype=np.int64))

    def copy(self) -> "MazeState":
        return MazeState(*(a.copy() for a in self))
