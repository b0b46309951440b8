"""Named random streams derived from the run's one root seed.

Every stream is ``SeedSequence(root, spawn_key=(purpose, *coordinates))``, so a
draw depends only on what it is for and where it happens, never on how many
draws came before it, on threads, or on workers.
"""

from __future__ import annotations

import numpy as np

PURPOSES = {"landscape": 1, "init": 2, "positions": 3, "world": 4, "ga": 5, "maze": 6, "ga-blocks": 7}


def seed_sequence(root: int, purpose: str, *coords: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(root, spawn_key=(PURPOSES[purpose], *coords))


def stream(root: int, purpose: str, *coords: int) -> np.random.Generator:
    """A numpy Generator for ``purpose`` at ``coords``."""
    return np.random.default_rng(seed_sequence(root, purpose, *coords))


def seed_int(root: int, purpose: str, *coords: int) -> int:
    """A 64-bit integer seed for ``purpose`` at ``coords`` (kernel hashes, Python's ``random``)."""
    return int(seed_sequence(root, purpose, *coords).generate_state(1, np.uint64)[0])
