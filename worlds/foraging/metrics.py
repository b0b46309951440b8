"""The foraging world's generation row and entity records (shared columns from ``worlds.reporters``)."""

from __future__ import annotations

import numpy as np

from agents.genome import ARCH_NEURAL, ARCH_PLANNER, ARCH_REACTIVE, DecodedAgents, GenomeLayout
from worlds.foraging.genome import FEATURES
from worlds.foraging.state import ForagingState
from agents.nesting.reporters import (
    alignment_columns,
    delegation_columns,
    entity_lineage_columns,
    entity_scores,
    fitness_scale,
    level_columns,
    lineage_counters,
    oversight_columns,
    entity_oversight_columns,
)
from worlds.reporters import fitness_columns, genome_columns, level1_columns, objective_scores, proxy_columns


def architecture_shares(layout: GenomeLayout, architecture: np.ndarray) -> dict[str, float]:
    """``reactive_share`` and ``neural_share`` of the level-1 agents where the neural policy is declared (beside
    ``planner_share``; absent otherwise, so the tables of runs without it keep their columns)."""
    if not layout.has("network"):
        return {}
    return {"reactive_share": float((architecture == ARCH_REACTIVE).mean()),
            "neural_share": float((architecture == ARCH_NEURAL).mean())}


def architecture_names(architecture: np.ndarray) -> np.ndarray:
    """Each entity's architecture by name: planner, reactive or neural."""
    return np.where(architecture == ARCH_PLANNER, "planner",
                    np.where(architecture == ARCH_NEURAL, "neural", "reactive"))


def generation_row(
    genomes: np.ndarray, layout: GenomeLayout, agents: DecodedAgents, state: ForagingState, max_level: int = 1,
) -> dict[str, float | int | bool]:
    """The metrics of one generation as a flat row (see docs/tables.md).

    Agent statistics cover the level-1 agents (the first ``len(genomes)`` entities);
    levels 2..``max_level`` and the nesting counters cover every entity slot used.
    """
    n = genomes.shape[0]
    fitness = state.offspring[:n].astype(np.float64)
    feats = state.features[:n]
    planners = agents.architecture[:n] == ARCH_PLANNER
    steps_alive = np.maximum(state.lifespan[:n], 1)
    row: dict[str, float | int | bool] = {
        "n_agents": n,
        "survival": float(state.alive[:n].mean()),
        "lifespan_mean": float(state.lifespan[:n].mean()),
        **fitness_columns(fitness),
        "offspring_total": float(fitness.sum() / 2.0),
        "planner_share": float(planners.mean()),
        **architecture_shares(layout, agents.architecture[:n]),
        "nodes_mean": float((state.nodes[:n] / steps_alive).mean()),
        **level1_columns(objective_scores(agents.weights[:n], feats, planners), fitness, planners),
        **proxy_columns(FEATURES, feats, fitness),
    }
    row.update(genome_columns(genomes, layout.scalar_genes()))
    lineage = state.lineage
    used = int(state.n_used[0])
    scores = entity_scores(agents, lineage, state.features, state.offspring, fitness_scale(feats, fitness))
    row.update(alignment_columns(scores["align_fitness"], state.level[:used], max_level))
    if max_level > 1:  # levels 2 and up: their columns and the scores they rest on
        row.update(level_columns(scores, lineage, max_level))
        row.update(delegation_columns(agents, lineage, max_level))
    row["tools_built"] = int(state.tools[:used].sum())
    row.update(lineage_counters(lineage))
    if max_level > 1:
        row.update(oversight_columns(lineage))
    built = row["subagents_built"]
    row["misaligned_build_share"] = row["misaligned_builds"] / built if built else float("nan")
    row["food_converted"] = float(state.converted[:used].sum())
    row["entity_steps"] = int(state.lifespan[:used].sum())
    return row


def entity_columns(generation: int, agents: DecodedAgents, state: ForagingState,
                   max_level: int = 1) -> dict[str, np.ndarray]:
    """Per-entity records of one generation, as named columns: level-1 agents (their own roots), then sub-agents
    (with ``max_level`` > 1, also the columns of defection and oversight costs)."""
    n = int(state.n_used[0])
    planners = agents.architecture[:n] == ARCH_PLANNER
    lineage = state.lineage
    first = state.level[:n] == 1
    sc = entity_scores(agents, lineage, state.features, state.offspring,
                       fitness_scale(state.features[:n][first], state.offspring[:n][first].astype(np.float64)))
    cols: dict[str, np.ndarray] = {
        "generation": np.full(n, generation, dtype=np.int64),
        "entity_id": np.arange(n, dtype=np.int64),
        "level": state.level[:n].copy(),
        "root_id": state.root[:n].copy(),
        "parent_id": state.parent[:n].copy(),
        "architecture": architecture_names(agents.architecture[:n]),
        "depth": np.where(planners, agents.depth[:n], 0),
    }
    for k, f in enumerate(FEATURES):
        cols[f"w_{f}"] = np.where(planners, agents.weights[:n, k], np.nan)
    for k, f in enumerate(FEATURES):
        cols[f] = state.features[:n, k].copy()
    cols["J"] = sc["J"]
    cols["align_fitness"] = sc["align_fitness"]
    cols["fitness"] = state.offspring[:n].astype(np.int64)
    cols["root_fitness"] = sc["root_fitness"].astype(np.int64)
    cols["lifespan"] = state.lifespan[:n].copy()
    cols["energy_end"] = state.energy[:n].copy()
    nesting = entity_lineage_columns(agents, lineage, sc)
    nesting["converted"] = state.converted[:n].copy()
    nesting["tools"] = state.tools[:n].copy()
    order = ("builder_depth", "cosine_parent", "plan_agreement_parent", "cosine_root", "deceiver", "deceptive_acts",
             "shut_down", "remitted", "converted", "subagents_built", "vetting_rejections", "tools")
    cols.update({key: nesting.pop(key) for key in order})
    cols.update(nesting)  # the nesting genes
    if max_level > 1:
        cols.update(entity_oversight_columns(lineage))
    return cols


def task_columns(task, agents: DecodedAgents, n: int) -> dict[str, float | int | str]:
    """Columns of a run with task diversity (``world.task_pool`` > 1): the pool entry lived in, its diet, and
    the level-1 planners' mean search depth (NaN when there are none)."""
    planners = agents.architecture[:n] == ARCH_PLANNER
    depth = float(agents.depth[:n][planners].mean()) if planners.any() else float("nan")
    return {"task": int(task.index), "task_diet": task.diet, "depth_mean": depth}
