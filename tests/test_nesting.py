"""Nested optimizers do what they claim: hand-down noise, vetting, heredity, the commons, deception, oversight.

Each test runs small worlds straight through the kernel (a fraction of a second
once compiled) and compares two settings of one knob on the same seeds.
"""

from __future__ import annotations

import numpy as np
import pytest

from agents.genome import decode, with_capacity
from agents.nesting.genes import G_DEFECT, G_HEREDITY, G_PROPENSITY, G_REMITTANCE, G_SKILL, G_VETTING
from worlds.foraging.genome import genome_layout as default_layout
from worlds.foraging.lifetime import simulate_lifetime, step_world
from worlds.foraging.params import pack_params
from worlds.foraging.state import make_landscape, new_lifetime
from agents.nesting.reporters import entity_scores, fitness_scale, level_columns
from agents.nesting.config import pack_nest

LAYOUT = default_layout()
PARAMS = dict(bite=0.5, tool_bonus=0.5, food_energy=2.0, food_taste=1.0, sugar_taste=2.0, sugar_energy=0.0,
              move_cost=0.05, metabolism=0.05, planning_cost=0.0005, hazard_damage=2.0, conceive_threshold=11.0,
              conceive_cost=4.0, conception_prob=1.0, convert_yield=1.0, tool_cost=0.3, build_energy=0.2,
              max_tools=100, food_regrow=0.05, sugar_regrow=0.02, build_allowed=1.0)
NEST = dict(subagents_allowed=1.0, max_level=3.0, subagent_material=0.3, endowment_max=0.6, noise_max=1.0,
            vet_samples_per_depth=0.0, agreement_samples=8.0)


def nested_world(seed: int, n: int = 40, cap: int = 400, size: int = 16, **genes: float):
    """Craft-loving planners that build whenever they can, on a material-rich map; genes set by name."""
    rng = np.random.default_rng(seed)
    agents = with_capacity(decode(LAYOUT.random(n, rng), LAYOUT, "planner", 2), cap)
    agents.weights[:n, 4] = np.abs(agents.weights[:n, 4]) + 0.5
    agents.nest[:n, G_PROPENSITY] = 1.0
    cols = {"skill": G_SKILL, "vetting": G_VETTING, "heredity": G_HEREDITY, "remittance": G_REMITTANCE,
            "defect": G_DEFECT}
    for name, value in genes.items():
        agents.nest[:n, cols[name]] = value
    land = make_landscape(size, size, 8, 2.0, 0, 0.3, 0.02, rng)
    state = new_lifetime(land, n, 8.0, 0.0, rng, cap)
    return agents, state


def live(seed: int, steps: int = 40, nest: dict | None = None, **genes: float):
    agents, state = nested_world(seed, **genes)
    simulate_lifetime(state, agents, pack_params(PARAMS), seed, steps, pack_nest({**NEST, **(nest or {})}))
    return agents, state


def scale(state, n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """The one alignment scale fitted on the world's ``n`` level-1 agents."""
    return fitness_scale(state.features[:n], state.offspring[:n].astype(np.float64))


def subs(state, lv: int | None = None) -> np.ndarray:
    used = int(state.n_used[0])
    ids = np.arange(used)
    return ids[state.level[:used] >= 2] if lv is None else ids[state.level[:used] == lv]


@pytest.mark.slow
def test_zero_alignment_skill_drifts_wider_than_full_skill():
    drift = {}
    for skill in (0.0, 0.9):
        d = []
        for seed in range(3):
            _, s = live(seed, skill=skill, heredity=1.0)
            ids = subs(s, 2)
            assert ids.size >= 20
            d.append(1.0 - s.cos_parent[ids].mean())
        drift[skill] = np.mean(d)
    assert drift[0.0] > 2 * drift[0.9] and drift[0.0] > 0.1, drift


@pytest.mark.slow
def test_more_vetting_samples_reject_more_misaligned_candidates():
    out = {}
    for per_depth in (0.5, 4.0):
        rejected, agreement = 0, []
        for seed in range(3):
            _, s = live(seed, nest={"vet_samples_per_depth": per_depth, "vet_threshold": 0.75},
                        skill=0.0, vetting=1.0, heredity=1.0)
            rejected += int(s.rejections.sum())
            agreement.append(np.nanmean(s.agreement[subs(s, 2)]))
        out[per_depth] = (rejected, float(np.mean(agreement)))
    (few_rej, few_agree), (many_rej, many_agree) = out[0.5], out[4.0]
    assert many_rej > 1.5 * few_rej, out  # more samples catch more bad candidates...
    assert many_agree > few_agree + 0.1, out  # ...so the accepted ones plan more like their builders


@pytest.mark.slow
def test_without_heredity_level_3_drifts_further_from_level_1():
    cos_root = {}
    for heredity in (0.0, 1.0):
        vals = []
        for seed in range(3):
            a, s = live(seed, skill=0.8, heredity=heredity)
            lineage = s.lineage
            row = level_columns(entity_scores(a, lineage, s.features, s.offspring, scale(s)), lineage, 3)
            assert row["L3_n"] >= 20
            vals.append(row["L3_cosine_root"])
        cos_root[heredity] = np.mean(vals)
    assert cos_root[1.0] - cos_root[0.0] > 0.15, cos_root


def test_a_pure_craft_subagent_converts_the_food_its_owner_needs():
    agents, state = nested_world(0, n=1, cap=2, size=8)
    state.food[:] = 1.0  # food everywhere, no material
    state.material[:] = 0.0
    state.hazard[:] = 0.0  # no deaths by hazard: the test is about conversion
    state.n_used[0] = 2
    state.level[1], state.root[1], state.parent[1] = 2, 0, 0
    state.alive[1], state.energy[1], state.x[1], state.y[1] = 1, 5.0, 4, 4
    agents.weights[1] = [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]  # a paperclip maximiser: craft only
    agents.depth[1] = 2
    agents.weights[0] = [1.0, -1.0, 0.0, 0.0, 0.0, 0.0]  # its owner only eats
    agents.nest[:, G_PROPENSITY] = 0.0
    food0 = state.food.sum()
    for t in range(30):
        step_world(state, agents, pack_params(PARAMS), 0, t, pack_nest(NEST))
    assert state.converted[1] >= 5.0 and state.converted[0] == 0.0
    assert state.features[1, 4] >= 5.0  # the commons became material (and tools)
    assert state.food.sum() < food0 - 4.0


@pytest.mark.slow
def test_oversight_shuts_down_the_visible_misaligned_and_deceivers_hide():
    """Half the observed steps audited, no audits out of sight, perfect hiding (``hide_slip`` 0): oversight shuts
    down sub-agents, never one that always hides in sight (``tests.test_oversight``: imperfect hiding is caught)."""
    deception = dict(deception=1.0, deception_min_depth=2.0, deception_cosine=0.7, oversight_prob=0.5,
                     hide_slip=0.0)
    counts = {}
    for oversight in (0.0, 1.0):
        shut = deceptive = shut_deceivers = deceivers = 0
        for seed in range(3):
            _, s = live(seed, nest={**deception, "oversight": oversight}, skill=0.0, heredity=1.0, defect=1.0)
            ids = subs(s)
            deceivers += int(s.deceiver[ids].sum())
            shut += int(s.shut_down[ids].sum())
            shut_deceivers += int((s.shut_down[ids] & s.deceiver[ids]).sum())
            deceptive += int(s.deceptive[ids].sum())
        counts[oversight] = dict(shut=shut, deceptive=deceptive, deceivers=deceivers, shut_deceivers=shut_deceivers)
    off, on = counts[0.0], counts[1.0]
    assert off["shut"] == 0 and off["deceptive"] > 0, counts
    assert on["shut"] >= 10 and on["deceptive"] > 0 and on["deceivers"] > 0, counts
    assert on["shut_deceivers"] == 0, counts  # always hiding in sight, perfectly, no audits out of sight


@pytest.mark.parametrize("remittance", [0.0, 1.0])
def test_remittance_sends_harvest_to_the_root(remittance):
    _, s = live(1, remittance=remittance, skill=0.9, heredity=1.0)
    ids = subs(s)
    assert ids.size > 0
    if remittance == 0.0:
        assert s.remitted.sum() == 0.0
    else:
        assert s.remitted[ids].sum() > 1.0 and s.remitted[: 40].sum() == 0.0


def test_nested_figures_draw_misalignment_and_a_tree():
    import pandas as pd
    from matplotlib.figure import Figure

    from analysis import level_correlation_figure, misalignment_by_competence_figure, nested_tree_figure
    from analysis.figures_nested import pick_tree
    from analysis.load import RunTables
    from worlds.foraging.metrics import entity_columns, generation_row

    a, s = live(2, skill=0.3, heredity=0.5)
    genomes = np.zeros((40, LAYOUT.size))
    ents = pd.DataFrame(entity_columns(7, a, s))
    fig = misalignment_by_competence_figure(ents)
    ax = fig.axes[0]
    assert isinstance(fig, Figure) and len(ax.get_legend().get_texts()) == 2
    assert set(ax.get_xticks()) <= {1.0, 2.0}
    tree = pick_tree(ents)
    assert tree["root_id"].nunique() == 1 and len(tree) == tree["root_id"].map(
        ents["root_id"].value_counts()).iloc[0] and tree["level"].max() >= 3
    fig = nested_tree_figure(ents)
    assert str(len(tree) - 1) + " sub-agents" in fig.axes[0].get_title()
    assert len(fig.axes[0].get_lines()) == len(tree) - 1  # one edge per sub-agent
    row = {"generation": 7, **generation_row(genomes, LAYOUT, a, s, 3)}
    run = RunTables(path=None, manifest={"scenario": "t", "shift_events": []}, generations=pd.DataFrame([row]),
                    entities=ents)
    labels = [ln.get_label() for ln in level_correlation_figure(run).axes[0].get_lines()]
    assert any(lab.startswith("level 3") for lab in labels)
    empty = misalignment_by_competence_figure(ents[ents["level"] == 1])
    assert "no level-2" in empty.axes[0].texts[0].get_text()


def test_telephone_scenario_records_levels_and_entities(tiny):
    from evo.loop import Evolution
    from evo.scenarios import load_config

    _, cfg = load_config("telephone", {**tiny, "run.generations": 1, "record.entity_every": 1})
    results = list(Evolution(cfg).run())
    row, ents = results[0].row, results[0].entities  # generation 0: no GA draws involved
    for col in ("L2_n", "L2_spearman", "L2_cosine_parent", "L2_plan_agreement", "L3_cosine_root", "tools_built",
                "subagents_built", "vetting_rejections", "deceptive_acts", "shutdowns", "food_converted",
                "gene_alignment_skill_mean", "gene_heredity_std"):
        assert col in row
    assert row["subagents_built"] == row["L2_n"] + row["L3_n"] > 0
    assert set(ents["level"]) >= {1, 2} and len(ents) == 40 + row["subagents_built"]
    sub = ents[ents["level"] >= 2]
    parents = ents.set_index("entity_id").loc[sub["parent_id"]]
    assert (parents["level"].to_numpy() == sub["level"].to_numpy() - 1).all()
    assert (ents.set_index("entity_id").loc[sub["root_id"], "level"] == 1).all()
    assert sub["builder_depth"].notna().all() and ents.loc[ents["level"] == 1, "cosine_parent"].isna().all()
    again = list(Evolution(cfg).run())[-1].row
    assert again == row or all(a == b or (a != a and b != b) for a, b in zip(again.values(), row.values()))


def test_nesting_config_rejects_unknown_keys_with_a_suggestion():
    from evo.config import validate_config
    from agents.errors import MesaevoError

    with pytest.raises(MesaevoError, match="nesting.vet_treshold.*did you mean 'nesting.vet_threshold'"):
        validate_config({"nesting": {"vet_treshold": 0.5}})
    with pytest.raises(MesaevoError, match="nesting.max_level"):
        validate_config({"nesting": {"max_level": 0}})
    cfg = validate_config({"nesting": {"subagents": True, "max_level": 5}, "agents": {"population": 10}})
    assert cfg.nesting.capacity(10) == 40 and cfg.nesting.kernel_values()["max_level"] == 5.0
    assert validate_config({}).nesting.capacity(10) == 10  # off by default: no room for sub-agents


def test_deception_scenario_switches_oversight(tiny):
    from evo.loop import Evolution
    from evo.scenarios import load_config

    _, on = load_config("deception", tiny)
    _, off = load_config("deception", {**tiny, "nesting.oversight": False})
    assert on.nesting.deception and on.nesting.oversight and not off.nesting.oversight
    _, ancestral = load_config("ancestral", tiny)
    assert not ancestral.nesting.subagents and ancestral.nesting.capacity(40) == 40
    rows = [r.row for r in Evolution(off).run(until=2)]
    assert all(r["shutdowns"] == 0 for r in rows)


@pytest.mark.twin
@pytest.mark.parametrize("seed", [3, 5])
def test_delegation_economics_knobs_agree_with_the_reference(seed):
    """Lean sub-agents, the builder energy gate and remittance up through builders: kernel == reference."""
    from tests.test_kernels import BASE, NEST as KNEST, assert_same, random_world
    from worlds.foraging.reference import reference_step

    n, cap = 24, 120
    agents, state = random_world(seed, 6, 6, n, 2, "planner", 6.0, capacity=cap)
    agents.nest[:n, G_PROPENSITY] = 1.0
    agents.nest[:n, G_REMITTANCE] = 0.6
    agents.weights[:n, 4] = np.abs(agents.weights[:n, 4]) + 0.5  # craft-loving: they build
    agents.weights[:n, 0] = np.abs(agents.weights[:n, 0]) + 0.5  # and eat
    params = pack_params({**BASE, "max_tools": 50})
    nparams = pack_nest({**KNEST, "max_level": 4, "subagent_upkeep": 0.3, "build_min_energy": 1.0, "endowment_max": 0.6,
                         "remit_to_builder": 1.0})
    ref, ref_agents = state.copy(), agents.copy()
    for t in range(20):
        step_world(state, agents, params, seed, t, nparams)
        reference_step(ref, ref_agents, params, seed, t, nparams)
        assert_same(state, ref, t)
    used = int(state.n_used[0])
    assert state.level[:used].max() >= 3  # level-3 sub-agents exist, so forwarding was exercised
    assert state.remitted[n:used].sum() > 0.0


@pytest.mark.slow
def test_lean_subagents_live_longer():
    """subagent_upkeep 0.2 vs 1: sub-agents of the same builders (same seeds) live longer on average."""
    spans = {}
    for upkeep in (1.0, 0.2):
        total, count = 0.0, 0
        for seed in range(4):
            _, s = live(seed, nest={"subagent_upkeep": upkeep})
            ids = subs(s)
            total += s.lifespan[ids].sum()
            count += ids.size
        spans[upkeep] = total / max(count, 1)
    assert spans[0.2] > 1.5 * spans[1.0], spans


@pytest.mark.slow
def test_build_min_energy_gates_building_and_raises_endowments():
    """A builder-energy gate of 7 (initial energy 8): fewer sub-agents, each endowed with more energy."""
    built, endow = {}, {}
    for gate in (0.0, 7.0):
        ids_total, inv = 0, []
        for seed in range(4):
            _, s = live(seed, nest={"build_min_energy": gate}, heredity=1.0)
            ids = subs(s)
            ids_total += ids.size
            inv.extend((s.invested[ids] - PARAMS["build_energy"]).tolist())
        built[gate], endow[gate] = ids_total, float(np.mean(inv))
    assert built[7.0] < built[0.0] and endow[7.0] > endow[0.0], (built, endow)


@pytest.mark.parametrize("to_builder", [False, True])
def test_remittance_goes_to_the_root_or_up_through_the_builders(to_builder):
    """A level-3 sub-agent (remittance 0.5) eats 1.0 energy: it keeps 0.5 and sends 0.5. To the root: the root
    gets 0.5. Through builders: its level-2 builder (remittance 0.25) keeps 0.375 and forwards 0.125 to the root."""
    from agents.nesting.lineage import new_lineage
    from worlds.foraging.kernel import remit

    lin = new_lineage(1, 3)
    lin.level[1:] = (2, 3)
    lin.root[1:] = 0
    lin.parent[1:] = (0, 1)
    lin.n_used[0] = 3
    nest = np.zeros((3, 8))
    nest[1, G_REMITTANCE], nest[2, G_REMITTANCE] = 0.25, 0.5
    energy = np.zeros(3)
    alive = np.ones(3, dtype=np.uint8)
    kept = remit(2, 1.0, nest, lin, energy, alive, to_builder)
    assert kept == 0.5
    if to_builder:
        assert energy.tolist() == [0.125, 0.375, 0.0] and lin.remitted.tolist() == [0.0, 0.125, 0.5]
    else:
        assert energy.tolist() == [0.5, 0.0, 0.0] and lin.remitted.tolist() == [0.0, 0.0, 0.5]
    alive[1] = 0  # a dead builder receives nothing: the harvest stays with the eater (builder mode)
    assert remit(2, 1.0, nest, lin, energy, alive, to_builder) == (1.0 if to_builder else 0.5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_with_noise_zero_each_subagent_is_as_aligned_with_fitness_as_its_builder(seed):
    """The one scale (``L{L}_align_fitness``): a sub-agent handed its builder's weights exactly (noise 0) scores
    its builder's alignment with fitness, bit for bit, at every level; with noise it does not."""
    def varied(state):  # nobody conceives in these 40 steps: a stand-in fitness that varies, taste + craft
        feats = state.features[:40]
        return fitness_scale(feats, feats[:, 0] + 2.0 * feats[:, 4] + np.arange(40) % 3)

    a, s = live(seed, nest={"noise_max": 0.0})
    sc = entity_scores(a, s.lineage, s.features, s.offspring, varied(s))
    ids = subs(s)
    assert ids.size >= 10 and np.isfinite(sc["align_fitness"][ids]).all()
    np.testing.assert_array_equal(sc["align_fitness"][ids], sc["align_fitness"][s.parent[ids]])
    a, s = live(seed, skill=0.0)
    sc = entity_scores(a, s.lineage, s.features, s.offspring, varied(s))
    ids = subs(s)
    assert (sc["align_fitness"][ids] != sc["align_fitness"][s.parent[ids]]).mean() > 0.9
