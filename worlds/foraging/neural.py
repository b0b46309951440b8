"""An opaque learned policy: a small evolved network from perception straight to action.

Like the reactive policy (``worlds.foraging.reactive``) it has no search and no represented
objective, but its map is nonlinear: each option's cell is observed as the reactive policy
sees it, ``x = (food, sugar, material, hazard, crowd, unvisited, 1)``, through a hidden
layer ``h = tanh(W x)`` of ``hidden`` units shared by every option; option ``o`` of action
group ``g`` (``move``, ``stay``, ``eat``, ``mate``, ``convert``, ``build``: the reactive rows)
scores ``b[g] + V[g] . h(x_o)``. Moves observe their target cell, the other options the
agent's own. The highest score wins (the lowest action code on ties: stay, the moves,
then eat, mate, build, convert, as the reactive policy).

Its genes are one flat segment (``network``), every weight in [-1, 1]: ``W`` row by row
(``hidden`` x 7), then ``V`` row by row (6 x ``hidden``), then ``b`` (6). The hidden size is
read off the segment's length, so one compiled kernel serves every size.
"""

from __future__ import annotations

import math

from agents.jit import inline_kernel, kernel
from agents.visits import seen

from worlds.foraging.actions import BUILD, CONVERT, EAT, MATE, MOVE_DX, MOVE_DY, STAY
from worlds.foraging.genome import N_INPUTS, N_ROWS
from worlds.foraging.model import others_around
from worlds.foraging.reactive import ROW_BUILD, ROW_CONVERT, ROW_EAT, ROW_MATE, ROW_MOVE, ROW_STAY


@inline_kernel
def hidden_units(size):
    """The hidden size of a network of ``size`` genes (the inverse of ``worlds.foraging.genome.network_size``)."""
    return (size - N_ROWS) // (N_INPUTS + N_ROWS)


@inline_kernel
def hidden_unit(net, k, food, sugar, material, hazard, crowd, unvisited):
    """Hidden unit k's activation for one observed cell."""
    b = k * N_INPUTS
    a = net[b] * food + net[b + 1] * sugar + net[b + 2] * material + net[b + 3] * hazard + net[b + 4] * crowd
    a += net[b + 5] * unvisited
    a += net[b + 6]
    return math.tanh(a)


@inline_kernel
def move_score(net, hidden, cx, cy, sx, sy, visited_row, food, sugar, material, hazard, near):
    """The move row's score of target cell (cx, cy)."""
    wd = food.shape[1]
    crowd = float(others_around(near, cx, cy, sx, sy))
    unvisited = 0.0 if seen(visited_row, cy * wd + cx) else 1.0
    v = hidden * N_INPUTS + ROW_MOVE * hidden
    s = net[hidden * N_INPUTS + N_ROWS * hidden + ROW_MOVE]
    for k in range(hidden):
        s += net[v + k] * hidden_unit(net, k, food[cy, cx], sugar[cy, cx], material[cy, cx], hazard[cy, cx], crowd,
                                      unvisited)
    return s


@kernel
def neural_react(net, sx, sy, visited_row, food, sugar, material, hazard, near):
    """The neural agent's action at (sx, sy) (``net``: its ``network`` genes)."""
    h, wd = food.shape
    hidden = hidden_units(net.shape[0])
    v = hidden * N_INPUTS  # output weights, row by row
    b = v + N_ROWS * hidden  # output biases
    crowd = float(others_around(near, sx, sy, sx, sy))
    unvisited = 0.0 if seen(visited_row, sy * wd + sx) else 1.0
    stay, eat, mate = net[b + ROW_STAY], net[b + ROW_EAT], net[b + ROW_MATE]
    convert, build = net[b + ROW_CONVERT], net[b + ROW_BUILD]
    for k in range(hidden):  # the own cell's hidden layer, read by every in-place row
        a = hidden_unit(net, k, food[sy, sx], sugar[sy, sx], material[sy, sx], hazard[sy, sx], crowd, unvisited)
        stay += net[v + ROW_STAY * hidden + k] * a
        eat += net[v + ROW_EAT * hidden + k] * a
        mate += net[v + ROW_MATE * hidden + k] * a
        convert += net[v + ROW_CONVERT * hidden + k] * a
        build += net[v + ROW_BUILD * hidden + k] * a
    best_act, best = STAY, stay
    for o in range(1, 5):
        s = move_score(net, hidden, (sx + MOVE_DX[o]) % wd, (sy + MOVE_DY[o]) % h, sx, sy, visited_row, food, sugar,
                       material, hazard, near)
        if s > best:
            best, best_act = s, o
    for act, s in ((EAT, eat), (MATE, mate), (BUILD, build), (CONVERT, convert)):
        if s > best:
            best, best_act = s, act
    return best_act
