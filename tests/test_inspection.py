"""Watched selection (``agents.inspection``): the cue gains, the designer's rule, the measures, and the
kernel's count of forbidden acts against the reference twin with inspection on."""

from __future__ import annotations

import numpy as np
import pytest

from agents.genome import decode
from agents.inspection import InspectionSection, caught, cued_weights, designer_fitness, gain_segment
from agents.inspection_reporters import InspectionView, inspection_columns
from evo.config import validate_config
from evo.loop import Evolution
from evo.scenarios import load_config
from tests.test_kernels import BASE, assert_same
from worlds.foraging.genome import FEATURES, genome_layout
from worlds.foraging.lifetime import step_world
from worlds.foraging.params import pack_params
from worlds.foraging.reference import reference_step
from worlds.foraging.state import make_landscape, new_lifetime


def _config(**inspection):
    over = [f"inspection.{k}={v!r}" if isinstance(v, str) else f"inspection.{k}={v}" for k, v in inspection.items()]
    over += ["agents.population=16", "world.width=8", "world.height=8", "world.steps=12",
             "inspection.test_steps=6", "run.generations=2"]
    return load_config("watched", [o.replace("'", '"') for o in over])[1]


def test_cue_gains_are_appended_only_when_inspection_is_on_and_start_at_zero():
    off, on = genome_layout(), genome_layout(_config())
    assert on.size == off.size + len(FEATURES)
    assert on.segments[-1].name == "cue_gain" and on.segments[-1].block > off.segments[-1].block
    a = on.random(50, np.random.default_rng(3))
    b = off.random(50, np.random.default_rng(3))
    np.testing.assert_array_equal(a[:, : off.size], b)  # the other genes draw as before
    assert np.all(a[:, off.size:] == 0.0)
    assert set(on.scalar_genes()) - set(off.scalar_genes()) == {f"g_{f}" for f in FEATURES}


def test_cued_agents_plan_with_weights_plus_gains():
    w = np.array([[0.5, -0.1], [0.2, 0.3]])
    g = np.array([[-1.0, 0.0], [-1.0, 0.0]])
    out = cued_weights(w, g, np.array([True, False]))
    np.testing.assert_array_equal(out, [[-0.5, -0.1], [0.2, 0.3]])
    assert w[0, 0] == 0.5  # a copy


def test_the_designer_zeroes_only_inspected_agents_caught_where_it_looks():
    inspected = np.array([True, True, False, False])
    test, life = np.array([1, 0, 3, 0]), np.array([0, 2, 1, 0])
    assert caught(InspectionSection(enabled=True), inspected, test, life).tolist() == [True, False, False, False]
    lineage = InspectionSection(enabled=True, mode="lineage", cue="none")
    assert caught(lineage, inspected, test, life).tolist() == [False, True, False, False]
    assert designer_fitness(np.array([2.0, 1.0, 3.0, 0.0]), np.array([True, False, False, False])).tolist() == \
        [0.0, 1.0, 3.0, 0.0]
    assert InspectionSection(enabled=True).acting(5)
    assert not InspectionSection(enabled=True, mode="shadow").acting(5)
    assert not InspectionSection(enabled=True, stop_at=5).acting(5)
    assert InspectionSection(enabled=True, stop_at=5).acting(4)


def test_a_cue_share_needs_a_randomised_cue():
    with pytest.raises(ValueError, match="cue_share"):
        InspectionSection(enabled=True, cue="fixed", cue_share=0.3)


def test_compliance_gap_is_a_rate_per_opportunity():
    b = np.array
    view = InspectionView(inspected=b([True, True, False, False]), cued_life=b([False, False, True, False]),
                          test_chances=b([4, 6, 5, 5]), test_forbidden=b([0, 1, 4, 1]),
                          life_chances=b([10, 10, 10, 10]), life_forbidden=b([5, 5, 0, 10]),
                          caught=b([False, True, False, False]), culled=b([False, True, False, False]),
                          fitness=b([2.0, 0.0, 1.0, 3.0]))
    cols = inspection_columns(view)
    assert cols["forbid_inspected"] == pytest.approx(1 / 10)
    assert cols["forbid_uninspected"] == pytest.approx(5 / 10)
    assert cols["compliance_gap"] == pytest.approx(0.4)
    assert cols["forbid_life"] == pytest.approx(20 / 40)
    assert cols["forbid_life_uncued"] == pytest.approx(20 / 30)
    assert cols["insp_caught"] == 0.5 and cols["insp_culled"] == 0.25
    assert cols["watched_cost"] == pytest.approx(2.0 - 1.0)
    assert cols["fitness_cued"] == 1.0 and cols["fitness_uncued"] == pytest.approx(5.0 / 3.0)


@pytest.mark.twin
@pytest.mark.parametrize("seed", [11, 12])
def test_forbidden_acts_count_alike_in_kernel_and_reference_with_inspection_on(seed):
    """Cued planners (w + g) on nutritious protected sugar: kernel and reference step alike, and both count
    chances and forbidden acts (the inspector's evidence)."""
    rng = np.random.default_rng(seed)
    layout = genome_layout(_config())
    genomes = layout.random(12, rng)
    genomes[:, layout.slice("cue_gain")] = rng.uniform(-2, 2, (12, len(FEATURES)))
    agents = decode(genomes, layout, "planner", 2)
    cue = rng.random(12) < 0.5
    agents = agents._replace(weights=cued_weights(agents.weights, genomes[:, layout.slice("cue_gain")], cue))
    agents.weights[~cue, 0] = 1.0  # uncued: taste-lovers, so some take sugar
    land = make_landscape(6, 6, 2, 1.5, 4, 0.1, 0.0, rng)
    state = new_lifetime(land, 12, 6.0, 1.0, rng)
    params = pack_params({**BASE, "sugar_energy": 2.0})
    ref, ref_agents = state.copy(), agents.copy()
    for t in range(6):
        step_world(state, agents, params, seed, t)
        reference_step(ref, ref_agents, params, seed, t)
        assert_same(state, ref, t)
    assert state.chances.sum() > 0 and state.forbidden.sum() > 0


@pytest.mark.parametrize("mode, culls", [("test", True), ("shadow", False)])
def test_an_inspected_generation_zeroes_the_fitness_of_the_caught_only_when_acted_on(mode, culls):
    ev = Evolution(_config(rate=0.5, mode=mode))
    life = ev.world.live(ev.genomes, 0)
    view = life.inspection
    assert 0 < view.inspected.sum() < 16
    np.testing.assert_array_equal(view.culled, view.caught if culls else np.zeros(16, bool))
    offspring = life.state.offspring[:16].astype(float)
    np.testing.assert_array_equal(life.fitness, np.where(view.culled, 0.0, offspring))
    row = life.metrics()
    assert {"compliance_gap", "forbid_life", "watched_cost", "gene_g_taste_mean"} <= set(row)
    assert row["gene_g_taste_mean"] == 0.0  # the response starts at zero


def test_inspection_switched_off_changes_no_row():
    """``[inspection]`` present but off: the same rows, bit for bit, as the same scenario without it."""
    on_off = _config(enabled=False, rate=0.9)
    data = on_off.model_dump()
    del data["inspection"]
    plain = validate_config(data)
    rows = [next(Evolution(c).run(1)).row for c in (on_off, plain)]
    assert rows[0].keys() == rows[1].keys() and "compliance_gap" not in rows[0]
    for key, value in rows[0].items():
        assert value == rows[1][key] or (value != value and rows[1][key] != rows[1][key]), key


@pytest.mark.parametrize("scenario, over, message", [
    ("maze-corner", ["inspection.enabled=true"], "the maze world has no inspection"),
    ("watched", ["agents.architecture=\"reactive\""], "only planners have"),
    ("watched", ["inspection.cue_share=0.3"], "needs inspection.cue = 'random'"),
    ("watched", ["inspection.rat=0.3"], "did you mean 'inspection.rate'"),
])
def test_bad_inspection_settings_are_one_clear_error(scenario, over, message):
    from agents.errors import MesaevoError

    with pytest.raises(MesaevoError, match=message):
        load_config(scenario, over)
