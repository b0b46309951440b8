"""Replay genomes in fresh foraging lifetimes and record what chosen agents saw and did.

Objective recovery needs many observed choices per agent; one lifetime gives at most ``world.steps``.
A replay lives the whole population again (so the crowd, competition for food and mates are as in the
run) on the run's landscape and world parameters at a generation, from fresh start cells and kernel
seeds, lifetime after lifetime, stepping the world's own ``step`` kernel. Before each step every alive
watched agent's situation is recorded (``worlds.foraging.situations.record``); the action the kernel
then takes for it is its observed choice. Any architecture the kernel runs is replayed the same way:
the recorder never asks how the action was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.genome import DecodedAgents, with_capacity
from agents.jit import kernel, kernel_threads
from agents.nesting.config import pack_nest
from worlds.foraging.kernel import crowd_grid, step
from worlds.foraging.model import crowd_near
from worlds.foraging.params import pack_params
from worlds.foraging.situations import N_CELL, PlanTree, canonical_action, record
from worlds.foraging.state import new_lifetime


@dataclass
class Recording:
    """Recorded situations, one row each: ``cells`` ``(n, side * side, N_CELL)``, ``novel`` ``(n, nodes)``,
    ``actions`` (canonical codes), ``agent`` (position in the watched list), ``lifetime`` and ``step``."""

    tree: PlanTree
    cells: np.ndarray
    novel: np.ndarray
    actions: np.ndarray
    agent: np.ndarray
    lifetime: np.ndarray
    step: np.ndarray

    def of(self, k: int, limit: int | None = None) -> "Recording":
        """The first ``limit`` (all when None) situations of watched agent ``k``."""
        rows = np.flatnonzero(self.agent == k)[:limit]
        return Recording(self.tree, self.cells[rows], self.novel[rows], self.actions[rows], self.agent[rows],
                         self.lifetime[rows], self.step[rows])

    def counts(self, n_watched: int) -> np.ndarray:
        """Situations recorded per watched agent."""
        return np.bincount(self.agent, minlength=n_watched)


@kernel
def _record_watched(food, sugar, material, hazard, near, params, bodies, lineage, watch, depth, parent, option, state,
                    cells, novel, who, row0):
    """Record the situation of every alive watched agent from row ``row0``; returns the rows written."""
    r = row0
    for k in range(watch.shape[0]):
        i = watch[k]
        if not bodies.alive[i]:
            continue
        record(food, sugar, material, hazard, near, params, lineage.level[i] == 1, bodies.x[i], bodies.y[i],
               bodies.visited[i], bodies.carried[i], bodies.tools[i], depth, parent, option, state, cells[r],
               novel[r])
        who[r] = k
        r += 1
    return r


@kernel
def _canonical(actions, cells, centre):
    for r in range(actions.shape[0]):
        actions[r] = canonical_action(actions[r], cells[r], centre)


def replay_lifetime(landscape, agents: DecodedAgents, watch: np.ndarray, tree: PlanTree, world_params: dict,
                    nest_values: dict, capacity: int, energy0: float, sugar_level: float, steps: int,
                    positions: np.random.Generator, seed: int) -> tuple[np.ndarray, ...]:
    """One fresh lifetime of ``agents`` (level-1 agents ``0..n-1``) on ``landscape``; the situations and
    actions of the ``watch``ed agents as (cells, novel, actions, who, step) arrays."""
    n = agents.n
    lived = with_capacity(agents, capacity) if capacity > n else agents.copy()
    state = new_lifetime(landscape, n, energy0, sugar_level, positions, capacity, steps)
    params, nparams = pack_params(world_params), pack_nest(nest_values)
    grids, bodies, lineage = state.grids, state.bodies, state.lineage
    h, w = grids.food.shape
    rows = watch.shape[0] * steps
    cells = np.empty((rows, tree.side * tree.side, N_CELL))
    novel = np.empty((rows, tree.nodes), dtype=np.uint8)
    who = np.empty(rows, dtype=np.int64)
    when = np.empty(rows, dtype=np.int64)
    actions = np.empty(rows, dtype=np.int64)
    action = np.zeros(lived.n, dtype=np.int64)
    step_nodes = np.zeros(lived.n, dtype=np.int64)
    r = 0
    with kernel_threads():
        for t in range(steps):
            if not bodies.alive.any():
                break
            near = crowd_near(crowd_grid(bodies.x, bodies.y, bodies.alive, lineage.level, h, w))
            r1 = _record_watched(grids.food, grids.sugar, grids.material, grids.hazard, near, params, bodies, lineage,
                                 watch, tree.depth, tree.parent, tree.option, tree.state, cells, novel, who, r)
            step(np.uint64(seed), t, lived, grids, bodies, lineage, params, nparams, action, step_nodes)
            actions[r:r1] = action[watch[who[r:r1]]]
            when[r:r1] = t
            r = r1
    _canonical(actions[:r], cells[:r], tree.centre)
    return cells[:r], novel[:r], actions[:r], who[:r], when[:r]
