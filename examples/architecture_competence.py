"""Competence per architecture, read from a ``neural-competence`` experiment output (seeds are the unit).

Usage (from the repository root, after ``mesaevo experiment neural-competence --full --out DIR``)::

    python examples/architecture_competence.py DIR [--window 80 99] [--figure fitness.png]

Prints, per arm (neural, reactive, planner and the control with its network out of selection), the mean
fitness (offspring per agent) over the window as the mean across seeds with a 90% Student t interval over
per-seed values, and the same for the first ten generations; ``--figure`` draws every arm's mean fitness per
generation with its 90% bootstrap interval across seeds (``analysis.compare.aggregate_runs``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from analysis.student_t import t_interval

ARMS = ("neural", "reactive", "planner", "neural_unselected")


def interval(values: list[float]) -> str:
    mean, lo, hi, n, _ = t_interval(values, 0.9)
    if n == 0:
        return "n/a"
    return f"{mean:.3g} (n=1)" if n == 1 else f"{mean:.3g} [{lo:.3g}, {hi:.3g}] (n={n})"


def arm_runs(exp_dir: Path, arm: str) -> list[Path]:
    return sorted(p for p in (exp_dir / "runs").glob(f"{arm}-seed*") if (p / "generations.parquet").is_file())


def window_means(runs: list[Path], lo: int, hi: int, column: str = "fitness_mean") -> list[float]:
    out = []
    for run in runs:
        g = pd.read_parquet(run / "generations.parquet", columns=["generation", column])
        out.append(float(g[(g.generation >= lo) & (g.generation <= hi)][column].mean()))
    return out


def draw(found: dict[str, list[Path]], path: Path) -> None:
    """Each arm's mean fitness per generation and its 90% interval across seeds, one colour per arm."""
    from analysis.compare import aggregate_runs
    from analysis.figure_style import colour, draw_band, figure_and_axes, generation_axes
    from analysis.load import load_run

    fig, ax = figure_and_axes(None)
    for k, (arm, paths) in enumerate(found.items()):
        if not paths:
            continue
        agg = aggregate_runs([load_run(p) for p in paths], ["fitness_mean"])
        x = agg["generation"].to_numpy()
        draw_band(ax, x, agg["lo"].to_numpy(), agg["hi"].to_numpy(), colour(k), arm)
        ax.plot(x, agg["mean"].to_numpy(), color=colour(k), label=f"{arm} ({len(paths)} seeds)")
    generation_axes(ax, "fitness_mean (offspring per agent)")
    ax.set_title("ancestral world: mean fitness per architecture, 90% interval across seeds")
    ax.legend()
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("experiment_dir", type=Path)
    ap.add_argument("--window", type=int, nargs=2, default=(80, 99), metavar=("FIRST", "LAST"))
    ap.add_argument("--figure", type=Path, help="write the fitness-per-generation figure here (PNG or SVG)")
    args = ap.parse_args(argv)
    if not (args.experiment_dir / "runs").is_dir():
        print(f"error: {args.experiment_dir} holds no experiment runs (a 'runs' directory)", file=sys.stderr)
        return 2
    lo, hi = args.window
    print(f"fitness_mean per architecture, 90% t interval across seeds (generations {lo}-{hi}; 0-9 in brackets)")
    found = {arm: arm_runs(args.experiment_dir, arm) for arm in ARMS}
    for arm, runs in found.items():
        if runs:
            print(f"{arm}: {interval(window_means(runs, lo, hi))}; first generations: "
                  f"{interval(window_means(runs, 0, 9))}")
    if args.figure:
        draw(found, args.figure)
        print(f"figure: {args.figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
