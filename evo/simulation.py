"""The Python API for scripts: build a simulation, run it, get its tables.

    sim = Simulation.from_scenario("sugar", {"agents.population": 200}, generations=50)
    for row in sim.iterate():
        print(row["generation"], row["fitness_mean"])
    tables = sim.tables()  # analysis.RunTables: manifest, generations, entities
"""

from __future__ import annotations

import datetime as _dt
import logging
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from analysis import RunTables, load_run
from evo.config import Config
from evo.loop import Evolution
from evo.recorder import Recorder, check_new_run_dir
from evo.scenarios import load_config
from worlds.shifts import event_name

log = logging.getLogger(__name__)


def default_out(scenario: str, seed: int) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{scenario}-seed{seed}-{stamp}"


class Simulation:
    """One run: a validated config, its evolution, and the run directory it writes."""

    def __init__(self, config: Config, scenario: str = "custom", out: str | Path | None = None):
        self.config = config
        self.scenario = scenario
        self.run_dir = Path(out) if out is not None else default_out(scenario, config.run.seed)
        check_new_run_dir(self.run_dir)
        self.evolution: Evolution | None = None
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
        return cls(config, scenario, out)

    def manifest(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "seed": self.config.run.seed,
            "config": self.config.model_dump(mode="json"),
            "shift_events": [{**ev.model_dump(mode="json"), "name": event_name(ev)} for ev in self.config.shifts],
        }

    def iterate(self) -> Iterator[dict[str, Any]]:
        """Run generation by generation, writing as it goes; yields each generation's row."""
        recorder = Recorder(self.run_dir, self.manifest(), self.config.record.flush_every)
        self.evolution = Evolution(self.config)
        log.info("run %s: %s, %d generations", self.run_dir, self.scenario, self.config.run.generations)
        try:
            for result in self.evolution.run():
                t0 = time.perf_counter()
                recorder.append(result.row, result.entities)
                for key, value in result.timings.items():
                    self.timings[key] += value
                self.timings["recording"] += time.perf_counter() - t0
                yield result.row
        except (KeyboardInterrupt, GeneratorExit):
            recorder.finish("interrupted", "stopped before the last generation")
            raise
        except BaseException as exc:
            recorder.finish("failed", f"{type(exc).__name__}: {exc}")
            raise
        recorder.finish("completed")

    def run(self, callback: Callable[[dict[str, Any]], None] | None = None) -> RunTables:
        """Run every generation, calling ``callback(row)`` after each; return the tables."""
        for row in self.iterate():
            if callback is not None:
                callback(row)
        return self.tables()

    def tables(self) -> RunTables:
        """The run's tables as pandas DataFrames."""
        return load_run(self.run_dir)
