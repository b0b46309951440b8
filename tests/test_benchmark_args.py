"""The benchmark scripts refuse what they cannot measure with one ``error:`` line, not a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("script, args, says", [
    ("throughput.py", ["--scenario", "maze-corner"], "runs the maze world"),
    ("throughput.py", ["--scenario", "no-such-scenario"], "unknown scenario"),
    ("throughput.py", ["--set", "world.steps=0"], "world.steps"),
    ("throughput.py", ["--generations", "0"], "at least 1"),
    ("suite.py", ["--planner-scenario", "hungry-thirsty"], "runs the hungry-thirsty world"),
])
def test_benchmark_rejects_bad_input_with_one_error_line(script, args, says):
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], out.stderr
    assert out.stdout == ""
