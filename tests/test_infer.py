"""Objective recovery (``mesaevo infer``): the likelihood's path enumeration is the kernel's planner, the
identifiability rule, the sampler on a known posterior, the command's output and its errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from agents.inverse import PARTICLES, Prior, cosine, identifiable, sample_posterior, unit
from evo.cli import main
from evo.simulation import Simulation

from .conftest import TINY


@pytest.fixture(scope="module")
def planner_run(tmp_path_factory):
    """A tiny planner run (depths 1-2) with a checkpoint at its end."""
    out = tmp_path_factory.mktemp("infer") / "run"
    Simulation.from_scenario("ancestral", TINY, seed=3, out=out).run()
    return out


def _replayed(run_dir, watch_all=True):
    from evo.infer import load_checkpoint
    from agents.genome import decode
    from agents.rng import seed_int, stream
    from worlds.foraging.replay import replay_lifetime
    from worlds.foraging.situations import plan_tree
    from worlds.shifts import world_at

    config, entry, layout, ckpt = load_checkpoint(run_dir)
    world = entry.world_class()(config, layout)
    agents = decode(ckpt.genomes, layout, world.architecture, config.agents.max_depth)
    at = world_at(config.shifts, ckpt.generation - 1, world.base_params, entry.shift_params, entry.extra_base)
    tree = plan_tree(config.agents.max_depth)
    watch = np.arange(agents.n, dtype=np.int64)
    out = replay_lifetime(world.landscape_for(0), agents, watch, tree, at.params, config.nesting.kernel_values(),
                          agents.n, config.world.initial_energy, at.extra["sugar_level"], config.world.steps,
                          stream(7, "infer", 2, 0), seed_int(7, "infer", 3, 0))
    return agents, tree, watch, out


def test_path_enumeration_picks_the_kernels_action(planner_run):
    """In every recorded situation, the best first action over the enumerated paths' feature sums (with the
    planner's own tie-breaking) is the action the world kernel's tree search took."""
    from worlds.foraging.situations import planner_action

    agents, tree, watch, (cells, novel, actions, who, _) = _replayed(planner_run)
    assert actions.shape[0] > 500
    assert len(set(agents.depth.tolist())) > 1  # more than one depth checked
    predicted = np.array([planner_action(agents.weights[watch[who[r]]], int(agents.depth[watch[who[r]]]), cells[r],
                                         novel[r], tree.parent, tree.option, tree.state, tree.start, tree.centre)
                          for r in range(actions.shape[0])])
    assert np.array_equal(predicted, actions)
    assert len(set(actions.tolist())) >= 4  # moves and in-place acts both


def test_truth_explains_the_choices_better_than_its_opposite(planner_run):
    from worlds.foraging.situations import boltzmann_log_likelihood

    agents, tree, watch, (cells, novel, actions, who, _) = _replayed(planner_run)
    i = 0
    rows = who == i
    u, d = unit(agents.weights[watch[i]]), int(agents.depth[watch[i]])
    args = (cells[rows], novel[rows], actions[rows], tree.parent, tree.option, tree.state, tree.start, tree.centre)
    assert boltzmann_log_likelihood(u, 100.0, d, *args) > boltzmann_log_likelihood(-u, 100.0, d, *args)


def test_exercised_and_identifiable():
    """A world without hazard never exercises pain; a drive counts only above the fixed share."""
    from worlds.foraging.situations import C_HAZARD, C_TASTE, exercised, plan_tree

    tree = plan_tree(2)
    cells = np.zeros((10, tree.side * tree.side, 5))
    novel = np.zeros((10, tree.nodes), dtype=np.uint8)
    cells[:, tree.centre, C_TASTE] = 1.0
    cells[0, 0, C_HAZARD] = 1.0  # a corner of the window: no plan of depth 2 reaches it
    cells[1, tree.centre - 1, C_HAZARD] = 1.0
    ex = exercised(cells, novel, 2, tree.option, tree.state, tree.start)
    assert ex[:, 0].all() and ex[:, 5].all()  # taste here, effort always
    assert not ex[:, 3].any() and not ex[:, 2].any()  # no novel cell, no one to mate with
    assert ex[:, 1].tolist() == [False, True] + [False] * 8
    assert identifiable(ex, 0.05).tolist() == [True, True, False, False, False, True]
    assert identifiable(ex, 0.2).tolist() == [True, False, False, False, False, True]


class _Bump:
    """A likelihood whose posterior is known: ``n`` observations adding up to ``200 u . u0``, depth 2 preferred
    by 50 nats."""

    def __init__(self, u0, n=40):
        self.u0, self.n = u0, n

    def terms(self, directions, rationality, depth, rows):
        per = 200.0 * directions @ self.u0 - (0.0 if depth == 2 else 50.0)
        return np.repeat(per[:, None] / self.n, len(rows), axis=1)


def test_sampler_recovers_a_known_direction():
    """On a likelihood whose posterior is known (a von Mises-Fisher-like bump around u0), the particles
    centre on u0, their 90% intervals hold it, and the depth the likelihood favours wins."""
    u0 = unit(np.array([0.6, -0.3, 0.5, 0.0, -0.4, 0.2]))
    prior = Prior(np.full(6, -1.0), np.full(6, 1.0), (1, 2))
    post = sample_posterior(_Bump(u0), prior, np.random.default_rng(4))
    assert post.directions.shape == (PARTICLES, 6) and post.stages > 1
    assert cosine(post.mean_direction, u0) > 0.98
    lo, hi = post.interval()
    assert np.all(lo <= u0) and np.all(u0 <= hi)
    assert np.all(hi - lo < 0.6)
    assert post.depth_mode == 2 and post.depth_share > 0.99
    # a vMF with concentration 200 in 6 dimensions puts the mean cosine at about 1 - 5 / (2 * 200)
    assert abs(np.mean(post.directions @ u0) - (1 - 5 / 400)) < 0.01


def test_vectorised_terms_add_up_to_the_scalar_likelihood(planner_run):
    """``boltzmann_log_probs`` (many directions at once, per situation) sums to ``boltzmann_log_likelihood``
    for each direction, bit for bit up to the order of the sum."""
    from worlds.foraging.situations import boltzmann_log_likelihood, boltzmann_log_probs

    agents, tree, watch, (cells, novel, actions, who, _) = _replayed(planner_run)
    rows = np.flatnonzero(who == 0)
    dirs = unit(np.random.default_rng(1).uniform(-1, 1, size=(5, 6)))
    betas = np.array([0.1, 1.0, 10.0, 100.0, 1e4])
    t = (tree.parent, tree.option, tree.state, tree.start, tree.centre)
    for depth in (1, 2):
        terms = boltzmann_log_probs(dirs, betas, depth, cells, novel, actions, rows, *t)
        assert terms.shape == (5, rows.size) and np.all(terms <= 0)
        for p in range(5):
            whole = boltzmann_log_likelihood(dirs[p], betas[p], depth, cells[rows], novel[rows], actions[rows], *t)
            assert np.isclose(terms[p].sum(), whole, rtol=1e-12, atol=1e-9)


def test_infer_command_writes_one_row_per_agent(planner_run, capsys):
    code = main(["infer", str(planner_run), "--agents", "3", "--steps", "200", "--particles", "40", "-q"])
    assert code == 0
    out = capsys.readouterr().out
    assert "median cosine_true" in out and "intervals cover" in out
    frame = pd.read_parquet(planner_run / "inferred.parquet")
    assert len(frame) == 3
    assert frame["architecture"].eq("planner").all()
    assert frame["cosine_true"].between(-1, 1).all()
    assert (frame["u_taste_lo"] <= frame["u_taste_hi"]).all()
    norms = np.linalg.norm(frame[[f"true_{f}" for f in ("taste", "pain", "mating", "novelty", "craft", "effort")]],
                           axis=1)
    assert np.allclose(norms, 1.0)
    assert frame["true_depth"].between(1, 2).all() and frame["depth"].between(1, 2).all()


@pytest.mark.parametrize("args, message", [
    (["--agents", "0"], "at least 1 agent"),
    (["--depth", "5"], "outside 1..2"),
    (["--steps", "100000000", "--max-hours", "0.001"], "estimated to take"),
])
def test_infer_bad_input_is_one_error_line(planner_run, capsys, args, message):
    assert main(["infer", str(planner_run), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0]


def test_infer_on_a_missing_run_is_one_error_line(tmp_path, capsys):
    assert main(["infer", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a run directory" in err[0]
    assert not (tmp_path / "nothing").exists()


def test_axis_places_planners_where_the_run_recorded_them(tmp_path):
    """``--axis``: each kept checkpoint inferred and placed on the one alignment scale; a planner's
    represented objective lands exactly where the run's own entity records put it (``align_fitness``)."""
    from evo.infer_axis import alignment_axis, axis_summary

    out = tmp_path / "run"
    overrides = {**TINY, "agents.architecture": "evolved", "checkpoint.every": 2, "checkpoint.keep": 5,
                 "run.generations": 4}
    Simulation.from_scenario("ancestral", overrides, seed=5, out=out).run()
    rows = alignment_axis(out, n_agents=4, steps=60, particles=20, generations=[0, 2])
    assert sorted(rows["generation"].unique()) == [0, 2]
    assert (out / "inferred_axis.parquet").is_file()
    assert rows["align_inferred"].dropna().between(-1, 1).all() and rows["align_inferred"].notna().any()
    entities = pd.read_parquet(out / "entities")
    planners = rows[rows["architecture"] == "planner"]
    assert len(planners) >= 2 and rows["architecture"].nunique() == 2
    recorded = entities.set_index(["generation", "entity_id"])["align_fitness"]
    expected = [recorded[(g, a)] for g, a in zip(planners["generation"], planners["agent"])]
    np.testing.assert_allclose(planners["align_represented"], expected, rtol=1e-9, atol=1e-12)
    assert rows.loc[rows["architecture"] == "reactive", "align_represented"].isna().all()
    summary = axis_summary(rows)
    assert set(summary.columns) >= {"generation", "architecture", "agents", "align_inferred", "align_represented"}


def test_recovery_figure_draws_from_a_validation_table():
    from analysis.figures_infer import DRIVES, recovery_figure

    rows = []
    for seed in (0, 1):
        for control, steps in (("none", 300), ("none", 1000), ("random", 1000), ("synthetic", 1000)):
            row = {"seed": seed, "agent": 1, "control": control, "steps": steps, "cosine_true": 0.5 + steps / 4000,
                   "cosine_true_identifiable": 0.6}
            row.update({f"covered_{d}": seed == 0 for d in DRIVES})
            rows.append(row)
    fig = recovery_figure(pd.DataFrame(rows))
    left, right = fig.axes
    assert list(left.lines[0].get_ydata()) == [0.575, 0.75]
    assert all(list(line.get_ydata()) == [0.5, 0.5] for line in right.lines[:6])
    star = right.collections[0].get_offsets()  # the synthetic control's coverage over all drives
    assert np.allclose(star, [[1000, 0.5]])


@pytest.mark.slow
def test_recovery_on_a_small_planner_run(tmp_path):
    """The issue's targets, as far as a small run allows (a 60-generation planner run of tuning seed 2 at the
    validation's size, depths 1-2; 4 planners, 1,000 situations each, the default sampler; about 25 s).
    Checks (1) the sampler's calibration where model and prior are exactly right (actions drawn from the Boltzmann planner, beta 100,
    at a direction and depth drawn from the prior): the 90% intervals cover the truth at least 75% of the
    time (24 checks: the 85-95% band is within the binomial noise of so few); (2) the recorded planners:
    median cosine_true at least 0.9 and coverage at least 70% (on 20 planners of seeds 110-119,
    docs/inference.md: 0.93 and 75% from 1,000 situations; the targets, 0.95 and 85-95%, are met only in
    part); (3) the random-agent control far from the truth with wider intervals."""
    from evo.infer import fit_agent, observe
    from evo.infer_validation import _boltzmann_actions, _prior_truth, _random_actions

    out = tmp_path / "run"
    small = {"agents.population": 100, "world.width": 32, "world.height": 32, "world.steps": 100,
             "agents.max_depth": 2}  # the validation's runs (examples/objective_recovery.py), depths 1-2
    Simulation.from_scenario("ancestral", small, seed=2, generations=60, out=out).run()
    obs = observe(out, 6, 1000)
    planners = [k for k in range(6) if obs.truth[k] is not None][:4]
    assert len(planners) == 4
    found = {"real": ([], [], []), "synthetic": ([], [], []), "random": ([], [], [])}
    for k in planners:
        prior_truth = _prior_truth(obs, k)
        for kind, acts, truth in (("real", None, obs.truth[k]),
                                  ("synthetic", _boltzmann_actions(obs, k, 1000, 100.0, prior_truth), prior_truth[0]),
                                  ("random", _random_actions(obs, k, 1000), obs.truth[k])):
            post, _ = fit_agent(obs, k, 1000, actions=acts)
            lo, hi = post.interval()
            cos, covered, width = found[kind]
            cos.append(cosine(post.mean_direction, truth))
            covered.extend((lo <= truth) & (truth <= hi))
            width.append(np.mean(hi - lo))
    cos, covered, width = found["real"]
    assert np.median(cos) >= 0.9 and np.mean(covered) >= 0.7
    assert np.mean(found["synthetic"][1]) >= 0.75
    assert np.median(found["random"][0]) < np.median(cos) - 0.3
    assert np.mean(found["random"][2]) > 1.5 * np.mean(width)
