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


def run_cli(out: Path, threads: int) -> None:
    env = {**os.environ, "NUMBA_NUM_THREADS": str(threads)}
    sets = [arg for k, v in TINY.items() if k != "run.generations" for arg in ("--set", f"{k}={v}")]
    cmd = [sys.executable, "-m", "evo", "run", "sugar", "--generations", "5", "--seed", "11", "--no-plot",
           "--out", str(out), "--set", "shifts.0.generation=2", "--set", "agents.population=120", *sets]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_bit_identical_with_one_and_two_numba_threads(tmp_path):
    run_cli(tmp_path / "t1", 1)
    run_cli(tmp_path / "t2", 2)
    one, two = load_run(tmp_path / "t1"), load_run(tmp_path / "t2")
    assert len(one.generations) == 5
    pd.testing.assert_frame_equal(one.generations, two.generations, check_exact=True)
    pd.testing.assert_frame_equal(one.entities, two.entities, check_exact=True)
    assert one.manifest["config"] == two.manifest["config"]
    assert np.isfinite(one.generations["fitness_mean"]).all()
