"""Sweeps: many runs (settings x seeds) of one base scenario, each in its own run directory.

A sweep file is TOML::

    name = "sugar-timing"        # optional; default: the file's stem
    base = "sugar"               # built-in scenario or a config path (relative to the sweep file)
    seeds = [1, 2, 3]            # or seeds = 3 for seeds 0, 1, 2
    generations = 100            # optional: run.generations for every run

    [set]                        # overrides applied to every run
    "agents.population" = 200

    [grid]                       # every combination of these values
    "shifts.0.generation" = [50, 100]

    [[cases]]                    # and/or a list of override sets (crossed with the grid)
    "world.sugar_taste" = 2.0

Keys may be dotted strings or nested tables (``[grid.world] width = [16, 32]``).
Every problem (unknown keys, bad values, every run's config) is reported before
any run starts. The sweep directory holds ``sweep.json`` (the sweep manifest:
every run's id, overrides, seed, directory, status and error) and
``runs/<run id>/``, ordinary run directories. Each run's seed is taken from the
seed list, never from the worker that runs it, so a sweep's runs equal the same
runs made one by one with ``Simulation.from_scenario``.

Runs execute through ``evo.executor``: a LocalCluster of single-threaded worker
processes by default, or an existing cluster given its scheduler address (the
sweep directory must then be on a file system the workers share). Each run is
``task`` (``evo.simulation.run_one``), passed in by the caller, so that this
module never imports the simulation that ``Simulation.sweep`` drives through it.

Hardening: a sweep's ``name`` must be a plain directory name; the number of runs
(grid lengths x cases x seeds, computed before any combination is built) and of
seeds are capped; every setting passes ``evo.preflight``. On resume nothing read
from ``sweep.json`` is trusted: every run's directory must be ``runs/<id>`` and
resolve inside the sweep directory (``runs/`` or a run directory that is a
symlink leading out is refused), and nothing outside the sweep is ever deleted.
A scheduler address is checked for its form and an unreachable one reported
within ``evo.executor.CONNECT_TIMEOUT_S``. SIGINT or SIGTERM mark ``sweep.json``
'interrupted'.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pydantic import Field, ValidationError

from evo.config import MAX_UNKNOWN, read_toml, suggest
from evo import preflight
from agents.errors import MesaevoError
from agents.schema import Section
from evo.executor import RunTask, Task, check_scheduler, run_batch, warm_kernels
from evo.interrupt import RunInterrupted
from evo.paths import confined, inside, plain_name, read_json, safe_subdir
from evo.recorder import MANIFEST, now, write_json_atomic
from evo.scenarios import load_config
from analysis.run_files import RUNS_DIR, SWEEP_MANIFEST

log = logging.getLogger(__name__)

FORMAT = 1
MAX_RUNS = 10_000
MAX_SEEDS = 10_000
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class SweepFile(Section):
    """The schema of a sweep file (frozen, unknown keys and non-finite numbers refused, like a config)."""

    name: str = ""
    base: str
    seeds: int | list[int] = Field(1)
    generations: int | None = Field(None, ge=1)
    set: dict[str, Any] = {}
    grid: dict[str, Any] = {}
    cases: list[dict[str, Any]] = []


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep."""

    run_id: str
    setting: int
    overrides: dict[str, Any]  # the setting's overrides (grid and case), without the common [set]
    seed: int


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: its base, common overrides and every run."""

    name: str
    base: str
    common: dict[str, Any]
    generations: int | None
    runs: tuple[RunSpec, ...]
    source: dict[str, Any] = field(default_factory=dict)

    def overrides(self, run: RunSpec) -> dict[str, Any]:
        """Every override of ``run`` except seed and generations (those go to ``from_scenario``)."""
        return {**self.common, **run.overrides}


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables to dotted keys: ``{"world": {"width": 3}}`` -> ``{"world.width": 3}``."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _schema_errors(data: dict[str, Any]) -> list[str]:
    valid = list(SweepFile.model_fields)
    unknown = [k for k in data if k not in valid]
    errors = [f"unknown key '{k}'{suggest(k, valid)}" for k in unknown[:MAX_UNKNOWN]]
    errors += [f"... and {len(unknown) - MAX_UNKNOWN} more unknown keys"] if len(unknown) > MAX_UNKNOWN else []
    if errors:
        return errors
    try:
        SweepFile.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            errors.append(f"{where}: {err['msg']}")
    return errors


def check_name(name: str) -> str:
    """A sweep name is a plain directory name (``evo.paths.plain_name``)."""
    return plain_name(name, "sweep name")


def _count_errors(spec: SweepFile) -> list[str]:
    """The number of runs from the lengths alone, before any combination is built."""
    if isinstance(spec.seeds, int):
        n_seeds = spec.seeds
    else:
        n_seeds = len(spec.seeds)
    if n_seeds > MAX_SEEDS:
        return [f"seeds: {n_seeds} seeds, more than the limit of {MAX_SEEDS}"]
    lengths = [len(v) if isinstance(v, list) else 1 for v in flatten(spec.grid).values()]
    runs = math.prod(lengths) * max(1, len(spec.cases)) * max(1, n_seeds)
    if runs > MAX_RUNS:
        return [f"the sweep has {runs} runs (grid x cases x seeds), more than the limit of {MAX_RUNS}"]
    return []


def build_sweep(data: dict[str, Any], source: str = "sweep", root: Path | None = None,
                default_name: str = "sweep", max_memory_gib: float | None = None) -> Sweep:
    """Validate a sweep mapping and every run's config; raise MesaevoError listing every problem."""
    errors = _schema_errors(data)
    if errors:
        raise MesaevoError(f"invalid {source}:\n  " + "\n  ".join(errors))
    spec = SweepFile.model_validate(data)
    errors = _count_errors(spec)
    try:
        check_name(spec.name or default_name)
    except MesaevoError as exc:
        errors.append(str(exc))
    if errors:
        raise MesaevoError(f"invalid {source}:\n  " + "\n  ".join(errors))
    base = spec.base
    if root is not None and (base.endswith(".toml") or (root / base).exists()):
        base = str((root / base).resolve())
    seeds = list(range(spec.seeds)) if isinstance(spec.seeds, int) else list(spec.seeds)
    if not seeds:
        errors.append("seeds: at least one seed is needed")
    if len(set(seeds)) != len(seeds):
        errors.append(f"seeds: repeated seeds {seeds}")
    if any(not 0 <= seed < 2**63 for seed in seeds):
        errors.append("seeds: every seed must be in [0, 2**63)")
    grid = flatten(spec.grid)
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            errors.append(f"grid.{key}: expected a non-empty list of values (got {values!r})")
    common = flatten(spec.set)
    for key in ("run.seed", "run.generations"):
        if key in common or key in grid or any(key in flatten(c) for c in spec.cases):
            errors.append(f"'{key}' cannot be swept with overrides; use the sweep's "
                          f"'{'seeds' if key == 'run.seed' else 'generations'}' key")
    if errors:
        raise MesaevoError(f"invalid {source}:\n  " + "\n  ".join(errors))
    combos = [dict(zip(grid, values)) for values in itertools.product(*grid.values())] or [{}]
    cases = [flatten(c) for c in spec.cases] or [{}]
    settings = [{**g, **c} for g in combos for c in cases]
    runs = tuple(RunSpec(f"s{i:03d}-seed{seed}", i, setting, seed)
                 for i, setting in enumerate(settings) for seed in seeds)
    sweep = Sweep(spec.name or default_name, base, common, spec.generations, runs, data)
    for i, setting in enumerate(settings):  # every run's config, before any work
        try:
            _, config = load_config(base, _all_overrides(sweep, RunSpec("", i, setting, seeds[0])))
            preflight.check(config, max_memory_gib)
        except MesaevoError as exc:
            errors.append(f"setting {i} {setting}: {exc}")
    if errors:
        raise MesaevoError(f"invalid {source}:\n  " + "\n  ".join(errors))
    return sweep


def _all_overrides(sweep: Sweep, run: RunSpec) -> dict[str, Any]:
    extra = {"run.seed": run.seed}
    if sweep.generations is not None:
        extra["run.generations"] = sweep.generations
    return {**sweep.overrides(run), **extra}


def load_sweep_file(path: str | Path, max_memory_gib: float | None = None) -> Sweep:
    """Read and validate a sweep file."""
    path = Path(path)
    if not path.is_file():
        raise MesaevoError(f"sweep file {path} does not exist")
    return build_sweep(read_toml(path), source=f"sweep file {path}", root=path.parent, default_name=path.stem,
                       max_memory_gib=max_memory_gib)


# --------------------------------------------------------------------------- the driver


def _entries(sweep: Sweep) -> list[dict[str, Any]]:
    return [{"id": r.run_id, "setting": r.setting, "overrides": r.overrides, "seed": r.seed,
             "dir": f"{RUNS_DIR}/{r.run_id}", "status": "pending", "error": None} for r in sweep.runs]


def _check_entries(out: Path, existing: dict[str, Any]) -> None:
    """Every run directory named in an existing sweep.json must be ``runs/<id>`` inside the sweep."""
    runs = existing.get("runs")
    if not isinstance(runs, list) or not all(isinstance(e, dict) for e in runs):
        raise MesaevoError(f"{out / SWEEP_MANIFEST} is malformed: 'runs' is not a list of run entries")
    safe_subdir(out, RUNS_DIR)
    for entry in runs:
        run_id = entry.get("id")
        if not isinstance(run_id, str) or not NAME_RE.match(run_id):
            raise MesaevoError(f"{out / SWEEP_MANIFEST}: run id {run_id!r} is not a plain name")
        target = confined(out, entry.get("dir"), f"{out / SWEEP_MANIFEST} run {run_id} directory")
        if entry.get("dir") != f"{RUNS_DIR}/{run_id}":
            raise MesaevoError(f"{out / SWEEP_MANIFEST}: run {run_id} has directory {entry.get('dir')!r}, "
                               f"expected '{RUNS_DIR}/{run_id}'")
        if target.is_symlink() and not inside(target, out / RUNS_DIR):
            raise MesaevoError(f"{target} is a symlink leading out of the sweep directory {out}")


def open_sweep_dir(sweep: Sweep, out: Path) -> dict[str, Any]:
    """Create the sweep directory, or reopen it when it holds this same sweep (to resume)."""
    entries = _entries(sweep)
    if os.path.lexists(out / SWEEP_MANIFEST):
        existing = read_json(out / SWEEP_MANIFEST, "sweep manifest")
    else:
        existing = None
    if existing is None:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise MesaevoError(f"{out} exists and holds no sweep; choose another --out")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MesaevoError(f"cannot create sweep directory {out}: {exc.strerror or exc}") from None
        return {"format": FORMAT, "name": sweep.name, "base": sweep.base, "set": sweep.common,
                "generations": sweep.generations, "status": "running", "started": now(), "finished": None,
                "runs": entries}
    _check_entries(out, existing)
    old = [(e.get("id"), e.get("overrides"), e.get("seed")) for e in existing["runs"]]
    new = [(e["id"], json.loads(json.dumps(e["overrides"])), e["seed"]) for e in entries]
    if (old != new or existing.get("base") != sweep.base or existing.get("generations") != sweep.generations
            or existing.get("set") != json.loads(json.dumps(sweep.common))):
        raise MesaevoError(f"{out} holds a different sweep ({existing.get('name')!r}); choose another --out")
    for entry in existing["runs"]:
        if entry.get("status") not in ("pending", "running", "completed", "failed", "interrupted"):
            entry["status"] = "pending"
    existing.update(status="running", finished=None)
    return existing


def run_sweep(sweep: Sweep, out: str | Path, task: RunTask, *, workers: int | None = None,
              scheduler: str | None = None, client: Any = None,
              on_result: Callable[[dict[str, Any]], None] | None = None,
              max_memory_gib: float | None = None, skip_completed: bool = True,
              on_skip: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Run every run of ``sweep`` not yet completed under ``out`` with ``task`` (``evo.simulation.run_one``
    or any function of the same signature); return the sweep manifest.

    ``skip_completed`` (default): an ``out`` that already holds this sweep (a script run again,
    a stopped sweep) keeps its completed runs and runs the rest; ``on_skip(n)`` is told how many
    were kept. ``skip_completed=False`` refuses an ``out`` holding completed runs (nothing is
    deleted: choose another ``out``).

    ``client``: an existing ``distributed.Client`` (or any executor with ``submit``);
    otherwise ``scheduler`` (an address) connects to a running cluster, or a
    LocalCluster of ``workers`` processes (default: the number of cores) is started
    and closed again (``evo.executor``).
    """
    out = Path(out)
    check_name(sweep.name)
    if scheduler:
        check_scheduler(scheduler)
    manifest = open_sweep_dir(sweep, out)
    done = sum(e["status"] == "completed" for e in manifest["runs"])
    if done and not skip_completed:
        raise MesaevoError(f"{out} already holds {done} completed runs of this sweep; keep them and run the rest "
                           "with skip_completed=True, or choose another out")
    if done:
        log.info("%s: %d of %d runs already completed, skipped", out, done, len(manifest["runs"]))
        if on_skip is not None:
            on_skip(done)
    tasks = []
    for entry, run in zip(manifest["runs"], sweep.runs):
        if entry["status"] == "completed":
            continue
        run_dir = confined(out, f"{RUNS_DIR}/{run.run_id}", f"run {run.run_id} directory")
        tasks.append(Task(entry, task, (sweep.base, sweep.overrides(run), run.seed, sweep.generations,
                                        str(run_dir.resolve()), max_memory_gib)))
    if tasks:
        safe_subdir(out, RUNS_DIR).mkdir(exist_ok=True)
    return run_batch(manifest, out / SWEEP_MANIFEST, tasks, client=client, scheduler=scheduler, workers=workers,
                     warm=lambda: warm_kernels(sweep.base, _all_overrides(sweep, sweep.runs[0])),
                     on_result=on_result)
