"""Same seed, same results: in one process, across processes, and across numba thread counts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import load_run
from evo.loop import Evolution
from evo.scenarios import load_config
from tests.conftest import TINY

REPO = Path(__file__).resolve().parents[1]


def rows(seed: int) -> pd.DataFrame:
    _, cfg = load_config("sugar", {**TINY, "run.seed": seed, "shifts.0.generation": 2, "agents.architecture": "evolved"})
    return pd.DataFrame([r.row for r in Evolution(cfg).run()])


def test_same_seed_same_rows_and_different_seed_differs():
    a, b, c = rows(3), rows(3), rows(4)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not a.drop(columns=["generation"]).equals(c.drop(columns=["generation"]))


def run_cli(out: Path, threads: int | None) -> None:
    """A small sugar run in a fresh process; ``threads=None`` leaves NUMBA_NUM_THREADS unset (the default)."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_NUM_THREADS"}
    if threads is not None:
        env["NUMBA_NUM_THREADS"] = str(threads)
    sets = [arg for k, v in TINY.items() if k != "run.generations" for arg in ("--set", f"{k}={v}")]
    cmd = [sys.executable, "-m", "evo", "run", "sugar", "--generations", "5", "--seed", "11", "--no-plot",
           "--out", str(out), "--set", "shifts.0.generation=2", "--set", "agents.population=120", *sets]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_bit_identical_with_one_and_two_numba_threads_and_the_default(tmp_path):
    run_cli(tmp_path / "t1", 1)
    run_cli(tmp_path / "t2", 2)
    run_cli(tmp_path / "default", None)
    one, two = load_run(tmp_path / "t1"), load_run(tmp_path / "t2")
    default = load_run(tmp_path / "default")
    pd.testing.assert_frame_equal(one.generations, default.generations, check_exact=True)
    assert len(one.generations) == 5
    pd.testing.assert_frame_equal(one.generations, two.generations, check_exact=True)
    pd.testing.assert_frame_equal(one.entities, two.entities, check_exact=True)
    assert one.manifest["config"] == two.manifest["config"]
    assert np.isfinite(one.generations["fitness_mean"]).all()


def test_kernel_threads_are_one_unless_threads_are_asked_for(monkeypatch):
    """Threads are opt-in: without NUMBA_NUM_THREADS in the environment the world kernels run on 1 thread
    whatever numba's setting; with it, on the caller's setting; either way the caller's setting is
    restored."""
    import numba

    import agents.jit as jit

    saved = numba.get_num_threads()
    monkeypatch.setattr(jit, "THREADS_ASKED", False)
    with jit.kernel_threads() as run:
        assert run.threads == 1 == numba.get_num_threads()
    assert numba.get_num_threads() == saved
    monkeypatch.setattr(jit, "THREADS_ASKED", True)
    with jit.kernel_threads() as run:
        assert run.threads == saved == numba.get_num_threads()
    assert numba.get_num_threads() == saved
    assert os.environ["OMP_WAIT_POLICY"]  # set (PASSIVE unless the user chose) before the OpenMP pool starts
