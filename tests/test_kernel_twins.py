"""Every kernel runs the same compiled and as plain Python (``agents.jit.python_twin``).

With JIT on, ``python_twin(f)`` is ``f.py_func``: the kernel's own source run by the
interpreter (the kernels it calls stay compiled). CI runs the kernel tests a second
time with ``NUMBA_DISABLE_JIT=1``, where everything is plain Python.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.jit import python_twin
from agents.nesting.config import pack_nest
from agents.rng import PURPOSE_NOISE, gauss4, hash4, py_gauss4, py_hash4, py_uniform4, uniform4
from tests.test_kernels import BASE, NEST, assert_same, random_world
from worlds.foraging.kernel import crowd_grid, decide, step
from worlds.foraging.model import crowd_near
from worlds.foraging.lifetime import step_world
from worlds.foraging.params import pack_params
from worlds.foraging.reactive import react
from worlds.foraging.params import P
from worlds.foraging.reference import Ref, ref_plan, reference_step
from worlds.foraging.model import plan, planner_world
from agents.visits import new_visits
from worlds.maze.generator import make_maze
from agents.genome import DecodedAgents
from worlds.maze.kernel import step as maze_step
from worlds.maze.state import MazeGrid, MazeState


@pytest.mark.twin
@pytest.mark.parametrize("seed, entity, step_, purpose", [(0, 0, 0, 1), (2**63 + 5, 17, 299, 7 << 32 | 3),
                                                          (123456789, 4095, 1, 10)])
def test_hash_kernels_match_their_twins(seed, entity, step_, purpose):
    s = np.uint64(seed)
    assert int(hash4(s, entity, step_, purpose)) == int(python_twin(hash4)(s, entity, step_, purpose)) \
        == py_hash4(seed, entity, step_, purpose)
    assert uniform4(s, entity, step_, purpose) == py_uniform4(seed, entity, step_, purpose)
    assert gauss4(s, entity, step_, PURPOSE_NOISE, 4) == py_gauss4(seed, entity, step_, PURPOSE_NOISE, 4)


def _world(seed: int, nested: bool):
    n = 10
    agents, state = random_world(seed, 6, 7, n, 3, "planner" if nested else "evolved", 4.0,
                                 capacity=3 * n if nested else None)
    if nested:  # builders: craft-loving planners carrying material, keen to build sub-agents
        agents.nest[:n, :] = 0.9
        agents.weights[:n, 4] = 1.0
        state.carried[:n] = 2.0
    return agents, state, pack_params(BASE), pack_nest({**NEST, "deception": 1.0, "oversight": 1.0} if nested
                                                       else None)


@pytest.mark.twin(itself=True)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_decide_and_react_match_their_twins(seed):
    agents, state, params, nparams = _world(seed, nested=False)
    h, w = state.food.shape
    near = crowd_near(crowd_grid(state.x, state.y, state.alive, state.level, h, w))
    out = []
    for fn in (decide, python_twin(decide)):
        lineage = state.copy().lineage
        action, nodes = np.zeros(agents.n, np.int64), np.zeros(agents.n, np.int64)
        fn(np.uint64(seed), 0, agents, state.grids, state.bodies, lineage, near, params, nparams, agents.n,
           action, nodes)
        out.append((action, nodes))
    for other in out[1:]:
        np.testing.assert_array_equal(out[0][0], other[0])
        np.testing.assert_array_equal(out[0][1], other[1])
    for i in range(agents.n):
        args = (agents.policy[i], state.x[i], state.y[i], state.visited[i], state.food, state.sugar, state.material,
                state.hazard, near)
        assert react(*args) == python_twin(react)(*args)


def _step_with_twin(seed, steps, agents, state, params, nparams) -> None:
    """Step ``state`` with the compiled ``step`` and a copy with its Python twin; every array agrees each step."""
    twin_state, twin_agents = state.copy(), agents.copy()
    cap = state.x.shape[0]
    for t in range(steps):
        for fn, st_, ag in ((step, state, agents), (python_twin(step), twin_state, twin_agents)):
            fn(np.uint64(seed), t, ag, st_.grids, st_.bodies, st_.lineage, params, nparams,
               np.zeros(cap, np.int64), np.zeros(cap, np.int64))
        for name, a in state.arrays().items():
            assert np.array_equal(a, twin_state.arrays()[name], equal_nan=True), (t, name)


@pytest.mark.twin(itself=True)
@pytest.mark.parametrize("seed, nested", [(4, False), (5, True), (6, True)])
def test_step_and_build_match_their_twins(seed, nested):
    """Whole steps (moves, acts, building sub-agents with vetting, upkeep) compiled and as Python agree."""
    agents, state, params, nparams = _world(seed, nested)
    _step_with_twin(seed, 6, agents, state, params, nparams)
    if nested:
        assert state.n_used[0] > 10  # sub-agents were built, so the build kernel ran both ways


@pytest.mark.twin(itself=True)
def test_maze_step_matches_its_twin():
    maze = make_maze(7, 7, 0.5, 1, False, np.random.default_rng(3))
    weights = np.random.default_rng(4).uniform(-1, 1, (5, 6))
    depth = np.array([1, 2, 3, 2, 1])
    a, b = MazeState.start(maze, 5), MazeState.start(maze, 5)
    for t in range(1, 8):
        maze_step(t, DecodedAgents.planners(weights, depth), MazeGrid.of(maze), a)
        python_twin(maze_step)(t, DecodedAgents.planners(weights, depth), MazeGrid.of(maze), b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


# --------------------------------------------------------------------------- the fitness-mirroring objective

FITNESS = {**BASE, "fitness_objective": 1.0}


@pytest.mark.twin
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 12), max_depth=st.integers(1, 3),
       energy0=st.floats(1.0, 6.0), steps=st.integers(1, 4))
def test_fitness_objective_kernel_matches_reference(seed, n, max_depth, energy0, steps):
    """Planners scoring predicted conceptions (MATE gated on their own energy, BASE threshold 3) step
    alike in the kernel and the reference, with energies on both sides of the threshold."""
    agents, state = random_world(seed, 5, 6, n, max_depth, "planner", energy0)
    params = pack_params(FITNESS)
    ref, ref_agents = state.copy(), agents.copy()
    for t in range(steps):
        step_world(state, agents, params, seed, t)
        reference_step(ref, ref_agents, params, seed, t)
        assert_same(state, ref, t)


@pytest.mark.twin(itself=True)
@pytest.mark.parametrize("seed, nested", [(7, False), (8, True)])
def test_fitness_objective_step_matches_its_twin(seed, nested):
    agents, state, _, nparams = _world(seed, nested)
    _step_with_twin(seed, 4, agents, state, pack_params(FITNESS), nparams)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), depth=st.integers(1, 4), energy=st.floats(0.0, 5.0),
       mate_ok=st.booleans())
def test_fitness_planner_matches_its_reference_and_python_twin(seed, depth, energy, mate_ok):
    """The fitness-mirroring search with its energy prediction (``fitness_plan`` through ``plan``) picks the
    same act compiled, as plain Python and in the reference's own enumeration (``ref_fitness_plan``), with
    energies on both sides of BASE's threshold 3 and depths past the table search's nested loops."""
    agents, state = random_world(seed, 5, 6, 6, 3, "planner", energy)
    params = pack_params(FITNESS)
    crowd = crowd_grid(state.x, state.y, state.alive, state.level, *state.food.shape)
    for i in range(agents.n):
        world = planner_world(state.food, state.sugar, state.material, state.hazard, crowd, params, mate_ok,
                              float(state.energy[i]))
        args = (world, agents.weights[i], depth, state.x[i], state.y[i], state.visited[i], state.carried[i],
                state.tools[i])
        view = Ref(state, {k: float(params[j]) for k, j in P.items()}, crowd, i)
        view.mate_ok = mate_ok
        assert plan(*args) == python_twin(plan)(*args) == ref_plan(view, agents.weights[i], depth)


def _one_planner(energy: float, food_at: dict, depth: int, mate: bool = True) -> int:
    """The fitness-mirroring act of a planner at (3, 3) of a 7x7 world with ``food_at`` {(x, y): amount},
    another level-1 agent at (4, 3) when ``mate``, no hazard (BASE: threshold 3, a bite 0.5 = 1 energy)."""
    food = np.zeros((7, 7))
    for (x, y), amount in food_at.items():
        food[y, x] = amount
    zeros = np.zeros((7, 7))
    crowd = np.zeros((7, 7), dtype=np.int32)
    crowd[3, 3] = 1
    if mate:
        crowd[3, 4] = 1
    world = planner_world(food, zeros, zeros, zeros, crowd, pack_params(FITNESS), True, energy)
    visited = new_visits(1, 49)[0]
    return int(plan(world, np.zeros(6), depth, 3, 3, visited, 0.0, 0)[0])


def test_fitness_planner_eats_before_it_mates():
    """A mate in reach counts only when the predicted energy at that step reaches the threshold: at 3.5 the
    planner mates now; at 2.5 with food underfoot it eats first (one bite puts its predicted energy back
    over 3), and it mates at no depth when there is no food to get there; with food only to the east
    (and the mate out of reach once it moves) it walks to the food."""
    MATE, EAT, STAY, EAST = 6, 5, 0, 3
    assert _one_planner(3.5, {}, 1) == MATE
    assert _one_planner(2.5, {(3, 3): 1.0}, 2) == EAT
    for depth in (1, 2, 3):
        assert _one_planner(2.5, {}, depth) == STAY  # nothing to eat: no predicted conception, moving costs
    assert _one_planner(2.5, {(5, 3): 1.0}, 3, mate=False) == EAST


# --------------------------------------------------------------------------- the GA's variation kernels

@pytest.mark.twin(itself=True)
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 9), size=st.integers(1, 7))
def test_variation_kernels_match_their_twins(seed, n, size):
    """Crossover and polynomial mutation on a column block (a strided view, as ``next_generation`` passes)
    give the same bits compiled and as plain Python (``math.pow``: the C library's, as compiled)."""
    from evo.variation_kernels import mutation_sites, polynomial_mutation, swap_segments

    rng = np.random.default_rng(seed)
    low, up = rng.uniform(-2, 0, size), rng.uniform(0.5, 2, size)
    wide = np.zeros((n, size + 2))
    wide[:, 1:size + 1] = rng.uniform(low, up, (n, size))
    crossed = rng.random(n // 2) < 0.7
    a, b = rng.integers(1, size + 1, n // 2), rng.integers(1, max(size, 2), n // 2)
    rows, draws = rng.random(n) < 0.8, rng.random((n, size))
    u = rng.random(n * size)
    out = []
    for twin in (lambda f: f, python_twin):
        genes = wide.copy()[:, 1:size + 1]
        twin(swap_segments)(genes, crossed, np.minimum(a, b), np.maximum(a, b))
        r, c = twin(mutation_sites)(rows, draws, 0.5)
        twin(polynomial_mutation)(genes, r, c, u[:r.shape[0]], low, up, 3.5)
        out.append((genes, r, c))
    for x, y in zip(*out):
        np.testing.assert_array_equal(x, y)
    assert ((out[0][0] >= low) & (out[0][0] <= up)).all()


def numpy_ranks(a: np.ndarray) -> np.ndarray:
    """The reference: average ranks by numpy array operations (tie groups where the sorted values' difference
    is nonzero)."""
    order = np.argsort(a, kind="mergesort")
    starts = np.r_[0, np.flatnonzero(np.diff(a[order])) + 1]
    ends = np.r_[starts[1:], a.size]
    out = np.empty(a.size)
    out[order] = np.repeat((starts + ends - 1) / 2.0, ends - starts)
    return out


@pytest.mark.twin
@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.sampled_from([0.0, 1.0, 2.5, -3.0, np.nan, 1e-300, 7.0]) | st.floats(-1e6, 1e6),
                       min_size=0, max_size=40))
def test_average_ranks_match_their_twin_and_the_numpy_reference(values):
    from agents.stats import average_ranks, rank_rows, ranks

    a = np.array(values, dtype=np.float64)
    order = np.argsort(a, kind="mergesort")[None, :]
    expected = numpy_ranks(a)
    np.testing.assert_array_equal(average_ranks(a[None, :], order)[0], expected)
    np.testing.assert_array_equal(python_twin(average_ranks)(a[None, :], order)[0], expected)
    np.testing.assert_array_equal(ranks(a), expected)
    np.testing.assert_array_equal(rank_rows(np.vstack([a, a[::-1]]))[1], numpy_ranks(a[::-1]))


def test_kernels_compile_math_to_the_c_library_not_svml():
    """``agents.jit`` turns numba's Intel SVML off before numba loads (unless the user set it), so compiled
    ``math.pow`` and friends are the C library's, as in the Python twins, on machines that have SVML too."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_INTEL_SVML"}
    code = "import agents.jit, numba; print(numba.config.DISABLE_INTEL_SVML, numba.config.USING_SVML)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "False"]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300), p=st.integers(1, 8),
       collinear=st.booleans(), integer=st.booleans())
def test_least_squares_matches_its_twin_and_lapack(seed, n, p, collinear, integer):
    """The BLAS-free fit is its own twin bit for bit, and LAPACK's minimum-norm solution (``np.linalg.lstsq``,
    an independent oracle) to 1e-9 of the largest coefficient, rank-deficient designs included."""
    from agents.stats import least_squares

    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, p)) * rng.choice([0.1, 1.0, 10.0], p)
    if integer:
        a = np.round(a)
    if collinear and p > 1:
        a[:, -1] = 2.0 * a[:, 0]
    y = rng.normal(size=n)
    got = least_squares(a, y)
    np.testing.assert_array_equal(python_twin(least_squares)(a, y), got)
    expected = np.linalg.lstsq(a, y, rcond=None)[0]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9 * max(1.0, np.abs(expected).max()))


def test_patch_map_kernel_is_its_twin_and_the_numpy_formula():
    """The food-capacity bumps: compiled and plain Python the same bits, and the closed form in numpy (whose
    ``np.exp`` may use its own AVX-512 code, hence a tolerance of a few units in the last place)."""
    from worlds.foraging.state import gaussian_bumps

    cys, cxs = np.array([0, 5, 15, 7]), np.array([3, 15, 0, 7])
    got = gaussian_bumps(16, 20, cys, cxs, 2.0 * 3.5**2)
    np.testing.assert_array_equal(python_twin(gaussian_bumps)(16, 20, cys, cxs, 2.0 * 3.5**2), got)
    ys, xs = np.mgrid[0:16, 0:20]
    expected = np.zeros((16, 20))
    for cy, cx in zip(cys, cxs):
        dy = np.minimum(np.abs(ys - cy), 16 - np.abs(ys - cy))
        dx = np.minimum(np.abs(xs - cx), 20 - np.abs(xs - cx))
        expected += np.exp(-(dx**2 + dy**2) / (2.0 * 3.5**2))
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=0)
