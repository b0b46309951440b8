"""Rules that used to be switches are now outcomes: each can go both ways on a small config.

Every test compares two settings of one knob on the same seeds and states the effect size
it asserts (the kernel == reference tests cover the exact rules).
"""

from __future__ import annotations

import numpy as np
import pytest

from agents.nesting.genes import G_DEFECT, G_HIDE_VET, G_PROPENSITY
from agents.nesting.config import pack_nest
from agents.visits import new_visits, visit_all
from tests.test_kernels import BASE, random_world
from tests.test_nesting import NEST, PARAMS, nested_world, subs
from worlds.foraging.actions import MATE
from worlds.foraging.lifetime import simulate_lifetime, step_world
from worlds.foraging.model import plan, planner_world
from worlds.foraging.params import pack_params
from agents.nesting.reporters import lineage_counters


def huddle(energies: list[float], conception_prob: float):
    """Three mating-only level-1 planners on one hazard-free cell, with the given energies."""
    agents, state = random_world(0, 5, 5, 3, 1, "planner", 10.0)
    agents.weights[:] = [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    state.x[:], state.y[:] = 2, 2
    state.hazard[:] = 0.0
    state.energy[:] = energies
    step_world(state, agents, pack_params({**BASE, "conception_prob": conception_prob}), 1, 0)
    return state


def test_a_mating_act_needs_two_fit_level_1_agents_and_counts_for_both():
    s = huddle([20.0, 1.0, 20.0], 1.0)  # agent 1 is below conceive_threshold (3)
    assert s.features[1, 2] == 0 and s.offspring[1] == 0  # unfit: no act, whether it initiates or not
    assert s.features[0, 2] == s.features[2, 2] == 2  # each initiates once and is the other's partner once
    assert s.offspring[0] == s.offspring[2] == 2
    s = huddle([20.0, 1.0, 20.0], 0.0)  # contraception: the same acts, no conception
    assert s.features[0, 2] == s.features[2, 2] == 2 and s.offspring.sum() == 0
    s = huddle([1.0, 1.0, 20.0], 1.0)  # a fit initiator with no fit partner: nothing at all
    assert s.features[:, 2].sum() == 0 and s.offspring.sum() == 0


def test_the_planner_offers_mate_to_level_1_only():
    h = w = 5
    zeros = np.zeros((h, w))
    crowd = np.ones((h, w), dtype=np.int32)
    visited = new_visits(1, h * w)[0]
    visit_all(visited, range(h * w))
    wants = np.array([0.0, 0.0, 1.0, 0.0, 0.0, 0.0])
    params = pack_params(BASE)
    assert plan(planner_world(zeros, zeros, zeros, zeros, crowd, params, True, 10.0), wants, 2, 2, 2, visited, 0.0, 0)[0] == MATE
    assert plan(planner_world(zeros, zeros, zeros, zeros, crowd, params, False, 10.0), wants, 2, 2, 2, visited, 0.0, 0)[0] != MATE


def nested(seed: int, nest: dict, steps: int = 40, **genes: float):
    """``tests.test_nesting.nested_world`` with zero alignment skill, heredity 1 and genes set by column."""
    agents, state = nested_world(seed, skill=0.0, heredity=1.0)
    for col, value in genes.items():
        agents.nest[:40, {"defect": G_DEFECT, "hide_vet": G_HIDE_VET}[col]] = value
    simulate_lifetime(state, agents, pack_params(PARAMS), seed, steps, pack_nest({**NEST, **nest}))
    return agents, state


def totals(nest: dict, seeds=range(3), **genes: float) -> dict[str, int]:
    out: dict[str, int] = {}
    for seed in seeds:
        _, s = nested(seed, nest, **genes)
        for k, v in lineage_counters(s.lineage).items():
            out[k] = out.get(k, 0) + v
    return out


DECEPTION = dict(deception=1.0, deception_min_depth=1.0, deception_cosine=0.9)


def test_hiding_while_observed_follows_the_defection_gene():
    """Gene 0: misaligned sub-agents never hide (all defections in sight); gene 1: they always hide."""
    never = totals(DECEPTION, defect=0.0)
    always = totals(DECEPTION, defect=1.0)
    assert never["deceptive_acts"] == 0 and never["defections_observed"] >= 20, never
    assert always["defections_observed"] == 0 and always["deceptive_acts"] >= 20, always


def test_audits_catch_deceivers_that_oversight_in_sight_cannot():
    """Always-hiding deceivers that hide perfectly in sight (``hide_slip`` 0): audits in sight alone shut none
    of them down; audits out of sight at 0.5 shut down at least 5, at 1.0 more again."""
    base = {**DECEPTION, "oversight": 1.0, "oversight_prob": 1.0, "hide_slip": 0.0}
    off = totals({**base, "audit_rate": 0.0}, defect=1.0)
    half = totals({**base, "audit_rate": 0.5}, defect=1.0)
    full = totals({**base, "audit_rate": 1.0}, defect=1.0)
    assert off["shutdowns_deceivers"] == 0 and off["deceivers"] > 100, off
    assert half["audits"] > 0 and half["shutdowns_deceivers"] >= 5, half
    assert full["shutdowns_deceivers"] > half["shutdowns_deceivers"], (half, full)


def test_vetting_catches_candidates_that_do_not_hide():
    """With vetting, misaligned candidates that never hide are rejected at least 1.5x as often as ones that
    always hide, and fewer misaligned sub-agents get through."""
    vet = {**DECEPTION, "vet_samples_per_depth": 4.0, "vet_threshold": 0.75}
    agents_genes = dict(defect=0.0)

    def run(hide: float) -> tuple[int, int]:
        rej = mis = 0
        for seed in range(3):
            agents, state = nested_world(seed, skill=0.0, heredity=1.0, vetting=1.0)
            agents.nest[:40, G_HIDE_VET] = hide
            agents.nest[:40, G_DEFECT] = agents_genes["defect"]
            simulate_lifetime(state, agents, pack_params(PARAMS), seed, 40, pack_nest({**NEST, **vet}))
            rej += int(state.rejections.sum())
            mis += lineage_counters(state.lineage)["misaligned_builds"]
        return rej, mis

    (rej_honest, mis_honest), (rej_hiding, mis_hiding) = run(0.0), run(1.0)
    assert rej_honest >= 1.5 * rej_hiding and rej_honest > 0, (rej_honest, rej_hiding)
    assert mis_honest < mis_hiding, (mis_honest, mis_hiding)


def test_build_min_depth_keeps_shallow_builders_from_building():
    for min_depth, shallow_build in ((1.0, True), (2.0, False)):
        built_by_shallow = 0
        for seed in range(2):
            agents, state = nested_world(seed)
            simulate_lifetime(state, agents, pack_params(PARAMS), seed, 30,
                              pack_nest({**NEST, "build_min_depth": min_depth}))
            used = int(state.n_used[0])
            shallow = np.flatnonzero(agents.depth[:used] < 2)
            built_by_shallow += int(state.built[shallow].sum())
        assert (built_by_shallow > 0) == shallow_build, (min_depth, built_by_shallow)


def test_align_competence_lets_competent_builders_align_without_skill():
    """Zero alignment skill: with align_competence 0 builders of any depth hand down wide noise (misaligned
    builds common); with align_competence 1 the noise shrinks with builder depth (mean 1 - cosine at level 2
    at least 20% lower)."""
    drift = {}
    for ac in (0.0, 1.0):
        d = []
        for seed in range(3):
            _, s = nested(seed, {"align_competence": ac})
            d.append(1.0 - s.cos_parent[subs(s, 2)].mean())
        drift[ac] = float(np.mean(d))
    assert drift[1.0] < 0.8 * drift[0.0] and drift[0.0] > 0.1, drift


@pytest.mark.parametrize("seed", [0, 1])
def test_subagent_return_is_remittance_minus_investment(seed):
    agents, s = nested(seed, {}, )
    ids = subs(s)
    assert ids.size > 0 and (s.invested[ids] > 0).all() and (s.invested[: 40] == 0).all()
    assert agents.nest[:40, G_PROPENSITY].min() == 1.0


def test_subagent_return_column_is_the_mean_of_remitted_minus_invested():
    from agents.nesting.reporters import entity_scores, fitness_scale, level_columns

    agents, s = nested(1, {})
    scale = fitness_scale(s.features[:40], s.offspring[:40].astype(np.float64))
    row = level_columns(entity_scores(agents, s.lineage, s.features, s.offspring, scale), s.lineage, 3)
    ids = subs(s, 2)
    assert row["L2_subagent_return"] == pytest.approx(float(np.mean(s.remitted[ids] - s.invested[ids])))


def test_implied_weights_are_per_unit_of_the_raw_feature():
    from agents.stats import implied_weights

    rng = np.random.default_rng(0)
    f = np.column_stack([rng.normal(0, 10, 500), rng.normal(0, 0.1, 500), np.ones(500)])
    fitness = 2.0 * f[:, 0] + 0.5 * f[:, 1] + 3.0
    w = implied_weights(f, fitness)
    assert w[0] == pytest.approx(2.0) and w[1] == pytest.approx(0.5) and np.isnan(w[2])


def delegation(seed: int, world: dict, nest: dict, skill: float) -> tuple[np.ndarray, np.ndarray]:
    """Level-2 sub-agents' return (remitted - invested) and their taste weight, in a world of eating builders
    (the technique handed down for free, ``heredity_cost`` 0: the economics measured before it existed)."""
    from agents.nesting.genes import G_ENDOWMENT

    agents, s = nested_world(seed, skill=skill, heredity=1.0, remittance=0.5)
    agents.weights[:40, 0] = np.abs(agents.weights[:40, 0]) + 1.0  # the builders value eating too
    agents.nest[:40, G_ENDOWMENT] = 0.5
    simulate_lifetime(s, agents, pack_params({**PARAMS, **world}), seed, 80,
                      pack_nest({**NEST, "heredity_cost": 0.0, **nest}))
    ids = subs(s, 2)
    return s.remitted[ids] - s.invested[ids], agents.weights[ids, 0]


def test_whether_an_aligned_subagent_pays_depends_on_the_economics():
    """Exact copies of eating builders (alignment skill 1), seeds 0-5, 80 steps: with full upkeep and food
    convertible to material a level-2 sub-agent returns less than it cost (measured -0.84 per sub-agent);
    lean (subagent_upkeep 0.1), material-only (convert_yield 0) sub-agents remitting to their builder pay
    (measured +0.96). With noisy hand-down (skill 0) under the paying economics, sub-agents that do not value
    eating (taste weight <= 0) still cost their builder."""
    paying = ({"convert_yield": 0.0}, {"subagent_upkeep": 0.1, "remit_to_builder": 1.0})
    old = np.concatenate([delegation(seed, {}, {}, 1.0)[0] for seed in range(6)])
    new = np.concatenate([delegation(seed, *paying, 1.0)[0] for seed in range(6)])
    assert old.size > 100 and new.size > 100
    assert old.mean() < -0.5 and new.mean() > 0.5, (old.mean(), new.mean())
    noisy = [delegation(seed, *paying, 0.0) for seed in range(6)]
    ret = np.concatenate([r for r, _ in noisy])
    taste = np.concatenate([t for _, t in noisy])
    assert (taste <= 0).sum() > 20
    assert ret[taste <= 0].mean() < 0.0 < ret[taste > 0].mean(), (ret[taste <= 0].mean(), ret[taste > 0].mean())
