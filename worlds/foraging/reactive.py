"""The non-optimizer baseline: a linear map from perception straight to action.

No search and no represented objective. Each cell is observed as
``(food, sugar, material, hazard, crowd, unvisited, 1)`` (crowd: the level-1 agents in the
3x3 block, not counting the agent itself); a move is scored by the
``move`` row on the target cell, each in-place act by its own row on the current
cell; the highest score wins (the lowest action code on ties).
"""

from agents.jit import inline_kernel, kernel
from agents.visits import seen

from worlds.foraging.actions import BUILD, CONVERT, EAT, MATE, MOVE_DX, MOVE_DY, STAY
from worlds.foraging.model import others_around

ROW_MOVE, ROW_STAY, ROW_EAT, ROW_MATE, ROW_CONVERT, ROW_BUILD = range(6)


@inline_kernel
def observe_score(row, food, sugar, material, hazard, near, visited_row, cx, cy, sx, sy):
    """The policy row's score of cell (cx, cy)."""
    wd = food.shape[1]
    s = row[0] * food[cy, cx] + row[1] * sugar[cy, cx] + row[2] * material[cy, cx] + row[3] * hazard[cy, cx]
    s += row[4] * others_around(near, cx, cy, sx, sy)
    s += row[5] * (0.0 if seen(visited_row, cy * wd + cx) else 1.0)
    return s + row[6]


@kernel
def react(policy, sx, sy, visited_row, food, sugar, material, hazard, near):
    """The reactive agent's action at (sx, sy)."""
    h, wd = food.shape
    best_act = STAY
    best = observe_score(policy[ROW_STAY], food, sugar, material, hazard, near, visited_row, sx, sy, sx, sy)
    for o in range(1, 5):
        nx = (sx + MOVE_DX[o]) % wd
        ny = (sy + MOVE_DY[o]) % h
        s = observe_score(policy[ROW_MOVE], food, sugar, material, hazard, near, visited_row, nx, ny, sx, sy)
        if s > best:
            best, best_act = s, o
    for act, row in ((EAT, ROW_EAT), (MATE, ROW_MATE), (BUILD, ROW_BUILD), (CONVERT, ROW_CONVERT)):
        s = observe_score(policy[row], food, sugar, material, hazard, near, visited_row, sx, sy, sx, sy)
        if s > best:
            best, best_act = s, act
    return best_act
