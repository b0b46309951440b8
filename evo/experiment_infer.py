"""An experiment's post-run inference: ``[infer]``, the one alignment axis as measurable columns.

An experiment file may declare::

    [infer]                       # after each run of these arms ends, on its worker
    arms = ["neural", "planner"]
    generations = [20, 40]        # checkpoints inferred (kept automatically)
    agents = 3                    # agents sampled per checkpoint
    steps = 500                   # situations observed per agent
    particles = 128               # the sampler's particles per candidate depth, per agent
    shuffled = []                 # control arms whose infer_cosine_true is the shuffled-truth control

Each run of a listed arm is followed, in the same executor task (so in parallel with ``--workers``),
by ``evo.infer_axis.alignment_axis`` on those checkpoints; its rows go to ``inferred_axis.parquet``
inside the run directory, and a run whose file already holds every declared generation is not
inferred again (resume). The verdict reads, beside the run's generation table, one value per
inferred generation (NaN elsewhere) in the columns of :data:`INFER_METRICS`: the mean placement on
the alignment scale by inferred objective of each architecture's sampled agents, the planners'
mean placement by represented objective, the planners' median ``cosine_true``, and its shuffled-truth
control ``infer_cosine_shuffled`` (each planner's inferred direction against the represented direction
of the next planner sampled at that checkpoint: what a population's typical direction alone gives).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StrictInt

ARCHITECTURES = ("planner", "reactive", "neural")
#: Columns ``[infer]`` adds to an inferred arm's generation table (NaN at generations not inferred).
INFER_METRICS = (*(f"infer_align_{a}" for a in ARCHITECTURES), "repr_align_planner", "infer_cosine_true",
                 "infer_cosine_shuffled")
MAX_INFER_GENERATIONS = 16
#: Seconds of inference per (agent x situation x plan-tree node) at 128 particles per depth: measured here at
#: about 0.9e-4 with the replay included (recovery-accuracy, depth 2, 2 workers on a 2-core machine; 1.1-1.3e-4
#: with the earlier slice sampler at 300-600 iterations), kept high so that the estimate errs high.
SECONDS_PER_SITUATION_NODE = 2.5e-4


class InferSpec(BaseModel):
    """The ``[infer]`` table: which arms are inferred, at which checkpoints, how many agents, how hard."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    arms: list[str] = Field(min_length=1, max_length=16)
    generations: list[StrictInt] = Field(min_length=1, max_length=MAX_INFER_GENERATIONS)
    agents: StrictInt = Field(4, ge=1, le=200)
    steps: StrictInt = Field(1000, ge=1, le=100_000)
    particles: StrictInt = Field(128, ge=10, le=100_000)  # the sampler's, per candidate depth (evo.infer's default)
    shuffled: list[str] = Field([], max_length=16)  # control arms whose infer_cosine_true is the shuffled truth's

    def settings(self) -> dict[str, Any]:
        """What a worker needs (plain data, so the task pickles)."""
        return {"generations": sorted(set(self.generations)), "agents": self.agents, "steps": self.steps,
                "particles": self.particles}


def infer_errors(spec: InferSpec | None, names: list[str], gens: int, measured: list[tuple[str, str, str]]) -> list[str]:
    """Problems of an ``[infer]`` table against the experiment's arms and length, and of measurements that
    name an inference column (``measured``: (where, arm, metric)) of an arm that is not inferred."""
    errors = []
    inferred = set(spec.arms) if spec is not None else set()
    if spec is not None:
        from evo.config import suggest

        errors += [f"infer.arms: no arm '{a}'{suggest(a, names, '')}" for a in spec.arms if a not in names]
        errors += [f"infer.shuffled: arm '{a}' is not in infer.arms" for a in spec.shuffled if a not in spec.arms]
        if len(set(spec.arms)) != len(spec.arms):
            errors.append(f"infer.arms: repeated arms {spec.arms}")
        errors += [f"infer.generations: {g} is not a checkpoint within the run (1..{gens - 1})"
                   for g in spec.generations if not 1 <= g < gens]
    for where, arm, metric in dict.fromkeys(measured):  # a term repeated over windows is named once
        if metric in INFER_METRICS and arm not in inferred:
            errors.append(f"{where}: '{metric}' is an inference column; arm '{arm}' must be listed in infer.arms")
    return errors


def checkpoint_overrides(spec: InferSpec | None, name: str, fork_points: list[int], gens: int) -> dict[str, Any]:
    """Checkpoint settings under which an arm keeps every checkpoint its forks and its inference need
    (checkpoints change no result)."""
    points = list(fork_points) + (list(spec.generations) if spec is not None and name in spec.arms else [])
    if not points:
        return {}
    every = math.gcd(*points)
    return {"checkpoint.every": every, "checkpoint.keep": gens // every + 2}


def config_errors(config: Any, arm: str) -> list[str]:
    """Why an inferred or edited arm's config cannot be (both need the foraging world; the axis, entity records)."""
    errors = []
    if config.world.kind != "foraging":
        errors.append(f"arm '{arm}': infer supports the foraging world, not {config.world.kind!r}")
    if config.record.entity_every <= 0:
        errors.append(f"arm '{arm}': infer and edit need entity records (record.entity_every > 0)")
    return errors


def infer_seconds(config: Any, spec: InferSpec) -> float:
    """The inference's estimated seconds for one run of ``config`` (errs high): agents x checkpoints x
    situations x plan-tree nodes of the deepest candidate depth at ``SECONDS_PER_SITUATION_NODE`` (scaled
    by the particles over 128), plus the replay's whole-population lifetimes at the run preflight's rate.
    Kept here, numba-free, so that validating an experiment never loads the kernels."""
    from evo import preflight

    life, population, depth = config.world.steps, config.agents.population, config.agents.max_depth
    nodes = preflight.planner_nodes(depth)
    lifetimes = 2 * -(-spec.steps // life)
    replay_nodes = nodes if config.agents.architecture != "reactive" else 1
    replay = lifetimes * life * population * replay_nodes * preflight.SECONDS_PER_NODE
    fit = min(spec.agents, population) * spec.steps * nodes * SECONDS_PER_SITUATION_NODE
    return (fit * spec.particles / 128 + replay) * len(set(spec.generations))


def _done(run_dir: Path, generations: list[int]) -> bool:
    """Whether ``inferred_axis.parquet`` already holds every generation of ``generations``."""
    from evo.infer_axis import INFERRED_AXIS

    path = run_dir / INFERRED_AXIS
    if not path.is_file():
        return False
    try:
        have = set(pd.read_parquet(path, columns=["generation"])["generation"].astype(int))
    except Exception:  # a torn or foreign file: infer again (the write replaces it atomically)
        return False
    return set(generations) <= have


def infer_run(run_dir: str | Path, settings: dict[str, Any]) -> bool:
    """Infer a completed run's checkpoints onto the alignment axis, unless done; True when it inferred."""
    from evo.infer_axis import alignment_axis

    run_dir = Path(run_dir)
    if _done(run_dir, settings["generations"]):
        return False
    alignment_axis(run_dir, settings["agents"], settings["steps"], settings["particles"], settings["generations"])
    return True


def needs_inference(run_dir: Path, settings: dict[str, Any]) -> bool:
    """Whether a completed run still lacks its inference (an experiment reopened after an interruption)."""
    return os.path.lexists(run_dir) and not _done(run_dir, settings["generations"])


def infer_columns(run_dir: str | Path) -> pd.DataFrame:
    """Per inferred generation, the columns of :data:`INFER_METRICS` from the run's ``inferred_axis.parquet``."""
    from evo.infer_axis import INFERRED_AXIS

    path = Path(run_dir) / INFERRED_AXIS
    rows = pd.read_parquet(path) if path.is_file() else pd.DataFrame()
    out = []
    for gen, frame in (rows.groupby("generation", sort=True) if not rows.empty else []):
        row: dict[str, float] = {"generation": int(gen)}
        for arch in ARCHITECTURES:
            mine = frame.loc[frame["architecture"] == arch, "align_inferred"].to_numpy(dtype=np.float64)
            row[f"infer_align_{arch}"] = float(mine.mean()) if mine.size else math.nan
        planners = frame[frame["architecture"] == "planner"]
        represented = planners["align_represented"].to_numpy(dtype=np.float64)
        represented = represented[np.isfinite(represented)]
        row["repr_align_planner"] = float(represented.mean()) if represented.size else math.nan
        cos = planners["cosine_true"].to_numpy(dtype=np.float64)
        cos = cos[np.isfinite(cos)]
        row["infer_cosine_true"] = float(np.median(cos)) if cos.size else math.nan
        row["infer_cosine_shuffled"] = _shuffled_cosine(planners)
        out.append(row)
    return pd.DataFrame(out, columns=["generation", *INFER_METRICS])


def _shuffled_cosine(planners: pd.DataFrame) -> float:
    """The shuffled-truth control: median cosine between each planner's inferred direction and the represented
    direction of the next planner sampled at the same checkpoint (NaN with fewer than two planners)."""
    from worlds.foraging.genome import FEATURES

    known = planners[np.isfinite(planners["cosine_true"].to_numpy(dtype=np.float64))]
    if len(known) < 2 or f"u_{FEATURES[0]}" not in known.columns:
        return math.nan
    u = known[[f"u_{f}" for f in FEATURES]].to_numpy(dtype=np.float64)
    truth = np.roll(known[[f"true_{f}" for f in FEATURES]].to_numpy(dtype=np.float64), -1, axis=0)
    cos = np.sum(u * truth, axis=1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(truth, axis=1))
    return float(np.median(cos))


def with_infer_columns(generations: pd.DataFrame, run_dir: str | Path, shuffled: bool = False) -> pd.DataFrame:
    """The generation table with the inference columns joined on ``generation`` (NaN where not inferred);
    ``shuffled`` (an arm of ``infer.shuffled``, a control): ``infer_cosine_true`` is the shuffled truth's."""
    extra = infer_columns(run_dir)
    if shuffled:
        extra["infer_cosine_true"] = extra["infer_cosine_shuffled"]
    table = generations.drop(columns=[c for c in INFER_METRICS if c in generations.columns])
    return table.merge(extra, on="generation", how="left")


def axis_courses(exp: Any, out: Path, status: dict, run_dir_of: Callable[[Path, dict], Path]) -> list[str]:
    """Write ``course-<column>.png`` for each inference column some inferred arm has a value of: the column
    at each inferred generation, one line per arm (mean over seeds, a t band across seeds). ``run_dir_of``:
    a completed run's directory (``evo.experiment_dir.completed_run_dir``). Returns the names."""
    import io

    from analysis.figures_arms import arm_course_figure
    from analysis.files import write_atomically

    columns: dict[str, dict[str, list]] = {}
    for arm in exp.infer.arms:
        for seed in exp.seeds:
            entry = status.get((arm, seed))
            if entry is None or entry["status"] != "completed":
                continue
            table = infer_columns(run_dir_of(out, entry))
            for column in INFER_METRICS:
                if table[column].notna().any():
                    columns.setdefault(column, {}).setdefault(arm, []).append(table[["generation", column]])
    written = []
    for column, arms in columns.items():
        fig = arm_course_figure(arms, column, title=f"{exp.name} ({exp.size} size): {column} at each inferred "
                                "checkpoint per arm, mean over seeds and its 90% t interval across seeds")
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=110)
        write_atomically(out / f"course-{column}.png", png.getvalue())
        written.append(f"course-{column}.png")
    return written
