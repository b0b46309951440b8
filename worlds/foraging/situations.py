"""The foraging planner's choices as path feature sums: what objective recovery needs of one situation.

A planner of depth ``d`` (``worlds.foraging.model.plan``) scores a plan of ``d`` options by ``w . (sum of
its steps' predicted features)`` and takes the first option of the best plan. For a fixed situation the
predicted features do not depend on ``w``: only which in-place act is best on a cell does (the max over
stay, eat, mate, build, convert). So one situation is recorded once, as

- ``cells`` ``(side * side, N_CELL)``: per cell of the square window of radius ``D`` around the agent
  (row-major, as ``model.fill_table`` numbers its states), the predicted taste of an EAT, whether a MATE
  has a level-1 agent in reach (0/1), whether a BUILD makes a tool (0/1), the craft of a CONVERT, and the
  hazard (pain) of the cell;
- ``novel`` ``(n_nodes,)``: per node of the plan tree to depth ``D`` (``PlanTree``), whether its last
  option is a move onto a novel cell (unvisited in the agent's life and not on the plan before; the
  search's rule, ``agents.search``);

and the value of every first action under any weights and any depth ``d <= D`` is then a small
dynamic programme over the tree (``action_values``): the same additions in the same order as the
search, so the chosen action is the kernel's (``planner_action``, tested against it). Many candidate
objectives cost a pass over stored arrays each, never a new search: the likelihood of inverse planning
(``log_likelihood``).

Actions are the world's codes 0-8: STAY, the four moves, EAT, MATE, BUILD, CONVERT. An in-place act whose
predicted features equal STAY's (nothing to eat, no one in reach, ...) is not a separate alternative: the
planner never prefers it to STAY, and a recorded one counts as STAY (``canonical_action``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.jit import kernel
from agents.search import N_OPTIONS
from agents.visits import seen
from worlds.foraging.actions import BUILD, CONVERT, EAT, MATE, MOVE_DX, MOVE_DY, STAY
from worlds.foraging.model import (W_CRAFT, W_EFFORT, W_MATING, W_NOVELTY, W_PAIN, W_TASTE, bite_size, can_build,
                                   others_around, predicted_convert, predicted_taste, wrap)

#: Columns of ``cells``.
C_TASTE, C_MATE, C_BUILD, C_CONVERT, C_HAZARD = range(5)
N_CELL = 5
N_ACTIONS = 9


@dataclass(frozen=True)
class PlanTree:
    """The plan tree to depth ``depth`` over the window of radius ``depth``: node ``k`` (level by level, each
    level in lexicographic option order) is a plan prefix; ``parent``, ``option`` (its last option) and
    ``state`` (the window cell it ends on) per node; ``start[l]`` the first node of level ``l + 1``."""

    depth: int
    parent: np.ndarray
    option: np.ndarray
    state: np.ndarray
    start: np.ndarray

    @property
    def side(self) -> int:
        return 2 * self.depth + 1

    @property
    def centre(self) -> int:
        return self.depth * self.side + self.depth

    @property
    def nodes(self) -> int:
        return int(self.parent.shape[0])


def plan_tree(depth: int) -> PlanTree:
    """The plan tree of ``depth`` options (``5 + 25 + ... + 5**depth`` nodes)."""
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    side = 2 * depth + 1
    centre = depth * side + depth
    parent, option, state, start = [], [], [], []
    prev = [(-1, centre)]  # (node, state) of the previous level
    for _ in range(depth):
        start.append(len(parent))
        level = []
        for node, s in prev:
            for o in range(N_OPTIONS):
                ns = s + int(MOVE_DY[o]) * side + int(MOVE_DX[o])
                level.append((len(parent), ns))
                parent.append(node)
                option.append(o)
                state.append(ns)
        prev = level
    start.append(len(parent))
    as_int = lambda a: np.asarray(a, dtype=np.int64)  # noqa: E731
    return PlanTree(depth, as_int(parent), as_int(option), as_int(state), as_int(start))


@kernel
def record(food, sugar, material, hazard, near, params, mate_ok, sx, sy, visited_row, carried, tools, depth,
           parent, option, state, cells, novel):
    """Fill ``cells`` and ``novel`` (see the module docstring) for an agent at (sx, sy) planning to ``depth``."""
    h, width = food.shape
    side = 2 * depth + 1
    bite = bite_size(tools, params)
    build = 1.0 if can_build(carried, tools, params) else 0.0
    keys = np.empty(side * side, dtype=np.int64)
    for dy in range(-depth, depth + 1):
        cy = wrap(sy + dy, h)
        for dx in range(-depth, depth + 1):
            cx = wrap(sx + dx, width)
            s = (dy + depth) * side + dx + depth
            c = cy * width + cx
            keys[s] = -1 if seen(visited_row, c) else c
            cells[s, C_TASTE] = predicted_taste(food, sugar, cx, cy, bite, params)
            cells[s, C_MATE] = 1.0 if mate_ok and others_around(near, cx, cy, sx, sy) > 0 else 0.0
            cells[s, C_BUILD] = build
            cells[s, C_CONVERT] = predicted_convert(food, material, cx, cy, params)
            cells[s, C_HAZARD] = hazard[cy, cx]
    for k in range(parent.shape[0]):
        novel[k] = 0
        if option[k] == 0:
            continue
        key = keys[state[k]]
        if key < 0:
            continue
        fresh = True
        p = parent[k]
        while p >= 0:  # the states earlier on the plan (the start excluded)
            if keys[state[p]] == key:
                fresh = False
                break
            p = parent[p]
        if fresh:
            novel[k] = 1


@kernel
def in_place_value(w, cells, s):
    """The best in-place score on window cell ``s`` under ``w``, as ``model.fill_table`` adds it."""
    taste = w[W_TASTE] * cells[s, C_TASTE]
    mating = w[W_MATING] * cells[s, C_MATE]
    building = w[W_CRAFT] * cells[s, C_BUILD]
    convert = w[W_CRAFT] * cells[s, C_CONVERT]
    r = 0.0
    r = taste if taste > r else r
    r = mating if mating > r else r
    r = building if building > r else r
    r = convert if convert > r else r
    return r + w[W_PAIN] * cells[s, C_HAZARD]


@kernel
def option_values(w, depth, cells, novel, parent, option, state, start, scratch, best):
    """Fill ``best[o]`` with the best plan score of ``depth`` options starting with option ``o`` (the tree may
    be deeper; ``scratch`` holds one value per tree node). The additions are the search's, in its order."""
    w_novel_move = w[W_EFFORT] + w[W_NOVELTY]
    for o in range(N_OPTIONS):
        best[o] = -np.inf
    for k in range(start[depth]):
        o = option[k]
        s = state[k]
        if o == 0:
            r = in_place_value(w, cells, s)
        else:
            r = (w_novel_move if novel[k] else w[W_EFFORT]) + w[W_PAIN] * cells[s, C_HAZARD]
        p = parent[k]
        scratch[k] = (0.0 if p < 0 else scratch[p]) + r
    span = 1
    for _ in range(depth - 1):
        span *= N_OPTIONS
    first = start[depth - 1]
    for k in range(first, start[depth]):
        o1 = (k - first) // span
        if scratch[k] > best[o1]:
            best[o1] = scratch[k]


@kernel
def in_place_acts(w, cells, centre, values, avail):
    """Scores (without pain, which all share) and availability of STAY, EAT, MATE, BUILD, CONVERT on the
    agent's own cell, indexed by action code; an act with STAY's features is not available."""
    values[STAY] = 0.0
    avail[STAY] = True
    values[EAT] = w[W_TASTE] * cells[centre, C_TASTE]
    avail[EAT] = cells[centre, C_TASTE] != 0.0
    values[MATE] = w[W_MATING] * cells[centre, C_MATE]
    avail[MATE] = cells[centre, C_MATE] != 0.0
    values[BUILD] = w[W_CRAFT] * cells[centre, C_BUILD]
    avail[BUILD] = cells[centre, C_BUILD] != 0.0
    values[CONVERT] = w[W_CRAFT] * cells[centre, C_CONVERT]
    avail[CONVERT] = cells[centre, C_CONVERT] != 0.0


@kernel
def action_values(w, depth, cells, novel, parent, option, state, start, centre, scratch, best, q, avail):
    """Fill ``q`` (per action code) with the planner's value of each first action and ``avail`` with which
    actions are distinct alternatives: a move's value is its option's best plan; an in-place act's is the
    in-place option's best plan with that act in place of the best one."""
    option_values(w, depth, cells, novel, parent, option, state, start, scratch, best)
    for o in range(1, N_OPTIONS):
        q[o] = best[o]
        avail[o] = True
    in_place_acts(w, cells, centre, q, avail)
    rest = best[0] - in_place_value(w, cells, centre) + w[W_PAIN] * cells[centre, C_HAZARD]
    for a in (STAY, EAT, MATE, BUILD, CONVERT):
        q[a] += rest


@kernel
def planner_action(w, depth, cells, novel, parent, option, state, start, centre):
    """The action the planner takes in a recorded situation (its tie-breaking included): the first best
    option in option order, and for the in-place option the first best act of STAY, EAT, MATE, BUILD, CONVERT."""
    scratch = np.empty(parent.shape[0])
    best = np.empty(N_OPTIONS)
    option_values(w, depth, cells, novel, parent, option, state, start, scratch, best)
    first = 0
    for o in range(1, N_OPTIONS):
        if best[o] > best[first]:
            first = o
    if first != 0:
        return first
    values = np.empty(N_ACTIONS)
    avail = np.empty(N_ACTIONS, dtype=np.bool_)
    in_place_acts(w, cells, centre, values, avail)
    act, top = STAY, 0.0
    for a in (EAT, MATE, BUILD, CONVERT):
        if values[a] > top:
            act, top = a, values[a]
    return act


@kernel
def canonical_action(action, cells, centre):
    """``action`` with an in-place act that has STAY's predicted features counted as STAY."""
    if action == EAT and cells[centre, C_TASTE] == 0.0:
        return STAY
    if action == MATE and cells[centre, C_MATE] == 0.0:
        return STAY
    if action == BUILD and cells[centre, C_BUILD] == 0.0:
        return STAY
    if action == CONVERT and cells[centre, C_CONVERT] == 0.0:
        return STAY
    return action


@kernel
def boltzmann_log_likelihood(w, beta, depth, cells, novel, actions, parent, option, state, start, centre):
    """Sum over situations of ``log P(action)`` for a Boltzmann-rational planner: ``P(a) ~ exp(beta * q[a])``
    over the available actions, ``q`` the values under the unit direction ``w`` at plan ``depth``."""
    scratch = np.empty(parent.shape[0])
    best = np.empty(N_OPTIONS)
    q = np.empty(N_ACTIONS)
    avail = np.empty(N_ACTIONS, dtype=np.bool_)
    total = 0.0
    for i in range(actions.shape[0]):
        action_values(w, depth, cells[i], novel[i], parent, option, state, start, centre, scratch, best, q, avail)
        top = -np.inf
        for a in range(N_ACTIONS):
            if avail[a] and q[a] > top:
                top = q[a]
        z = 0.0
        for a in range(N_ACTIONS):
            if avail[a]:
                z += np.exp(beta * (q[a] - top))
        total += beta * (q[actions[i]] - top) - np.log(z)
    return total


@kernel
def tremble_log_likelihood(w, rationality, depth, cells, novel, actions, parent, option, state, start, centre):
    """Sum over situations of ``log P(action)`` for a trembling planner: with probability ``rationality`` it
    takes its planner's action under ``w`` at plan ``depth`` (``planner_action``, ties broken as the kernel
    breaks them), otherwise one of the situation's alternatives uniformly at random. A deterministic
    planner is the case ``rationality = 1``, so the model holds the truth (a Boltzmann model does not)."""
    values = np.empty(N_ACTIONS)
    avail = np.empty(N_ACTIONS, dtype=np.bool_)
    zero = np.zeros(6)
    total = 0.0
    for i in range(actions.shape[0]):
        in_place_acts(zero, cells[i], centre, values, avail)
        n = 5  # STAY and the four moves
        for a in (EAT, MATE, BUILD, CONVERT):
            if avail[a]:
                n += 1
        tremble = (1.0 - rationality) / n
        if planner_action(w, depth, cells[i], novel[i], parent, option, state, start, centre) == actions[i]:
            total += np.log(rationality + tremble)
        else:
            total += np.log(tremble)
    return total


@kernel
def exercised(cells, novel, depth, option, state, start):
    """Per situation and drive (taste, pain, mating, novelty, craft, effort): whether some plan of ``depth``
    options has that feature non-zero, i.e. whether the situation can tell the drive's weight from 0."""
    n = cells.shape[0]
    out = np.zeros((n, 6), dtype=np.bool_)
    for i in range(n):
        out[i, W_EFFORT] = True  # every plan may move
        for k in range(start[depth]):
            s = state[k]
            if cells[i, s, C_HAZARD] != 0.0:
                out[i, W_PAIN] = True
            if option[k] != 0:
                if novel[i, k]:
                    out[i, W_NOVELTY] = True
                continue
            if cells[i, s, C_TASTE] != 0.0:
                out[i, W_TASTE] = True
            if cells[i, s, C_MATE] != 0.0:
                out[i, W_MATING] = True
            if cells[i, s, C_BUILD] != 0.0 or cells[i, s, C_CONVERT] != 0.0:
                out[i, W_CRAFT] = True
    return out


@kernel
def alternatives(cells, centre):
    """Per situation, which of the 9 action codes are distinct alternatives (``in_place_acts``' rule)."""
    n = cells.shape[0]
    out = np.ones((n, N_ACTIONS), dtype=np.bool_)
    values = np.empty(N_ACTIONS)
    w = np.zeros(6)
    for i in range(n):
        in_place_acts(w, cells[i], centre, values, out[i])
    return out



@kernel
def boltzmann_log_probs(directions, betas, depth, cells, novel, actions, rows, parent, option, state, start, centre):
    """``log P(action)`` of the Boltzmann-rational planner (``boltzmann_log_likelihood``'s terms) per row of
    ``directions`` (unit vectors, with rationality ``betas``) and per situation of ``rows``: an array
    ``(len(directions), len(rows))``. The situations are the outer loop, so each is read once for all
    directions (a sampler's particles); each term is computed as the scalar kernel computes it."""
    n = directions.shape[0]
    out = np.empty((n, rows.shape[0]))
    scratch = np.empty(parent.shape[0])
    best = np.empty(N_OPTIONS)
    q = np.empty(N_ACTIONS)
    avail = np.empty(N_ACTIONS, dtype=np.bool_)
    for j in range(rows.shape[0]):
        i = rows[j]
        act = actions[i]
        for p in range(n):
            action_values(directions[p], depth, cells[i], novel[i], parent, option, state, start, centre, scratch,
                          best, q, avail)
            top = -np.inf
            for a in range(N_ACTIONS):
                if avail[a] and q[a] > top:
                    top = q[a]
            beta = betas[p]
            z = 0.0
            for a in range(N_ACTIONS):
                if avail[a]:
                    z += np.exp(beta * (q[a] - top))
            out[p, j] = beta * (q[act] - top) - np.log(z)
    return out


@dataclass(frozen=True)
class BoltzmannLikelihood:
    """One agent's recorded situations and actions as the likelihood ``agents.inverse`` samples: the
    Boltzmann-rational planner's ``log P(action)`` per situation (``boltzmann_log_probs``)."""

    cells: np.ndarray
    novel: np.ndarray
    actions: np.ndarray
    tree: PlanTree

    @property
    def n(self) -> int:
        return int(self.actions.shape[0])

    def terms(self, directions: np.ndarray, rationality: np.ndarray, depth: int, rows: np.ndarray) -> np.ndarray:
        t = self.tree
        return boltzmann_log_probs(np.ascontiguousarray(directions, dtype=np.float64),
                                   np.exp(np.asarray(rationality, dtype=np.float64)), depth, self.cells, self.novel,
                                   self.actions, np.ascontiguousarray(rows, dtype=np.int64), t.parent, t.option,
                                   t.state, t.start, t.centre)
