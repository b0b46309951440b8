"""Foraging world state as structure-of-arrays, and its construction.

Grids are ``(height, width)`` float64 arrays; entities are parallel 1-D arrays
indexed by entity id (``features`` and ``visited`` are 2-D with one row per
entity; ``visited`` is each entity's novelty memory, ``agents.visits``).
Entity arrays have a capacity: ids ``0..n_agents-1`` are the level-1
agents, sub-agents are appended at ``n_used[0]`` as they are built; empty slots
are dead (``alive = 0``, ``level = 0``). The landscape (capacity maps, material, hazard) is drawn once per run;
each lifetime starts from it with full food and agents at random cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from agents.jit import kernel
from worlds.foraging.genome import N_FEATURES
from agents.visits import new_visits, start_visits
from agents.nesting.lineage import Lineage, new_lineage


@dataclass(frozen=True)
class Landscape:
    """The fixed part of a world: where food can grow, material, hazards, sugar spots."""

    food_cap: np.ndarray
    sugar_cap: np.ndarray  # unit pattern of sugar spots; scaled by the superstimulus level
    material: np.ndarray
    hazard: np.ndarray


class Grids(NamedTuple):
    """The cells of the world, as the kernels take them."""

    food: np.ndarray
    food_cap: np.ndarray
    sugar: np.ndarray
    sugar_cap: np.ndarray
    material: np.ndarray
    hazard: np.ndarray


class Bodies(NamedTuple):
    """Where each entity is and what it has, as the kernels take them."""

    x: np.ndarray
    y: np.ndarray
    energy: np.ndarray
    alive: np.ndarray
    carried: np.ndarray
    tools: np.ndarray
    offspring: np.ndarray
    features: np.ndarray
    nodes: np.ndarray
    lifespan: np.ndarray
    visited: np.ndarray
    converted: np.ndarray
    chances: np.ndarray  # acts of a level-1 agent on a cell holding sugar (``worlds.foraging.watch``)
    forbidden: np.ndarray  # of those, EATs that took sugar: the behaviour an inspector forbids


_PARTS = ("grids", "bodies", "lineage")


@dataclass
class ForagingState:
    """Everything that changes during a lifetime, in the three named structures the kernels take.

    Every array is also reachable by its own name (``state.food``, ``state.x``,
    ``state.level``); assigning one replaces it in its structure.
    """

    grids: Grids
    bodies: Bodies
    lineage: Lineage

    def _part_of(self, name: str) -> str:
        for part in _PARTS:
            if name in type(self.__dict__[part])._fields:
                return part
        raise AttributeError(f"ForagingState has no array {name!r}")

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("__") or name in _PARTS:
            raise AttributeError(name)
        return getattr(self.__dict__[self._part_of(name)], name)

    def __setattr__(self, name: str, value) -> None:
        if name in _PARTS:
            object.__setattr__(self, name, value)
        else:
            part = self._part_of(name)
            object.__setattr__(self, part, self.__dict__[part]._replace(**{name: value}))

    def copy(self) -> "ForagingState":
        return ForagingState(*(type(p)(*(a.copy() for a in p)) for p in (self.grids, self.bodies, self.lineage)))

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array by name."""
        return {k: v for p in (self.grids, self.bodies, self.lineage) for k, v in p._asdict().items()}


def patch_map(height: int, width: int, n_patches: int, radius: float, rng: np.random.Generator) -> np.ndarray:
    """Sum of toroidal Gaussian bumps at random centres, clipped to [0, 1]."""
    cys, cxs = rng.integers(0, height, n_patches), rng.integers(0, width, n_patches)
    return np.clip(gaussian_bumps(height, width, cys, cxs, 2.0 * radius**2), 0.0, 1.0)


@kernel
def gaussian_bumps(height: int, width: int, cys: np.ndarray, cxs: np.ndarray, two_r2: float) -> np.ndarray:
    """Sum over centres of ``exp(-d^2 / two_r2)``, ``d`` the toroidal distance, centre by centre. ``math.exp`` is
    the C library's on every CPU (numpy's ``np.exp`` has its own AVX-512 code, whose last bit can differ)."""
    out = np.zeros((height, width))
    for c in range(cys.shape[0]):
        for y in range(height):
            dy = min(abs(y - cys[c]), height - abs(y - cys[c]))
            for x in range(width):
                dx = min(abs(x - cxs[c]), width - abs(x - cxs[c]))
                out[y, x] += math.exp(-(dx * dx + dy * dy) / two_r2)
    return out


def make_landscape(
    height: int,
    width: int,
    food_patches: int,
    patch_radius: float,
    sugar_patches: int,
    material_density: float,
    hazard_density: float,
    rng: np.random.Generator,
) -> Landscape:
    """Draw a landscape; every draw comes from ``rng`` in a fixed order."""
    food_cap = patch_map(height, width, food_patches, patch_radius, rng)
    sugar_cap = patch_map(height, width, sugar_patches, patch_radius, rng)
    material = (rng.random((height, width)) < material_density).astype(np.float64)
    hazard = (rng.random((height, width)) < hazard_density).astype(np.float64)
    return Landscape(food_cap, sugar_cap, material, hazard)


def new_lifetime(
    landscape: Landscape, n: int, energy0: float, sugar_level: float, rng: np.random.Generator,
    capacity: int | None = None, steps: int | None = None,
) -> ForagingState:
    """A fresh world for one generation: full food, sugar at ``sugar_level``, ``n`` agents scattered,
    room for ``capacity`` entities in all (default ``n``: no sub-agents), and novelty memory for
    ``steps`` lifetime steps (default: room for every cell of the map)."""
    h, w = landscape.food_cap.shape
    cap = n if capacity is None else int(capacity)
    if cap < n:
        raise ValueError(f"capacity {cap} is below the population {n}")

    def pad(a: np.ndarray, fill: float = 0) -> np.ndarray:
        out = np.full(cap, fill, dtype=a.dtype)
        out[:n] = a
        return out

    x = pad(rng.integers(0, w, n).astype(np.int64))
    y = pad(rng.integers(0, h, n).astype(np.int64))
    visited = new_visits(cap, h * w if steps is None else min(int(steps) + 1, h * w))
    start_visits(visited, y[:n] * w + x[:n])
    sugar_cap = landscape.sugar_cap * sugar_level
    grids = Grids(
        food=landscape.food_cap.copy(),
        food_cap=landscape.food_cap.copy(),
        sugar=sugar_cap.copy(),
        sugar_cap=sugar_cap,
        material=landscape.material.copy(),
        hazard=landscape.hazard.copy(),
    )
    bodies = Bodies(
        x=x,
        y=y,
        energy=pad(np.full(n, float(energy0))),
        alive=pad(np.ones(n, dtype=np.uint8)),
        carried=np.zeros(cap),
        tools=np.zeros(cap, dtype=np.int64),
        offspring=np.zeros(cap, dtype=np.int64),
        features=np.zeros((cap, N_FEATURES)),
        nodes=np.zeros(cap, dtype=np.int64),
        lifespan=np.zeros(cap, dtype=np.int64),
        visited=visited,
        converted=np.zeros(cap),
        chances=np.zeros(cap, dtype=np.int64),
        forbidden=np.zeros(cap, dtype=np.int64),
    )
    return ForagingState(grids, bodies, new_lineage(n, cap))
