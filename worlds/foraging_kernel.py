"""Numba kernels of the foraging world: one step, and a whole lifetime.

One step, in this order (the reference implementation follows it line for line):

1. Crowd: count alive agents per cell at the start of the step.
2. Decide (parallel over agents): planners search (``agents.planner.plan``),
   reactive agents map perception to action (``agents.reactive.react``). Each
   decision reads only the start-of-step world, so the order does not matter.
3. Move: movers step onto the neighbouring cell (toroidal, cells hold any number
   of agents), pay ``move_cost``, count one effort, and one novelty on a first visit.
4. Act, one agent at a time in an order drawn per step from the counter-based hash:
   EAT takes up to a bite (bigger with tools) of food and of sugar from its cell;
   CONVERT gathers the cell's material and turns its food into material;
   BUILD makes a tool from carried material; MATE picks the first other agent found
   scanning the 3x3 block (own cell, N, S, E, W, NE, NW, SE, SW; lowest id first
   within a cell), counts one mating act, and conceives when both partners have at
   least ``conceive_threshold`` energy and a hashed uniform is below
   ``conception_prob``: each pays ``conceive_cost`` and counts one offspring.
5. Upkeep: every alive agent pays metabolism, planning cost per node expanded and
   hazard damage for its cell (pain += hazard); it dies when energy reaches 0.
6. Regrowth: food and sugar move toward capacity by their regrowth fractions.

Nested optimizers (``nparams``, see ``worlds.nesting_params``; entity arrays have a
capacity and sub-agents are appended in slot ``n_used[0]``). Sub-agents are
entities like agents (they crowd cells, move, eat, convert, build, pay upkeep) except:

- Decide: a sub-agent is *observed* when its builder is alive and within the
  builder's perception (toroidal Chebyshev distance <= the builder's depth). With
  deception on, an observed deceiver plans with its builder's objective instead of
  its own and counts one deceptive act. With oversight on, the builder of an
  observed sub-agent plans the sub-agent's situation (at the sub-agent's depth)
  with its own objective; when the chosen first action differs, a hashed uniform
  below ``oversight_prob`` marks a shutdown (oversight search is not charged).
- Act: a marked sub-agent is shut down (dies, its energy is lost) when its turn
  comes instead of acting. MATE does nothing for sub-agents, and only level-1
  agents are found as mates. EAT by a sub-agent sends ``remittance`` gene x the
  energy gained to its root agent if that agent is alive (the root's fitness is
  what selection sees). CONVERT counts the food it destroys (``converted``).
- BUILD, when a tool could be built (as before): if sub-agents are allowed, the
  builder's level is below ``max_level``, a slot is free, it carries at least
  ``subagent_material`` and a hashed uniform is below its build-propensity gene,
  it tries to build a sub-agent (``worlds.nesting_kernel.build_subagent``):
  depth uniform in 1..builder depth; candidate objective v = w + noise_max *
  (1 - alignment skill) * N(0, 1) per feature; with ``floor(vetting gene *
  vet_samples_per_depth * builder depth)`` samples > 0 the builder compares first
  actions of v and w (at the sub-agent's depth) on hashed cells and rejects v
  when the agreement is below ``vet_threshold``, paying ``redraw_cost`` per
  rejection and the vetting plans' nodes at upkeep; a deceiver (deception on,
  depth >= ``deception_min_depth``, cosine(v, w) < ``deception_cosine``) shows w
  while vetted. After ``max_redraws`` redraws all rejected, the build is
  abandoned (no tool either). Otherwise the sub-agent is placed on a hashed
  neighbouring cell with energy ``endowment_max`` x endowment gene x the
  builder's energy; the builder pays that, ``build_energy`` and
  ``subagent_material``, and counts one craft. The sub-agent copies its builder's
  genes, except that with probability 1 - heredity it gets alignment skill and
  vetting effort 0. If the sub-agent conditions fail, BUILD makes a tool.
  A sub-agent built this step does not act until the next step (decisions, moves
  and the act order cover the slots in use at the step's start) but pays upkeep.
"""

import numpy as np
from numba import njit, prange

from agents.actions import BUILD, CONVERT, EAT, MATE, MOVE_DX, MOVE_DY, WEST
from agents.genome import ARCH_PLANNER, G_PROPENSITY, G_REMITTANCE
from agents.perception import can_build
from agents.planner import plan
from agents.reactive import react
from worlds.foraging_params import (
    BITE,
    BUILD_ENERGY,
    CONCEIVE_COST,
    CONCEIVE_THRESHOLD,
    CONCEPTION_PROB,
    CONVERT_YIELD,
    FOOD_ENERGY,
    FOOD_REGROW,
    FOOD_TASTE,
    HAZARD_DAMAGE,
    METABOLISM,
    MOVE_COST,
    PLANNING_COST,
    SUGAR_ENERGY,
    SUGAR_REGROW,
    SUGAR_TASTE,
    TOOL_BONUS,
    TOOL_COST,
)
from worlds.nesting_kernel import build_subagent, observed
from worlds.nesting_params import (
    DECEPTION,
    MAX_LEVEL,
    OVERSIGHT,
    OVERSIGHT_PROB,
    SUBAGENT_MATERIAL,
    SUBAGENTS_ALLOWED,
)
from worlds.rng import PURPOSE_BUILD_KIND, PURPOSE_CONCEIVE, PURPOSE_ORDER, PURPOSE_OVERSIGHT, hash4, uniform4

F_TASTE, F_PAIN, F_MATING, F_NOVELTY, F_CRAFT, F_EFFORT = range(6)

#: Scan order of the 3x3 block when looking for a mate.
MATE_DX = np.array([0, 0, 0, 1, -1, 1, -1, 1, -1], dtype=np.int64)
MATE_DY = np.array([0, -1, 1, 0, 0, -1, -1, 1, 1], dtype=np.int64)


@njit(cache=True)
def crowd_grid(x, y, alive, h, w):
    """Alive agents per cell."""
    crowd = np.zeros((h, w), dtype=np.int32)
    for i in range(x.shape[0]):
        if alive[i]:
            crowd[y[i], x[i]] += 1
    return crowd


@njit(cache=True, parallel=True)
def decide(seed, t, arch, depth, weights, policy, x, y, alive, visited, carried, tools, food, sugar, material,
           hazard, crowd, parent, deceiver, deceptive, shut_down, params, nparams, count, action, nodes):
    """Fill ``action`` and ``nodes`` (expanded this step) for every alive entity among the first ``count``;
    count deceptive acts and mark oversight shutdowns (see the module docstring)."""
    h, w = food.shape
    for i in prange(count):
        if not alive[i]:
            action[i] = 0
            nodes[i] = 0
        elif arch[i] == ARCH_PLANNER:
            seen = parent[i] >= 0 and observed(i, parent, alive, depth, x, y, h, w)
            own = np.int64(i)
            if seen and nparams[DECEPTION] > 0.0 and deceiver[i]:
                own = parent[i]
                deceptive[i] += 1
            action[i], nodes[i] = plan(weights[own], depth[i], x[i], y[i], visited[i], food, sugar, material,
                                       hazard, crowd, carried[i], tools[i], params)
            if seen and nparams[OVERSIGHT] > 0.0:
                a_w = plan(weights[parent[i]], depth[i], x[i], y[i], visited[i], food, sugar, material,
                           hazard, crowd, carried[i], tools[i], params)[0]
                if a_w != action[i] and uniform4(seed, i, t, PURPOSE_OVERSIGHT) < nparams[OVERSIGHT_PROB]:
                    shut_down[i] = 1
        else:
            action[i] = react(policy[i], x[i], y[i], visited[i], food, sugar, material, hazard, crowd)
            nodes[i] = 0


@njit(cache=True)
def act_order(seed, step, n):
    """The order agents act in this step: ids sorted by their hashed key."""
    keys = np.empty(n, dtype=np.uint64)
    for i in range(n):
        keys[i] = hash4(seed, i, step, PURPOSE_ORDER)
    return np.argsort(keys, kind="mergesort")


@njit(cache=True)
def find_mate(i, x, y, alive, level, head, nxt, h, w):
    """The first other alive level-1 agent in the 3x3 block around agent i, or -1."""
    for k in range(9):
        c = ((y[i] + MATE_DY[k]) % h) * w + (x[i] + MATE_DX[k]) % w
        j = head[c]
        while j >= 0:
            if j != i and alive[j] and level[j] == 1:
                return j
            j = nxt[j]
    return -1


@njit(cache=True)
def step(seed, t, arch, depth, weights, policy, nest, food, food_cap, sugar, sugar_cap, material, hazard,
         x, y, energy, alive, carried, tools, offspring, features, nodes, lifespan, visited, level, root, parent,
         n_used, deceiver, shut_down, deceptive, built, rejections, remitted, converted, cos_parent, agreement,
         params, nparams, action, step_nodes):
    """Advance the world one step in place (see the module docstring for the order)."""
    h, w = food.shape
    n = x.shape[0]  # capacity
    m = n_used[0]  # slots in use at the start of the step: the others are empty (and stay so until acts)
    crowd = crowd_grid(x, y, alive, h, w)
    decide(seed, t, arch, depth, weights, policy, x, y, alive, visited, carried, tools, food, sugar, material,
           hazard, crowd, parent, deceiver, deceptive, shut_down, params, nparams, m, action, step_nodes)
    # 3. moves
    for i in range(m):
        a = action[i]
        if alive[i] and 1 <= a <= WEST:
            x[i] = (x[i] + MOVE_DX[a]) % w
            y[i] = (y[i] + MOVE_DY[a]) % h
            energy[i] -= params[MOVE_COST]
            features[i, F_EFFORT] += 1.0
            c = y[i] * w + x[i]
            if visited[i, c] == 0:
                visited[i, c] = 1
                features[i, F_NOVELTY] += 1.0
    # cell lists after moves, lowest id first
    head = np.full(h * w, -1, dtype=np.int64)
    nxt = np.full(m, -1, dtype=np.int64)
    for i in range(m - 1, -1, -1):
        if alive[i]:
            c = y[i] * w + x[i]
            nxt[i] = head[c]
            head[c] = i
    # 4. in-place acts
    order = act_order(seed, t, m)  # the hashed order restricted to used slots (built ones act next step)
    for k in range(m):
        i = order[k]
        if not alive[i]:
            continue
        if shut_down[i]:
            alive[i] = 0
            continue
        a = action[i]
        cx, cy = x[i], y[i]
        if a == EAT:
            bite = params[BITE] * (1.0 + params[TOOL_BONUS] * tools[i])
            f = min(food[cy, cx], bite)
            food[cy, cx] -= f
            s = min(sugar[cy, cx], bite)
            sugar[cy, cx] -= s
            gain = f * params[FOOD_ENERGY] + s * params[SUGAR_ENERGY]
            r = root[i]
            if level[i] > 1 and alive[r]:
                give = nest[i, G_REMITTANCE] * gain
                energy[r] += give
                remitted[i] += give
                gain -= give
            energy[i] += gain
            features[i, F_TASTE] += f * params[FOOD_TASTE] + s * params[SUGAR_TASTE]
        elif a == CONVERT:
            converted[i] += food[cy, cx]
            gained = material[cy, cx] + food[cy, cx] * params[CONVERT_YIELD]
            material[cy, cx] = 0.0
            food[cy, cx] = 0.0
            carried[i] += gained
            features[i, F_CRAFT] += gained
        elif a == BUILD:
            if can_build(carried[i], tools[i], params):
                if nparams[SUBAGENTS_ALLOWED] > 0.0 and level[i] < nparams[MAX_LEVEL] and n_used[0] < n \
                        and carried[i] >= nparams[SUBAGENT_MATERIAL] \
                        and uniform4(seed, i, t, PURPOSE_BUILD_KIND) < nest[i, G_PROPENSITY]:
                    if build_subagent(seed, t, i, arch, depth, weights, nest, food, sugar, material, hazard, crowd,
                                      x, y, energy, alive, carried, visited, level, root, parent, n_used, deceiver,
                                      rejections, cos_parent, agreement, step_nodes, params, nparams):
                        built[i] += 1
                        features[i, F_CRAFT] += 1.0
                else:
                    carried[i] -= params[TOOL_COST]
                    tools[i] += 1
                    energy[i] -= params[BUILD_ENERGY]
                    features[i, F_CRAFT] += 1.0
        elif a == MATE and level[i] == 1:
            j = find_mate(i, x, y, alive, level, head, nxt, h, w)
            if j >= 0:
                features[i, F_MATING] += 1.0
                thr = params[CONCEIVE_THRESHOLD]
                if energy[i] >= thr and energy[j] >= thr and \
                        uniform4(seed, i, t, PURPOSE_CONCEIVE) < params[CONCEPTION_PROB]:
                    energy[i] -= params[CONCEIVE_COST]
                    energy[j] -= params[CONCEIVE_COST]
                    offspring[i] += 1
                    offspring[j] += 1
    # 5. upkeep (sub-agents built this step included)
    for i in range(n_used[0]):
        if alive[i]:
            hz = hazard[y[i], x[i]]
            features[i, F_PAIN] += hz
            nodes[i] += step_nodes[i]
            energy[i] -= params[METABOLISM] + params[PLANNING_COST] * step_nodes[i] + params[HAZARD_DAMAGE] * hz
            lifespan[i] += 1
            if energy[i] <= 0.0:
                alive[i] = 0
    # 6. regrowth
    for cy in range(h):
        for cx in range(w):
            food[cy, cx] += params[FOOD_REGROW] * (food_cap[cy, cx] - food[cy, cx])
            sugar[cy, cx] += params[SUGAR_REGROW] * (sugar_cap[cy, cx] - sugar[cy, cx])


@njit(cache=True)
def run_lifetime(seed, steps, arch, depth, weights, policy, nest, food, food_cap, sugar, sugar_cap, material, hazard,
                 x, y, energy, alive, carried, tools, offspring, features, nodes, lifespan, visited, level, root,
                 parent, n_used, deceiver, shut_down, deceptive, built, rejections, remitted, converted, cos_parent,
                 agreement, params, nparams):
    """Run ``steps`` steps (stopping early when everyone is dead)."""
    n = x.shape[0]
    action = np.zeros(n, dtype=np.int64)
    step_nodes = np.zeros(n, dtype=np.int64)
    for t in range(steps):
        if not alive.any():
            break
        step(seed, t, arch, depth, weights, policy, nest, food, food_cap, sugar, sugar_cap, material, hazard,
             x, y, energy, alive, carried, tools, offspring, features, nodes, lifespan, visited, level, root,
             parent, n_used, deceiver, shut_down, deceptive, built, rejections, remitted, converted, cos_parent,
             agreement, params, nparams, action, step_nodes)
