"""The run directory: manifest, generation table and entity parts, written as the run goes.

Every file goes through the one atomic writer, ``analysis.files.write_atomic`` (a
fresh temporary file renamed into place, permissions from the umask), so a reader
(or a crash) never sees half a file. A write that fails (ENOSPC, EACCES,
EROFS, ...) is one ``MesaevoError`` naming the file. The recorder holds the run
directory's lock (``evo.lock``) from creation until ``finish``. ``generations.parquet`` is rewritten with
all rows so far at each flush (only the new rows are converted: the table so far is kept in memory as
Arrow); entity rows go to ``entities/part-NNNNNN.parquet``,
NNNNNN being the first generation in the part.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from agents.errors import MesaevoError
from evo.lock import LOCK_NAME, RunLock
from evo.paths import read_json, regular_file, safe_subdir
from analysis import files
from evo.table_digest import check_tables, tables_record
from analysis.run_files import ENTITIES_DIR, ENTITY_PART_GLOB, GENERATIONS, MANIFEST, entity_part, entity_part_first

FORMAT = 1
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


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """``analysis.files.write_atomic`` (the one atomic writer), any OSError becoming a MesaevoError naming
    ``path``."""
    try:
        files.write_atomic(path, write)
    except OSError as exc:
        raise MesaevoError(f"cannot write {path}: {exc.strerror or exc}") from None


def json_text(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, allow_nan=True)


def write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    write_text_atomic(path, json_text(data))  # one write: ``json.dump`` writes piece by piece, 3x slower


def _leftover(entry: Path) -> bool:
    """Files a run killed before its first manifest can leave: the lock, temporary manifests, empty entities/."""
    name = entry.name
    if name == LOCK_NAME or (name.startswith(f".{MANIFEST}.") and name.endswith(".tmp")):
        return not entry.is_dir() or entry.is_symlink()
    if name == ENTITIES_DIR and entry.is_dir() and not entry.is_symlink():
        return not any(entry.iterdir())
    return False


def never_started(path: Path) -> bool:
    """A directory left by a run killed before its first manifest landed (no manifest, only leftovers)."""
    if not path.is_dir() or os.path.lexists(path / MANIFEST):
        return False
    entries = list(path.iterdir())
    return bool(entries) and all(_leftover(e) for e in entries)


def clear_leftovers(path: Path) -> None:
    """Remove the leftovers of a run that never started (and nothing else); the lock file stays."""
    for entry in path.iterdir():
        if entry.name != LOCK_NAME and _leftover(entry):
            if entry.is_dir() and not entry.is_symlink():
                entry.rmdir()
            else:
                entry.unlink()


def check_new_run_dir(path: Path) -> None:
    """Refuse a directory that already holds a run or other files (a never-started run's leftovers are fine)."""
    if os.path.lexists(path / MANIFEST):
        raise MesaevoError(f"{path} already holds a run (it has a {MANIFEST}); choose another --out or remove it")
    if path.exists() and (not path.is_dir() or (any(path.iterdir()) and not never_started(path))):
        raise MesaevoError(f"{path} exists and is not an empty directory; choose another --out")


def prepare_run_dir(path: Path) -> RunLock:
    """Create a new run directory and lock it, refusing one that holds anything; clears the leftovers
    of a run killed before its first manifest (checked again under the lock)."""
    check_new_run_dir(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MesaevoError(f"cannot create run directory {path}: {exc.strerror or exc}") from None
    lock = RunLock(path).acquire()
    try:
        check_new_run_dir(path)
        if never_started(path):
            clear_leftovers(path)
    except BaseException:
        lock.release()
        raise
    return lock


def remove_temporaries(*folders: Path) -> None:
    """Remove temporary files (``.NAME.XXXX.tmp``) a killed writer left; never directories."""
    for folder in folders:
        for entry in folder.iterdir():
            if entry.name.startswith(".") and entry.name.endswith(".tmp") and (entry.is_symlink() or not entry.is_dir()):
                entry.unlink(missing_ok=True)


def read_manifest(path: Path) -> dict[str, Any]:
    """A run directory's manifest (a regular, small, shallow JSON object), or MesaevoError."""
    return read_json(Path(path) / MANIFEST, "manifest")


def mark_failed(path: Path, error: str) -> None:
    """Mark an existing run's manifest 'failed' with ``error`` (best effort: a manifest that cannot be
    read or written is left as it is). The caller holds the run's lock."""
    try:
        manifest = read_manifest(path)
        if manifest.get("status") == "completed":
            return
        manifest.update(status="failed", error=error, finished=now())
        write_json_atomic(Path(path) / MANIFEST, manifest)
    except MesaevoError:
        pass


def rows_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Generation rows as an Arrow table over the union of their keys, in first-seen order (a key a row
    lacks is null there; ``Table.from_pylist`` takes the first row's keys and drops any other)."""
    keys = dict.fromkeys(key for row in rows for key in row)
    return pa.Table.from_pydict({key: [row.get(key) for row in rows] for key in keys})


def append_rows(table: pa.Table | None, rows: list[dict[str, Any]]) -> pa.Table:
    """``table`` with ``rows`` appended: the same columns and types as ``rows_table`` of all the rows
    (a column new in ``rows`` is null before them; an integer column that turns float becomes float)."""
    new = rows_table(rows)  # one chunk per column: a table of many small chunks writes several times slower
    return new if table is None else pa.concat_tables([table, new], promote_options="permissive").combine_chunks()


def write_parquet(path: Path, table: pa.Table) -> None:
    """Write ``table`` atomically, without column statistics (no reader of a run filters by them) and
    without dictionary encoding: each costs the writer time per column, which is most of the cost of
    these short tables; files are within 20 % of the size either way. The file is built in memory and
    written at once: written to a path, the writer made about two system calls per column."""

    def write(tmp: Path) -> None:
        buffer = pa.BufferOutputStream()
        pq.write_table(table, buffer, write_statistics=False, use_dictionary=False)
        tmp.write_bytes(buffer.getvalue())

    write_atomic(path, write)


class Recorder:
    """Writes one run directory; rows are buffered and flushed every ``flush_every`` generations."""

    def __init__(self, path: Path, manifest: dict[str, Any], flush_every: int = 1):
        self.path = Path(path)
        self.flush_every = flush_every
        self.manifest = {"format": FORMAT, "status": "running", "generations_done": 0, "error": None,
                         "started": now(), "finished": None, "versions": versions(), **manifest}
        self.table: pa.Table | None = None  # the generation rows flushed so far (what the file holds)
        self.pending: list[dict[str, Any]] = []  # generation rows since the last flush
        self.rewrite = False  # write the table at the next flush even without new rows
        self.pending_entities: list[pa.Table] = []  # entity records since the last flush
        self.part_digests: dict[str, str] = {}  # entity part name -> SHA-256 (parts are written once)
        self.unflushed = 0
        self.manifest_written = json_text(self.manifest)  # the manifest's text as this recorder last wrote it
        self.lock = prepare_run_dir(self.path)
        try:
            safe_subdir(self.path, ENTITIES_DIR).mkdir(exist_ok=True)
            write_text_atomic(self.path / MANIFEST, self.manifest_written)
        except OSError as exc:
            self.lock.release()
            raise MesaevoError(f"cannot create {self.path / 'entities'}: {exc.strerror or exc}") from None
        except BaseException:
            self.lock.release()
            raise

    @classmethod
    def reopen(cls, path: Path, generation: int, flush_every: int = 1, lock: RunLock | None = None,
               tables: Any = None) -> "Recorder":
        """Continue an existing run directory from ``generation``: rows and entity parts
        written for that generation or later (after the checkpoint) are dropped; the kept ones must match
        ``tables``, the checkpoint's record of them (``evo.table_digest.check_tables``).

        ``lock``: the run's lock, already held by the caller (taken here otherwise).
        Every file is checked before it is read (regular file, readable parquet),
        and only ``part-*.parquet`` regular files or symlinks inside ``entities/`` are removed."""
        self = cls.__new__(cls)
        self.path = Path(path)
        self.flush_every = flush_every
        self.manifest_written = ""
        self.part_digests = {}
        self.lock = lock if lock is not None and lock.held else RunLock(self.path).acquire()
        try:
            self.manifest = read_manifest(self.path)
            table_path = self.path / GENERATIONS
            self.table, done = None, []
            if os.path.lexists(table_path):
                regular_file(table_path, "generation table")
                try:
                    table = pq.read_table(table_path)
                    self.table = table.filter(pc.less(table["generation"], generation))
                    done = [int(g) for g in self.table["generation"].to_pylist()]
                except (pa.ArrowException, OSError, ValueError, KeyError, TypeError) as exc:
                    raise MesaevoError(f"{table_path} is unreadable (corrupt or truncated): {exc}") from None
            if done != list(range(generation)):
                raise MesaevoError(f"{table_path} holds {len(done)} generations before the checkpoint at "
                                   f"generation {generation}; the run directory is inconsistent")
            self.table = self.table if generation else None  # nothing kept: as for a new run, no table until a row
            entities = safe_subdir(self.path, ENTITIES_DIR)
            entities.mkdir(exist_ok=True)
            remove_temporaries(self.path, entities)
            kept = []
            for part in sorted(entities.iterdir()):
                if not fnmatch.fnmatchcase(part.name, ENTITY_PART_GLOB):
                    continue
                first = entity_part_first(part.name)
                if first is None:
                    raise MesaevoError(f"{part} is not an entity part this program wrote")
                if first >= generation:
                    if part.is_dir() and not part.is_symlink():
                        raise MesaevoError(f"{part} is a directory, not an entity part")
                    part.unlink()
                    continue
                regular_file(part, "entity part")
                try:
                    pq.read_metadata(part)
                except (pa.ArrowException, OSError, ValueError) as exc:
                    raise MesaevoError(f"entity part {part} is unreadable (corrupt or truncated): {exc}") from None
                kept.append(part)
            check_tables(tables, self.table, kept, self.path, generation)
            self.pending_entities = []
            self.unflushed = 0
            self.pending = []
            self.rewrite = True  # rows past the checkpoint were dropped
            self.manifest.update(status="running", error=None, finished=None, versions=versions())
            self.flush()
        except OSError as exc:
            self.lock.release()
            raise MesaevoError(f"cannot reopen {self.path}: {exc}") from None
        except BaseException:
            self.lock.release()
            raise
        return self

    def tables_record(self) -> dict[str, Any]:
        """The digests of the rows and entity parts written so far, for a checkpoint (call after ``flush``)."""
        folder = safe_subdir(self.path, ENTITIES_DIR)
        parts = sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []
        return tables_record(self.table, parts, self.part_digests)

    def append(self, row: dict[str, Any], entities: dict[str, np.ndarray] | None) -> None:
        """Add one generation's row (and its entity records as named numpy columns, if sampled)."""
        self.pending.append(row)
        if entities is not None:
            self.pending_entities.append(pa.table(entities))  # through a DataFrame and from_pandas: 8x the cost
        self.unflushed += 1
        if self.unflushed >= self.flush_every:
            self.flush()

    @property
    def generations_done(self) -> int:
        return (self.table.num_rows if self.table is not None else 0) + len(self.pending)

    def flush(self) -> None:
        """Write buffered rows to disk (the generation table only when it gained rows since it was last
        written: a checkpoint flushes right after the periodic flush) and update the manifest."""
        if self.pending:
            self.table = append_rows(self.table, self.pending)
            self.pending, self.rewrite = [], True
        if self.rewrite and self.table is not None:
            write_parquet(self.path / GENERATIONS, self.table)
        self.rewrite = False
        if self.pending_entities:
            table = pa.concat_tables(self.pending_entities, promote_options="permissive")
            first = int(table["generation"][0].as_py())
            write_parquet(safe_subdir(self.path, ENTITIES_DIR) / entity_part(first), table)
            self.pending_entities = []
        self.manifest["generations_done"] = self.generations_done
        text = json_text(self.manifest)
        if text != self.manifest_written:  # a checkpoint's flush right after the periodic one has nothing new
            write_text_atomic(self.path / MANIFEST, text)
            self.manifest_written = text
        self.unflushed = 0

    def finish(self, status: str, error: str | None = None) -> None:
        """Flush and mark the run with its final status, then release the run's lock.

        For a failed or interrupted run the status is written even when flushing the
        tables fails (e.g. the disk is full): the manifest is small and is tried last.
        A 'completed' that cannot be written raises and keeps the lock, so the caller
        can still mark the run 'failed'. A recorder that no longer holds the lock
        (finished already, or its directory taken over) writes nothing."""
        assert status in STATUSES
        if not self.lock.held:
            return
        if status == "completed":
            self.flush()
            self.manifest.update(status=status, error=error, finished=now())
            write_json_atomic(self.path / MANIFEST, self.manifest)
            self.lock.release()
            return
        try:
            try:
                self.flush()
            except MesaevoError as exc:
                error = f"{error}; also {exc}" if error else str(exc)
            self.manifest.update(status=status, error=error, finished=now())
            try:
                write_json_atomic(self.path / MANIFEST, self.manifest)
            except MesaevoError:
                pass
        finally:
            self.lock.release()
