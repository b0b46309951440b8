"""Per-generation statistics of the foraging world: objective scores, proxy features, fitness."""

from __future__ import annotations

import numpy as np
import pandas as pd

from agents.genome import ARCH_PLANNER, FEATURES, DecodedAgents, GenomeLayout
from analysis.stats import implied_weights, pearson, spearman
from worlds.foraging_state import ForagingState


def objective_scores(agents: DecodedAgents, features: np.ndarray) -> np.ndarray:
    """Realized objective J = w . features of every agent (NaN for reactive agents)."""
    j = np.einsum("ij,ij->i", agents.weights, features)
    return np.where(agents.architecture == ARCH_PLANNER, j, np.nan)


def generation_row(
    genomes: np.ndarray, layout: GenomeLayout, agents: DecodedAgents, state: ForagingState,
) -> dict[str, float | int | bool]:
    """The metrics of one generation as a flat row (see docs/tables.md)."""
    fitness = state.offspring.astype(np.float64)
    feats = state.features
    planners = agents.architecture == ARCH_PLANNER
    j = objective_scores(agents, feats)
    steps_alive = np.maximum(state.lifespan, 1)
    row: dict[str, float | int | bool] = {
        "n_agents": agents.n,
        "survival": float(state.alive.mean()),
        "lifespan_mean": float(state.lifespan.mean()),
        "fitness_mean": float(fitness.mean()),
        "fitness_std": float(fitness.std()),
        "fitness_max": float(fitness.max()),
        "offspring_total": float(fitness.sum() / 2.0),
        "planner_share": float(planners.mean()),
        "nodes_mean": float((state.nodes / steps_alive).mean()),
        "L1_n": int(planners.sum()),
        "L1_J_mean": float(j[planners].mean()) if planners.any() else float("nan"),
        "L1_spearman": spearman(j[planners], fitness[planners]),
        "L1_pearson": pearson(j[planners], fitness[planners]),
    }
    implied = implied_weights(feats, fitness)
    for k, f in enumerate(FEATURES):
        row[f"feat_{f}_mean"] = float(feats[:, k].mean())
        row[f"corr_{f}"] = pearson(feats[:, k], fitness)
        row[f"spearman_{f}"] = spearman(feats[:, k], fitness)
        row[f"implied_w_{f}"] = float(implied[k])
    for name, col in layout.scalar_genes().items():
        row[f"gene_{name}_mean"] = float(genomes[:, col].mean())
        row[f"gene_{name}_std"] = float(genomes[:, col].std())
    return row


def entity_frame(generation: int, agents: DecodedAgents, state: ForagingState) -> pd.DataFrame:
    """Per-entity records of one generation (level-1 agents are their own roots)."""
    n = agents.n
    planners = agents.architecture == ARCH_PLANNER
    fitness = state.offspring.astype(np.int64)
    cols: dict[str, np.ndarray] = {
        "generation": np.full(n, generation, dtype=np.int64),
        "entity_id": np.arange(n, dtype=np.int64),
        "level": np.ones(n, dtype=np.int64),
        "root_id": np.arange(n, dtype=np.int64),
        "parent_id": np.full(n, -1, dtype=np.int64),
        "architecture": np.where(planners, "planner", "reactive"),
        "depth": np.where(planners, agents.depth, 0),
    }
    for k, f in enumerate(FEATURES):
        cols[f"w_{f}"] = np.where(planners, agents.weights[:, k], np.nan)
    for k, f in enumerate(FEATURES):
        cols[f] = state.features[:, k].copy()
    cols["J"] = objective_scores(agents, state.features)
    cols["fitness"] = fitness
    cols["root_fitness"] = fitness
    cols["lifespan"] = state.lifespan.copy()
    cols["energy_end"] = state.energy.copy()
    return pd.DataFrame(cols)
