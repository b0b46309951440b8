"""Small scientific checks: selection works, and the sugar shift breaks the taste proxy.

Each runs a 32x32 world with 250 agents for 20-30 generations (about a second
each). The effect sizes asserted sit well inside what seeds 0-4 showed when
these tests were written (fitness gain 0.7-1.9, final taste weight 0.72-0.93,
taste-fitness correlation drop 0.2-0.5), so they test the mechanism, not a lucky seed.
"""

from __future__ import annotations

import numpy as np
import pytest

from evo.loop import Evolution
from evo.scenarios import load_config

SMALL = {"world.width": 32, "world.height": 32, "world.steps": 200, "world.food_patches": 20,
         "agents.population": 250, "record.entity_every": 0}


def run_rows(scenario: str, **overrides) -> list[dict]:
    _, cfg = load_config(scenario, {**SMALL, **overrides})
    return [r.row for r in Evolution(cfg).run()]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_selection_raises_fitness_and_makes_taste_positive(seed):
    rows = run_rows("ancestral", **{"run.seed": seed, "run.generations": 20})
    fitness = np.array([r["fitness_mean"] for r in rows])
    taste_w = np.array([r["gene_w_taste_mean"] for r in rows])
    assert abs(taste_w[0]) < 0.1  # a random start: weights uniform in [-1, 1]
    assert fitness[-3:].mean() > fitness[:2].mean() + 0.4
    assert taste_w[-3:].mean() > 0.3


@pytest.mark.slow
def test_sugar_shift_lowers_taste_fitness_correlation():
    """The drop of corr(taste, fitness) after the shift, across 10 seeds (the unit): its 90% t interval
    lies above 0. (Per-seed positivity over 3 seeds was too strict: with the old GA draws seed 9 of 0-9
    dropped -0.03, with the vectorised GA seed 1 dropped -0.23; see the commit message.)"""
    drops = []
    for seed in range(10):
        rows = run_rows("sugar", **{"run.seed": seed, "run.generations": 30, "shifts.0.generation": 20})
        corr = np.array([r["corr_taste"] for r in rows])
        assert rows[19]["sugar_level"] == 0.0 and rows[20]["sugar_level"] == 1.0
        assert rows[20]["shifts_active"] == "sugar"
        drops.append(np.nanmean(corr[14:20]) - np.nanmean(corr[20:26]))
    d = np.array(drops)
    half = 1.833 * d.std(ddof=1) / np.sqrt(len(d))  # t(9) 95th percentile: two-sided 90% interval
    assert d.mean() - half > 0.0, drops
