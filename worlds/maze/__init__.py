"""The maze world: the essays' maze example (exit in a training corner region; a shift moves it).

Modules: ``config``, ``genome`` (its features and genome layout), ``generator`` (mazes and the exit's region), ``model`` (the
six perceivable maze features: the search model), ``kernel`` (numba),
``reference`` (its pure-Python twin), ``world`` (what the generation loop calls).
"""

from worlds.base import WorldEntry
from worlds.maze.config import SHIFTS, MazeSection
from worlds.maze.genome import FEATURES, genome_layout

ENTRY = WorldEntry(kind="maze", section=MazeSection, shifts=SHIFTS, factory="worlds.maze.world:MazeWorld",
                   planners_only=True,
                   grid_cells=lambda world: (2 * world.rows + 1) * (2 * world.cols + 1),
                   features=FEATURES, layout=genome_layout, comparators=frozenset({"fixed_weights", "fixed_depth"}))
