"""The island model: one run as several populations (islands), each in its own world, with migration.

Island ``i`` is an ``Evolution`` whose config differs from the run's only in its
seed, ``island_seed(root, i)``: each island has its own landscape, positions,
world and GA streams, all derived from the one root seed. Each generation, every
island's lifetime (the expensive part: decoding and the world kernel) runs as one
task on an executor (a ``distributed.Client``, a ``concurrent.futures``
executor, or in this process when none is given), so islands evolve in parallel
and one run can use several machines. Fitness, migration and DEAP's selection
and variation then run in the driving process, in island order.

Migration, every ``migrate_every`` generations (generations m, 2m, ...), after
evaluation and before selection, on a ring: island i sends copies of its
``migrants`` fittest individuals (ties: lower index first) to island i+1 (mod n),
where they replace the ``migrants`` least fit (ties: lower index first), with
the fitness they earned at home; every island's emigrants are chosen before any
island receives. Results do not depend on the executor or on the order tasks finish.

The run directory is an ordinary one (``manifest.json`` with an ``islands``
entry, ``generations.parquet``, ``entities/``) whose rows carry an ``island``
column and a ``migrants_in`` count. Island runs have no checkpoints or resume yet.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from evo.config import Config, validate_config
from agents.rng import seed_int
from evo.loop import Evolution
from evo.recorder import Recorder, check_new_run_dir

def island_seed(root: int, island: int) -> int:
    """The root seed of island ``island`` (a valid ``run.seed``: 63 bits)."""
    return seed_int(root, "island", island) >> 1


def island_config(config: Config, island: int) -> Config:
    data = config.model_dump(mode="json")
    data["run"]["seed"] = island_seed(config.run.seed, island)
    return validate_config(data, source=f"island {island} config")


_WORLDS: dict[str, Any] = {}


def live_task(config_json: dict[str, Any], genomes: np.ndarray, generation: int,
              record_entities: bool) -> tuple[np.ndarray, dict, dict[str, np.ndarray] | None, float]:
    """On a worker: one island's lifetime; returns (fitness, metrics row, entities or None, seconds)."""
    from worlds import world_class
    from worlds.registry import world_entry

    from agents.genome import apply_comparators, comparators_of

    key = repr(sorted(config_json.items()))
    world = _WORLDS.get(key)
    if world is None:
        config = validate_config(config_json, source="island config")
        layout = world_entry(config.world.kind).genome_layout(config)
        world = world_class(config.world.kind)(config, layout)
        _WORLDS.clear()  # one world per worker process at a time
        _WORLDS[key] = (world, layout, config.agents.max_depth, comparators_of(config))
    world, layout, max_depth, comparators = _WORLDS[key]
    genomes = apply_comparators(genomes, layout, max_depth, **comparators)  # the same array when none is set
    t0 = time.perf_counter()
    life = world.live(genomes, generation)
    fitness = np.asarray(life.fitness, dtype=np.float64)
    return fitness, life.metrics(), (life.entity_columns() if record_entities else None), time.perf_counter() - t0


class _Inline:
    """An executor that runs each task at once, in this process."""

    class _Done:
        def __init__(self, value: Any):
            self.value = value

        def result(self) -> Any:
            return self.value

    def submit(self, fn, *args, **kwargs):
        return self._Done(fn(*args, **kwargs))


@dataclass
class Migration:
    """One transfer of individuals between islands."""

    generation: int
    source: int
    target: int
    emigrants: list[int]  # indices in the source population
    replaced: list[int]  # indices in the target population
    fitness: list[float]  # the emigrants' fitness


@dataclass
class IslandModel:
    """Several islands of one run, advanced generation by generation on one executor."""

    config: Config
    islands: int = 4
    migrate_every: int = 5
    migrants: int = 2
    executor: Any = None
    migrations: list[Migration] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.islands < 1 or self.migrate_every < 0 or self.migrants < 0:
            raise ValueError("islands >= 1, migrate_every >= 0 and migrants >= 0 are required")
        if self.migrants >= self.config.agents.population:
            raise ValueError("migrants must be fewer than the population of an island")
        self.evolutions = [Evolution(island_config(self.config, i)) for i in range(self.islands)]
        self._configs = [e.config.model_dump(mode="json") for e in self.evolutions]
        self.executor = self.executor or _Inline()
        self.generation = 0

    def migration_due(self, generation: int) -> bool:
        return bool(self.islands > 1 and self.migrants and self.migrate_every and generation > 0
                    and generation % self.migrate_every == 0)

    def _migrate(self, generation: int) -> list[int]:
        """Ring migration on the evaluated populations; returns migrants received per island."""
        fits = [e.fitness.copy() for e in self.evolutions]  # before any migrant arrives
        k = self.migrants
        outgoing = []
        for i, e in enumerate(self.evolutions):
            best = np.argsort(-fits[i], kind="stable")[:k]
            outgoing.append((best, e.genomes[best], fits[i][best]))
        received = [0] * self.islands
        for i, (best, genomes, fitness) in enumerate(outgoing):
            target = (i + 1) % self.islands
            worst = np.argsort(fits[target], kind="stable")[:k]
            self.evolutions[target].genomes[worst] = genomes
            self.evolutions[target].fitness[worst] = fitness
            received[target] += k
            self.migrations.append(Migration(generation, i, target, best.tolist(), worst.tolist(), fitness.tolist()))
        return received

    def step(self) -> list[tuple[dict, dict[str, np.ndarray] | None]]:
        """One generation of every island: (row, entities) per island."""
        gen = self.generation
        every = self.config.record.entity_every
        record = bool(every and gen % every == 0)
        futures = [self.executor.submit(live_task, cfg, e.genomes.copy(), gen, record)
                   for cfg, e in zip(self._configs, self.evolutions)]
        lives = [f.result() for f in futures]
        for e, (fitness, _, _, _) in zip(self.evolutions, lives):
            e.assign_fitness(fitness)
        received = self._migrate(gen) if self.migration_due(gen) else [0] * self.islands
        out = []
        for i, (e, (_, metrics, entities, _)) in enumerate(zip(self.evolutions, lives)):
            row = {"island": i, "generation": gen, **metrics, **e.select(), "migrants_in": received[i]}
            if entities is not None:
                entities = {**entities, "island": np.full(len(entities["generation"]), i, dtype=np.int64)}
            out.append((row, entities))
        self.generation += 1
        return out

    def run(self, until: int | None = None) -> Iterator[list[tuple[dict, dict[str, np.ndarray] | None]]]:
        stop = self.config.run.generations if until is None else until
        while self.generation < stop:
            yield self.step()


def run_islands(config: Config, out: str | Path, *, islands: int = 4, migrate_every: int = 5, migrants: int = 2,
                executor: Any = None, scenario: str = "custom") -> IslandModel:
    """Run an island model to the end, writing one run directory with an ``island`` column."""
    out = Path(out)
    check_new_run_dir(out)
    model = IslandModel(config, islands, migrate_every, migrants, executor)
    manifest = {"scenario": scenario, "seed": config.run.seed, "config": config.model_dump(mode="json"),
                "islands": {"n": islands, "migrate_every": migrate_every, "migrants": migrants,
                            "seeds": [e.config.run.seed for e in model.evolutions], "topology": "ring"}}
    recorder = Recorder(out, manifest, config.record.flush_every * islands)
    try:
        for results in model.run():
            for row, entities in results:
                recorder.append(row, entities)
    except BaseException as exc:
        recorder.finish("failed" if isinstance(exc, Exception) else "interrupted", f"{type(exc).__name__}: {exc}")
        raise
    recorder.manifest["migrations"] = [m.__dict__ for m in model.migrations]
    recorder.finish("completed")
    return model
