"""The base optimizer: DEAP individuals over numpy genomes, selection and variation.

Classes are defined once at module level (no ``creator`` calls inside functions).
Crossover copies before swapping because numpy slices are views; cloning copies
the array and the fitness without ``deepcopy``. Natural selection is
offspring-proportional sampling (roulette on fitness = offspring conceived);
when nobody reproduced it falls back to uniform sampling and says so.
Every operator draws from a ``random.Random`` passed to it (``rng=``), never from
Python's global ``random``: in a Dask worker other threads draw from the global
generator, so a shared one would make sweep runs irreproducible. The operators
here are DEAP's (``mutPolynomialBounded``, ``selTournament``, ``selRandom``) and
the two-point crossover, rewritten to take ``rng`` with exactly DEAP's call
sequence, so a generator seeded as the global one used to be gives bit-identical
results. The loop makes one generator per generation from the run's root seed.
Genome blocks after the first (genes appended by later versions, see
``GenomeLayout.blocks``) are varied in their own pass with their own generator
(``next_generation``), so adding genes leaves the variation of the earlier ones,
and runs that do not use the new genes, draw for draw unchanged.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from itertools import repeat
from operator import attrgetter

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


def cx_two_point_copy(ind1: np.ndarray, ind2: np.ndarray, *, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """Two-point crossover that swaps copies (numpy slices are views)."""
    size = len(ind1)
    a = rng.randint(1, size)
    b = rng.randint(1, size - 1)
    if b >= a:
        b += 1
    else:
        a, b = b, a
    ind1[a:b], ind2[a:b] = ind2[a:b].copy(), ind1[a:b].copy()
    return ind1, ind2


def mut_polynomial_bounded(individual, eta: float, low, up, indpb: float, *, rng: random.Random):
    """DEAP's ``mutPolynomialBounded`` (NSGA-II polynomial mutation), drawing from ``rng``.

    Line for line DEAP 1.4's code with ``random.random`` replaced by ``rng.random``.
    """
    size = len(individual)
    if not isinstance(low, Sequence):
        low = repeat(low, size)
    elif len(low) < size:
        raise IndexError("low must be at least the size of individual: %d < %d" % (len(low), size))
    if not isinstance(up, Sequence):
        up = repeat(up, size)
    elif len(up) < size:
        raise IndexError("up must be at least the size of individual: %d < %d" % (len(up), size))

    for i, xl, xu in zip(range(size), low, up):
        if rng.random() <= indpb:
            x = individual[i]
            delta_1 = (x - xl) / (xu - xl)
            delta_2 = (xu - x) / (xu - xl)
            rand = rng.random()
            mut_pow = 1.0 / (eta + 1.)

            if rand < 0.5:
                xy = 1.0 - delta_1
                val = 2.0 * rand + (1.0 - 2.0 * rand) * xy ** (eta + 1)
                delta_q = val ** mut_pow - 1.0
            else:
                xy = 1.0 - delta_2
                val = 2.0 * (1.0 - rand) + 2.0 * (rand - 0.5) * xy ** (eta + 1)
                delta_q = 1.0 - val ** mut_pow

            x = x + delta_q * (xu - xl)
            x = min(max(x, xl), xu)
            individual[i] = x
    return individual,


def sel_random(individuals: list, k: int, *, rng: random.Random) -> list:
    """DEAP's ``selRandom`` (``k`` uniform draws with replacement), drawing from ``rng``."""
    return [rng.choice(individuals) for i in range(k)]


def sel_tournament(individuals: list, k: int, tournsize: int, fit_attr: str = "fitness", *,
                   rng: random.Random) -> list:
    """DEAP's ``selTournament``, drawing from ``rng``."""
    chosen = []
    for i in range(k):
        aspirants = sel_random(individuals, tournsize, rng=rng)
        chosen.append(max(aspirants, key=attrgetter(fit_attr)))
    return chosen


def vary_block(offspring: list[Individual], genes: slice, toolbox: base.Toolbox, evo: EvolutionSection,
               rng: random.Random) -> None:
    """DEAP's ``varAnd`` loops (crossover of neighbours, then mutation) on one block of genes, in place.

    The offspring are already clones; ``ind[genes]`` is a view, so the operators vary the
    block inside each genome. Block 0 makes exactly the draws ``varAnd`` would make.
    """
    arrays = [ind.view(np.ndarray) for ind in offspring]  # plain views: no Individual bookkeeping per slice
    for i in range(1, len(offspring), 2):
        if rng.random() < evo.crossover_prob:
            toolbox.mate(arrays[i - 1][genes], arrays[i][genes], rng=rng)
            del offspring[i - 1].fitness.values, offspring[i].fitness.values
    low, up = toolbox.block_low[genes.start], toolbox.block_up[genes.start]
    for i in range(len(offspring)):
        if rng.random() < evo.mutation_prob:
            toolbox.mutate(arrays[i][genes], low=low, up=up, rng=rng)
            del offspring[i].fitness.values


def sel_offspring_proportional(individuals: list[Individual], k: int, *, rng: random.Random) -> list[Individual]:
    """Offspring-proportional sampling: ``k`` draws, each parent with probability fitness / total.

    The same draws as DEAP's ``selRoulette`` would make in distribution, in
    O(k log n) instead of O(k n); draws from ``rng``.
    """
    cumulative = list(itertools.accumulate(ind.fitness.values[0] for ind in individuals))
    total = cumulative[-1]
    return [individuals[bisect.bisect_right(cumulative, rng.random() * total)] for _ in range(k)]


def make_toolbox(layout: GenomeLayout, evo: EvolutionSection) -> base.Toolbox:
    """The single seam between the loop and the GA operators; every one takes ``rng=`` at call time."""
    tb = base.Toolbox()
    tb.register("clone", clone)
    tb.register("mate", cx_two_point_copy)
    tb.register("mutate", mut_polynomial_bounded, eta=evo.mutation_eta, indpb=evo.mutation_indpb)
    tb.register("select_random", sel_random)
    if evo.selection == "tournament":
        tb.register("select", sel_tournament, tournsize=evo.tournament_size)
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
    population: list[Individual], toolbox: base.Toolbox, evo: EvolutionSection, block_seed: int = 0,
    rng: random.Random | None = None,
) -> tuple[list[Individual], bool]:
    """Select parents and vary them; returns (offspring, fell back to uniform sampling).

    Selection and block 0 draw from ``rng`` (the loop's per-generation generator;
    ``random.Random(0)`` when not given); every later block from its own
    ``random.Random(f"{block_seed}-{block}")``, so genes added by later versions
    leave the draws of the earlier ones unchanged. The global ``random`` is never used.
    """
    rng = rng if rng is not None else random.Random(0)
    fallback = all(ind.fitness.values[0] <= 0 for ind in population)
    if fallback and evo.selection == "proportional":
        parents = toolbox.select_random(population, len(population), rng=rng)
    else:
        parents = toolbox.select(population, len(population), rng=rng)
    offspring = [toolbox.clone(ind) for ind in parents]
    vary_block(offspring, toolbox.blocks[0], toolbox, evo, rng)
    for b, genes in enumerate(toolbox.blocks[1:], start=1):
        vary_block(offspring, genes, toolbox, evo, random.Random(f"{block_seed}-{b}"))
    return offspring, fallback
