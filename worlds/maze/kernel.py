"""The maze step kernel: every agent walks its own copy of the generation's maze.

Agents do not interact. Each step every agent still searching plans
(``worlds.maze.model``), moves (or stays), records the realized features of
its move, and stops when it stands on the exit. ``arrived`` is the step count at
which it reached the exit (-1: never), ``corner_at`` the first step at which it
stood in the training region (-1: never). ``worlds.maze.reference`` is the
pure-Python twin the tests compare against, step by step.

State is passed whole by name: ``genes`` (``agents.genome.DecodedAgents``: ``weights``,
``depth``), ``grid`` (``worlds.maze.state.MazeGrid``) and ``bodies``
(``worlds.maze.state.MazeState``).
"""

import numpy as np

from agents.jit import kernel
from agents.visits import visit
from worlds.maze.model import N_FEATURES, OPTION_DX, OPTION_DY, STAY_OPTION, move_features, plan


@kernel
def step(t, genes, grid, bodies):
    """Advance every agent one step (step number ``t``, 1-based); arrays are updated in place."""
    x, y, arrived, corner_at, features, visited = bodies.x, bodies.y, bodies.arrived, bodies.corner_at, \
        bodies.features, bodies.visited
    open_, sight, region, geo = grid.open, grid.sight, grid.region, grid.geo
    n = x.shape[0]
    wd = open_.shape[1]
    f = np.zeros(N_FEATURES)
    for i in range(n):
        if arrived[i] >= 0:
            continue
        o, k = plan(genes.weights[i], genes.depth[i], x[i], y[i], visited[i], open_, sight, geo)
        bodies.nodes[i] += k
        if o == STAY_OPTION:
            continue
        nx = x[i] + OPTION_DX[o]
        ny = y[i] + OPTION_DY[o]
        novel = visit(visited[i], ny * wd + nx)  # a first visit
        move_features(f, open_, sight, geo, x[i], y[i], nx, ny, novel)
        for j in range(N_FEATURES):
            features[i, j] += f[j]
        x[i], y[i] = nx, ny
        if region[ny, nx] != 0 and corner_at[i] < 0:
            corner_at[i] = t
        if nx == geo[0] and ny == geo[1]:
            arrived[i] = t


@kernel
def run_lifetime(steps, genes, grid, bodies):
    """Run ``steps`` steps."""
    for t in range(1, steps + 1):
        step(t, genes, grid, bodies)
