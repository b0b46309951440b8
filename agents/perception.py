"""What an agent can perceive of a cell: predicted proxy features, never energy.

Shared by the planner and the reactive policy; each function reads the world
grids at the start of a step (the agent's model ignores what others will do).
"""

import numpy as np
from numba import njit

from worlds.foraging_params import (
    BITE,
    BUILD_ALLOWED,
    CONVERT_YIELD,
    FOOD_TASTE,
    MAX_TOOLS,
    SUGAR_TASTE,
    TOOL_BONUS,
    TOOL_COST,
)


@njit(cache=True, inline="always")
def others_around(crowd: np.ndarray, cx: int, cy: int, sx: int, sy: int) -> int:
    """Agents in the 3x3 block around (cx, cy), not counting the planner itself at (sx, sy)."""
    h, w = crowd.shape
    total = 0
    self_inside = False
    for dy in range(-1, 2):
        for dx in range(-1, 2):
            xx = (cx + dx) % w
            yy = (cy + dy) % h
            total += crowd[yy, xx]
            if xx == sx and yy == sy:
                self_inside = True
    return total - 1 if self_inside else total


@njit(cache=True, inline="always")
def predicted_taste(food: np.ndarray, sugar: np.ndarray, cx: int, cy: int, tools: int, params: np.ndarray) -> float:
    """Taste an EAT on (cx, cy) would give."""
    bite = params[BITE] * (1.0 + params[TOOL_BONUS] * tools)
    return min(food[cy, cx], bite) * params[FOOD_TASTE] + min(sugar[cy, cx], bite) * params[SUGAR_TASTE]


@njit(cache=True, inline="always")
def predicted_convert(food: np.ndarray, material: np.ndarray, cx: int, cy: int, params: np.ndarray) -> float:
    """Craft a CONVERT on (cx, cy) would give: the material there plus the food turned to material."""
    return material[cy, cx] + food[cy, cx] * params[CONVERT_YIELD]


@njit(cache=True, inline="always")
def can_build(carried: float, tools: int, params: np.ndarray) -> bool:
    """Whether a BUILD would make a tool."""
    return params[BUILD_ALLOWED] > 0.0 and carried >= params[TOOL_COST] and tools < params[MAX_TOOLS]
