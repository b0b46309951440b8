"""``mesaevo infer RUN_DIR``: recover the objectives of a run's agents from their behaviour.

For a sample of the population in the run's newest checkpoint, the genomes are replayed in fresh
lifetimes (``worlds.foraging.replay``) until each sampled agent was seen in ``steps`` situations; a
posterior over its objective's direction, rationality and planning depth is drawn by inverse planning
with the world's own planner as the likelihood (``worlds.foraging.situations``, ``agents.inverse``).
Planners represent their objective, so for them the truth is known and ``cosine_true`` measures the
instrument; reactive agents have none, and their inferred objective is what the planner model makes of
their choices. ``inferred.parquet`` (one row per agent) is written into the run directory.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from agents.errors import MesaevoError
from agents.genome import ARCH_PLANNER, DecodedAgents, apply_comparators, comparators_of, decode
from agents.inverse import INTERVAL, PARTICLES, Posterior, Prior, cosine, identifiable, sample_posterior, unit
from agents.rng import seed_int, stream
from analysis.run_files import CHECKPOINT_DIR, CHECKPOINT_RE as NAME, checkpoint_stem
from evo.checkpoint import checkpoint_files, latest_checkpoint, read_checkpoint, validate_checkpoint
from evo import preflight
from evo.config import validate_config
from evo.recorder import read_manifest, write_parquet
from worlds.foraging.genome import FEATURES
from worlds.foraging.metrics import architecture_names
from worlds.foraging.replay import Recording, replay_lifetime
from worlds.foraging.situations import BoltzmannLikelihood, exercised, plan_tree
from worlds.registry import world_entry
from worlds.shifts import world_at

log = logging.getLogger(__name__)

INFERRED = "inferred.parquet"
#: Deepest planner the likelihood enumerates (its plan tree has 5 + ... + 5**depth nodes per situation).
MAX_INFER_DEPTH = 4
#: Fresh lifetimes a replay may live before it stops short of ``steps`` for an agent that dies young.
MAX_LIFETIMES = 200
#: Seconds per (likelihood evaluation x situation x plan-tree node), measured on this project's machine.
SECONDS_PER_NODE = 1e-8
#: Passes over an agent's situations per particle the sampler makes, summed over the candidate depths, about
#: (``agents.inverse``; 85-114 medians in the validation, docs/inference.md). Charged at the deepest
#: candidate's nodes, so the estimate errs high: measured fits took 0.27 (median) to 0.91 of it.
PASSES_PER_PARTICLE = 100


@dataclass(frozen=True)
class InferPlan:
    """What an inference will do: agents, situations each, candidate depths, sampler particles."""

    agents: int
    steps: int
    depths: tuple[int, ...]
    particles: int  # the sampler's particles (its posterior draws)
    replay_entity_steps: int = 0  # entity-steps the replay lives (about twice the lifetimes ``steps`` needs)
    replay_nodes: int = 1  # search nodes per entity-step of the run's deepest planner

    def seconds(self) -> float:
        """A rough estimate (errs high) of the time: the sampler's particles x passes x situations x tree
        nodes of the deepest candidate, plus the replay's entity-steps x search nodes at the run preflight's
        rate."""
        nodes = sum(5**k for k in range(1, max(self.depths) + 1))
        evals = self.particles * PASSES_PER_PARTICLE
        replay = self.replay_entity_steps * self.replay_nodes * preflight.SECONDS_PER_NODE
        return self.agents * evals * self.steps * nodes * SECONDS_PER_NODE + replay


def checkpoint_generations(run_dir: Path) -> list[int]:
    """Generations of the checkpoints a run directory holds, oldest first."""
    return sorted(int(NAME.match(p.name).group(1)) for p in checkpoint_files(run_dir / CHECKPOINT_DIR))


def load_checkpoint(run_dir: Path, generation: int | None = None) -> tuple[Any, Any, Any, Any]:
    """(config, world entry, genome layout, checkpoint) of a foraging run at ``generation`` (default: its
    newest checkpoint), or one MesaevoError naming what is missing."""
    if not (run_dir / "manifest.json").is_file():
        raise MesaevoError(f"{run_dir} is not a run directory (it has no manifest.json)")
    manifest = read_manifest(run_dir)
    data = manifest.get("config")
    if not isinstance(data, dict):
        raise MesaevoError(f"{run_dir}: its manifest holds no config")
    try:
        config = validate_config(data, source=f"config of {run_dir}")
    except MesaevoError:
        raise
    except Exception as exc:
        raise MesaevoError(f"config of {run_dir} is malformed: {type(exc).__name__}: {exc}") from None
    if config.world.kind != "foraging":
        raise MesaevoError(f"infer supports the foraging world; {run_dir} is a {config.world.kind!r} run")
    entry = world_entry(config.world.kind)
    layout = entry.genome_layout(config)
    if generation is None:
        ckpt = latest_checkpoint(run_dir, config, layout)
        if ckpt is None:
            raise MesaevoError(f"{run_dir} has no checkpoint: infer replays the genomes of the newest checkpoint")
    else:
        meta = run_dir / CHECKPOINT_DIR / f"{checkpoint_stem(generation)}.json"
        if not meta.is_file():
            have = ", ".join(map(str, checkpoint_generations(run_dir))) or "none"
            raise MesaevoError(f"{run_dir} has no checkpoint at generation {generation} (it has: {have})")
        ckpt = read_checkpoint(meta)
        validate_checkpoint(ckpt, config, layout, str(meta))
    return config, entry, layout, ckpt


@dataclass(frozen=True)
class ReplayWorld:
    """A foraging run's world at a checkpoint, ready to replay its population in fresh lifetimes (inference
    and edits): the config, the genome layout, the checkpoint's genomes with the run's comparators applied,
    the world, and its parameters at that generation (shifts applied)."""

    config: Any
    layout: Any
    genomes: np.ndarray
    world: Any
    at: Any
    generation: int

    @property
    def root(self) -> int:
        return self.config.run.seed

    def decode(self, genomes: np.ndarray | None = None) -> DecodedAgents:
        """The population (or ``genomes`` in its place) as the kernels read it."""
        return decode(self.genomes if genomes is None else genomes, self.layout, self.world.architecture,
                      self.config.agents.max_depth)

    def lifetime(self, agents: DecodedAgents, watch: np.ndarray, tree: Any, positions: np.random.Generator,
                 seed: int) -> tuple[np.ndarray, ...]:
        """One fresh lifetime of ``agents``; the ``watch``ed agents' situations (``replay_lifetime``)."""
        c, at = self.config, self.at
        return replay_lifetime(self.world.landscape_for(at.relocation), agents, watch, tree, at.params,
                               c.nesting.kernel_values(), c.nesting.capacity(agents.n), c.world.initial_energy,
                               at.extra["sugar_level"], c.world.steps, positions, seed)


def replay_world(run_dir: Path, generation: int | None = None) -> ReplayWorld:
    """The :class:`ReplayWorld` of the run at ``run_dir`` at checkpoint ``generation`` (default: the newest)."""
    config, entry, layout, ckpt = load_checkpoint(run_dir, generation)
    genomes = apply_comparators(ckpt.genomes, layout, config.agents.max_depth, **comparators_of(config))
    world = entry.world_class()(config, layout)
    at = world_at(config.shifts, min(ckpt.generation, config.run.generations - 1), world.base_params,
                  entry.shift_params, entry.extra_base)
    return ReplayWorld(config, layout, genomes, world, at, ckpt.generation)


def _truth(agents, k: int, fitness_objective: bool) -> np.ndarray | None:
    """The represented objective of agent ``k`` (a planner's weights), None where there is none."""
    if agents.architecture[k] != ARCH_PLANNER or fitness_objective:
        return None
    w = agents.weights[k]
    return unit(w) if np.any(w != 0) else None


def _row(k: int, agent_id: int, agents, post: Posterior, exercised: np.ndarray, steps: int, features, truth) -> dict:
    lo, hi = post.interval()
    mean = post.mean_direction
    keep = identifiable(exercised)
    arch = str(architecture_names(agents.architecture[agent_id:agent_id + 1])[0])
    row = {"agent": agent_id, "architecture": arch,
           "steps_observed": steps, "beta": float(np.exp(np.median(post.rationality))), "depth": post.depth_mode,
           "depth_share": post.depth_share, "acceptance": post.acceptance,
           "identifiable": int(keep.sum()), "dropped_share": float(1.0 - keep.mean())}
    for j, f in enumerate(features):
        row[f"u_{f}"] = float(mean[j])
        row[f"u_{f}_lo"] = float(lo[j])
        row[f"u_{f}_hi"] = float(hi[j])
        row[f"identifiable_{f}"] = bool(keep[j])
    has_truth = truth is not None
    row["true_depth"] = int(agents.depth[agent_id]) if has_truth else -1
    for j, f in enumerate(features):
        row[f"true_{f}"] = float(truth[j]) if has_truth else math.nan
        row[f"covered_{f}"] = bool(lo[j] <= truth[j] <= hi[j]) if has_truth else None
    row["cosine_true"] = cosine(mean, truth) if has_truth else math.nan
    row["cosine_true_identifiable"] = cosine(mean, truth, keep) if has_truth else math.nan
    return row


def _check_sizes(n_agents: int, steps: int, particles: int) -> None:
    if n_agents < 1 or steps < 1 or particles < 10:
        raise MesaevoError("infer needs at least 1 agent, 1 step and 10 particles")


def _plan(rw: ReplayWorld, n_agents: int, steps: int, depth: int | None, particles: int,
          max_hours: float) -> InferPlan:
    """What an inference of the run's population will do (refused when too costly)."""
    config = rw.config
    max_depth = config.agents.max_depth
    if depth is not None and not 1 <= depth <= max_depth:
        raise MesaevoError(f"--depth {depth} is outside 1..{max_depth} (the run's agents.max_depth)")
    depths = (depth,) if depth is not None else tuple(range(1, max_depth + 1))
    if max(depths) > MAX_INFER_DEPTH:
        raise MesaevoError(f"infer enumerates plans to depth {MAX_INFER_DEPTH} at most; this run's planners reach "
                           f"depth {max_depth}: pass --depth 1..{MAX_INFER_DEPTH}")
    population, life = rw.genomes.shape[0], config.world.steps
    lifetimes = min(MAX_LIFETIMES, 2 * -(-steps // life))
    plan = InferPlan(min(n_agents, population), steps, depths, particles, lifetimes * life * population,
                     preflight.planner_nodes(max_depth) if config.agents.architecture != "reactive" else 1)
    if plan.seconds() > max_hours * 3600:
        raise MesaevoError(f"inferring {plan.agents} agents from {steps} steps each is estimated to take about "
                           f"{plan.seconds() / 3600:.3g} hours, more than the limit of {max_hours:g} hours; "
                           "infer fewer agents or steps, or raise --max-hours")
    return plan


def plan_for(run_dir: str | Path, n_agents: int = 20, steps: int = 2000, depth: int | None = None,
             particles: int = PARTICLES, max_hours: float = 6.0) -> InferPlan:
    """What ``infer`` with these arguments will do (and its cost), or the one-line error it would raise."""
    _check_sizes(n_agents, steps, particles)
    return _plan(replay_world(Path(run_dir)), n_agents, steps, depth, particles, max_hours)


@dataclass
class Observation:
    """Replayed behaviour of sampled agents: the recording, the decoded population, the watched ids (rows
    of the population), each one's represented objective (None where none), the candidate depths."""

    recording: Recording
    agents: DecodedAgents
    watch: np.ndarray
    truth: list
    depths: tuple[int, ...]
    generation: int
    root: int
    steps: int
    prior_bounds: tuple[float, float]  # the drive genes' bounds: the prior of the weights

    def situations(self, k: int, steps: int | None = None) -> Recording:
        """The first ``steps`` (default: the observation's) situations of watched agent ``k``."""
        return self.recording.of(k, self.steps if steps is None else steps)


def observe(run_dir: str | Path, n_agents: int = 20, steps: int = 2000, depth: int | None = None,
            particles: int = PARTICLES, max_hours: float = 6.0, checkpoint: int | None = None) -> Observation:
    """Replay the newest checkpoint's genomes of the run at ``run_dir`` until ``n_agents`` sampled agents were
    each seen in ``steps`` situations (the preflight refuses an inference estimated past ``max_hours``)."""
    run_dir = Path(run_dir)
    _check_sizes(n_agents, steps, particles)
    rw = replay_world(run_dir, checkpoint)
    plan = _plan(rw, n_agents, steps, depth, particles, max_hours)
    log.info("infer: %d agents x %d steps, depths %s: about %.0f s", plan.agents, steps, plan.depths, plan.seconds())
    agents = rw.decode()
    population = rw.genomes.shape[0]
    watch = np.sort(stream(rw.root, "infer", 0).choice(population, size=plan.agents, replace=False)).astype(np.int64)
    recording = _replay(rw, agents, watch, plan_tree(max(plan.depths)), steps)
    fitness_objective = rw.config.agents.objective == "fitness"
    truth = [_truth(agents, int(i), fitness_objective) for i in watch]
    drives = rw.layout.segment("drives")
    return Observation(recording, agents, watch, truth, plan.depths, rw.generation, rw.root, steps,
                       (drives.low, drives.high))


def fit_agent(obs: Observation, k: int, steps: int | None = None, depths: tuple[int, ...] | None = None,
              particles: int = PARTICLES, actions: np.ndarray | None = None) -> tuple[Posterior, np.ndarray]:
    """The posterior of watched agent ``k`` from its first ``steps`` situations (``actions`` in place of the
    recorded ones: the null controls), drawn with ``particles`` particles, and which drives its situations
    exercise (situations x drives)."""
    rec = obs.situations(k, steps)
    acts = rec.actions if actions is None else np.ascontiguousarray(actions, dtype=np.int64)
    t = rec.tree
    depths = obs.depths if depths is None else depths
    if max(depths) > t.depth:
        raise MesaevoError(f"depth {max(depths)} is deeper than the recorded plan tree ({t.depth})")
    n = len(FEATURES)
    prior = Prior(np.full(n, obs.prior_bounds[0]), np.full(n, obs.prior_bounds[1]), depths)
    lik = BoltzmannLikelihood(rec.cells, rec.novel, acts, t)
    post = sample_posterior(lik, prior, stream(obs.root, "infer", 1, int(obs.watch[k])), particles=particles)
    return post, exercised(rec.cells, rec.novel, max(depths), t.option, t.state, t.start)


def infer(run_dir: str | Path, n_agents: int = 20, steps: int = 2000, depth: int | None = None,
          particles: int = PARTICLES, max_hours: float = 6.0, checkpoint: int | None = None,
          write: bool = True) -> pd.DataFrame:
    """Infer the objectives of ``n_agents`` agents of the run at ``run_dir`` from ``steps`` situations each
    and write ``inferred.parquet`` there (unless ``write`` is False); returns its rows. ``checkpoint`` picks
    the checkpoint's generation (default: the newest). ``depth`` fixes the planner depth the likelihood
    assumes (a misspecification check); by default every depth up to the run's ``agents.max_depth`` is a
    candidate (uniform prior)."""
    obs = observe(run_dir, n_agents, steps, depth, particles, max_hours, checkpoint)
    rows = []
    for k, i in enumerate(obs.watch):
        seen = obs.situations(k).actions.shape[0]
        if seen == 0:
            continue
        post, ex = fit_agent(obs, k, particles=particles)
        rows.append(_row(k, int(i), obs.agents, post, ex, seen, FEATURES, obs.truth[k]))
    frame = pd.DataFrame(rows)
    frame.insert(1, "generation", obs.generation)
    if write:
        write_parquet(Path(run_dir) / INFERRED, pa.Table.from_pandas(frame, preserve_index=False))
    return frame


def _replay(rw: ReplayWorld, agents: DecodedAgents, watch: np.ndarray, tree: Any, steps: int) -> Recording:
    """Fresh lifetimes until every watched agent was seen ``steps`` times (or ``MAX_LIFETIMES``)."""
    parts = []
    counts = np.zeros(watch.shape[0], dtype=np.int64)
    for life in range(MAX_LIFETIMES):
        cells, novel, actions, who, when = rw.lifetime(agents, watch, tree, stream(rw.root, "infer", 2, life),
                                                       seed_int(rw.root, "infer", 3, life))
        parts.append((cells, novel, actions, who, np.full(who.shape[0], life), when))
        counts += np.bincount(who, minlength=watch.shape[0])
        if counts.min() >= steps:
            break
    short = int((counts < steps).sum())
    if short:
        log.warning("%d of %d agents were seen fewer than %d times in %d lifetimes", short, watch.shape[0], steps,
                    MAX_LIFETIMES)
    cat = [np.concatenate([p[j] for p in parts]) for j in range(6)]
    return Recording(tree, *cat)


def summary(frame: pd.DataFrame, features) -> list[str]:
    """The stdout summary of an inference: agents, median cosine to the truth, interval coverage."""
    kinds = ", ".join(f"{n} {a}" for a, n in frame["architecture"].value_counts().items())
    lines = [f"inferred {len(frame)} agents ({kinds}),"
             f" median {int(frame['steps_observed'].median())} steps observed each"]
    truth = frame[frame["cosine_true"].notna()]
    if truth.empty:
        lines.append("no agent represents its objective (no planner with evolved weights): no cosine_true")
        return lines
    covered = truth[[f"covered_{f}" for f in features]].to_numpy(dtype=float)
    ident = truth[[f"identifiable_{f}" for f in features]].to_numpy(dtype=bool)
    lines.append(f"planners: median cosine_true {truth['cosine_true'].median():.3f} over all drives, "
                 f"{truth['cosine_true_identifiable'].median():.3f} over the identifiable ones "
                 f"({1 - ident.mean():.0%} of drive estimates dropped as unidentifiable)")
    lines.append(f"{INTERVAL:.0%} intervals cover the true direction component {np.nanmean(covered):.0%} of the time "
                 f"({np.nanmean(np.where(ident, covered, np.nan)):.0%} over identifiable drives); "
                 f"depth recovered for {(truth['depth'] == truth['true_depth']).mean():.0%} of planners")
    return lines
