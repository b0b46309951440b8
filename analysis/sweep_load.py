"""Load a whole sweep directory (``sweep.json`` + ``runs/*``) as one pandas table.

One row per (run, generation): ``run_id``, ``setting`` (the run's setting as a readable
label of its swept keys, ``deployment.mode=online, shifts.0.generation=50``; ``sweep.json``
numbers the settings), one column per swept
override key (the grid and case keys, not the common ones; named without dots,
``shifts.0.generation`` -> ``shifts_0_generation``, so ``df.query`` and attribute access
work; ``SweepTables.keys`` maps each column back to its dotted key), ``seed``, then
the run's ``generations.parquet`` columns. The config is not copied into the rows:
``SweepTables.manifest`` holds the base, the common overrides and every run's
overrides once. Reading never executes code (JSON and parquet only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .load import RunFormatError, RunNotFoundError, load_generations, read_json_object
from .run_files import SWEEP_MANIFEST

__all__ = ["SweepTables", "column_name", "load_sweep", "setting_label"]


def column_name(key: str) -> str:
    """The column of a swept dotted key: dots (and other non-identifier characters) to ``_``."""
    return "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in key)

def setting_label(overrides: dict[str, Any], keys: list[str]) -> str:
    """``key=value, ...`` of the swept ``keys`` a run overrides (strings as typed, other values as
    JSON), the labels :func:`analysis.compare.group_by_setting` gives; ``base`` when none."""
    parts = [f"{k}={v if isinstance(v, str) else json.dumps(v, default=str)}"
             for k in keys if k in overrides for v in [overrides[k]]]
    return ", ".join(parts) or "base"


_RUN_ENTRY = {"id", "setting", "overrides", "seed", "status", "dir"}


@dataclass(frozen=True, eq=False)
class SweepTables:
    """A sweep as read from its directory."""

    path: Path
    manifest: dict[str, Any]
    generations: pd.DataFrame  # run_id, setting, <swept-key columns>, seed, generation, metrics...
    runs: pd.DataFrame  # one row per run: run_id, setting, <swept-key columns>, seed, status, error, dir
    keys: dict[str, str] = field(default_factory=dict)  # swept-key column -> dotted config key

    def __repr__(self) -> str:
        return (f"SweepTables({str(self.path)!r}, {len(self.runs)} runs, swept: "
                f"{', '.join(self.keys.values()) or 'nothing'}, {len(self.generations)} generation rows)")

    def _repr_html_(self) -> str:
        import html

        status = self.runs["status"].value_counts().to_dict() if "status" in self.runs.columns else {}
        head = (f"<p><b>mesaevo sweep</b> {html.escape(str(self.path))}: {len(self.runs)} runs "
                f"({html.escape(', '.join(f'{n} {k}' for k, n in status.items()))}); swept: "
                f"{html.escape(', '.join(self.keys.values()) or 'nothing')}</p>")
        cols = [c for c in ("run_id", "setting", *self.keys, "seed", "status") if c in self.runs.columns]
        return head + (self.runs[cols].to_html(index=False) if cols else "")


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
    columns: dict[str, str] = {}
    for k in keys:
        name = column_name(k)
        while name in columns or name in ("run_id", "setting", "seed"):
            name += "_"
        columns[name] = k
    run_rows, frames = [], []
    for e in entries:
        ident = {"run_id": e["id"], "setting": setting_label(e["overrides"], keys),
                 **{c: e["overrides"].get(k) for c, k in columns.items()}, "seed": e["seed"]}
        run_rows.append({**ident, "status": e["status"], "error": e.get("error"), "dir": e["dir"]})
        if statuses is not None and e["status"] not in statuses:
            continue
        try:
            gens = load_generations(root / str(e["dir"]))
        except RunNotFoundError:
            continue
        if gens.empty:
            continue
        lead = pd.DataFrame({k: [v] * len(gens) for k, v in ident.items()})
        frames.append(pd.concat([lead, gens.reset_index(drop=True)], axis=1))
    generations = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["run_id", *columns, "seed"])
    return SweepTables(root, manifest, generations, pd.DataFrame(run_rows), columns)
