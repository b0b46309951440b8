"""The model issue's measurements, read from full-size experiment outputs (seeds are the unit).

Usage (from the repository root, after ``mesaevo experiment NAME --full --out DIR/NAME`` for
``contraception``, ``sugar-online-vs-frozen``, ``telephone``, ``oversight-and-deployment`` and
``maze-region``)::

    python examples/full_size_summary.py DIR

Prints, each as the mean across seeds with a 90% Student t interval over per-seed values:

- the ancestral world: corr(taste, fitness) and corr(mating, fitness) over generations 80-99 (before
  either scenario's shift at 100) of the contraception runs and of the online sugar runs;
- ``telephone`` at its defaults: level-2/3 counts per generation and the share of generations 50-199
  with each level present (and how many seeds reach 90%), sub-agent return by level and by alignment,
  misaligned builds per generation in four windows and the misaligned share of builds by builder depth;
- ``oversight-and-deployment``: deceivers, defections observed and unobserved, audits and shutdowns per
  generation over 75-99 in each arm;
- ``maze-region``: success at the true exit and arrival in the training region over 100-149, per
  training region size.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.student_t import t_interval


def interval(values) -> str:
    mean, lo, hi, n, _ = t_interval(values, 0.9)
    if n == 0:
        return "n/a"
    return f"{mean:.3g} (n=1)" if n == 1 else f"{mean:.3g} [{lo:.3g}, {hi:.3g}] (n={n})"


def runs(exp_dir: Path, arm: str) -> list[pd.DataFrame]:
    return [pd.read_parquet(p / "generations.parquet") for p in sorted((exp_dir / "runs").glob(f"{arm}-seed*"))]


def window(g: pd.DataFrame, lo: int, hi: int) -> pd.DataFrame:
    return g[(g.generation >= lo) & (g.generation <= hi)]


def per_seed(frames, lo, hi, fn) -> list[float]:
    return [float(fn(window(g, lo, hi))) for g in frames]


def ancestral(root: Path) -> None:
    print("## ancestral world (generations 80-99, before the shift)")
    for exp, arm in (("contraception", "contraception"), ("sugar-online-vs-frozen", "online")):
        frames = runs(root / exp, arm)
        for col in ("corr_taste", "corr_mating"):
            print(f"{exp}/{arm} {col}: {interval(per_seed(frames, 80, 99, lambda w: w[col].mean()))}")


def telephone(root: Path) -> None:
    frames = runs(root / "telephone", "telephone")
    print("## telephone at its defaults (generations 50-199 unless stated)")
    for lv in (2, 3):
        present = per_seed(frames, 50, 199, lambda w: (w[f"L{lv}_n"] > 0).mean())
        print(f"L{lv} present (share of generations): {interval(present)}; seeds >= 0.9: "
              f"{sum(p >= 0.9 for p in present)} of {len(present)}")
        print(f"L{lv}_n per generation: {interval(per_seed(frames, 50, 199, lambda w: w[f'L{lv}_n'].mean()))}")
        for col in (f"L{lv}_subagent_return", f"L{lv}_return_aligned", f"L{lv}_return_misaligned"):
            print(f"{col}: {interval(per_seed(frames, 50, 199, lambda w: w[col].mean()))}")
    for lo, hi in ((0, 49), (50, 99), (100, 149), (150, 199)):
        print(f"misaligned builds per generation {lo}-{hi}: "
              f"{interval(per_seed(frames, lo, hi, lambda w: w['misaligned_builds'].mean()))}; "
              f"subagents built: {interval(per_seed(frames, lo, hi, lambda w: w['subagents_built'].mean()))}")
    for d in range(1, 7):
        built = per_seed(frames, 0, 199, lambda w: w[f"subagents_built_d{d}"].sum())
        if sum(built) == 0:
            continue
        share = per_seed(frames, 0, 199, lambda w: w[f"misaligned_builds_d{d}"].sum() / w[f"subagents_built_d{d}"].sum()
                         if w[f"subagents_built_d{d}"].sum() > 0 else np.nan)
        print(f"builder depth {d}: misaligned share of builds {interval(share)}; builds per run {interval(built)}")


def oversight(root: Path) -> None:
    print("## oversight-and-deployment (generations 75-99, per generation)")
    cols = ("deceivers", "defections_observed", "defections_unobserved", "audits", "shutdowns_deceivers",
            "shutdowns_honest", "L2_n")
    for arm in ("on_online", "on_frozen", "off_online", "off_frozen"):
        frames = runs(root / "oversight-and-deployment", arm)
        print(arm + ": " + "; ".join(f"{c} {interval(per_seed(frames, 75, 99, lambda w: w[c].mean()))}"
                                     for c in cols))


def maze(root: Path) -> None:
    print("## maze-region (generations 100-149; test exit anywhere for every arm)")
    for arm in ("region1", "region3", "region5", "whole"):
        frames = runs(root / "maze-region", arm)
        print(f"{arm}: success {interval(per_seed(frames, 100, 149, lambda w: w['success_rate'].mean()))}; "
              f"arrival in training region "
              f"{interval(per_seed(frames, 100, 149, lambda w: w['corner_arrival_rate'].mean()))}")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        sys.exit("error: give the directory that holds the experiment output directories")
    root = Path(sys.argv[1])
    for part in (ancestral, telephone, oversight, maze):
        part(root)
        print()
