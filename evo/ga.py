"""The base optimizer: DEAP individuals over numpy genomes, selection and variation.

Classes are defined once at module level (no ``creator`` calls inside functions).
Crossover copies before swapping because numpy slices are views; cloning copies
the array and the fitness without ``deepcopy``. Natural selection is
offspring-proportional sampling (roulette on fitness = offspring conceived);
when nobody reproduced it falls back to uniform sampling and says so.
DEAP's operators draw from Python's ``random``, which the loop seeds per
generation from the run's root seed. Genome blocks after the first (genes
appended by later versions, see ``GenomeLayout.blocks``) are varied in their own
pass with their own seed (``next_generation``), so adding genes leaves the
variation of the earlier ones, and runs that do not use the new genes, draw for
draw unchanged.
"""

from __future__ import annotations

import bisect
import itertools
import random

import numpy as np
from deap import base, tools

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


def cx_two_point_copy(ind1: np.ndarray, ind2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def vary_block(offspring: list[Individual], genes: slice, toolbox: base.Toolbox, evo: EvolutionSection) -> None:
    """DEAP's ``varAnd`` loops (crossover of neighbours, then mutation) on one block of genes, in place.

    The offspring are already clones; ``ind[genes]`` is a view, so the operators vary the
    block inside each genome. Block 0 makes exactly the draws ``varAnd`` would make.
    """
    arrays = [ind.view(np.ndarray) for ind in offspring]  # plain views: no Individual bookkeeping per slice
    for i in range(1, len(offspring), 2):
        if random.random() < evo.crossover_prob:
            toolbox.mate(arrays[i - 1][genes], arrays[i][genes])
            del offspring[i - 1].fitness.values, offspring[i].fitness.values
    low, up = toolbox.block_low[genes.start], toolbox.block_up[genes.start]
    for i in range(len(offspring)):
        if random.random() < evo.mutation_prob:
            toolbox.mutate(arrays[i][genes], low=low, up=up)
            del offspring[i].fitness.values


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
    tb.register("mate", cx_two_point_copy)
    tb.register("mutate", tools.mutPolynomialBounded, eta=evo.mutation_eta, indpb=evo.mutation_indpb)
    if evo.selection == "tournament":
        tb.register("select", tools.selTournament, tournsize=evo.tournament_size)
    else:
        tb.register("select", sel_offspring_proportional)
    low, high = layout.bounds()
    tb.blocks = layout.blocks()
    tb.block_low = {b.start: low[b].tolist() for b in tb.blocks}
    tb.block_up = {b.start: high[b].tolist() for b in tb.blocks}
    return tb


def make_statistics() -> tools.Statistics:
    stats = tools.Statistics(lambda ind: ind.fitness.values[0])
    stats.register("mean", np.mean)
    stats.register("std", np.std)
    stats.register("max", np.max)
    return stats


def next_generation(
    population: list[Individual], toolbox: base.Toolbox, evo: EvolutionSection, block_seed: int = 0
) -> tuple[list[Individual], bool]:
    """Select parents and vary them; returns (offspring, fell back to uniform sampling).

    Block 0 varies with Python's ``random`` as the loop seeded it; every later block
    with ``random`` reseeded from ``(block_seed, block)``, so genes added by later
    versions leave the draws of the earlier ones unchanged.
    """
    fallback = all(ind.fitness.values[0] <= 0 for ind in population)
    if fallback and evo.selection == "proportional":
        parents = tools.selRandom(population, len(population))
    else:
        parents = toolbox.select(population, len(population))
    offspring = [toolbox.clone(ind) for ind in parents]
    vary_block(offspring, toolbox.blocks[0], toolbox, evo)
    if len(toolbox.blocks) > 1:
        saved = random.getstate()
        for b, genes in enumerate(toolbox.blocks[1:], start=1):
            random.seed(f"{block_seed}-{b}")
            vary_block(offspring, genes, toolbox, evo)
        random.setstate(saved)
    return offspring, fallback
