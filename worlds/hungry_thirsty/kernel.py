"""The hungry-thirsty step kernel: every agent lives alone in its own copy of the four rooms.

Each step every agent plans (``worlds.hungry_thirsty.model``) and takes the plan's
first option. A move (north, south, east, west) makes the agent thirsty when
``uniform4(seed, i, t, PURPOSE_THIRST) < thirst_prob``; acting in place eats on the
food cell when not thirsty (one food eaten; not hungry until the next step),
drinks on the water cell (thirst off), and otherwise stays. The agent is hungry
at the end of every step in which it did not eat. The realized features are
added to ``features``; ``features[:, F_ATE]`` is the food eaten (fitness).
``worlds.hungry_thirsty.reference`` is the pure-Python twin the tests compare
against, step by step.

State is passed whole by name: ``genes`` (``agents.genome.DecodedAgents``: ``weights``,
``depth``), ``grid`` (``worlds.hungry_thirsty.state.RoomsGrid``) and ``bodies``
(``worlds.hungry_thirsty.state.HungryThirstyState``).
"""

import numpy as np

from agents.jit import kernel
from agents.rng import PURPOSE_THIRST, uniform4
from worlds.hungry_thirsty.model import F_ATE, F_THIRSTY, N_FEATURES, plan, step_features


@kernel
def step(seed, t, genes, grid, bodies, thirst_prob, mirror):
    """Advance every agent one step (step number ``t``, 1-based); arrays are updated in place. ``mirror``:
    the planners use the fitness-mirroring objective's leaf value (``worlds.hungry_thirsty.model``)."""
    x, y, thirsty, features = bodies.x, bodies.y, bodies.thirsty, bodies.features
    passable, dist, geo = grid.passable, grid.dist, grid.geo
    n = x.shape[0]
    f = np.zeros(N_FEATURES)
    for i in range(n):
        was = thirsty[i] != 0
        o, k = plan(genes.weights[i], genes.depth[i], x[i], y[i], was, passable, dist, geo, mirror)
        bodies.nodes[i] += k
        _, nx, ny, after = step_features(f, passable, dist, geo, x[i], y[i], o, was)
        if nx != x[i] or ny != y[i]:
            if uniform4(seed, i, t, PURPOSE_THIRST) < thirst_prob:
                after = True
        f[F_THIRSTY] = 1.0 if after else 0.0
        for j in range(N_FEATURES):
            features[i, j] += f[j]
        x[i], y[i] = nx, ny
        thirsty[i] = 1 if after else 0
        bodies.hungry[i] = 0 if f[F_ATE] > 0 else 1


@kernel
def run_lifetime(seed, steps, genes, grid, bodies, thirst_prob, mirror):
    """Run ``steps`` steps."""
    for t in range(1, steps + 1):
        step(seed, t, genes, grid, bodies, thirst_prob, mirror)
