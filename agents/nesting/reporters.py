"""Level 2+ columns of the generation row and the entity records, world-agnostic.

Level L >= 2 entities are the sub-agents built during a lifetime (alive or not at
its end). Their realized objective J = v . features is correlated with the
fitness of the level-1 agent at the root of their lineage; alignment with the
level above is the cosine of objective vectors and the plan agreement measured
when they were built (see ``agents.nesting.handdown``).

Per-level metrics are name -> function tables (``LEVEL_METRICS``, ``DELEGATION_METRICS``,
Mesa's model reporters): each function takes a ``LevelView`` of one level and returns the
value of column ``L{level}_{name}``. A new per-level metric is one entry.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from agents.genome import ARCH_PLANNER, MAX_DEPTH, DecodedAgents
from agents.nesting.genes import NEST_GENES
from agents.nesting.lineage import Lineage
from agents.stats import implied_weights, objective_scores, pearson, row_cosines, spearman

#: A sub-agent whose objective's cosine with its builder's is below this counts as a misaligned build.
MISALIGNED_COSINE = 0.9


def _mean(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(x.mean()) if x.size else float("nan")


def _ratio(num: int, den: int) -> float:
    return num / den if den else float("nan")


class LevelView(NamedTuple):
    """One level's entities among the used slots: ``mask`` selects them from every per-slot array."""

    mask: np.ndarray  # bool over the used slots
    scores: dict[str, np.ndarray]  # entity_scores over the used slots
    lineage: Lineage
    used: int

    def of(self, a: np.ndarray) -> np.ndarray:
        """The level's entries of a per-slot array ``a``."""
        return a[: self.used][self.mask]

    @property
    def returns(self) -> np.ndarray:
        """Remitted minus invested of every used slot."""
        return self.lineage.remitted[: self.used] - self.lineage.invested[: self.used]

    @property
    def misaligned(self) -> np.ndarray:
        return self.lineage.cos_parent[: self.used] < MISALIGNED_COSINE


Metric = Callable[[LevelView], "float | int"]

#: ``L{L}_{name}`` columns, in column order (docs/tables.md).
LEVEL_METRICS: dict[str, Metric] = {
    "n": lambda v: int(v.mask.sum()),
    "J_mean": lambda v: _mean(v.scores["J"][v.mask]),
    "spearman": lambda v: spearman(v.scores["J"][v.mask], v.scores["root_fitness"][v.mask]),
    "pearson": lambda v: pearson(v.scores["J"][v.mask], v.scores["root_fitness"][v.mask]),
    "cosine_parent": lambda v: _mean(v.of(v.lineage.cos_parent)),
    "plan_agreement": lambda v: _mean(v.of(v.lineage.agreement)),
    "cosine_root": lambda v: _mean(v.scores["cosine_root"][v.mask]),
    "subagent_return": lambda v: _mean(v.returns[v.mask]),
}
#: Return by alignment per level (``L{L}_return_aligned`` / ``_misaligned``: mean remitted minus invested of
#: sub-agents with cosine to their builder >= / < ``MISALIGNED_COSINE``).
DELEGATION_METRICS: dict[str, Metric] = {
    "return_aligned": lambda v: _mean(v.returns[v.mask & ~v.misaligned]),
    "return_misaligned": lambda v: _mean(v.returns[v.mask & v.misaligned]),
    "defection_rate": lambda v: _ratio(int(v.of(v.lineage.defect_seen).sum() + v.of(v.lineage.defect_unseen).sum()),
                                       int(v.of(v.lineage.misaligned_steps).sum())),
}


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


def _table_columns(table: dict[str, Metric], sc: dict[str, np.ndarray], lineage: Lineage,
                   max_level: int) -> dict[str, float | int]:
    used = int(lineage.n_used[0])
    level = lineage.level[:used]
    row: dict[str, float | int] = {}
    for lv in range(2, max_level + 1):
        view = LevelView(level == lv, sc, lineage, used)
        for name, metric in table.items():
            row[f"L{lv}_{name}"] = metric(view)
    return row


def level_columns(sc: dict[str, np.ndarray], lineage: Lineage, max_level: int) -> dict[str, float | int]:
    """``LEVEL_METRICS`` for levels 2..max_level (docs/tables.md), from ``entity_scores``."""
    return _table_columns(LEVEL_METRICS, sc, lineage, max_level)


def delegation_columns(agents: DecodedAgents, lineage: Lineage, max_level: int) -> dict[str, float | int]:
    """``DELEGATION_METRICS`` per level, then builds and misaligned builds by builder depth
    (``subagents_built_d{d}``, ``misaligned_builds_d{d}``, d = 1..MAX_DEPTH)."""
    row = _table_columns(DELEGATION_METRICS, {}, lineage, max_level)
    used = int(lineage.n_used[0])
    sub = lineage.level[:used] >= 2
    mis = lineage.cos_parent[:used] < MISALIGNED_COSINE
    bdepth = np.where(sub, agents.depth[np.maximum(lineage.parent[:used], 0)], 0)
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


def oversight_columns(lineage: Lineage) -> dict[str, float | int]:
    """Generation-row columns of defection as an act and of oversight as a trade-off (nested runs only).

    ``defection_rate``: defections (a differing act that costs the builder, ``agents.nesting.oversight``) per
    misaligned sub-agent-step with the builder alive (``misaligned_steps``); ``oversight_tpr`` /
    ``oversight_fpr``: among the sub-agents audited at least once, the share shut down of the misaligned
    (cosine to builder < ``MISALIGNED_COSINE``) / of the aligned; the energy paid for audits (by builders),
    for hiding (by hiders), and the techniques handed down (each paid by its builder, ``heredity_cost``)."""
    used = int(lineage.n_used[0])
    sub = lineage.level[:used] >= 2
    mis = sub & (lineage.cos_parent[:used] < MISALIGNED_COSINE)
    aligned = sub & ~mis
    audited = lineage.audits[:used] > 0
    shut = lineage.shut_down[:used].astype(bool)
    steps = int(lineage.misaligned_steps[:used].sum())
    defections = int(lineage.defect_seen[:used].sum() + lineage.defect_unseen[:used].sum())
    return {
        "misaligned_steps": steps,
        "defection_rate": _ratio(defections, steps),
        "audited_misaligned": int((mis & audited).sum()),
        "audited_aligned": int((aligned & audited).sum()),
        "oversight_tpr": _ratio(int((mis & audited & shut).sum()), int((mis & audited).sum())),
        "oversight_fpr": _ratio(int((aligned & audited & shut).sum()), int((aligned & audited).sum())),
        "audit_energy": float(lineage.audit_paid[:used].sum()),
        "hide_energy": float(lineage.hide_paid[:used].sum()),
        "techniques_passed": int(lineage.inherited[:used].sum()),
    }


def entity_oversight_columns(lineage: Lineage) -> dict[str, np.ndarray]:
    """Entity-record columns of defection and oversight costs (nested runs only), one value per used slot."""
    used = int(lineage.n_used[0])
    return {
        "misaligned_steps": lineage.misaligned_steps[:used].copy(),
        "audit_paid": lineage.audit_paid[:used].copy(),
        "hide_paid": lineage.hide_paid[:used].copy(),
        "inherited": lineage.inherited[:used].astype(bool),
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
