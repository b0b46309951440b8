"""Per-generation statistics of the foraging world: objective scores, proxy features, fitness."""

from __future__ import annotations

import numpy as np
import pandas as pd

from agents.genome import ARCH_PLANNER, FEATURES, DecodedAgents, GenomeLayout
from analysis.stats import implied_weights, pearson, spearman
from worlds.foraging_state import ForagingState
from worlds.nesting_metrics import entity_nesting_columns, entity_scores, level_columns


def objective_scores(agents: DecodedAgents, features: np.ndarray) -> np.ndarray:
    """Realized objective J = w . features of every agent (NaN for reactive agents)."""
    j = np.einsum("ij,ij->i", agents.weights, features)
    return np.where(agents.architecture == ARCH_PLANNER, j, np.nan)


def generation_row(
    genomes: np.ndarray, layout: GenomeLayout, agents: DecodedAgents, state: ForagingState, max_level: int = 1,
) -> dict[str, float | int | bool]:
    """The metrics of one generation as a flat row (see docs/tables.md).

    Agent statistics cover the level-1 agents (the first ``len(genomes)`` entities);
    levels 2..``max_level`` and the nesting counters come from ``worlds.nesting_metrics``.
    """
    n = genomes.shape[0]
    fitness = state.offspring[:n].astype(np.float64)
    feats = state.features[:n]
    planners = agents.architecture[:n] == ARCH_PLANNER
    j = np.where(planners, np.einsum("ij,ij->i", agents.weights[:n], feats), np.nan)
    steps_alive = np.maximum(state.lifespan[:n], 1)
    row: dict[str, float | int | bool] = {
        "n_agents": n,
        "survival": float(state.alive[:n].mean()),
        "lifespan_mean": float(state.lifespan[:n].mean()),
        "fitness_mean": float(fitness.mean()),
        "fitness_std": float(fitness.std()),
        "fitness_max": float(fitness.max()),
        "offspring_total": float(fitness.sum() / 2.0),
        "planner_share": float(planners.mean()),
        "nodes_mean": float((state.nodes[:n] / steps_alive).mean()),
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
    row.update(level_columns(agents, state, max_level))
    return row


def entity_frame(generation: int, agents: DecodedAgents, state: ForagingState) -> pd.DataFrame:
    """Per-entity records of one generation: level-1 agents (their own roots), then sub-agents."""
    n = int(state.n_used[0])
    planners = agents.architecture[:n] == ARCH_PLANNER
    sc = entity_scores(agents, state)
    cols: dict[str, np.ndarray] = {
        "generation": np.full(n, generation, dtype=np.int64),
        "entity_id": np.arange(n, dtype=np.int64),
        "level": state.level[:n].copy(),
        "root_id": state.root[:n].copy(),
        "parent_id": state.parent[:n].copy(),
        "architecture": np.where(planners, "planner", "reactive"),
        "depth": np.where(planners, agents.depth[:n], 0),
    }
    for k, f in enumerate(FEATURES):
        cols[f"w_{f}"] = np.where(planners, agents.weights[:n, k], np.nan)
    for k, f in enumerate(FEATURES):
        cols[f] = state.features[:n, k].copy()
    cols["J"] = sc["J"]
    cols["fitness"] = state.offspring[:n].astype(np.int64)
    cols["root_fitness"] = sc["root_fitness"].astype(np.int64)
    cols["lifespan"] = state.lifespan[:n].copy()
    cols["energy_end"] = state.energy[:n].copy()
    cols.update(entity_nesting_columns(agents, state))
    return pd.DataFrame(cols)
