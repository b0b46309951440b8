"""Worlds: one subpackage per world (``foraging``, ``maze``, ...), each a plug-in registered in
``worlds.registry``; ``worlds.base`` states what a world is, ``worlds.reporters`` the generation row's
shared columns, ``worlds.shifts`` the schedule arithmetic. Importing a world's package compiles nothing.
"""

from worlds.registry import world_entry


def world_class(kind: str) -> type:
    """The world class for ``config.world.kind``."""
    return world_entry(kind).world_class()
