"""Validate objective recovery on planners, whose objective is known (``evo.infer_validation``).

Usage (from the repository root)::

    python examples/objective_recovery.py OUT_DIR [--seeds 110 111 ...] [--agents 2] [--generations 60]
        [--largest-for 1]

For each seed: a small planner run of the ``ancestral`` scenario (``SMALL`` overrides) in
``OUT_DIR/run-SEED`` (an existing completed run is reused), then ``--agents`` sampled planners inferred
from 300, 1,000, 3,000 and 10,000 observed situations (10,000 only for the first ``--largest-for``
planners of each run, when given) and through the controls (``evo.infer_validation.CONTROLS``). Writes
``OUT_DIR/validation.parquet`` (one row per seed, agent, control and steps) and ``OUT_DIR/summary.csv``
(per control and steps: median cosine to the truth, 90% interval coverage, interval width).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from agents.errors import MesaevoError
from evo.infer_validation import STEPS, summarise, validate_run
from evo.simulation import Simulation

#: The validation's planner runs: the ancestral world at a size this machine runs in about a minute.
SMALL = {"agents.population": 100, "world.width": 32, "world.height": 32, "world.steps": 100}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(110, 120)))
    parser.add_argument("--agents", type=int, default=2)
    parser.add_argument("--generations", type=int, default=60)
    parser.add_argument("--steps", type=int, nargs="+", default=list(STEPS))
    parser.add_argument("--control-steps", type=int, default=1000)
    parser.add_argument("--largest-for", type=int, help="planners per run fitted from the largest --steps "
                        "(default: all)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    frames = []
    try:
        for seed in args.seeds:
            t0 = time.time()
            run_dir = args.out / f"run-{seed}"
            if not (run_dir / "manifest.json").exists():
                Simulation.from_scenario("ancestral", SMALL, seed=seed, generations=args.generations,
                                         out=run_dir).run()
            rows = validate_run(run_dir, seed, args.agents, tuple(args.steps), args.control_steps,
                                largest_for=args.largest_for)
            frames.append(rows)
            pd.concat(frames).to_parquet(args.out / "validation.parquet", index=False)
            print(f"seed {seed}: {len(rows)} rows in {time.time() - t0:.0f} s", flush=True)
    except MesaevoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    table = summarise(pd.concat(frames))
    table.to_csv(args.out / "summary.csv", index=False)
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
