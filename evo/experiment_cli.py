"""The ``mesaevo experiment`` command (kept out of ``evo/cli.py``; the simulation and matplotlib load
only when an experiment runs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agents.errors import MesaevoError


def main(args: argparse.Namespace) -> int:
    from evo.experiment_spec import list_experiments, load_experiment

    if args.findings:
        if not args.experiment:
            raise MesaevoError("--findings needs experiment output directories")
        from analysis.findings import write_findings

        try:
            print(write_findings(args.experiment, args.out or Path("docs/findings.md")))
        except (FileNotFoundError, ValueError) as exc:
            raise MesaevoError(str(exc)) from None
        return 0
    if not args.experiment:
        for name, claim in list_experiments().items():
            print(f"{name:26s} {claim}")
        return 0
    if len(args.experiment) != 1:
        raise MesaevoError("give one experiment (name or .toml file)")
    if args.workers is not None and not 1 <= args.workers <= 1024:
        raise MesaevoError("--workers must be between 1 and 1024")
    if args.scheduler is not None:
        from evo.executor import check_scheduler

        check_scheduler(args.scheduler)
    size = "full" if args.full else "reduced"
    if args.first_seed and args.seeds is None:
        raise MesaevoError("--first-seed needs --seeds (how many seeds from it)")
    from evo.cli_common import _max_memory

    if args.max_hours is not None and not (0 < args.max_hours < float("inf")):
        raise MesaevoError(f"--max-hours must be a positive number of hours (got {args.max_hours})")
    exp = load_experiment(args.experiment[0], size=size, seeds=args.seeds, first_seed=args.first_seed,
                          max_memory_gib=_max_memory(args), max_hours=args.max_hours)
    runs = len(exp.arms) * len(exp.seeds)
    if args.validate:
        print(f"{args.experiment[0]}: valid ({exp.name}, {size} size: {len(exp.arms)} arms x {len(exp.seeds)} seeds, "
              f"{exp.generations} generations)")
        return 0
    from evo.cli_common import BatchProgress, _quiet_dask, resume_hint
    from evo.experiment import EXPERIMENT_MANIFEST, conclude, run_experiment, summary
    from evo.simulation import run_one

    _quiet_dask(args.verbose)  # Dask's INFO lines only at -v
    out = args.out or Path("experiments") / f"{exp.name}-{size}"
    again = ["mesaevo", "experiment", str(args.experiment[0]), "--out", str(out), *(["--full"] if args.full else []),
             *(["--seeds", str(args.seeds)] if args.seeds is not None else [])]
    with BatchProgress(exp.name, runs, args.quiet) as progress:
        with resume_hint("experiment", out / EXPERIMENT_MANIFEST, again):
            manifest = run_experiment(exp, out, run_one, workers=args.workers, scheduler=args.scheduler,
                                      on_result=progress.done)
    record = conclude(exp, out)
    print(f"experiment directory: {out}")
    print(summary(record))
    for entry in manifest["runs"]:
        if entry["status"] != "completed":
            print(f"failed:      {entry['id']}: {entry['error']}")
    return 0 if manifest["status"] == "completed" else 1
