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

from analysis import RunTables, load_run
from evo import preflight
from evo.checkpoint import latest_checkpoint, restore, write_checkpoint
from evo.config import Config, apply_overrides, validate_config
from agents.errors import MesaevoError
from evo.interrupt import RunInterrupted, stop_on_signals
from evo.lock import RunLock
from evo.loop import Evolution
from evo.recorder import MANIFEST, Recorder, check_new_run_dir, mark_failed, never_started, read_manifest
from evo.scenarios import load_config
from worlds.shifts import event_name

log = logging.getLogger(__name__)


def default_out(scenario: str, seed: int) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{scenario}-seed{seed}-{stamp}"


class Simulation:
    """One run: a validated config, its evolution, and the run directory it writes."""

    def __init__(self, config: Config, scenario: str = "custom", out: str | Path | None = None,
                 max_memory_gib: float | None = None):
        self.config = config
        self.scenario = scenario
        self.run_dir = Path(out) if out is not None else default_out(scenario, config.run.seed)
        preflight.check(config, max_memory_gib)
        check_new_run_dir(self.run_dir)
        self.evolution: Evolution | None = None
        self.recorder: Recorder | None = None
        self.timings = {"world": 0.0, "ga": 0.0, "metrics": 0.0, "recording": 0.0}

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
    ) -> "Simulation":
        """Build from a built-in scenario name or a TOML file, plus dotted-key overrides."""
        extra: dict[str, Any] = {}
        if seed is not None:
            extra["run.seed"] = seed
        if generations is not None:
            extra["run.generations"] = generations
        if isinstance(overrides, list):
            overrides = overrides + [f"{k}={v}" for k, v in extra.items()]
        else:
            overrides = {**(overrides or {}), **extra}
        scenario, config = load_config(name_or_path, overrides)
        return cls(config, scenario, out, max_memory_gib)

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
            sim.timings = {"world": 0.0, "ga": 0.0, "metrics": 0.0, "recording": 0.0}
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
                sim.recorder = Recorder.reopen(run_dir, start, config.record.flush_every, lock)
            except Exception as exc:
                if not isinstance(exc, MesaevoError) or "already has" not in str(exc):
                    mark_failed(run_dir, f"resume failed: {exc}")
                raise
            sim.recorder.manifest["config"] = config.model_dump(mode="json")
        except BaseException:
            lock.release()
            raise
        log.info("resuming %s at generation %d", run_dir, start)
        return sim

    @property
    def generation(self) -> int:
        """The next generation to run."""
        return self.evolution.generation if self.evolution else 0

    def manifest(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "seed": self.config.run.seed,
            "config": self.config.model_dump(mode="json"),
            "shift_events": [{**ev.model_dump(mode="json"), "name": event_name(ev)} for ev in self.config.shifts],
        }

    def checkpoint(self) -> Path:
        """Write the tables and a checkpoint now."""
        assert self.evolution is not None and self.recorder is not None, "the run has not started"
        self.recorder.flush()
        path = write_checkpoint(self.run_dir, self.evolution, self.config.checkpoint.keep)
        self.recorder.manifest["last_checkpoint"] = self.evolution.generation
        self.recorder.flush()
        return path

    def iterate(self) -> Iterator[dict[str, Any]]:
        """Run generation by generation, writing as it goes; yields each generation's row.

        SIGINT or SIGTERM finish the current generation, checkpoint, mark the run
        'interrupted' and raise RunInterrupted.
        """
        if self.recorder is None:
            self.recorder = Recorder(self.run_dir, self.manifest(), self.config.record.flush_every)
        recorder = self.recorder
        try:
            if self.evolution is None:
                self.evolution = Evolution(self.config)  # inside the try: a world that cannot be built fails the run
                self.checkpoint()  # generation 0: a run killed before its first periodic checkpoint can resume
            evolution, every = self.evolution, self.config.checkpoint.every
            log.info("run %s: %s, generations %d..%d", self.run_dir, self.scenario, evolution.generation,
                     self.config.run.generations)
            with stop_on_signals() as stop:
                for result in evolution.run():
                    t0 = time.perf_counter()
                    recorder.append(result.row, result.entities)
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

    def run(self, callback: Callable[[dict[str, Any]], None] | None = None) -> RunTables:
        """Run every remaining generation, calling ``callback(row)`` after each; return the tables."""
        for row in self.iterate():
            if callback is not None:
                callback(row)
        return self.tables()

    def tables(self) -> RunTables:
        """The run's tables as pandas DataFrames."""
        return load_run(self.run_dir)
