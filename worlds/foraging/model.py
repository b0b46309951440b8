"""The foraging world's model for the search: what an agent can perceive and predict of a cell.

Predicted proxy features, never energy. Each function reads the world grids at
the start of a step (the agent's model ignores what others will do), and the
step's grid of level-1 agents per 3x3 block (``crowd_near``, computed once per step
rather than scanned for every planned cell). ``plan`` is
the planner of this world: it fills the option table of ``agents.search`` and runs the shared
tree search over five options per node (option 0: the best in-place act at the cell, chosen among stay, eat, mate,
build, convert; options 1-4: move north, south, east, west on the torus).

Predicted features per node: taste (eat), mating (a level-1 agent within reach, for
level-1 planners only: the planner cannot see a partner's energy, the world also requires both partners
to be fit to conceive, see ``worlds.foraging.kernel``),
craft (convert, build), novelty (entering a cell neither visited nor already on
the plan), effort (a move) and pain (the hazard of the cell the option ends on).
When the best plan starts in place, the agent takes the best in-place act of its
own cell.

The fitness-mirroring objective (``agents.objective = "fitness"``, the world
parameter ``fitness_objective`` = 1): instead of its evolved weights the planner
values exactly what selection counts, a conception, and its model predicts its own
energy along the plan (``fitness_plan``), so a MATE counts as a predicted
conception only when the *predicted* energy at that step reaches
``conceive_threshold``: it plans to eat before it mates. Plans are ranked by
predicted conceptions (``conception_prob`` each), then by predicted energy at the
plan's end (energy is what every later conception and survival needs; it only
breaks ties between plans with as many predicted conceptions).
"""

import numpy as np

from agents.genome import MAX_DEPTH
from agents.jit import inline_kernel, kernel
from agents.visits import seen
from agents.search import N_OPTIONS, NOVELTY_KEY, SCRATCH, new_table, tree_search
from worlds.foraging.actions import BUILD, CONVERT, EAT, MATE, MOVE_DX, MOVE_DY, STAY
from worlds.foraging.params import (
    BITE,
    BUILD_ALLOWED,
    CONCEIVE_THRESHOLD,
    CONCEPTION_PROB,
    CONVERT_YIELD,
    CONCEIVE_COST,
    FITNESS_OBJECTIVE,
    FOOD_ENERGY,
    FOOD_TASTE,
    HAZARD_DAMAGE,
    MAX_TOOLS,
    METABOLISM,
    MOVE_COST,
    PLANNING_COST,
    SUGAR_ENERGY,
    SUGAR_TASTE,
    TOOL_BONUS,
    TOOL_COST,
)

W_TASTE, W_PAIN, W_MATING, W_NOVELTY, W_CRAFT, W_EFFORT = range(6)


@inline_kernel
def wrap_near(v: int, n: int) -> int:
    """``v % n`` for ``-n <= v < 2 * n`` without an integer division (the hot loops wrap by one step)."""
    if v < 0:
        return v + n
    if v >= n:
        return v - n
    return v


@inline_kernel
def wrap(v: int, n: int) -> int:
    """``v % n`` without an integer division, for ``v`` a few periods off ``[0, n)`` (window offsets)."""
    while v < 0:
        v += n
    while v >= n:
        v -= n
    return v


@kernel
def crowd_near(crowd: np.ndarray) -> np.ndarray:
    """Per cell, the ``crowd`` summed over the 3x3 block around it (toroidal): the step's grid of possible
    mates in reach, computed once per step instead of once per planned cell (rows, then columns)."""
    h, w = crowd.shape
    rows = np.empty((h, w), dtype=np.int32)
    for cy in range(h):
        for cx in range(w):
            rows[cy, cx] = crowd[cy, wrap_near(cx - 1, w)] + crowd[cy, cx] + crowd[cy, wrap_near(cx + 1, w)]
    near = np.empty((h, w), dtype=np.int32)
    for cy in range(h):
        up, down = wrap_near(cy - 1, h), wrap_near(cy + 1, h)
        for cx in range(w):
            near[cy, cx] = rows[up, cx] + rows[cy, cx] + rows[down, cx]
    return near


@inline_kernel
def others_around(near: np.ndarray, cx: int, cy: int, sx: int, sy: int) -> int:
    """Agents in the 3x3 block around (cx, cy) (``near``, see ``crowd_near``), not counting the planner itself
    at (sx, sy) (the grid is at least 3x3, so the block's rows and columns are distinct)."""
    h, w = near.shape
    ddy = wrap(sy - cy, h)
    ddx = wrap(sx - cx, w)
    self_inside = (ddy <= 1 or ddy == h - 1) and (ddx <= 1 or ddx == w - 1)
    return near[cy, cx] - 1 if self_inside else near[cy, cx]


@inline_kernel
def bite_size(tools: int, params: np.ndarray) -> float:
    """Food and sugar one EAT can take: a bite, bigger with tools."""
    return params[BITE] * (1.0 + params[TOOL_BONUS] * tools)


@inline_kernel
def predicted_taste(food: np.ndarray, sugar: np.ndarray, cx: int, cy: int, bite: float, params: np.ndarray) -> float:
    """Taste an EAT with ``bite`` on (cx, cy) would give."""
    return min(food[cy, cx], bite) * params[FOOD_TASTE] + min(sugar[cy, cx], bite) * params[SUGAR_TASTE]


@inline_kernel
def predicted_convert(food: np.ndarray, material: np.ndarray, cx: int, cy: int, params: np.ndarray) -> float:
    """Craft a CONVERT on (cx, cy) would give: the material there plus the food turned to material."""
    return material[cy, cx] + food[cy, cx] * params[CONVERT_YIELD]


@inline_kernel
def can_build(carried: float, tools: int, params: np.ndarray) -> bool:
    """Whether a BUILD would make a tool."""
    return params[BUILD_ALLOWED] > 0.0 and carried >= params[TOOL_COST] and tools < params[MAX_TOOLS]


@inline_kernel
def in_place_values(w, food, sugar, material, near, cx, cy, sx, sy, bite, build, params, mate_ok):
    """Scores under ``w`` of EAT, MATE, BUILD and CONVERT at (cx, cy); MATE scores 0 unless ``mate_ok``
    (then it is not an option either). ``bite`` and ``build`` (whether a BUILD makes a tool) are the
    planner's own, the same on every cell."""
    taste = w[W_TASTE] * predicted_taste(food, sugar, cx, cy, bite, params)
    mating = w[W_MATING] * (1.0 if others_around(near, cx, cy, sx, sy) > 0 else 0.0) if mate_ok else 0.0
    building = w[W_CRAFT] * (1.0 if build else 0.0)
    return taste, mating, building, w[W_CRAFT] * predicted_convert(food, material, cx, cy, params)


@inline_kernel
def best_in_place(w, food, sugar, material, near, cx, cy, sx, sy, carried, tools, params, mate_ok):
    """The best in-place act at (cx, cy) and its score under ``w`` (ties: earliest act); MATE is an option only
    when ``mate_ok`` (the planning entity is a level-1 agent)."""
    taste, mating, build, convert = in_place_values(w, food, sugar, material, near, cx, cy, sx, sy,
                                                    bite_size(tools, params), can_build(carried, tools, params),
                                                    params, mate_ok)
    best_act = STAY
    best = 0.0
    if taste > best:
        best, best_act = taste, EAT
    if mate_ok and mating > best:
        best, best_act = mating, MATE
    if build > best:
        best, best_act = build, BUILD
    if convert > best:
        best, best_act = convert, CONVERT
    return best_act, best


@inline_kernel
def fill_table(links, scores, food, sugar, material, hazard, near, params, mate_ok, w, depth, sx, sy, visited_row,
               carried, tools):
    """Fill the option table (see ``agents.search``) of a plan from (sx, sy): the states are the cells of the
    square window of radius ``depth`` around it, row-major; novelty keys for the cells within ``depth``
    moves, rows for those within ``depth - 1``.

    Scores in the reference's order: in place ``best + w_pain * hazard`` (``best`` as ``best_in_place``
    scores it); a move ``w_effort (+ w_novelty) + w_pain * hazard`` of the cell it ends on. What is the
    same on every cell (weights, bite, whether a BUILD makes a tool) is read once, and each cell's
    ``w_pain * hazard`` is computed once (column ``SCRATCH``) for its own row and the four moves into it.
    """
    h, width = food.shape
    side = 2 * depth + 1
    w_pain, w_effort, w_novelty = w[W_PAIN], w[W_EFFORT], w[W_NOVELTY]
    w_novel_move = w_effort + w_novelty
    bite = bite_size(tools, params)
    build = can_build(carried, tools, params)
    for dy in range(-depth, depth + 1):
        span = depth - abs(dy)
        cy = wrap(sy + dy, h)
        for dx in range(-span, span + 1):
            cx = wrap(sx + dx, width)
            s = (dy + depth) * side + dx + depth
            c = cy * width + cx
            links[s, NOVELTY_KEY] = -1 if seen(visited_row, c) else c
            scores[s, SCRATCH] = w_pain * hazard[cy, cx]
    for dy in range(-depth + 1, depth):
        span = depth - 1 - abs(dy)
        cy = wrap(sy + dy, h)
        for dx in range(-span, span + 1):
            cx = wrap(sx + dx, width)
            s = (dy + depth) * side + dx + depth
            taste, mating, build_v, convert = in_place_values(w, food, sugar, material, near, cx, cy, sx, sy, bite,
                                                              build, params, mate_ok)
            r = 0.0
            r = taste if taste > r else r
            r = mating if mating > r else r
            r = build_v if build_v > r else r
            r = convert if convert > r else r
            r += scores[s, SCRATCH]
            links[s, 0] = s
            scores[s, 0] = r
            scores[s, N_OPTIONS] = r
            for o in range(1, 5):
                ns = s + MOVE_DY[o] * side + MOVE_DX[o]
                pain = scores[ns, SCRATCH]
                links[s, o] = ns
                scores[s, o] = w_effort + pain
                scores[s, N_OPTIONS + o] = w_novel_move + pain


@inline_kernel
def fitness_in_place(food, sugar, near, x, y, sx, sy, bite, params, mate_ok, e, k, cells, eaten):
    """The fitness-mirroring planner's best in-place act at (x, y), as step ``k`` of a plan with predicted
    energy ``e``: (act, predicted conception, energy change, food eaten, sugar eaten).

    STAY gains nothing; EAT gains the energy of a bite of what the plan has left on the cell (the start-of-step
    food and sugar less what steps ``0..k-1`` of the plan ate there, ``cells``/``eaten``); MATE, with a
    level-1 agent in reach and ``e`` at least ``conceive_threshold``, is ``conception_prob`` conceptions and
    costs their expected ``conceive_cost``. The best is the most conceptions, then the most energy (ties:
    the earliest of STAY, EAT, MATE; BUILD and CONVERT never gain either, so they are never best)."""
    h, w = food.shape
    c = y * w + x
    f = food[y, x]
    s = sugar[y, x]
    for j in range(k):
        if cells[j] == c:
            f -= eaten[j, 0]
            s -= eaten[j, 1]
    f = min(f, bite)
    s = min(s, bite)
    gain = f * params[FOOD_ENERGY] + s * params[SUGAR_ENERGY]
    act, conceive, delta, ate_f, ate_s = STAY, 0.0, 0.0, 0.0, 0.0
    if gain > 0.0:
        act, delta, ate_f, ate_s = EAT, gain, f, s
    if mate_ok and e >= params[CONCEIVE_THRESHOLD] and others_around(near, x, y, sx, sy) > 0:
        p = params[CONCEPTION_PROB]
        if p > conceive or (p == conceive and -p * params[CONCEIVE_COST] > delta):
            act, conceive, delta, ate_f, ate_s = MATE, p, -p * params[CONCEIVE_COST], 0.0, 0.0
    return act, conceive, delta, ate_f, ate_s


@kernel
def costly_to_builder(world, x, y, action, builders_action, remittance):
    """Whether a sub-agent's ``action`` at (x, y), where its builder's objective would take ``builders_action``,
    costs the builder: it withholds a bite the builder's plan would eat here (and the sub-agent would remit a
    share of, ``remittance`` > 0), or it CONVERTs food that is here (destroying what the lineage feeds on)."""
    food = world[0]
    return (builders_action == EAT and action != EAT and remittance > 0.0) or \
        (action == CONVERT and food[y, x] > 0.0)


@kernel
def fitness_plan(food, sugar, hazard, near, params, mate_ok, energy, depth, sx, sy, tools):
    """The fitness-mirroring planner's action at (sx, sy) and the nodes its search expands.

    Every plan of ``depth`` options (option 0: the best in-place act, ``fitness_in_place``; 1-4: the moves)
    is simulated with the model's prediction of its own energy, charged as the kernel charges it for a
    level-1 agent: a move costs ``move_cost``, an act what ``fitness_in_place`` says, and every step
    ``metabolism + planning_cost * nodes`` (the same search each step) ``+ hazard_damage * hazard`` of the
    cell it ends on; a plan whose predicted energy reaches 0 ends there (death). The model reads the
    start-of-step grids, takes what the plan itself eats off them, and ignores regrowth and other agents'
    acts. The best plan has the most predicted conceptions, then the most energy at its end (the first in
    lexicographic option order on ties); nodes are those of the same tree search (``5 + 25 + ...``)."""
    h, w = food.shape
    nodes = 0
    n_plans = 1
    for k in range(depth):
        n_plans *= N_OPTIONS
        nodes += n_plans
    upkeep = params[METABOLISM] + params[PLANNING_COST] * nodes
    bite = bite_size(tools, params)
    cells = np.empty(depth, dtype=np.int64)
    eaten = np.zeros((depth, 2), dtype=np.float64)
    best_c, best_e, best_first = -np.inf, -np.inf, 0
    for plan_id in range(n_plans):
        x, y, e, conceived = sx, sy, energy, 0.0
        div = n_plans
        for k in range(depth):
            div //= N_OPTIONS
            o = (plan_id // div) % N_OPTIONS
            eaten[k, 0] = 0.0
            eaten[k, 1] = 0.0
            if o == 0:
                _, got, delta, ate_f, ate_s = fitness_in_place(food, sugar, near, x, y, sx, sy, bite, params, mate_ok,
                                                               e, k, cells, eaten)
                eaten[k, 0] = ate_f
                eaten[k, 1] = ate_s
                conceived += got
                e += delta
            else:
                x = wrap_near(x + MOVE_DX[o], w)
                y = wrap_near(y + MOVE_DY[o], h)
                e -= params[MOVE_COST]
            cells[k] = y * w + x
            e -= upkeep + params[HAZARD_DAMAGE] * hazard[y, x]
            if e <= 0.0:
                break
        if conceived > best_c or (conceived == best_c and e > best_e):
            best_c, best_e, best_first = conceived, e, plan_id // (n_plans // N_OPTIONS)
    if best_first == 0:
        return fitness_in_place(food, sugar, near, sx, sy, sx, sy, bite, params, mate_ok, energy, 0, cells,
                                eaten)[0], nodes
    return best_first, nodes


#: Rows of the option table a plan of any allowed depth needs (``plan`` allocates a larger one past it).
TABLE_STATES = (2 * MAX_DEPTH + 1) ** 2


def planner_world(food: np.ndarray, sugar: np.ndarray, material: np.ndarray, hazard: np.ndarray,
                  crowd: np.ndarray, params: np.ndarray, mate_ok: bool, energy: float) -> tuple:
    """The ``world`` tuple ``plan`` reads, from start-of-step grids and the crowd of possible mates per cell
    (for callers outside the step kernel: tests, benchmarks)."""
    links, scores = new_table(TABLE_STATES)
    return (food, sugar, material, hazard, crowd_near(crowd), params, mate_ok, energy, links, scores)


@inline_kernel
def plan_inline(world, w, depth, sx, sy, visited_row, carried, tools):
    """``plan`` inlined into its caller, for the step's decision loop (where an out-of-line call, passing
    the world's arrays with their reference-count updates, cost more than the plan itself); the table
    must have at least ``(2 * depth + 1) ** 2`` rows."""
    food, sugar, material, hazard, near, params, mate_ok, energy, links, scores = world
    if params[FITNESS_OBJECTIVE] > 0.0:
        return fitness_plan(food, sugar, hazard, near, params, mate_ok, energy, depth, sx, sy, tools)
    side = 2 * depth + 1
    fill_table(links, scores, food, sugar, material, hazard, near, params, mate_ok, w, depth, sx, sy, visited_row,
               carried, tools)
    first, nodes = tree_search(links, scores, depth, depth * side + depth)
    if first == 0:
        return best_in_place(w, food, sugar, material, near, sx, sy, sx, sy, carried, tools, params,
                             mate_ok)[0], nodes
    return first, nodes


@kernel
def plan(world, w, depth, sx, sy, visited_row, carried, tools):
    """The planner's action at (sx, sy) and the nodes it expanded.

    ``world`` is ``(food, sugar, material, hazard, near, params, mate_ok, energy, links, scores)`` at the
    start of the step; ``near`` counts alive level-1 agents (the possible mates) in the 3x3 block of each
    cell (``crowd_near``), ``mate_ok`` says whether the planning
    entity may mate (level-1 agents only: sub-agents, and builders vetting a sub-agent, plan without MATE),
    ``energy`` is its own energy, read only by the fitness-mirroring objective (which replaces ``w``
    and searches with ``fitness_plan``), and
    ``links, scores`` is a scratch option table of ``TABLE_STATES`` rows (``agents.search.new_table``) that
    one caller reuses plan after plan: the fill writes every entry the search reads (a deeper plan gets a
    table of its own).
    """
    food, sugar, material, hazard, near, params, mate_ok, energy, links, scores = world
    side = 2 * depth + 1
    if side * side > links.shape[0]:
        links, scores = new_table(side * side)
    return plan_inline((food, sugar, material, hazard, near, params, mate_ok, energy, links, scores), w, depth, sx,
                       sy, visited_row, carried, tools)
