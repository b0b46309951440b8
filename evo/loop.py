"""The generation loop, written as a generator.

One generation: genomes -> the world (decode to arrays, kernels run every
lifetime) -> the fitness array, the Hall of Fame and Logbook -> selection and
variation through the DEAP toolbox (on the genome and fitness arrays) -> metrics
and entity records -> next genomes. Nothing here loops over entities
per step, and nothing here knows which world it runs: see ``worlds.world_class``.

The GA draws from a ``random.Random`` made afresh each generation from
``seed_int(root, "ga", generation)`` and handed to every operator through the
toolbox; Python's global ``random`` is never touched (other threads of a Dask
worker draw from it). No generator state carries between generations, so a
checkpoint needs none.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import pandas as pd
from deap import tools

from agents.genome import GenomeLayout, apply_comparators, comparators_of
from agents.jit import compile_clock
from evo.config import Config
from evo.ga import Individual, fitness_statistics, hall_of_fame_candidates, individuals, make_toolbox, next_generation
from agents.rng import seed_int, stream
from worlds import world_class
from worlds.registry import world_entry


@dataclass
class GenerationResult:
    """What one generation produced."""

    generation: int
    row: dict
    entity_columns: dict[str, np.ndarray] | None  # the entity records, as the world gives them (None: not sampled)
    timings: dict[str, float] = field(default_factory=dict)  # seconds: world, ga, metrics, compile (numba)

    @property
    def entities(self) -> pd.DataFrame | None:
        """The entity records as a DataFrame (None when this generation's were not sampled)."""
        return None if self.entity_columns is None else pd.DataFrame(self.entity_columns)


class Evolution:
    """Population (``genomes`` and ``fitness`` arrays), Hall of Fame and Logbook of one run, advanced
    generation by generation."""

    def __init__(self, config: Config, layout: GenomeLayout | None = None):
        self.config = config
        self.layout = layout or world_entry(config.world.kind).genome_layout(config)
        self.world = world_class(config.world.kind)(config, self.layout)
        self.toolbox = make_toolbox(self.layout, config.evolution)
        self.genomes = self.layout.random(config.agents.population, stream(config.run.seed, "init"))
        self.fitness = np.full(config.agents.population, np.nan)  # NaN: not evaluated (DEAP's invalid fitness)
        self.hall_of_fame = tools.HallOfFame(config.evolution.hall_of_fame, similar=np.array_equal)
        self.logbook = tools.Logbook()
        self.generation = 0

    @property
    def population(self) -> list[Individual]:
        """The population as DEAP individuals (copies of the genomes, with their fitness where valid)."""
        return individuals(self.genomes, self.fitness)

    def frozen(self, generation: int) -> bool:
        """Whether genomes stop changing after ``generation`` (deployment mode 'frozen')."""
        dep = self.config.deployment
        return dep.mode == "frozen" and dep.freeze_at is not None and generation >= dep.freeze_at

    def assign_fitness(self, fitness: np.ndarray) -> None:
        """Put one lived generation's fitness on the population; update Hall of Fame and Logbook."""
        values = np.array(fitness, dtype=np.float64)
        self.fitness = values
        self.hall_of_fame.update(hall_of_fame_candidates(self.hall_of_fame, self.genomes, values))
        self.logbook.record(gen=self.generation, **fitness_statistics(values))

    def select(self) -> dict[str, bool]:
        """Select and vary (unless frozen) into the next generation; returns the row's GA columns."""
        root, gen = self.config.run.seed, self.generation
        rng = random.Random(seed_int(root, "ga", gen))  # this generation's own GA generator, never the global one
        frozen = self.frozen(gen)
        fallback = False  # frozen (train-test paradigm): the same genomes live again, only evaluated
        if not frozen:
            self.genomes, self.fitness, fallback = next_generation(self.genomes, self.fitness, self.toolbox,
                                                                   self.config.evolution,
                                                                   seed_int(root, "ga-blocks", gen), rng)
            self.redraw_unselected(stream(root, "unselected", gen))
        self.generation += 1
        return {"selection_fallback": fallback, "frozen": frozen}

    def redraw_unselected(self, rng: np.random.Generator) -> None:
        """Give every offspring fresh draws of the genes taken out of selection (``evolution.unselected_genes``:
        one-gene names as ``GenomeLayout.scalar_genes`` gives them, or a whole segment such as ``network``)
        from the first generation's distribution: selection cannot move them (a control arm's switch)."""
        names = self.config.evolution.unselected_genes
        if not names:
            return
        named = self.layout.named_columns()
        columns = [col for name in names for col in named[name]]
        self.genomes[:, columns] = self.layout.random(self.genomes.shape[0], rng)[:, columns]
        self.fitness = np.full(self.genomes.shape[0], np.nan)

    def step(self) -> GenerationResult:
        """Live, measure and select one generation; advance the population."""
        gen = self.generation
        t0 = time.perf_counter()
        genomes = apply_comparators(self.genomes.copy(), self.layout, self.config.agents.max_depth,
                                    **comparators_of(self.config))  # the same array when none is set
        with compile_clock() as world_compile:
            life = self.world.live(genomes, gen)
        t1 = time.perf_counter()
        with compile_clock() as ga_compile:
            self.assign_fitness(life.fitness)
            ga_columns = self.select()
        t2 = time.perf_counter()
        with compile_clock() as metrics_compile:
            row = {"generation": gen, **life.metrics(), **ga_columns}
            every = self.config.record.entity_every
            entities = life.entity_columns() if every and gen % every == 0 else None
        t3 = time.perf_counter()
        compiled = world_compile.seconds + ga_compile.seconds + metrics_compile.seconds
        return GenerationResult(gen, row, entities, {"world": t1 - t0 - world_compile.seconds,
                                                     "ga": t2 - t1 - ga_compile.seconds,
                                                     "metrics": t3 - t2 - metrics_compile.seconds, "compile": compiled})

    def run(self, until: int | None = None) -> Iterator[GenerationResult]:
        """Yield generations until ``until`` (default: the configured number) is reached."""
        stop = self.config.run.generations if until is None else until
        while self.generation < stop:
            yield self.step()
