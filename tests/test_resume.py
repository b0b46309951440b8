"""Long runs lose nothing: kill or interrupt a run, resume it, and get exactly the straight run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import load_run
from evo.checkpoint import checkpoint_files, read_checkpoint
from agents.errors import MesaevoError
from evo.simulation import Simulation

REPO = Path(__file__).resolve().parents[1]
GENERATIONS = 10
SETTINGS = {"world.width": 20, "world.height": 20, "world.steps": 120, "world.food_patches": 8,
            "agents.population": 120, "agents.max_depth": 2, "checkpoint.every": 2, "checkpoint.keep": 3,
            "record.flush_every": 1, "record.entity_every": 3, "shifts.0.generation": 5}


def cli_args(out: Path) -> list[str]:
    sets = [a for k, v in SETTINGS.items() for a in ("--set", f"{k}={v}")]
    return [sys.executable, "-m", "evo", "run", "sugar", "--generations", str(GENERATIONS), "--seed", "5",
            "--no-plot", "--out", str(out), *sets]


def resume(out: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "evo", "resume", str(out), "--no-plot"], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def assert_same_run(a: Path, b: Path) -> None:
    ra, rb = load_run(a), load_run(b)
    assert len(ra.generations) == GENERATIONS
    assert ra.generations["generation"].tolist() == list(range(GENERATIONS))  # no duplicated or missing rows
    pd.testing.assert_frame_equal(ra.generations, rb.generations, check_exact=True)
    pd.testing.assert_frame_equal(ra.entities, rb.entities, check_exact=True)
    assert rb.manifest["status"] == "completed"


@pytest.fixture(scope="module")
def straight(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("straight") / "run"
    proc = subprocess.run(cli_args(out), cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def start_and_stop(out: Path, sig: int, after: int) -> subprocess.Popen:
    """Start a run and send ``sig`` once ``after`` generations are on disk."""
    proc = subprocess.Popen(cli_args(out), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        try:
            if json.loads((out / "manifest.json").read_text())["generations_done"] >= after:
                break
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.01)
    if proc.poll() is None:
        proc.send_signal(sig)
    _, proc.stderr_text = proc.communicate(timeout=120)
    return proc


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(3))
def test_sigkill_at_a_random_point_then_resume_equals_straight_run(straight, tmp_path, trial):
    out = tmp_path / "run"
    after = random.Random(trial).randint(0, GENERATIONS - 2)
    proc = start_and_stop(out, signal.SIGKILL, after)
    assert proc.returncode in (-signal.SIGKILL, 0)
    if proc.returncode == 0:
        pytest.fail("the run finished before it could be killed; make it longer")
    resume(out)
    assert_same_run(straight, out)


@pytest.mark.slow
def test_sigint_checkpoints_marks_interrupted_and_resume_equals_straight_run(straight, tmp_path):
    out = tmp_path / "run"
    proc = start_and_stop(out, signal.SIGINT, 3)
    err = proc.stderr_text
    assert proc.returncode == 128 + signal.SIGINT, err
    assert "interrupted" in err and "mesaevo resume" in err and "Traceback" not in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    done = manifest["generations_done"]
    assert done < GENERATIONS and manifest["last_checkpoint"] == done  # checkpoint at the stop, not earlier
    resume(out)
    assert_same_run(straight, out)


def partial_run(out: Path, stop_after: int) -> None:
    """Run in-process and abandon the run after ``stop_after`` generations (like a crash)."""
    sim = Simulation.from_scenario("sugar", SETTINGS, generations=GENERATIONS, seed=5, out=out)
    it = sim.iterate()
    for _ in range(stop_after):
        next(it)
    it.close()


@pytest.mark.parametrize("damage", ["truncate", "corrupt", "remove_json", "remove_npz", "old_format"])
def test_bad_newest_checkpoint_falls_back_to_previous(straight, tmp_path, damage):
    out = tmp_path / "run"
    partial_run(out, 7)  # checkpoints at 2, 4, 6; rows up to generation 6 on disk
    newest = checkpoint_files(out / "checkpoints")[0]
    assert newest.name == "ckpt-000006.json"
    npz = newest.with_suffix(".npz")
    if damage == "truncate":
        npz.write_bytes(npz.read_bytes()[:100])
    elif damage == "corrupt":
        data = bytearray(npz.read_bytes())
        data[len(data) // 2] ^= 0xFF
        npz.write_bytes(bytes(data))
    elif damage == "remove_json":
        newest.unlink()
    elif damage == "remove_npz":
        npz.unlink()
    else:
        meta = json.loads(newest.read_text())
        newest.write_text(json.dumps({**meta, "format": 999}))
    sim = Simulation.resume(out)
    assert sim.generation == 4
    sim.run()
    assert_same_run(straight, out)


def test_no_usable_checkpoint_is_a_clear_error_naming_the_files(tmp_path):
    out = tmp_path / "run"
    partial_run(out, 3)  # checkpoints at generations 0 and 2
    metas = checkpoint_files(out / "checkpoints")
    assert [m.name for m in metas] == ["ckpt-000002.json", "ckpt-000000.json"]
    for meta in metas:
        meta.with_suffix(".npz").write_bytes(b"not a zip file")
    npz = metas[-1].with_suffix(".npz")
    with pytest.raises(MesaevoError, match="checksum") as err:
        Simulation.resume(out)
    assert str(npz) in str(err.value)
    proc = subprocess.run([sys.executable, "-m", "evo", "resume", str(out)], cwd=REPO, capture_output=True, text=True)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and lines[-1].startswith("error: no usable checkpoint"), proc.stderr
    assert all(line.startswith("WARNING: skipping checkpoint") for line in lines[:-1])
    assert "Traceback" not in proc.stderr
    missing = subprocess.run([sys.executable, "-m", "evo", "resume", str(tmp_path / "nowhere")], cwd=REPO,
                             capture_output=True, text=True)
    assert missing.returncode == 2 and missing.stderr.startswith("error: no resumable run")


def test_killed_after_the_last_generation_resume_marks_it_completed(straight, tmp_path):
    out = tmp_path / "run"
    sim = Simulation.from_scenario("sugar", SETTINGS, generations=GENERATIONS, seed=5, out=out)
    it = sim.iterate()
    for _ in range(GENERATIONS):
        next(it)
    sim.checkpoint()  # the final checkpoint is written, then the run stops before 'completed'
    it.close()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["generations_done"] == GENERATIONS
    resumed = Simulation.resume(out)
    assert resumed.generation == GENERATIONS
    resumed.run()
    assert_same_run(straight, out)


def test_checkpoints_are_pruned_and_hold_no_pickles(tmp_path):
    out = tmp_path / "run"
    Simulation.from_scenario("sugar", {**SETTINGS, "checkpoint.every": 1, "checkpoint.keep": 2},
                             generations=6, seed=5, out=out).run()
    files = checkpoint_files(out / "checkpoints")
    assert [f.name for f in files] == ["ckpt-000006.json", "ckpt-000005.json"]
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == sorted(
        [f.name for f in files] + [f.with_suffix(".npz").name for f in files])
    with np.load(files[0].with_suffix(".npz"), allow_pickle=False) as data:
        assert all(data[k].dtype != object for k in data.files)
    ckpt = read_checkpoint(files[0])
    assert ckpt.generation == 6 and ckpt.genomes.shape[0] == SETTINGS["agents.population"]
    assert len(ckpt.logbook) == 6


def test_the_manifest_is_rewritten_only_when_it_changed(tmp_path, monkeypatch):
    """A checkpoint flushes before and after it; the flush right after the periodic one adds nothing, so the
    manifest is written when something in it changed and ends as the run left it."""
    import evo.recorder as recorder

    written: list[dict] = []
    write = recorder.write_text_atomic

    def spy(path, text):
        if Path(path).name == "manifest.json":
            written.append(json.loads(text))
        write(path, text)

    monkeypatch.setattr(recorder, "write_text_atomic", spy)
    out = tmp_path / "run"
    Simulation.from_scenario("sugar", {**SETTINGS, "checkpoint.every": 2, "record.flush_every": 2},
                             generations=6, seed=5, out=out).run()
    assert all(a != b for a, b in zip(written, written[1:]))
    assert [(m["generations_done"], m.get("last_checkpoint")) for m in written if m["status"] == "running"] == [
        (0, None), (0, 0), (2, 0), (2, 2), (4, 2), (4, 4), (6, 4), (6, 6)]
    final = json.loads((out / "manifest.json").read_text())
    assert final == written[-1] and final["status"] == "completed" and final["last_checkpoint"] == 6


def test_resume_extends_a_completed_run_like_a_longer_straight_run(straight, tmp_path):
    out = tmp_path / "run"
    Simulation.from_scenario("sugar", SETTINGS, generations=GENERATIONS - 3, seed=5, out=out).run()
    with pytest.raises(MesaevoError, match="already has"):
        Simulation.resume(out)
    Simulation.resume(out, generations=GENERATIONS).run()
    assert_same_run(straight, out)
    assert load_run(out).manifest["config"]["run"]["generations"] == GENERATIONS


def test_numba_thread_counts_do_not_change_results(straight, tmp_path):
    out = tmp_path / "t4"
    env = {**os.environ, "NUMBA_NUM_THREADS": "4"}
    proc = subprocess.run(cli_args(out), cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert_same_run(straight, out)


@pytest.mark.parametrize("scenario, extra", [
    ("telephone", {"nesting.capacity_factor": 3.0}),
    ("sugar-frozen", {"deployment.freeze_at": 3, "shifts.0.generation": 3}),
])
def test_resume_is_exact_with_subagents_and_freezing(tmp_path, scenario, extra):
    settings = {k: v for k, v in SETTINGS.items() if not k.startswith("shifts")}
    settings.update(extra)
    if scenario != "telephone":
        settings["shifts.0.generation"] = extra["shifts.0.generation"]
    straight = Simulation.from_scenario(scenario, settings, generations=6, seed=2, out=tmp_path / "a").run()
    sim = Simulation.from_scenario(scenario, settings, generations=6, seed=2, out=tmp_path / "b")
    it = sim.iterate()
    for _ in range(3):
        next(it)
    it.close()  # checkpoints at 0 and 2: generation 2 is rerun on resume
    Simulation.resume(tmp_path / "b").run()
    resumed = load_run(tmp_path / "b")
    pd.testing.assert_frame_equal(straight.generations, resumed.generations, check_exact=True)
    pd.testing.assert_frame_equal(straight.entities, resumed.entities, check_exact=True)
    if scenario == "telephone":
        assert (straight.entities["level"] > 1).any()  # sub-agents were built, so the test covers them
    else:
        assert straight.generations["frozen"].tolist() == [False] * 3 + [True] * 3
