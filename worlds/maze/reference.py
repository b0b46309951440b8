"""Slow, readable pure-Python twin of ``worlds.maze.kernel.step`` and the maze planner.

Written independently of the kernel (the shared recursive ``agents.reference_search``
instead of an option table and an explicit stack); the tests require bit-identical
state after every step.
"""

from __future__ import annotations

from agents.reference_search import reference_plan
from agents.visits import py_seen, py_visit

MOVES = ((0, -1), (0, 1), (1, 0), (-1, 0), (0, 0))  # north, south, east, west, stay
STAY = 4


def features_of(open_, sight, geo, cx, cy, nx, ny, novel) -> list[float]:
    """The six maze features of a move (see ``worlds.maze.model``)."""
    ex, ey, kx, ky, ox, oy = (int(v) for v in geo)
    d_old = abs(cx - ex) + abs(cy - ey)
    d_new = abs(nx - ex) + abs(ny - ey)
    sgn = lambda v: 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)  # noqa: E731
    deg = int(open_[ny - 1, nx]) + int(open_[ny + 1, nx]) + int(open_[ny, nx - 1]) + int(open_[ny, nx + 1])
    return [
        1.0 if sight[ny, nx] and d_new < d_old else 0.0,
        sgn((abs(cx - kx) + abs(cy - ky)) - (abs(nx - kx) + abs(ny - ky))),
        sgn((abs(nx - ox) + abs(ny - oy)) - (abs(cx - ox) + abs(cy - oy))),
        1.0 if novel else 0.0,
        1.0 if deg == 1 and (nx, ny) != (ex, ey) else 0.0,
        1.0,
    ]


def plan(w, depth, sx, sy, visited_row, open_, sight, geo) -> tuple[int, int]:
    """Best first option over all plans of ``depth`` options (first in order on ties), nodes expanded."""
    wd = open_.shape[1]

    def children(state):
        cx, cy, path = state
        for o, (dx, dy) in enumerate(MOVES):
            nx, ny = cx + dx, cy + dy
            if not open_[ny, nx]:
                continue
            f = None  # staying scores 0
            if o != STAY:
                novel = not py_seen(visited_row, ny * wd + nx) and (nx, ny) not in path
                f = features_of(open_, sight, geo, cx, cy, nx, ny, novel)
            yield o, (nx, ny, path + [(nx, ny)]), f

    return reference_plan(w, depth, (int(sx), int(sy), []), children)


def reference_step(t, genes, grid, bodies) -> None:
    """Advance every agent one step in place, exactly as ``worlds.maze.kernel.step``."""
    x, y, arrived, corner_at, features, visited, nodes = bodies
    weights, depth = genes.weights, genes.depth
    open_, sight, region, geo = grid
    wd = open_.shape[1]
    for i in range(x.shape[0]):
        if arrived[i] >= 0:
            continue
        o, k = plan(weights[i], int(depth[i]), int(x[i]), int(y[i]), visited[i], open_, sight, geo)
        nodes[i] += k
        if o == STAY:
            continue
        nx, ny = int(x[i]) + MOVES[o][0], int(y[i]) + MOVES[o][1]
        f = features_of(open_, sight, geo, int(x[i]), int(y[i]), nx, ny, not py_seen(visited[i], ny * wd + nx))
        for j in range(6):
            features[i, j] += f[j]
        x[i], y[i] = nx, ny
        py_visit(visited[i], ny * wd + nx)
        if region[ny, nx] and corner_at[i] < 0:
            corner_at[i] = t
        if nx == geo[0] and ny == geo[1]:
            arrived[i] = t
