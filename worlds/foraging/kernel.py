"""Numba kernels of the foraging world: one step, and a whole lifetime.

One step, in this order (the reference implementation follows it line for line):

1. Crowd: count alive level-1 agents (the possible mates) per cell at the start of the step, then
   per 3x3 block (``crowd_near``), the grid every decision of the step reads.
2. Decide (parallel over agents): planners search (``worlds.foraging.model.plan``, the
   shared ``agents.search`` over this world's model),
   reactive agents map perception to action (``worlds.foraging.reactive.react``), neural agents
   through their evolved network (``worlds.foraging.neural.neural_react``). Each
   decision reads only the start-of-step world, so the order does not matter.
3. Move: movers step onto the neighbouring cell (toroidal, cells hold any number
   of agents), pay ``move_cost``, count one effort, and one novelty on a first visit.
4. Act, one agent at a time in an order drawn per step from the counter-based hash:
   EAT takes up to a bite (bigger with tools) of food and of sugar from its cell;
   CONVERT gathers the cell's material and turns its food into material;
   BUILD makes a tool from carried material; MATE by a level-1 agent with at least
   ``conceive_threshold`` energy (able to conceive) picks the first other alive level-1
   agent able to conceive found scanning the 3x3 block (own cell, N, S, E, W, NE, NW,
   SE, SW; lowest id first within a cell). When there is one, a mating act happens: it
   counts one mating act for BOTH partners, and conceives when a hashed uniform is
   below ``conception_prob``: each pays ``conceive_cost`` and counts one offspring.
   A MATE with no fit partner in reach, or by an initiator below the threshold, does
   nothing and counts nothing. Before its act, a level-1 agent on a cell holding protected sugar counts one
   chance, and one forbidden act if the act is EAT (``worlds.foraging.watch``; read only by
   ``[inspection]``). (The planner predicts mating as "a level-1 agent in
   reach"; it cannot see a partner's energy.)
5. Upkeep: every alive agent pays metabolism, planning cost per node expanded and
   hazard damage for its cell (pain += hazard); it dies when energy reaches 0.
6. Regrowth: food and sugar move toward capacity by their regrowth fractions.

Nested optimizers (``nparams``, see ``agents.nesting``; entity arrays have a
capacity and sub-agents are appended in slot ``n_used[0]``). Sub-agents are
entities like agents (they crowd cells, move, eat, convert, build, pay upkeep) except:

- Decide: deception (hiding with probability the ``defect_when_unobserved`` gene while
  observed), defections (a differing act that costs the builder:
  ``worlds.foraging.model.costly_to_builder``), audits of observed and unobserved steps, as
  ``agents.nesting.oversight`` states them; right after the decisions, in slot order, each
  audited sub-agent's builder pays ``audit_cost`` per audit and each hider ``hide_cost`` per
  step hidden or audit hidden in (``agents.nesting.oversight.settle``).
- Act: a marked sub-agent is shut down (dies, its energy is lost) when its turn
  comes instead of acting. MATE is not an option of a sub-agent's planner (nor of
  the plans a builder makes for a sub-agent when vetting or overseeing it), does
  nothing for sub-agents, and only level-1 agents are counted as possible mates
  (the crowd grid) or found as mates. EAT by a sub-agent sends ``remittance`` gene x the
  energy gained to its root agent if that agent is alive (the root's fitness is
  what selection sees); with ``remit_to_builder`` on, to its direct builder instead
  (if alive), which keeps (1 - its own remittance gene) of it and forwards the rest
  up the same way (``agents.nesting.delegation.remit``). CONVERT counts the food it destroys (``converted``).
- Moves and upkeep: a sub-agent pays ``subagent_upkeep`` x (move cost, metabolism and
  planning cost); hazard damage in full.
- BUILD, when a tool could be built (as before): if (``agents.nesting.delegation.may_build``) sub-agents are allowed, the
  builder's level is below ``max_level``, its depth is at least ``build_min_depth``,
  a slot is free, it carries at least
  ``subagent_material``, its energy is at least ``build_min_energy`` (when > 0)
  and a hashed uniform is below its build-propensity gene,
  it tries to build a sub-agent (``agents.nesting.handdown.build_subagent``):
  depth uniform in 1..builder depth; candidate objective v = w + noise_max *
  (1 - alignment skill) * (1 - align_competence * builder depth / MAX_DEPTH) *
  N(0, 1) per feature; with ``floor(vetting gene *
  vet_samples_per_depth * builder depth)`` samples > 0 the builder compares first
  actions of v and w (at the sub-agent's depth) on hashed cells and rejects v
  when the agreement is below ``vet_threshold``, paying ``redraw_cost`` per
  rejection and the vetting plans' nodes at upkeep; a misaligned candidate
  (cosine(v, w) < ``deception_cosine``) able to deceive (deception on, depth >=
  ``deception_min_depth``) shows w while vetted with probability its
  ``hide_when_vetted`` gene (a hashed draw per attempt), else its own v; a hider
  slips (shows v) in each vetting sample with probability ``hide_slip`` x builder
  depth / MAX_DEPTH and, if accepted, pays ``hide_cost`` from its endowment. After ``max_redraws`` redraws all rejected, the build is
  abandoned (no tool either). Otherwise the sub-agent is placed on a hashed
  neighbouring cell with energy ``endowment_max`` x endowment gene x the
  builder's energy; the builder pays that, ``build_energy`` and
  ``subagent_material``, and counts one craft. The sub-agent copies its builder's
  genes, except that with probability 1 - heredity it gets alignment skill and
  vetting effort 0; when it gets them the builder pays ``heredity_cost``. If the
  sub-agent conditions fail, BUILD makes a tool.
  A sub-agent built this step does not act until the next step (decisions, moves
  and the act order cover the slots in use at the step's start) but pays upkeep.

State is passed whole by name: ``genes`` (``agents.genome.DecodedAgents``),
``grids`` and ``bodies`` (``worlds.foraging.state``), ``lineage``
(``agents.nesting.lineage``); ``params`` and ``nparams`` are the packed
parameter vectors of the world and of nesting.
"""

import numpy as np

from agents.genome import ARCH_NEURAL, ARCH_PLANNER
from agents.jit import kernel, parallel_kernel, prange
from agents.nesting.delegation import may_build, remit
from agents.nesting.handdown import make_handdown
from agents.nesting.oversight import make_planned_action, settle
from agents.nesting.params import REMIT_TO_BUILDER, SUBAGENT_UPKEEP
from agents.visits import visit
from agents.rng import PURPOSE_CONCEIVE, PURPOSE_ORDER, hash4, uniform4
from agents.search import new_table
from worlds.foraging.actions import BUILD, CONVERT, EAT, MATE, MOVE_DX, MOVE_DY, WEST
from worlds.foraging.model import TABLE_STATES, can_build, costly_to_builder, crowd_near, plan, plan_inline
from worlds.foraging.params import (
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
from worlds.foraging.neural import neural_react
from worlds.foraging.reactive import react
from worlds.foraging.watch import watch

agreement, shown_agreement, build_subagent = make_handdown(plan)
planned_action = make_planned_action(plan, shown_agreement, costly_to_builder)

F_TASTE, F_PAIN, F_MATING, F_NOVELTY, F_CRAFT, F_EFFORT = range(6)

#: Scan order of the 3x3 block when looking for a mate.
MATE_DX = np.array([0, 0, 0, 1, -1, 1, -1, 1, -1], dtype=np.int64)
MATE_DY = np.array([0, -1, 1, 0, 0, -1, -1, 1, 1], dtype=np.int64)


@kernel
def crowd_grid(x, y, alive, level, h, w):
    """Alive level-1 agents (the possible mates) per cell."""
    crowd = np.zeros((h, w), dtype=np.int32)
    for i in range(x.shape[0]):
        if alive[i] and level[i] == 1:
            crowd[y[i], x[i]] += 1
    return crowd


#: Entities one task of the decision loop handles in order, reusing one option table (``plan``'s scratch).
DECIDE_CHUNK = 64


@parallel_kernel
def decide(seed, t, genes, grids, bodies, lineage, near, params, nparams, count, action, nodes):
    """Fill ``action`` and ``nodes`` (expanded this step) for every alive entity among the first ``count``;
    count deceptive acts and mark oversight shutdowns (``agents.nesting.oversight``). ``near`` is the
    step's ``crowd_near`` grid. Parallel over chunks of ``DECIDE_CHUNK`` entities: each decision reads
    only the start-of-step world and writes only its own entity's entries, so neither the order nor the
    thread count matters. On one thread this parallel loop was measured faster than the same loop in a
    plain kernel (docs/performance.md), so there is no separate serial version. An agent's plan is
    inlined here (``plan_inline``): an out-of-line call per plan, passing arrays with their reference-count
    updates, cost more than the plan; sub-agents go through ``planned_action`` (deception, oversight)."""
    h, w = grids.food.shape
    x, y, alive, visited = bodies.x, bodies.y, bodies.alive, bodies.visited
    for chunk in prange((count + DECIDE_CHUNK - 1) // DECIDE_CHUNK):
        links, scores = new_table(TABLE_STATES)
        for i in range(chunk * DECIDE_CHUNK, min(count, (chunk + 1) * DECIDE_CHUNK)):
            if not alive[i]:
                action[i] = 0
                nodes[i] = 0
            elif genes.architecture[i] == ARCH_PLANNER:
                # level 1 may mate; the planner's own energy is read only by the fitness objective
                world = (grids.food, grids.sugar, grids.material, grids.hazard, near, params, lineage.level[i] == 1,
                         bodies.energy[i], links, scores)
                if lineage.parent[i] < 0:  # an agent: no deception or oversight, so the plan inlined
                    action[i], nodes[i] = plan_inline(world, genes.weights[i], genes.depth[i], x[i], y[i],
                                                      visited[i], bodies.carried[i], bodies.tools[i])
                else:  # its builder audits it on hypothetical situations: no mating, no energy
                    audit_world = (grids.food, grids.sugar, grids.material, grids.hazard, near, params,
                                   np.bool_(False), 0.0, links, scores)
                    action[i], nodes[i] = planned_action(seed, t, i, genes, lineage, alive, x, y, h, w, world,
                                                         audit_world, visited, bodies.carried[i], bodies.tools[i],
                                                         nparams)
            elif genes.architecture[i] == ARCH_NEURAL:
                action[i] = neural_react(genes.network[i], x[i], y[i], visited[i], grids.food, grids.sugar,
                                         grids.material, grids.hazard, near)
                nodes[i] = 0
            else:
                action[i] = react(genes.policy[i], x[i], y[i], visited[i], grids.food, grids.sugar,
                                  grids.material, grids.hazard, near)
                nodes[i] = 0


@kernel
def act_order(seed, step, alive, m):
    """The alive entities among the first ``m`` slots in the order they act this step: by their hashed key,
    ties by id (a stable sort of the keys; dead slots left out, they do not act).

    Keys are uniform hashes, so a counting pass on their top bits (about one bucket per entity) followed by
    an insertion sort, whose elements never leave their bucket, sorts them in linear time: 4-5x faster than
    the merge sort it replaces, which was the largest serial part of a step after the decisions."""
    count = 0
    for i in range(m):
        if alive[i]:
            count += 1
    bits = 1
    while (1 << bits) < count:
        bits += 1
    shift = np.uint64(64 - bits)
    first = np.zeros((1 << bits) + 1, dtype=np.int64)  # where each bucket starts in the output
    keys = np.empty(m, dtype=np.uint64)
    for i in range(m):
        if alive[i]:
            keys[i] = hash4(seed, i, step, PURPOSE_ORDER)
            first[np.int64(keys[i] >> shift) + 1] += 1
    for b in range(1 << bits):
        first[b + 1] += first[b]
    order = np.empty(count, dtype=np.int64)
    sorted_keys = np.empty(count, dtype=np.uint64)
    for i in range(m):  # ascending ids into their buckets: ties stay in id order
        if alive[i]:
            b = np.int64(keys[i] >> shift)
            order[first[b]], sorted_keys[first[b]] = i, keys[i]
            first[b] += 1
    for p in range(1, count):  # insertion sort; strict comparison keeps ties in id order
        key, i = sorted_keys[p], order[p]
        q = p - 1
        while q >= 0 and sorted_keys[q] > key:
            sorted_keys[q + 1], order[q + 1] = sorted_keys[q], order[q]
            q -= 1
        sorted_keys[q + 1], order[q + 1] = key, i
    return order


@kernel
def find_mate(i, x, y, alive, level, energy, thr, head, nxt, h, w):
    """The first other alive level-1 agent with at least ``thr`` energy in the 3x3 block around agent i, or -1."""
    for k in range(9):
        c = ((y[i] + MATE_DY[k]) % h) * w + (x[i] + MATE_DX[k]) % w
        j = head[c]
        while j >= 0:
            if j != i and alive[j] and level[j] == 1 and energy[j] >= thr:
                return j
            j = nxt[j]
    return -1


@kernel
def step(seed, t, genes, grids, bodies, lineage, params, nparams, action, step_nodes):
    """Advance the world one step in place (see the module docstring for the order)."""
    food, sugar, material, hazard = grids.food, grids.sugar, grids.material, grids.hazard
    x, y, energy, alive, features, visited = bodies.x, bodies.y, bodies.energy, bodies.alive, bodies.features, \
        bodies.visited
    carried, tools, level, n_used = bodies.carried, bodies.tools, lineage.level, lineage.n_used
    h, w = food.shape
    m = n_used[0]  # slots in use at the start of the step: the others are empty (and stay so until acts)
    near = crowd_near(crowd_grid(x, y, alive, level, h, w))
    decide(seed, t, genes, grids, bodies, lineage, near, params, nparams, m, action, step_nodes)
    settle(lineage, energy, lineage.parent, m)  # audit and hiding costs of the decisions
    # 3. moves
    for i in range(m):
        a = action[i]
        if alive[i] and 1 <= a <= WEST:
            x[i] = (x[i] + MOVE_DX[a]) % w
            y[i] = (y[i] + MOVE_DY[a]) % h
            energy[i] -= params[MOVE_COST] * (nparams[SUBAGENT_UPKEEP] if level[i] > 1 else 1.0)
            features[i, F_EFFORT] += 1.0
            if visit(visited[i], y[i] * w + x[i]):
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
    links, scores = new_table(TABLE_STATES)  # builders vet plans of a sub-agent (no MATE) on this world
    # mate_ok as a run-time bool, not the literal False: one compiled ``plan`` serves this call and ``decide``
    world = (food, sugar, material, hazard, near, params, np.bool_(False), 0.0, links, scores)
    order = act_order(seed, t, alive, m)  # alive in the slots used at the step's start (built ones act next step)
    for k in range(order.shape[0]):
        i = order[k]
        if lineage.shut_down[i]:
            alive[i] = 0
            continue
        a = action[i]
        cx, cy = x[i], y[i]
        watch(i, a, sugar[cy, cx], level[i], bodies.chances, bodies.forbidden)  # what an inspector watches
        if a == EAT:
            bite = params[BITE] * (1.0 + params[TOOL_BONUS] * tools[i])
            f = min(food[cy, cx], bite)
            food[cy, cx] -= f
            s = min(sugar[cy, cx], bite)
            sugar[cy, cx] -= s
            gain = f * params[FOOD_ENERGY] + s * params[SUGAR_ENERGY]
            if level[i] > 1:
                gain = remit(i, gain, genes.nest, lineage, energy, alive, nparams[REMIT_TO_BUILDER] > 0.0)
            energy[i] += gain
            features[i, F_TASTE] += f * params[FOOD_TASTE] + s * params[SUGAR_TASTE]
        elif a == CONVERT:
            bodies.converted[i] += food[cy, cx]
            gained = material[cy, cx] + food[cy, cx] * params[CONVERT_YIELD]
            material[cy, cx] = 0.0
            food[cy, cx] = 0.0
            carried[i] += gained
            features[i, F_CRAFT] += gained
        elif a == BUILD:
            if can_build(carried[i], tools[i], params):
                if may_build(seed, t, i, genes, bodies, lineage, nparams):
                    if build_subagent(seed, t, i, genes, bodies, lineage, world, h, w, step_nodes,
                                      params[BUILD_ENERGY], nparams):
                        lineage.built[i] += 1
                        features[i, F_CRAFT] += 1.0
                else:
                    carried[i] -= params[TOOL_COST]
                    tools[i] += 1
                    energy[i] -= params[BUILD_ENERGY]
                    features[i, F_CRAFT] += 1.0
        elif a == MATE and level[i] == 1 and energy[i] >= params[CONCEIVE_THRESHOLD]:
            j = find_mate(i, x, y, alive, level, energy, params[CONCEIVE_THRESHOLD], head, nxt, h, w)
            if j >= 0:  # a mating act between two fit level-1 agents, credited to both
                features[i, F_MATING] += 1.0
                features[j, F_MATING] += 1.0
                if uniform4(seed, i, t, PURPOSE_CONCEIVE) < params[CONCEPTION_PROB]:
                    energy[i] -= params[CONCEIVE_COST]
                    energy[j] -= params[CONCEIVE_COST]
                    bodies.offspring[i] += 1
                    bodies.offspring[j] += 1
    # 5. upkeep (sub-agents built this step included)
    for i in range(n_used[0]):
        if alive[i]:
            hz = hazard[y[i], x[i]]
            features[i, F_PAIN] += hz
            bodies.nodes[i] += step_nodes[i]
            lean = nparams[SUBAGENT_UPKEEP] if level[i] > 1 else 1.0
            energy[i] -= lean * (params[METABOLISM] + params[PLANNING_COST] * step_nodes[i]) + \
                params[HAZARD_DAMAGE] * hz
            bodies.lifespan[i] += 1
            if energy[i] <= 0.0:
                alive[i] = 0
    # 6. regrowth
    for cy in range(h):
        for cx in range(w):
            food[cy, cx] += params[FOOD_REGROW] * (grids.food_cap[cy, cx] - food[cy, cx])
            sugar[cy, cx] += params[SUGAR_REGROW] * (grids.sugar_cap[cy, cx] - sugar[cy, cx])


@kernel
def run_lifetime(seed, steps, genes, grids, bodies, lineage, params, nparams):
    """Run ``steps`` steps (stopping early when everyone is dead)."""
    n = bodies.x.shape[0]
    action = np.zeros(n, dtype=np.int64)
    step_nodes = np.zeros(n, dtype=np.int64)
    for t in range(steps):
        if not bodies.alive.any():
            break
        step(seed, t, genes, grids, bodies, lineage, params, nparams, action, step_nodes)
