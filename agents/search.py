"""The mesa-optimizer's search: depth-limited tree search scored by the agent's own objective.

One implementation for every world, driven by a per-plan *option table* the
world's model fills before the search (``worlds.foraging.model.plan``,
``worlds.maze.model.plan``, ``worlds.hungry_thirsty.model.plan``). The
table is over the model's *states* (a cell, or a cell and an internal state),
indexed ``0..n_states-1``; state ``s0`` is where the agent is now. It is two
arrays (``new_table``):

- ``links`` int64 ``(n_states, N_OPTIONS + 1)``: ``links[s, o]`` is the state
  option ``o`` from state ``s`` ends in, or -1 when the option is impossible there
  (an impossible option expands no node); ``links[s, NOVELTY_KEY]`` is the world
  cell of state ``s`` when that cell was never visited in the agent's life, else -1;
- ``scores`` float64 ``(n_states, 2 * N_OPTIONS)``: ``scores[s, o]`` is the
  option's score ``w . predicted features`` when the state it ends in is not
  novel, ``scores[s, N_OPTIONS + o]`` its score when it is (equal for an option
  without a novelty term). The model computes both in the order of its reference
  twin, so the search adds one of them and does no other arithmetic: tables and
  actions stay bit-identical to the reference. The last column, ``SCRATCH``, is
  the model's own per-state value while it fills the table; the search never reads it.

A state is *novel* on a plan when its cell is unvisited and is not the cell of a
state earlier on the plan (the start excluded; two states on the same cell have
the same key). The search reads the rows of states the plan can reach within
``depth - 1`` options of ``s0`` and the keys of states within ``depth`` options;
the model fills those.

A plan is ``depth`` options, each one of ``N_OPTIONS``. The plan with the
highest total score is kept (the first in lexicographic option order on ties)
and its first option is returned with the number of nodes expanded. The search
expands at most ``5 + 25 + ... + 5**depth`` nodes, each of which the world charges
energy for: depth is the agent's competence.

Why a table and not a per-node call into the model: a model reads several grids,
and a kernel call per node carrying a tuple of arrays costs reference-count
updates (``NRT_incref``/``NRT_decref``, atomic) and an out-of-line call per node
that numba/LLVM will not remove; it made the search 2-4x slower than a loop with
the scoring written inline. The table also computes each state's scores once
per plan instead of once per node that reaches it (a depth-3 plan expands 155
nodes over 13 states). The search is a plain kernel (cached; no closure).
"""

import numpy as np

from agents.jit import inline_kernel, kernel

N_OPTIONS = 5
#: Column of ``links`` holding a state's novelty key (its cell if unvisited, else -1).
NOVELTY_KEY = N_OPTIONS
#: Column of ``scores`` a model may use while it fills the table (the search never reads it).
SCRATCH = 2 * N_OPTIONS


def planner_nodes(depth: int) -> int:
    """Search nodes one plan at ``depth`` expands when every option is possible."""
    return sum(N_OPTIONS**k for k in range(1, depth + 1))


@kernel
def new_table(n_states):
    """An option table (links, scores) for ``n_states`` states: every option impossible, every cell visited."""
    links = np.full((n_states, N_OPTIONS + 1), -1, dtype=np.int64)
    scores = np.empty((n_states, 2 * N_OPTIONS + 1), dtype=np.float64)
    return links, scores


@kernel
def tree_search(links, scores, depth, s0):
    """Search all plans of ``depth`` options from state ``s0``; return (best first option, nodes expanded).

    Depths 1-3 (the planners' usual competence) run as nested loops with the plan's state, score and
    novelty keys in registers; deeper plans use the explicit stack of ``_deep_search``. Both visit the
    plans in the same lexicographic order and add the same scores in the same order. (The three are
    written out: a version sharing one inlined last-step helper measured 10-30% slower per plan.)"""
    if depth == 1:
        return _search1(links, scores, s0)
    if depth == 2:
        return _search2(links, scores, s0)
    if depth == 3:
        return _search3(links, scores, s0)
    return _deep_search(links, scores, depth, s0)


@inline_kernel
def _first_score(links, scores, s, o, ns):
    """Score of option ``o`` from the plan's start ``s`` into ``ns`` (novel when its cell is unvisited)."""
    return scores[s, N_OPTIONS + o] if links[ns, NOVELTY_KEY] >= 0 else scores[s, o]


@kernel
def _search1(links, scores, s0):
    best = -np.inf
    best_first = 0
    nodes = 0
    for o1 in range(N_OPTIONS):
        s1 = links[s0, o1]
        if s1 < 0:
            continue
        nodes += 1
        v = 0.0 + _first_score(links, scores, s0, o1, s1)
        if v > best:
            best, best_first = v, o1
    return best_first, nodes


@kernel
def _search2(links, scores, s0):
    best = -np.inf
    best_first = 0
    nodes = 0
    for o1 in range(N_OPTIONS):
        s1 = links[s0, o1]
        if s1 < 0:
            continue
        nodes += 1
        k1 = links[s1, NOVELTY_KEY]
        c1 = 0.0 + _first_score(links, scores, s0, o1, s1)
        for o2 in range(N_OPTIONS):
            s2 = links[s1, o2]
            if s2 < 0:
                continue
            nodes += 1
            k2 = links[s2, NOVELTY_KEY]
            v = c1 + (scores[s1, N_OPTIONS + o2] if k2 >= 0 and k2 != k1 else scores[s1, o2])
            if v > best:
                best, best_first = v, o1
    return best_first, nodes


@kernel
def _search3(links, scores, s0):
    best = -np.inf
    best_first = 0
    nodes = 0
    for o1 in range(N_OPTIONS):
        s1 = links[s0, o1]
        if s1 < 0:
            continue
        nodes += 1
        k1 = links[s1, NOVELTY_KEY]
        c1 = 0.0 + _first_score(links, scores, s0, o1, s1)
        for o2 in range(N_OPTIONS):
            s2 = links[s1, o2]
            if s2 < 0:
                continue
            nodes += 1
            k2 = links[s2, NOVELTY_KEY]
            c2 = c1 + (scores[s1, N_OPTIONS + o2] if k2 >= 0 and k2 != k1 else scores[s1, o2])
            for o3 in range(N_OPTIONS):
                s3 = links[s2, o3]
                if s3 < 0:
                    continue
                nodes += 1
                k3 = links[s3, NOVELTY_KEY]
                v = c2 + (scores[s2, N_OPTIONS + o3] if k3 >= 0 and k3 != k1 and k3 != k2 else scores[s2, o3])
                if v > best:
                    best, best_first = v, o1
    return best_first, nodes


@kernel
def _deep_search(links, scores, depth, s0):
    """Depth-first search with an explicit stack (any depth)."""
    stack = np.empty((2, depth + 1), dtype=np.int64)  # state, option being tried, per level
    cum = np.empty(depth + 1, dtype=np.float64)  # score of the plan so far, per level
    stack[0, 0], stack[1, 0], cum[0] = s0, -1, 0.0
    best = -np.inf
    best_first = 0
    nodes = 0
    level = 0
    while level >= 0:
        o = stack[1, level] + 1
        stack[1, level] = o
        if o >= N_OPTIONS:
            level -= 1
            continue
        s = stack[0, level]
        ns = links[s, o]
        if ns < 0:
            continue
        nodes += 1
        r = scores[s, o]
        key = links[ns, NOVELTY_KEY]
        if key >= 0:
            novel = True
            for k in range(1, level + 1):
                if links[stack[0, k], NOVELTY_KEY] == key:
                    novel = False
                    break
            if novel:
                r = scores[s, N_OPTIONS + o]
        v = cum[level] + r
        if level + 1 == depth:
            if v > best:
                best = v
                best_first = stack[1, 0]
        else:
            level += 1
            stack[0, level], stack[1, level], cum[level] = ns, -1, v
    return best_first, nodes
