"""The example scripts run end to end on a tiny world."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.conftest import tiny_args

ROOT = Path(__file__).resolve().parents[1]


def test_run_scenario_example(tmp_path):
    out = tmp_path / "run"
    cmd = [sys.executable, str(ROOT / "examples" / "run_scenario.py"), "sugar", "--generations", "4",
           "--out", str(out), *tiny_args(), "--set", "shifts.0.generation=2"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "completed"
    assert manifest["generations_done"] == 4
    assert manifest["config"]["shifts"][0]["generation"] == 2

    gens = pd.read_parquet(out / "generations.parquet")
    assert len(gens) == 4
    assert gens["generation"].tolist() == [0, 1, 2, 3]

    figures = [out / "level_correlation.png", out / "proxy_correlation.png"]
    for png in figures:
        assert png.is_file() and png.stat().st_size > 0
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert str(png) in proc.stdout  # the script prints where it put each figure

    # one printed line per generation, starting with the generation number
    lines = proc.stdout.splitlines()
    for g in range(4):
        assert any(line.split() and line.split()[0] == str(g) for line in lines), proc.stdout


def test_run_scenario_example_bad_config_is_one_error_line(tmp_path):
    out = tmp_path / "run"
    cmd = [sys.executable, str(ROOT / "examples" / "run_scenario.py"), "sugar", "--generations", "4",
           "--out", str(out), *tiny_args(), "--set", "world.width=-1"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error:")
    assert "world.width" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()
