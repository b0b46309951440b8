"""Kill-and-resume trials: kill a run at a random point (SIGKILL or SIGINT), resume it,
and compare its tables bit for bit with an uninterrupted run. Prints one line per trial
and a summary table.

    python benchmarks/kill_resume.py [--trials 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from analysis import load_run

REPO = Path(__file__).resolve().parents[1]
SETTINGS = ["world.width=24", "world.height=24", "world.steps=150", "world.food_patches=10",
            "agents.population=300", "agents.max_depth=2", "checkpoint.every=2", "record.flush_every=1",
            "record.entity_every=3", "shifts.0.generation=6"]
GENERATIONS = 16


def run_args(out: Path) -> list[str]:
    sets = [a for s in SETTINGS for a in ("--set", s)]
    return [sys.executable, "-m", "evo", "run", "sugar", "--generations", str(GENERATIONS), "--seed", "5",
            "--no-plot", "--out", str(out), *sets]


def same(a: Path, b: Path) -> bool:
    ra, rb = load_run(a), load_run(b)
    try:
        pd.testing.assert_frame_equal(ra.generations, rb.generations, check_exact=True)
        pd.testing.assert_frame_equal(ra.entities, rb.entities, check_exact=True)
    except AssertionError:
        return False
    return rb.manifest["status"] == "completed"


def trial(out: Path, sig: int, delay: float) -> tuple[int, bool]:
    """Run, send ``sig`` after ``delay`` seconds, resume; (generations on disk when stopped, resumed ok)."""
    proc = subprocess.Popen(run_args(out), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(sig)
    proc.wait()
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        manifest = {"generations_done": -1}  # killed before the run directory existed: a fresh run is the resume
    done = manifest["generations_done"]
    if manifest.get("status") == "completed":  # the signal came after the run finished
        return done, True
    cmd = [sys.executable, "-m", "evo", "resume", str(out), "--no-plot"] if done >= 0 else run_args(out)
    ok = subprocess.run(cmd, cwd=REPO, capture_output=True).returncode == 0
    return done, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        straight = Path(tmp) / "straight"
        t0 = time.perf_counter()
        subprocess.run(run_args(straight), cwd=REPO, check=True, capture_output=True)
        duration = time.perf_counter() - t0
        results = []
        for k in range(args.trials):
            sig = signal.SIGKILL if k % 4 else signal.SIGINT
            delay = rng.uniform(1.0, duration)
            out = Path(tmp) / f"trial{k}"
            done, ok = trial(out, sig, delay)
            match = ok and same(straight, out)
            results.append((signal.Signals(sig).name, match))
            print(f"trial {k:2d}: {signal.Signals(sig).name:7s} after {delay:5.2f} s "
                  f"({done:2d} generations on disk) -> {'match' if match else 'MISMATCH'}", flush=True)
    table = pd.DataFrame(results, columns=["signal", "matched"]).groupby("signal")["matched"].agg(["count", "sum"])
    print(table.rename(columns={"count": "trials", "sum": "matched"}).to_string())


if __name__ == "__main__":
    main()
