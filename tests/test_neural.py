"""The evolved neural policy: its kernel and Python twin agree, its genes are an appended option, and the
architecture rule keeps the architecture gene's meaning."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from agents.errors import MesaevoError
from agents.genome import ARCH_NEURAL, ARCH_PLANNER, ARCH_REACTIVE, decode
from agents.jit import python_twin
from agents.visits import visit_all
from evo.scenarios import load_config
from tests.test_kernels import BASE
from worlds.foraging.actions import EAST, EAT, STAY
from worlds.foraging.genome import N_INPUTS, N_ROWS, genome_layout, network_size
from worlds.foraging.kernel import crowd_grid, decide
from worlds.foraging.lifetime import step_world
from worlds.foraging.model import crowd_near
from worlds.foraging.neural import neural_react
from worlds.foraging.neural_reference import ref_neural
from worlds.foraging.params import P, pack_params
from worlds.foraging.reference import Ref, reference_step
from worlds.foraging.state import make_landscape, new_lifetime
from agents.nesting.config import pack_nest


def neural_layout(hidden: int = 4, architecture: str = "evolved", neural: bool = True):
    return genome_layout(SimpleNamespace(agents=SimpleNamespace(architecture=architecture, neural=neural,
                                                                neural_hidden=hidden)))


def neural_world(seed: int, hidden: int, n: int = 12, h: int = 6, w: int = 7, architecture: str = "neural"):
    """A lived-in random world of ``n`` agents whose genomes declare a network of ``hidden`` units."""
    rng = np.random.default_rng(seed)
    layout = neural_layout(hidden)
    agents = decode(layout.random(n, rng), layout, architecture, 3)
    land = make_landscape(h, w, 3, 1.5, 2, 0.2, 0.15, rng)
    state = new_lifetime(land, n, 4.0, float(rng.uniform(0, 1)), rng)
    state.carried[:n] = rng.uniform(0, 1.5, n)
    state.tools[:n] = rng.integers(0, 3, n)
    for row in state.visited:
        visit_all(row, np.flatnonzero(rng.random(h * w) < 0.3))
    return agents, state


def test_neural_genes_are_an_appended_option_that_leaves_every_other_gene_alone():
    base, on = neural_layout(neural=False), neural_layout(hidden=5)
    assert base == genome_layout() and not base.has("network")
    assert on.segments[: len(base.segments)] == base.segments
    assert [s.name for s in on.segments[len(base.segments):]] == ["neural", "network"]
    assert min(s.block for s in on.segments[len(base.segments):]) > max(s.block for s in base.segments)
    assert on.segment("network").size == 5 * 7 + 6 * 5 + 6
    # drawing block by block: the first generation's older genes are the same draws with the option on
    g_base, g_on = base.random(30, np.random.default_rng(3)), on.random(30, np.random.default_rng(3))
    np.testing.assert_array_equal(g_on[:, : base.size], g_base)
    assert neural_layout(architecture="neural", neural=False).has("network")


def test_the_architecture_gene_keeps_its_meaning_and_the_neural_gene_splits_the_rest():
    layout = neural_layout()
    genomes = layout.random(8, np.random.default_rng(0))
    arch, neural = layout.slice("architecture").start, layout.slice("neural").start
    genomes[:, arch] = [0.9, 0.5, 0.9, 0.1, 0.49, 0.2, 0.3, 0.0]
    genomes[:, neural] = [0.9, 0.1, 0.2, 0.5, 0.7, 0.49, 0.0, 1.0]
    want = [ARCH_PLANNER, ARCH_PLANNER, ARCH_PLANNER, ARCH_NEURAL, ARCH_NEURAL, ARCH_REACTIVE, ARCH_REACTIVE,
            ARCH_NEURAL]
    assert decode(genomes, layout, "evolved", 3).architecture.tolist() == want
    assert (decode(genomes, layout, "neural", 3).architecture == ARCH_NEURAL).all()
    # without the option the same architecture genes decode as before: planner or reactive
    base = neural_layout(neural=False)
    old = decode(genomes[:, : base.size], base, "evolved", 3).architecture.tolist()
    assert old == [ARCH_PLANNER] * 3 + [ARCH_REACTIVE] * 5
    assert decode(genomes, layout, "evolved", 3).network.shape == (8, network_size(4))


def hand_built(hidden: int = 1) -> np.ndarray:
    """A network whose one hidden unit reads food; moves score it, staying scores 0, in-place acts lose."""
    net = np.zeros(network_size(hidden))
    net[0] = 1.0  # W[0, food]
    v, b = hidden * N_INPUTS, hidden * N_INPUTS + N_ROWS * hidden
    net[v + 0 * hidden] = 1.0  # the move row reads the food unit
    net[b + 2:b + 6] = -1.0  # eat, mate, convert, build: never
    return net


def test_a_hand_built_network_walks_to_food_and_one_that_likes_eating_eats():
    agents, state = neural_world(0, 1, n=1, h=5, w=5)
    state.food[:] = 0.0
    state.x[0], state.y[0] = 2, 2
    state.food[2, 3] = 0.8  # east of the agent
    near = crowd_near(crowd_grid(state.x, state.y, state.alive, state.level, 5, 5))
    args = (state.x[0], state.y[0], state.visited[0], state.food, state.sugar, state.material, state.hazard, near)
    assert neural_react(hand_built(), *args) == EAST
    assert neural_react(np.zeros(network_size(1)), *args) == STAY  # all ties: the lowest action code
    eats = hand_built()
    eats[N_INPUTS + N_ROWS + 2] = 2.0  # the eat bias above any move score (tanh < 1)
    assert neural_react(eats, *args) == EAT


@pytest.mark.twin
@pytest.mark.parametrize("seed, hidden", [(1, 1), (2, 4), (3, 7)])
def test_neural_react_matches_its_python_twin_and_reference(seed, hidden):
    agents, state = neural_world(seed, hidden)
    h, w = state.food.shape
    near = crowd_near(crowd_grid(state.x, state.y, state.alive, state.level, h, w))
    crowd = np.zeros((h, w), dtype=np.int64)
    for i in range(agents.n):
        crowd[state.y[i], state.x[i]] += 1
    prm = {name: float(v) for name, v in zip(P, pack_params(BASE))}
    actions = []
    for i in range(agents.n):
        args = (agents.network[i], state.x[i], state.y[i], state.visited[i], state.food, state.sugar,
                state.material, state.hazard, near)
        a = neural_react(*args)
        assert a == python_twin(neural_react)(*args) == ref_neural(Ref(state, prm, crowd, i), agents.network[i])
        actions.append(a)
    assert len(set(actions)) > 1  # random networks do not all choose alike


@pytest.mark.twin
@pytest.mark.parametrize("seed, hidden, architecture", [(4, 3, "neural"), (5, 4, "evolved"), (6, 6, "evolved")])
def test_steps_with_neural_agents_match_the_reference(seed, hidden, architecture):
    """Whole steps of a population with neural agents (and, mixed, planners and reactive agents) agree with the
    pure-Python reference step, array by array."""
    agents, state = neural_world(seed, hidden, n=14, architecture=architecture)
    kinds = set(agents.architecture.tolist())
    assert ARCH_NEURAL in kinds and (architecture == "neural" or len(kinds) > 1)
    params, nparams = pack_params(BASE), pack_nest()
    ref, ref_agents = state.copy(), agents.copy()
    for t in range(5):
        step_world(state, agents, params, seed, t, nparams)
        reference_step(ref, ref_agents, params, seed, t, nparams)
        for name, a in state.arrays().items():
            assert np.array_equal(a, ref.arrays()[name], equal_nan=True), (t, name)
    assert state.features[:, 5].sum() > 0  # someone moved


@pytest.mark.twin(itself=True)
def test_decide_with_neural_agents_matches_its_twin():
    agents, state = neural_world(7, 4, n=14, architecture="evolved")
    h, w = state.food.shape
    near = crowd_near(crowd_grid(state.x, state.y, state.alive, state.level, h, w))
    out = []
    for fn in (decide, python_twin(decide)):
        action, nodes = np.zeros(agents.n, np.int64), np.zeros(agents.n, np.int64)
        fn(np.uint64(7), 0, agents, state.grids, state.bodies, state.copy().lineage, near, pack_params(BASE),
           pack_nest(), agents.n, action, nodes)
        out.append((action, nodes))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])
    assert (out[0][1][agents.architecture == ARCH_NEURAL] == 0).all()


@pytest.mark.parametrize("scenario, overrides, message", [
    ("maze-corner", ["agents.neural=true"], "the maze world has no neural policy"),
    ("sugar", ["agents.neural_hidden=0"], "neural_hidden"),
    ("sugar", ["agents.architecture=neural", "agents.objective=fitness"], "needs agents.architecture = 'planner'"),
])
def test_neural_options_that_cannot_work_are_config_errors(scenario, overrides, message):
    with pytest.raises(MesaevoError, match=message):
        load_config(scenario, overrides)


@pytest.mark.slow  # a whole (tiny) run: left out of the JIT-off pass, where its planners search in plain Python
def test_a_mixed_run_reports_each_architectures_share_and_names_neural_agents(tmp_path):
    from evo.simulation import Simulation
    from tests.conftest import TINY

    sim = Simulation.from_scenario("ancestral", {**TINY, "agents.architecture": "evolved", "agents.neural": True,
                                                 "run.generations": 2}, seed=3, out=tmp_path / "run")
    tables = sim.run()
    g = tables.generations
    shares = g[["planner_share", "reactive_share", "neural_share"]]
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert (shares.iloc[0] > 0.1).all()  # about 1/2, 1/4, 1/4 at the start
    first = tables.entities[tables.entities.generation == 0]
    names = set(first.architecture)
    assert names == {"planner", "reactive", "neural"}
    assert first.loc[first.architecture == "neural", "depth"].eq(0).all()
    assert (first.architecture == "neural").mean() == pytest.approx(g.neural_share.iloc[0])


def test_taking_the_network_out_of_selection_redraws_only_its_genes():
    """``evolution.unselected_genes`` names a whole segment: every offspring's network is drawn afresh, every
    other gene is the GA's."""
    from evo.loop import Evolution

    _, cfg = load_config("ancestral", {"agents.architecture": "neural", "evolution.unselected_genes": ["network"]})
    evo = Evolution(cfg)
    layout = evo.layout
    net = layout.slice("network")
    assert layout.named_columns()["network"] == list(range(net.start, net.stop))
    assert layout.named_columns()["w_taste"] == [layout.slice("drives").start]
    before = evo.genomes.copy()
    evo.redraw_unselected(np.random.default_rng(5))
    changed = (evo.genomes != before).any(axis=0)
    assert changed[net].all() and not changed[: net.start].any() and not changed[net.stop:].any()
    with pytest.raises(MesaevoError, match="no gene 'netwrk'.*network"):
        load_config("ancestral", {"agents.architecture": "neural", "evolution.unselected_genes": ["netwrk"]})


def test_architecture_competence_summary_reads_each_arm_across_seeds(tmp_path):
    """Per-seed window means 1..5 give mean 3 with the 90% t interval 3 +- 2.132 * 1.581 / sqrt(5); generations
    outside the window do not count; a directory without runs is one error line."""
    import subprocess
    import sys
    from pathlib import Path

    import pandas as pd

    root = Path(__file__).resolve().parents[1]
    for arm in ("neural", "reactive"):
        for s in range(5):
            d = tmp_path / "runs" / f"{arm}-seed{s}"
            d.mkdir(parents=True)
            gen = list(range(100))
            value = [float(s + 1) if 80 <= g <= 99 else (7.0 if arm == "neural" else 0.5) for g in gen]
            pd.DataFrame({"generation": gen, "fitness_mean": value}).to_parquet(d / "generations.parquet")
    script = str(root / "examples" / "architecture_competence.py")
    proc = subprocess.run([sys.executable, script, str(tmp_path)], cwd=root, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "neural: 3 [1.49, 4.51] (n=5); first generations: 7 [7, 7] (n=5)" in proc.stdout
    assert "reactive: 3 [1.49, 4.51] (n=5); first generations: 0.5 [0.5, 0.5] (n=5)" in proc.stdout
    assert "planner" not in proc.stdout
    bad = subprocess.run([sys.executable, script, str(tmp_path / "none")], cwd=root, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr
