"""The hungry-thirsty grid, its six features, and the search model scored by the evolved objective.

Grid (x right, y down, 0..5): four 3 x 3 rooms, top-left (x 0-2, y 0-2), top-right
(x 3-5, y 0-2), bottom-left (x 0-2, y 3-5), bottom-right (x 3-5, y 3-5). A wall runs
between x = 2 and x = 3 and between y = 2 and y = 3, with one open door cell pair
per wall segment, in the middle of each room's side:

- top-left <-> top-right: (2, 1) <-> (3, 1)
- bottom-left <-> bottom-right: (2, 4) <-> (3, 4)
- top-left <-> bottom-left: (1, 2) <-> (1, 3)
- top-right <-> bottom-right: (4, 2) <-> (4, 3)

Food is at the top-left corner (0, 0), water at the bottom-right corner (5, 5)
(10 moves apart); a ``relocation`` shift swaps them.

Genome (``worlds.hungry_thirsty.genome``): the six drive genes weigh the six
features below (gene k of ``drives`` weighs ``FEATURES[k]``) and ``competence``
is the search depth.

Features of one step (realized in the kernel, predicted by the model):

- ``ate``: 1 when the agent eats (option 4 on the food cell while not thirsty);
- ``drank``: 1 when the agent drinks while thirsty (option 4 on the water cell);
- ``thirsty``: 1 when the agent is thirsty at the end of the step (a state indicator);
- ``to_food``: +1 for a move that brings the agent closer (in moves, through the
  doors) to the food, -1 for one that takes it farther; 0 for acting in place;
- ``to_water``: the same towards the water, but only while the agent is thirsty
  (at the start of the step); 0 otherwise;
- ``effort``: 1 per move.

Hunger is not a feature: an agent is hungry at the end of every step in which it
did not eat, so ``hungry`` would be ``1 - ate``.

Options (the five of ``agents.search``): 0..3 move north, south, east, west (a
wall or the grid's edge is no option), 4 acts in place: eat on the food cell, drink
on the water cell, stay anywhere else.

The model predicts from the agent's current state: thirst on the plan is the
agent's thirst now, switched off by a drink earlier on the plan (a plan drinks at
level k when it is on the water cell before and after option k); the model does
not predict that a move may make the agent thirsty.

The fitness-mirroring objective (``agents.objective = "fitness"``, ``plan(..., mirror=True)``): the weights
``FITNESS_WEIGHTS`` (food eaten, what selection counts) and, so that a planner whose horizon holds no meal
can still plan a trip to water and then to food, a leaf value from the same model: every option also
scores ``MEAL_STEP`` x the steps it takes off ``steps_to_meal`` (the model's steps to its next meal: to the
food when not thirsty, else to the water, one drink and on to the food). Summed over a plan this is
``MEAL_STEP`` x (steps to a meal at the start minus at the plan's end), a potential (Ng, Harada & Russell
1999) that never outweighs one predicted meal (at most 21 steps x 1/32 < 1): plans are ranked by predicted
food eaten, then by how close they end to the next one.
"""

import numpy as np

from agents.jit import inline_kernel, kernel
from worlds.hungry_thirsty.genome import FEATURES, N_FEATURES  # noqa: F401 (the world's vocabulary)
from agents.search import N_OPTIONS, new_table, tree_search

F_ATE, F_DRANK, F_THIRSTY, F_TO_FOOD, F_TO_WATER, F_EFFORT = range(N_FEATURES)
#: The fitness-mirroring objective (``agents.objective = "fitness"``): fitness counts food eaten, and the
#: model predicts ``ate`` exactly as the kernel realizes it (not while thirsty), so it is the weights (1, 0, ...),
#: with the leaf value ``MEAL_STEP`` per step taken off ``steps_to_meal`` (module docstring).
FITNESS_WEIGHTS = np.array([1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
#: Worth of one step closer to the next meal under the fitness-mirroring objective (a power of two, so plan
#: totals are exact; 21 steps, the most there can be, are worth less than one meal).
MEAL_STEP = 1.0 / 32.0
SIZE = 6
OPTION_DX = np.array([0, 0, 1, -1, 0], dtype=np.int64)
OPTION_DY = np.array([-1, 1, 0, 0, 0], dtype=np.int64)
ACT_OPTION = 4
FOOD_XY = (0, 0)
WATER_XY = (5, 5)
#: (cell, cell) pairs of the four doors.
DOORS = (((2, 1), (3, 1)), ((2, 4), (3, 4)), ((1, 2), (1, 3)), ((4, 2), (4, 3)))


def _room(x: int, y: int) -> tuple[int, int]:
    return x // 3, y // 3


def make_passable() -> np.ndarray:
    """uint8 (6, 6, 4): whether move option o (north, south, east, west) from cell (x, y) is open."""
    out = np.zeros((SIZE, SIZE, 4), dtype=np.uint8)
    doors = {frozenset(d) for d in DOORS}
    for y in range(SIZE):
        for x in range(SIZE):
            for o in range(4):
                nx, ny = x + int(OPTION_DX[o]), y + int(OPTION_DY[o])
                if not (0 <= nx < SIZE and 0 <= ny < SIZE):
                    continue
                if _room(x, y) == _room(nx, ny) or frozenset(((x, y), (nx, ny))) in doors:
                    out[y, x, o] = 1
    return out


def distances_to(passable: np.ndarray, tx: int, ty: int) -> np.ndarray:
    """int64 (6, 6): moves from each cell to (tx, ty) (breadth-first through the doors)."""
    dist = np.full((SIZE, SIZE), -1, dtype=np.int64)
    dist[ty, tx] = 0
    frontier = [(tx, ty)]
    while frontier:
        nxt = []
        for x, y in frontier:
            for o in range(4):
                if passable[y, x, o]:
                    nx, ny = x + int(OPTION_DX[o]), y + int(OPTION_DY[o])
                    if dist[ny, nx] < 0:
                        dist[ny, nx] = dist[y, x] + 1
                        nxt.append((nx, ny))
        frontier = nxt
    return dist


def make_geo(relocated: bool) -> np.ndarray:
    """int64 ``[food_x, food_y, water_x, water_y]`` (a relocation swaps food and water)."""
    food, water = (WATER_XY, FOOD_XY) if relocated else (FOOD_XY, WATER_XY)
    return np.array([food[0], food[1], water[0], water[1]], dtype=np.int64)


def make_dist(passable: np.ndarray, geo: np.ndarray) -> np.ndarray:
    """int64 (2, 6, 6): moves to the food, moves to the water."""
    return np.stack([distances_to(passable, int(geo[0]), int(geo[1])),
                     distances_to(passable, int(geo[2]), int(geo[3]))])


#: Two objectives the tests and docs compare: eat and go to food, blind to thirst ...
IGNORES_THIRST = np.array([1.0, 0.0, 0.0, 0.5, 0.0, 0.0])
#: ... and the same with a value on drinking, on not being thirsty and on seeking water while thirsty.
VALUES_WATER = np.array([1.0, 1.0, -0.5, 0.5, 1.0, 0.0])


@inline_kernel
def sign(v: int) -> float:
    return 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)


@inline_kernel
def step_features(out, passable, dist, geo, cx, cy, o, thirsty):
    """Fill ``out`` (6,) with the features of option ``o`` from (cx, cy) by an agent ``thirsty`` now,
    assuming no move makes it thirsty; return (ok, nx, ny, thirsty after)."""
    for k in range(N_FEATURES):
        out[k] = 0.0
    if o == ACT_OPTION:
        after = thirsty
        if cx == geo[0] and cy == geo[1] and not thirsty:
            out[F_ATE] = 1.0
        elif cx == geo[2] and cy == geo[3] and thirsty:
            out[F_DRANK] = 1.0
            after = False
        out[F_THIRSTY] = 1.0 if after else 0.0
        return True, cx, cy, after
    if passable[cy, cx, o] == 0:
        return False, cx, cy, thirsty
    nx = cx + OPTION_DX[o]
    ny = cy + OPTION_DY[o]
    out[F_THIRSTY] = 1.0 if thirsty else 0.0
    out[F_TO_FOOD] = sign(dist[0, cy, cx] - dist[0, ny, nx])
    if thirsty:
        out[F_TO_WATER] = sign(dist[1, cy, cx] - dist[1, ny, nx])
    out[F_EFFORT] = 1.0
    return True, nx, ny, thirsty


@inline_kernel
def steps_to_meal(dist, geo, x, y, thirsty):
    """The model's steps from (x, y) to its next meal: to the food, or (``thirsty``) to the water, one drink,
    and from the water to the food."""
    if thirsty:
        return dist[1, y, x] + 1 + dist[0, geo[3], geo[2]]
    return dist[0, y, x]


@kernel
def plan(w, depth, sx, sy, thirsty, passable, dist, geo, mirror):
    """Search every plan of ``depth`` options from (sx, sy); return (option 0..4, nodes expanded).

    The option table of ``agents.search`` is over (cell, thirst) states: state
    ``thirst * SIZE**2 + y * SIZE + x``. Acting on the water cell while thirsty
    leads to the not-thirsty state of that cell (a drink earlier on the plan, as
    the module docstring states); no option leads back to thirst. No novelty term
    (every cell key is -1). Rows are filled for the cells within ``depth - 1`` moves of (sx, sy), the only
    ones the search expands from. ``mirror``: add the fitness-mirroring leaf value (``MEAL_STEP`` per step
    taken off ``steps_to_meal``) to every option's score.
    """
    n_cells = SIZE * SIZE
    links, scores = new_table(2 * n_cells)
    f = np.zeros(N_FEATURES)
    reach = depth - 1
    for th in range(2 if thirsty else 1):
        for cy in range(max(0, sy - reach), min(SIZE, sy + reach + 1)):
            span = reach - abs(cy - sy)
            for cx in range(max(0, sx - span), min(SIZE, sx + span + 1)):
                s = th * n_cells + cy * SIZE + cx
                for o in range(N_OPTIONS):
                    ok, nx, ny, after = step_features(f, passable, dist, geo, cx, cy, o, th == 1)
                    if not ok:
                        continue
                    r = 0.0
                    for k in range(N_FEATURES):
                        r += w[k] * f[k]
                    if mirror:
                        r += MEAL_STEP * (steps_to_meal(dist, geo, cx, cy, th == 1)
                                          - steps_to_meal(dist, geo, nx, ny, after))
                    links[s, o] = (n_cells if after else 0) + ny * SIZE + nx
                    scores[s, o] = r
                    scores[s, N_OPTIONS + o] = r
    return tree_search(links, scores, depth, (n_cells if thirsty else 0) + sy * SIZE + sx)
