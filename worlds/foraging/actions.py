"""Action codes and move offsets of the foraging world, shared by its planner, policy and kernels.

Codes 1-4 are the moves north, south, east, west; they are also the search
options 1-4 (option 0 is the best in-place act: stay, eat, mate, build, convert,
in that tie-breaking order).
"""

import numpy as np

STAY, NORTH, SOUTH, EAST, WEST, EAT, MATE, BUILD, CONVERT = range(9)

#: (dx, dy) for STAY, NORTH, SOUTH, EAST, WEST, indexed by the action code.
MOVE_DX = np.array([0, 0, 0, 1, -1], dtype=np.int64)
MOVE_DY = np.array([0, -1, 1, 0, 0], dtype=np.int64)
