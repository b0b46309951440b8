"""Task diversity: a pool of world configurations, an active set of ``K`` of them, one per lifetime.

``world.task_pool`` configurations make the pool. Entry 0 is the run's own world (its landscape and
parameters, shifts included); entry i >= 1 is drawn once per run from ``stream(root, "task-pool", i)``:

- a layout: a fresh landscape of the same size and densities (food patches, sugar spots, material and
  hazard cells all elsewhere), and sugar present (level 1);
- a diet, uniform over ``DIETS``: which resource nourishes and which harms.

Every ``world.task_period`` generations (an epoch) an active set of ``world.tasks`` distinct entries is
drawn from the pool; each generation's lifetime lives in one entry of the active set, drawn uniformly
(``worlds.foraging.task_draw``; the whole population shares the lifetime, as it shares every world).
With the defaults (a pool of 1) nothing is drawn and every lifetime is the run's own world, bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.rng import seed_int, stream
from worlds.foraging.state import Landscape, make_landscape
from worlds.foraging.task_draw import active_set, pick_task

#: Diets of pool entries i >= 1: name -> (food energy, sugar energy) as multiples of the world's ``food_energy``.
DIETS: dict[str, tuple[float, float]] = {
    "food": (1.0, 0.0),  # the run's own diet: food nourishes, sugar is tasty and empty
    "sugar": (0.0, 1.0),  # sugar nourishes, food is empty
    "sugar-food-harms": (-0.5, 1.0),  # sugar nourishes, food costs half its usual energy
}
DIET_NAMES = tuple(DIETS)


@dataclass(frozen=True)
class Task:
    """One pool entry: its landscape, its kernel-parameter overrides and its sugar level (None: the run's own)."""

    index: int
    diet: str
    landscape: Landscape | None  # None: the run's own (entry 0)
    params: dict[str, float]
    sugar_level: float | None


class TaskPool:
    """The pool of a run, its entries drawn lazily; ``task_for(generation)`` says which one a lifetime lives in."""

    def __init__(self, world, root: int):
        if world.tasks > world.task_pool:
            raise ValueError(f"world.tasks = {world.tasks} is larger than world.task_pool = {world.task_pool}")
        self.world, self.root = world, root
        self.seed = np.uint64(seed_int(root, "tasks"))
        self._entries: dict[int, Task] = {0: Task(0, "food", None, {}, None)}

    @property
    def diverse(self) -> bool:
        """Whether the pool has more than the run's own world (only then is anything drawn or recorded)."""
        return self.world.task_pool > 1

    def entry(self, index: int) -> Task:
        """Pool entry ``index`` (0: the run's own world)."""
        if index not in self._entries:
            w = self.world
            rng = stream(self.root, "task-pool", index)
            land = make_landscape(w.height, w.width, w.food_patches, w.patch_radius, w.sugar_patches,
                                  w.material_density, w.hazard_density, rng)
            diet = DIET_NAMES[int(rng.integers(len(DIET_NAMES)))]
            food, sugar = DIETS[diet]
            params = {"food_energy": food * w.food_energy, "sugar_energy": sugar * w.food_energy}
            self._entries[index] = Task(index, diet, land, params, 1.0)
        return self._entries[index]

    def active(self, generation: int) -> np.ndarray:
        """The active set in force at ``generation`` (drawn once per epoch of ``task_period`` generations)."""
        w = self.world
        return active_set(self.seed, generation // w.task_period, w.tasks, w.task_pool)

    def task_for(self, generation: int) -> Task:
        """The pool entry the lifetime of ``generation`` lives in."""
        if not self.diverse:
            return self._entries[0]
        return self.entry(int(pick_task(self.seed, generation, self.active(generation))))
