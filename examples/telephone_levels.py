"""Delegation, measured: do levels 2 and 3 persist in ``telephone``, and does a sub-agent pay for itself?

Usage (from the repository root)::

    python examples/telephone_levels.py                         # reduced size, 5 seeds, 40 generations
    python examples/telephone_levels.py --generations 60 --from 20 --set nesting.endowment_max=0.3

Runs ``telephone`` at a reduced size (``REDUCED``: 32x32 torus, 125 agents, 300 steps,
depth up to 3) per seed and prints, over generations ``--from``.. the end: the share of
generations with level-2 and with level-3 entities present, mean L2/L3 counts per
generation, misaligned builds (cosine with the builder < 0.9) per generation, and the mean
sub-agent return (energy remitted minus endowment, build energy and redraw costs) per
level and for aligned (cosine >= 0.9) level-2 sub-agents (from the entity records), and the
mean build-propensity gene, and the builder edge: per generation, mean offspring of level-1 agents that built a sub-agent minus that
of those that did not (observational: builders also had the energy to build). Then
the mean across seeds with a 90% t-interval (seeds are the unit), deception and oversight
counts per generation (deceivers, defections observed/unobserved, audits, shutdowns of
deceivers and of honest sub-agents, misaligned level-2 return), and misaligned builds
per generation in four windows of the run (over time) and the misaligned share of builds
by builder depth (competence), from the entity records of every generation.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from analysis.student_t import t_interval
from evo.loop import Evolution
from evo.scenarios import load_config

REDUCED = {"world.width": 32, "world.height": 32, "world.steps": 300, "world.food_patches": 10,
           "agents.population": 125, "record.entity_every": 1}
DECEPTION = ("deceivers", "defections_observed", "defections_unobserved", "audits", "shutdowns_deceivers",
             "shutdowns_honest", "L2_return_misaligned")
COLUMNS = ("L2_present", "L3_present", "L2_n", "L3_n", "misaligned_builds", "L2_subagent_return",
           "L3_subagent_return", "aligned_L2_return", "fitness_mean", "builder_edge", "propensity_gene")


def interval(values: list[float]) -> str:
    """Mean across seeds and its 90% Student t interval (``analysis.student_t.t_interval``)."""
    mean, lo, hi, n, _ = t_interval(values, 0.9)
    return f"{mean:9.3f}" if n < 2 else f"{mean:9.3f} [{lo:9.3f}, {hi:9.3f}]"


def windows(generations: int, parts: int = 4) -> list[tuple[int, int]]:
    """``parts`` consecutive generation windows covering 0..generations-1."""
    edges = np.linspace(0, generations, parts + 1).astype(int)
    return [(int(lo), int(hi)) for lo, hi in zip(edges[:-1], edges[1:]) if hi > lo]


def run_seed(seed: int, generations: int, start: int, overrides: list[str], scenario: str) -> dict[str, float]:
    over = {**REDUCED, "run.seed": seed, "run.generations": generations}
    for kv in overrides:
        k, v = kv.split("=", 1)
        over[k] = v
    _, cfg = load_config(scenario, over)
    rows, aligned, builds, edge = [], [], [], []
    for result in Evolution(cfg).run():
        ents = result.entities
        if ents is not None and len(ents):
            sub = ents[ents["level"] >= 2]
            builds.append(sub[["generation", "level", "builder_depth", "cosine_parent"]])
        if result.row["generation"] < start:
            continue
        rows.append(result.row)
        if ents is not None and len(ents):
            sub = ents[(ents["level"] == 2) & (ents["cosine_parent"] >= 0.9)]
            aligned.extend((sub["remitted"] - sub["invested"]).tolist())
            agents = ents[ents["level"] == 1]
            builders = agents["subagents_built"] > 0
            if builders.any() and (~builders).any():
                edge.append(float(agents["fitness"][builders].mean() - agents["fitness"][~builders].mean()))
    g = pd.DataFrame(rows)
    b = pd.concat(builds) if builds else pd.DataFrame(columns=["generation", "level", "builder_depth",
                                                                "cosine_parent"])
    b = b.assign(misaligned=b["cosine_parent"] < 0.9)
    over_time = {f"mis_g{lo}-{hi - 1}": float(b[(b["generation"] >= lo) & (b["generation"] < hi)]["misaligned"]
                                              .sum() / max(hi - lo, 1))
                 for lo, hi in windows(generations)}
    by_depth = {f"mis_share_d{d}": float(b[b["builder_depth"] == d]["misaligned"].mean())
                if (b["builder_depth"] == d).any() else float("nan") for d in (1, 2, 3)}
    return {**over_time, **by_depth,
        "L2_present": float((g["L2_n"] > 0).mean()), "L3_present": float((g["L3_n"] > 0).mean()),
        "L2_n": float(g["L2_n"].mean()), "L3_n": float(g["L3_n"].mean()),
        "misaligned_builds": float(g["misaligned_builds"].mean()),
        "L2_subagent_return": float(np.nanmean(g["L2_subagent_return"])) if g["L2_n"].sum() else float("nan"),
        "L3_subagent_return": float(np.nanmean(g["L3_subagent_return"])) if g["L3_n"].sum() else float("nan"),
        "aligned_L2_return": float(np.mean(aligned)) if aligned else float("nan"),
        "fitness_mean": float(g["fitness_mean"].mean()),
        "builder_edge": float(np.mean(edge)) if edge else float("nan"),
        "propensity_gene": float(g["gene_build_propensity_mean"].mean()),
        **{c: float(g[c].mean()) for c in DECEPTION},
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
    both = sum(o["L2_present"] >= 0.9 and o["L3_present"] >= 0.9 for o in per_seed)
    print(f"seeds with levels 2 and 3 both present in >= 90% of generations: {both} of {len(per_seed)}")
    print("deception and oversight, per generation:")
    for c in DECEPTION:
        print(f"  {c:20s} {interval([o[c] for o in per_seed])}")
    print("misaligned builds (cosine < 0.9) per generation, by generation window (all generations):")
    for c in (k for k in per_seed[0] if k.startswith("mis_g")):
        print(f"  {c:20s} {interval([o[c] for o in per_seed])}")
    print("share of builds that are misaligned, by builder depth (competence):")
    for c in (k for k in per_seed[0] if k.startswith("mis_share_d")):
        print(f"  {c:20s} {interval([o[c] for o in per_seed])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
