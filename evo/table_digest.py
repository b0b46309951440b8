"""Digests of the rows a checkpoint stands on, so that ``resume`` never continues from edited tables.

A checkpoint at generation g records (``tables`` in its JSON) the SHA-256 of the generation
table's rows before g (over column names, types and values: the file itself is rewritten
with more rows later) and of each entity part then on disk (those parts are never
rewritten). Resuming from that checkpoint keeps exactly those rows and parts, so it
recomputes both and refuses a mismatch (a NaN written into ``fitness_mean``, an entity
part replaced by one of another schema, a part added or removed): the tables of a resumed
run then equal those of an uninterrupted one. Checkpoints written before this record
carry no ``tables`` and are not checked.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from agents.errors import MesaevoError
from evo.paths import regular_file

_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    """SHA-256 of a regular file's bytes (MesaevoError if it is not one or cannot be read)."""
    regular_file(path, "file")
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while block := fh.read(_CHUNK):
                digest.update(block)
    except OSError as exc:
        raise MesaevoError(f"cannot read {path}: {exc.strerror or exc}") from None
    return digest.hexdigest()


def rows_sha256(table: pa.Table | None) -> str:
    """SHA-256 of a table's column names, types and values (None: no rows)."""
    digest = hashlib.sha256()
    if table is None:
        return digest.hexdigest()
    for name, column in zip(table.column_names, table.columns):
        digest.update(f"\x1e{name}:{column.type}:{column.null_count}".encode())
        values = column.to_numpy(zero_copy_only=False)
        if values.dtype == object:
            digest.update("\x1f".join(map(repr, values.tolist())).encode())
        else:
            digest.update(np.ascontiguousarray(values).tobytes())
    return digest.hexdigest()


def tables_record(table: pa.Table | None, parts: list[Path], known: dict[str, str]) -> dict[str, Any]:
    """What a checkpoint records: the rows' digest and each entity part's (``known`` caches part digests
    by name across checkpoints: a part is written once)."""
    for part in parts:
        if part.name not in known:
            known[part.name] = file_sha256(part)
    return {"rows_sha256": rows_sha256(table), "entity_parts": {p.name: known[p.name] for p in parts}}


def check_tables(record: Any, table: pa.Table | None, parts: list[Path], where: Path, generation: int) -> None:
    """Refuse to resume when the kept rows or entity parts differ from what checkpoint ``generation``
    recorded (``record`` None: a checkpoint from before the record, not checked)."""
    if record is None:
        return
    hint = (f"they changed after the checkpoint at generation {generation} was written; restore them or "
            "start the run again")
    if not isinstance(record, dict) or not isinstance(record.get("entity_parts"), dict):
        raise MesaevoError(f"checkpoint {generation} of {where}: its table record is malformed")
    if rows_sha256(table) != record.get("rows_sha256"):
        raise MesaevoError(f"the generation rows before generation {generation} in {where} differ from those the "
                           f"checkpoint recorded: {hint}")
    expected = record["entity_parts"]
    names = sorted(p.name for p in parts)
    if names != sorted(expected):
        extra, missing = sorted(set(names) - set(expected)), sorted(set(expected) - set(names))
        raise MesaevoError(f"the entity parts before generation {generation} in {where} are not those the "
                           f"checkpoint recorded (added: {extra[:3]}, missing: {missing[:3]}): {hint}")
    for part in parts:
        if file_sha256(part) != expected[part.name]:
            raise MesaevoError(f"entity part {part} differs from the one the checkpoint recorded: {hint}")
