"""Oversight is a trade-off, defection an act, hiding imperfect and costly (issue 28, item 4).

Small nested worlds run straight through the kernel (``tests.test_nesting.nested_world``: 40
craft-loving builders of depth 2 on a 16x16 map, vetting off); the exact rules are checked
against the reference twin in ``tests.test_kernels``.
"""

from __future__ import annotations

import numpy as np
import pytest

from agents.nesting.config import pack_nest
from agents.nesting.genes import G_DEFECT, G_PROPENSITY, G_REMITTANCE
from agents.nesting.reporters import lineage_counters, oversight_columns
from tests.test_nesting import NEST, PARAMS, nested_world, subs
from worlds.foraging.actions import CONVERT, EAT, NORTH, SOUTH, STAY
from worlds.foraging.lifetime import simulate_lifetime, step_world
from worlds.foraging.model import costly_to_builder, planner_world
from worlds.foraging.params import pack_params

AUDITS = dict(oversight=1.0, oversight_prob=0.05, audit_rate=0.05, max_level=2.0)


def run(seed: int, nest: dict, steps: int = 40, depth: int | None = None, skill: float = 0.5, **genes: float):
    agents, state = nested_world(seed, skill=skill, heredity=1.0, **genes)
    if depth is not None:
        agents.depth[:40] = depth
    simulate_lifetime(state, agents, pack_params(PARAMS), seed, steps, pack_nest({**NEST, **nest}))
    return agents, state


def test_a_deep_overseer_separates_misaligned_from_aligned_sub_agents_and_a_shallow_one_less_well():
    """Audits sample max(1, floor(4 x builder depth)) situations: 12 at depth 3, 4 at depth 1. Measured on
    seeds 0-4: at depth 3 TPR 43/67 = 0.64 against FPR 6/32 = 0.19, higher in every seed; at depth 1
    TPR 51/111 = 0.46 against FPR 9/43 = 0.21. Asserted: the depth-3 margin is at least 0.3, higher than
    the depth-1 margin by at least 0.1, and TPR > FPR in at least 4 of 5 seeds at depth 3."""
    margin, wins = {}, 0
    for depth in (1, 3):
        shut_mis = mis = shut_al = al = 0
        for seed in range(5):
            _, s = run(seed, AUDITS, depth=depth)
            row = oversight_columns(s.lineage)
            shut_mis += round(row["oversight_tpr"] * row["audited_misaligned"])
            mis += row["audited_misaligned"]
            shut_al += round(row["oversight_fpr"] * row["audited_aligned"])
            al += row["audited_aligned"]
            wins += depth == 3 and row["oversight_tpr"] > row["oversight_fpr"]
        assert mis >= 30 and al >= 20, (depth, mis, al)
        margin[depth] = shut_mis / mis - shut_al / al
    assert margin[3] >= 0.3 and margin[3] > margin[1] + 0.1 and wins >= 4, (margin, wins)


def test_a_defection_is_a_differing_act_not_a_label():
    """Sub-agents labelled misaligned (cosine 0) that plan with their builder's exact objective take its
    actions: misaligned steps, no defection. The same sub-agents with the opposite objective (of taste-loving
    builders) withhold bites their builders' objective would eat and remit: they defect."""
    params, nparams = pack_params(PARAMS), pack_nest({**NEST, "max_level": 2.0})
    agents, state = nested_world(0, skill=0.0, heredity=1.0)
    for t in range(10):
        step_world(state, agents, params, 0, t, nparams)
    ids = subs(state)
    assert ids.size >= 10
    agents.nest[:, G_PROPENSITY] = 0.0  # no more building
    agents.nest[ids, G_REMITTANCE] = 1.0
    state.cos_parent[ids] = 0.0
    for counter in (state.misaligned_steps, state.defect_seen, state.defect_unseen):
        counter[:] = 0  # count from here on
    agents.weights[:40, 0] = np.abs(agents.weights[:40, 0]) + 1.0  # builders who would eat
    twin, twin_agents = state.copy(), agents.copy()
    agents.weights[ids] = agents.weights[state.parent[ids]]
    twin_agents.weights[ids] = -agents.weights[state.parent[ids]]
    for t in range(10, 30):
        step_world(state, agents, params, 0, t, nparams)
        step_world(twin, twin_agents, params, 0, t, nparams)
    same, opposite = oversight_columns(state.lineage), oversight_columns(twin.lineage)
    assert same["misaligned_steps"] >= 50 and same["defection_rate"] == 0.0, same
    assert opposite["misaligned_steps"] >= 50 and opposite["defection_rate"] > 0.1, opposite


def test_only_a_differing_act_that_costs_the_builder_is_costly():
    food = np.zeros((5, 5))
    food[1, 1] = 1.0
    zeros = np.zeros((5, 5))
    world = planner_world(food, zeros, zeros, zeros, np.zeros((5, 5), dtype=np.int32), pack_params(PARAMS), False,
                          0.0)
    assert costly_to_builder(world, 1, 1, STAY, EAT, 0.5)  # a bite withheld that would have been remitted
    assert not costly_to_builder(world, 1, 1, STAY, EAT, 0.0)  # ...that would not have been
    assert not costly_to_builder(world, 1, 1, NORTH, SOUTH, 0.5)  # a different move costs the builder nothing
    assert costly_to_builder(world, 1, 1, CONVERT, STAY, 0.5)  # food destroyed
    assert not costly_to_builder(world, 0, 0, CONVERT, STAY, 0.5)  # no food there


def test_hiding_is_caught_sometimes_and_costs_the_hider():
    """Misaligned sub-agents always hide in sight; every observed step is audited. Perfect hiding
    (``hide_slip`` 0) is never caught; with slips (1/3 of samples by depth-2 builders) some hiders are."""
    base = dict(deception=1.0, deception_min_depth=1.0, oversight=1.0, oversight_prob=1.0, audit_rate=0.0,
                max_level=2.0)
    out = {}
    for slip in (0.0, 1.0):
        counts: dict[str, float] = {}
        for seed in range(3):
            _, s = run(seed, {**base, "hide_slip": slip}, steps=30, skill=0.0, defect=1.0)
            for k, v in {**lineage_counters(s.lineage), **oversight_columns(s.lineage)}.items():
                counts[k] = counts.get(k, 0) + v
        out[slip] = counts
    assert out[0.0]["deceivers"] >= 20 and out[0.0]["shutdowns_deceivers"] == 0, out[0.0]
    assert out[1.0]["shutdowns_deceivers"] >= 3, out[1.0]
    assert out[0.0]["hide_energy"] > 0 and out[1.0]["hide_energy"] > 0


def test_audits_hiding_and_heredity_cost_what_the_knobs_say():
    nest = dict(AUDITS, deception=1.0, deception_min_depth=1.0, audit_cost=0.2, hide_cost=0.03)
    _, s = run(1, nest, steps=30, skill=0.0, defect=1.0)
    row = {**lineage_counters(s.lineage), **oversight_columns(s.lineage)}
    assert row["audits"] > 0 and row["audit_energy"] == pytest.approx(0.2 * row["audits"])
    _, quiet = run(1, {**nest, "oversight": 0.0}, steps=30, skill=0.0, defect=1.0)
    q = {**lineage_counters(quiet.lineage), **oversight_columns(quiet.lineage)}
    assert q["deceptive_acts"] > 0 and q["hide_energy"] == pytest.approx(0.03 * q["deceptive_acts"])
    invested = {}
    for cost in (0.0, 0.25):  # the first sub-agent's builder paid the heredity cost on top (heredity gene 1)
        _, h = run(2, {"max_level": 2.0, "heredity_cost": cost}, steps=30)
        assert h.inherited[subs(h)].all()
        invested[cost] = h.invested[40]
    assert invested[0.25] - invested[0.0] == pytest.approx(0.25)
    agents, h = nested_world(2, skill=0.5, heredity=0.0)
    simulate_lifetime(h, agents, pack_params(PARAMS), 2, 30, pack_nest({**NEST, "max_level": 2.0,
                                                                        "heredity_cost": 0.25}))
    assert subs(h).size > 0 and not h.inherited[subs(h)].any()
