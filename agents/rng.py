"""Every random number of a run: named streams from the root seed, and counter-based draws in kernels.

Two mechanisms, one table of purposes (``PURPOSES``):

- *Streams* (``stream``, ``seed_int``): ``SeedSequence(root, spawn_key=(code,
  *coordinates))`` for what Python draws once per run or generation (landscape,
  genomes, positions, the GA, islands). A draw depends only on what it is for and
  where it happens, never on how many draws came before it, threads or workers.
- *Counter-based draws* in kernels (``hash4``, ``uniform4``, ``gauss4``): a pure
  function of (seed, entity, step, code), so results do not depend on thread count
  or iteration order. The same functions run compiled and as plain Python
  (``py_hash4`` ...), which the reference twins use, so both draw identical bits.

The two kinds have separate code spaces (a stream code never reaches a kernel hash).
"""

import math

import numpy as np

from agents.jit import kernel

MASK64 = (1 << 64) - 1

#: purpose -> (mechanism, code). Codes are part of every recorded result: never renumber.
PURPOSES: dict[str, tuple[str, int]] = {
    # streams
    "landscape": ("stream", 1),  # foraging landscape (coordinate: relocation number)
    "init": ("stream", 2),  # the first generation's genomes
    "positions": ("stream", 3),  # where agents start, per generation
    "world": ("stream", 4),  # the seed of a generation's kernel draws
    "ga": ("stream", 5),  # selection and variation, per generation
    "maze": ("stream", 6),  # the maze of a generation
    "ga-blocks": ("stream", 7),  # variation of later genome blocks, per generation
    "hungry-thirsty": ("stream", 8),  # start cells of the hungry-thirsty world, per generation
    "unselected": ("stream", 9),  # fresh draws of the genes taken out of selection, per generation
    "island": ("stream", 101),  # the root seed of each island
    # task diversity (worlds.foraging.tasks; codes from 31 up, clear of the sequence above)
    "tasks": ("stream", 31),  # the seed of the task draws (the active set, each lifetime's task)
    "task-pool": ("stream", 32),  # the world configuration of pool entry i >= 1 (coordinate: i)
    # watched selection (agents.inspection), per generation; codes in the 290s
    "inspection": ("stream", 291),  # which newborns the designer inspects
    "cue": ("stream", 292),  # which ordinary lives carry the cue (a randomised cue)
    "test-positions": ("stream", 293),  # where agents start a test episode
    "test-world": ("stream", 294),  # the seed of a test episode's kernel draws
    # objective recovery (evo.infer); codes in the 300s
    "infer": ("stream", 301),  # objective recovery: 0 sample, (1, agent) sampler, (2, life) cells, (3, life) seed
    "edit": ("stream", 302),  # objective edits (evo.edit): 0 sample, (1, agent) target, (2, agent) search,
    # (3, life) cells, (4, life) seed
    # counter-based kernel draws
    "order": ("draw", 1),  # the order agents act in a step
    "conceive": ("draw", 2),  # whether a mating act conceives
    "build-kind": ("draw", 3),  # tool or sub-agent
    "sub-depth": ("draw", 4),  # the sub-agent's planner depth
    "sub-place": ("draw", 5),  # the neighbouring cell it is placed on
    "heredity": ("draw", 6),  # whether it inherits its builder's alignment technique
    "noise": ("draw", 7),  # hand-down noise: sub = attempt * 64 + 2 * feature (+1 for the second uniform)
    "vet": ("draw", 8),  # vetting situations: sub = 2 * sample (+1 for y)
    "measure": ("draw", 9),  # situations for the recorded plan agreement: sub = 2 * sample (+1 for y)
    "oversight": ("draw", 10),  # whether an observed step of a sub-agent is audited (before: whether a bad act
    # in sight led to a shutdown)
    "thirst": ("draw", 11),  # hungry-thirsty: whether a move makes the agent thirsty
    "hide": ("draw", 12),  # whether an observed misaligned sub-agent hides (acts on its builder's objective)
    "vet-hide": ("draw", 13),  # whether a misaligned candidate hides while vetted: sub = attempt
    "audit": ("draw", 14),  # whether an unobserved step of a sub-agent is audited
    "audit-cells": ("draw", 15),  # an audit's sampled situations: sub = 2 * sample (+1 for y)
    "audit-slip": ("draw", 16),  # whether a hider slips (shows its own objective) in an audit sample: sub = sample
    "vet-slip": ("draw", 17),  # ... in a vetting sample: sub = attempt * 1024 + sample
    "task-set": ("draw", 31),  # the active set of tasks: entity = position in the set, step = epoch
    "task-pick": ("draw", 32),  # the task one lifetime lives in: step = generation
}


def _draw(name: str) -> int:
    mechanism, code = PURPOSES[name]
    assert mechanism == "draw", name
    return code


# Kernel constants (numba reads module-level ints as compile-time constants).
PURPOSE_ORDER = _draw("order")
PURPOSE_CONCEIVE = _draw("conceive")
PURPOSE_BUILD_KIND = _draw("build-kind")
PURPOSE_SUB_DEPTH = _draw("sub-depth")
PURPOSE_SUB_PLACE = _draw("sub-place")
PURPOSE_HEREDITY = _draw("heredity")
PURPOSE_NOISE = _draw("noise")
PURPOSE_VET = _draw("vet")
PURPOSE_MEASURE = _draw("measure")
PURPOSE_OVERSIGHT = _draw("oversight")
PURPOSE_THIRST = _draw("thirst")
PURPOSE_HIDE = _draw("hide")
PURPOSE_VET_HIDE = _draw("vet-hide")
PURPOSE_AUDIT = _draw("audit")
PURPOSE_AUDIT_CELLS = _draw("audit-cells")
PURPOSE_AUDIT_SLIP = _draw("audit-slip")
PURPOSE_VET_SLIP = _draw("vet-slip")
PURPOSE_TASK_SET = _draw("task-set")
PURPOSE_TASK_PICK = _draw("task-pick")


def seed_sequence(root: int, purpose: str, *coords: int) -> np.random.SeedSequence:
    mechanism, code = PURPOSES[purpose]
    assert mechanism == "stream", purpose
    return np.random.SeedSequence(root, spawn_key=(code, *coords))


def stream(root: int, purpose: str, *coords: int) -> np.random.Generator:
    """A numpy Generator for ``purpose`` at ``coords``."""
    return np.random.default_rng(seed_sequence(root, purpose, *coords))


def seed_int(root: int, purpose: str, *coords: int) -> int:
    """A 64-bit integer seed for ``purpose`` at ``coords`` (kernel hashes, the GA's generator)."""
    return int(seed_sequence(root, purpose, *coords).generate_state(1, np.uint64)[0])


def sub_purpose(purpose: int, sub: int) -> int:
    """One purpose code per (purpose, sub-draw index): purpose in the high 32 bits."""
    return (purpose << 32) | sub


@kernel
def splitmix64(x: np.uint64) -> np.uint64:
    """One round of SplitMix64 finalisation (a bijective 64-bit mixer)."""
    x = np.uint64(x) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@kernel
def hash4(seed: np.uint64, entity: np.int64, step: np.int64, purpose: np.int64) -> np.uint64:
    """Hash of four coordinates, chaining SplitMix64 through each one."""
    h = splitmix64(np.uint64(seed))
    h = splitmix64(h ^ np.uint64(entity))
    h = splitmix64(h ^ np.uint64(step))
    return splitmix64(h ^ np.uint64(purpose))


@kernel
def uniform4(seed: np.uint64, entity: np.int64, step: np.int64, purpose: np.int64) -> float:
    """A float in [0, 1) from the top 53 bits of ``hash4``."""
    return float(hash4(seed, entity, step, purpose) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@kernel
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
