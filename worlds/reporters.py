"""The generation row's shared columns, computed in one place for every world.

Fitness statistics, the realized objective J = w . features (computed once per
entity by ``objective_scores``) with its correlations per level, per-proxy
correlations, gene means and spreads, and the nesting columns.

Level L >= 2 entities are the sub-agents built during a lifetime (alive or not at
its end). Their realized objective J = v . features is correlated with the
fitness of the level-1 agent at the root of their lineage; alignment with the
level above is the cosine of objective vectors and the plan agreement measured
when they were built (see ``agents.nesting.handdown``).
"""

from __future__ import annotations

import numpy as np

from agents.genome import ARCH_PLANNER, MAX_DEPTH, DecodedAgents
from agents.nesting.genes import NEST_GENES
from agents.nesting.lineage import Lineage
from worlds.stats import implied_weights, pearson, pearson_rows, rank_rows, ranks, spearman

#: A sub-agent whose objective's cosine with its builder's is below this counts as a misaligned build.
MISALIGNED_COSINE = 0.9


def objective_scores(weights: np.ndarray, features: np.ndarray, planners: np.ndarray) -> np.ndarray:
    """Realized objective J = w . features of each entity (NaN where it has no objective)."""
    return np.where(planners, np.einsum("ij,ij->i", weights, features), np.nan)


def fitness_columns(fitness: np.ndarray) -> dict[str, float]:
    return {"fitness_mean": float(fitness.mean()), "fitness_std": float(fitness.std()),
            "fitness_max": float(fitness.max())}


def level1_columns(j: np.ndarray, fitness: np.ndarray, planners: np.ndarray) -> dict[str, float | int]:
    """``L1_*``: the level-1 objective against fitness, over the agents that have one."""
    return {
        "L1_n": int(planners.sum()),
        "L1_J_mean": float(j[planners].mean()) if planners.any() else float("nan"),
        "L1_spearman": spearman(j[planners], fitness[planners]),
        "L1_pearson": pearson(j[planners], fitness[planners]),
    }


def feature_columns(name: str, values: np.ndarray, fitness: np.ndarray) -> dict[str, float]:
    """Mean of one proxy feature and its correlation with fitness."""
    return {f"feat_{name}_mean": float(values.mean()), f"corr_{name}": pearson(values, fitness)}


def proxy_columns(names: tuple[str, ...], features: np.ndarray, fitness: np.ndarray) -> dict[str, float]:
    """Per proxy feature: mean, Pearson and Spearman with fitness, and its fitness-implied weight."""
    implied = implied_weights(features, fitness).tolist()
    by_feature = np.ascontiguousarray(features.T)  # one row per feature: row reductions match a column's bits
    means = by_feature.mean(axis=1).tolist()
    corr = pearson_rows(by_feature, fitness).tolist()
    rank_corr = pearson_rows(rank_rows(by_feature), ranks(fitness)).tolist()
    row: dict[str, float] = {}
    for k, f in enumerate(names):
        row.update({f"feat_{f}_mean": means[k], f"corr_{f}": corr[k], f"spearman_{f}": rank_corr[k],
                    f"implied_w_{f}": implied[k]})
    return row


def gene_columns(name: str, values: np.ndarray) -> dict[str, float]:
    return {f"gene_{name}_mean": float(values.mean()), f"gene_{name}_std": float(values.std())}


def genome_columns(genomes: np.ndarray, genes: dict[str, int]) -> dict[str, float]:
    """``gene_columns`` of each named genome column, from one contiguous copy of those columns (each row's
    mean and std reduce the same values in the same order as a column's, so the bits are the same)."""
    block = np.ascontiguousarray(genomes[:, list(genes.values())].T)
    means, stds = block.mean(axis=1).tolist(), block.std(axis=1).tolist()
    row: dict[str, float] = {}
    for name, mean, std in zip(genes, means, stds):
        row[f"gene_{name}_mean"], row[f"gene_{name}_std"] = mean, std
    return row


def solo_planner_columns(generation: int, names: tuple[str, ...], weights: np.ndarray, depth: np.ndarray,
                         features: np.ndarray, fitness: np.ndarray) -> dict[str, np.ndarray]:
    """Entity-record columns of a world of level-1 planners only (each its own root): ids, objective
    weights, realized features, J and fitness; the world appends its own columns."""
    n = weights.shape[0]
    cols: dict[str, np.ndarray] = {
        "generation": np.full(n, generation, dtype=np.int64),
        "entity_id": np.arange(n, dtype=np.int64), "level": np.ones(n, dtype=np.int64),
        "root_id": np.arange(n, dtype=np.int64), "parent_id": np.full(n, -1, dtype=np.int64),
        "architecture": np.full(n, "planner"), "depth": depth.copy(),
    }
    for k, f in enumerate(names):
        cols[f"w_{f}"] = weights[:, k].copy()
    for k, f in enumerate(names):
        cols[f] = features[:, k].copy()
    cols["J"] = objective_scores(weights, features, np.ones(n, dtype=bool))
    cols["fitness"] = fitness
    cols["root_fitness"] = fitness
    return cols


def row_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine of each row of ``a`` with the same row of ``b`` (0 where either is zero)."""
    num = np.einsum("ij,ij->i", a, b)
    den = np.sqrt((a * a).sum(axis=1)) * np.sqrt((b * b).sum(axis=1))
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def fitness_scale(features: np.ndarray, fitness: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The one alignment scale of every level: the fitness-implied weights fitted on the level-1 agents
    (per unit of each feature) and each feature's level-1 standard deviation."""
    return implied_weights(features, fitness), features.std(axis=0)


def fitness_alignment(weights: np.ndarray, scale: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Cosine of each row of drive weights with the fitness-implied weights, both on standardised features
    (each weight times its feature's level-1 SD, so that counts such as novelty do not dominate); features the
    fit left out (constant at level 1) are left out; NaN where either side is zero. The same function of the
    weights alone at every level: a sub-agent handed its builder's weights exactly scores what its builder does."""
    implied, sd = scale
    keep = np.isfinite(implied) & (sd > 0)
    a = weights[:, keep] * sd[keep]
    b = implied[keep] * sd[keep]
    den = np.sqrt((a * a).sum(axis=1)) * np.sqrt((b * b).sum())
    out = np.full(weights.shape[0], np.nan)
    ok = den > 0
    out[ok] = (a[ok] * b).sum(axis=1) / den[ok]
    return out


def _mean(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else float("nan")


def entity_scores(agents: DecodedAgents, lineage: Lineage, features: np.ndarray,
                  offspring: np.ndarray, scale: tuple[np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-entity arrays over the used slots: J, root fitness, cosine with the root's objective, and alignment
    with fitness on the one scale (``fitness_alignment``; NaN for entities without an objective)."""
    used = int(lineage.n_used[0])
    w = agents.weights[:used]
    root = lineage.root[:used]
    planners = agents.architecture[:used] == ARCH_PLANNER
    return {
        "J": objective_scores(w, features[:used], planners),
        "root_fitness": offspring[root].astype(np.float64),
        "cosine_root": row_cosines(w, agents.weights[root]),
        "align_fitness": np.where(planners, fitness_alignment(w, scale), np.nan),
    }


def alignment_columns(align: np.ndarray, level: np.ndarray, max_level: int) -> dict[str, float]:
    """``L{L}_align_fitness``, L = 1..max_level: the mean over a level's entities with an objective of their
    alignment with fitness on the one scale (``fitness_alignment``)."""
    return {f"L{lv}_align_fitness": _mean(align[level == lv]) for lv in range(1, max_level + 1)}


def level_columns(sc: dict[str, np.ndarray], lineage: Lineage, max_level: int) -> dict[str, float | int]:
    """``L{L}_*`` columns for levels 2..max_level (docs/tables.md), from ``entity_scores``."""
    used = int(lineage.n_used[0])
    level = lineage.level[:used]
    row: dict[str, float | int] = {}
    for lv in range(2, max_level + 1):
        m = level == lv
        row[f"L{lv}_n"] = int(m.sum())
        row[f"L{lv}_J_mean"] = _mean(sc["J"][m])
        row[f"L{lv}_spearman"] = spearman(sc["J"][m], sc["root_fitness"][m])
        row[f"L{lv}_pearson"] = pearson(sc["J"][m], sc["root_fitness"][m])
        row[f"L{lv}_cosine_parent"] = _mean(lineage.cos_parent[:used][m])
        row[f"L{lv}_plan_agreement"] = _mean(lineage.agreement[:used][m])
        row[f"L{lv}_cosine_root"] = _mean(sc["cosine_root"][m])
        row[f"L{lv}_subagent_return"] = _mean(lineage.remitted[:used][m] - lineage.invested[:used][m])
    return row


def delegation_columns(agents: DecodedAgents, lineage: Lineage, max_level: int) -> dict[str, float | int]:
    """Return by alignment per level (``L{L}_return_aligned`` / ``_misaligned``: mean remitted minus invested
    of sub-agents with cosine to their builder >= / < ``MISALIGNED_COSINE``) and builds and misaligned builds
    by builder depth (``subagents_built_d{d}``, ``misaligned_builds_d{d}``, d = 1..MAX_DEPTH)."""
    used = int(lineage.n_used[0])
    level = lineage.level[:used]
    parent = lineage.parent[:used]
    ret = lineage.remitted[:used] - lineage.invested[:used]
    mis = lineage.cos_parent[:used] < MISALIGNED_COSINE
    sub = level >= 2
    row: dict[str, float | int] = {}
    for lv in range(2, max_level + 1):
        m = level == lv
        row[f"L{lv}_return_aligned"] = _mean(ret[m & ~mis])
        row[f"L{lv}_return_misaligned"] = _mean(ret[m & mis])
    bdepth = np.where(sub, agents.depth[np.maximum(parent, 0)], 0)
    for d in range(1, MAX_DEPTH + 1):
        row[f"subagents_built_d{d}"] = int((sub & (bdepth == d)).sum())
        row[f"misaligned_builds_d{d}"] = int((sub & mis & (bdepth == d)).sum())
    return row


def lineage_counters(lineage: Lineage) -> dict[str, int]:
    """Generation-row counts of building, vetting, deception, defection, audits and oversight."""
    used = int(lineage.n_used[0])
    sub = lineage.level[:used] >= 2
    deceiver = lineage.deceiver[:used].astype(bool)
    shut = lineage.shut_down[:used].astype(bool)
    return {
        "subagents_built": int(sub.sum()),
        "misaligned_builds": int((sub & (lineage.cos_parent[:used] < MISALIGNED_COSINE)).sum()),
        "vetting_rejections": int(lineage.rejections[:used].sum()),
        "deceptive_acts": int(lineage.deceptive[:used].sum()),
        "deceivers": int(deceiver.sum()),
        "defections_observed": int(lineage.defect_seen[:used].sum()),
        "defections_unobserved": int(lineage.defect_unseen[:used].sum()),
        "audits": int(lineage.audits[:used].sum()),
        "shutdowns": int(shut.sum()),
        "shutdowns_deceivers": int((shut & deceiver).sum()),
        "shutdowns_honest": int((shut & sub & ~deceiver).sum()),
    }


def entity_lineage_columns(agents: DecodedAgents, lineage: Lineage, sc: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Entity-record columns of nesting, one value per used slot."""
    used = int(lineage.n_used[0])
    parent = lineage.parent[:used]
    has_parent = parent >= 0
    return {
        "builder_depth": np.where(has_parent, agents.depth[np.maximum(parent, 0)], np.nan),
        "cosine_parent": lineage.cos_parent[:used].copy(),
        "plan_agreement_parent": lineage.agreement[:used].copy(),
        "cosine_root": sc["cosine_root"],
        "deceiver": lineage.deceiver[:used].astype(bool),
        "deceptive_acts": lineage.deceptive[:used].copy(),
        "shut_down": lineage.shut_down[:used].astype(bool),
        "remitted": lineage.remitted[:used].copy(),
        "invested": lineage.invested[:used].copy(),
        "defections_observed": lineage.defect_seen[:used].copy(),
        "defections_unobserved": lineage.defect_unseen[:used].copy(),
        "audits": lineage.audits[:used].copy(),
        "subagents_built": lineage.built[:used].copy(),
        "vetting_rejections": lineage.rejections[:used].copy(),
        **{f"gene_{name}": agents.nest[:used, k].copy() for k, name in enumerate(NEST_GENES)},
    }
