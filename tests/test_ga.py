"""DEAP layer: individuals over numpy genomes, copying crossover, cheap clone, selection."""

from __future__ import annotations

import copy
import random

import numpy as np
import pytest
from deap import tools

from worlds.foraging.genome import genome_layout as default_layout
from evo.config import EvolutionSection
from evo.ga import (Individual, clone, cx_two_point_rows, make_toolbox, mut_polynomial_bounded_rows, next_generation,
                    sel_offspring_proportional)


def population(fitnesses: list[float]) -> list[Individual]:
    pop = []
    for k, f in enumerate(fitnesses):
        ind = Individual(np.full(5, float(k)))
        ind.fitness.values = (f,)
        pop.append(ind)
    return pop


def test_clone_copies_genome_and_fitness_independently():
    ind = population([3.0])[0]
    twin = clone(ind)
    twin[0] = 99.0
    assert ind[0] == 0.0 and twin.fitness.values == (3.0,)
    del twin.fitness.values
    assert ind.fitness.valid
    assert copy.deepcopy(ind).fitness.values == (3.0,)


def test_crossover_swaps_segments_of_neighbouring_rows():
    genes = np.vstack([np.zeros((3, 10)), np.ones((3, 10))])[[0, 3, 1, 4, 2, 5]]  # pairs (0, 1): zeros with ones
    crossed = cx_two_point_rows(genes, 1.0, rng=np.random.default_rng(0))
    assert crossed[:6].all()
    for k in range(3):
        a, b = genes[2 * k], genes[2 * k + 1]
        assert 0 < a.sum() < 10 and np.array_equal(a + b, np.ones(10))  # a segment was exchanged, nothing duplicated
        changed = np.flatnonzero(a == 1)
        assert np.array_equal(changed, np.arange(changed[0], changed[-1] + 1))  # one contiguous segment
    untouched = np.arange(12.0).reshape(2, 6)
    assert not cx_two_point_rows(untouched, 0.0, rng=np.random.default_rng(0)).any()
    assert np.array_equal(untouched, np.arange(12.0).reshape(2, 6))


def test_crossover_segments_follow_deaps_two_point_distribution():
    """Segment (start, end) frequencies of the array crossover match DEAP's ``cxTwoPoint`` on 6 genes."""
    size, draws = 6, 20000
    ours = np.vstack([np.zeros((draws, size)), np.ones((draws, size))])
    ours = ours[np.arange(2 * draws).reshape(2, draws).T.ravel()]  # rows alternate zeros, ones
    cx_two_point_rows(ours, 1.0, rng=np.random.default_rng(1))
    cells = ours[0::2] == 1
    starts, ends = cells.argmax(axis=1), size - cells[:, ::-1].argmax(axis=1)
    random.seed(2)
    theirs = []
    for _ in range(draws):
        a, b = [0.0] * size, [1.0] * size
        tools.cxTwoPoint(a, b)
        idx = [k for k in range(size) if a[k] == 1.0]
        theirs.append((idx[0], idx[-1] + 1))
    keys = sorted(set(theirs) | set(zip(starts.tolist(), ends.tolist())))
    assert len(keys) == size * (size - 1) // 2  # every segment [a, b) with 1 <= a < b <= size
    f_ours = np.array([np.mean((starts == s) & (ends == e)) for s, e in keys])
    f_theirs = np.array([theirs.count(k) / draws for k in keys])
    assert np.abs(f_ours - f_theirs).max() < 0.012  # ~5 standard errors of the difference


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic: largest gap between the empirical CDFs."""
    grid = np.sort(np.concatenate([a, b]))
    cdf_a = np.searchsorted(np.sort(a), grid, side="right") / len(a)
    cdf_b = np.searchsorted(np.sort(b), grid, side="right") / len(b)
    return float(np.abs(cdf_a - cdf_b).max())


def deap_mutations(x: float, eta: float, low: float, up: float, draws: int, seed: int) -> np.ndarray:
    random.seed(seed)
    return np.array([tools.mutPolynomialBounded([x], eta, [low], [up], 1.0)[0][0] for _ in range(draws)])


@pytest.mark.parametrize("x, eta, low, up", [(0.0, 20.0, -1.0, 1.0), (0.9, 20.0, -1.0, 1.0), (1.0, 2.0, 0.0, 5.0),
                                             (4.5, 0.5, 0.0, 5.0)])
def test_polynomial_mutation_has_deaps_distribution(x, eta, low, up):
    """KS test, 4000 mutated genes each, at 0.1% (critical D = 1.95 * sqrt(2 / 4000)); the same test tells
    a wrong eta apart."""
    draws = 4000
    critical = 1.95 * np.sqrt(2 / draws)
    genes = np.full((draws, 1), x)
    rows = mut_polynomial_bounded_rows(genes, np.array([low]), np.array([up]), eta, 1.0, 1.0,
                                       rng=np.random.default_rng(3))
    assert rows.all() and (genes >= low).all() and (genes <= up).all()
    ours = genes[:, 0]
    assert ks_statistic(ours, deap_mutations(x, eta, low, up, draws, 4)) < critical
    assert ks_statistic(ours, deap_mutations(x, 4 * eta, low, up, draws, 5)) > critical
    assert ks_statistic(ours, deap_mutations(x, eta / 4, low, up, draws, 6)) > critical


def test_mutation_hits_rows_and_genes_at_their_rates():
    n, size = 4000, 10
    genes = np.full((n, size), 0.25)
    rows = mut_polynomial_bounded_rows(genes, np.zeros(size), np.ones(size), 20.0, 0.15, 0.3,
                                       rng=np.random.default_rng(7))
    assert rows.mean() == pytest.approx(0.3, abs=0.03)
    assert (genes[~rows] == 0.25).all()
    assert (genes[rows] != 0.25).mean() == pytest.approx(0.15, abs=0.015)


def test_variation_is_a_function_of_the_seeds_and_leaves_global_random_alone():
    layout = default_layout()
    evo = EvolutionSection()
    tb = make_toolbox(layout, evo)

    def offspring(seed: int, block_seed: int) -> np.ndarray:
        genomes, fitness = layout.random(40, np.random.default_rng(0)), np.arange(40.0) % 4
        return next_generation(genomes, fitness, tb, evo, block_seed, random.Random(seed))[0]

    before = random.getstate()
    a, b = offspring(1, 2), offspring(1, 2)
    assert random.getstate() == before
    assert np.array_equal(a, b)
    c = offspring(1, 3)  # another seed for the later blocks: block 0 unchanged, the later blocks differ
    first = layout.blocks()[0]
    assert np.array_equal(a[:, first], c[:, first]) and not np.array_equal(a, c)
    assert not np.array_equal(a, offspring(9, 2))


def test_offspring_proportional_sampling_follows_fitness():
    rng = random.Random(1)
    chosen = sel_offspring_proportional(np.array([0.0, 1.0, 3.0]), 4000, rng=rng)
    counts = np.bincount(chosen, minlength=3)
    assert counts[0] == 0  # no offspring, no descendants
    assert counts[2] / counts[1] == pytest.approx(3.0, rel=0.15)


def test_no_reproduction_falls_back_to_uniform_sampling():
    rng = random.Random(2)
    layout = default_layout()
    evo = EvolutionSection()
    genomes, fitness = layout.random(50, np.random.default_rng(0)), np.zeros(50)
    offspring, _, fallback = next_generation(genomes, fitness, make_toolbox(layout, evo), evo, rng=rng)
    assert fallback and offspring.shape == (50, layout.size)
    low, high = layout.bounds()
    assert (offspring >= low).all() and (offspring <= high).all()
    _, _, fallback = next_generation(genomes, np.eye(1, 50)[0], make_toolbox(layout, evo), evo, rng=rng)
    assert not fallback


def test_tournament_selection_prefers_the_fit():
    rng = random.Random(3)
    evo = EvolutionSection(selection="tournament", tournament_size=3)
    tb = make_toolbox(default_layout(), evo)
    fitness = np.arange(20.0)
    chosen = tb.select(fitness, 200, rng=rng)
    assert np.mean(fitness[chosen]) > 12  # uniform would give 9.5


def test_the_runs_hall_of_fame_holds_the_best_genomes_it_has_seen():
    """Evolution keeps DEAP's Hall of Fame over numpy genomes: its best matches the best fitness logged."""
    from evo.loop import Evolution
    from evo.scenarios import load_config
    from tests.conftest import TINY

    _, cfg = load_config("ancestral", {**TINY, "run.generations": 3})
    evo = Evolution(cfg)
    list(evo.run())
    best_logged = max(rec["max"] for rec in evo.logbook)
    assert evo.hall_of_fame[0].fitness.values[0] == best_logged
    assert len({ind.tobytes() for ind in evo.hall_of_fame}) == len(evo.hall_of_fame)  # no duplicates


def test_selection_matches_deap_draw_for_draw_and_leaves_global_random_alone():
    """The rng-taking selection is DEAP's: same generator state in, the same individuals out (ties in a
    tournament included: the first aspirant with the best fitness wins)."""
    from evo.ga import sel_random, sel_tournament

    fitness = np.array([float(k % 7) for k in range(30)])
    pop = population(fitness.tolist())
    index = {id(ind): k for k, ind in enumerate(pop)}
    random.seed(4)
    expected_tournament = [index[id(i)] for i in tools.selTournament(pop, 50, tournsize=3)]
    random.seed(5)
    expected_random = [index[id(i)] for i in tools.selRandom(pop, 50)]
    before = random.getstate()
    assert sel_tournament(fitness, 50, 3, rng=random.Random(4)) == expected_tournament
    assert sel_random(30, 50, rng=random.Random(5)) == expected_random
    assert random.getstate() == before  # ours drew from their own generators only


def test_offspring_proportional_sampling_is_the_bisection_of_the_running_total_draw_for_draw():
    """Oracle twin: the same parents as bisecting Python's running float total with the same draws."""
    import bisect
    import itertools

    fitness = np.random.default_rng(6).poisson(2.0, 300).astype(np.float64) * 1.1
    cumulative = list(itertools.accumulate(fitness.tolist()))
    draws = random.Random(8)
    expected = [bisect.bisect_right(cumulative, draws.random() * cumulative[-1]) for _ in range(500)]
    assert sel_offspring_proportional(fitness, 500, rng=random.Random(8)).tolist() == expected


@pytest.mark.parametrize("prob", [0.0, 1.0])
def test_unvaried_offspring_keep_their_parents_fitness_and_varied_ones_lose_it(prob):
    layout = default_layout()
    evo = EvolutionSection(crossover_prob=prob, mutation_prob=prob, mutation_indpb=1.0)
    genomes, fitness = layout.random(20, np.random.default_rng(0)), np.arange(1.0, 21.0)
    before = genomes.copy()
    offspring, offspring_fitness, _ = next_generation(genomes, fitness, make_toolbox(layout, evo), evo, 0,
                                                      random.Random(1))
    assert np.array_equal(genomes, before) and np.array_equal(fitness, np.arange(1.0, 21.0))  # parents untouched
    for genome, f in zip(offspring, offspring_fitness):
        if prob == 0.0:
            assert np.array_equal(genome, genomes[int(f) - 1])
        else:
            assert np.isnan(f) and not any(np.array_equal(genome, p) for p in genomes)


def test_polynomial_mutation_equals_deaps_formula_in_plain_python_bit_for_bit():
    """Oracle twin: with the same draws, every mutated gene is exactly what DEAP's formula gives in plain Python
    floats (the C library's pow), so the GA's bits do not depend on numpy's SIMD power (AVX-512 or not)."""
    import math

    n, size, eta, indpb, mutpb = 40, 12, 15.0, 0.5, 0.7
    start = np.random.default_rng(1).uniform(-1, 1, (n, size))
    low, up = np.full(size, -1.0), np.full(size, 1.0)
    genes = start.copy()
    rows = mut_polynomial_bounded_rows(genes, low, up, eta, indpb, mutpb, rng=np.random.default_rng(7))
    draws = np.random.default_rng(7)  # replay the draws in the function's order
    assert np.array_equal(draws.random(n) < mutpb, rows)
    r, c = np.nonzero((draws.random((n, size)) <= indpb) & rows[:, None])
    u_all = draws.random(r.shape[0])
    expected = start.copy()
    for k, (i, j) in enumerate(zip(r, c)):
        x, xl, xu, u = float(start[i, j]), -1.0, 1.0, float(u_all[k])
        d1, d2, mut_pow = (x - xl) / (xu - xl), (xu - x) / (xu - xl), 1.0 / (eta + 1.0)
        if u < 0.5:
            val = 2.0 * u + (1.0 - 2.0 * u) * math.pow(1.0 - d1, eta + 1.0)
            dq = math.pow(val, mut_pow) - 1.0
        else:
            val = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * math.pow(1.0 - d2, eta + 1.0)
            dq = 1.0 - math.pow(val, mut_pow)
        expected[i, j] = min(max(x + dq * (xu - xl), xl), xu)
    assert len(r) > 50 and np.array_equal(genes, expected)


def test_hall_of_fame_from_candidates_equals_deaps_update_with_everyone():
    """Passing only the individuals fitter than the Hall of Fame's worst leaves the Hall of Fame DEAP's full
    update would: the same genomes with the same fitness, in the same order, generation after generation."""
    from evo.ga import hall_of_fame_candidates

    rng = np.random.default_rng(3)
    full = tools.HallOfFame(5, similar=np.array_equal)
    fast = tools.HallOfFame(5, similar=np.array_equal)
    skipped = 0
    for _ in range(30):
        fitness = rng.poisson(3.0, 40).astype(np.float64)  # many ties with the worst
        pop = population(fitness.tolist())
        for ind in pop:
            ind[:] = rng.integers(0, 3, ind.shape[0])  # repeated genomes: the similarity check matters
        candidates = hall_of_fame_candidates(fast, np.array(pop), fitness)
        skipped += len(pop) - len(candidates)
        full.update(pop)
        fast.update(candidates)
        assert [ind.fitness.values for ind in fast] == [ind.fitness.values for ind in full]
        assert all(np.array_equal(a, b) for a, b in zip(fast, full))
    assert skipped > 600  # most individuals never reach the update


def test_fitness_statistics_equal_deaps_statistics_bit_for_bit():
    from evo.ga import fitness_statistics

    stats = tools.Statistics(lambda ind: ind.fitness.values[0])
    for name, fn in (("mean", np.mean), ("std", np.std), ("max", np.max)):
        stats.register(name, fn)
    for seed in range(5):
        fitness = np.random.default_rng(seed).poisson(2.5, 501).astype(np.float64)
        assert fitness_statistics(fitness) == stats.compile(population(fitness.tolist()))


def test_genome_array_is_the_stacked_population_as_a_plain_array():
    from evo.ga import genome_array

    pop = [Individual(g) for g in default_layout().random(7, np.random.default_rng(0))]
    genomes = genome_array(pop)
    assert type(genomes) is np.ndarray and np.array_equal(genomes, np.stack(pop))
    genomes[0, 0] = 99.0
    assert pop[0][0] != 99.0  # a copy


def test_crossover_equals_deaps_two_point_swap_in_plain_python_draw_for_draw():
    """Oracle twin: replaying the draws, each crossed pair is DEAP's ``cxTwoPoint`` swap on Python lists."""
    n, size = 30, 9
    start = np.random.default_rng(2).random((n, size))
    genes = start.copy()
    rows = cx_two_point_rows(genes, 0.6, rng=np.random.default_rng(5))
    draws = np.random.default_rng(5)
    crossed = draws.random(n // 2) < 0.6
    a, b = draws.integers(1, size + 1, n // 2), draws.integers(1, size, n // 2)
    expected = start.tolist()
    for k in np.flatnonzero(crossed):
        p1, p2 = int(a[k]), int(b[k])
        if p2 >= p1:
            p2 += 1
        else:
            p1, p2 = p2, p1
        first, second = expected[2 * k], expected[2 * k + 1]
        first[p1:p2], second[p1:p2] = second[p1:p2], first[p1:p2]
    assert crossed.sum() > 5 and np.array_equal(rows[0::2], crossed)
    assert np.array_equal(genes, np.array(expected))
