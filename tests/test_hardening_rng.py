"""The GA draws only from its own per-generation generator: a sweep's runs on a Dask cluster whose
workers' other threads hammer Python's global ``random`` equal the same runs made alone."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from evo.simulation import Simulation, run_one
from evo.sweep import build_sweep, run_sweep
from tests.conftest import TINY

distributed = pytest.importorskip("distributed")

REPO = Path(__file__).resolve().parents[1]
GENS = 3
REPEATS = 5
SET = {k: v for k, v in TINY.items() if k != "run.generations"} | {"agents.population": 150, "world.steps": 10,
                                                                  "shifts.0.generation": 1}
SWEEP = {"name": "noisy", "base": "sugar", "seeds": [5, 6], "generations": GENS, "set": SET,
         "grid": {"evolution.selection": ["proportional", "tournament"]}}


def _start_noise() -> None:
    """On a worker: a daemon thread that draws from (and reseeds) the global ``random`` forever."""
    import sys
    import threading
    import time

    sys.setswitchinterval(1e-6)  # switch threads as often as possible, so the noise lands inside GA steps
    def noise() -> None:
        k = 0
        while True:
            random.random()
            k += 1
            if k % 1000 == 0:
                random.seed(time.perf_counter_ns())
                time.sleep(0)

    if not getattr(random, "_mesaevo_noise", False):
        random._mesaevo_noise = True
        threading.Thread(target=noise, daemon=True).start()


def _tables(run_dir: Path) -> list:
    parts = sorted((run_dir / "entities").glob("part-*.parquet"))
    return [pq.read_table(run_dir / "generations.parquet")] + [pq.read_table(p) for p in parts]


def test_sweep_with_busy_global_random_equals_runs_alone(tmp_path):
    """The same 4 runs made 5 times in a sweep on a 2-worker cluster whose threads draw from the global
    ``random``, and once alone: every table identical."""
    sweep = build_sweep(SWEEP)
    assert len(sweep.runs) == 4
    random.seed(12345)  # the global generator's state must not matter here either
    alone = {}
    for run in sweep.runs:
        sim = Simulation.from_scenario("sugar", sweep.overrides(run), seed=run.seed, generations=GENS,
                                       out=tmp_path / "alone" / run.run_id)
        sim.run()
        alone[run.run_id] = _tables(sim.run_dir)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=":0")
    try:
        with distributed.Client(cluster) as client:
            client.run(_start_noise)
            for repeat in range(REPEATS):
                manifest = run_sweep(sweep, tmp_path / f"sw{repeat}", run_one, client=client)
                assert manifest["status"] == "completed", manifest
                for run, entry in zip(sweep.runs, manifest["runs"]):
                    swept = _tables(tmp_path / f"sw{repeat}" / entry["dir"])
                    assert len(swept) == len(alone[run.run_id]) > 1
                    for a, b in zip(swept, alone[run.run_id]):
                        assert a.to_pandas().equals(b.to_pandas()), (repeat, entry["id"])
    finally:
        cluster.close()


def test_library_code_never_touches_global_random_state():
    """No module of the package calls the global ``random`` or numpy's global generator."""
    pattern = re.compile(r"(?<![\w.])(random\.(random|seed|getstate|setstate|randint|choice|shuffle|uniform|sample)"
                         r"|np\.random\.(seed|rand|randn|randint|random|choice|shuffle|uniform|normal|get_state|set_state))\(")
    offenders = []
    for folder in ("evo", "agents", "worlds", "analysis"):
        for path in (REPO / folder).rglob("*.py"):
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line.split("#")[0]) and '"""' not in line:
                    offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert offenders == []


def test_a_generation_leaves_the_global_random_untouched():
    code = ("import random; from evo.loop import Evolution; from evo.scenarios import load_config; "
            "from tests.conftest import TINY; random.seed(7); s = random.getstate(); "
            "_, c = load_config('sugar', {**TINY, 'run.generations': 2, 'shifts.0.generation': 1}); e = Evolution(c); e.step(); e.step(); "
            "assert random.getstate() == s")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
