"""Canonical SHA-256 of a run's tables, for the bit-identical redesign check.

Each built-in scenario is run at a small size for 6 generations; the digest
covers ``generations.parquet`` and the entity records of each sampled generation, timing columns dropped,
as column names, dtypes and raw value bytes (so it does not depend on the
Parquet writer's metadata).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

#: Small-size overrides per world kind, with shifts and freezing moved inside 6 generations.
SMALL = {
    "foraging": {"world.width": 16, "world.height": 16, "world.steps": 60, "world.food_patches": 6,
                 "agents.population": 40, "agents.max_depth": 2, "record.entity_every": 2},
    "maze": {"agents.population": 40, "record.entity_every": 2},
    "hungry-thirsty": {"agents.population": 40, "record.entity_every": 2},
}
GENERATIONS = 6
SHIFT_AT = 3
TIMING = ("seconds", "time", "elapsed")


def frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 over column names, dtypes and value bytes, timing columns dropped."""
    h = hashlib.sha256()
    for col in frame.columns:
        if any(t in col for t in TIMING):
            continue
        values = frame[col].to_numpy()
        h.update(f"{col}:{values.dtype}".encode())
        if values.dtype == object:
            h.update("\x1f".join(map(repr, values)).encode())
        else:
            h.update(np.ascontiguousarray(values).tobytes())
    return h.hexdigest()


def run_digests(run_dir: Path) -> dict[str, str]:
    """Digests of the generation table and of each entity part of a finished run."""
    import pyarrow.parquet as pq

    out = {"generations": frame_digest(pq.read_table(run_dir / "generations.parquet").to_pandas())}
    parts = [pq.read_table(p).to_pandas() for p in sorted((run_dir / "entities").glob("part-*.parquet"))]
    if parts:
        entities = pd.concat(parts, ignore_index=True)
        for gen, frame in entities.groupby("generation", sort=True):
            out[f"entities-{int(gen)}"] = frame_digest(frame.reset_index(drop=True))
    return out


def small_overrides(name: str, kind: str, has_shift: bool, frozen: bool) -> dict:
    over = {**SMALL[kind], "run.seed": 5, "run.generations": GENERATIONS}
    if has_shift:
        over["shifts.0.generation"] = SHIFT_AT
    if frozen:
        over["deployment.freeze_at"] = SHIFT_AT
    return over
