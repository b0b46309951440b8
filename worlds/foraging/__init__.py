"""The foraging world: a toroidal grid of food, sugar, material and hazards where agents eat, mate, build.

Modules: ``config`` (its ``[world]`` section and shift kinds), ``params`` (the
kernel's parameter vector), ``state`` (named structure-of-arrays), ``actions``,
``model`` (what an agent perceives and predicts: the search model), ``reactive``
(the non-optimizer baseline), ``kernel`` (numba), ``reference`` (its pure-Python
twin), ``lifetime`` (checked entry points), ``metrics`` and ``world`` (what the
generation loop calls). Importing the package compiles nothing.
"""

from worlds.foraging.config import EXTRA_BASE, SHIFTS, ForagingSection
from worlds.base import WorldEntry

ENTRY = WorldEntry(kind="foraging", section=ForagingSection, shifts=SHIFTS, extra_base=EXTRA_BASE,
                   factory="worlds.foraging.world:ForagingWorld",
                   grid_cells=lambda world: world.width * world.height)
