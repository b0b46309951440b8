"""The names of the files in run, sweep and experiment directories: written by ``evo``, read by ``analysis``.

The one place these names live (``evo`` imports them from here; ``analysis`` imports nothing of ``evo``).
"""

from __future__ import annotations

import re

# --- a run directory
MANIFEST = "manifest.json"
GENERATIONS = "generations.parquet"
ENTITIES_DIR = "entities"
#: Entity parts: ``entities/part-NNNNNN.parquet``, NNNNNN the first generation in the part.
ENTITY_PART_GLOB = "part-*.parquet"
#: Checkpoints (``evo.checkpoint``): ``checkpoints/ckpt-NNNNNN.json`` + ``.npz``.
CHECKPOINT_DIR = "checkpoints"
CHECKPOINT_RE = re.compile(r"^ckpt-(\d{6,})\.json$")
#: The run directory's lock (``evo.lock``).
LOCK = ".lock"
REPORT = "report.html"

# --- a sweep or an experiment directory: its manifest and ``runs/<id>/``, one run directory each
SWEEP_MANIFEST = "sweep.json"
EXPERIMENT_MANIFEST = "experiment.json"
RUNS_DIR = "runs"
#: An experiment's verdict record; each measurement's per-seed table and figure (``measurement_file``).
VERDICT = "verdict.json"
VERDICT_TABLE = "table.csv"
VERDICT_FIGURE = "verdict.png"


def checkpoint_stem(generation: int) -> str:
    """``ckpt-NNNNNN``: the checkpoint written after ``generation`` generations, without its suffix."""
    return f"ckpt-{generation:06d}"


def entity_part(first: int) -> str:
    """The name of the entity part whose first generation is ``first``."""
    return f"part-{first:06d}.parquet"


def entity_part_first(name: str) -> int | None:
    """The first generation of an entity part named ``name``; None for any other name."""
    m = re.fullmatch(r"part-(\d+)\.parquet", name)
    return int(m.group(1)) if m else None


def measurement_file(name: str, suffix: str) -> str:
    """``name`` of a measurement with ``suffix`` before its extension: ``("table.csv", "-x")`` -> ``table-x.csv``."""
    stem, dot, ext = name.rpartition(".")
    return f"{stem}{suffix}{dot}{ext}"
