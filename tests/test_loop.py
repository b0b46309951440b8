"""The generation loop and Simulation: edge cases and run-directory status."""

from __future__ import annotations

import json

import numpy as np
import pytest

from agents.genome import decode
from worlds.foraging.genome import genome_layout as default_layout
from evo.simulation import Simulation
from tests.conftest import TINY


def test_population_that_dies_out_is_handled_by_uniform_sampling(tmp_path):
    # agents start able to conceive (initial_energy >= conceive_threshold), so also put conception out of reach
    sim = Simulation.from_scenario("ancestral", {**TINY, "world.metabolism": 50.0, "world.conceive_threshold": 1000.0},
                                   out=tmp_path / "run")
    tables = sim.run()
    g = tables.generations
    assert len(g) == TINY["run.generations"]
    assert (g["survival"] == 0).all() and (g["fitness_mean"] == 0).all()
    assert g["selection_fallback"].all()
    assert g["L1_spearman"].isna().all()  # undefined, recorded as NaN rather than crashing
    assert tables.manifest["status"] == "completed"


@pytest.mark.parametrize("overrides", [
    {"agents.architecture": "reactive"},
    {"agents.architecture": "evolved", "evolution.selection": "tournament"},
])
def test_other_architectures_and_selection_run(tmp_path, overrides):
    tables = Simulation.from_scenario("ancestral", {**TINY, **overrides}, out=tmp_path / "run").run()
    g = tables.generations
    share = g["planner_share"]
    if overrides["agents.architecture"] == "reactive":
        assert (share == 0).all() and g["L1_n"].eq(0).all() and (g["nodes_mean"] == 0).all()
    else:
        assert ((share > 0) & (share < 1)).any()
    assert len(tables.entities) == TINY["run.generations"] * TINY["agents.population"]


def test_iterate_writes_as_it_goes_and_a_failure_is_recorded(tmp_path, monkeypatch):
    sim = Simulation.from_scenario("ancestral", {**TINY, "record.flush_every": 1}, out=tmp_path / "run")
    it = sim.iterate()
    next(it)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "running" and manifest["generations_done"] == 1
    assert (tmp_path / "run" / "generations.parquet").exists()
    import evo.loop

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(evo.loop, "next_generation", boom)
    with pytest.raises(RuntimeError):
        next(it)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "failed" and "disk on fire" in manifest["error"]


def test_callback_sees_every_generation(tmp_path):
    seen = []
    Simulation.from_scenario("sugar", {**TINY, "shifts.0.generation": 1}, out=tmp_path / "r").run(seen.append)
    assert [r["generation"] for r in seen] == list(range(TINY["run.generations"]))
    assert [r["sugar_level"] for r in seen] == [0.0, 1.0, 1.0, 1.0]


def test_decode_maps_competence_to_depth_bins():
    layout = default_layout()
    genomes = np.zeros((4, layout.size))
    genomes[:, layout.slice("competence")] = np.array([[0.0], [0.34], [0.7], [1.0]])
    genomes[:, layout.slice("architecture")] = np.array([[0.2], [0.6], [0.5], [0.49]])
    d = decode(genomes, layout, "evolved", 3)
    assert d.depth.tolist() == [1, 2, 3, 3]
    assert d.architecture.tolist() == [0, 1, 1, 0]
    with pytest.raises(ValueError):
        decode(genomes[:, :-1], layout, "planner", 3)


def test_unselected_genes_are_out_of_selection_and_the_rest_unchanged():
    """``evolution.unselected_genes``: after selection the named genes are fresh draws, the same whatever the
    population's fitness (selection cannot move them); every other gene is what selection gave without them."""
    from evo.loop import Evolution
    from evo.scenarios import load_config

    over = {**TINY, "run.seed": 4}
    _, base = load_config("telephone", over)
    _, held = load_config("telephone", {**over, "evolution.unselected_genes": ["alignment_skill", "heredity"]})
    layout = default_layout()
    cols = [layout.scalar_genes()[g] for g in ("alignment_skill", "heredity")]
    rest = np.setdiff1d(np.arange(layout.size), cols)
    children = []
    for fitness in (np.arange(TINY["agents.population"], dtype=float), np.ones(TINY["agents.population"])):
        ref, evo = Evolution(base), Evolution(held)
        for e in (ref, evo):
            e.fitness = fitness.copy()
            e.select()
        np.testing.assert_array_equal(evo.genomes[:, rest], ref.genomes[:, rest])
        assert not np.array_equal(evo.genomes[:, cols], ref.genomes[:, cols])
        children.append(evo.genomes[:, cols])
    np.testing.assert_array_equal(children[0], children[1])


def test_unknown_unselected_gene_is_a_config_error():
    from agents.errors import MesaevoError
    from evo.scenarios import load_config

    with pytest.raises(MesaevoError, match="alignment_skill"):
        load_config("telephone", {"evolution.unselected_genes": ["alignment_skil"]})
