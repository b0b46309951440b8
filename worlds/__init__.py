"""Worlds: structure-of-arrays state, numba step kernels and their reference implementations.

A world is a class built from ``(config, layout)`` whose ``live(genomes, generation)``
returns a lifetime with ``fitness`` (one value per genome), ``metrics()`` (the
world's columns of the generation row) and ``entities()`` (per-entity records).
Adding a world is adding a module and an entry in ``world_class``.
"""

from worlds.kernel_cache import configure as _configure_kernel_cache

_configure_kernel_cache()  # before any kernel module is compiled (they all import from worlds)


def world_class(kind: str) -> type:
    """The world class for ``config.world.kind``."""
    if kind == "foraging":
        from worlds.foraging_world import ForagingWorld

        return ForagingWorld
    if kind == "maze":
        from worlds.maze_world import MazeWorld

        return MazeWorld
    raise ValueError(f"unknown world kind {kind!r}")
