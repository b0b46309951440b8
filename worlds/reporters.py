"""The generation row's shared level-1 columns, computed in one place for every world.

Fitness statistics, the realized objective J = w . features (``agents.stats.objective_scores``)
against fitness, per-proxy correlations, gene means and spreads, and the entity records of a
world of planners only. Levels 2 and up report through ``agents.nesting.reporters``.
"""

from __future__ import annotations

import numpy as np

from agents.stats import implied_weights, objective_scores, pearson, pearson_rows, rank_rows, ranks, spearman

__all__ = ["objective_scores", "fitness_columns", "level1_columns", "feature_columns", "proxy_columns",
           "gene_columns", "genome_columns", "solo_planner_columns"]


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
