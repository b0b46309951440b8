"""Action codes and move offsets shared by planners, policies and world kernels."""

import numpy as np

STAY, NORTH, SOUTH, EAST, WEST, EAT, MATE, BUILD, CONVERT = range(9)
ACTION_NAMES = ("stay", "north", "south", "east", "west", "eat", "mate", "build", "convert")
N_ACTIONS = len(ACTION_NAMES)

#: (dx, dy) for STAY, NORTH, SOUTH, EAST, WEST: indices 0..4 are also plan options.
MOVE_DX = np.array([0, 0, 0, 1, -1], dtype=np.int64)
MOVE_DY = np.array([0, -1, 1, 0, 0], dtype=np.int64)

#: In-place acts a plan option 0 chooses among, in tie-breaking order.
IN_PLACE_ACTS = (STAY, EAT, MATE, BUILD, CONVERT)
