"""The generation loop, written as a generator.

One generation: genomes -> decode to arrays -> the world kernel runs every
lifetime -> fitness onto DEAP individuals -> metrics and entity records ->
DEAP selection and variation -> next genomes. Nothing here loops over entities
per step; that happens inside the kernels.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import pandas as pd
from deap import tools

from agents.genome import GenomeLayout, decode, default_layout
from evo.config import Config
from evo.ga import Individual, make_statistics, make_toolbox, next_generation
from evo.metrics import entity_frame, generation_row
from evo.seeding import seed_int, stream
from worlds.foraging import simulate_lifetime
from worlds.foraging_params import PARAM_NAMES, pack_params
from worlds.foraging_state import make_landscape, new_lifetime
from worlds.shifts import world_at


@dataclass
class GenerationResult:
    """What one generation produced."""

    generation: int
    row: dict
    entities: pd.DataFrame | None
    timings: dict[str, float] = field(default_factory=dict)  # seconds: world, ga, metrics


class Evolution:
    """Population, Hall of Fame and Logbook of one run, advanced generation by generation."""

    def __init__(self, config: Config, layout: GenomeLayout | None = None):
        self.config = config
        self.layout = layout or default_layout()
        w = config.world
        self.landscape = make_landscape(w.height, w.width, w.food_patches, w.patch_radius, w.sugar_patches,
                                        w.material_density, w.hazard_density, stream(config.run.seed, "landscape"))
        self.base_params = {name: float(getattr(w, name)) for name in PARAM_NAMES}
        self.toolbox = make_toolbox(self.layout, config.evolution)
        genomes = self.layout.random(config.agents.population, stream(config.run.seed, "init"))
        self.population = [Individual(g) for g in genomes]
        self.hall_of_fame = tools.HallOfFame(config.evolution.hall_of_fame, similar=np.array_equal)
        self.logbook = tools.Logbook()
        self.statistics = make_statistics()
        self.generation = 0

    def step(self) -> GenerationResult:
        """Live, measure and select one generation; advance the population."""
        cfg, root, gen = self.config, self.config.run.seed, self.generation
        t0 = time.perf_counter()
        world = world_at(cfg.shifts, gen, self.base_params)
        genomes = np.stack(self.population)
        agents = decode(genomes, self.layout, cfg.agents.architecture, cfg.agents.max_depth)
        state = new_lifetime(self.landscape, agents.n, cfg.world.initial_energy, world.sugar_level,
                             stream(root, "positions", gen))
        simulate_lifetime(state, agents, pack_params(world.params), seed_int(root, "world", gen), cfg.world.steps)
        t1 = time.perf_counter()
        for ind, f in zip(self.population, state.offspring):
            ind.fitness.values = (float(f),)
        self.hall_of_fame.update(self.population)
        self.logbook.record(gen=gen, **self.statistics.compile(self.population))
        random.seed(seed_int(root, "ga", gen))
        offspring, fallback = next_generation(self.population, self.toolbox, cfg.evolution)
        t2 = time.perf_counter()
        row = generation_row(gen, genomes, self.layout, agents, state, fallback)
        row["shifts_active"] = ",".join(world.active)
        row["sugar_level"] = world.sugar_level
        every = cfg.record.entity_every
        entities = entity_frame(gen, agents, state) if every and gen % every == 0 else None
        t3 = time.perf_counter()
        self.population = offspring
        self.generation += 1
        return GenerationResult(gen, row, entities, {"world": t1 - t0, "ga": t2 - t1, "metrics": t3 - t2})

    def run(self, until: int | None = None) -> Iterator[GenerationResult]:
        """Yield generations until ``until`` (default: the configured number) is reached."""
        stop = self.config.run.generations if until is None else until
        while self.generation < stop:
            yield self.step()
