"""The base optimizer: DEAP individuals over numpy genomes, selection and variation.

Classes are defined once at module level (no ``creator`` calls inside functions).
Crossover copies before swapping because numpy slices are views; cloning copies
the array and the fitness without ``deepcopy``. Natural selection is
offspring-proportional sampling (roulette on fitness = offspring conceived);
when nobody reproduced it falls back to uniform sampling and says so.
DEAP's operators draw from Python's ``random``, which the loop seeds per
generation from the run's root seed. Genome blocks after the first (genes
appended by later versions, see ``GenomeLayout.blocks``) are varied with their
own streams (``BlockStreams``), so adding genes leaves the variation of the
earlier ones, and runs that do not use the new genes, draw for draw unchanged.
"""

from __future__ import annotations

import bisect
import itertools
import random
from contextlib import contextmanager
from typing import Iterator

import numpy as np
from deap import algorithms, base, tools

from agents.genome import GenomeLayout
from evo.config import EvolutionSection


class FitnessMax(base.Fitness):
    """Reproductive fitness: offspring conceived, maximised."""

    weights = (1.0,)


class Individual(np.ndarray):
    """A genome array that carries a DEAP fitness."""

    def __new__(cls, genome: np.ndarray) -> "Individual":
        obj = np.array(genome, dtype=np.float64).view(cls)
        obj.fitness = FitnessMax()
        return obj

    def __array_finalize__(self, obj) -> None:
        # Views and slices share their base's fitness; only __new__ and clone make a new one.
        if obj is not None and not hasattr(self, "fitness"):
            self.fitness = getattr(obj, "fitness", None)

    def __deepcopy__(self, memo) -> "Individual":
        return clone(self)

    def __reduce__(self):  # never pickled: checkpoints store arrays
        raise TypeError("Individuals are stored as arrays, not pickled")


def clone(ind: Individual) -> Individual:
    """Copy genome and fitness, without deepcopy (and without Fitness.__init__'s checks)."""
    new = np.ndarray.copy(ind)
    fitness = FitnessMax.__new__(FitnessMax)
    fitness.wvalues = ind.fitness.wvalues
    new.fitness = fitness
    return new


def cx_two_point_copy(ind1: Individual, ind2: Individual) -> tuple[Individual, Individual]:
    """Two-point crossover that swaps copies (numpy slices are views)."""
    size = len(ind1)
    a = random.randint(1, size)
    b = random.randint(1, size - 1)
    if b >= a:
        b += 1
    else:
        a, b = b, a
    ind1[a:b], ind2[a:b] = ind2[a:b].copy(), ind1[a:b].copy()
    return ind1, ind2


class BlockStreams:
    """One Python ``random`` state per genome block after the first, swapped in while that block varies."""

    def __init__(self, n_blocks: int, seed: int = 0):
        self.n_blocks = n_blocks
        self.seed(seed)

    def seed(self, seed: int) -> None:
        """Restart every block's stream from ``seed`` (the loop does this each generation)."""
        self.states = [random.Random(f"{seed}-{b}").getstate() for b in range(self.n_blocks)]

    @contextmanager
    def use(self, block: int) -> Iterator[None]:
        saved = random.getstate()
        random.setstate(self.states[block])
        try:
            yield
        finally:
            self.states[block] = random.getstate()
            random.setstate(saved)


def blockwise(layout: GenomeLayout, streams: BlockStreams, evo: EvolutionSection) -> tuple:
    """(mate, mutate) that vary each block separately: block 0 with ``random``, later ones with their streams."""
    blocks = layout.blocks()
    low, high = layout.bounds()

    def mate(ind1: Individual, ind2: Individual) -> tuple[Individual, Individual]:
        for b, sl in enumerate(blocks):
            if sl.stop - sl.start < 2:
                continue
            if b == 0:
                cx_two_point_copy(ind1[sl], ind2[sl])
            else:
                with streams.use(b):
                    cx_two_point_copy(ind1[sl], ind2[sl])
        return ind1, ind2

    def mutate(ind: Individual) -> tuple[Individual]:
        for b, sl in enumerate(blocks):
            args = (ind[sl], evo.mutation_eta, low[sl].tolist(), high[sl].tolist(), evo.mutation_indpb)
            if b == 0:
                tools.mutPolynomialBounded(*args)
            else:
                with streams.use(b):
                    tools.mutPolynomialBounded(*args)
        return (ind,)

    return mate, mutate


def sel_offspring_proportional(individuals: list[Individual], k: int) -> list[Individual]:
    """Offspring-proportional sampling: ``k`` draws, each parent with probability fitness / total.

    The same draws as DEAP's ``selRoulette`` would make in distribution, in
    O(k log n) instead of O(k n); uses Python's ``random`` like DEAP's operators.
    """
    cumulative = list(itertools.accumulate(ind.fitness.values[0] for ind in individuals))
    total = cumulative[-1]
    return [individuals[bisect.bisect_right(cumulative, random.random() * total)] for _ in range(k)]


def make_toolbox(layout: GenomeLayout, evo: EvolutionSection) -> base.Toolbox:
    """The single seam between the loop and DEAP's operators."""
    tb = base.Toolbox()
    tb.register("clone", clone)
    tb.streams = BlockStreams(len(layout.blocks()))
    mate, mutate = blockwise(layout, tb.streams, evo)
    tb.register("mate", mate)
    tb.register("mutate", mutate)
    if evo.selection == "tournament":
        tb.register("select", tools.selTournament, tournsize=evo.tournament_size)
    else:
        tb.register("select", sel_offspring_proportional)
    return tb


def make_statistics() -> tools.Statistics:
    stats = tools.Statistics(lambda ind: ind.fitness.values[0])
    stats.register("mean", np.mean)
    stats.register("std", np.std)
    stats.register("max", np.max)
    return stats


def next_generation(
    population: list[Individual], toolbox: base.Toolbox, evo: EvolutionSection
) -> tuple[list[Individual], bool]:
    """Select parents and vary them; returns (offspring, fell back to uniform sampling)."""
    fallback = all(ind.fitness.values[0] <= 0 for ind in population)
    if fallback and evo.selection == "proportional":
        parents = tools.selRandom(population, len(population))
    else:
        parents = toolbox.select(population, len(population))
    offspring = algorithms.varAnd(parents, toolbox, evo.crossover_prob, evo.mutation_prob)
    return offspring, fallback
