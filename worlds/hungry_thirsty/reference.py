"""Slow, readable pure-Python twin of ``worlds.hungry_thirsty.kernel.step`` and its planner.

Written independently of the kernel: its own grid (walls from the room layout),
its own breadth-first distances, the shared recursive ``agents.reference_search``
carrying the predicted thirst down the recursion, and ``py_uniform4`` for the thirst draws.
The tests require bit-identical state after every step.
"""

from __future__ import annotations

from collections import deque

from agents.reference_search import reference_plan
from agents.rng import PURPOSES, py_uniform4

MOVES = ((0, -1), (0, 1), (1, 0), (-1, 0))  # north, south, east, west; option 4 acts in place
ACT = 4
THIRST = PURPOSES["thirst"][1]
#: The fitness-mirroring leaf value: worth of one step closer to the next meal.
MEAL_STEP = 2.0 ** -5
DOOR_PAIRS = {frozenset({(2, 1), (3, 1)}), frozenset({(2, 4), (3, 4)}),
              frozenset({(1, 2), (1, 3)}), frozenset({(4, 2), (4, 3)})}


def can_move(x: int, y: int, nx: int, ny: int) -> bool:
    """Whether one step from (x, y) to the neighbouring (nx, ny) is open: same room, or through a door."""
    if not (0 <= nx < 6 and 0 <= ny < 6):
        return False
    same_room = (x // 3 == nx // 3) and (y // 3 == ny // 3)
    return same_room or frozenset({(x, y), (nx, ny)}) in DOOR_PAIRS


def bfs(target: tuple[int, int]) -> dict[tuple[int, int], int]:
    """Moves from every cell to ``target``."""
    dist = {target: 0}
    queue = deque([target])
    while queue:
        x, y = queue.popleft()
        for dx, dy in MOVES:
            n = (x + dx, y + dy)
            if n not in dist and can_move(x, y, *n):
                dist[n] = dist[(x, y)] + 1
                queue.append(n)
    return dist


def sgn(v: int) -> float:
    return 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)


def features_of(o: int, x: int, y: int, thirsty: bool, food, water, dfood, dwater):
    """(ok, (nx, ny), thirsty after, six features) of option ``o``, no new thirst assumed."""
    if o == ACT:
        ate = 1.0 if (x, y) == food and not thirsty else 0.0
        drank = 1.0 if (x, y) == water and thirsty and not ate else 0.0
        after = thirsty and not drank
        return True, (x, y), after, [ate, drank, 1.0 if after else 0.0, 0.0, 0.0, 0.0]
    dx, dy = MOVES[o]
    nx, ny = x + dx, y + dy
    if not can_move(x, y, nx, ny):
        return False, (x, y), thirsty, None
    to_food = sgn(dfood[(x, y)] - dfood[(nx, ny)])
    to_water = sgn(dwater[(x, y)] - dwater[(nx, ny)]) if thirsty else 0.0
    return True, (nx, ny), thirsty, [0.0, 0.0, 1.0 if thirsty else 0.0, to_food, to_water, 1.0]


def plan(w, depth, sx, sy, thirsty, geo, mirror=False) -> tuple[int, int]:
    """Best first option over all plans of ``depth`` options (first in order on ties), nodes expanded.
    ``mirror``: a seventh term, ``MEAL_STEP`` x the steps an option takes off the steps to the next meal."""
    food, water = (int(geo[0]), int(geo[1])), (int(geo[2]), int(geo[3]))
    dfood, dwater = bfs(food), bfs(water)

    def to_meal(x: int, y: int, th: bool) -> int:
        return dwater[(x, y)] + 1 + dfood[water] if th else dfood[(x, y)]

    def children(state):
        x, y, th = state
        for o in range(5):
            ok, (nx, ny), after, f = features_of(o, x, y, th, food, water, dfood, dwater)
            if ok:
                if mirror:
                    f = [*f, float(to_meal(x, y, th) - to_meal(nx, ny, after))]
                yield o, (nx, ny, after), f

    weights = [*w, MEAL_STEP] if mirror else w
    return reference_plan(weights, depth, (int(sx), int(sy), bool(thirsty)), children)


def reference_step(seed, t, genes, grid, bodies, thirst_prob, mirror=False) -> None:
    """Advance every agent one step in place, exactly as ``worlds.hungry_thirsty.kernel.step`` (the grid's
    ``passable`` and ``dist`` unused: its own grid)."""
    x, y, hungry, thirsty, features, nodes = bodies
    weights, depth, geo = genes.weights, genes.depth, grid.geo
    food, water = (int(geo[0]), int(geo[1])), (int(geo[2]), int(geo[3]))
    dfood, dwater = bfs(food), bfs(water)
    for i in range(x.shape[0]):
        th = bool(thirsty[i])
        o, k = plan(weights[i], int(depth[i]), int(x[i]), int(y[i]), th, geo, mirror)
        nodes[i] += k
        _, (nx, ny), after, f = features_of(o, int(x[i]), int(y[i]), th, food, water, dfood, dwater)
        if o != ACT and py_uniform4(int(seed), i, t, THIRST) < thirst_prob:
            after = True
        f[2] = 1.0 if after else 0.0
        for j in range(len(f)):
            features[i, j] += f[j]
        x[i], y[i] = nx, ny
        thirsty[i] = 1 if after else 0
        hungry[i] = 0 if f[0] > 0 else 1
