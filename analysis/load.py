"""Load a run directory (manifest, generation table, entity parts) into pandas.

The format is described in ``docs/tables.md``. Loading never executes code:
the manifest is JSON and the tables are parquet.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from .run_files import CHECKPOINT_DIR, CHECKPOINT_RE, ENTITIES_DIR, ENTITY_PART_GLOB, GENERATIONS, MANIFEST

__all__ = ["MAX_RUN_DEPTH", "RunNotFoundError", "RunFormatError", "RunTables", "find_runs", "load_generations",
           "load_run", "load_runs", "read_json_object", "shift_generation", "shift_label"]


log = logging.getLogger(__name__)

#: How many directory levels below a path :func:`find_runs` looks for runs
#: (``sweep/runs/<id>`` is two), so that a mistaken path such as ``/`` is not walked whole.
MAX_RUN_DEPTH = 2


class RunNotFoundError(ValueError):
    """The path is not a run directory (missing, or without ``manifest.json``)."""


class RunFormatError(ValueError):
    """The run directory exists but a file in it (manifest or table) cannot be read."""


@dataclass(frozen=True, eq=False)
class RunTables:
    """The tables of one run, as read from its directory."""

    path: Path
    manifest: dict[str, Any]
    generations: pd.DataFrame
    entities: pd.DataFrame

    @property
    def shift_events(self) -> list[dict[str, Any]]:
        """Shift events recorded in the manifest (``generation``, ``kind``, ``name``, ...);
        entries that are not JSON objects are left out."""
        events = self.manifest.get("shift_events")
        return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []

    @property
    def scenario(self) -> str:
        """Scenario name from the manifest, or ``"?"`` if absent."""
        return str(self.manifest.get("scenario", "?"))

    @property
    def status(self) -> str:
        """``manifest["status"]``: "completed", "running", "interrupted", "failed"
        (``"unknown"`` if absent)."""
        return str(self.manifest.get("status") or "unknown")

    @property
    def complete(self) -> bool:
        """True when the run finished all its generations (status "completed")."""
        return self.status == "completed"

    def _newest_checkpoint(self) -> Path | None:
        folder = self.path / CHECKPOINT_DIR
        if not folder.is_dir():
            return None
        found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := CHECKPOINT_RE.match(p.name))]
        return max(found)[1] if found else None

    def logbook(self) -> pd.DataFrame:
        """The DEAP Logbook of the GA (one row per generation: ``gen``, fitness ``mean``, ``std``,
        ``max``, ...) from the newest checkpoint; empty when the run has none."""
        meta = self._newest_checkpoint()
        if meta is None:
            return pd.DataFrame()
        records = read_json_object(meta).get("logbook")
        return pd.DataFrame(records if isinstance(records, list) else [])

    def hall_of_fame(self) -> pd.DataFrame:
        """The GA's Hall of Fame from the newest checkpoint: one row per individual, ``fitness``
        then the raw genome values, one column per gene named as the checkpoint's ``gene_names``
        say (``architecture``, ``w_taste``, ...; ``g0``, ``g1``, ... for a checkpoint without
        them); empty when the run has no checkpoint. Read with ``allow_pickle=False``: no code runs."""
        import numpy as np

        meta = self._newest_checkpoint()
        if meta is None:
            return pd.DataFrame()
        try:
            with np.load(meta.with_suffix(".npz"), allow_pickle=False) as data:
                genomes, fitness = data["hof_genomes"], data["hof_fitness"]
        except (OSError, ValueError, KeyError) as exc:
            raise RunFormatError(f"cannot read {meta.with_suffix('.npz')}: {exc}") from None
        names = read_json_object(meta).get("gene_names")
        if not (isinstance(names, list) and len(names) == genomes.shape[1] and all(isinstance(n, str) for n in names)
                and len(set(names)) == len(names) and "fitness" not in names):
            names = [f"g{i}" for i in range(genomes.shape[1])]
        frame = pd.DataFrame(genomes, columns=names)
        frame.insert(0, "fitness", fitness)
        return frame

    def __repr__(self) -> str:
        return (f"RunTables({str(self.path)!r}, scenario={self.scenario!r}, seed={self.manifest.get('seed')}, "
                f"status={self.status!r}, generations={len(self.generations)} rows, "
                f"entities={len(self.entities)} rows)")

    def _repr_html_(self) -> str:
        import html

        head = (f"<p><b>mesaevo run</b> {html.escape(str(self.path))}: scenario {html.escape(self.scenario)}, "
                f"seed {html.escape(str(self.manifest.get('seed')))}, status <b>{html.escape(self.status)}</b>, "
                f"{len(self.generations)} generations, {len(self.entities)} entity records</p>")
        cols = [c for c in ("generation", "fitness_mean", "L1_spearman", "corr_taste", "shifts_active")
                if c in self.generations.columns]
        table = self.generations[cols].tail(5).to_html(index=False, float_format=lambda v: f"{v:.3f}") \
            if cols else ""
        return head + table


def shift_label(event: dict[str, Any]) -> str:
    """The name a shift event is shown by: its ``name``, else its ``kind``, else "shift"."""
    return str(event.get("name", event.get("kind", "shift")))


def distinct_shift_events(runs: Sequence["RunTables"]) -> list[dict[str, Any]]:
    """The shift events of all ``runs``, each distinct (name, generation) once, in order of generation: a sweep
    over a shift's timing has one line per timing, not only the first run's."""
    seen: dict[tuple[str, int], dict[str, Any]] = {}
    for run in runs:
        for event in run.shift_events:
            gen = shift_generation(event)
            if gen is not None:
                seen.setdefault((shift_label(event), gen), event)
    return [seen[k] for k in sorted(seen, key=lambda k: (k[1], k[0]))]


def shift_generation(event: dict[str, Any]) -> int | None:
    """The generation a shift event happened at, or None when the manifest gives no whole number."""
    gen = event.get("generation")
    if isinstance(gen, bool) or not isinstance(gen, (int, float)) or gen != gen or int(gen) != gen:
        return None
    return int(gen)


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in the file at ``path``; :class:`RunFormatError` naming the file if it
    is not UTF-8 JSON, is nested too deeply to parse, or is not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError, OSError) as exc:  # JSONDecodeError, UnicodeDecodeError are ValueErrors
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise RunFormatError(f"cannot read {path}: {reason}") from None
    if not isinstance(data, dict):
        raise RunFormatError(f"cannot read {path}: expected a JSON object, found {type(data).__name__}")
    return data


def _read_manifest(path: Path) -> dict[str, Any]:
    manifest_path = path / MANIFEST
    if not path.is_dir() or not manifest_path.is_file():
        raise RunNotFoundError(f"no run at {path}: {MANIFEST} not found")
    return read_json_object(manifest_path)


def _read_parquet(path: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A parquet table (only those of ``columns`` it has, when given); :class:`RunFormatError` naming the
    file if it is not one."""
    try:
        if columns is not None:
            import pyarrow.parquet as pq

            have = set(pq.read_schema(path).names)
            return pd.read_parquet(path, engine="pyarrow", columns=[c for c in columns if c in have])
        return pd.read_parquet(path, engine="pyarrow")
    except (ValueError, OSError) as exc:  # pyarrow's ArrowInvalid is a ValueError, ArrowIOError an OSError
        raise RunFormatError(f"cannot read {path}: not a readable parquet table ({exc})") from None


def _inside(path: Path, root: Path) -> Path:
    """``path``, refused with :class:`RunFormatError` when it (symlinks followed) leads outside ``root``."""
    real, base = path.resolve(), root.resolve()
    if real != base and base not in real.parents:
        raise RunFormatError(f"{path} leads outside the run directory {root} (a symlink); refusing to read it")
    return path


def _read_generations(path: Path) -> pd.DataFrame:
    table = path / GENERATIONS
    if not table.is_file():
        return pd.DataFrame()
    frame = _read_parquet(_inside(table, path))
    if len(frame.columns) and "generation" not in frame.columns:
        raise RunFormatError(f"{table} has no 'generation' column: not a generation table this program wrote")
    if "generation" in frame.columns:
        frame = frame.sort_values("generation", kind="stable")
    return frame.reset_index(drop=True)


def read_entities(path: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The entity records of the run directory at ``path`` (all parts, sorted), only ``columns`` when given;
    :class:`RunFormatError` when the entities folder or a part leads outside the run (a symlink)."""
    path = Path(path)
    folder = path / ENTITIES_DIR
    if not folder.is_dir():
        return pd.DataFrame()
    parts = [_inside(p, path) for p in sorted(_inside(folder, path).glob(ENTITY_PART_GLOB))]
    frames = [_read_parquet(p, columns) for p in parts]
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    entities = pd.concat(frames, ignore_index=True)
    keys = [k for k in ("generation", "entity_id") if k in entities.columns]
    if keys:
        entities = entities.sort_values(keys, kind="stable")
    return entities.reset_index(drop=True)


def load_generations(path: str | Path) -> pd.DataFrame:
    """The generation table of the run directory at ``path``, checked as :func:`load_run` checks it, without
    reading the entity records (a verdict or a sweep table needs only this; the entity parts are most of a
    run's bytes)."""
    run_path = Path(path)
    manifest = _read_manifest(run_path)
    if str(manifest.get("status") or "unknown") != "completed":
        log.warning("run %s is %s (%s generations written): its tables may be partial",
                    run_path, manifest.get("status") or "unknown", manifest.get("generations_done", "?"))
    return _read_generations(run_path)


def load_run(path: str | Path, entity_columns: Sequence[str] | None = None) -> RunTables:
    """Read the run directory at ``path``; ``entity_columns``: read only these entity columns (those
    the parts have; a report that needs few of them reads a large run much faster).

    Raises :class:`RunNotFoundError` if there is no ``manifest.json`` there and
    :class:`RunFormatError` if the manifest or a table cannot be read. A run that has not
    written ``generations.parquet`` yet, or no entity parts,
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
        entities=read_entities(run_path, entity_columns),
    )


def _manifests_below(root: Path, depth: int) -> list[Path]:
    """Manifests in the directories 1..``depth`` levels below ``root`` (bounded, so symlink loops end);
    directories that cannot be listed are skipped."""
    found: list[Path] = []
    level = [root]
    for _ in range(depth):
        below = []
        for directory in level:
            try:
                below += sorted(p for p in directory.iterdir() if p.is_dir())
            except OSError:
                continue
        found += [d / MANIFEST for d in below if (d / MANIFEST).is_file()]
        level = below
    return found


def find_runs(path: str | Path) -> list[Path]:
    """Run directories at or under ``path``, sorted: a run, or a directory holding runs up to
    :data:`MAX_RUN_DEPTH` levels down (a sweep's ``runs/<id>``, a folder of seeds). A
    filesystem root is never searched (``mesaevo report /`` would report whatever runs
    happen to lie two levels down, and write into ``/``).

    Raises :class:`RunNotFoundError` if there is none.
    """
    root = Path(path)
    if (root / MANIFEST).is_file():
        return [root]
    if not root.is_dir():
        raise RunNotFoundError(f"no run at {root}: directory not found")
    if root.resolve() == Path(root.resolve().anchor):
        raise RunNotFoundError(f"no run at {root}: a filesystem root is not searched for runs; "
                               "name a run or sweep directory")
    found = sorted(p.parent for p in _manifests_below(root, MAX_RUN_DEPTH))
    if not found:
        raise RunNotFoundError(f"no run at {root}: no {MANIFEST} in it or up to {MAX_RUN_DEPTH} levels under it")
    return found


def load_runs(path: str | Path, entity_columns: Sequence[str] | None = None) -> list[RunTables]:
    """Load every run directory at or under ``path`` (see :func:`find_runs`; ``entity_columns`` as
    :func:`load_run`)."""
    return [load_run(p, entity_columns) for p in find_runs(path)]
