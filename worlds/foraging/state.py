"""Foraging world state as structure-of-arrays, and its construction.

Grids are ``(height, width)`` float64 arrays; entities are parallel 1-D arrays
indexed by entity id (``features`` and ``visited`` are 2-D with one row per
entity). Entity arrays have a capacity: ids ``0..n_agents-1`` are the level-1
agents, sub-agents are appended at ``n_used[0]`` as they are built; empty slots
are dead (``alive = 0``, ``level = 0``). The landscape (capacity maps, material, hazard) is drawn once per run;
each lifetime starts from it with full food and agents at random cells.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np

from agents.genome import N_FEATURES
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


@dataclass
class ForagingState:
    """Everything that changes during a lifetime, by name; ``grids()``, ``bodies()`` and
    ``lineage()`` are the same arrays grouped as the kernels take them (no copies)."""

    food: np.ndarray
    food_cap: np.ndarray
    sugar: np.ndarray
    sugar_cap: np.ndarray
    material: np.ndarray
    hazard: np.ndarray
    x: np.ndarray  # int64
    y: np.ndarray  # int64
    energy: np.ndarray
    alive: np.ndarray  # uint8
    carried: np.ndarray  # material carried
    tools: np.ndarray  # int64
    offspring: np.ndarray  # int64: conceptions, the reproductive fitness
    features: np.ndarray  # (n, N_FEATURES) realized proxy features
    nodes: np.ndarray  # int64: search nodes expanded over the lifetime
    lifespan: np.ndarray  # int64: steps lived
    visited: np.ndarray  # (n, height*width) uint8
    level: np.ndarray  # int64: 1 for agents, builder's + 1 for sub-agents, 0 for empty slots
    root: np.ndarray  # int64: the level-1 agent at the root of the lineage
    parent: np.ndarray  # int64: the builder, -1 for agents
    n_used: np.ndarray  # (1,) int64: entity slots in use
    deceiver: np.ndarray  # uint8: acts on its builder's objective while observed (deception on)
    shut_down: np.ndarray  # uint8: shut down by its builder's oversight
    deceptive: np.ndarray  # int64: steps it acted on its builder's objective to hide its own
    built: np.ndarray  # int64: sub-agents built
    rejections: np.ndarray  # int64: vetting rejections as a builder
    remitted: np.ndarray  # energy sent to the root agent
    converted: np.ndarray  # food turned into material
    cos_parent: np.ndarray  # cosine of its objective with its builder's (NaN for agents)
    agreement: np.ndarray  # plan agreement with its builder on sampled situations (NaN for agents)

    def copy(self) -> "ForagingState":
        return ForagingState(**{f.name: getattr(self, f.name).copy() for f in fields(self)})

    def arrays(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def grids(self) -> Grids:
        return Grids(*(getattr(self, name) for name in Grids._fields))

    def bodies(self) -> Bodies:
        return Bodies(*(getattr(self, name) for name in Bodies._fields))

    def lineage(self) -> Lineage:
        return Lineage(*(getattr(self, name) for name in Lineage._fields))


def patch_map(height: int, width: int, n_patches: int, radius: float, rng: np.random.Generator) -> np.ndarray:
    """Sum of toroidal Gaussian bumps at random centres, clipped to [0, 1]."""
    ys, xs = np.mgrid[0:height, 0:width]
    out = np.zeros((height, width))
    for cy, cx in zip(rng.integers(0, height, n_patches), rng.integers(0, width, n_patches)):
        dy = np.minimum(np.abs(ys - cy), height - np.abs(ys - cy))
        dx = np.minimum(np.abs(xs - cx), width - np.abs(xs - cx))
        out += np.exp(-(dx**2 + dy**2) / (2.0 * radius**2))
    return np.clip(out, 0.0, 1.0)


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
    capacity: int | None = None,
) -> ForagingState:
    """A fresh world for one generation: full food, sugar at ``sugar_level``, ``n`` agents scattered,
    room for ``capacity`` entities in all (default ``n``: no sub-agents)."""
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
    visited = np.zeros((cap, h * w), dtype=np.uint8)
    visited[np.arange(n), y[:n] * w + x[:n]] = 1
    sugar_cap = landscape.sugar_cap * sugar_level
    return ForagingState(
        food=landscape.food_cap.copy(),
        food_cap=landscape.food_cap.copy(),
        sugar=sugar_cap.copy(),
        sugar_cap=sugar_cap,
        material=landscape.material.copy(),
        hazard=landscape.hazard.copy(),
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
        **new_lineage(n, cap)._asdict(),
    )
