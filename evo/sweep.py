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

Runs execute on a ``dask.distributed`` cluster: a LocalCluster of worker
processes by default, or an existing cluster given its scheduler address (the
sweep directory must then be on a file system the workers share). Numba threads
per task are capped so that workers x threads fit the cores.

Hardening: a sweep's ``name`` must be a plain directory name; the number of runs
(grid lengths x cases x seeds, computed before any combination is built) and of
seeds are capped; every setting passes ``evo.preflight``. On resume nothing read
from ``sweep.json`` is trusted: every run's directory must be ``runs/<id>`` and
resolve inside the sweep directory (``runs/`` or a run directory that is a
symlink leading out is refused), and nothing outside the sweep is ever deleted.
A scheduler address is checked for its form and an unreachable one reported
within ``CONNECT_TIMEOUT_S``. SIGINT or SIGTERM mark ``sweep.json`` 'interrupted'.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import os
import re
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from pydantic import Field, ValidationError

from evo.config import MAX_UNKNOWN, read_toml, suggest
from evo import preflight
from agents.errors import MesaevoError
from agents.schema import Section
from evo.interrupt import RunInterrupted
from evo.paths import confined, inside, plain_name, read_json, safe_subdir
from evo.recorder import MANIFEST, now, write_json_atomic
from evo.scenarios import load_config
from analysis.run_files import SWEEP_MANIFEST

log = logging.getLogger(__name__)

RUNS_DIR = "runs"
FORMAT = 1
MAX_RUNS = 10_000
MAX_SEEDS = 10_000
CONNECT_TIMEOUT_S = 5
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
ADDRESS_RE = re.compile(r"^(?:(?:tcp|tls)://)?(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$")


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


# --------------------------------------------------------------------------- the task


def run_one(base: str, overrides: dict[str, Any], seed: int, generations: int | None, run_dir: str,
            threads: int | dict[str, int] | None = None, max_memory_gib: float | None = None) -> dict[str, Any]:
    """Run (or finish) one run of a sweep in ``run_dir``; executed on a worker.

    ``threads``: numba threads for this task, or a mapping host -> task slots on that
    host (the worker then takes its host's cores divided by the slots).

    A completed run is left alone; a run directory with a manifest resumes from its
    newest checkpoint; otherwise the run starts (a directory left by a run killed
    before its first manifest is restarted; nothing else is ever deleted). Never
    raises for a failing run: returns ``{"status": "failed", "error": ...}``, and
    the run's own manifest, when it has one, says 'failed' too.
    """
    import numba

    from evo.simulation import Simulation

    if isinstance(threads, dict):  # task slots per host: share this host's cores among them
        threads = max(1, (os.cpu_count() or 1) // threads.get(_worker_host(), 1))
    if threads:
        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    path = Path(run_dir)
    try:
        manifest = _read_json(path / MANIFEST)
        if manifest is not None and manifest.get("status") == "completed":
            return {"status": "completed", "error": None, "generations_done": manifest.get("generations_done")}
        if os.path.lexists(path / MANIFEST):
            sim = Simulation.resume(path, max_memory_gib=max_memory_gib)
        else:
            sim = Simulation.from_scenario(base, overrides, seed=seed, generations=generations, out=path,
                                           max_memory_gib=max_memory_gib)
        for _ in sim.iterate():
            pass
        return {"status": "completed", "error": None, "generations_done": sim.generation}
    except Exception as exc:  # a failing run must not stop the sweep
        log.warning("run %s failed: %s", run_dir, exc)
        return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}


def _worker_host() -> str:
    try:
        from distributed import get_worker

        return _host(get_worker().address)
    except (ImportError, ValueError):
        return ""


def _host(address: str) -> str:
    return address.rsplit("://", 1)[-1].rsplit(":", 1)[0]


def _read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from a regular file, or None when there is none (checked: no FIFO, no huge or deep file)."""
    if not os.path.lexists(path):
        return None
    try:
        return read_json(path)
    except MesaevoError:
        return None


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


def check_scheduler(address: str) -> str:
    """A Dask scheduler address: ``tcp://host:port`` or ``host:port`` (also ``tls://``)."""
    m = ADDRESS_RE.match(address or "")
    if not m or not 0 < int(m.group(1)) < 65536:
        raise MesaevoError(f"--scheduler {address!r} is not a scheduler address; use tcp://HOST:PORT or HOST:PORT")
    return address


def connect(address: str, timeout: float = CONNECT_TIMEOUT_S) -> Any:
    """A ``distributed.Client`` for ``address``, or MesaevoError naming it within about ``timeout`` seconds."""
    from distributed import Client

    check_scheduler(address)
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise MesaevoError(f"cannot connect to scheduler at {address}: nothing answered within {timeout:g} s "
                           f"({type(exc).__name__}); is the Dask scheduler running?") from None
    except MemoryError:  # a length read from another protocol's bytes ("Unable to allocate 3.07 EiB")
        raise MesaevoError(f"cannot connect to scheduler at {address}: what answers there is not a Dask "
                           "scheduler (its reply reads as an impossible message size); check the address "
                           "and port") from None
    except Exception as exc:  # something answered, but not in Dask's protocol (a garbled frame length, ...)
        raise MesaevoError(f"cannot connect to scheduler at {address}: what answers there is not a Dask "
                           f"scheduler ({type(exc).__name__}); check the address and port") from None


class _TermAsInterrupt:
    """While a sweep drives (main thread only), SIGTERM raises RunInterrupted so sweep.json gets marked."""

    def __enter__(self) -> "_TermAsInterrupt":
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.getsignal(signal.SIGTERM)
            signal.signal(signal.SIGTERM, self._raise)
        return self

    @staticmethod
    def _raise(signum: int, frame) -> None:
        raise RunInterrupted("sweep stopped by SIGTERM; its sweep.json is marked 'interrupted'; run the same sweep "
                             "into the same directory to continue it", signum)

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def default_threads(workers: int) -> int:
    """Numba threads per worker so that workers x threads <= cores."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def open_client(client: Any, scheduler: str | None, workers: int | None,
                warm: Callable[[], None]) -> tuple[Any, list[Any], int | dict[str, int]]:
    """The executor for a batch of runs (sweep or experiment), the objects to close after it, and the
    numba threads per run.

    ``client`` given: used as it is. ``scheduler``: connected to. Otherwise a LocalCluster of ``workers``
    single-threaded processes (default: the cores) is started, after ``warm()`` compiled the kernels once
    in the driver; each run then gets cores / workers threads. With any other executor each run shares
    its host's cores among that host's task slots (``run_one``).
    """
    if client is not None:
        return client, [], _slots_per_host(client)
    if scheduler:
        client = connect(scheduler)
        return client, [client], _slots_per_host(client)
    from distributed import Client, LocalCluster

    workers = workers or os.cpu_count() or 1
    warm()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = Client(cluster)
    return client, [client, cluster], default_threads(workers)


def warm_kernels(sweep: Sweep) -> None:
    """Compile this sweep's kernels once in the driver (one generation of its first run), so
    local workers load them from numba's disk cache instead of all compiling into it at once."""
    from evo.loop import Evolution

    first = {**sweep.overrides(sweep.runs[0]), "run.seed": sweep.runs[0].seed}
    if sweep.generations is not None:
        first["run.generations"] = sweep.generations
    _, config = load_config(sweep.base, first)
    Evolution(config).step()


def run_sweep(sweep: Sweep, out: str | Path, *, workers: int | None = None, scheduler: str | None = None,
              client: Any = None, threads: int | None = None,
              on_result: Callable[[dict[str, Any]], None] | None = None,
              max_memory_gib: float | None = None, skip_completed: bool = True,
              on_skip: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Run every run of ``sweep`` not yet completed under ``out``; return the sweep manifest.

    ``skip_completed`` (default): an ``out`` that already holds this sweep (a script run again,
    a stopped sweep) keeps its completed runs and runs the rest; ``on_skip(n)`` is told how many
    were kept. ``skip_completed=False`` refuses an ``out`` holding completed runs (nothing is
    deleted: choose another ``out``).

    ``client``: an existing ``distributed.Client`` (or any executor with ``submit``);
    otherwise ``scheduler`` (an address) connects to a running cluster, or a
    LocalCluster of ``workers`` processes (default: the number of cores) is started
    and closed again.
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
    write_json_atomic(out / SWEEP_MANIFEST, manifest)
    todo = [(e, r) for e, r in zip(manifest["runs"], sweep.runs) if e["status"] != "completed"]
    if done:
        log.info("%s: %d of %d runs already completed, skipped", out, done, len(manifest["runs"]))
        if on_skip is not None:
            on_skip(done)
    owned: list[Any] = []
    try:
        if todo:
            client, owned, slots = open_client(client, scheduler, workers, lambda: warm_kernels(sweep))
            threads = slots if threads is None else threads
            with _TermAsInterrupt():
                _execute(client, sweep, out, manifest, todo, threads, on_result, max_memory_gib)
    except BaseException as exc:
        mark_stopped(manifest, out / SWEEP_MANIFEST, exc)
        raise
    finally:
        for obj in owned:
            obj.close()
    mark_finished(manifest, out / SWEEP_MANIFEST)
    return manifest


def mark_stopped(manifest: dict[str, Any], path: Path, exc: BaseException) -> None:
    """Write a sweep-like manifest (sweep, experiment) stopped by ``exc``: 'interrupted' on Ctrl-C or a
    stop signal, else 'failed' with the error; runs still running become 'interrupted'."""
    stopped = isinstance(exc, (KeyboardInterrupt, RunInterrupted))
    manifest.update(status="interrupted" if stopped else "failed", finished=now())
    if not stopped:
        manifest["error"] = f"{type(exc).__name__}: {exc}"
    for entry in manifest["runs"]:
        if entry["status"] == "running":
            entry["status"] = "interrupted"
    write_json_atomic(path, manifest)


def mark_finished(manifest: dict[str, Any], path: Path) -> None:
    """Write a sweep-like manifest whose runs all ended: 'completed' unless one of them did not."""
    failed = [e for e in manifest["runs"] if e["status"] != "completed"]
    manifest.update(status="failed" if failed else "completed", finished=now())
    write_json_atomic(path, manifest)


def _slots_per_host(client: Any) -> dict[str, int] | int:
    """Task slots (worker threads) per host of a running Dask cluster; 1 thread for other executors."""
    if not _is_dask(client):
        return 1
    slots: dict[str, int] = {}
    for address, info in client.scheduler_info()["workers"].items():
        host = _host(address)
        slots[host] = slots.get(host, 0) + int(info.get("nthreads", 1))
    return slots


def _execute(client: Any, sweep: Sweep, out: Path, manifest: dict[str, Any], todo: list, threads: int,
             on_result: Callable[[dict[str, Any]], None] | None, max_memory_gib: float | None = None) -> None:
    futures = {}
    runs_dir = safe_subdir(out, RUNS_DIR)
    runs_dir.mkdir(exist_ok=True)
    for entry, run in todo:
        run_dir = confined(out, f"{RUNS_DIR}/{run.run_id}", f"run {run.run_id} directory")
        args = (run_one, sweep.base, sweep.overrides(run), run.seed, sweep.generations,
                str(run_dir.resolve()), threads, max_memory_gib)
        fut = client.submit(*args, pure=False) if _is_dask(client) else client.submit(*args)
        futures[fut] = entry
        entry.update(status="running", error=None)
    write_json_atomic(out / SWEEP_MANIFEST, manifest)
    for fut in _as_completed(client, list(futures)):
        entry = futures[fut]
        try:
            result = fut.result()
        except Exception as exc:  # the worker died or the task could not run
            result = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
        entry.update(status=result["status"], error=result.get("error"))
        write_json_atomic(out / SWEEP_MANIFEST, manifest)
        if on_result is not None:
            on_result(entry)


def _is_dask(client: Any) -> bool:
    return type(client).__module__.startswith("distributed")


#: Seconds the driver waits for a run before it looks at pending stop signals again.
WAKE_SECONDS = 0.5


def _as_completed(client: Any, futures: list) -> Iterator[Any]:
    """Yield the futures as they complete, the driver waking every ``WAKE_SECONDS`` (distributed's
    ``as_completed`` wakes every 0.1 s itself): a stop signal that the kernel delivered to another thread
    only sets a flag that the main thread acts on when it runs Python again, which a wait without a
    timeout never does (a sweep would not stop)."""
    if _is_dask(client):
        from distributed import as_completed

        yield from as_completed(futures)
        return
    from concurrent.futures import FIRST_COMPLETED, wait

    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=WAKE_SECONDS, return_when=FIRST_COMPLETED)
        yield from done
