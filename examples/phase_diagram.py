"""The phase diagram of issue 31 from a finished sweep of ``examples/when-optimizers-arise.sweep.toml``.

Usage (from the repository root)::

    mesaevo sweep examples/when-optimizers-arise.sweep.toml --workers 2 --out sweeps/phase
    python examples/phase_diagram.py sweeps/phase OUT_DIR

Several sweep directories (the same settings on other seeds, e.g. a sweep split across machines) are pooled:
``python examples/phase_diagram.py SWEEP_DIR... OUT_DIR``. Writes into ``OUT_DIR`` (which must not be inside a
sweep): ``cells.csv`` (per K, cost and T: mean planner
share over each run's last 10 generations with its 90% t interval across seeds, n, mean planner depth),
``k_star.csv`` (log2 K where the mean share crosses 0.5, per cost and T; -inf: planners hold the majority
already at K = 1, inf: never within the sweep), ``phase-heatmap.png``, ``phase-lines-T<T>.png`` per T and
``period-lines-cost<cost>.png`` per cost; prints the K* table.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from analysis import load_sweep
from analysis.figures_phase import COST, K, PERIOD, end_values, k_star, period_lines, phase_cells, phase_heatmap, \
    phase_lines


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: python examples/phase_diagram.py SWEEP_DIR... OUT_DIR", file=sys.stderr)
        return 2
    sweeps, out = [Path(a) for a in argv[:-1]], Path(argv[-1])
    frames = []
    for sweep in sweeps:
        if out.resolve().is_relative_to(sweep.resolve()):
            print(f"error: {out} is inside the sweep directory {sweep}; choose another output directory",
                  file=sys.stderr)
            return 1
        try:
            gens = load_sweep(sweep, statuses=("completed",)).generations
        except Exception as exc:  # a missing or unreadable sweep: one line
            print(f"error: {exc}", file=sys.stderr)
            return 1
        frames.append(gens.assign(run_id=f"{sweep}:" + gens["run_id"].astype(str)))
    out.mkdir(parents=True, exist_ok=True)
    cells = phase_cells(end_values(pd.concat(frames, ignore_index=True)))
    cells.to_csv(out / "cells.csv", index=False)
    stars = pd.DataFrame([{COST: cost, PERIOD: period, "log2_k_star": k_star(g[K].to_numpy(), g["share"].to_numpy())}
                          for (cost, period), g in cells.groupby([COST, PERIOD], sort=True)])
    stars.to_csv(out / "k_star.csv", index=False)
    phase_heatmap(cells).savefig(out / "phase-heatmap.png", dpi=120)
    for period in sorted(cells[PERIOD].unique()):
        phase_lines(cells, period).savefig(out / f"phase-lines-T{int(period)}.png", dpi=120)
    for cost in sorted(cells[COST].unique()):
        period_lines(cells, cost).savefig(out / f"period-lines-cost{cost:g}.png", dpi=120)
    print(stars.pivot(index=COST, columns=PERIOD, values="log2_k_star").to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
