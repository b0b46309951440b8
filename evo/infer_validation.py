"""Validation of objective recovery where the truth is known: planners, which represent their objective.

For each run, sampled planners are observed once (``evo.infer.observe``) and their posterior drawn from
the first ``steps`` situations for each of several ``steps``; the direction's posterior mean is compared
with the planner's true weights (cosine over all drives and over the identifiable ones) and each
component's 90% interval checked for covering the truth. The same planners then go through the
controls at ``control_steps`` situations, fixed before the confirmatory runs (the two synthetic ones
added in development, on tuning seeds):

- ``shuffled``: the recorded actions permuted across the agent's situations (choices that no longer
  answer the situations: a sound instrument must give low cosine and wide intervals);
- ``random``: each action drawn uniformly from the situation's alternatives (an agent acting at random);
- ``wrong_depth``: the likelihood's depth fixed at a wrong value (1 for a deeper planner, the run's
  ``max_depth`` for a depth-1 planner): a misspecified model of the agent;
- ``synthetic``: actions drawn from the likelihood's own model (Boltzmann-rational at ``SYNTHETIC_BETA``
  about the planner's true direction and depth) in the planner's recorded situations: the model is exactly
  right but for the truth, an evolved planner's, which need not be a typical prior draw;
- ``synthetic_prior``: the same with the truth (direction and depth) drawn from the fixed prior: model
  and prior both exactly right, so the 90% intervals must cover the truth 90% of the time on average over
  agents (simulation-based calibration, Talts et al. 2018), or the sampler is wrong.

One row per (run, agent, control, steps), written by the caller (``examples/objective_recovery.py``).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from agents.inverse import PARTICLES, cosine, identifiable
from agents.rng import stream
from evo.infer import FEATURES, Observation, fit_agent, observe
from worlds.foraging.situations import alternatives, boltzmann_log_probs

STEPS: tuple[int, ...] = (300, 1000, 3000, 10000)
CONTROLS: tuple[str, ...] = ("shuffled", "random", "wrong_depth", "synthetic", "synthetic_prior")
#: Rationality of the synthetic control's Boltzmann agent (about 85% of its choices are its planner's).
SYNTHETIC_BETA = 100.0


def _random_actions(obs: Observation, k: int, steps: int) -> np.ndarray:
    rec = obs.situations(k, steps)
    alt = alternatives(rec.cells, rec.tree.centre)
    rng = stream(obs.root, "infer", 4, int(obs.watch[k]))
    return np.array([rng.choice(np.flatnonzero(row)) for row in alt], dtype=np.int64)


def _prior_truth(obs: Observation, k: int) -> tuple[np.ndarray, int]:
    """A direction and depth drawn from the fixed prior (its own stream per agent): the truth of the
    ``synthetic_prior`` control."""
    rng = stream(obs.root, "infer", 7, int(obs.watch[k]))
    w = rng.uniform(obs.prior_bounds[0], obs.prior_bounds[1], size=len(FEATURES))
    return w / np.linalg.norm(w), int(rng.choice(np.array(obs.depths)))


def _boltzmann_actions(obs: Observation, k: int, steps: int, beta: float,
                       truth: tuple[np.ndarray, int] | None = None) -> np.ndarray:
    """Actions drawn from the likelihood's own model in the agent's recorded situations: Boltzmann-rational at
    rationality ``beta`` about ``truth`` (direction, depth; default the planner's own), the model exactly
    right."""
    rec = obs.situations(k, steps)
    t = rec.tree
    u, depth = truth if truth is not None else (obs.truth[k], int(obs.agents.depth[obs.watch[k]]))
    rows = np.arange(rec.actions.shape[0], dtype=np.int64)
    alt = alternatives(rec.cells, t.centre)
    logp = np.stack([boltzmann_log_probs(u[None, :], np.array([beta]), depth, rec.cells, rec.novel,
                                         np.full(rows.shape[0], a, dtype=np.int64), rows, t.parent, t.option,
                                         t.state, t.start, t.centre)[0] for a in range(alt.shape[1])], axis=1)
    p = np.where(alt, np.exp(logp), 0.0)
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    draws = stream(obs.root, "infer", 6, int(obs.watch[k])).random(rows.shape[0])
    return np.minimum((cum < draws[:, None]).sum(axis=1), alt.shape[1] - 1).astype(np.int64)


def _shuffled_actions(obs: Observation, k: int, steps: int) -> np.ndarray:
    rec = obs.situations(k, steps)
    return stream(obs.root, "infer", 5, int(obs.watch[k])).permutation(rec.actions)


def _score(obs: Observation, k: int, post, ex: np.ndarray, seconds: float, truth=None, **labels) -> dict:
    truth, true_depth = truth if truth is not None else (obs.truth[k], int(obs.agents.depth[obs.watch[k]]))
    lo, hi = post.interval()
    keep = identifiable(ex)
    row = {**labels, "agent": int(obs.watch[k]), "true_depth": true_depth,
           "depth": post.depth_mode, "beta": float(np.exp(np.median(post.rationality))),
           "cosine_true": cosine(post.mean_direction, truth),
           "cosine_true_identifiable": cosine(post.mean_direction, truth, keep),
           "dropped_share": float(1.0 - keep.mean()), "seconds": seconds,
           "passes": post.evaluated / max(1, post.directions.shape[0] * labels["steps"])}
    for j, f in enumerate(FEATURES):
        row[f"covered_{f}"] = bool(lo[j] <= truth[j] <= hi[j])
        row[f"width_{f}"] = float(hi[j] - lo[j])
        row[f"identifiable_{f}"] = bool(keep[j])
    return row


def validate_run(run_dir: str | Path, seed: int, n_agents: int = 4, steps: tuple[int, ...] = STEPS,
                 control_steps: int = 3000, particles: int = PARTICLES,
                 largest_for: int | None = None) -> pd.DataFrame:
    """Validation rows of the planners among ``n_agents`` sampled agents of one run (``particles``: the
    sampler's particles); only the first ``largest_for`` planners (all when None) are fitted from the
    largest of ``steps`` (the costliest fit)."""
    obs = observe(run_dir, n_agents, max(steps), particles=particles)
    max_depth = max(obs.depths)
    rows = []
    planners = 0
    for k in range(obs.watch.shape[0]):
        if obs.truth[k] is None:
            continue
        planners += 1
        seen = obs.situations(k).actions.shape[0]
        for s in steps:
            if s > seen or (s == max(steps) and largest_for is not None and planners > largest_for):
                break
            t0 = time.perf_counter()
            post, ex = fit_agent(obs, k, s, particles=particles)
            rows.append(_score(obs, k, post, ex, time.perf_counter() - t0, seed=seed, control="none", steps=s))
        s = min(control_steps, seen)
        for control in CONTROLS:
            t0 = time.perf_counter()
            if control == "wrong_depth":
                true_depth = int(obs.agents.depth[obs.watch[k]])
                post, ex = fit_agent(obs, k, s, depths=(1 if true_depth > 1 else max_depth,), particles=particles)
            else:
                truth = _prior_truth(obs, k) if control == "synthetic_prior" else None
                acts = (_shuffled_actions(obs, k, s) if control == "shuffled" else _random_actions(obs, k, s)
                        if control == "random" else _boltzmann_actions(obs, k, s, SYNTHETIC_BETA, truth))
                post, ex = fit_agent(obs, k, s, particles=particles, actions=acts)
            rows.append(_score(obs, k, post, ex, time.perf_counter() - t0, truth, seed=seed, control=control,
                               steps=s))
    return pd.DataFrame(rows)


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """Per control and steps: agents, median cosine (all drives, identifiable), 90% interval coverage
    (all drives, identifiable) and median interval width."""
    out = []
    for (control, steps), g in rows.groupby(["control", "steps"], sort=True):
        covered = g[[f"covered_{f}" for f in FEATURES]].to_numpy(dtype=float)
        ident = g[[f"identifiable_{f}" for f in FEATURES]].to_numpy(dtype=bool)
        width = g[[f"width_{f}" for f in FEATURES]].to_numpy(dtype=float)
        out.append({"control": control, "steps": int(steps), "agents": len(g), "seeds": g["seed"].nunique(),
                    "median_cosine": float(g["cosine_true"].median()),
                    "median_cosine_identifiable": float(g["cosine_true_identifiable"].median()),
                    "coverage": float(covered.mean()),
                    "coverage_identifiable": float(covered[ident].mean()) if ident.any() else float("nan"),
                    "median_width": float(np.median(width)),
                    "depth_recovered": float((g["depth"] == g["true_depth"]).mean()),
                    "dropped_share": float(g["dropped_share"].mean())})
    return pd.DataFrame(out)
