"""Checkpoints: everything needed to continue a run exactly, stored without pickle.

A checkpoint is ``checkpoints/ckpt-NNNNNN.npz`` (population genomes and fitness,
Hall of Fame) plus ``ckpt-NNNNNN.json`` (format, generation, Logbook, Python's
``random`` state, and the SHA-256 of the ``.npz``). NNNNNN is the next
generation to run. Both files are written to temporary names and renamed; the
JSON goes last, so a checkpoint without its JSON never counts. Every other
random stream is derived from (root seed, generation), and the world is rebuilt
each generation, so nothing else needs saving.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agents.errors import MesaevoError
from evo.ga import Individual
from evo.recorder import write_atomic, write_json_atomic

log = logging.getLogger(__name__)

FORMAT = 1
DIRNAME = "checkpoints"
NAME = re.compile(r"^ckpt-(\d{6,})\.json$")


@dataclass
class Checkpoint:
    """The contents of one checkpoint."""

    generation: int
    genomes: np.ndarray
    fitness: np.ndarray  # NaN where an individual's fitness is not valid
    hof_genomes: np.ndarray
    hof_fitness: np.ndarray
    logbook: list[dict[str, Any]]
    random_state: list


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fitness(individuals: list[Individual]) -> np.ndarray:
    return np.array([ind.fitness.values[0] if ind.fitness.valid else np.nan for ind in individuals], dtype=np.float64)


def write_checkpoint(run_dir: Path, evolution, keep: int) -> Path:
    """Save ``evolution``'s state under ``run_dir/checkpoints``; keep the newest ``keep``."""
    folder = Path(run_dir) / DIRNAME
    folder.mkdir(exist_ok=True)
    stem = f"ckpt-{evolution.generation:06d}"
    npz = folder / f"{stem}.npz"
    hof = list(evolution.hall_of_fame)
    arrays = {
        "genomes": np.stack(evolution.population).view(np.ndarray),
        "fitness": _fitness(evolution.population),
        "hof_genomes": np.stack(hof).view(np.ndarray) if hof else np.zeros((0, evolution.layout.size)),
        "hof_fitness": _fitness(hof),
    }

    def save(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)

    write_atomic(npz, save)
    version, state, gauss = random.getstate()
    meta = {
        "format": FORMAT,
        "generation": evolution.generation,
        "npz_sha256": sha256(npz),
        "logbook": [{k: float(v) if k != "gen" else int(v) for k, v in rec.items()} for rec in evolution.logbook],
        "random_state": [version, list(state), gauss],
    }
    write_json_atomic(folder / f"{stem}.json", meta)
    prune(folder, keep)
    log.info("checkpoint %s", folder / stem)
    return folder / f"{stem}.json"


def checkpoint_files(folder: Path) -> list[Path]:
    """Checkpoint JSON files, newest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if NAME.match(p.name)]
    return sorted(found, key=lambda p: int(NAME.match(p.name).group(1)), reverse=True)


def prune(folder: Path, keep: int) -> None:
    """Remove all but the newest ``keep`` checkpoints."""
    for meta in checkpoint_files(folder)[keep:]:
        meta.unlink(missing_ok=True)
        meta.with_suffix(".npz").unlink(missing_ok=True)


def read_checkpoint(meta_path: Path) -> Checkpoint:
    """Load and verify one checkpoint; MesaevoError naming the file if it is unusable."""
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MesaevoError(f"checkpoint {meta_path} is unreadable: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise MesaevoError(f"checkpoint {meta_path} has format {meta.get('format') if isinstance(meta, dict) else '?'}"
                           f", this version reads format {FORMAT}")
    npz = meta_path.with_suffix(".npz")
    if not npz.is_file():
        raise MesaevoError(f"checkpoint {npz} is missing")
    if sha256(npz) != meta.get("npz_sha256"):
        raise MesaevoError(f"checkpoint {npz} does not match its checksum (corrupt or truncated)")
    try:
        with np.load(npz, allow_pickle=False) as data:
            arrays = {k: data[k] for k in ("genomes", "fitness", "hof_genomes", "hof_fitness")}
        return Checkpoint(int(meta["generation"]), logbook=list(meta["logbook"]),
                          random_state=list(meta["random_state"]), **arrays)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MesaevoError(f"checkpoint {npz} is unreadable: {exc}") from None


def latest_checkpoint(run_dir: Path) -> Checkpoint | None:
    """The newest usable checkpoint, falling back past bad ones (each logged); None if there are none at all."""
    if not checkpoint_files(Path(run_dir) / DIRNAME):
        return None
    problems = []
    for meta in checkpoint_files(Path(run_dir) / DIRNAME):
        try:
            return read_checkpoint(meta)
        except MesaevoError as exc:
            log.warning("skipping %s", exc)
            problems.append(str(exc))
    raise MesaevoError(f"no usable checkpoint in {Path(run_dir) / DIRNAME} ({'; '.join(problems)})")


def restore(evolution, ckpt: Checkpoint) -> None:
    """Put a checkpoint's state into a freshly built Evolution of the same config."""
    if ckpt.genomes.shape != (evolution.config.agents.population, evolution.layout.size):
        raise MesaevoError(f"checkpoint population has shape {ckpt.genomes.shape}, the run's config expects "
                           f"({evolution.config.agents.population}, {evolution.layout.size})")

    def individuals(genomes: np.ndarray, fitness: np.ndarray) -> list[Individual]:
        out = []
        for g, f in zip(genomes, fitness):
            ind = Individual(g)
            if not np.isnan(f):
                ind.fitness.values = (float(f),)
            out.append(ind)
        return out

    evolution.population = individuals(ckpt.genomes, ckpt.fitness)
    evolution.hall_of_fame.clear()
    for ind in individuals(ckpt.hof_genomes, ckpt.hof_fitness):
        evolution.hall_of_fame.insert(ind)
    evolution.logbook.clear()
    for rec in ckpt.logbook:
        evolution.logbook.record(**rec)
    version, state, gauss = ckpt.random_state
    random.setstate((version, tuple(state), gauss))
    evolution.generation = ckpt.generation
