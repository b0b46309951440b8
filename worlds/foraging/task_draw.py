"""The task-diversity draws: which K of the pool are active in an epoch, and which of them one lifetime lives in.

Counter-based (``agents.rng.uniform4`` under the purposes ``task-set`` and ``task-pick``), so a draw depends
only on the run's task seed and where it happens (epoch, generation), never on draws made before it. Each
kernel has a plain-Python reference twin below, written independently (a list and ``py_uniform4``);
``tests/test_task_diversity.py`` checks that they agree.
"""

from __future__ import annotations

import numpy as np

from agents.jit import kernel
from agents.rng import PURPOSE_TASK_PICK, PURPOSE_TASK_SET, py_uniform4, uniform4


@kernel
def active_set(seed: np.uint64, epoch: int, k: int, pool: int) -> np.ndarray:
    """``k`` distinct pool indices, uniformly without replacement (the first ``k`` places of a Fisher-Yates
    shuffle of ``0..pool-1``; place ``j`` swaps with a uniform one of places ``j..pool-1``)."""
    perm = np.arange(pool)
    for j in range(k):
        r = j + int(uniform4(seed, j, epoch, PURPOSE_TASK_SET) * (pool - j))
        r = min(r, pool - 1)
        tmp = perm[j]
        perm[j] = perm[r]
        perm[r] = tmp
    return perm[:k].copy()


@kernel
def pick_task(seed: np.uint64, generation: int, active: np.ndarray) -> int:
    """One of ``active``, uniformly: the task the lifetime of ``generation`` lives in."""
    k = active.shape[0]
    return active[min(int(uniform4(seed, 0, generation, PURPOSE_TASK_PICK) * k), k - 1)]


def reference_active_set(seed: int, epoch: int, k: int, pool: int) -> list[int]:
    """Plain-Python twin of ``active_set``: draw place by place from the indices not yet drawn."""
    left = list(range(pool))
    chosen = []
    for j in range(k):
        r = min(int(py_uniform4(seed, j, epoch, PURPOSE_TASK_SET) * len(left)), len(left) - 1)
        chosen.append(left[r])
        left[r] = left[0]  # the swap: place j's index moves to where the drawn one was
        left.pop(0)
    return chosen


def reference_pick_task(seed: int, generation: int, active: list[int]) -> int:
    """Plain-Python twin of ``pick_task``."""
    k = len(active)
    return active[min(int(py_uniform4(seed, 0, generation, PURPOSE_TASK_PICK) * k), k - 1)]
