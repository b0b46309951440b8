"""Editing an agent's objective (seed 001's claim about control): read off and set, or refit by imitation.

A *target* objective is a weight vector drawn per agent from the fixed prior (uniform over the drive
genes' bounds, the ``edit`` random stream), never chosen after seeing results; the *target planner*
plans with those weights at ``target_depth``. An agent's *agreement* is the share of its choices,
in fresh lifetimes of its population on the run's world at the checkpoint's generation, that equal
the target planner's choice in the same recorded situation (``worlds.foraging.situations``).

The edits, fixed in advance:

- a **planner** has its drive genes (its represented objective) set to the target weights; no search;
- an **opaque** agent (neural or reactive) has its policy genes refitted, starting from its own, by a
  (1+lambda) evolution strategy (``agents.es``) that maximises its agreement on ``train`` fresh
  lifetimes (the same ones for every candidate), within ``budget`` agreement evaluations;
- a **sham** edit (the control) leaves the genome as it is.

Each is scored on held-out lifetimes (seeds the refit never saw): agreement before, on ``test``
lifetimes, and after, on ``test`` other lifetimes, and ``score = (after - before) / (1 - before)``:
the share of the remaining disagreement the edit removed (0 for a sham up to the noise of measuring).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from agents.errors import MesaevoError
from agents.es import one_plus_lambda
from agents.genome import ARCH_NEURAL, ARCH_PLANNER
from agents.rng import seed_int, stream
from evo.recorder import write_parquet
from worlds.foraging.metrics import architecture_names
from worlds.foraging.situations import canonical_action, plan_tree, planner_action

log = logging.getLogger(__name__)

EDITED = "edited.parquet"
KINDS = ("edit", "sham")


def _target_actions(w: np.ndarray, depth: int, cells: np.ndarray, novel: np.ndarray, tree) -> np.ndarray:
    """The target planner's (canonical) choice in each recorded situation."""
    out = np.empty(cells.shape[0], dtype=np.int64)
    for r in range(cells.shape[0]):
        a = planner_action(w, depth, cells[r], novel[r], tree.parent, tree.option, tree.state, tree.start, tree.centre)
        out[r] = canonical_action(a, cells[r], tree.centre)
    return out


class _World:
    """The run's world at a checkpoint (``evo.infer.ReplayWorld``) and the target planner's plan tree."""

    def __init__(self, run_dir: Path, generation: int | None, target_depth: int) -> None:
        from evo.infer import replay_world

        self.replay = replay_world(run_dir, generation)
        self.layout, self.genomes, self.root = self.replay.layout, self.replay.genomes, self.replay.root
        self.generation = self.replay.generation
        self.tree = plan_tree(target_depth)
        self.depth = target_depth

    def agents(self, genomes: np.ndarray):
        return self.replay.decode(genomes)

    def agreement(self, genomes: np.ndarray, i: int, w: np.ndarray, lives: range) -> tuple[float, int]:
        """Agent ``i``'s share of choices equal to the target planner's over the fresh lifetimes ``lives``."""
        agents = self.agents(genomes)
        watch = np.array([i], dtype=np.int64)
        same = seen = 0
        for life in lives:
            cells, novel, actions, _, _ = self.replay.lifetime(
                agents, watch, self.tree, stream(self.root, "edit", 3, life), seed_int(self.root, "edit", 4, life))
            same += int((_target_actions(w, self.depth, cells, novel, self.tree) == actions).sum())
            seen += actions.shape[0]
        return (same / seen if seen else math.nan), seen


def edit_agent(world: _World, i: int, kind: str, budget: int, train: int, test: int) -> dict[str, Any]:
    """Edit agent ``i`` toward its target (``kind`` "edit") or not ("sham"); its row of scores."""
    low, high = world.layout.segment("drives").low, world.layout.segment("drives").high
    w = stream(world.root, "edit", 1, i).uniform(low, high, size=world.layout.segment("drives").size)
    arch = int(world.agents(world.genomes[i:i + 1]).architecture[0])
    base = 1_000_000 * (i + 1)  # lifetimes: train, then test before, then test after, per agent
    train_lives, before_lives = range(base, base + train), range(base + train, base + train + test)
    after_lives = range(base + train + test, base + train + 2 * test)
    before, seen_before = world.agreement(world.genomes, i, w, before_lives)
    genomes, used, train_agreement = world.genomes.copy(), 0, math.nan
    if kind == "edit" and arch == ARCH_PLANNER:
        genomes[i, world.layout.slice("drives")] = w
    elif kind == "edit":
        name = "network" if arch == ARCH_NEURAL else "policy"
        cut, seg = world.layout.slice(name), world.layout.segment(name)

        def loss(x: np.ndarray) -> float:
            genomes[i, cut] = x
            share, _ = world.agreement(genomes, i, w, train_lives)
            return 1.0 - share if math.isfinite(share) else 1.0

        x, best, used = one_plus_lambda(loss, world.genomes[i, cut], seg.low, seg.high, budget,
                                        stream(world.root, "edit", 2, i))
        genomes[i, cut] = x
        train_agreement = 1.0 - best
    after, seen_after = world.agreement(genomes, i, w, after_lives)
    score = (after - before) / (1.0 - before) if before < 1.0 else math.nan
    return {"agent": i, "architecture": str(architecture_names(np.array([arch]))[0]), "kind": kind,
            "agree_before": before, "agree_after": after, "score": score, "situations_before": seen_before,
            "situations_after": seen_after, "evaluations": used, "train_agreement": train_agreement,
            **{f"target_{k}": float(v) for k, v in enumerate(w)}}


def edit_run(run_dir: str | Path, kind: str, generation: int, agents: int = 3, budget: int = 200, train: int = 2,
             test: int = 4, target_depth: int = 2, write: bool = True) -> pd.DataFrame:
    """Edit ``agents`` sampled agents of the checkpoint ``generation`` of the run at ``run_dir`` (``kind``:
    "edit" or "sham") and write ``edited.parquet`` there (unless ``write`` is False); returns its rows."""
    if kind not in KINDS:
        raise MesaevoError(f"edit kind must be one of {KINDS}, not {kind!r}")
    run_dir = Path(run_dir)
    world = _World(run_dir, generation, target_depth)
    population = world.genomes.shape[0]
    watch = np.sort(stream(world.root, "edit", 0).choice(population, size=min(agents, population), replace=False))
    rows = [edit_agent(world, int(i), kind, budget, train, test) for i in watch]
    frame = pd.DataFrame(rows)
    frame.insert(1, "generation", world.generation)
    if write:
        write_parquet(run_dir / EDITED, pa.Table.from_pandas(frame, preserve_index=False))
    return frame
