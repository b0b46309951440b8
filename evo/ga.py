"""The base optimizer: selection and variation of a population held as a genome array and a fitness array.

DEAP individuals over numpy genomes are made only where DEAP keeps individuals, the Hall of Fame (and for
``Evolution.population``). Classes are defined once at module level (no ``creator`` calls inside functions);
cloning copies the array and the fitness without ``deepcopy``. Natural selection is
offspring-proportional sampling (roulette on fitness = offspring conceived);
when nobody reproduced it falls back to uniform sampling and says so.
Selection operators are DEAP's (``selTournament``, ``selRandom``) rewritten to
take the fitness array and a ``random.Random`` (``rng=``) and return population indices, with DEAP's
draws; never Python's global ``random``: in a Dask
worker other threads draw from the global generator, so a shared one would make
sweep runs irreproducible. Variation is vectorised over the offspring array: the
toolbox's ``mate`` and ``mutate`` are DEAP's two-point crossover and
``mutPolynomialBounded`` applied to every row at once with a numpy generator
seeded from the per-generation stream (same distributions as DEAP's, tested
against it; not DEAP's draw sequence); numpy draws, numba kernels
(``evo.variation_kernels``) do the element work. The loop makes one generator per
generation from the run's root seed. Genome blocks after the first (genes
appended by later versions, see ``GenomeLayout.blocks``) are varied in their own
pass with their own generator (``next_generation``), so adding genes leaves the
variation of the earlier ones, and runs that do not use the new genes, draw for
draw unchanged.
"""

from __future__ import annotations

import random

import numpy as np
from deap import base, tools

from agents.genome import GenomeLayout
from evo.config import EvolutionSection
from evo.variation_kernels import mutation_sites, polynomial_mutation, swap_segments


class FitnessMax(base.Fitness):
    """Reproductive fitness: offspring conceived, maximised."""

    weights = (1.0,)


class Individual(np.ndarray):
    """A genome array that carries a DEAP fitness, for the Hall of Fame and ``Evolution.population``.

    Only ``Individual(genome)`` (through ``individuals``) and ``clone`` make individuals, and each gives its own
    a fitness; there is no ``__array_finalize__`` (a Python call for every view numpy makes), so a slice of an
    individual carries none."""

    def __new__(cls, genome: np.ndarray) -> "Individual":
        obj = np.array(genome, dtype=np.float64).view(cls)
        obj.fitness = FitnessMax()
        return obj

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


def genome_array(population: list[Individual]) -> np.ndarray:
    """The genomes of ``population`` as one plain ``(n, size)`` float64 array (a copy; ``np.stack`` makes a
    view per individual and was 4x slower)."""
    return np.array(population, dtype=np.float64)


def individuals(genomes: np.ndarray, fitness: np.ndarray) -> list[Individual]:
    """Rows of ``genomes`` as DEAP individuals (copies) with fitness ``fitness`` (NaN: not valid)."""
    out = []
    for genome, f in zip(genomes, fitness.tolist()):
        ind = Individual(genome)
        if f == f:  # not NaN
            ind.fitness.wvalues = (f,)  # FitnessMax's weight is 1: the weighted value is the value
        out.append(ind)
    return out


def cx_two_point_rows(genes: np.ndarray, cxpb: float, *, rng: np.random.Generator) -> np.ndarray:
    """DEAP's ``varAnd`` crossover step on a population array, in place: rows ``2k`` and ``2k + 1`` are
    crossed with probability ``cxpb`` by DEAP's two-point rule (``cxTwoPoint``: points ``a`` uniform in
    1..size and ``b`` in 1..size-1, ``b`` moved past ``a``, the segment ``[min:max)`` swapped).

    ``genes`` is ``(n, size)`` (a column block of the offspring array); returns which rows were crossed.
    """
    n, size = genes.shape
    pairs = n // 2
    crossed = rng.random(pairs) < cxpb
    a = rng.integers(1, size + 1, pairs)
    b = rng.integers(1, max(size, 2), pairs)
    b = np.where(b >= a, b + 1, b)
    swap_segments(genes, crossed, np.minimum(a, b), np.maximum(a, b))
    rows = np.zeros(n, dtype=bool)
    rows[0:2 * pairs:2] = rows[1:2 * pairs:2] = crossed
    return rows


def mut_polynomial_bounded_rows(genes: np.ndarray, low: np.ndarray, up: np.ndarray, eta: float, indpb: float,
                                mutpb: float, *, rng: np.random.Generator) -> np.ndarray:
    """DEAP's ``varAnd`` mutation step on a population array, in place: each row with probability
    ``mutpb`` gets DEAP's ``mutPolynomialBounded`` (NSGA-II polynomial mutation: each gene with
    probability ``indpb``, the same formula), so a mutated gene has DEAP's distribution.

    ``low``/``up`` are the block's bounds per column; returns which rows were mutated.
    """
    n, size = genes.shape
    rows = rng.random(n) < mutpb
    r, c = mutation_sites(rows, rng.random((n, size)), indpb)
    polynomial_mutation(genes, r, c, rng.random(r.shape[0]), low, up, eta)
    return rows


def sel_random(n: int, k: int, *, rng: random.Random) -> list[int]:
    """DEAP's ``selRandom`` as population indices: ``k`` uniform draws with replacement from ``rng``
    (``randrange(n)`` makes the draw ``choice`` makes)."""
    return [rng.randrange(n) for _ in range(k)]


def sel_tournament(fitness: np.ndarray, k: int, tournsize: int, *, rng: random.Random) -> list[int]:
    """DEAP's ``selTournament`` as population indices, drawing from ``rng``: each winner is the first of its
    aspirants with the highest fitness, as ``max`` over DEAP's fitness objects picks it."""
    values = fitness.tolist()
    return [max(sel_random(len(values), tournsize, rng=rng), key=values.__getitem__) for _ in range(k)]


def vary_block(genes: np.ndarray, block: slice, toolbox: base.Toolbox, rng: np.random.Generator) -> np.ndarray:
    """DEAP's ``varAnd`` (crossover of neighbours, then mutation) on one column block of the offspring
    array, in place, with the toolbox's array operators; returns which rows changed."""
    crossed = toolbox.mate(genes, rng=rng)
    mutated = toolbox.mutate(genes, low=toolbox.block_low[block.start], up=toolbox.block_up[block.start], rng=rng)
    return crossed | mutated


def sel_offspring_proportional(fitness: np.ndarray, k: int, *, rng: random.Random) -> np.ndarray:
    """Offspring-proportional sampling as population indices: ``k`` draws, each parent with probability
    fitness / total.

    The same draws as DEAP's ``selRoulette`` would make in distribution, by bisection of the running
    total (``np.cumsum`` adds in order, as ``itertools.accumulate`` does) instead of O(k n); draws from ``rng``.
    """
    cumulative = np.cumsum(fitness)
    draws = np.array([rng.random() for _ in range(k)])
    return np.searchsorted(cumulative, draws * cumulative[-1], side="right")


def make_toolbox(layout: GenomeLayout, evo: EvolutionSection) -> base.Toolbox:
    """The single seam between the loop and the GA operators; every one takes ``rng=`` at call time."""
    tb = base.Toolbox()
    tb.register("clone", clone)
    tb.register("mate", cx_two_point_rows, cxpb=evo.crossover_prob)
    tb.register("mutate", mut_polynomial_bounded_rows, eta=evo.mutation_eta, indpb=evo.mutation_indpb,
                mutpb=evo.mutation_prob)
    tb.register("select_random", sel_random)
    if evo.selection == "tournament":
        tb.register("select", sel_tournament, tournsize=evo.tournament_size)
    else:
        tb.register("select", sel_offspring_proportional)
    low, high = layout.bounds()
    tb.blocks = layout.blocks()
    tb.block_low = {b.start: low[b].copy() for b in tb.blocks}
    tb.block_up = {b.start: high[b].copy() for b in tb.blocks}
    return tb


def fitness_statistics(fitness: np.ndarray) -> dict[str, float]:
    """The Logbook's record of a generation: mean, std and max of its fitness (what DEAP's ``Statistics``
    with those numpy functions compiles, from the fitness array instead of one key call per individual)."""
    return {"mean": np.mean(fitness), "std": np.std(fitness), "max": np.max(fitness)}


def hall_of_fame_candidates(hof: tools.HallOfFame, genomes: np.ndarray, fitness: np.ndarray) -> list[Individual]:
    """The individuals ``hof.update`` could insert, in population order: all while the Hall of Fame has room,
    else those fitter than its worst (DEAP's update skips the rest, and its worst only rises during an
    update), so ``hof.update(candidates)`` leaves the same Hall of Fame as an update with the whole population."""
    if len(hof) >= hof.maxsize:
        keep = np.flatnonzero(fitness > hof[-1].fitness.wvalues[0])
        genomes, fitness = genomes[keep], fitness[keep]
    return individuals(genomes, fitness)


def next_generation(
    genomes: np.ndarray, fitness: np.ndarray, toolbox: base.Toolbox, evo: EvolutionSection, block_seed: int = 0,
    rng: random.Random | None = None,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Select parents and vary them: the population is its ``genomes`` array and ``fitness`` array; returns
    the offspring's (genomes, fitness, fell back to uniform sampling).

    Selection draws from ``rng`` (the loop's per-generation generator; ``random.Random(0)``
    when not given), then seeds the numpy generator that varies block 0; every later block
    is varied with its own ``numpy.random.default_rng([block_seed, block])``, so genes added by
    later versions leave the draws of the earlier ones unchanged. The global ``random`` is never used.
    Variation works on the offspring as one new array (``vary_block``); offspring left unchanged keep their
    parent's fitness, as DEAP's ``varAnd`` leaves them, the others have none (NaN).
    """
    rng = rng if rng is not None else random.Random(0)
    n = fitness.shape[0]
    fallback = bool((fitness <= 0).all())
    if fallback and evo.selection == "proportional":
        parents = toolbox.select_random(n, n, rng=rng)
    else:
        parents = toolbox.select(fitness, n, rng=rng)
    parents = np.asarray(parents, dtype=np.intp)
    offspring = genomes[parents]
    changed = np.zeros(n, dtype=bool)
    for b, genes in enumerate(toolbox.blocks):
        gen = np.random.default_rng(rng.getrandbits(64) if b == 0 else [block_seed, b])
        changed |= vary_block(offspring[:, genes], genes, toolbox, gen)
    return offspring, np.where(changed, np.nan, fitness[parents]), fallback
