"""Task diversity (``worlds.foraging.tasks``) and the cost of search (``world.planning_cost``).

The draws and the planning cost are checked against their reference twins; ``K = 1`` with the defaults is
checked against the golden digests recorded before task diversity existed.
"""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.jit import python_twin
from evo.simulation import Simulation
from tests.golden_tables import run_digests, small_overrides
from tests.test_golden_tables import RECORDED
from tests.test_kernels import BASE, assert_same, random_world
from worlds.foraging.config import ForagingSection
from worlds.foraging.lifetime import step_world
from worlds.foraging.params import pack_params
from worlds.foraging.reference import reference_step
from worlds.foraging.task_draw import active_set, pick_task, reference_active_set, reference_pick_task
from worlds.foraging.tasks import DIET_NAMES, TaskPool


@pytest.mark.twin
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**64 - 1), epoch=st.integers(0, 10**6), pool=st.integers(1, 40), data=st.data())
def test_task_draws_match_their_twins(seed, epoch, pool, data):
    k = data.draw(st.integers(1, pool))
    s = np.uint64(seed)
    got = active_set(s, epoch, k, pool)
    assert got.tolist() == python_twin(active_set)(s, epoch, k, pool).tolist() \
        == reference_active_set(seed, epoch, k, pool)
    assert len(set(got.tolist())) == k and all(0 <= i < pool for i in got)
    gen = data.draw(st.integers(0, 10**6))
    assert pick_task(s, gen, got) == python_twin(pick_task)(s, gen, got) \
        == reference_pick_task(seed, gen, got.tolist())


def test_task_draws_are_uniform():
    """Each pool entry is in the active set in about K/P of the epochs; each member of a set is lived in about
    1/K of the lifetimes (binomial bounds at about 5 standard deviations)."""
    seed, pool, k, epochs = np.uint64(7), 6, 2, 6000
    counts = np.zeros(pool)
    for e in range(epochs):
        counts[active_set(seed, e, k, pool)] += 1
    p = k / pool
    assert np.all(np.abs(counts - epochs * p) < 5 * np.sqrt(epochs * p * (1 - p)))
    active = np.array([3, 5, 1], dtype=np.int64)
    picks = np.array([pick_task(seed, g, active) for g in range(6000)])
    for a in active:
        assert abs((picks == a).sum() - 2000) < 5 * np.sqrt(6000 * (1 / 3) * (2 / 3))


def _world(pool: int, tasks: int, period: int) -> ForagingSection:
    return ForagingSection(width=24, height=20, food_patches=4, patch_radius=2.0, task_pool=pool, tasks=tasks, task_period=period)


def test_active_set_is_redrawn_every_period_and_lifetimes_draw_from_it():
    tp = TaskPool(_world(8, 3, 4), root=3)
    for g in range(40):
        assert tp.active(g).tolist() == tp.active(4 * (g // 4)).tolist()  # fixed within an epoch
        assert tp.task_for(g).index in tp.active(g).tolist()
    assert len({tuple(tp.active(4 * e).tolist()) for e in range(10)}) > 1  # and redrawn across epochs


def test_pool_entries_differ_in_layout_and_diet():
    tp = TaskPool(_world(12, 1, 1), root=3)
    own = tp.entry(0)
    assert own.landscape is None and own.params == {} and own.sugar_level is None
    entries = [tp.entry(i) for i in range(1, 12)]
    assert len({e.landscape.food_cap.tobytes() for e in entries}) == 11  # food lies elsewhere in every entry
    assert len({e.landscape.hazard.tobytes() for e in entries}) > 5  # and so do hazards (a few may coincide)
    assert {e.diet for e in entries} == set(DIET_NAMES)
    harms = [e for e in entries if e.diet == "sugar-food-harms"][0]
    assert harms.params["food_energy"] < 0 < harms.params["sugar_energy"]
    assert tp.entry(5) is tp.entry(5)  # drawn once per run


def test_tasks_larger_than_the_pool_is_refused():
    with pytest.raises(ValueError, match="world.tasks = 3 is larger than world.task_pool = 2"):
        _world(2, 3, 1)


@pytest.mark.twin
@pytest.mark.parametrize("seed, cost", [(11, 0.0), (12, 0.02), (13, 0.3)])
def test_planning_cost_matches_the_reference_and_charges_each_node(seed, cost):
    """Kernel and reference agree with search costing ``cost`` per node; one step's energy differs from the
    free-search step by exactly ``cost`` x the nodes each agent expanded (no other cost depends on it)."""
    agents, state = random_world(seed, 7, 8, 12, 3, "evolved", 5.0)
    assert 0 < (agents.architecture == 1).sum() < agents.n  # a mixed population
    free, ref = state.copy(), state.copy()
    params = pack_params({**BASE, "planning_cost": cost})
    step_world(state, agents.copy(), params, seed, 0)
    reference_step(ref, agents.copy(), params, seed, 0)
    assert_same(state, ref, 0)
    step_world(free, agents.copy(), pack_params({**BASE, "planning_cost": 0.0}), seed, 0)
    both = (state.alive == 1) & (free.alive == 1)
    assert state.nodes[agents.architecture == 0].sum() == 0  # reactive agents search nothing
    np.testing.assert_allclose(free.energy[both] - state.energy[both], cost * state.nodes[both], atol=1e-12)
    if cost > 0:
        assert (state.nodes[both] > 0).any()


@pytest.mark.golden
def test_one_task_with_the_defaults_is_bit_identical_to_the_recorded_tables(tmp_path):
    """``world.tasks = 1`` from a pool of 1 (any period) reproduces the digests recorded before task diversity."""
    over = {**small_overrides("ancestral", "foraging", False, False), "agents.architecture": "evolved",
            "world.tasks": 1, "world.task_pool": 1, "world.task_period": 3}
    Simulation.from_scenario("ancestral", over, out=tmp_path / "run").run()
    assert run_digests(tmp_path / "run") == RECORDED["ancestral/evolved"]


def test_a_diverse_run_records_the_task_lived_in(tmp_path):
    over = {**small_overrides("ancestral", "foraging", False, False), "agents.architecture": "evolved",
            "world.tasks": 2, "world.task_pool": 5, "world.task_period": 2, "run.generations": 6}
    Simulation.from_scenario("ancestral", over, out=tmp_path / "run").run()
    table = pq.read_table(tmp_path / "run" / "generations.parquet").to_pandas()
    tp = TaskPool(_world(5, 2, 2), root=5)  # the same seed (small_overrides) and pool arithmetic
    assert table["task"].tolist() == [tp.task_for(g).index for g in range(6)]
    assert set(table["task_diet"]) <= set(DIET_NAMES)
    planners = table["planner_share"] > 0
    assert table.loc[planners, "depth_mean"].between(1, 2).all()  # max_depth 2 at the small size


def test_preflight_estimates_a_mixed_population_as_if_every_agent_planned_at_full_depth():
    """The worst case of a run whose architecture and depth genes evolve: every agent a depth-3 planner."""
    from evo.preflight import SECONDS_PER_NODE, estimate
    from evo.scenarios import load_config

    over = {"agents.max_depth": 3, "agents.population": 50, "world.steps": 40, "run.generations": 10,
            "world.task_pool": 8, "world.tasks": 4}
    mixed = estimate(load_config("ancestral", {**over, "agents.architecture": "evolved"})[1])
    planners = estimate(load_config("ancestral", {**over, "agents.architecture": "planner"})[1])
    assert mixed.seconds == planners.seconds
    assert mixed.seconds >= 10 * 40 * 50 * (5 + 25 + 125) * SECONDS_PER_NODE


def test_the_shipped_phase_sweep_is_valid_and_starts_every_run_at_planner_share_one_half():
    """The sweep file validates (every run's config), spans K, cost and T with 5+ seeds, and lets the
    architecture and depth genes evolve (``evolved``, max depth 3), so the initial share is 0.5 in law."""
    import tomllib
    from pathlib import Path

    from evo.sweep import build_sweep

    path = Path(__file__).parents[1] / "examples" / "when-optimizers-arise.sweep.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    sweep = build_sweep(data, root=path.parent)
    assert len(data["seeds"]) >= 5 and len(sweep.runs) == 5 * 5 * 3 * len(data["seeds"])
    assert data["set"]["agents.architecture"] == "evolved" and data["set"]["agents.max_depth"] == 3


def test_more_tasks_than_the_pool_is_one_error_line_and_writes_nothing(tmp_path, capsys):
    from evo.cli import main

    out = tmp_path / "r"
    assert main(["run", "ancestral", "--no-plot", "--out", str(out), "--set", "world.tasks=3",
                 "--set", "world.task_pool=2"]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and "Traceback" not in err
    assert "world.tasks = 3 is larger than world.task_pool = 2" in err
    assert not out.exists()
