"""The run directory: manifest, generation table and entity parts, written as the run goes.

Every file is written to a temporary name and renamed into place, so a reader
(or a crash) never sees half a file. ``generations.parquet`` is rewritten with
all rows so far at each flush; entity rows go to ``entities/part-NNNNNN.parquet``,
NNNNNN being the first generation in the part.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from agents.errors import MesaevoError

FORMAT = 1
MANIFEST = "manifest.json"
STATUSES = ("running", "completed", "failed", "interrupted")


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def versions() -> dict[str, str]:
    """Versions of the packages a run's results depend on."""
    out = {"python": platform.python_version()}
    for pkg in ("mesaevo", "numpy", "numba", "deap", "pandas", "pyarrow"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return out


def write_atomic(path: Path, write) -> None:
    """Call ``write(tmp_path)`` then rename the temporary file onto ``path``."""
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, allow_nan=True)

    write_atomic(path, write)


def check_new_run_dir(path: Path) -> None:
    """Refuse a directory that already holds a run or other files."""
    if (path / MANIFEST).exists():
        raise MesaevoError(f"{path} already holds a run (it has a {MANIFEST}); choose another --out or remove it")
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise MesaevoError(f"{path} exists and is not an empty directory; choose another --out")


def prepare_run_dir(path: Path) -> None:
    """Create a new run directory, refusing one that holds anything."""
    check_new_run_dir(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MesaevoError(f"cannot create run directory {path}: {exc}") from None


class Recorder:
    """Writes one run directory; rows are buffered and flushed every ``flush_every`` generations."""

    def __init__(self, path: Path, manifest: dict[str, Any], flush_every: int = 1):
        self.path = Path(path)
        self.flush_every = flush_every
        self.manifest = {"format": FORMAT, "status": "running", "generations_done": 0, "error": None,
                         "started": now(), "finished": None, "versions": versions(), **manifest}
        self.rows: list[dict[str, Any]] = []
        self.pending_entities: list[pd.DataFrame] = []
        self.unflushed = 0
        prepare_run_dir(self.path)
        (self.path / "entities").mkdir(exist_ok=True)
        write_json_atomic(self.path / MANIFEST, self.manifest)

    @classmethod
    def reopen(cls, path: Path, generation: int, flush_every: int = 1) -> "Recorder":
        """Continue an existing run directory from ``generation``: rows and entity parts
        written for that generation or later (after the checkpoint) are dropped."""
        self = cls.__new__(cls)
        self.path = Path(path)
        self.flush_every = flush_every
        self.manifest = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        table_path = self.path / "generations.parquet"
        rows = pq.read_table(table_path).to_pylist() if table_path.exists() else []
        self.rows = [r for r in rows if r["generation"] < generation]
        if len(self.rows) != generation:
            raise MesaevoError(f"{table_path} holds {len(self.rows)} generations before the checkpoint at "
                               f"generation {generation}; the run directory is inconsistent")
        (self.path / "entities").mkdir(exist_ok=True)
        for part in (self.path / "entities").glob("part-*.parquet"):
            if int(part.stem.removeprefix("part-")) >= generation:
                part.unlink()
        self.pending_entities = []
        self.unflushed = 0
        self.manifest.update(status="running", error=None, finished=None, versions=versions())
        self.flush()
        return self

    def append(self, row: dict[str, Any], entities: pd.DataFrame | None) -> None:
        """Add one generation's row (and its entity records, if sampled)."""
        self.rows.append(row)
        if entities is not None:
            self.pending_entities.append(entities)
        self.unflushed += 1
        if self.unflushed >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        """Write buffered rows to disk and update the manifest."""
        if self.rows:
            table = pa.Table.from_pylist(self.rows)
            write_atomic(self.path / "generations.parquet", lambda tmp: pq.write_table(table, tmp))
        if self.pending_entities:
            frame = pd.concat(self.pending_entities, ignore_index=True)
            first = int(frame["generation"].iloc[0])
            part = self.path / "entities" / f"part-{first:06d}.parquet"
            table = pa.Table.from_pandas(frame, preserve_index=False)
            write_atomic(part, lambda tmp: pq.write_table(table, tmp))
            self.pending_entities = []
        self.manifest["generations_done"] = len(self.rows)
        write_json_atomic(self.path / MANIFEST, self.manifest)
        self.unflushed = 0

    def finish(self, status: str, error: str | None = None) -> None:
        """Flush and mark the run with its final status."""
        assert status in STATUSES
        self.flush()
        self.manifest.update(status=status, error=error, finished=now())
        write_json_atomic(self.path / MANIFEST, self.manifest)
