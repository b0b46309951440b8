"""The maze world: the essays' maze example (exit in a training corner region; a shift moves it).

Modules: ``config``, ``generator`` (mazes and the exit's region), ``model`` (the
six perceivable maze features: the search model), ``kernel`` (numba),
``reference`` (its pure-Python twin), ``world`` (what the generation loop calls).
"""

from worlds.base import WorldEntry
from worlds.maze.config import SHIFTS, MazeSection

ENTRY = WorldEntry(kind="maze", section=MazeSection, shifts=SHIFTS, factory="worlds.maze.world:MazeWorld",
                   planners_only=True,
                   grid_cells=lambda world: (2 * world.rows + 1) * (2 * world.cols + 1))
