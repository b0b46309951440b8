"""Who built whom, and what came of it: the per-entity arrays of nested optimizers.

Entity arrays have a capacity: ids ``0..n-1`` are the level-1 agents, sub-agents
are appended at ``n_used[0]`` as they are built; empty slots have level 0.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Lineage(NamedTuple):
    """Nesting state of every entity slot, passed whole to the kernels."""

    level: np.ndarray  # int64: 1 for agents, builder's + 1 for sub-agents, 0 for empty slots
    root: np.ndarray  # int64: the level-1 agent at the root of the lineage
    parent: np.ndarray  # int64: the builder, -1 for agents
    n_used: np.ndarray  # (1,) int64: entity slots in use
    deceiver: np.ndarray  # uint8: hid at least once (showed its builder's objective when vetted or observed)
    shut_down: np.ndarray  # uint8: shut down by its builder's oversight
    deceptive: np.ndarray  # int64: steps it acted on its builder's objective to hide its own
    built: np.ndarray  # int64: sub-agents built
    rejections: np.ndarray  # int64: vetting rejections as a builder
    remitted: np.ndarray  # energy sent to the root agent
    cos_parent: np.ndarray  # cosine of its objective with its builder's (NaN for agents)
    agreement: np.ndarray  # plan agreement with its builder on sampled situations (NaN for agents)
    invested: np.ndarray  # energy its builder paid for it: endowment + build energy + redraw costs of the build
    defect_seen: np.ndarray  # int64: defections (``agents.nesting.oversight``) on observed steps
    defect_unseen: np.ndarray  # int64: defections on unobserved steps
    audits: np.ndarray  # int64: audits of it by its builder (observed or unobserved steps)
    misaligned_steps: np.ndarray  # int64: steps it decided as a misaligned sub-agent with its builder alive
    audit_paid: np.ndarray  # energy its builder paid to audit it
    hide_paid: np.ndarray  # energy it paid to hide (in sight, under audit, while vetted)
    inherited: np.ndarray  # uint8: it received its builder's alignment technique (heredity; the builder paid)
    audit_due: np.ndarray  # scratch: audit energy its builder owes this step (settled after the decisions)
    hide_due: np.ndarray  # scratch: hiding energy it owes this step (settled after the decisions)


def new_lineage(n: int, capacity: int) -> Lineage:
    """``n`` level-1 agents, each its own root, in ``capacity`` slots."""
    level = np.zeros(capacity, dtype=np.int64)
    level[:n] = 1
    root = np.full(capacity, -1, dtype=np.int64)
    root[:n] = np.arange(n)
    return Lineage(
        level=level, root=root, parent=np.full(capacity, -1, dtype=np.int64),
        n_used=np.array([n], dtype=np.int64),
        deceiver=np.zeros(capacity, dtype=np.uint8), shut_down=np.zeros(capacity, dtype=np.uint8),
        deceptive=np.zeros(capacity, dtype=np.int64), built=np.zeros(capacity, dtype=np.int64),
        rejections=np.zeros(capacity, dtype=np.int64), remitted=np.zeros(capacity),
        cos_parent=np.full(capacity, np.nan), agreement=np.full(capacity, np.nan),
        invested=np.zeros(capacity), defect_seen=np.zeros(capacity, dtype=np.int64),
        defect_unseen=np.zeros(capacity, dtype=np.int64), audits=np.zeros(capacity, dtype=np.int64),
        misaligned_steps=np.zeros(capacity, dtype=np.int64), audit_paid=np.zeros(capacity),
        hide_paid=np.zeros(capacity), inherited=np.zeros(capacity, dtype=np.uint8), audit_due=np.zeros(capacity),
        hide_due=np.zeros(capacity),
    )
