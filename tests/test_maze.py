"""The maze world: generator, planner proxies, kernel against its reference, the loop, the scenario."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.jit import python_twin
from agents.visits import new_visits
from agents.genome import DecodedAgents
from worlds.maze.model import AWAY_FROM_ORIGIN, GO_TO_CORNER, plan
from evo.config import validate_config
from agents.errors import MesaevoError
from evo.loop import Evolution
from evo.scenarios import load_config
from agents.rng import stream
from worlds.maze.generator import distances_from, make_maze, origin_of
from worlds.maze.kernel import run_lifetime, step
from worlds.maze.reference import plan as reference_plan
from worlds.maze.reference import reference_step
from worlds.maze.state import MazeGrid, MazeState


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(3, 12), cols=st.integers(3, 12), braid=st.floats(0, 1), seed=st.integers(0, 2**32),
       relocated=st.booleans(), region=st.integers(1, 3))
def test_every_generated_exit_and_cell_is_reachable(rows, cols, braid, seed, relocated, region):
    region = min(region, (min(rows, cols) - 1) // 2)
    maze = make_maze(rows, cols, braid, region, relocated, np.random.default_rng(seed))
    oy, ox = origin_of(rows, cols)
    dist = distances_from(maze.open, ox, oy)
    ex, ey = maze.exit_xy
    assert dist[ey, ex] > 0
    cells = maze.open[1::2, 1::2]
    assert cells.all() and (dist[1::2, 1::2] >= 0).all()
    assert (maze.open[0] == 0).all() and (maze.open[-1] == 0).all()
    assert (maze.open[:, 0] == 0).all() and (maze.open[:, -1] == 0).all()
    assert bool(maze.region[ey, ex]) != relocated
    assert maze.sight[ey, ex] == 1


def test_maze_is_a_function_of_seed_and_generation():
    a = make_maze(6, 6, 0.5, 1, False, stream(3, "maze", 4))
    b = make_maze(6, 6, 0.5, 1, False, stream(3, "maze", 4))
    c = make_maze(6, 6, 0.5, 1, False, stream(3, "maze", 5))
    np.testing.assert_array_equal(a.open, b.open)
    assert not np.array_equal(a.open, c.open)


def _open_maze(rows=7, cols=7, relocated=False):
    return make_maze(rows, cols, 1.0, 1, relocated, np.random.default_rng(0))  # braid 1: no inner walls


def test_corner_proxy_walks_to_the_corner_and_origin_proxy_walks_away():
    maze = _open_maze(relocated=True)
    for w, check in ((GO_TO_CORNER, "corner"), (AWAY_FROM_ORIGIN, "origin")):
        weights = np.tile(w, (1, 1))
        state = MazeState.start(maze, 1)
        run_lifetime(20, DecodedAgents.planners(weights, np.array([2])), MazeGrid.of(maze), state)
        x, y = int(state.x[0]), int(state.y[0])
        ox, oy = int(maze.geo[4]), int(maze.geo[5])
        if check == "corner":
            assert state.corner_at[0] > 0 and maze.region[y, x]
        else:
            assert abs(x - ox) + abs(y - oy) == 12  # as far as an open 7 x 7 maze allows


def _random_case(seed: int, n: int, rows: int, cols: int, braid: float, relocated: bool):
    rng = np.random.default_rng(seed)
    maze = make_maze(rows, cols, braid, 1, relocated, rng)
    weights = rng.uniform(-1, 1, (n, 6))
    weights[rng.random((n, 6)) < 0.2] = 0.0  # ties
    depth = rng.integers(1, 4, n).astype(np.int64)
    return maze, weights, depth


@pytest.mark.twin
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32), n=st.integers(1, 5), rows=st.integers(3, 6), cols=st.integers(3, 6),
       braid=st.floats(0, 1), relocated=st.booleans(), steps=st.integers(1, 12))
def test_kernel_matches_reference_step_by_step(seed, n, rows, cols, braid, relocated, steps):
    maze, weights, depth = _random_case(seed, n, rows, cols, braid, relocated)
    fast, slow = MazeState.start(maze, n), MazeState.start(maze, n)
    genes, grid = DecodedAgents.planners(weights, depth), MazeGrid.of(maze)
    for t in range(1, steps + 1):
        step(t, genes, grid, fast)
        reference_step(t, genes, grid, slow)
        for a, b in zip(fast, slow):
            np.testing.assert_array_equal(a, b)


@pytest.mark.twin
def test_planner_matches_reference_and_py_func():
    maze, weights, depth = _random_case(11, 8, 5, 5, 0.4, True)
    h, w = maze.open.shape
    visited = new_visits(1, h * w)[0]  # nothing visited yet
    for i in range(8):
        args = (weights[i], int(depth[i]), int(maze.geo[4]), int(maze.geo[5]), visited, maze.open, maze.sight, maze.geo)
        assert plan(*args) == python_twin(plan)(*args) == reference_plan(*args)


def maze_config(**extra) -> dict:
    base = {"run": {"generations": 6, "seed": 2}, "world": {"kind": "maze", "rows": 5, "cols": 5, "steps": 20},
            "agents": {"population": 30, "max_depth": 2}, "shifts": [{"kind": "relocation", "generation": 4}]}
    base.update(extra)
    return base


def test_maze_runs_in_the_same_loop_and_records_shift_columns():
    cfg = validate_config(maze_config())
    rows = [r.row for r in Evolution(cfg).run()]
    assert [r["relocation"] for r in rows] == [0, 0, 0, 0, 1, 1]
    assert [r["exit_in_region"] for r in rows] == [True] * 4 + [False] * 2
    for r in rows:
        assert 0 <= r["success_rate"] <= 1
        if not r["relocation"]:  # the exit lies inside the corner region: reaching it is reaching the region
            assert r["success_rate"] <= r["corner_arrival_rate"]
        assert {"fitness_mean", "L1_spearman", "gene_w_corner_mean", "frozen", "shifts_active"} <= set(r)
    again = [r.row for r in Evolution(cfg).run()]
    assert [r["fitness_mean"] for r in rows] == [r["fitness_mean"] for r in again]


@pytest.mark.parametrize("world, fragment", [
    ({"kind": "maze", "row": 4}, "did you mean 'world.rows'"),
    ({"kind": "mase"}, "did you mean 'maze'"),
    ({"kind": "maze", "width": 4}, "unknown key 'world.width' \\(in a world of kind 'maze'\\)"),
    ({"kind": "maze", "exit_region": 9}, "world: exit_region = 9 is larger than the maze"),
    ({"kind": "maze", "exit_region": 7}, "no exit lies outside it"),
])
def test_maze_config_errors(world, fragment):
    with pytest.raises(MesaevoError, match=fragment):
        validate_config({"world": world})


def test_maze_rejects_foraging_shifts_and_reactive_agents():
    with pytest.raises(MesaevoError, match="does not apply to this world"):
        validate_config(maze_config(shifts=[{"kind": "superstimulus", "generation": 2}]))
    with pytest.raises(MesaevoError, match="planners only"):
        validate_config(maze_config(agents={"architecture": "reactive"}))


def test_foraging_world_keys_are_unchanged():
    cfg = validate_config({"world": {"width": 20}})
    assert cfg.world.kind == "foraging" and cfg.world.width == 20


@pytest.mark.slow
def test_maze_corner_agents_go_to_the_old_corner_after_the_shift():
    """Frozen at the shift (train-test), seeds 1-10 (the unit): trained agents find the exit (mean success
    before the shift > 0.8) and after it reach the old corner more often than the exit (90% t interval of
    corner - success above 0). Per-seed thresholds over seeds 1-3 were seed luck: with the vectorised GA
    seed 2's margin is 0.08; margins over seeds 1-10 range -0.33..0.70 (old GA draws -0.69..0.78)."""
    before, margins = [], []
    for seed in range(1, 11):
        _, cfg = load_config("maze-corner", {"run.generations": 40, "run.seed": seed, "shifts.0.generation": 30,
                                             "deployment.freeze_at": 30, "agents.population": 60})
        rows = [r.row for r in Evolution(cfg).run()]
        before.append(np.mean([r["success_rate"] for r in rows if 20 <= r["generation"] < 30]))
        after = [r for r in rows if r["generation"] >= 30]
        margins.append(np.mean([r["corner_arrival_rate"] for r in after]) - np.mean([r["success_rate"] for r in after]))
    assert np.mean(before) > 0.8, before
    d = np.array(margins)
    assert d.mean() - 1.833 * d.std(ddof=1) / np.sqrt(len(d)) > 0.0, margins  # t(9): two-sided 90% interval


@pytest.mark.parametrize("origin", ["centre", "corner"])
def test_training_region_may_be_the_whole_maze_and_the_test_exit_is_its_own_setting(origin):
    """Region = whole maze: training exits anywhere; the test distribution is set independently."""
    oy, ox = origin_of(5, 5, origin)
    assert (oy, ox) == ((1, 1) if origin == "corner" else (5, 5))
    train = [make_maze(5, 5, 0.5, 5, False, np.random.default_rng(s), origin, "anywhere") for s in range(30)]
    assert all(m.region[m.exit_xy[1], m.exit_xy[0]] for m in train)
    assert len({m.exit_xy for m in train}) > 5 and all(m.exit_xy != (ox, oy) for m in train)
    assert all((int(m.geo[4]), int(m.geo[5])) == (ox, oy) for m in train)
    test = [make_maze(5, 5, 0.5, 2, True, np.random.default_rng(s), origin, "anywhere") for s in range(60)]
    assert any(m.region[m.exit_xy[1], m.exit_xy[0]] for m in test)  # "anywhere" includes the old region
    assert any(not m.region[m.exit_xy[1], m.exit_xy[0]] for m in test)
    outside = [make_maze(5, 5, 0.5, 2, True, np.random.default_rng(s), origin, "outside") for s in range(30)]
    assert not any(m.region[m.exit_xy[1], m.exit_xy[0]] for m in outside)


def test_maze_config_accepts_a_whole_maze_region_with_a_test_exit_anywhere():
    cfg = validate_config({"world": {"kind": "maze", "exit_region": 7, "test_exit": "anywhere",
                                     "origin": "corner"}})
    assert cfg.world.exit_region == 7 and cfg.world.origin == "corner"
