"""Counter-based random numbers: a pure function of (seed, entity, step, purpose).

Kernels never touch a global or thread-local RNG; every draw is a hash of its
coordinates, so results do not depend on thread count or iteration order. The
same functions run compiled (numba) and as plain Python (``.py_func``), which the
reference implementation uses, so both produce bit-identical draws.
"""

import numpy as np
from numba import njit

MASK64 = (1 << 64) - 1

# Purposes: one constant per kind of draw.
PURPOSE_ORDER = 1
PURPOSE_CONCEIVE = 2


@njit(cache=True)
def splitmix64(x: np.uint64) -> np.uint64:
    """One round of SplitMix64 finalisation (a bijective 64-bit mixer)."""
    x = np.uint64(x) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@njit(cache=True)
def hash4(seed: np.uint64, entity: np.int64, step: np.int64, purpose: np.int64) -> np.uint64:
    """Hash of four coordinates, chaining SplitMix64 through each one."""
    h = splitmix64(np.uint64(seed))
    h = splitmix64(h ^ np.uint64(entity))
    h = splitmix64(h ^ np.uint64(step))
    return splitmix64(h ^ np.uint64(purpose))


@njit(cache=True)
def uniform4(seed: np.uint64, entity: np.int64, step: np.int64, purpose: np.int64) -> float:
    """A float in [0, 1) from the top 53 bits of ``hash4``."""
    return float(hash4(seed, entity, step, purpose) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


def py_hash4(seed: int, entity: int, step: int, purpose: int) -> int:
    """Plain-integer twin of ``hash4`` for the reference implementation."""

    def mix(x: int) -> int:
        x = (x + 0x9E3779B97F4A7C15) & MASK64
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
        return x ^ (x >> 31)

    h = mix(seed & MASK64)
    h = mix(h ^ (entity & MASK64))
    h = mix(h ^ (step & MASK64))
    return mix(h ^ (purpose & MASK64))


def py_uniform4(seed: int, entity: int, step: int, purpose: int) -> float:
    """Plain-Python twin of ``uniform4``."""
    return (py_hash4(seed, entity, step, purpose) >> 11) * (1.0 / 9007199254740992.0)
