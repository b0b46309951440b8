"""The Python API for scripts: build a simulation, run it, get its tables.

    sim = Simulation.from_scenario("sugar", {"agents.population": 200}, generations=50)
    for row in sim.iterate():
        print(row["generation"], row["fitness_mean"])
    tables = sim.tables()  # analysis.RunTables: manifest, generations, entities

A long run checkpoints every ``checkpoint.every`` generations; after a crash or a
stop, ``Simulation.resume(run_dir)`` continues exactly where the newest good
checkpoint left off.

Before a run starts, ``evo.preflight`` refuses configs that cannot fit in memory.
Once the run directory exists, its manifest's status is always true: any failure
(world construction included, and disk errors such as ENOSPC) marks it
'failed' with the error, a stop marks it 'interrupted'. One process writes a run
directory at a time (``evo.lock``). A directory left by a run killed before its
first manifest landed is restarted by ``run --out`` into it; ``resume`` cannot
restart it (it has no config) and says to use ``run``.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import signal
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from analysis import RunTables, SweepTables, load_run
from analysis.compare import flat_config
from evo import preflight
from evo.checkpoint import latest_checkpoint, restore, write_checkpoint
from evo.config import Config, apply_overrides, run_notes, validate_config
from agents.errors import MesaevoError
from agents.jit import compile_clock
from evo.interrupt import RunInterrupted, stop_on_signals
from evo.lock import RunLock
from evo.paths import read_json
from evo.loop import Evolution
from evo.recorder import MANIFEST, Recorder, check_new_run_dir, mark_failed, never_started, read_manifest
from evo.scenarios import load_config
from worlds.shifts import event_name

log = logging.getLogger(__name__)


#: Environment variable of overrides applied last to every ``Simulation.from_scenario`` (and so to
#: ``mesaevo run`` and sweeps): ``key=value`` items separated by ``;``, e.g.
#: ``MESAEVO_OVERRIDES="run.generations=3;agents.population=40"``. The README test runs every
#: example of the README with small sizes this way.
OVERRIDES_ENV = "MESAEVO_OVERRIDES"


def config_diff(base: dict[str, Any], config: dict[str, Any]) -> dict[str, list[Any]]:
    """Dotted key -> [scenario value, this config's value] for every key that differs."""
    a, b = flat_config(base), flat_config(config)
    return {k: [a.get(k), b.get(k)] for k in [*a, *(k for k in b if k not in a)] if a.get(k) != b.get(k)}


def default_out(scenario: str, seed: int) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{scenario}-seed{seed}-{stamp}"


class Simulation:
    """One run: a validated config, its evolution, and the run directory it writes."""

    #: The run directory already held this run, completed (``from_scenario(..., skip_completed=True)``):
    #: ``run()`` and ``iterate()`` run nothing.
    completed: bool = False

    def __init__(self, config: Config, scenario: str = "custom", out: str | Path | None = None,
                 max_memory_gib: float | None = None):
        self.config = config
        self.scenario = scenario
        self.run_dir = Path(out) if out is not None else default_out(scenario, config.run.seed)
        preflight.check(config, max_memory_gib)
        check_new_run_dir(self.run_dir)
        self.notes = run_notes(config)
        self.config_diff: dict[str, list[Any]] | None = None
        for note in self.notes:
            log.warning("%s", note)
        self.evolution: Evolution | None = None
        self.recorder: Recorder | None = None
        #: Seconds spent so far in the world kernel, the GA, metrics, recording, and compiling kernels (numba, first
        #: use on a cold cache; left out of the other four).
        self.timings = {"world": 0.0, "ga": 0.0, "metrics": 0.0, "recording": 0.0, "compile": 0.0}

    @classmethod
    def from_scenario(
        cls,
        name_or_path: str | Path,
        overrides: dict[str, Any] | list[str] | None = None,
        *,
        seed: int | None = None,
        generations: int | None = None,
        out: str | Path | None = None,
        max_memory_gib: float | None = None,
        skip_completed: bool = False,
    ) -> "Simulation":
        """Build from a built-in scenario name or a TOML file, plus dotted-key overrides.

        ``skip_completed``: for scripts that are run again. When ``out`` already holds a run of
        this same config, a completed one is kept (``run()`` returns its tables at once) and an
        unfinished one resumes; a run of another config there is an error. Without it, ``out``
        must be new (or empty).
        """
        extra: dict[str, Any] = {}
        if seed is not None:
            extra["run.seed"] = seed
        if generations is not None:
            extra["run.generations"] = generations
        if isinstance(overrides, list):
            overrides = overrides + [f"{k}={v}" for k, v in extra.items()]
        else:
            overrides = {**(overrides or {}), **extra}
        env = os.environ.get(OVERRIDES_ENV, "").strip()
        if env:  # last, over everything: shrink every run of a script or a document (see OVERRIDES_ENV)
            from evo.config import parse_override

            items = [parse_override(item.strip()) for item in env.split(";") if item.strip()]
            if isinstance(overrides, list):
                overrides = overrides + [item.strip() for item in env.split(";") if item.strip()]
            else:
                overrides = {**overrides, **{".".join(k): v for k, v in items}}
        scenario, config = load_config(name_or_path, overrides)
        if skip_completed and out is not None and os.path.lexists(Path(out) / MANIFEST):
            return cls._existing(Path(out), config, scenario, max_memory_gib)
        sim = cls(config, scenario, out, max_memory_gib)
        try:
            base = load_config(name_or_path)[1].model_dump(mode="json")
        except MesaevoError:  # a config file valid only with its overrides: no diff
            base = None
        sim.config_diff = config_diff(base, config.model_dump(mode="json")) if base is not None else None
        return sim

    @classmethod
    def _existing(cls, run_dir: Path, config: Config, scenario: str, max_memory_gib: float | None) -> "Simulation":
        """The run of ``config`` already in ``run_dir``: kept when completed, resumed otherwise."""
        manifest = read_manifest(run_dir)
        if manifest.get("config") != config.model_dump(mode="json"):
            raise MesaevoError(f"{run_dir} holds a run of another config; skip_completed keeps only a run of "
                               "the same config: choose another out")
        if manifest.get("status") != "completed":
            log.info("%s holds this run unfinished (%s): resuming it", run_dir, manifest.get("status"))
            return cls.resume(run_dir, max_memory_gib=max_memory_gib)
        log.info("%s holds this run, completed: skipped", run_dir)
        sim = cls.__new__(cls)
        sim.config, sim.scenario, sim.run_dir, sim.completed = config, scenario, run_dir, True
        sim.notes, sim.config_diff, sim.evolution, sim.recorder = run_notes(config), None, None, None
        sim.timings = {"world": 0.0, "ga": 0.0, "metrics": 0.0, "recording": 0.0, "compile": 0.0}
        return sim

    @classmethod
    def resume(cls, path: str | Path, generations: int | None = None,
               max_memory_gib: float | None = None) -> "Simulation":
        """Reopen a run directory at its newest good checkpoint; ``generations`` may extend the run.

        A run killed after its last generation but before it was marked completed
        resumes with nothing left to run and is marked completed. The run's lock is
        held from here until the run finishes. A failure after the lock is taken
        (no usable checkpoint, an inconsistent table, ...) marks the manifest 'failed';
        resume again once the cause is fixed."""
        run_dir = Path(path)
        if never_started(run_dir):
            raise MesaevoError(f"{run_dir} never started (it was stopped before its first manifest was written), "
                               f"so there is nothing to resume; start it again with: mesaevo run SCENARIO --out {run_dir}")
        if not os.path.lexists(run_dir / MANIFEST):
            raise MesaevoError(f"no resumable run at {run_dir}: it has no {MANIFEST}")
        lock = RunLock(run_dir).acquire()
        try:
            manifest = read_manifest(run_dir)
            data = manifest.get("config")
            if not isinstance(data, dict):
                raise MesaevoError(f"no resumable run at {run_dir}: its {MANIFEST} holds no config")
            try:
                if generations is not None:
                    data = apply_overrides(data, {"run.generations": generations})
                config = validate_config(data, source=f"config of {run_dir}")
                preflight.check(config, max_memory_gib)
            except MesaevoError:
                raise
            except Exception as exc:  # a config this program did not write
                raise MesaevoError(f"config of {run_dir} is malformed: {type(exc).__name__}: {exc}") from None
            sim = cls.__new__(cls)
            sim.config, sim.run_dir = config, run_dir
            scenario = manifest.get("scenario", "custom")
            sim.scenario = scenario if isinstance(scenario, str) else "custom"
            sim.timings = {"world": 0.0, "ga": 0.0, "metrics": 0.0, "recording": 0.0, "compile": 0.0}
            try:
                sim.evolution = Evolution(config)
                ckpt = latest_checkpoint(run_dir, config, sim.evolution.layout)
                start = ckpt.generation if ckpt else 0  # killed before its first checkpoint: start over
                if start > config.run.generations:
                    raise MesaevoError(f"{run_dir} has a checkpoint at generation {start}, past "
                                       f"run.generations = {config.run.generations}; pass --generations {start} or more")
                if start >= config.run.generations and manifest.get("status") == "completed":
                    raise MesaevoError(f"{run_dir} already has {start} generations; "
                                       "pass a larger --generations to extend it")
                if ckpt is not None:
                    restore(sim.evolution, ckpt)
                sim.recorder = Recorder.reopen(run_dir, start, config.record.flush_every, lock,
                                               tables=ckpt.tables if ckpt is not None else None)
            except Exception as exc:
                if not isinstance(exc, MesaevoError) or "already has" not in str(exc):
                    mark_failed(run_dir, f"resume failed: {exc}")
                raise
            sim.recorder.manifest["config"] = config.model_dump(mode="json")
            sim.notes = run_notes(config)
            sim.recorder.manifest["notes"] = list(sim.notes)
            for note in sim.notes:
                log.warning("%s", note)
        except BaseException:
            lock.release()
            raise
        log.info("resuming %s at generation %d", run_dir, start)
        return sim

    @property
    def generation(self) -> int:
        """The next generation to run."""
        if self.completed:
            return self.config.run.generations
        return self.evolution.generation if self.evolution else 0

    def manifest(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "seed": self.config.run.seed,
            "config": self.config.model_dump(mode="json"),
            "shift_events": [{**ev.model_dump(mode="json"), "name": event_name(ev)} for ev in self.config.shifts],
            "notes": list(self.notes),  # what the run will not see of its schedule (shifts, freeze past its end)
            **({"config_diff": self.config_diff} if self.config_diff is not None else {}),
        }

    def checkpoint(self) -> Path:
        """Write the tables and a checkpoint now."""
        assert self.evolution is not None and self.recorder is not None, "the run has not started"
        self.recorder.flush()
        path = write_checkpoint(self.run_dir, self.evolution, self.config.checkpoint.keep,
                                tables=self.recorder.tables_record())
        self.recorder.manifest["last_checkpoint"] = self.evolution.generation
        self.recorder.flush()
        return path

    def iterate(self) -> Iterator[dict[str, Any]]:
        """Run generation by generation, writing as it goes; yields each generation's row.

        SIGINT or SIGTERM finish the current generation, checkpoint, mark the run
        'interrupted' and raise RunInterrupted. A run kept by ``skip_completed`` yields nothing.
        """
        if self.completed:
            return
        if self.recorder is None:
            self.recorder = Recorder(self.run_dir, self.manifest(), self.config.record.flush_every)
        recorder = self.recorder
        try:
            if self.evolution is None:
                with compile_clock() as clock:  # inside the try: a world that cannot be built fails the run
                    self.evolution = Evolution(self.config)
                self.timings["compile"] += clock.seconds
                self.checkpoint()  # generation 0: a run killed before its first periodic checkpoint can resume
            evolution, every = self.evolution, self.config.checkpoint.every
            log.info("run %s: %s, generations %d..%d", self.run_dir, self.scenario, evolution.generation,
                     self.config.run.generations)
            with stop_on_signals() as stop:
                for result in evolution.run():
                    t0 = time.perf_counter()
                    recorder.append(result.row, result.entity_columns)
                    if every and evolution.generation % every == 0:
                        self.checkpoint()
                    for key, value in result.timings.items():
                        self.timings[key] += value
                    self.timings["recording"] += time.perf_counter() - t0
                    yield result.row
                    if stop.signum is not None and evolution.generation < self.config.run.generations:
                        self.checkpoint()
                        name = signal.Signals(stop.signum).name
                        msg = (f"stopped by {name} after generation {evolution.generation - 1}; checkpoint written, "
                               f"continue with: mesaevo resume {self.run_dir}")
                        recorder.finish("interrupted", msg)
                        raise RunInterrupted(msg, stop.signum)
            self.checkpoint()
            recorder.finish("completed")
        except RunInterrupted:
            raise
        except (KeyboardInterrupt, GeneratorExit):
            recorder.finish("interrupted", "stopped before the last generation")
            raise
        except BaseException as exc:
            recorder.finish("failed", f"{type(exc).__name__}: {exc}")
            raise

    def run(self, callback: Callable[[dict[str, Any]], None] | None = None, *,
            progress: bool = True) -> RunTables:
        """Run every remaining generation; return the tables.

        ``callback(row)`` is called after each generation with its row (a dict of the generation
        table's columns), e.g. to log to Weights & Biases or TensorBoard::

            sim.run(callback=lambda row: wandb.log(row, step=row["generation"]))

        ``progress``: a progress bar (``tqdm.auto``: a widget in Jupyter, text in a terminal);
        ``progress=False`` for none. A run kept by ``skip_completed`` runs nothing and calls no callback.
        """
        if self.completed:
            return self.tables()
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=self.config.run.generations, initial=self.generation, unit="gen", desc=self.scenario)
        try:
            for row in self.iterate():
                if bar is not None:
                    bar.set_postfix_str(f"fitness {row['fitness_mean']:.2f}, L1 corr {row.get('L1_spearman', float('nan')):.2f}",
                                        refresh=False)
                    bar.update(1)
                if callback is not None:
                    callback(row)
        finally:
            if bar is not None:
                bar.close()
        return self.tables()

    def __repr__(self) -> str:
        c = self.config
        shifts = ", ".join(event_name(ev) + f"@{ev.generation}" for ev in c.shifts) or "none"
        return (f"Simulation({self.scenario!r}, seed={c.run.seed}, generation {self.generation} of "
                f"{c.run.generations}, {c.agents.population} agents, {c.world.kind} world, shifts: {shifts}, "
                f"run_dir={str(self.run_dir)!r})")

    def _repr_html_(self) -> str:
        import html

        c = self.config
        rows = [("scenario", self.scenario), ("seed", c.run.seed),
                ("generation", f"{self.generation} of {c.run.generations}"),
                ("agents", c.agents.population), ("world", c.world.kind),
                ("shifts", ", ".join(f"{event_name(ev)} at {ev.generation}" for ev in c.shifts) or "none"),
                ("run directory", self.run_dir), *(("note", n) for n in self.notes)]
        cells = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                        f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>" for k, v in rows)
        return f"<table><caption>mesaevo Simulation</caption>{cells}</table>"

    def tables(self) -> RunTables:
        """The run's tables as pandas DataFrames."""
        return load_run(self.run_dir)

    @staticmethod
    def sweep(spec: dict[str, Any] | str | Path, out: str | Path, *, workers: int | None = None,
              client: Any = None, progress: bool = True, max_memory_gib: float | None = None,
              skip_completed: bool = True) -> SweepTables:
        """Run a sweep (a sweep file's path, or its contents as a dict) into ``out``; return its
        tables (``analysis.SweepTables``: ``.generations`` one row per run and generation, ``.runs``
        one row per run, ``.keys`` the swept-key columns and their dotted config keys).

            tables = Simulation.sweep({"base": "sugar", "seeds": 3, "generations": 50,
                            "grid": {"shifts.0.generation": [10, 25]}}, "sweeps/timing", workers=2)
            tables.generations.groupby(["shifts_0_generation", "generation"])["L1_spearman"].mean()

        ``client``: an existing Dask client (or any ``concurrent.futures`` executor); otherwise a
        local cluster of ``workers`` processes. ``skip_completed`` (default): running into the same
        ``out`` again (a script run twice, or after a stop) keeps the runs already completed and runs
        the rest; ``skip_completed=False`` refuses an ``out`` that holds completed runs.
        """
        from analysis import load_sweep
        from evo.sweep import build_sweep, load_sweep_file, run_sweep

        if isinstance(spec, dict):
            built = build_sweep(spec, source="sweep", default_name=Path(out).name or "sweep",
                                max_memory_gib=max_memory_gib)
        else:
            built = load_sweep_file(spec, max_memory_gib)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(built.runs), unit="run", desc=built.name)
        try:
            run_sweep(built, out, run_one, workers=workers, client=client, max_memory_gib=max_memory_gib,
                      skip_completed=skip_completed,
                      on_result=(lambda entry: bar.update(1)) if bar is not None else None,
                      on_skip=(lambda n: bar.update(n)) if bar is not None else None)
        finally:
            if bar is not None:
                bar.close()
        return load_sweep(out)


def run_one(base: str, overrides: dict[str, Any], seed: int, generations: int | None, run_dir: str,
            max_memory_gib: float | None = None) -> dict[str, Any]:
    """Run (or finish) one run of a sweep or an experiment in ``run_dir``; the task that
    ``evo.executor`` runs on a worker.

    A completed run is left alone; a run directory with a manifest resumes from its
    newest checkpoint; otherwise the run starts (a directory left by a run killed
    before its first manifest is restarted; nothing else is ever deleted). Never
    raises for a failing run: returns ``{"status": "failed", "error": ...}``, and
    the run's own manifest, when it has one, says 'failed' too.
    """
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


def _read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from a regular file, or None when there is none (checked: no FIFO, no huge or deep file)."""
    if not os.path.lexists(path):
        return None
    try:
        return read_json(path)
    except MesaevoError:
        return None
