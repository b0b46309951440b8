"""Load a whole sweep directory (``sweep.json`` + ``runs/*``) as one pandas table.

One row per (run, generation): ``run_id``, ``setting``, one column per swept
override key (the grid and case keys, not the common ones), ``seed``, then the
run's ``generations.parquet`` columns. The config is not copied into the rows:
``SweepTables.manifest`` holds the base, the common overrides and every run's
overrides once. Reading never executes code (JSON and parquet only).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .load import RunFormatError, RunNotFoundError, load_run, read_json_object

__all__ = ["SweepTables", "load_sweep"]

SWEEP_MANIFEST = "sweep.json"
_RUN_ENTRY = {"id", "setting", "overrides", "seed", "status", "dir"}


@dataclass(frozen=True, eq=False)
class SweepTables:
    """A sweep as read from its directory."""

    path: Path
    manifest: dict[str, Any]
    generations: pd.DataFrame  # run_id, setting, <override keys>, seed, generation, metrics...
    runs: pd.DataFrame  # one row per run: run_id, setting, <override keys>, seed, status, error, dir


def load_sweep(path: str | Path, statuses: tuple[str, ...] | None = None) -> SweepTables:
    """Read the sweep directory at ``path``; ``statuses`` keeps only runs with those statuses
    (default: every run that has written rows)."""
    root = Path(path)
    manifest_path = root / SWEEP_MANIFEST
    if not manifest_path.is_file():
        raise RunNotFoundError(f"no sweep at {root}: {SWEEP_MANIFEST} not found")
    manifest = read_json_object(manifest_path)
    entries = manifest.get("runs")
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and _RUN_ENTRY <= set(e) and isinstance(e["overrides"], dict) for e in entries):
        raise RunFormatError(f"cannot read {manifest_path}: \"runs\" must be a list of objects with "
                             f"{', '.join(sorted(_RUN_ENTRY))}")
    keys: list[str] = []
    for e in entries:
        keys += [k for k in e["overrides"] if k not in keys]
    run_rows, frames = [], []
    for e in entries:
        ident = {"run_id": e["id"], "setting": e["setting"], **{k: e["overrides"].get(k) for k in keys},
                 "seed": e["seed"]}
        run_rows.append({**ident, "status": e["status"], "error": e.get("error"), "dir": e["dir"]})
        if statuses is not None and e["status"] not in statuses:
            continue
        try:
            gens = load_run(root / str(e["dir"])).generations
        except RunNotFoundError:
            continue
        if gens.empty:
            continue
        lead = pd.DataFrame({k: [v] * len(gens) for k, v in ident.items()})
        frames.append(pd.concat([lead, gens.reset_index(drop=True)], axis=1))
    generations = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["run_id", *keys, "seed"])
    return SweepTables(root, manifest, generations, pd.DataFrame(run_rows))
