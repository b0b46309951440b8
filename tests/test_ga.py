"""DEAP layer: individuals over numpy genomes, copying crossover, cheap clone, selection."""

from __future__ import annotations

import copy
import random

import numpy as np
import pytest
from deap import tools

from agents.genome import default_layout
from evo.config import EvolutionSection
from evo.ga import Individual, clone, cx_two_point_copy, make_toolbox, next_generation, sel_offspring_proportional


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


def test_crossover_swaps_copies_not_views():
    rng = random.Random(0)
    a, b = Individual(np.zeros(10)), Individual(np.ones(10))
    cx_two_point_copy(a, b, rng=rng)
    assert 0 < a.sum() < 10 and a.sum() + b.sum() == 10  # a segment was exchanged, nothing duplicated
    assert np.array_equal(a + b, np.ones(10))


def test_offspring_proportional_sampling_follows_fitness():
    rng = random.Random(1)
    pop = population([0.0, 1.0, 3.0])
    chosen = sel_offspring_proportional(pop, 4000, rng=rng)
    counts = np.bincount([int(ind[0]) for ind in chosen], minlength=3)
    assert counts[0] == 0  # no offspring, no descendants
    assert counts[2] / counts[1] == pytest.approx(3.0, rel=0.15)


def test_no_reproduction_falls_back_to_uniform_sampling():
    rng = random.Random(2)
    layout = default_layout()
    evo = EvolutionSection()
    pop = [Individual(g) for g in layout.random(50, np.random.default_rng(0))]
    for ind in pop:
        ind.fitness.values = (0.0,)
    offspring, fallback = next_generation(pop, make_toolbox(layout, evo), evo, rng=rng)
    assert fallback and len(offspring) == 50
    low, high = layout.bounds()
    genomes = np.stack(offspring)
    assert (genomes >= low).all() and (genomes <= high).all()


def test_tournament_selection_prefers_the_fit():
    rng = random.Random(3)
    evo = EvolutionSection(selection="tournament", tournament_size=3)
    tb = make_toolbox(default_layout(), evo)
    pop = population([float(k) for k in range(20)])
    chosen = tb.select(pop, 200, rng=rng)
    assert np.mean([ind.fitness.values[0] for ind in chosen]) > 12  # uniform would give 9.5


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


def test_operators_match_deap_draw_for_draw_and_leave_global_random_alone():
    """The rng-taking operators are DEAP's: same generator state in, same result out."""
    from evo.ga import mut_polynomial_bounded, sel_tournament

    layout = default_layout()
    low, high = (b.tolist() for b in layout.bounds())
    genome = layout.random(1, np.random.default_rng(5))[0]
    ours, theirs = genome.copy(), genome.copy()
    before = random.getstate()
    mut_polynomial_bounded(ours, 20.0, low, high, 0.5, rng=random.Random(9))
    assert random.getstate() == before
    random.seed(9)
    tools.mutPolynomialBounded(theirs, 20.0, low, high, 0.5)
    assert np.array_equal(ours, theirs)
    pop = population([float(k % 7) for k in range(30)])
    random.seed(4)
    expected = [id(i) for i in tools.selTournament(pop, 50, tournsize=3)]
    assert [id(i) for i in sel_tournament(pop, 50, 3, rng=random.Random(4))] == expected
