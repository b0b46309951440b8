"""Counter-based random numbers: a pure function of (seed, entity, step, purpose).

Kernels never touch a global or thread-local RNG; every draw is a hash of its
coordinates, so results do not depend on thread count or iteration order. The
same functions run compiled (numba) and as plain Python (``.py_func``), which the
reference implementation uses, so both produce bit-identical draws.
"""

import math

import numpy as np
from numba import njit

MASK64 = (1 << 64) - 1

# Purposes: one constant per kind of draw.
PURPOSE_ORDER = 1
PURPOSE_CONCEIVE = 2
PURPOSE_BUILD_KIND = 3  # tool or sub-agent
PURPOSE_SUB_DEPTH = 4  # the sub-agent's planner depth
PURPOSE_SUB_PLACE = 5  # the neighbouring cell it is placed on
PURPOSE_HEREDITY = 6  # whether it inherits its builder's alignment technique
PURPOSE_NOISE = 7  # hand-down noise: sub = attempt * 64 + 2 * feature (+1 for the second uniform)
PURPOSE_VET = 8  # vetting situations: sub = 2 * sample (+1 for y)
PURPOSE_MEASURE = 9  # situations for the recorded plan agreement: sub = 2 * sample (+1 for y)
PURPOSE_OVERSIGHT = 10  # whether an observed bad act leads to a shutdown


def sub_purpose(purpose: int, sub: int) -> int:
    """One purpose code per (purpose, sub-draw index): purpose in the high 32 bits."""
    return (purpose << 32) | sub


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


@njit(cache=True)
def gauss4(seed: np.uint64, entity: np.int64, step: np.int64, purpose: np.int64, sub: np.int64) -> float:
    """A standard normal by Box-Muller from the uniforms of sub-draws ``sub`` and ``sub + 1``."""
    u1 = uniform4(seed, entity, step, (purpose << 32) | sub)
    u2 = uniform4(seed, entity, step, (purpose << 32) | (sub + 1))
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


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


def py_gauss4(seed: int, entity: int, step: int, purpose: int, sub: int) -> float:
    """Plain-Python twin of ``gauss4``."""
    u1 = py_uniform4(seed, entity, step, sub_purpose(purpose, sub))
    u2 = py_uniform4(seed, entity, step, sub_purpose(purpose, sub + 1))
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
