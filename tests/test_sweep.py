"""Sweeps on a Dask LocalCluster equal the same runs made one by one; failures and interruptions."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import load_run, load_sweep
from agents.errors import MesaevoError
from evo.simulation import Simulation
from evo.simulation import run_one
from evo.sweep import SWEEP_MANIFEST, build_sweep, load_sweep_file, run_sweep
from tests.conftest import TINY

distributed = pytest.importorskip("distributed")

GENS = 3
SET = {k: v for k, v in TINY.items() if k != "run.generations"} | {"checkpoint.every": 1, "record.flush_every": 1}
SWEEP = {"name": "tiny", "base": "sugar", "seeds": [3, 8], "generations": GENS,
         "set": SET, "grid": {"shifts.0.generation": [1, 2]}}
FAIL_SEED = 13


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def one_by_one(tmp_path_factory) -> dict[str, Path]:
    """Every run of SWEEP made directly with Simulation, in this process."""
    sweep = build_sweep(SWEEP)
    root = tmp_path_factory.mktemp("single")
    out = {}
    for run in sweep.runs:
        sim = Simulation.from_scenario("sugar", sweep.overrides(run), seed=run.seed, generations=GENS,
                                       out=root / run.run_id)
        sim.run()
        out[run.run_id] = sim.run_dir
    return out


def assert_same(a: Path, b: Path) -> None:
    ra, rb = load_run(a), load_run(b)
    assert len(ra.generations) == GENS
    pd.testing.assert_frame_equal(ra.generations, rb.generations, check_exact=True)
    pd.testing.assert_frame_equal(ra.entities, rb.entities, check_exact=True)
    assert ra.manifest["config"] == rb.manifest["config"]
    assert ra.manifest["status"] == rb.manifest["status"] == "completed"


def test_sweep_file_errors_name_the_key_before_any_work(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('base = "sugar"\nseed = [1]\n[grid]\n"world.widht" = [16]\n')
    with pytest.raises(MesaevoError, match="did you mean 'seeds'"):
        load_sweep_file(bad)
    bad.write_text('base = "sugar"\nseeds = 2\n[grid]\n"world.widht" = [16]\n"agents.population" = [1]\n')
    with pytest.raises(MesaevoError) as err:
        load_sweep_file(bad)
    assert "world.width" in str(err.value) and "agents.population" in str(err.value)
    assert not (tmp_path / "sweeps").exists()


def test_grid_and_cases_make_settings_times_seeds():
    sweep = build_sweep({"base": "sugar", "seeds": 2, "grid": {"world": {"width": [16, 20]}},
                         "cases": [{"agents.max_depth": 1}, {"agents.max_depth": 2}]})
    assert len(sweep.runs) == 2 * 2 * 2
    assert [r.seed for r in sweep.runs[:2]] == [0, 1]
    assert sweep.runs[0].overrides == {"world.width": 16, "agents.max_depth": 1}
    assert len({r.run_id for r in sweep.runs}) == len(sweep.runs)


def test_sweep_on_local_cluster_equals_runs_one_by_one(client, one_by_one, tmp_path):
    sweep = build_sweep(SWEEP)
    manifest = run_sweep(sweep, tmp_path / "sw", run_one, client=client)
    assert manifest["status"] == "completed"
    assert len(manifest["runs"]) == 4
    for entry in manifest["runs"]:
        assert entry["status"] == "completed", entry
        assert_same(one_by_one[entry["id"]], tmp_path / "sw" / entry["dir"])
    tables = load_sweep(tmp_path / "sw")
    assert len(tables.generations) == 4 * GENS
    assert list(tables.generations.columns[:4]) == ["run_id", "setting", "shifts_0_generation", "seed"]
    assert "config" not in tables.generations.columns
    assert tables.keys == {"shifts_0_generation": "shifts.0.generation"}
    one = tables.generations[tables.generations.run_id == "s001-seed8"].drop(
        columns=["run_id", "setting", "shifts_0_generation", "seed"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(one, load_run(one_by_one["s001-seed8"]).generations, check_exact=True)


def _install_failure(seed: int) -> None:
    """On a worker: make every generation of runs with ``seed`` raise."""
    from evo import loop

    original = loop.Evolution.step
    if getattr(original, "_patched", False):
        return

    def step(self):
        if self.config.run.seed == seed and self.generation == 1:
            raise RuntimeError("deliberate failure")
        return original(self)

    step._patched = True
    step._original = original
    loop.Evolution.step = step


def _remove_failure() -> None:
    from evo import loop

    loop.Evolution.step = getattr(loop.Evolution.step, "_original", loop.Evolution.step)


def test_a_failing_run_is_recorded_and_the_others_complete(client, one_by_one, tmp_path):
    data = dict(SWEEP, seeds=[3, FAIL_SEED])
    client.run(_install_failure, FAIL_SEED)
    try:
        manifest = run_sweep(build_sweep(data), tmp_path / "sw", run_one, client=client)
    finally:
        client.run(_remove_failure)
    assert manifest["status"] == "failed"
    by_id = {e["id"]: e for e in manifest["runs"]}
    for run_id, entry in by_id.items():
        if run_id.endswith(f"seed{FAIL_SEED}"):
            assert entry["status"] == "failed"
            assert "deliberate failure" in entry["error"]
            assert load_run(tmp_path / "sw" / entry["dir"]).manifest["status"] == "failed"
        else:
            assert entry["status"] == "completed"
            assert_same(one_by_one[run_id], tmp_path / "sw" / entry["dir"])
    on_disk = json.loads((tmp_path / "sw" / SWEEP_MANIFEST).read_text())
    assert on_disk["runs"] == manifest["runs"]
    assert set(load_sweep(tmp_path / "sw", statuses=("completed",)).generations.seed) == {3}


def test_an_interrupted_sweep_resumes_to_the_same_results(client, one_by_one, tmp_path):
    sweep = build_sweep(SWEEP)
    out = tmp_path / "sw"
    # a sweep killed mid-way: two runs completed, one left at generation 1 with status 'running', one never started
    manifest = run_sweep(build_sweep(dict(SWEEP, grid={"shifts.0.generation": [1]})), tmp_path / "part", run_one,
                         client=client)
    assert manifest["status"] == "completed"
    out.mkdir()
    (out / "runs").mkdir()
    for entry in manifest["runs"]:
        (tmp_path / "part" / entry["dir"]).rename(out / entry["dir"])
    third = sweep.runs[2]
    sim = Simulation.from_scenario("sugar", sweep.overrides(third), seed=third.seed, generations=GENS,
                                   out=out / "runs" / third.run_id)
    it = sim.iterate()
    next(it)
    next(it)  # generation 1 done, checkpoint at 2 written (checkpoint.every = 1); killed without closing
    sim.recorder.lock.release()  # as the kernel does for a killed process
    entries = [{"id": r.run_id, "setting": r.setting, "overrides": r.overrides, "seed": r.seed,
                "dir": f"runs/{r.run_id}", "status": s, "error": None}
               for r, s in zip(sweep.runs, ["completed", "completed", "running", "pending"])]
    (out / SWEEP_MANIFEST).write_text(json.dumps({"format": 1, "name": "tiny", "base": sweep.base, "set": SET,
                                                  "generations": GENS, "status": "running", "runs": entries}))
    stamp = (out / "runs" / sweep.runs[0].run_id / "manifest.json").stat().st_mtime_ns
    manifest = run_sweep(sweep, out, run_one, client=client)
    assert manifest["status"] == "completed"
    assert (out / "runs" / sweep.runs[0].run_id / "manifest.json").stat().st_mtime_ns == stamp  # kept as it was
    for entry in manifest["runs"]:
        assert_same(one_by_one[entry["id"]], out / entry["dir"])


def test_resume_refuses_a_different_sweep(tmp_path):
    out = tmp_path / "sw"
    out.mkdir()
    (out / SWEEP_MANIFEST).write_text(json.dumps({"name": "x", "base": "sugar", "runs": []}))
    with pytest.raises(MesaevoError, match="different sweep"):
        run_sweep(build_sweep(SWEEP), out, run_one, client=object())


def test_run_one_leaves_a_completed_run_alone(one_by_one):
    path = next(iter(one_by_one.values()))
    before = (path / "generations.parquet").stat().st_mtime_ns
    assert run_one("sugar", {}, 0, None, str(path))["status"] == "completed"
    assert (path / "generations.parquet").stat().st_mtime_ns == before


def test_cli_sweep_runs_and_resumes(tmp_path, capsys):
    from evo.cli import main

    sets = "\n".join(f'"{k}" = {v}' for k, v in SET.items())
    path = tmp_path / "small.toml"
    path.write_text(f'base = "ancestral"\nseeds = [4]\ngenerations = 2\n[set]\n{sets}\n')
    out = tmp_path / "sw"
    assert main(["sweep", str(path), "--workers", "1", "--out", str(out)]) == 0
    assert "1 completed" in capsys.readouterr().out
    assert main(["sweep", str(path), "--workers", "1", "--out", str(out), "--resume"]) == 0
    assert "small: 1 of 1 runs already completed, kept" in capsys.readouterr().err  # run again: kept
    assert len(load_sweep(out).generations) == 2


def test_cli_sweep_errors_are_one_line_before_any_work(tmp_path, capsys):
    from evo.cli import main

    path = tmp_path / "bad.toml"
    path.write_text('base = "sugarr"\nseeds = 1\n')
    assert main(["sweep", str(path), "--out", str(tmp_path / "sw")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "did you mean 'sugar'" in err
    assert not (tmp_path / "sw").exists()
    assert main(["sweep", str(path), "--out", str(tmp_path / "sw2"), "--resume"]) == 2


def test_sweep_through_a_running_scheduler_equals_the_runs_made_one_by_one(client, one_by_one, tmp_path):
    """``scheduler=ADDRESS`` (``mesaevo sweep --scheduler``): the driver connects to a cluster it did not
    start (and closes only its own connection), and the runs are the same bits as those made one by one."""
    from evo.executor import open_executor

    address = client.scheduler.address
    driver, owned = open_executor(None, address, None)
    try:
        assert owned == [driver] and driver is not client
    finally:
        driver.close()
    manifest = run_sweep(build_sweep(SWEEP), tmp_path / "sw", run_one, scheduler=address)
    assert manifest["status"] == "completed"
    for entry in manifest["runs"]:
        assert_same(tmp_path / "sw" / entry["dir"], one_by_one[entry["id"]])
