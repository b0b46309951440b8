"""The ``mesaevo`` command line: run, resume, validate, plot, report, sweep, scenarios.

Mistakes a user can make end in one ``error: ...`` line and exit status 2;
a run stopped by SIGINT or SIGTERM checkpoints, marks its manifest and exits
with 128 + the signal number.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import time
import unicodedata
from pathlib import Path

from typing import TYPE_CHECKING

from tqdm import tqdm

from agents.errors import MesaevoError
from analysis.files import OutputPathError
from analysis.load import RunFormatError, RunNotFoundError
from evo.interrupt import RunInterrupted
from evo.scenarios import list_scenarios, load_config

if TYPE_CHECKING:
    from evo.simulation import Simulation

#: Figure kinds of ``mesaevo plot`` (``analysis.figures.FIGURE_KINDS``; named here so that
#: ``validate`` and ``--help`` load neither matplotlib nor the kernels; a test keeps them equal).
FIGURE_KIND_NAMES = ("levels", "proxies", "genes", "weights", "competence", "tree", "maze")


def _fmt(value: float) -> str:
    return "nan" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.2f}"


def drive(sim: Simulation, plot: bool) -> int:
    """Run ``sim`` to the end with a progress bar, then print a summary (and write the figures)."""
    total = sim.config.run.generations
    start_gen = sim.generation
    first: dict | None = None
    last: dict | None = None
    start = time.perf_counter()
    with tqdm(total=total, initial=start_gen, unit="gen", desc=sim.scenario, file=sys.stderr,
              dynamic_ncols=True) as bar:
        for row in sim.iterate():
            first = first or row
            last = row
            bar.set_postfix_str(f"fitness {row['fitness_mean']:.2f}  corr {_fmt(row.get('L1_spearman'))}")
            bar.update(1)
    elapsed = time.perf_counter() - start
    if first is None or last is None:
        print(f"run directory: {sim.run_dir}\nnothing left to run: all {total} generations were done; "
              "the run is marked completed")
        return 0
    done = total - start_gen
    print(f"run directory: {sim.run_dir}")
    print(f"generations:   {start_gen}..{total - 1} in {elapsed:.1f} s ({elapsed / done:.3f} s per generation)")
    print(f"mean fitness:  {first['fitness_mean']:.2f} (first) -> {last['fitness_mean']:.2f} (last)")
    print(f"objective-fitness Spearman, level 1: {_fmt(first.get('L1_spearman'))} -> {_fmt(last.get('L1_spearman'))}")
    if "corr_taste" in last:
        print(f"taste-fitness correlation:  {_fmt(first['corr_taste'])} -> {_fmt(last['corr_taste'])}")
    if "success_rate" in last:
        print(f"maze success:  {first['success_rate']:.2f} (first) -> {last['success_rate']:.2f} (last); "
              f"corner arrival {last['corner_arrival_rate']:.2f} (last)")
    t = sim.timings
    print(f"time split:    world {100 * t['world'] / elapsed:.1f}%, GA {100 * t['ga'] / elapsed:.1f}%, "
          f"metrics and recording {100 * (t['metrics'] + t['recording']) / elapsed:.1f}%")
    if plot:
        from analysis.figures import save_figures

        for path in save_figures(sim.run_dir):
            print(f"figure:        {path}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from evo.simulation import Simulation

    overrides = list(args.set or [])
    if args.freeze_at is not None:
        overrides += ["deployment.mode=frozen", f"deployment.freeze_at={args.freeze_at}"]
    sim = Simulation.from_scenario(args.scenario, overrides, seed=args.seed,
                                   generations=args.generations, out=args.out,
                                   max_memory_gib=_max_memory(args))
    return drive(sim, not args.no_plot)


def cmd_resume(args: argparse.Namespace) -> int:
    from evo.simulation import Simulation

    return drive(Simulation.resume(args.run_dir, args.generations, _max_memory(args)), not args.no_plot)


def _max_memory(args: argparse.Namespace) -> float | None:
    """``--max-memory GIB``: a positive, finite number of GiB (None: the preflight default)."""
    value = getattr(args, "max_memory", None)
    if value is not None and not (math.isfinite(value) and value > 0):
        raise MesaevoError(f"--max-memory must be a positive number of GiB (got {value})")
    return value


def cmd_validate(args: argparse.Namespace) -> int:
    name, config = load_config(args.config, list(args.set or []))
    shifts = ", ".join(f"{ev.kind}@{ev.generation}" for ev in config.shifts) or "none"
    print(f"{args.config}: valid ({name}: {config.run.generations} generations, {config.agents.population} agents, "
          f"{config.world.kind} world, shifts: {shifts})")
    return 0


KINDS = (*FIGURE_KIND_NAMES, "all")
FORMATS = ("png", "svg")


def cmd_plot(args: argparse.Namespace) -> int:
    kinds = args.kind  # None: the default figures that apply to the run
    for kind in kinds or []:
        if kind not in KINDS:
            raise MesaevoError(f"unknown figure kind {kind!r}: use one of {', '.join(KINDS)}")
    if args.format not in FORMATS:
        raise MesaevoError(f"unknown figure format {args.format!r}: use png or svg")
    from analysis.figures import save_figures

    for path in save_figures(args.run_dir, kinds, args.out, args.format):
        print(path)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    if args.window < 1 or args.n_boot < 10:
        raise MesaevoError("--window must be at least 1 and --n-boot at least 10")
    from analysis.report import write_report

    print(write_report(args.path, args.out, n_boot=args.n_boot, window=args.window))
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from evo.sweep import SWEEP_MANIFEST, check_scheduler, load_sweep_file, run_sweep

    sweep = load_sweep_file(args.sweep, _max_memory(args))  # every error before any work
    out = args.out or Path("sweeps") / sweep.name
    if args.resume and not (out / SWEEP_MANIFEST).is_file():
        raise MesaevoError(f"--resume: {out} holds no sweep to resume")
    if args.workers is not None and not 1 <= args.workers <= 1024:
        raise MesaevoError("--workers must be between 1 and 1024")
    if args.scheduler is not None:
        check_scheduler(args.scheduler)
    with tqdm(total=len(sweep.runs), unit="run", desc=sweep.name, file=sys.stderr, dynamic_ncols=True) as bar:
        def done(entry: dict) -> None:
            bar.set_postfix_str(f"{entry['id']} {entry['status']}")
            bar.update(1)

        manifest = run_sweep(sweep, out, workers=args.workers, scheduler=args.scheduler, on_result=done,
                             max_memory_gib=_max_memory(args))
    counts: dict[str, int] = {}
    for entry in manifest["runs"]:
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    print(f"sweep directory: {out}")
    print("runs:            " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    for entry in manifest["runs"]:
        if entry["status"] == "failed":
            print(f"failed:          {entry['id']}: {entry['error']}")
    return 0 if manifest["status"] == "completed" else 1


def cmd_experiment(args: argparse.Namespace) -> int:
    """``mesaevo experiment``: run an experiment and print its verdict (see evo/experiment.py)."""
    from evo.experiment_cli import main as experiment_main

    return experiment_main(args)


def cmd_scenarios(args: argparse.Namespace) -> int:
    for name, doc in list_scenarios().items():
        print(f"{name:14s} {doc.removeprefix(name + ':').strip()}")
    return 0


def _printable(message: str) -> str:
    """``message`` with control and line-separator characters escaped (user input is echoed in errors),
    keeping its own newlines (continuation lines of a multi-problem error are indented)."""
    def esc(ch: str) -> str:
        if ch == "\n" or unicodedata.category(ch)[0] not in "CZ" or ch == " ":
            return ch
        return ch.encode("unicode_escape").decode("ascii")

    return "".join(esc(ch) for ch in str(message))


def _error(message: object) -> None:
    print(f"error: {_printable(str(message))}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one ``error: ...`` line (exit 2) like every other mistake."""

    def error(self, message: str):
        self.exit(2, f"error: {_printable(self.prog)}: {_printable(message).replace(chr(10), ' ')}\n")


MAX_MEMORY_HELP = "refuse to start a run estimated to need more than GIB GiB of memory (default 8)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mesaevo", description="Natural selection evolves mesa-optimizers.")
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
    run.add_argument("--max-memory", type=float, metavar="GIB", help=MAX_MEMORY_HELP)
    run.set_defaults(func=cmd_run)
    resume = sub.add_parser("resume", help="continue a run from its newest checkpoint")
    resume.add_argument("run_dir", type=Path)
    resume.add_argument("--generations", type=int, help="new total number of generations (to extend the run)")
    resume.add_argument("--no-plot", action="store_true", help="do not write the figures at the end")
    resume.add_argument("--max-memory", type=float, metavar="GIB", help=MAX_MEMORY_HELP)
    resume.set_defaults(func=cmd_resume)
    validate = sub.add_parser("validate", help="check a scenario or config file without running it")
    validate.add_argument("config", help="built-in scenario name or path to a .toml config")
    validate.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key")
    validate.set_defaults(func=cmd_validate)
    plot = sub.add_parser("plot", help="write a run's figures as PNG or SVG files")
    plot.add_argument("run_dir", type=Path)
    plot.add_argument("--out", type=Path, help="directory for the figures (default: the run directory)")
    plot.add_argument("--kind", action="append", metavar="KIND",
                      help=f"figure to write, repeatable: {', '.join(KINDS)} (default: levels, proxies, and maze for a maze run)")
    plot.add_argument("--format", default="png", metavar="FORMAT", help="png (default) or svg")
    plot.set_defaults(func=cmd_plot)
    report = sub.add_parser("report", help="write one self-contained HTML report of a run or a sweep")
    report.add_argument("path", type=Path, help="a run directory, or a directory of run directories")
    report.add_argument("--out", type=Path, help="HTML file to write (default: PATH/report.html)")
    report.add_argument("--window", type=int, default=10,
                        help="generations before/after each shift to average (default 10)")
    report.add_argument("--n-boot", type=int, default=500, help="bootstrap resamples (default 500)")
    report.set_defaults(func=cmd_report)
    sweep = sub.add_parser("sweep", help="run every setting x seed of a sweep file (on Dask)")
    sweep.add_argument("sweep", type=Path, help="sweep TOML file")
    sweep.add_argument("--workers", type=int, help="local worker processes (default: the number of cores)")
    sweep.add_argument("--scheduler", help="address of a running Dask scheduler (instead of a local cluster)")
    sweep.add_argument("--out", type=Path, help="sweep directory (default: sweeps/NAME); an existing one resumes")
    sweep.add_argument("--resume", action="store_true", help="require --out to hold this sweep already")
    sweep.add_argument("--max-memory", type=float, metavar="GIB", help=MAX_MEMORY_HELP)
    sweep.set_defaults(func=cmd_sweep)
    exp = sub.add_parser("experiment", help="run an experiment (a claim, its arms and verdict rule) and print the verdict")
    exp.add_argument("experiment", nargs="*", help="shipped experiment name or .toml file (with --findings: "
                     "experiment output directories); none: list the shipped experiments")
    exp.add_argument("--seeds", type=int, help="number of seeds (0..N-1) instead of the file's")
    exp.add_argument("--workers", type=int, help="local worker processes (default: the number of cores)")
    exp.add_argument("--scheduler", help="address of a running Dask scheduler (instead of a local cluster)")
    exp.add_argument("--out", type=Path, help="experiment directory (default: experiments/NAME-SIZE; an existing "
                     "one resumes); with --findings the Markdown file (default docs/findings.md)")
    exp.add_argument("--full", action="store_true", help="run at full size (default: the reduced size)")
    exp.add_argument("--validate", action="store_true", help="only check the experiment file")
    exp.add_argument("--findings", action="store_true", help="write the findings page from experiment outputs")
    exp.set_defaults(func=cmd_experiment)
    scen = sub.add_parser("scenarios", help="list the built-in scenarios")
    scen.set_defaults(func=cmd_scenarios)
    return parser


def _control_characters(argv: list[str]) -> str | None:
    """The first argument holding a control or line-separator character (they would break the one-line
    error messages that echo arguments, and no scenario, key or path needs them)."""
    for arg in argv:
        if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in arg):
            return arg
    return None


def main(argv: list[str] | None = None) -> int:
    from evo._startup import restore

    restore()  # everything is loaded: from here a Ctrl-C is a KeyboardInterrupt handled below
    bad = _control_characters(sys.argv[1:] if argv is None else argv)
    if bad is not None:
        _error(f"argument {_printable(bad)!r} contains a control character; remove it")
        return 2
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return exc.code if isinstance(exc.code, int) else 2
    except KeyboardInterrupt:
        return 130
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        return args.func(args)
    except RunInterrupted as exc:
        print(f"interrupted: {_printable(str(exc))}", file=sys.stderr)
        return 128 + exc.signum
    except (MesaevoError, RunNotFoundError, RunFormatError, OutputPathError) as exc:
        _error(exc)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the run directory is marked 'interrupted'", file=sys.stderr)
        return 130
    except MemoryError as exc:  # the run directory, if any, is already marked 'failed'
        _error(f"out of memory: {exc or 'an allocation failed'}; shrink the config (see --max-memory)")
        return 2
    except OSError as exc:  # the environment, not the program: disk full, permissions, read-only file system
        name = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        _error(f"{name}{exc.strerror or exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
