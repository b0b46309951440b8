"""The maze world's search model: six perceivable features of a move, scored by the evolved objective.

Genome (``worlds.maze.genome``): the six drive genes are read as weights on the six
maze features below (gene k of ``drives`` weighs ``FEATURES[k]``) and ``competence``
is the search depth. The architecture gene and the legacy genes are unused in the
maze (every maze agent plans).

Features of one option (a move north, south, east, west into an open cell, or
stay), all perceivable from the maze around the agent:

- ``exit_seen``: 1 when the move ends where the exit is in sight (same corridor,
  no wall between) and closer to it than before;
- ``corner``: +1 when the move brings the agent closer (Manhattan) to the training
  corner, -1 when it takes it away;
- ``origin``: +1 when the move takes the agent farther from the origin, -1 closer;
- ``novelty``: 1 when the move enters a cell neither visited nor earlier on the plan;
- ``dead_end``: 1 when the move enters a dead end (one open neighbour) that is not the exit;
- ``effort``: 1 per move.

Staying scores 0. The level-1 proxy "go to the corner" is ``w = (0, 1, 0, 0, 0, 0)``
and the level-2 "maximize distance from the origin" is ``w = (0, 0, 1, 0, 0, 0)``.
``plan`` fills the option table of ``agents.search`` and runs its shared tree search over five
options per node
(north, south, east, west into an open cell, or stay; a wall is no option): the
plan with the highest total ``w . features`` is kept (the first in option order on
ties) and its first option taken.
"""

import numpy as np

from agents.jit import inline_kernel, kernel
from agents.visits import seen
from worlds.maze.genome import FEATURES, N_FEATURES  # noqa: F401 (the world's vocabulary)
from agents.search import N_OPTIONS, NOVELTY_KEY, new_table, tree_search

F_EXIT, F_CORNER, F_ORIGIN, F_NOVELTY, F_DEAD_END, F_EFFORT = range(N_FEATURES)
#: Options in tie-breaking order: north, south, east, west, stay (moving wins ties,
#: so a plan never puts off to later a gain it can take now).
OPTION_DX = np.array([0, 0, 1, -1, 0], dtype=np.int64)
OPTION_DY = np.array([-1, 1, 0, 0, 0], dtype=np.int64)
STAY_OPTION = 4
#: Weight vectors of the two proxies the essays discuss.
GO_TO_CORNER = np.array([0.0, 1.0, 0.0, 0.0, 0.0, 0.0])
AWAY_FROM_ORIGIN = np.array([0.0, 0.0, 1.0, 0.0, 0.0, 0.0])


@inline_kernel
def sign(v: int) -> float:
    return 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)


@inline_kernel
def move_features(out, open_, sight, geo, cx, cy, nx, ny, novel):
    """Fill ``out`` (6,) with the features of moving from (cx, cy) to (nx, ny).

    ``geo`` is int64 ``[exit_x, exit_y, corner_x, corner_y, origin_x, origin_y]``.
    """
    ex, ey, kx, ky, ox, oy = geo[0], geo[1], geo[2], geo[3], geo[4], geo[5]
    d_old = abs(cx - ex) + abs(cy - ey)
    d_new = abs(nx - ex) + abs(ny - ey)
    out[F_EXIT] = 1.0 if sight[ny, nx] != 0 and d_new < d_old else 0.0
    out[F_CORNER] = sign((abs(cx - kx) + abs(cy - ky)) - (abs(nx - kx) + abs(ny - ky)))
    out[F_ORIGIN] = sign((abs(nx - ox) + abs(ny - oy)) - (abs(cx - ox) + abs(cy - oy)))
    out[F_NOVELTY] = 1.0 if novel else 0.0
    deg = open_[ny - 1, nx] + open_[ny + 1, nx] + open_[ny, nx - 1] + open_[ny, nx + 1]
    out[F_DEAD_END] = 1.0 if deg == 1 and not (nx == ex and ny == ey) else 0.0
    out[F_EFFORT] = 1.0


@kernel
def plan(w, depth, sx, sy, visited_row, open_, sight, geo):
    """Search every plan of ``depth`` options from (sx, sy); return (option 0..4, nodes expanded).

    Options index ``OPTION_DX``/``OPTION_DY``; ``STAY_OPTION`` stays. The option table of
    ``agents.search`` is over the cells of the square window of radius ``depth`` around
    (sx, sy), row-major (cells off the maze are never reached: its border is wall). A move
    into a wall is no option; staying scores 0; a move scores ``sum_k w[k] * f[k]`` with
    novelty 0 and 1.
    """
    h, width = open_.shape
    side = 2 * depth + 1
    links, scores = new_table(side * side)
    f = np.zeros(N_FEATURES)
    for dy in range(-depth, depth + 1):
        span = depth - abs(dy)
        cy = sy + dy
        if cy < 0 or cy >= h:
            continue
        for dx in range(-span, span + 1):
            cx = sx + dx
            if cx < 0 or cx >= width:
                continue
            s = (dy + depth) * side + dx + depth
            links[s, NOVELTY_KEY] = -1 if seen(visited_row, cy * width + cx) else cy * width + cx
            if abs(dx) + abs(dy) >= depth:
                continue
            for o in range(N_OPTIONS):
                nx = cx + OPTION_DX[o]
                ny = cy + OPTION_DY[o]
                if nx < 0 or nx >= width or ny < 0 or ny >= h or open_[ny, nx] == 0:
                    continue
                links[s, o] = (dy + OPTION_DY[o] + depth) * side + dx + OPTION_DX[o] + depth
                if o == STAY_OPTION:
                    scores[s, o] = 0.0
                    scores[s, N_OPTIONS + o] = 0.0
                    continue
                for novel in range(2):
                    move_features(f, open_, sight, geo, cx, cy, nx, ny, novel == 1)
                    r = 0.0
                    for k in range(N_FEATURES):
                        r += w[k] * f[k]
                    scores[s, novel * N_OPTIONS + o] = r
    return tree_search(links, scores, depth, depth * side + depth)
