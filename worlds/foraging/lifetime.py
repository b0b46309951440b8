"""Python entry points of the foraging world: validate arrays, then call the kernels."""

from __future__ import annotations

import numpy as np

from agents.genome import DecodedAgents
from agents.nesting.genes import NEST_GENES
from worlds.foraging.genome import N_FEATURES
from agents.jit import kernel_threads
from agents.nesting.config import pack_nest
from agents.nesting.params import NEST_PARAM_NAMES
from worlds.foraging.kernel import run_lifetime, step
from worlds.foraging.params import PARAM_NAMES
from worlds.foraging.state import ForagingState

_DTYPES = {
    "x": np.int64, "y": np.int64, "alive": np.uint8, "tools": np.int64, "offspring": np.int64,
    "nodes": np.int64, "lifespan": np.int64, "visited": np.int32, "level": np.int64, "root": np.int64,
    "parent": np.int64, "n_used": np.int64, "deceiver": np.uint8, "shut_down": np.uint8, "deceptive": np.int64,
    "built": np.int64, "rejections": np.int64, "defect_seen": np.int64, "defect_unseen": np.int64,
    "audits": np.int64, "misaligned_steps": np.int64, "inherited": np.uint8,
    "chances": np.int64, "forbidden": np.int64,
}
_GRIDS = ("food", "food_cap", "sugar", "sugar_cap", "material", "hazard")
#: Search nodes that cost about as much as one entity-step's other work (filling the plan's option table,
#: moves, acts, upkeep): the unit of work the thread chooser times a lifetime by is an entity-step plus its
#: nodes / this. A regression of 2-thread lifetime seconds on both over 40 generations of ``sugar`` gave
#: about 1 us per entity-step and 4 ns per node; so weighted, the seconds per unit varied about 2-4x less
#: over those generations than per (nodes + entity-steps) (docs/performance.md).
NODES_PER_ENTITY_STEP = 250.0


def _check(name: str, arr: np.ndarray | None, want: tuple, dtype: type) -> None:
    if arr is None or arr.shape != want or arr.dtype != dtype or not arr.flags.c_contiguous:
        got = "None" if arr is None else f"{arr.dtype}{arr.shape}"
        raise ValueError(f"{name}: expected C-contiguous {np.dtype(dtype)}{want}, got {got}")


def check_state(state: ForagingState, agents: DecodedAgents, params: np.ndarray,
                nparams: np.ndarray | None = None) -> None:
    """Raise ValueError unless every array has the shape and dtype the kernels expect."""
    h, w = state.food.shape
    n = agents.n
    for name, arr in state.arrays().items():
        if name in _GRIDS:
            want: tuple = (h, w)
        elif name == "features":
            want = (n, N_FEATURES)
        elif name == "visited":
            want = (n, arr.shape[1]) if arr is not None and arr.ndim == 2 else (n, "slots")
        elif name == "n_used":
            want = (1,)
        else:
            want = (n,)
        _check(f"state.{name}", arr, want, _DTYPES.get(name, np.float64))
    _check("agents.nest", agents.nest, (n, len(NEST_GENES)), np.float64)
    _check("agents.weights", agents.weights, (n, N_FEATURES), np.float64)
    _check("agents.depth", agents.depth, (n,), np.int64)
    network = agents.network
    _check("agents.network", network, (n, network.shape[1] if network is not None and network.ndim == 2 else "genes"),
           np.float64)
    _check("params", params, (len(PARAM_NAMES),), np.float64)
    if nparams is not None:
        _check("nparams", nparams, (len(NEST_PARAM_NAMES),), np.float64)
    if min(h, w) < 3:
        raise ValueError(f"the grid must be at least 3x3, got {h}x{w}")
    if not 0 < state.n_used[0] <= n:
        raise ValueError(f"state.n_used[0] = {state.n_used[0]} is outside 1..{n}")


def _args(state: ForagingState, agents: DecodedAgents) -> tuple:
    return agents, state.grids, state.bodies, state.lineage


def step_world(state: ForagingState, agents: DecodedAgents, params: np.ndarray, seed: int, t: int,
               nparams: np.ndarray | None = None) -> None:
    """Advance ``state`` one step in place with the compiled kernel (sub-agents write ``agents``' free rows)."""
    nparams = pack_nest() if nparams is None else nparams
    check_state(state, agents, params, nparams)
    n = agents.n
    with kernel_threads():
        step(np.uint64(seed), t, *_args(state, agents), params, nparams, np.zeros(n, np.int64),
             np.zeros(n, np.int64))


def simulate_lifetime(state: ForagingState, agents: DecodedAgents, params: np.ndarray, seed: int, steps: int,
                      nparams: np.ndarray | None = None) -> None:
    """Run a whole lifetime of ``steps`` steps in place with the compiled kernel."""
    nparams = pack_nest() if nparams is None else nparams
    check_state(state, agents, params, nparams)
    h, w = state.food.shape
    if min(steps + 1, h * w) > state.visited.shape[1]:
        raise ValueError(f"state.visited holds {state.visited.shape[1]} cells per entity, too few for "
                         f"{steps} steps: build the state with new_lifetime(..., steps={steps})")
    with kernel_threads() as run:
        run_lifetime(np.uint64(seed), steps, *_args(state, agents), params, nparams)
        run.work = float(state.lifespan.sum() + state.nodes.sum() / NODES_PER_ENTITY_STEP)
