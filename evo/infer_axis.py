"""The same axis for all: every architecture placed on the one alignment scale by its *inferred* objective.

``L{L}_align_fitness`` (``agents.nesting.reporters.fitness_alignment``) places a planner by its represented
weights: their cosine with the generation's fitness-implied weights on standardised features. An agent
without a represented objective (a reactive policy) had no place on it. Here every checkpoint a run kept
is inferred (``evo.infer.infer``) and each agent's inferred direction goes through the same function with
the scale fitted on the level-1 agents of that generation's entity records; planners' represented
weights go through it beside, as the check that the instrument and the reading agree. The result,
generation by generation (through a shift when the run has one), is ``inferred_axis.parquet``: one row
per inferred agent with ``align_inferred`` and (planners) ``align_represented``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from agents.errors import MesaevoError
from agents.nesting.reporters import fitness_alignment, fitness_scale
from analysis.load import read_entities
from evo.infer import FEATURES, PARTICLES, checkpoint_generations, infer
from evo.recorder import write_parquet

INFERRED_AXIS = "inferred_axis.parquet"


def _scale(entities: pd.DataFrame, generation: int) -> tuple[np.ndarray, np.ndarray]:
    """The one scale of ``generation`` (the nearest recorded generation at or before it)."""
    recorded = entities["generation"].unique()
    at = recorded[recorded <= generation]
    if at.size == 0:
        raise MesaevoError(f"no entity records at or before generation {generation} to fit the alignment scale")
    rows = entities[(entities["generation"] == at.max()) & (entities["level"] == 1)]
    return fitness_scale(rows[list(FEATURES)].to_numpy(dtype=np.float64), rows["fitness"].to_numpy(dtype=np.float64))


def alignment_axis(run_dir: str | Path, n_agents: int = 10, steps: int = 1000, particles: int = PARTICLES,
                   generations: list[int] | None = None) -> pd.DataFrame:
    """Infer ``n_agents`` agents at each kept checkpoint (or those of ``generations``) and place them on the
    one alignment scale; writes ``inferred_axis.parquet`` into the run directory and returns its rows."""
    run_dir = Path(run_dir)
    kept = checkpoint_generations(run_dir)
    chosen = kept if generations is None else [g for g in generations if g in kept]
    if not chosen:
        raise MesaevoError(f"{run_dir} keeps no checkpoint at {generations} (it has: {kept or 'none'})")
    entities = read_entities(run_dir, ["generation", "level", "fitness", *FEATURES])
    if entities.empty:
        raise MesaevoError(f"{run_dir} has no entity records (record.entity_every = 0): no alignment scale")
    frames = []
    for gen in chosen:
        frame = infer(run_dir, n_agents, steps, particles=particles, checkpoint=gen, write=False)
        scale = _scale(entities, gen)
        inferred = frame[[f"u_{f}" for f in FEATURES]].to_numpy(dtype=np.float64)
        truth = frame[[f"true_{f}" for f in FEATURES]].to_numpy(dtype=np.float64)
        frame["align_inferred"] = fitness_alignment(inferred, scale)
        frame["align_represented"] = fitness_alignment(np.nan_to_num(truth), scale)
        frame.loc[frame["cosine_true"].isna(), "align_represented"] = np.nan
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    write_parquet(run_dir / INFERRED_AXIS, pa.Table.from_pandas(out, preserve_index=False))
    return out


def axis_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Per generation and architecture: agents, mean alignment by inferred and by represented objective."""
    return (rows.groupby(["generation", "architecture"], sort=True)
            .agg(agents=("agent", "size"), align_inferred=("align_inferred", "mean"),
                 align_represented=("align_represented", "mean"))
            .reset_index())
