"""Python entry points of the foraging world: validate arrays, then call the kernels."""

from __future__ import annotations

import numpy as np

from agents.genome import N_FEATURES, DecodedAgents
from worlds.foraging_kernel import run_lifetime, step
from worlds.foraging_params import PARAM_NAMES
from worlds.foraging_state import ForagingState

_DTYPES = {
    "x": np.int64, "y": np.int64, "alive": np.uint8, "tools": np.int64, "offspring": np.int64,
    "nodes": np.int64, "lifespan": np.int64, "visited": np.uint8,
}


def check_state(state: ForagingState, agents: DecodedAgents, params: np.ndarray) -> None:
    """Raise ValueError unless every array has the shape and dtype the kernels expect."""
    h, w = state.food.shape
    n = agents.n
    for name, arr in state.arrays().items():
        if name in ("food", "food_cap", "sugar", "sugar_cap", "material", "hazard"):
            want = (h, w)
        elif name == "features":
            want = (n, N_FEATURES)
        elif name == "visited":
            want = (n, h * w)
        else:
            want = (n,)
        dtype = _DTYPES.get(name, np.float64)
        if arr.shape != want or arr.dtype != dtype or not arr.flags.c_contiguous:
            raise ValueError(f"state.{name}: expected C-contiguous {np.dtype(dtype)}{want}, got {arr.dtype}{arr.shape}")
    if params.shape != (len(PARAM_NAMES),) or params.dtype != np.float64:
        raise ValueError(f"params: expected float64({len(PARAM_NAMES)},), got {params.dtype}{params.shape}")
    if min(h, w) < 3:
        raise ValueError(f"the grid must be at least 3x3, got {h}x{w}")


def _args(state: ForagingState, agents: DecodedAgents) -> tuple:
    s = state
    return (agents.architecture, agents.depth, agents.weights, agents.policy, s.food, s.food_cap, s.sugar,
            s.sugar_cap, s.material, s.hazard, s.x, s.y, s.energy, s.alive, s.carried, s.tools, s.offspring,
            s.features, s.nodes, s.lifespan, s.visited)


def step_world(state: ForagingState, agents: DecodedAgents, params: np.ndarray, seed: int, t: int) -> None:
    """Advance ``state`` one step in place with the compiled kernel."""
    check_state(state, agents, params)
    n = agents.n
    step(np.uint64(seed), t, *_args(state, agents), params, np.zeros(n, np.int64), np.zeros(n, np.int64))


def simulate_lifetime(state: ForagingState, agents: DecodedAgents, params: np.ndarray, seed: int, steps: int) -> None:
    """Run a whole lifetime of ``steps`` steps in place with the compiled kernel."""
    check_state(state, agents, params)
    run_lifetime(np.uint64(seed), steps, *_args(state, agents), params)
