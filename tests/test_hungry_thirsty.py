"""The hungry-thirsty world: layout, kernel against its reference, config, the loop, and that drinking matters."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.errors import MesaevoError
from agents.jit import python_twin
from evo.config import validate_config
from evo.simulation import Simulation
from agents.genome import DecodedAgents
from worlds.hungry_thirsty.kernel import run_lifetime, step
from worlds.hungry_thirsty.model import (IGNORES_THIRST, SIZE, VALUES_WATER, make_dist, plan, make_geo,
                                         make_passable)
from worlds.hungry_thirsty.reference import bfs, can_move
from worlds.hungry_thirsty.reference import plan as reference_plan
from worlds.hungry_thirsty.reference import reference_step
from worlds.hungry_thirsty.state import HungryThirstyState, RoomsGrid
from worlds.hungry_thirsty.world import generation_draws
from worlds.registry import world_entry

PASSABLE = make_passable()


def test_layout_is_four_rooms_with_one_door_per_wall():
    # 4 rooms x 12 inner adjacencies, plus 4 doors, each counted from both sides
    assert int(PASSABLE.sum()) == 2 * (4 * 12 + 4)
    for geo in (make_geo(False), make_geo(True)):
        dist = make_dist(PASSABLE, geo)
        assert (dist >= 0).all()
        assert dist[0, geo[3], geo[2]] == dist[1, geo[1], geo[0]] == 10  # food and water 10 moves apart
        ref = bfs((int(geo[0]), int(geo[1])))
        assert all(ref[(x, y)] == dist[0, y, x] for y in range(SIZE) for x in range(SIZE))
    assert list(make_geo(False)) == [0, 0, 5, 5] and list(make_geo(True)) == [5, 5, 0, 0]
    for y in range(SIZE):
        for x in range(SIZE):
            for o, (dx, dy) in enumerate(((0, -1), (0, 1), (1, 0), (-1, 0))):
                assert bool(PASSABLE[y, x, o]) == can_move(x, y, x + dx, y + dy)


def _case(seed: int, n: int, relocated: bool, thirsty: bool):
    rng = np.random.default_rng(seed)
    weights = rng.uniform(-1, 1, (n, 6))
    weights[rng.random((n, 6)) < 0.2] = 0.0  # ties
    weights[0] = VALUES_WATER if seed % 2 else IGNORES_THIRST
    depth = rng.integers(1, 4, n).astype(np.int64)
    geo = make_geo(relocated)
    sx, sy = (int(v) for v in rng.integers(0, SIZE, 2))
    state = HungryThirstyState.start(n, sx, sy, thirsty)
    state.thirsty[1:] = rng.random(n - 1) < 0.5  # agent 0 keeps the start's thirst
    return weights, depth, geo, make_dist(PASSABLE, geo), state


def _copy(s: HungryThirstyState) -> HungryThirstyState:
    return s.copy()


@pytest.mark.twin
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32), n=st.integers(1, 5), relocated=st.booleans(), thirsty=st.booleans(),
       thirst_prob=st.sampled_from([0.0, 0.1, 0.5, 1.0]), steps=st.integers(1, 25), mirror=st.booleans())
def test_kernel_matches_reference_step_by_step(seed, n, relocated, thirsty, thirst_prob, steps, mirror):
    """Random objectives, with and without the fitness-mirroring leaf value (``mirror``)."""
    weights, depth, geo, dist, fast = _case(seed, n, relocated, thirsty)
    slow = _copy(fast)
    kseed = np.uint64(seed * 2654435761 % 2**64)
    genes, grid = DecodedAgents.planners(weights, depth), RoomsGrid(PASSABLE, dist, geo)
    for t in range(1, steps + 1):
        step(kseed, t, genes, grid, fast, thirst_prob, mirror)
        reference_step(kseed, t, genes, grid, slow, thirst_prob, mirror)
        for a, b in zip(fast, slow):
            np.testing.assert_array_equal(a, b)


@pytest.mark.twin
def test_planner_matches_reference_and_py_func():
    rng = np.random.default_rng(3)
    for relocated in (False, True):
        geo = make_geo(relocated)
        dist = make_dist(PASSABLE, geo)
        for _ in range(40):
            w = rng.uniform(-1, 1, 6)
            depth, sx, sy, thirsty = int(rng.integers(1, 4)), int(rng.integers(6)), int(rng.integers(6)), bool(rng.random() < 0.5)
            for mirror in (False, True):
                args = (w, depth, sx, sy, thirsty, PASSABLE, dist, geo, mirror)
                assert plan(*args) == python_twin(plan)(*args) == reference_plan(w, depth, sx, sy, thirsty, geo,
                                                                                 mirror)


def _food_eaten(w: np.ndarray, seeds: range, start_thirsty: bool = True, n: int = 20, mirror: bool = False,
                depth: int = 2, drinks: bool = False) -> float:
    """Mean food eaten (or, ``drinks``, drinks) over ``n`` agents per seed, all with objective ``w`` at ``depth``,
    100 steps (``mirror``: with the fitness-mirroring leaf value)."""
    geo = make_geo(False)
    dist = make_dist(PASSABLE, geo)
    eaten = []
    for s in seeds:
        sx, sy, kseed = generation_draws(s, 0, geo)
        state = HungryThirstyState.start(n, sx, sy, start_thirsty)
        run_lifetime(kseed, 100, DecodedAgents.planners(np.tile(w, (n, 1)), np.full(n, depth)),
                     RoomsGrid(PASSABLE, dist, geo), state, 0.1, mirror)
        eaten.append(state.features[:, 1 if drinks else 0].mean())
    return float(np.mean(eaten))


@pytest.mark.slow
def test_an_objective_that_values_water_eats_more_than_one_blind_to_thirst():
    seeds = range(10)
    blind, wet = _food_eaten(IGNORES_THIRST, seeds), _food_eaten(VALUES_WATER, seeds)
    # Measured (seeds 0-9, 20 agents each, depth 2): blind 0.0 (it waits, thirsty, at the food for ever),
    # wet 63.4 food in 100 steps.
    assert blind == 0.0
    assert wet > 50.0
    # Started not thirsty, both reach the food and eat there for ever (eating in place never makes one thirsty),
    # unless a move on the way made them thirsty: then only the water-valuing one recovers.
    blind0, wet0 = _food_eaten(IGNORES_THIRST, seeds, False), _food_eaten(VALUES_WATER, seeds, False)
    # Measured: blind 62.1, wet 83.2.
    assert 0 < blind0 and wet0 > blind0 + 10


def test_config_validates_and_rejects_unknown_keys():
    cfg = validate_config({"world": {"kind": "hungry-thirsty"}, "agents": {"architecture": "planner"}})
    assert (cfg.world.steps, cfg.world.thirst_prob, cfg.world.start_thirsty) == (100, 0.1, True)
    assert world_entry("hungry-thirsty").planners_only
    with pytest.raises(MesaevoError, match="unknown key 'world.width' \\(in a world of kind 'hungry-thirsty'\\)"):
        validate_config({"world": {"kind": "hungry-thirsty", "width": 4}})
    with pytest.raises(MesaevoError, match="thirst_prob"):
        validate_config({"world": {"kind": "hungry-thirsty", "thirst_prob": 1.5}})
    with pytest.raises(MesaevoError, match="planners only"):
        validate_config({"world": {"kind": "hungry-thirsty"}, "agents": {"architecture": "reactive"}})


def test_scenario_runs_and_produces_a_finite_table(tmp_path):
    tables = Simulation.from_scenario("hungry-thirsty", {"run.generations": 3, "agents.population": 20},
                                      out=tmp_path / "r").run()
    g = tables.generations
    assert len(g) == 3
    cols = ["fitness_mean", "fitness_max", "food_mean", "drinks_mean", "thirsty_share", "nodes_mean",
            "gene_w_drank_mean", "feat_thirsty_mean"]
    assert np.isfinite(g[cols].to_numpy(dtype=float)).all()
    assert (g["n_agents"] == 20).all()


def test_relocation_swaps_food_and_water(tmp_path):
    cfg = validate_config({"run": {"generations": 4, "seed": 3}, "world": {"kind": "hungry-thirsty", "steps": 20},
                           "agents": {"population": 10, "architecture": "planner"},
                           "shifts": [{"kind": "relocation", "generation": 2}]})
    from evo.loop import Evolution
    rows = [r.row for r in Evolution(cfg).run()]
    assert [(r["food_x"], r["water_x"]) for r in rows] == [(0, 5), (0, 5), (5, 0), (5, 0)]
    again = [r.row for r in Evolution(cfg).run()]
    assert [r["fitness_mean"] for r in rows] == [r["fitness_mean"] for r in again]


@pytest.mark.slow  # seven 100-step populations: a second compiled, minutes as plain Python (the JIT-off pass)
def test_the_fitness_mirroring_planner_drinks_then_eats():
    """Food alone (``FITNESS_WEIGHTS``) sees no meal within a thirsty agent's horizon and never eats; with the
    model's leaf value (steps to the next meal, ``mirror``) the same planner walks to the water, drinks and
    eats, at every depth."""
    from worlds.hungry_thirsty.model import FITNESS_WEIGHTS

    seeds = range(10)
    assert _food_eaten(FITNESS_WEIGHTS, seeds, depth=3) == 0.0
    for depth in (1, 3):
        # Measured (seeds 0-9, 20 agents each): 2.9 drinks and 63.4 food in 100 steps at depths 1-3 (the
        # hand-set VALUES_WATER objective eats 63.4 at depth 2); started not thirsty, 83.2.
        assert _food_eaten(FITNESS_WEIGHTS, seeds, mirror=True, depth=depth, drinks=True) > 1.0
        assert _food_eaten(FITNESS_WEIGHTS, seeds, mirror=True, depth=depth) > 50.0
        assert _food_eaten(FITNESS_WEIGHTS, seeds, False, mirror=True, depth=depth) > 70.0
