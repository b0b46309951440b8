"""The foraging world: a toroidal grid of food, sugar, material and hazards where agents eat, mate, build.

Modules: ``config`` (its ``[world]`` section and shift kinds), ``genome`` (features, policy shape, genome layout), ``params`` (the
kernel's parameter vector), ``state`` (named structure-of-arrays), ``actions``,
``model`` (what an agent perceives and predicts: the search model), ``reactive``
(the non-optimizer baseline), ``kernel`` (numba), ``reference`` (its pure-Python
twin), ``lifetime`` (checked entry points), ``metrics`` and ``world`` (what the
generation loop calls). Importing the package compiles nothing.
"""

from worlds.base import COMPARATORS, WorldEntry
from worlds.foraging.config import EXTRA_BASE, SHIFTS, ForagingSection
from worlds.foraging.genome import FEATURES, POLICY_SHAPE, genome_layout

ENTRY = WorldEntry(kind="foraging", section=ForagingSection, shifts=SHIFTS, extra_base=EXTRA_BASE,
                   factory="worlds.foraging.world:ForagingWorld",
                   grid_cells=lambda world: world.width * world.height,
                   features=FEATURES, layout=genome_layout, policy_shape=POLICY_SHAPE,
                   comparators=frozenset(COMPARATORS))
