"""Delegation, measured: do levels 2 and 3 persist in ``telephone``, and does a sub-agent pay for itself?

Usage (from the repository root)::

    python examples/telephone_levels.py                         # reduced size, 5 seeds, 40 generations
    python examples/telephone_levels.py --generations 60 --from 20 --set nesting.endowment_max=0.3

Runs ``telephone`` at a reduced size (``REDUCED``: 32x32 torus, 125 agents, 300 steps,
depth up to 3) per seed and prints, over generations ``--from``.. the end: the share of
generations with level-2 and with level-3 entities present, mean L2/L3 counts per
generation, misaligned builds (cosine with the builder < 0.9) per generation, and the mean
sub-agent return (energy remitted minus endowment, build energy and redraw costs) per
level and for aligned (cosine >= 0.9) level-2 sub-agents (from the entity records). Then
the mean across seeds with a 90% t-interval (seeds are the unit).
"""

from __future__ import annotations

import argparse
import math

import numpy as np
import pandas as pd

from evo.loop import Evolution
from evo.scenarios import load_config

REDUCED = {"world.width": 32, "world.height": 32, "world.steps": 300, "world.food_patches": 10,
           "agents.population": 125, "record.entity_every": 1}
T90 = {2: 6.314, 3: 2.920, 4: 2.353, 5: 2.132, 6: 2.015, 7: 1.943, 8: 1.895, 9: 1.860, 10: 1.833}
COLUMNS = ("L2_present", "L3_present", "L2_n", "L3_n", "misaligned_builds", "L2_subagent_return",
           "L3_subagent_return", "aligned_L2_return", "fitness_mean")


def interval(values: list[float]) -> str:
    a = np.array([v for v in values if math.isfinite(v)])
    if a.size < 2:
        return f"{a.mean() if a.size else float('nan'):9.3f}"
    half = T90.get(a.size, 1.645) * a.std(ddof=1) / math.sqrt(a.size)
    return f"{a.mean():9.3f} [{a.mean() - half:9.3f}, {a.mean() + half:9.3f}]"


def run_seed(seed: int, generations: int, start: int, overrides: list[str], scenario: str) -> dict[str, float]:
    over = {**REDUCED, "run.seed": seed, "run.generations": generations}
    for kv in overrides:
        k, v = kv.split("=", 1)
        over[k] = v
    _, cfg = load_config(scenario, over)
    rows, aligned = [], []
    for result in Evolution(cfg).run():
        if result.row["generation"] < start:
            continue
        rows.append(result.row)
        ents = result.entities
        if ents is not None and len(ents):
            sub = ents[(ents["level"] == 2) & (ents["cosine_parent"] >= 0.9)]
            aligned.extend((sub["remitted"] - sub["invested"]).tolist())
    g = pd.DataFrame(rows)
    return {
        "L2_present": float((g["L2_n"] > 0).mean()), "L3_present": float((g["L3_n"] > 0).mean()),
        "L2_n": float(g["L2_n"].mean()), "L3_n": float(g["L3_n"].mean()),
        "misaligned_builds": float(g["misaligned_builds"].mean()),
        "L2_subagent_return": float(np.nanmean(g["L2_subagent_return"])) if g["L2_n"].sum() else float("nan"),
        "L3_subagent_return": float(np.nanmean(g["L3_subagent_return"])) if g["L3_n"].sum() else float("nan"),
        "aligned_L2_return": float(np.mean(aligned)) if aligned else float("nan"),
        "fitness_mean": float(g["fitness_mean"].mean()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="telephone")
    parser.add_argument("--generations", type=int, default=40)
    parser.add_argument("--from", dest="start", type=int, default=10, help="first generation summarised")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)
    print(f"{args.scenario} at reduced size {REDUCED} {args.set}, generations {args.start}..{args.generations - 1}")
    print("seed " + " ".join(f"{c[:14]:>14s}" for c in COLUMNS))
    per_seed = []
    for seed in args.seeds:
        out = run_seed(seed, args.generations, args.start, args.set, args.scenario)
        per_seed.append(out)
        print(f"{seed:4d} " + " ".join(f"{out[c]:14.3f}" for c in COLUMNS), flush=True)
    print(f"across {len(per_seed)} seeds: mean [90% t-interval]")
    for c in COLUMNS:
        print(f"  {c:20s} {interval([o[c] for o in per_seed])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
