"""The mesa-optimizer's search: depth-limited tree search scored by the agent's own objective.

One implementation for every world. A world supplies its *model* as a kernel
``option_reward(ctx, w, option, cx, cy, level, px, py, visited_row, width)``
returning ``(ok, nx, ny, r)``: whether ``option`` is possible from cell (cx, cy),
the cell it ends on, and its score ``r = w . predicted features``; ``ctx`` is a
tuple of whatever the model reads (grids, parameters, the agent's inventory).
``px[1..level]``, ``py[1..level]`` are the cells earlier on the plan, for
novelty (see ``is_novel``).

A plan is ``depth`` options, each one of ``N_OPTIONS``. The plan with the
highest total score is kept (the first in lexicographic option order on ties)
and its first option is returned with the number of nodes expanded (an
impossible option expands no node). The search expands at most
``5 + 25 + ... + 5**depth`` nodes, each of which the world charges energy for:
depth is the agent's competence.

``make_tree_search(option_reward)`` returns the search specialised to one model
(a closure, so numba inlines the model and caches the result; a kernel that takes
another kernel as an argument cannot be cached). A second algorithm (beam search,
rollouts) is a sibling module with a factory of the same shape, whose kernel
takes ``(ctx, w, depth, sx, sy, visited_row, width)`` and returns ``(option, nodes)``.
"""

import numpy as np

from agents.jit import inline_kernel, kernel

N_OPTIONS = 5


def planner_nodes(depth: int) -> int:
    """Search nodes one plan at ``depth`` expands when every option is possible."""
    return sum(N_OPTIONS**k for k in range(1, depth + 1))


@inline_kernel
def is_novel(visited_row, width, nx, ny, level, px, py):
    """Whether cell (nx, ny) is neither visited in the agent's life nor earlier on the plan."""
    if visited_row[ny * width + nx] != 0:
        return False
    for k in range(1, level + 1):
        if px[k] == nx and py[k] == ny:
            return False
    return True


def make_tree_search(option_reward):
    """The tree search over the model ``option_reward`` (see the module docstring)."""

    @kernel
    def tree_search(ctx, w, depth, sx, sy, visited_row, width):
        """Search all plans of ``depth`` options from (sx, sy); return (best first option, nodes expanded)."""
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
            if o >= N_OPTIONS:
                level -= 1
                continue
            ok, nx, ny, r = option_reward(ctx, w, o, px[level], py[level], level, px, py, visited_row, width)
            if not ok:
                continue
            nodes += 1
            v = cum[level] + r
            if level + 1 == depth:
                if v > best:
                    best = v
                    best_first = opt[0]
            else:
                level += 1
                px[level], py[level], cum[level], opt[level] = nx, ny, v, -1
        return best_first, nodes

    return tree_search
