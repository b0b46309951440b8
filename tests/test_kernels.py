"""The numba kernels agree with the pure-Python reference, step by step, on random worlds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.genome import ARCH_PLANNER, MAX_DEPTH, DecodedAgents, decode, with_capacity
from agents.nesting.genes import G_DEFECT, G_HEREDITY, G_PROPENSITY
from worlds.foraging.genome import genome_layout as default_layout
from agents.jit import python_twin
from agents.search import planner_nodes
from worlds.foraging.model import crowd_near, others_around, plan, planner_world
from worlds.foraging.lifetime import check_state, simulate_lifetime, step_world
from worlds.foraging.params import pack_params
from worlds.foraging.reference import reference_step
from worlds.foraging.state import make_landscape, new_lifetime
from agents.nesting.config import pack_nest
from agents.visits import new_visits, py_seen, py_visit, seen, visit, visit_all

LAYOUT = default_layout()

BASE = dict(bite=0.5, tool_bonus=0.5, food_energy=2.0, food_taste=1.0, sugar_taste=2.0, sugar_energy=0.0,
            move_cost=0.05, metabolism=0.1, planning_cost=0.001, hazard_damage=2.0, conceive_threshold=3.0,
            conceive_cost=1.0, conception_prob=0.7, convert_yield=1.0, tool_cost=0.5, build_energy=0.2,
            max_tools=2, food_regrow=0.05, sugar_regrow=0.05, build_allowed=1.0)


def random_world(seed: int, h: int, w: int, n: int, max_depth: int, architecture: str, energy0: float,
                 capacity: int | None = None):
    rng = np.random.default_rng(seed)
    agents = decode(LAYOUT.random(n, rng), LAYOUT, architecture, max_depth)
    if capacity is not None:
        agents = with_capacity(agents, capacity)
    land = make_landscape(h, w, 3, 1.5, 2, 0.2, 0.15, rng)
    state = new_lifetime(land, n, energy0, float(rng.uniform(0, 1)), rng, capacity)
    # start from a world that has already been lived in: carried material, tools, partial visits
    state.carried[:n] = rng.uniform(0, 1.5, n)
    state.tools[:n] = rng.integers(0, 3, n)
    for row in state.visited:
        visit_all(row, np.flatnonzero(rng.random(h * w) < 0.3))
    return agents, state


def assert_same(kernel, ref, t: int) -> None:
    for name, a in kernel.arrays().items():
        b = ref.arrays()[name]
        assert np.array_equal(a, b, equal_nan=True), f"step {t}: state.{name} differs at {np.argwhere(a != b)[:3].tolist()}"


@pytest.mark.twin
@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    h=st.integers(3, 7),
    w=st.integers(3, 7),
    n=st.integers(1, 14),
    max_depth=st.integers(1, 3),
    architecture=st.sampled_from(["planner", "reactive", "evolved"]),
    energy0=st.floats(0.3, 6.0),
    steps=st.integers(1, 4),
    conception_prob=st.sampled_from([0.0, 0.5, 1.0]),
    build_allowed=st.sampled_from([0.0, 1.0]),
)
def test_kernel_step_matches_reference(seed, h, w, n, max_depth, architecture, energy0, steps, conception_prob,
                                       build_allowed):
    agents, state = random_world(seed, h, w, n, max_depth, architecture, energy0)
    params = pack_params({**BASE, "conception_prob": conception_prob, "build_allowed": build_allowed})
    ref, ref_agents = state.copy(), agents.copy()
    for t in range(steps):
        step_world(state, agents, params, seed, t)
        reference_step(ref, ref_agents, params, seed, t)
        assert_same(state, ref, t)


NEST = dict(subagents_allowed=1.0, subagent_material=0.3, endowment_max=0.8, noise_max=1.0,
            vet_samples_per_depth=2.0, vet_threshold=0.6, max_redraws=2.0, redraw_cost=0.1, agreement_samples=3.0,
            deception_min_depth=1.0, deception_cosine=0.8, oversight_prob=0.7)


@pytest.mark.twin
@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    h=st.integers(3, 6),
    w=st.integers(3, 6),
    n=st.integers(1, 10),
    extra=st.integers(0, 12),
    max_depth=st.integers(1, 2),
    architecture=st.sampled_from(["planner", "evolved"]),
    steps=st.integers(1, 5),
    max_level=st.integers(2, 5),
    deception=st.sampled_from([0.0, 1.0]),
    oversight=st.sampled_from([0.0, 1.0]),
    vet=st.sampled_from([0.0, 2.0]),
)
def test_kernel_matches_reference_with_subagents(seed, h, w, n, extra, max_depth, architecture, steps, max_level,
                                                 deception, oversight, vet):
    """Building, hand-down, vetting, heredity, remittance, deception and shutdowns: kernel == reference."""
    agents, state = random_world(seed, h, w, n, max_depth, architecture, 4.0, capacity=n + extra)
    agents.nest[:n, G_PROPENSITY] = np.random.default_rng(seed).uniform(0.3, 1.0, n)
    state.carried[:n] += 1.0
    state.tools[:n] = 0
    params = pack_params(BASE)
    nparams = pack_nest({**NEST, "max_level": max_level, "deception": deception, "oversight": oversight,
                         "vet_samples_per_depth": vet})
    ref, ref_agents = state.copy(), agents.copy()
    for t in range(steps):
        step_world(state, agents, params, seed, t, nparams)
        reference_step(ref, ref_agents, params, seed, t, nparams)
        assert_same(state, ref, t)
        for name in ("architecture", "depth", "weights", "nest"):
            assert np.array_equal(getattr(agents, name), getattr(ref_agents, name)), f"step {t}: agents.{name}"


@pytest.mark.twin
@pytest.mark.parametrize("seed", [3, 4])
def test_nested_mechanisms_all_happen_and_agree(seed):
    """A busy nested world: sub-agents to level 3+, rejections, heredity both ways, deception and shutdowns."""
    n, cap = 24, 120
    agents, state = random_world(seed, 6, 6, n, 2, "planner", 6.0, capacity=cap)
    agents.nest[:n, G_PROPENSITY] = 1.0
    agents.nest[:n, G_HEREDITY] = 0.5
    agents.nest[:n, G_DEFECT] = 0.7  # misaligned sub-agents hide while observed 70% of the time
    agents.weights[:n, 4] = np.abs(agents.weights[:n, 4]) + 0.5  # craft-loving: they build
    params = pack_params({**BASE, "max_tools": 50})
    nparams = pack_nest({**NEST, "max_level": 4, "deception": 1.0, "oversight": 1.0})
    ref, ref_agents = state.copy(), agents.copy()
    for t in range(12):
        step_world(state, agents, params, seed, t, nparams)
        reference_step(ref, ref_agents, params, seed, t, nparams)
        assert_same(state, ref, t)
    assert state.n_used[0] > n and state.level.max() >= 3
    assert state.rejections.sum() > 0 and state.deceptive.sum() > 0 and state.shut_down.sum() > 0
    subs = slice(n, int(state.n_used[0]))
    assert (agents.nest[subs, 1] == 0).any() and (agents.nest[subs, 1] > 0).any()  # heredity both ways


@pytest.mark.twin
@pytest.mark.parametrize("seed", [7, 8, 9])
def test_kernels_agree_on_a_busy_world_over_many_steps(seed):
    """A crowded world where eating, mating, conception, building and deaths all happen."""
    agents, state = random_world(seed, 6, 7, 60, 3, "evolved", 6.0)
    params = pack_params({**BASE, "conception_prob": 0.9})
    ref, ref_agents = state.copy(), agents.copy()
    for t in range(30):
        step_world(state, agents, params, seed, t)
        reference_step(ref, ref_agents, params, seed, t)
        assert_same(state, ref, t)
    assert state.offspring.sum() > 0 and state.features[:, 2].sum() > 0  # mating and conception happened
    assert (state.alive == 0).any()  # and some died
    assert state.features[:, 0].sum() > 0 and state.features[:, 4].sum() > 0  # eating and crafting too


def test_lifetime_kernel_equals_repeated_steps():
    agents, state = random_world(3, 10, 10, 20, 2, "evolved", 5.0)
    params = pack_params(BASE)
    stepped = state.copy()
    simulate_lifetime(state, agents, params, 5, 12)
    for t in range(12):
        step_world(stepped, agents, params, 5, t)
    assert_same(state, stepped, 12)


@pytest.mark.twin(itself=True)
def test_planner_compiled_equals_python_function():
    """The planner kernel gives the same answer compiled and as plain Python (``py_func`` when JIT is on)."""
    agents, state = random_world(11, 6, 6, 8, 3, "planner", 5.0)
    params = pack_params(BASE)
    crowd = np.zeros(state.food.shape, dtype=np.int32)
    np.add.at(crowd, (state.y, state.x), 1)
    for i in range(agents.n):
        world = planner_world(state.food, state.sugar, state.material, state.hazard, crowd, params, True, 10.0)
        args = (world, agents.weights[i], agents.depth[i], state.x[i], state.y[i], state.visited[i], state.carried[i],
                state.tools[i])
        assert plan(*args) == python_twin(plan)(*args)
        assert plan(*args)[1] == planner_nodes(int(agents.depth[i]))


@pytest.mark.twin(itself=True)
def test_planner_deeper_than_the_scratch_table_gets_a_table_of_its_own():
    """``plan`` past ``MAX_DEPTH`` (more states than the caller's table holds) allocates a larger table and
    plans as its Python twin does; a plan that fits leaves the caller's table in use."""
    agents, state = random_world(12, 6, 6, 4, 3, "planner", 5.0)
    params = pack_params(BASE)
    crowd = np.zeros(state.food.shape, dtype=np.int32)
    np.add.at(crowd, (state.y, state.x), 1)
    world = planner_world(state.food, state.sugar, state.material, state.hazard, crowd, params, True, 10.0)
    depth = MAX_DEPTH + 1
    args = (world, agents.weights[0], depth, state.x[0], state.y[0], state.visited[0], state.carried[0],
            state.tools[0])
    assert (2 * depth + 1) ** 2 > world[8].shape[0]
    assert plan(*args) == python_twin(plan)(*args)
    assert plan(*args)[1] == planner_nodes(depth)


def test_planner_walks_to_food_it_wants_and_avoids_it_otherwise():
    """A planner that values taste moves toward food two cells away; one that dislikes taste does not eat."""
    h = w = 7
    food = np.zeros((h, w))
    food[3, 5] = 1.0
    zeros = np.zeros((h, w))
    crowd = np.zeros((h, w), dtype=np.int32)
    crowd[3, 3] = 1
    visited = new_visits(1, h * w)[0]
    visit_all(visited, range(h * w))  # every cell visited: no novelty
    params = pack_params(BASE)
    likes = np.array([1.0, 0, 0, 0, 0, -0.01])
    world = planner_world(food, zeros, zeros, zeros, crowd, params, True, 10.0)
    act, nodes = plan(world, likes, 3, 3, 3, visited, 0.0, 0)
    assert act == 3  # EAST, toward the food at x=5
    assert nodes == 5 + 25 + 125
    food[3, 3] = 1.0  # food under its feet: a taste-averse agent stays rather than eats
    act, _ = plan(world, -likes, 2, 3, 3, visited, 0.0, 0)
    assert act != 5


def test_check_state_rejects_wrong_dtypes_and_shapes():
    agents, state = random_world(1, 5, 5, 4, 2, "planner", 5.0)
    params = pack_params(BASE)
    check_state(state, agents, params)
    bad = state.copy()
    bad.x = bad.x.astype(np.int32)
    with pytest.raises(ValueError, match="state.x"):
        check_state(bad, agents, params)
    with pytest.raises(ValueError, match="params"):
        check_state(state, agents, params[:-1])
    short = DecodedAgents(agents.architecture[:2], agents.depth[:2], agents.weights[:2], agents.policy[:2])
    with pytest.raises(ValueError):
        check_state(state, short, params)
    assert (agents.architecture == ARCH_PLANNER).all()


@settings(max_examples=50, deadline=None)
@given(cells=st.lists(st.integers(0, 2**31 - 1), min_size=1, max_size=60), room=st.integers(1, 60))
def test_novelty_memory_is_a_set_of_the_cells_visited(cells, room):
    """``visit`` reports first visits exactly as a Python set does, ``seen`` answers membership, the kernel
    and the reference fill the same slots, and a row too small for the visits raises instead of losing one."""
    row, ref = new_visits(1, room)[0], new_visits(1, room)[0]
    truth: set[int] = set()
    for c in cells:
        if len(truth | {c}) > row.shape[0]:
            with pytest.raises(ValueError, match="novelty memory full"):
                visit(row, c)
            return
        assert visit(row, c) == (c not in truth) == py_visit(ref, c)
        truth.add(c)
        np.testing.assert_array_equal(row, ref)
    for c in set(cells) | {c + 1 for c in cells}:
        assert seen(row, c) == (c in truth) == py_seen(row, c)


def test_novelty_memory_does_not_grow_with_the_map():
    """A 300-step lifetime needs the same memory per entity on a 64x64 and a 512x512 map."""
    rng = np.random.default_rng(0)
    small, big = (make_landscape(s, s, 2, 2.0, 1, 0.1, 0.1, rng) for s in (64, 512))
    a = new_lifetime(small, 10, 1.0, 1.0, rng, steps=300).visited
    b = new_lifetime(big, 10, 1.0, 1.0, rng, steps=300).visited
    assert a.nbytes == b.nbytes <= 10 * 2048
    assert ((b != -1).sum(axis=1) == 1).all()  # each entity starts having visited its own cell


def test_a_lifetime_longer_than_the_state_was_built_for_is_refused():
    agents, state = random_world(3, 40, 40, 4, 1, "planner", 5.0)
    short = new_lifetime(make_landscape(40, 40, 2, 2.0, 1, 0.1, 0.1, np.random.default_rng(1)), 4, 5.0, 0.0,
                         np.random.default_rng(2), steps=10)
    with pytest.raises(ValueError, match="too few for 50 steps"):
        simulate_lifetime(short, agents, pack_params(BASE), 0, 50)


@pytest.mark.twin
@settings(max_examples=40, deadline=None)
@given(st.integers(3, 7), st.integers(3, 7), st.integers(0, 2**32 - 1))
def test_the_step_crowd_grid_is_the_3x3_sum_the_planner_would_scan(h, w, seed):
    """``crowd_near`` equals summing the 9 toroidal neighbours of every cell (3x3 maps included, where the
    block covers whole rows), and ``others_around`` removes the planner exactly when its cell is in the block."""
    rng = np.random.default_rng(seed)
    crowd = rng.integers(0, 3, size=(h, w)).astype(np.int32)
    near = crowd_near(crowd)
    np.testing.assert_array_equal(python_twin(crowd_near)(crowd), near)
    sx, sy = int(rng.integers(w)), int(rng.integers(h))
    for cy in range(h):
        for cx in range(w):
            block = [((cy + dy) % h, (cx + dx) % w) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
            assert near[cy, cx] == sum(int(crowd[c]) for c in block)
            inside = (sy, sx) in block
            assert others_around(near, cx, cy, sx, sy) == near[cy, cx] - inside


@pytest.mark.twin
@settings(max_examples=60, deadline=None)
@given(st.integers(0, 700), st.integers(0, 2**64 - 1), st.integers(0, 400), st.floats(0.0, 1.0))
def test_the_act_order_is_the_alive_slots_sorted_by_hashed_key_then_id(m, seed, t, dead_share):
    """What the reference does (all used slots sorted by (key, id), dead ones skipped), compiled and as Python
    (with about one bucket per alive slot, many buckets hold several keys)."""
    from agents.rng import PURPOSE_ORDER, py_hash4
    from worlds.foraging.kernel import act_order

    alive = (np.random.default_rng(seed % 2**32).random(m) >= dead_share).astype(np.uint8)
    expected = [i for i in sorted(range(m), key=lambda i: (py_hash4(seed, i, t, PURPOSE_ORDER), i)) if alive[i]]
    assert act_order(np.uint64(seed), t, alive, m).tolist() == expected
    if m <= 60:
        assert python_twin(act_order)(np.uint64(seed), t, alive, m).tolist() == expected
