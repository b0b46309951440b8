"""The island model: migration at the right generations, reproducible from the seed, whatever the executor."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from analysis import load_run
from evo.islands import IslandModel, island_seed, run_islands
from evo.scenarios import load_config
from evo.simulation import Simulation
from tests.conftest import TINY

GENS = 5
OVERRIDES = {**TINY, "run.generations": GENS, "run.seed": 11, "shifts.0.generation": 3, "record.entity_every": 1,
             "world.steps": 30}


@pytest.fixture(scope="module")
def config():
    return load_config("sugar", OVERRIDES)[1]


@pytest.fixture(scope="module")
def migrating(config, tmp_path_factory):
    out = tmp_path_factory.mktemp("isl") / "run"
    model = run_islands(config, out, islands=3, migrate_every=2, migrants=3)
    return model, load_run(out)


@pytest.fixture(scope="module")
def isolated(config, tmp_path_factory):
    out = tmp_path_factory.mktemp("iso") / "run"
    model = run_islands(config, out, islands=3, migrate_every=0, migrants=3)
    return model, load_run(out)


def test_migration_happens_every_m_generations_on_a_ring(migrating, isolated):
    model, run = migrating
    gens = run.generations
    assert len(gens) == 3 * GENS and list(gens.island[:3]) == [0, 1, 2]
    assert sorted(set(gens.generation[gens.migrants_in > 0])) == [2, 4]
    assert (gens.migrants_in[gens.generation.isin([2, 4])] == 3).all()
    assert [(m.generation, m.source, m.target) for m in model.migrations] == \
        [(g, i, (i + 1) % 3) for g in (2, 4) for i in range(3)]
    assert run.manifest["islands"]["n"] == 3 and len(run.manifest["migrations"]) == 6
    # up to and including the first migration generation's lifetimes the islands are untouched, then
    # they differ (selection at generation 2 already sees the immigrants)
    iso = isolated[1].generations.drop(columns=["migrants_in", "selection_fallback"])
    mig = gens.drop(columns=["migrants_in", "selection_fallback"])
    pd.testing.assert_frame_equal(mig[mig.generation <= 2], iso[iso.generation <= 2], check_exact=True)
    assert not mig[mig.generation == 3].reset_index(drop=True).equals(iso[iso.generation == 3].reset_index(drop=True))
    # the emigrants are the k fittest of their island at generation 2 (per-agent records of the isolated run)
    ents = isolated[1].entities
    for m in model.migrations[:3]:
        fit = ents[(ents.generation == 2) & (ents.island == m.source)].sort_values("entity_id").fitness.to_numpy()
        assert m.fitness == sorted(fit, reverse=True)[:3]
        assert list(fit[m.emigrants]) == m.fitness
        target = ents[(ents.generation == 2) & (ents.island == m.target)].sort_values("entity_id").fitness.to_numpy()
        assert list(target[m.replaced]) == sorted(target)[:3]


def test_island_run_is_reproducible_from_its_seed_on_any_executor(config, migrating, tmp_path):
    with ThreadPoolExecutor(2) as pool:
        run_islands(config, tmp_path / "again", islands=3, migrate_every=2, migrants=3, executor=pool)
    a, b = migrating[1], load_run(tmp_path / "again")
    pd.testing.assert_frame_equal(a.generations, b.generations, check_exact=True)
    pd.testing.assert_frame_equal(a.entities, b.entities, check_exact=True)


def test_an_isolated_island_is_an_ordinary_run_with_the_island_seed(config, isolated, tmp_path):
    sim = Simulation.from_scenario("sugar", {**OVERRIDES, "run.seed": island_seed(11, 1)}, out=tmp_path / "one")
    plain = sim.run().generations
    island = isolated[1].generations
    island = island[island.island == 1].drop(columns=["island", "migrants_in"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(island, plain, check_exact=True)


def test_island_seeds_differ_and_are_valid():
    seeds = [island_seed(11, i) for i in range(4)]
    assert len(set(seeds)) == 4 and all(0 <= s < 2**63 for s in seeds)
    with pytest.raises(ValueError):
        IslandModel(load_config("sugar", OVERRIDES)[1], islands=2, migrants=40)
