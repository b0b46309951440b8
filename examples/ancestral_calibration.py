"""Ancestral calibration: do taste and mating predict fitness in the ancestral world, seed by seed?

Usage (from the repository root)::

    python examples/ancestral_calibration.py                       # reduced size, 5 seeds, 40 generations
    python examples/ancestral_calibration.py --generations 60 --seeds 1 2 3 4 5 --late 20
    python examples/ancestral_calibration.py --set world.conceive_threshold=12

Runs the ``ancestral`` scenario at a reduced size (``REDUCED``: a 32x32 torus with 125
agents, the same density as 500 on 64x64; 300 steps; depth up to 3) for each seed and
prints, per seed, the mean over the last ``--late`` generations of ``corr_taste``,
``corr_mating`` (Pearson with fitness, per generation), mean fitness and mean mating
acts, then the mean across seeds with a 90% t-interval (seeds are the unit: each seed
contributes one number, its late-generation mean).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from analysis.student_t import t_interval
from evo.simulation import Simulation

REDUCED = {"world.width": 32, "world.height": 32, "world.steps": 300, "world.food_patches": 10,
           "agents.population": 125, "record.entity_every": 1000}
#: Two-sided 90% quantile of Student's t with n - 1 degrees of freedom, n = number of seeds.
COLUMNS = ("corr_taste", "corr_mating", "fitness_mean", "feat_mating_mean", "feat_taste_mean")


def interval(values: list[float]) -> str:
    """Mean across seeds and its 90% Student t interval (``analysis.student_t.t_interval``)."""
    mean, lo, hi, n, _ = t_interval(values, 0.9)
    return f"{mean:7.3f}" if n < 2 else f"{mean:7.3f} [{lo:7.3f}, {hi:7.3f}]"


def run_seed(seed: int, generations: int, late: int, overrides: list[str], scenario: str) -> dict[str, float]:
    over = [f"{k}={v}" for k, v in REDUCED.items()] + overrides
    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulation.from_scenario(scenario, over, seed=seed, generations=generations, out=Path(tmp) / "run")
        rows = list(sim.iterate())
    tail = rows[-late:]
    return {c: float(np.nanmean([r[c] for r in tail])) for c in COLUMNS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="ancestral")
    parser.add_argument("--generations", type=int, default=40)
    parser.add_argument("--late", type=int, default=10, help="generations averaged at the end of each run")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)
    print(f"{args.scenario} at reduced size {REDUCED} {args.set}, {args.generations} generations, "
          f"mean of the last {args.late}")
    print("seed " + " ".join(f"{c:>16s}" for c in COLUMNS))
    per_seed = []
    for seed in args.seeds:
        out = run_seed(seed, args.generations, args.late, args.set, args.scenario)
        per_seed.append(out)
        print(f"{seed:4d} " + " ".join(f"{out[c]:16.3f}" for c in COLUMNS), flush=True)
    print(f"across {len(per_seed)} seeds: mean [90% t-interval]")
    for c in COLUMNS:
        print(f"  {c:18s} {interval([o[c] for o in per_seed])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
