"""Preflight memory/time estimates, sweep size limits and scheduler addresses, all refused before any work."""

from __future__ import annotations

import logging
import time

import pytest

from evo.cli import main
from agents.errors import MesaevoError
from evo.preflight import GIB, check, estimate, planner_nodes
from evo.scenarios import load_config
from evo.executor import check_scheduler, connect
from evo.sweep import MAX_RUNS, build_sweep
from tests.conftest import TINY


def config(**overrides):
    return load_config("sugar", {**TINY, "shifts.0.generation": 1, **overrides})[1]


def test_planner_nodes_sum_powers_of_five():
    assert planner_nodes(1) == 5 and planner_nodes(3) == 5 + 25 + 125


def test_estimate_grows_with_world_population_and_nesting():
    small = estimate(config())
    assert estimate(config(**{"world.width": 512, "world.height": 512})).memory_bytes > 100 * small.memory_bytes
    bigger = estimate(config(**{"agents.population": 400}))
    assert bigger.entity_slots == 400 and bigger.memory_bytes > small.memory_bytes
    nested = estimate(config(**{"nesting.subagents": True, "nesting.capacity_factor": 8.0}))
    assert nested.entity_slots == 8 * 40
    assert estimate(config(**{"agents.max_depth": 4})).seconds > estimate(config()).seconds


def test_maze_worlds_are_estimated_from_rows_and_cols():
    _, maze = load_config("maze-corner", {})
    est = estimate(maze)
    assert est.grid_cells == (2 * maze.world.rows + 1) * (2 * maze.world.cols + 1)


def test_memory_limit_refuses_and_the_flag_raises_it(tmp_path, capsys):
    huge = config(**{"world.width": 4096, "world.height": 4096, "agents.population": 6_000_000})  # ~1.4 KiB per agent at 60 steps
    assert estimate(huge).memory_bytes > 8 * GIB
    with pytest.raises(MesaevoError, match="--max-memory"):
        check(huge)
    check(huge, max_memory_gib=10_000)
    args = ["run", "sugar", "--no-plot", "--out", str(tmp_path / "r"), "--set", "world.width=4096",
            "--set", "world.height=4096", "--set", "agents.population=6000000"]
    t0 = time.perf_counter()
    assert main(args) == 2
    assert time.perf_counter() - t0 < 5
    err = capsys.readouterr().err
    assert err.startswith("error: this run needs about") and err.count("\n") == 1
    assert not (tmp_path / "r").exists()
    assert main([*args, "--max-memory", "0"]) == 2
    assert "--max-memory must be a positive" in capsys.readouterr().err


def test_long_runs_are_warned_about(caplog):
    with caplog.at_level(logging.WARNING, logger="evo.preflight"):
        check(config(**{"run.generations": 100_000, "agents.max_depth": 5, "agents.population": 5000}))
    assert "estimated to take about" in caplog.text


def test_tournament_larger_than_the_population_is_refused(tmp_path, capsys):
    with pytest.raises(MesaevoError, match="tournament_size"):
        check(config(**{"evolution.selection": "tournament", "evolution.tournament_size": 41}))
    assert main(["run", "sugar", "--no-plot", "--out", str(tmp_path / "r"), "--set", "agents.population=10",
                 "--set", "evolution.selection=tournament", "--set", "evolution.tournament_size=11"]) == 2


SWEEP = {"name": "big", "base": "sugar", "seeds": [1], "generations": 2,
         "set": {k: v for k, v in TINY.items() if k != "run.generations"} | {"shifts.0.generation": 1}}


def test_sweep_size_is_refused_from_the_lengths_before_building_combinations():
    grid = {"world.width": list(range(16, 16 + 200)), "world.height": list(range(16, 16 + 200))}
    t0 = time.perf_counter()
    with pytest.raises(MesaevoError, match=f"more than the limit of {MAX_RUNS}"):
        build_sweep({**SWEEP, "grid": grid})
    with pytest.raises(MesaevoError, match="seeds"):
        build_sweep({**SWEEP, "seeds": 10**9})
    with pytest.raises(MesaevoError, match="seeds"):
        build_sweep({**SWEEP, "seeds": list(range(20_000))})
    grid = {f"shifts.0.generation": [1] * 10, "world.width": [16] * 10, "world.height": [16] * 10,
            "world.steps": [5] * 10, "agents.population": [20] * 10}
    with pytest.raises(MesaevoError, match="runs"):
        build_sweep({**SWEEP, "grid": grid})  # 10**5 combinations, refused without building them
    assert time.perf_counter() - t0 < 5


@pytest.mark.parametrize("address", ["tcp://10.0.0.1:8786", "localhost:8786", "tls://sched.example.org:1",
                                     "[::1]:8786"])
def test_valid_scheduler_addresses(address):
    assert check_scheduler(address) == address


@pytest.mark.parametrize("address", ["", "localhost", "tcp://", "http://x:1", "x:0", "x:65536", "a b:1",
                                     "tcp://h:port", "../x:1", "x:1/path"])
def test_invalid_scheduler_addresses_are_one_error_line(address, tmp_path, capsys):
    with pytest.raises(MesaevoError, match="not a scheduler address"):
        check_scheduler(address)
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text('base = "sugar"\nseeds = [1]\ngenerations = 2\n[set]\n"shifts.0.generation" = 1\n')
    assert main(["sweep", str(sweep_file), "--out", str(tmp_path / "o"), f"--scheduler={address}"]) == 2
    assert capsys.readouterr().err.count("error:") == 1


def test_unreachable_scheduler_is_reported_within_seconds_naming_the_address():
    pytest.importorskip("distributed")
    address = "tcp://127.0.0.1:9"  # discard port: nothing listens
    t0 = time.perf_counter()
    with pytest.raises(MesaevoError, match="127.0.0.1:9"):
        connect(address, timeout=2)
    assert time.perf_counter() - t0 < 15
