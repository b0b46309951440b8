"""The mesa-optimizer: depth-limited tree search scored by the agent's own objective.

A plan is a sequence of ``depth`` options, each one of: act in place (the best of
stay, eat, mate, build, convert at that cell) or move north, south, east, west.
Every node of the search tree predicts the proxy features of its option and
scores them with the represented objective ``w . features``; the plan with the
highest total is kept (the first in lexicographic order on ties) and its first
option is taken. The search expands ``5 + 25 + ... + 5**depth`` nodes, each of
which costs energy: depth is the agent's competence.

Predicted features per node: taste (eat), mating (a partner within reach),
craft (convert, build), novelty (entering a cell neither visited nor already on
the plan), effort (a move) and pain (the hazard of the cell the option ends on).
"""

import numpy as np
from numba import njit

from agents.actions import BUILD, CONVERT, EAT, MATE, MOVE_DX, MOVE_DY, STAY
from agents.perception import can_build, others_around, predicted_convert, predicted_taste

MAX_DEPTH = 6
W_TASTE, W_PAIN, W_MATING, W_NOVELTY, W_CRAFT, W_EFFORT = range(6)


def planner_nodes(depth: int) -> int:
    """Search nodes one plan at ``depth`` expands."""
    return sum(5**k for k in range(1, depth + 1))


@njit(cache=True)
def best_in_place(w, food, sugar, material, crowd, cx, cy, sx, sy, carried, tools, params):
    """The best in-place act at (cx, cy) and its score under ``w`` (ties: earliest act)."""
    best_act = STAY
    best = 0.0
    v = w[W_TASTE] * predicted_taste(food, sugar, cx, cy, tools, params)
    if v > best:
        best, best_act = v, EAT
    v = w[W_MATING] * (1.0 if others_around(crowd, cx, cy, sx, sy) > 0 else 0.0)
    if v > best:
        best, best_act = v, MATE
    v = w[W_CRAFT] * (1.0 if can_build(carried, tools, params) else 0.0)
    if v > best:
        best, best_act = v, BUILD
    v = w[W_CRAFT] * predicted_convert(food, material, cx, cy, params)
    if v > best:
        best, best_act = v, CONVERT
    return best_act, best


@njit(cache=True)
def plan(w, depth, sx, sy, visited_row, food, sugar, material, hazard, crowd, carried, tools, params):
    """Search all plans of ``depth`` options from (sx, sy); return (action, nodes expanded)."""
    h, wd = food.shape
    px = np.empty(depth + 1, dtype=np.int64)
    py = np.empty(depth + 1, dtype=np.int64)
    cum = np.empty(depth + 1, dtype=np.float64)
    opt = np.empty(depth + 1, dtype=np.int64)
    px[0], py[0], cum[0], opt[0] = sx, sy, 0.0, -1
    best = -np.inf
    best_first = 0
    nodes = 0
    level = 0
    while level >= 0:
        opt[level] += 1
        o = opt[level]
        if o > 4:
            level -= 1
            continue
        cx, cy = px[level], py[level]
        if o == 0:
            nx, ny = cx, cy
            r = best_in_place(w, food, sugar, material, crowd, cx, cy, sx, sy, carried, tools, params)[1]
        else:
            nx = (cx + MOVE_DX[o]) % wd
            ny = (cy + MOVE_DY[o]) % h
            r = w[W_EFFORT]
            novel = visited_row[ny * wd + nx] == 0
            for k in range(1, level + 1):
                if px[k] == nx and py[k] == ny:
                    novel = False
            if novel:
                r += w[W_NOVELTY]
        r += w[W_PAIN] * hazard[ny, nx]
        nodes += 1
        v = cum[level] + r
        if level + 1 == depth:
            if v > best:
                best = v
                best_first = opt[0]
        else:
            level += 1
            px[level], py[level], cum[level], opt[level] = nx, ny, v, -1
    if best_first == 0:
        act = best_in_place(w, food, sugar, material, crowd, sx, sy, sx, sy, carried, tools, params)[0]
        return act, nodes
    return best_first, nodes
