"""Load a run directory (manifest, generation table, entity parts) into pandas.

The format is described in ``docs/tables.md``. Loading never executes code:
the manifest is JSON and the tables are parquet.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["RunNotFoundError", "RunFormatError", "RunTables", "find_runs", "load_run", "load_runs"]

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
GENERATIONS = "generations.parquet"
ENTITIES_DIR = "entities"
ENTITY_PART_GLOB = "part-*.parquet"


class RunNotFoundError(ValueError):
    """The path is not a run directory (missing, or without ``manifest.json``)."""


class RunFormatError(ValueError):
    """The run directory exists but its manifest cannot be read."""


@dataclass(frozen=True, eq=False)
class RunTables:
    """The tables of one run, as read from its directory."""

    path: Path
    manifest: dict[str, Any]
    generations: pd.DataFrame
    entities: pd.DataFrame

    @property
    def shift_events(self) -> list[dict[str, Any]]:
        """Shift events recorded in the manifest (``generation``, ``kind``, ``name``, ...)."""
        return list(self.manifest.get("shift_events") or [])

    @property
    def scenario(self) -> str:
        """Scenario name from the manifest, or ``"?"`` if absent."""
        return str(self.manifest.get("scenario", "?"))

    @property
    def status(self) -> str:
        """``manifest["status"]``: "completed", "running", "interrupted", "failed", "extinct"
        (``"unknown"`` if absent)."""
        return str(self.manifest.get("status") or "unknown")

    @property
    def complete(self) -> bool:
        """True when the run finished all its generations (status "completed")."""
        return self.status == "completed"


def _read_manifest(path: Path) -> dict[str, Any]:
    manifest_path = path / MANIFEST
    if not path.is_dir() or not manifest_path.is_file():
        raise RunNotFoundError(f"no run at {path}: {MANIFEST} not found")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunFormatError(f"cannot read {manifest_path}: {exc}") from exc
    if not isinstance(manifest, dict):
        raise RunFormatError(f"cannot read {manifest_path}: expected a JSON object")
    return manifest


def _read_generations(path: Path) -> pd.DataFrame:
    table = path / GENERATIONS
    if not table.is_file():
        return pd.DataFrame()
    frame = pd.read_parquet(table, engine="pyarrow")
    if "generation" in frame.columns:
        frame = frame.sort_values("generation", kind="stable")
    return frame.reset_index(drop=True)


def _read_entities(path: Path) -> pd.DataFrame:
    parts = sorted((path / ENTITIES_DIR).glob(ENTITY_PART_GLOB))
    frames = [pd.read_parquet(p, engine="pyarrow") for p in parts]
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    entities = pd.concat(frames, ignore_index=True)
    keys = [k for k in ("generation", "entity_id") if k in entities.columns]
    if keys:
        entities = entities.sort_values(keys, kind="stable")
    return entities.reset_index(drop=True)


def load_run(path: str | Path) -> RunTables:
    """Read the run directory at ``path``.

    Raises :class:`RunNotFoundError` if there is no ``manifest.json`` there.
    A run that has not written ``generations.parquet`` yet, or no entity parts,
    gets empty DataFrames.
    """
    run_path = Path(path)
    manifest = _read_manifest(run_path)
    status = str(manifest.get("status") or "unknown")
    if status != "completed":
        log.warning("run %s is %s (%s generations written): its tables may be partial",
                    run_path, status, manifest.get("generations_done", "?"))
    return RunTables(
        path=run_path,
        manifest=manifest,
        generations=_read_generations(run_path),
        entities=_read_entities(run_path),
    )


def find_runs(path: str | Path) -> list[Path]:
    """Run directories at or under ``path`` (a run, or a sweep directory holding runs), sorted.

    Raises :class:`RunNotFoundError` if there is none.
    """
    root = Path(path)
    if (root / MANIFEST).is_file():
        return [root]
    if not root.is_dir():
        raise RunNotFoundError(f"no run at {root}: directory not found")
    found = sorted(p.parent for p in root.rglob(MANIFEST) if p.is_file())
    if not found:
        raise RunNotFoundError(f"no run at {root}: no {MANIFEST} in it or under it")
    return found


def load_runs(path: str | Path) -> list[RunTables]:
    """Load every run directory at or under ``path`` (see :func:`find_runs`)."""
    return [load_run(p) for p in find_runs(path)]
