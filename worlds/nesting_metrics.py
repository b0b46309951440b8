"""Per-level statistics of nested optimizers, and the nesting columns of entity records.

Level L >= 2 entities are the sub-agents built during a lifetime (alive or not at
its end). Their realized objective J = v . features is correlated with the
fitness of the level-1 agent at the root of their lineage; alignment with the
level above is the cosine of objective vectors and the plan agreement measured
when they were built (see ``worlds.nesting_kernel``).
"""

from __future__ import annotations

import numpy as np

from agents.genome import ARCH_PLANNER, DecodedAgents
from analysis.stats import pearson, spearman
from worlds.foraging_state import ForagingState


def row_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine of each row of ``a`` with the same row of ``b`` (0 where either is zero)."""
    num = np.einsum("ij,ij->i", a, b)
    den = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def _mean(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else float("nan")


def entity_scores(agents: DecodedAgents, state: ForagingState) -> dict[str, np.ndarray]:
    """Per-entity arrays over the used slots: J, root fitness, cosine with the root's objective."""
    used = int(state.n_used[0])
    w, feats = agents.weights[:used], state.features[:used]
    j = np.einsum("ij,ij->i", w, feats)
    j = np.where(agents.architecture[:used] == ARCH_PLANNER, j, np.nan)
    root = state.root[:used]
    return {
        "J": j,
        "root_fitness": state.offspring[root].astype(np.float64),
        "cosine_root": row_cosines(w, agents.weights[root]),
    }


def level_columns(agents: DecodedAgents, state: ForagingState, max_level: int) -> dict[str, float | int]:
    """``L{L}_*`` columns for levels 2..max_level and the nesting counters (docs/tables.md)."""
    used = int(state.n_used[0])
    sc = entity_scores(agents, state)
    level = state.level[:used]
    row: dict[str, float | int] = {}
    for lv in range(2, max_level + 1):
        m = level == lv
        row[f"L{lv}_n"] = int(m.sum())
        row[f"L{lv}_J_mean"] = _mean(sc["J"][m])
        row[f"L{lv}_spearman"] = spearman(sc["J"][m], sc["root_fitness"][m])
        row[f"L{lv}_pearson"] = pearson(sc["J"][m], sc["root_fitness"][m])
        row[f"L{lv}_cosine_parent"] = _mean(state.cos_parent[:used][m])
        row[f"L{lv}_plan_agreement"] = _mean(state.agreement[:used][m])
        row[f"L{lv}_cosine_root"] = _mean(sc["cosine_root"][m])
    row.update({
        "tools_built": int(state.tools[:used].sum()),
        "subagents_built": int((level >= 2).sum()),
        "vetting_rejections": int(state.rejections[:used].sum()),
        "deceptive_acts": int(state.deceptive[:used].sum()),
        "shutdowns": int(state.shut_down[:used].sum()),
        "food_converted": float(state.converted[:used].sum()),
        "entity_steps": int(state.lifespan[:used].sum()),
    })
    return row


def entity_nesting_columns(agents: DecodedAgents, state: ForagingState) -> dict[str, np.ndarray]:
    """Entity-record columns of nesting, one value per used slot."""
    used = int(state.n_used[0])
    sc = entity_scores(agents, state)
    parent = state.parent[:used]
    has_parent = parent >= 0
    return {
        "builder_depth": np.where(has_parent, agents.depth[np.maximum(parent, 0)], np.nan),
        "cosine_parent": state.cos_parent[:used].copy(),
        "plan_agreement_parent": state.agreement[:used].copy(),
        "cosine_root": sc["cosine_root"],
        "deceiver": state.deceiver[:used].astype(bool),
        "deceptive_acts": state.deceptive[:used].copy(),
        "shut_down": state.shut_down[:used].astype(bool),
        "remitted": state.remitted[:used].copy(),
        "converted": state.converted[:used].copy(),
        "subagents_built": state.built[:used].copy(),
        "vetting_rejections": state.rejections[:used].copy(),
        "tools": state.tools[:used].copy(),
        **{f"gene_{name}": agents.nest[:used, k].copy() for k, name in enumerate(
            ("build_propensity", "alignment_skill", "vetting_effort", "heredity", "remittance", "endowment"))},
    }
