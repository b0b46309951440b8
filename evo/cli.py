"""The ``mesaevo`` command line: run, plot, scenarios.

Mistakes a user can make end in one ``error: ...`` line and exit status 2;
an interrupted run exits with 130 after marking its manifest.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from tqdm import tqdm

from analysis import save_figures
from analysis.figures_shifts import save_shift_figures
from analysis.load import RunFormatError, RunNotFoundError
from evo.errors import MesaevoError
from evo.scenarios import list_scenarios
from evo.simulation import Simulation


def _fmt(value: float) -> str:
    return "nan" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.2f}"


def cmd_run(args: argparse.Namespace) -> int:
    overrides = list(args.set or [])
    if args.freeze_at is not None:
        overrides += ["deployment.mode=frozen", f"deployment.freeze_at={args.freeze_at}"]
    sim = Simulation.from_scenario(args.scenario, overrides, seed=args.seed,
                                   generations=args.generations, out=args.out)
    total = sim.config.run.generations
    first: dict | None = None
    last: dict | None = None
    start = time.perf_counter()
    with tqdm(total=total, unit="gen", desc=sim.scenario, file=sys.stderr, dynamic_ncols=True) as bar:
        for row in sim.iterate():
            first = first or row
            last = row
            bar.set_postfix_str(f"fitness {row['fitness_mean']:.2f}  corr {_fmt(row.get('L1_spearman'))}")
            bar.update(1)
    elapsed = time.perf_counter() - start
    assert first is not None and last is not None
    print(f"run directory: {sim.run_dir}")
    print(f"generations:   {total} in {elapsed:.1f} s ({elapsed / total:.3f} s per generation)")
    print(f"mean fitness:  {first['fitness_mean']:.2f} (first) -> {last['fitness_mean']:.2f} (last)")
    print(f"objective-fitness Spearman, level 1: {_fmt(first.get('L1_spearman'))} -> {_fmt(last.get('L1_spearman'))}")
    if "corr_taste" in last:
        print(f"taste-fitness correlation:  {_fmt(first['corr_taste'])} -> {_fmt(last['corr_taste'])}")
    if "success_rate" in last:
        print(f"maze success:  {first['success_rate']:.2f} (first) -> {last['success_rate']:.2f} (last); "
              f"corner arrival {last['corner_arrival_rate']:.2f} (last)")
    if not args.no_plot:
        for path in save_figures(sim.run_dir) + save_shift_figures(sim.run_dir):
            print(f"figure:        {path}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    for path in save_figures(args.run_dir, args.out) + save_shift_figures(args.run_dir, args.out):
        print(path)
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    for name, doc in list_scenarios().items():
        print(f"{name:14s} {doc.removeprefix(name + ':').strip()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mesaevo", description="Natural selection evolves mesa-optimizers.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a scenario or a config file")
    run.add_argument("scenario", help="built-in scenario name (see `mesaevo scenarios`) or path to a .toml config")
    run.add_argument("--generations", type=int, help="number of generations (overrides run.generations)")
    run.add_argument("--seed", type=int, help="root random seed (overrides run.seed)")
    run.add_argument("--out", type=Path, help="run directory to create (default: runs/SCENARIO-seedS-TIME)")
    run.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key, e.g. world.width=32")
    run.add_argument("--freeze-at", type=int, metavar="G",
                     help="train-test deployment: genomes stop changing from generation G on")
    run.add_argument("--no-plot", action="store_true", help="do not write the figures at the end")
    run.set_defaults(func=cmd_run)
    plot = sub.add_parser("plot", help="write a run's figures as PNG files")
    plot.add_argument("run_dir", type=Path)
    plot.add_argument("--out", type=Path, help="directory for the figures (default: the run directory)")
    plot.set_defaults(func=cmd_plot)
    scen = sub.add_parser("scenarios", help="list the built-in scenarios")
    scen.set_defaults(func=cmd_scenarios)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (MesaevoError, RunNotFoundError, RunFormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the run directory is marked 'interrupted'", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
