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


def _fake_experiment_runs(root: Path, exp: str, arm: str, seeds: int, columns: dict) -> None:
    """Generation tables for ``seeds`` runs of one arm: 200 generations, each column ``value(seed, generation)``."""
    for s in range(seeds):
        d = root / exp / "runs" / f"{arm}-seed{s}"
        d.mkdir(parents=True)
        gen = list(range(200))
        pd.DataFrame({"generation": gen, **{c: [f(s, g) for g in gen] for c, f in columns.items()}}).to_parquet(
            d / "generations.parquet")


def test_full_size_summary_reads_the_numbers_across_seeds(tmp_path):
    """The summary script's intervals are across seeds over the stated windows: per-seed values 1..5 give
    mean 3 with the 90% t interval 3 +- 2.132 * sd / sqrt(5) (sd = 1.581), whatever lies outside the window."""
    per_seed = {c: (lambda s, g: float(s + 1) if 80 <= g <= 99 else 99.0) for c in ("corr_taste", "corr_mating")}
    _fake_experiment_runs(tmp_path, "contraception", "contraception", 5, per_seed)
    _fake_experiment_runs(tmp_path, "sugar-online-vs-frozen", "online", 5, per_seed)
    nested = {c: (lambda s, g: 0.0) for c in (
        "L2_subagent_return", "L2_return_aligned", "L2_return_misaligned", "L3_subagent_return", "L3_return_aligned",
        "L3_return_misaligned", "subagents_built", "misaligned_builds",
        *[f"subagents_built_d{d}" for d in range(1, 7)], *[f"misaligned_builds_d{d}" for d in range(1, 7)])}
    nested["L2_n"] = lambda s, g: 10.0
    nested["L3_n"] = lambda s, g: 1.0 if (s == 0 or g % 2 == 0) else 0.0  # seed 0 always, others half the time
    _fake_experiment_runs(tmp_path, "telephone", "telephone", 5, nested)
    cols = ("deceivers", "defections_observed", "defections_unobserved", "audits", "shutdowns_deceivers",
            "shutdowns_honest", "L2_n")
    for arm in ("on_online", "on_frozen", "off_online", "off_frozen"):
        _fake_experiment_runs(tmp_path, "oversight-and-deployment", arm, 5, {c: (lambda s, g: 2.0) for c in cols})
    for arm in ("region1", "region3", "region5", "whole"):
        _fake_experiment_runs(tmp_path, "maze-region", arm, 5,
                              {"success_rate": lambda s, g: 0.5, "corner_arrival_rate": lambda s, g: 1.0})
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "full_size_summary.py"), str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "contraception/contraception corr_taste: 3 [1.49, 4.51] (n=5)" in out
    assert "L2 present (share of generations): 1 [1, 1] (n=5); seeds >= 0.9: 5 of 5" in out
    assert "L3 present (share of generations): 0.6" in out and "seeds >= 0.9: 1 of 5" in out
    assert "off_frozen: deceivers 2 [2, 2] (n=5)" in out
    assert "whole: success 0.5 [0.5, 0.5] (n=5)" in out


def test_full_size_summary_without_a_directory_is_one_error_line(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "full_size_summary.py"), str(tmp_path / "none")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and proc.stderr.strip().startswith("error:") and "Traceback" not in proc.stderr
