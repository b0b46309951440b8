"""Checkpoints: everything needed to continue a run exactly, stored without pickle.

A checkpoint is ``checkpoints/ckpt-NNNNNN.npz`` (population genomes and fitness,
Hall of Fame, and the generation again as a scalar array) plus
``ckpt-NNNNNN.json`` (format, generation, Logbook and the SHA-256 of the
``.npz``). NNNNNN is the next generation to run. Both files are written to
temporary names and renamed; the JSON goes last, so a checkpoint without its
JSON never counts.

No generator state is stored: the GA's ``random.Random`` is made afresh each
generation from (root seed, "ga", generation) (see ``Evolution.select``), every
other random stream is derived from (root seed, generation), and the world is
rebuilt each generation, so nothing is carried between generations. The JSON's
``random_state`` key is kept as ``null`` for the format's sake and ignored.

Loading trusts nothing: the files must be regular and of plausible size, the
JSON shallow, the generation the same in the file name, the JSON, the arrays and
the Logbook's length, the arrays float64 of the run's shapes, finite (fitness
NaN where not valid), and genomes inside the genome bounds. A checkpoint that
fails any check is skipped for the previous one; none usable is a clear error.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agents.errors import MesaevoError
from evo.ga import Individual, genome_array, individuals
from evo.paths import read_json, regular_file, safe_subdir
from evo.recorder import write_atomic, write_json_atomic
from analysis.run_files import CHECKPOINT_DIR as DIRNAME
from analysis.run_files import CHECKPOINT_RE as NAME
from analysis.run_files import checkpoint_stem

log = logging.getLogger(__name__)

FORMAT = 1


@dataclass
class Checkpoint:
    """The contents of one checkpoint."""

    generation: int
    genomes: np.ndarray
    fitness: np.ndarray  # NaN where an individual's fitness is not valid
    hof_genomes: np.ndarray
    hof_fitness: np.ndarray
    logbook: list[dict[str, Any]]
    random_state: Any = None  # always None: no generator state is carried between generations
    tables: Any = None  # the digests of the rows before the checkpoint (``evo.table_digest``); None: not recorded


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fitness(individuals: list[Individual]) -> np.ndarray:
    return np.array([ind.fitness.values[0] if ind.fitness.valid else np.nan for ind in individuals], dtype=np.float64)


def write_checkpoint(run_dir: Path, evolution, keep: int, tables: dict[str, Any] | None = None) -> Path:
    """Save ``evolution``'s state under ``run_dir/checkpoints``; keep the newest ``keep``. ``tables``: the
    digests of the rows written so far (``evo.table_digest.tables_record``), checked on resume."""
    folder = safe_subdir(run_dir, DIRNAME)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise MesaevoError(f"cannot create {folder}: {exc.strerror or exc}") from None
    stem = checkpoint_stem(evolution.generation)
    npz = folder / f"{stem}.npz"
    hof = list(evolution.hall_of_fame)
    arrays = {
        "genomes": evolution.genomes,
        "fitness": evolution.fitness,
        "hof_genomes": genome_array(hof) if hof else np.zeros((0, evolution.layout.size)),
        "hof_fitness": _fitness(hof),
        "generation": np.array(evolution.generation, dtype=np.int64),
    }

    def save(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)

    write_atomic(npz, save)
    meta = {
        "format": FORMAT,
        "generation": evolution.generation,
        "npz_sha256": sha256(npz),
        "logbook": [{k: float(v) if k != "gen" else int(v) for k, v in rec.items()} for rec in evolution.logbook],
        "random_state": None,
        "gene_names": evolution.layout.gene_names(),
        **({"tables": tables} if tables is not None else {}),
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


ARRAYS = ("genomes", "fitness", "hof_genomes", "hof_fitness", "generation")


def read_checkpoint(meta_path: Path, max_npz_bytes: int | None = None) -> Checkpoint:
    """Load and verify one checkpoint's files; MesaevoError naming the file if it is unusable."""
    meta = read_json(meta_path, "checkpoint")
    if meta.get("format") != FORMAT:
        raise MesaevoError(f"checkpoint {meta_path} has format {meta.get('format')!r}, this version reads format {FORMAT}")
    generation = meta.get("generation")
    if type(generation) is not int or generation < 0:
        raise MesaevoError(f"checkpoint {meta_path}: generation {generation!r} is not a non-negative integer")
    if int(NAME.match(meta_path.name).group(1)) != generation:
        raise MesaevoError(f"checkpoint {meta_path} says generation {generation}, its name another")
    npz = meta_path.with_suffix(".npz")
    regular_file(npz, "checkpoint", max_npz_bytes)
    if sha256(npz) != meta.get("npz_sha256"):
        raise MesaevoError(f"checkpoint {npz} does not match its checksum (corrupt or truncated)")
    try:
        with np.load(npz, allow_pickle=False) as data:
            missing = [k for k in ARRAYS if k not in data.files and k != "generation"]
            if missing:
                raise MesaevoError(f"checkpoint {npz} lacks {', '.join(missing)}")
            # checkpoints written before the arrays carried their generation: the name, the JSON
            # and the Logbook's length still have to agree
            arrays = {k: data[k] if k in data.files else np.array(generation, dtype=np.int64) for k in ARRAYS}
    except MesaevoError:
        raise
    except Exception as exc:  # zipfile, pickle refusal, bad headers: all mean an unusable file
        raise MesaevoError(f"checkpoint {npz} is unreadable: {type(exc).__name__}: {exc}") from None
    stored = arrays.pop("generation")
    if stored.shape != () or stored.dtype.kind not in "iu" or int(stored) != generation:
        raise MesaevoError(f"checkpoint {meta_path} says generation {generation}, its arrays {stored!r}")
    logbook = meta.get("logbook")
    if not isinstance(logbook, list) or not all(isinstance(r, dict) for r in logbook):
        raise MesaevoError(f"checkpoint {meta_path}: logbook is not a list of records")
    return Checkpoint(generation, logbook=logbook, random_state=None, tables=meta.get("tables"), **arrays)


def _check(ok: bool, ckpt_name: str, what: str) -> None:
    if not ok:
        raise MesaevoError(f"checkpoint {ckpt_name}: {what}")


def validate_checkpoint(ckpt: Checkpoint, config, layout, name: str = "") -> None:
    """Check a checkpoint's arrays and Logbook against the run's config and genome layout."""
    n, size = config.agents.population, layout.size
    low, high = layout.bounds()
    for key in ("genomes", "fitness", "hof_genomes", "hof_fitness"):
        arr = getattr(ckpt, key)
        _check(isinstance(arr, np.ndarray) and arr.dtype == np.float64, name, f"{key} has dtype "
               f"{getattr(arr, 'dtype', type(arr).__name__)}, expected float64")
    _check(ckpt.genomes.shape == (n, size), name,
           f"population has shape {ckpt.genomes.shape}, the run's config expects ({n}, {size})")
    _check(ckpt.fitness.shape == (n,), name, f"fitness has shape {ckpt.fitness.shape}, expected ({n},)")
    h = ckpt.hof_genomes.shape[0] if ckpt.hof_genomes.ndim == 2 else -1
    _check(ckpt.hof_genomes.ndim == 2 and ckpt.hof_genomes.shape[1] == size and 0 <= h <= config.evolution.hall_of_fame,
           name, f"hall of fame has shape {ckpt.hof_genomes.shape}")
    _check(ckpt.hof_fitness.shape == (h,), name, f"hall-of-fame fitness has shape {ckpt.hof_fitness.shape}")
    for key in ("genomes", "hof_genomes"):
        g = getattr(ckpt, key)
        _check(bool(np.isfinite(g).all()), name, f"{key} holds non-finite values")
        _check(bool(((g >= low) & (g <= high)).all()), name, f"{key} lie outside the genome bounds")
    _check(not np.isinf(ckpt.fitness).any() and not (ckpt.fitness < 0).any(), name,
           "fitness holds infinite or negative values")
    _check(bool(np.isfinite(ckpt.hof_fitness).all()) and not (ckpt.hof_fitness < 0).any(), name,
           "hall-of-fame fitness is not finite and non-negative")
    _check(len(ckpt.logbook) == ckpt.generation, name,
           f"logbook has {len(ckpt.logbook)} records for generation {ckpt.generation}")
    for i, rec in enumerate(ckpt.logbook):
        _check(set(rec) == {"gen", "mean", "std", "max"} and type(rec["gen"]) is int and rec["gen"] == i
               and all(isinstance(rec[k], (int, float)) and not isinstance(rec[k], bool) and np.isfinite(rec[k])
                       for k in ("mean", "std", "max")), name, f"logbook record {i} is malformed")


def _max_npz_bytes(config, layout) -> int:
    """A generous upper bound on a checkpoint's size for this config (refuses planted giant files)."""
    values = (config.agents.population + config.evolution.hall_of_fame) * (layout.size + 1) + 1
    return 16 * 8 * values + (1 << 20)


def latest_checkpoint(run_dir: Path, config=None, layout=None) -> Checkpoint | None:
    """The newest usable checkpoint, falling back past bad ones (each logged); None if there are none at all.

    With ``config`` and ``layout`` every checkpoint is also validated against them."""
    folder = safe_subdir(run_dir, DIRNAME)
    files = checkpoint_files(folder)
    if not files:
        return None
    limit = _max_npz_bytes(config, layout) if config is not None and layout is not None else None
    problems = []
    for meta in files:
        try:
            ckpt = read_checkpoint(meta, limit)
            if config is not None and layout is not None:
                validate_checkpoint(ckpt, config, layout, str(meta))
            return ckpt
        except MesaevoError as exc:
            log.warning("skipping %s", exc)
            problems.append(str(exc))
    raise MesaevoError(f"no usable checkpoint in {folder} ({'; '.join(problems)})")


def restore(evolution, ckpt: Checkpoint) -> None:
    """Put a checkpoint's state into a freshly built Evolution of the same config."""
    validate_checkpoint(ckpt, evolution.config, evolution.layout)
    evolution.genomes, evolution.fitness = ckpt.genomes.copy(), ckpt.fitness.copy()
    evolution.hall_of_fame.clear()
    for ind in individuals(ckpt.hof_genomes, ckpt.hof_fitness):
        evolution.hall_of_fame.insert(ind)
    evolution.logbook.clear()
    for rec in ckpt.logbook:
        evolution.logbook.record(**rec)
    evolution.generation = ckpt.generation
