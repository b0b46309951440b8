"""What the ``mesaevo`` commands share that ``evo/experiment_cli.py`` uses too (kept apart from
``evo/cli.py``, which imports the experiment command: no circle of files)."""

from __future__ import annotations

import argparse
import logging
import math
import os
import shlex
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agents.errors import MesaevoError
from evo.interrupt import RunInterrupted


@contextmanager
def resume_hint(what: str, manifest: Path, command: list[str]) -> Iterator[None]:
    """Ctrl-C or a stop signal inside: :class:`RunInterrupted` saying which ``what`` (sweep, experiment) stopped,
    that ``manifest`` is marked 'interrupted', and the command, with the real paths, that continues it."""
    try:
        yield
    except (KeyboardInterrupt, RunInterrupted) as exc:
        signum = exc.signum if isinstance(exc, RunInterrupted) else signal.SIGINT
        raise RunInterrupted(f"{what} stopped by {signal.Signals(signum).name}; {manifest} is marked 'interrupted'; "
                             f"continue it with: {shlex.join(command)}", signum) from None


def _quiet_dask(verbose: int) -> None:
    """Dask's own INFO logs (scheduler, workers, nanny) only at ``-v``; warnings and errors always."""
    level = "info" if verbose > 0 else "warning"
    os.environ["DASK_LOGGING__DISTRIBUTED"] = level  # read by worker processes as they start
    import dask

    dask.config.set({"logging.distributed": level})
    for name in ("distributed", "distributed.scheduler", "distributed.worker", "distributed.core",
                 "distributed.http.proxy"):
        logging.getLogger(name).setLevel(logging.INFO if verbose > 0 else logging.WARNING)
    # "worker process still alive after 4 s, killing" at every local cluster's close: only at -v
    logging.getLogger("distributed.nanny").setLevel(logging.INFO if verbose > 0 else logging.ERROR)


def _max_memory(args: argparse.Namespace) -> float | None:
    """``--max-memory GIB``: a positive, finite number of GiB (None: the preflight default)."""
    value = getattr(args, "max_memory", None)
    if value is not None and not (math.isfinite(value) and value > 0):
        raise MesaevoError(f"--max-memory must be a positive number of GiB (got {value})")
    return value


class BatchProgress:
    """Progress of a batch of runs on stderr: a tqdm bar on a terminal, one plain line per run on a pipe or
    a file, nothing with ``quiet``. ``done(entry)`` is each finished run; ``skipped(n)`` runs already done."""

    def __init__(self, name: str, total: int, quiet: bool):
        import sys

        from tqdm import tqdm

        self.name, self.total, self.quiet, self.finished = name, total, quiet, 0
        self.tty = sys.stderr.isatty() and not quiet
        self.bar = tqdm(total=total, unit="run", desc=name, file=sys.stderr, dynamic_ncols=True, disable=not self.tty)

    def __enter__(self) -> "BatchProgress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()

    def _say(self, text: str) -> None:
        import sys

        if not self.quiet:
            print(f"{self.name}: {text}", file=sys.stderr, flush=True)

    def done(self, entry: dict) -> None:
        self.finished += 1
        if self.tty:
            self.bar.set_postfix_str(f"{entry['id']} {entry['status']}")
            self.bar.update(1)
        else:
            self._say(f"run {self.finished}/{self.total} {entry['id']} {entry['status']}")

    def skipped(self, n: int) -> None:
        self.finished += n
        if self.tty:
            self.bar.update(n)
        else:
            self._say(f"{n} of {self.total} runs already completed, kept")
