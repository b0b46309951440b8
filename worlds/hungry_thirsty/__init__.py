"""The hungry-thirsty world (Singh, Lewis & Barto 2009, "Where do rewards come from?").

Four 3 x 3 rooms on a 6 x 6 grid, food in one corner, water in another. Fitness
counts food eaten, but an agent can eat only when it is not thirsty, so a good
evolved objective must value drinking, which fitness never counts.

Modules: ``config``, ``genome`` (its features and genome layout), ``model`` (grid, features, the search model), ``kernel``
(numba), ``reference`` (its pure-Python twin), ``world`` (what the generation loop
calls). See ``docs/hungry_thirsty.md``.
"""

from worlds.base import WorldEntry
from worlds.hungry_thirsty.config import SHIFTS, HungryThirstySection
from worlds.hungry_thirsty.genome import FEATURES, genome_layout

ENTRY = WorldEntry(kind="hungry-thirsty", section=HungryThirstySection, shifts=SHIFTS,
                   factory="worlds.hungry_thirsty.world:HungryThirstyWorld", planners_only=True,
                   grid_cells=lambda world: 6 * 6, features=FEATURES, layout=genome_layout,
                   comparators=frozenset({"fixed_weights", "fixed_depth", "fitness_objective"}))
