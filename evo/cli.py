"""The ``mesaevo`` command line: run, resume, validate, config, plot, report, sweep, experiment, fit-objective,
scenarios.

Every command takes ``-q`` (no progress display) and ``-v`` (INFO logs, Dask's included;
Dask is quiet otherwise). On a terminal a run shows a tqdm bar; when stderr is a pipe or
a file, plain progress lines (no carriage returns). A shift the run is too short to
reach is a warning, never an error. ``validate`` and ``--help`` load neither numba nor
matplotlib: heavy imports live inside the command functions.

Mistakes a user can make end in one ``error: ...`` line and exit status 2;
a run stopped by SIGINT or SIGTERM checkpoints, marks its manifest and exits
with 128 + the signal number.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import time
import unicodedata
from pathlib import Path

from typing import TYPE_CHECKING

from tqdm import tqdm

from agents.errors import MesaevoError
from analysis.files import OutputPathError
from analysis.load import RunFormatError, RunNotFoundError
from evo.cli_common import BatchProgress, _max_memory, _quiet_dask, resume_hint  # noqa: F401  (shared)
from evo.interrupt import RunInterrupted
from evo.config import run_notes
from evo.scenarios import list_scenarios, load_config
from worlds.shifts import event_name

if TYPE_CHECKING:
    from evo.simulation import Simulation

#: Figure kinds of ``mesaevo plot`` (``analysis.figures.FIGURE_KINDS``; named here so that
#: ``validate`` and ``--help`` load neither matplotlib nor the kernels; a test keeps them equal).
FIGURE_KIND_NAMES = ("levels", "proxies", "genes", "weights", "competence", "tree", "maze")


def _fmt(value: float) -> str:
    return "nan" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.2f}"


class _Progress:
    """A tqdm bar on a terminal; plain periodic lines (no carriage returns) when stderr is a pipe or
    a file, so ``mesaevo run ... 2>&1 | cat`` reads line by line; nothing with ``-q``."""

    #: Seconds between two plain progress lines (also one line per tenth of the run).
    EVERY_S = 10.0

    def __init__(self, total: int, initial: int, desc: str, quiet: bool, compiling: bool = False):
        self.total, self.done, self.desc, self.quiet = total, initial, desc, quiet
        self._initial = initial
        self.compiling = compiling
        self.bar = None
        self.start = self.last = time.perf_counter()
        self.step = max(1, (total - initial) // 10)
        if not quiet and sys.stderr.isatty():
            # until the first generation ends, the bar says why it sits at its start
            self.bar = tqdm(total=total, initial=initial, unit="gen", file=sys.stderr, dynamic_ncols=True,
                            desc=f"{desc} (compiling kernels)" if compiling else desc)

    def update(self, row: dict) -> None:
        self.done += 1
        info = f"fitness {row['fitness_mean']:.2f}  corr {_fmt(row.get('L1_spearman'))}"
        if self.compiling:  # the compile is over: the rate and ETA from now on are the run's
            self.compiling = False
            self.start = time.perf_counter()
            self._initial = self.done - 1
            if self.bar is not None:
                self.bar.set_description_str(self.desc, refresh=False)
                self.bar.reset(total=self.total)  # restarts its clock: the rate and ETA leave the compile out
                self.bar.initial = self.bar.n = self.done
                self.bar.set_postfix_str(info)  # refreshes the bar
                return
        if self.bar is not None:
            self.bar.set_postfix_str(info)
            self.bar.update(1)
            return
        now = time.perf_counter()
        if self.quiet or not (self.done == self.total or self.done % self.step == 0 or now - self.last >= self.EVERY_S):
            return
        self.last = now
        left = self.total - self.done
        per_gen = (now - self.start) / max(1, self.done - self._initial)
        print(f"{self.desc}: generation {self.done}/{self.total} ({100 * self.done / self.total:.0f}%), {info}, "
              f"{now - self.start:.0f} s elapsed, about {per_gen * left:.0f} s left", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _kernels_cached(world_kind: str) -> bool:
    """Whether numba's disk cache holds this world's kernels compiled from *this* copy of the source.

    numba keys its cache on the source file's directory (``<folder>_<sha1 of its absolute path>``), so a
    second install of the same version (``pip install .`` then ``pip install -e .``) compiles again."""
    import inspect

    import numba
    from numba.core.caching import UserProvidedCacheLocator

    import agents.jit  # noqa: F401  (sets numba's cache directory)
    from worlds import world_class

    if numba.config.DISABLE_JIT:
        return True
    cache = Path(numba.config.CACHE_DIR or "")
    if not str(cache) or not cache.is_dir():
        return False
    try:
        source = inspect.getfile(world_class(world_kind))
    except (KeyError, TypeError, ValueError):
        return False
    folder = cache / UserProvidedCacheLocator.get_suitable_cache_subpath(source)
    return folder.is_dir() and any(folder.glob("*.nbi"))


def _shift_summary_lines(sim: Simulation, window: int = 10) -> list[str]:
    """Before/after each shift the run reached, from every generation row (first vs last without shifts)."""
    import numpy as np

    gens = sim.tables().generations
    if gens.empty:
        return []
    series = [c for c in ("fitness_mean", "L1_spearman", "corr_taste", "success_rate") if c in gens.columns]
    names = {"fitness_mean": "mean fitness", "L1_spearman": "objective-fitness Spearman, level 1",
             "corr_taste": "taste-fitness correlation", "success_rate": "maze success"}
    g = gens["generation"].to_numpy()
    lines = []
    reached = [ev for ev in sim.config.shifts if ev.generation <= g.max()]
    for ev in reached:
        before = (g >= ev.generation - window) & (g < ev.generation)
        after = (g >= ev.generation) & (g < ev.generation + window)
        lines.append(f"shift '{event_name(ev)}' at generation {ev.generation} (means over {int(before.sum())} "
                     f"generations before, {int(after.sum())} from it on):")
        for column in series:
            values = gens[column].to_numpy(dtype=float)
            b = np.nanmean(values[before]) if before.any() and np.isfinite(values[before]).any() else float("nan")
            a = np.nanmean(values[after]) if after.any() and np.isfinite(values[after]).any() else float("nan")
            lines.append(f"  {names[column] + ':':40s}{_fmt(b)} -> {_fmt(a)}")
    if not reached:
        lines.append("no shift reached in this run: first generation -> last generation")
        for column in series:
            values = gens[column].to_numpy(dtype=float)
            lines.append(f"  {names[column] + ':':40s}{_fmt(values[0])} -> {_fmt(values[-1])}")
    return lines


#: Printed before the progress display when this world's kernels are not in the cache yet.
COMPILE_NOTE = ("compiling kernels: about a minute (more on a busy machine), once per install location; later runs "
                "load them from the cache")


def timing_lines(start_gen: int, total: int, elapsed: float, timings: dict[str, float]) -> list[str]:
    """The summary's time lines: generations and seconds per generation, then the split, both without the
    one-off kernel compile (``timings["compile"]``), which gets its own line when there was one."""
    compile_s = min(timings.get("compile", 0.0), elapsed)
    running = max(elapsed - compile_s, 1e-9)
    done = max(total - start_gen, 1)
    lines = [f"generations:   {start_gen}..{total - 1} in {running:.1f} s ({running / done:.3f} s per generation"
             + (", kernel compile not included)" if compile_s > 0.05 else ")")]
    if compile_s > 0.05:
        lines.append(f"compile:       {compile_s:.1f} s compiling kernels (once; later runs load them from the cache)")
    lines.append(f"time split:    world {100 * timings['world'] / running:.1f}%, GA {100 * timings['ga'] / running:.1f}%, "
                 f"metrics and recording {100 * (timings['metrics'] + timings['recording']) / running:.1f}%")
    return lines


#: ``mesaevo report`` prints its progress lines once it has run this long (seconds).
REPORT_QUIET_S = 2.0

#: Set by ``main`` from ``-q``: no progress display, no compile note.
QUIET = {"quiet": False}


def drive(sim: Simulation, plot: bool, quiet: bool | None = None) -> int:
    """Run ``sim`` to the end with a progress display, then print a summary (and write the figures)."""
    quiet = QUIET["quiet"] if quiet is None else quiet
    total = sim.config.run.generations
    start_gen = sim.generation
    done_any = False
    start = time.perf_counter()
    compiling = start_gen < total and not _kernels_cached(sim.config.world.kind)
    if not quiet and compiling:
        print(COMPILE_NOTE, file=sys.stderr, flush=True)
    progress = _Progress(total, start_gen, sim.scenario, quiet, compiling)
    try:
        for row in sim.iterate():
            done_any = True
            progress.update(row)
    finally:
        progress.close()
    elapsed = time.perf_counter() - start
    if not done_any:
        print(f"run directory: {sim.run_dir}\nnothing left to run: all {total} generations were done; "
              "the run is marked completed")
        return 0
    print(f"run directory: {sim.run_dir}")
    lines = timing_lines(start_gen, total, elapsed, sim.timings)
    print(lines[0])
    for note in sim.notes:
        print(f"note:          {note}")
    for line in _shift_summary_lines(sim):
        print(line)
    for line in lines[1:]:
        print(line)
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


def _is_sweep_file(path: str) -> bool:
    """A TOML file whose top level names a ``base`` scenario is a sweep file."""
    from evo.config import read_toml

    p = Path(path)
    return p.suffix == ".toml" and p.is_file() and "base" in read_toml(p)


def cmd_validate(args: argparse.Namespace) -> int:
    if _is_sweep_file(args.config):
        from evo.sweep import load_sweep_file

        sweep = load_sweep_file(args.config)
        settings = len({r.setting for r in sweep.runs})
        print(f"{args.config}: valid sweep ({sweep.name}: base {sweep.base}, {settings} settings x "
              f"{len(sweep.runs) // max(1, settings)} seeds = {len(sweep.runs)} runs)")
        return 0
    name, config = load_config(args.config, list(args.set or []))
    shifts = ", ".join(f"{ev.kind}@{ev.generation}" for ev in config.shifts) or "none"
    print(f"{args.config}: valid ({name}: {config.run.generations} generations, {config.agents.population} agents, "
          f"{config.world.kind} world, shifts: {shifts})")
    for note in run_notes(config):
        print(f"warning: {note}")
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    from analysis.toml_text import dumps

    overrides = list(args.set or [])
    if args.generations is not None:
        overrides.append(f"run.generations={args.generations}")
    if args.seed is not None:
        overrides.append(f"run.seed={args.seed}")
    name, config = load_config(args.scenario, overrides)
    print(f"# resolved config of {name}" + (f" with {' '.join(overrides)}" if overrides else ""))
    print(dumps(config.model_dump(mode="json")), end="")
    for note in run_notes(config):
        print(f"warning: {note}", file=sys.stderr)
    return 0


KINDS = (*FIGURE_KIND_NAMES, "all")
FORMATS = ("png", "svg")


def cmd_plot(args: argparse.Namespace) -> int:
    kinds = args.kind  # None: the default figures that apply to the run
    from analysis.figures import save_figures

    for path in save_figures(args.run_dir, kinds, args.out, args.format):
        print(path)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    if args.window < 1 or args.n_boot < 10:
        raise MesaevoError("--window must be at least 1 and --n-boot at least 10")
    from analysis.report import write_report

    start = time.perf_counter()

    def progress(step: str) -> None:
        """On stderr (stdout stays the path of the file written), once the report has taken a while: a quick
        report, or one refused at once, prints only its result."""
        elapsed = time.perf_counter() - start
        if not args.quiet and elapsed >= REPORT_QUIET_S:
            print(f"report: {step} ({elapsed:.1f} s)", file=sys.stderr, flush=True)

    path = write_report(args.path, args.out, n_boot=args.n_boot, window=args.window, interactive=not args.static,
                        progress=progress)
    progress("written")
    print(path)
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from evo.executor import check_scheduler
    from evo.simulation import run_one
    from evo.sweep import SWEEP_MANIFEST, load_sweep_file, run_sweep

    sweep = load_sweep_file(args.sweep, _max_memory(args))  # every error before any work
    out = args.out or Path("sweeps") / sweep.name
    if args.resume and not (out / SWEEP_MANIFEST).is_file():
        raise MesaevoError(f"--resume: {out} holds no sweep to resume")
    if args.workers is not None and not 1 <= args.workers <= 1024:
        raise MesaevoError("--workers must be between 1 and 1024")
    if args.scheduler is not None:
        check_scheduler(args.scheduler)
    if args.dry_run:
        print(f"sweep {sweep.name}: {len(sweep.runs)} runs of {sweep.base} into {out}")
        for run in sweep.runs:
            setting = ", ".join(f"{k}={v}" for k, v in run.overrides.items()) or "(base)"
            print(f"  {run.run_id}  seed {run.seed}  {setting}")
        return 0
    _quiet_dask(args.verbose)
    with BatchProgress(sweep.name, len(sweep.runs), args.quiet) as progress:
        with resume_hint("sweep", out / SWEEP_MANIFEST, ["mesaevo", "sweep", str(args.sweep), "--out", str(out),
                                                         "--resume"]):
            manifest = run_sweep(sweep, out, run_one, workers=args.workers, scheduler=args.scheduler,
                                 on_result=progress.done, on_skip=progress.skipped,
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


def cmd_fit_objective(args: argparse.Namespace) -> int:
    from analysis.fitted import fit_objective

    print(fit_objective(args.run_dir, tuple(args.window) if args.window else None).toml())
    return 0


def cmd_infer(args: argparse.Namespace) -> int:
    """``mesaevo infer``: recover sampled agents' objectives from replayed behaviour (see evo/infer.py)."""
    from agents.inverse import PARTICLES
    from evo.infer import INFERRED, InferPlan, infer, plan_for, summary
    from worlds.foraging.genome import FEATURES

    args.particles = args.particles or PARTICLES
    plan: InferPlan = plan_for(args.run_dir, args.agents, args.steps, args.depth, args.particles,
                               max_hours=args.max_hours)
    if not QUIET["quiet"]:
        print(f"infer: {plan.agents} agents x {plan.steps} steps, depths {','.join(map(str, plan.depths))}: "
              f"about {max(1, round(plan.seconds() / 60))} min", file=sys.stderr)
    if args.axis:
        from evo.infer_axis import INFERRED_AXIS, alignment_axis, axis_summary

        table = axis_summary(alignment_axis(args.run_dir, args.agents, args.steps, args.particles))
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        print(f"wrote {args.run_dir / INFERRED_AXIS}")
        return 0
    frame = infer(args.run_dir, args.agents, args.steps, args.depth, args.particles, max_hours=args.max_hours)
    for line in summary(frame, FEATURES):
        print(line)
    print(f"wrote {args.run_dir / INFERRED}")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    for name, doc in list_scenarios().items():
        print(f"{name:14s} {doc.removeprefix(name + ':').strip()}")
    return 0


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("mesaevo")
    except metadata.PackageNotFoundError:
        return "unknown"


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


def _complete(parser: argparse.ArgumentParser) -> None:
    """Shell completion (shtab): ``mesaevo --print-completion bash|zsh|tcsh`` prints the script; path
    arguments complete file or directory names."""
    import shtab

    shtab.add_argument_to(parser, ["--print-completion"], help="print a shell completion script and exit "
                          "(e.g. mesaevo --print-completion bash > ~/.local/share/bash-completion/completions/mesaevo)")
    for action in _walk(parser):
        if action.dest in ("run_dir", "path", "out", "sweep") or action.type is Path:
            is_file = action.dest == "sweep" or (action.dest == "out" and "file" in (action.help or ""))
            action.complete = shtab.FILE if is_file else shtab.DIRECTORY
        elif action.dest in ("scenario", "config") and not action.option_strings:
            action.complete = shtab.FILE  # a scenario name or a .toml file


def _walk(parser: argparse.ArgumentParser):
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _walk(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mesaevo", description="Natural selection evolves mesa-optimizers.")
    parser.add_argument("--version", action="version", version=f"mesaevo {_version()}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="no progress display, errors and warnings only")
    common.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log messages (-v: INFO, Dask's included; -vv: DEBUG)")
    sub = parser.add_subparsers(dest="command", required=True)
    _add = sub.add_parser
    sub.add_parser = lambda *a, **k: _add(*a, parents=[common], **k)  # -q/-v after every command
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
    validate = sub.add_parser("validate", help="check a scenario, config file or sweep file without running it")
    validate.add_argument("config", help="built-in scenario name, path to a .toml config, or a sweep file")
    validate.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key")
    validate.set_defaults(func=cmd_validate)
    plot = sub.add_parser("plot", help="write a run's figures as PNG or SVG files")
    plot.add_argument("run_dir", type=Path)
    plot.add_argument("--out", type=Path, help="directory for the figures (default: the run directory)")
    plot.add_argument("--kind", action="append", metavar="KIND", choices=KINDS,
                      help=f"figure to write, repeatable: {', '.join(KINDS)} (default: levels, proxies, and maze for a maze run)")
    plot.add_argument("--format", default="png", choices=FORMATS, help="png (default) or svg")
    plot.set_defaults(func=cmd_plot)
    report = sub.add_parser("report", help="write one self-contained HTML report of a run or a sweep")
    report.add_argument("path", type=Path, help="a run directory, or a directory of run directories")
    report.add_argument("--out", type=Path, help="HTML file to write (default: PATH/report.html)")
    report.add_argument("--window", type=int, default=10,
                        help="generations before/after each shift to average (default 10)")
    report.add_argument("--n-boot", type=int, default=500, help="bootstrap resamples (default 500)")
    report.add_argument("--static", action="store_true",
                        help="PNG figures only (smaller file; default: interactive figures, plotly.js inline)")
    report.set_defaults(func=cmd_report)
    sweep = sub.add_parser("sweep", help="run every setting x seed of a sweep file (on Dask)")
    sweep.add_argument("sweep", type=Path, help="sweep TOML file")
    sweep.add_argument("--workers", type=int, help="local worker processes (default: the number of cores)")
    sweep.add_argument("--scheduler", help="address of a running Dask scheduler (instead of a local cluster)")
    sweep.add_argument("--out", type=Path, help="sweep directory (default: sweeps/NAME); an existing one resumes")
    sweep.add_argument("--resume", action="store_true", help="require --out to hold this sweep already")
    sweep.add_argument("--max-memory", type=float, metavar="GIB", help=MAX_MEMORY_HELP)
    sweep.add_argument("--dry-run", action="store_true", help="list the runs the sweep would make, run nothing")
    sweep.set_defaults(func=cmd_sweep)
    exp = sub.add_parser("experiment", help="run an experiment (a claim, its arms and verdict rule) and print the verdict")
    exp.add_argument("experiment", nargs="*", help="shipped experiment name or .toml file (with --findings: "
                     "experiment output directories); none: list the shipped experiments")
    exp.add_argument("--seeds", type=int, help="number of seeds (0..N-1, or from --first-seed) instead of the file's")
    exp.add_argument("--first-seed", type=int, default=0, help="with --seeds: the first seed (seeds S..S+N-1)")
    exp.add_argument("--workers", type=int, help="local worker processes (default: the number of cores)")
    exp.add_argument("--scheduler", help="address of a running Dask scheduler (instead of a local cluster)")
    exp.add_argument("--out", type=Path, help="experiment directory (default: experiments/NAME-SIZE; an existing "
                     "one resumes); with --findings the Markdown file (default docs/findings.md)")
    exp.add_argument("--full", action="store_true", help="run at full size (default: the reduced size)")
    exp.add_argument("--max-memory", type=float, metavar="GIB", help=MAX_MEMORY_HELP)
    exp.add_argument("--max-hours", type=float, metavar="HOURS",
                     help="refuse an experiment one of whose runs is estimated to take longer (default 24)")
    exp.add_argument("--validate", action="store_true", help="only check the experiment file")
    exp.add_argument("--findings", action="store_true", help="write the findings page from experiment outputs")
    exp.set_defaults(func=cmd_experiment)
    config = sub.add_parser("config", help="print the resolved config of a scenario or config file as TOML")
    config.add_argument("scenario", help="built-in scenario name or path to a .toml config")
    config.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key")
    config.add_argument("--generations", type=int, help="run.generations")
    config.add_argument("--seed", type=int, help="run.seed")
    config.set_defaults(func=cmd_config)
    fit = sub.add_parser("fit-objective", help="print the fitted fixed objective of a run (its fitness-implied "
                         "weights) as an agents.fixed_weights line")
    fit.add_argument("run_dir", type=Path)
    fit.add_argument("--window", type=int, nargs=2, metavar=("FIRST", "LAST"),
                     help="generations to average over (default: the last 10)")
    fit.set_defaults(func=cmd_fit_objective)
    inf = sub.add_parser("infer", help="recover sampled agents' objectives from their replayed behaviour "
                         "(inverse planning) and write inferred.parquet into the run directory")
    inf.add_argument("run_dir", type=Path)
    inf.add_argument("--agents", type=int, default=20, help="agents to sample from the newest checkpoint (default 20)")
    inf.add_argument("--steps", type=int, default=2000, help="situations observed per agent (default 2000)")
    inf.add_argument("--depth", type=int, help="fix the planner depth the likelihood assumes (default: infer it)")
    inf.add_argument("--particles", type=int,
                     help="the sampler's particles per candidate depth and agent (default 128)")
    inf.add_argument("--max-hours", type=float, default=6.0, help="refuse an inference estimated to take longer")
    inf.add_argument("--axis", action="store_true", help="infer at every kept checkpoint and place each architecture "
                     "on the one alignment scale by its inferred objective (writes inferred_axis.parquet)")
    inf.set_defaults(func=cmd_infer)
    scen = sub.add_parser("scenarios", help="list the built-in scenarios")
    scen.set_defaults(func=cmd_scenarios)
    _complete(parser)
    return parser


def _control_characters(argv: list[str]) -> str | None:
    """The first argument holding a control or line-separator character (they would break the one-line
    error messages that echo arguments, and no scenario, key or path needs them)."""
    for arg in argv:
        if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in arg):
            return arg
    return None


def _closed_pipe() -> int:
    """The reader of stdout went away (``mesaevo ... | head``): stop quietly, as Unix tools do (exit 141)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the interpreter's final flush must not fail again
    return 141


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
    except BrokenPipeError:  # --print-completion or --help piped into head
        return _closed_pipe()
    except KeyboardInterrupt:
        return 130
    verbose, quiet = getattr(args, "verbose", 0), getattr(args, "quiet", False)
    QUIET["quiet"] = bool(quiet)
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    try:
        return args.func(args)
    except RunInterrupted as exc:
        print(f"interrupted: {_printable(str(exc))}", file=sys.stderr)
        return 128 + exc.signum
    except (MesaevoError, RunNotFoundError, RunFormatError, OutputPathError) as exc:
        _error(exc)
        return 2
    except KeyboardInterrupt:
        what = {"cmd_run": "the run directory is", "cmd_resume": "the run directory is",
                "cmd_sweep": "the sweep directory (sweep.json) is",
                "cmd_experiment": "the experiment directory (experiment.json) is"}.get(args.func.__name__)
        print(f"interrupted: {what} marked 'interrupted'" if what else "interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    except MemoryError as exc:  # the run directory, if any, is already marked 'failed'
        _error(f"out of memory: {exc or 'an allocation failed'}; shrink the config (see --max-memory)")
        return 2
    except OSError as exc:  # the environment, not the program: disk full, permissions, read-only file system
        name = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        _error(f"{name}{exc.strerror or exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
