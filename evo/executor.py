"""The one driver of batches of runs (sweeps, experiments) on Dask: cluster, submit, collect, stop.

A batch is a manifest (a JSON object with a ``runs`` list of entries, written to
``path`` after every change) and tasks, each a function that runs or finishes one
run directory on a worker and returns ``{"status": ..., "error": ...}``. The
executor is a LocalCluster of ``workers`` single-threaded processes (default: the
cores), a running cluster given its scheduler address, or any object with
``submit`` (a ``distributed.Client``, a ``concurrent.futures`` executor). A task
may be followed by others as soon as it ends (``then``: an experiment's forks
start when their parent run is done, not when every parent is), so the workers
stay busy; ``submit`` order is priority order (earlier first).

The manifest's status is always true: 'completed' or 'failed' when every run has
ended (written before the cluster is closed), 'interrupted' on SIGINT or SIGTERM
(runs in flight become 'interrupted': they resume from their checkpoints), 'failed'
with the error otherwise. A stop signal raises ``RunInterrupted`` (the CLI exits
128 + the signal number); one that arrives while Dask starts or closes the
cluster is acted on once that is done, so Dask never sees it half-way; SIGINT
is ignored while the cluster's worker processes start (they inherit that), so a
Ctrl-C, which the terminal sends to the whole process group, never prints a
traceback from inside their imports (a Ctrl-C in those seconds is not seen: a
second one is).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from agents.errors import MesaevoError
from evo.interrupt import RunInterrupted
from evo.recorder import now, write_json_atomic

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5
#: Seconds the driver waits for a run before it looks at pending stop signals again.
WAKE_SECONDS = 0.5
ADDRESS_RE = re.compile(r"^(?:(?:tcp|tls)://)?(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$")
SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: Dask settings of the LocalCluster this module starts. The runs are long numba calls; Dask's own
#: bookkeeping runs beside them on the same cores, and with its defaults (a statistical profiler sampling
#: each worker's thread every 10 ms, event-loop ticks every 20 ms, system and memory monitors every 0.5 and
#: 0.1 s, work stealing every 0.1 s) it took 0.17 of a core on an idle 2-worker cluster (3.5 s of CPU in
#: 20 s of sleeping tasks), about 8% of a 2-core machine, taken from the runs when every core has a worker.
#: With these it takes 0.016 (benchmarks/dask_overhead.py). A run's memory is still watched (every second).
LOCAL_CLUSTER_CONFIG = {
    # A worker gets a run only when its thread is free (Dask's default queues a second one on it): runs
    # then start in submission order, roots before forks, and no run waits behind another on a busy
    # worker while a worker is idle at the end.
    "distributed.scheduler.worker-saturation": 1.0,
    "distributed.scheduler.work-stealing": False,  # nothing to steal: queued runs wait at the scheduler
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.system-monitor.disk": False,
    "distributed.worker.memory.monitor-interval": "1s",
}


#: A task: ``(base, overrides, seed, generations, run_dir, max_memory_gib) -> {"status", "error", ...}``
#: (``evo.simulation.run_one``).
RunTask = Callable[..., dict[str, Any]]


@dataclass
class Task:
    """One run of a batch: its manifest entry and the call that runs it on a worker."""

    entry: dict[str, Any]
    fn: RunTask
    args: tuple


def run_then(task: RunTask, after: Callable[[str], Any], label: str, *args: Any) -> dict[str, Any]:
    """A task followed, on the same worker, by a step on its completed run: ``task(*args)``, then
    ``after(run_dir)`` (``args[4]``; an experiment's inference or edits, which skip what is done). Never
    raises: a failing step marks the run failed with ``label`` and its error, and the next resume does it
    again."""
    result = task(*args)
    if result.get("status") != "completed":
        return result
    try:
        after(args[4])
    except Exception as exc:  # a failing step must not stop the other runs
        log.warning("%s of %s failed: %s", label, args[4], exc)
        return {"status": "failed", "error": f"{label}: {type(exc).__name__}: {exc}"}
    return result


def check_scheduler(address: str) -> str:
    """A Dask scheduler address: ``tcp://host:port`` or ``host:port`` (also ``tls://``)."""
    m = ADDRESS_RE.match(address or "")
    if not m or not 0 < int(m.group(1)) < 65536:
        raise MesaevoError(f"--scheduler {address!r} is not a scheduler address; use tcp://HOST:PORT or HOST:PORT")
    return address


def connect(address: str, timeout: float = CONNECT_TIMEOUT_S) -> Any:
    """A ``distributed.Client`` for ``address``, or MesaevoError naming it within about ``timeout`` seconds."""
    from distributed import Client

    check_scheduler(address)
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise MesaevoError(f"cannot connect to scheduler at {address}: nothing answered within {timeout:g} s "
                           f"({type(exc).__name__}); is the Dask scheduler running?") from None
    except MemoryError:  # a length read from another protocol's bytes ("Unable to allocate 3.07 EiB")
        raise MesaevoError(f"cannot connect to scheduler at {address}: what answers there is not a Dask "
                           "scheduler (its reply reads as an impossible message size); check the address "
                           "and port") from None
    except Exception as exc:  # something answered, but not in Dask's protocol (a garbled frame length, ...)
        raise MesaevoError(f"cannot connect to scheduler at {address}: what answers there is not a Dask "
                           f"scheduler ({type(exc).__name__}); check the address and port") from None


class StopSignals:
    """While a batch drives (main thread only): SIGINT and SIGTERM raise ``RunInterrupted``, at once or,
    inside ``deferred()``, when that block ends."""

    def __init__(self, hint: str) -> None:
        self.hint = hint
        self.pending: int | None = None
        self.depth = 0
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> "StopSignals":
        if threading.current_thread() is threading.main_thread():
            self.previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
            for sig in SIGNALS:
                signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)

    def _error(self, signum: int) -> RunInterrupted:
        return RunInterrupted(f"stopped by {signal.Signals(signum).name}; {self.hint}", signum)

    def _handle(self, signum: int, frame: object) -> None:
        if self.depth:
            self.pending = self.pending or signum
            return
        raise self._error(signum)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """A stop signal received inside the block is raised when the block has ended."""
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            if not self.depth and self.pending is not None:
                signum, self.pending = self.pending, None
                raise self._error(signum)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored for the block (main thread only). Processes started meanwhile (a LocalCluster's
    workers) inherit the ignored disposition through ``exec``, where a handled or blocked one is reset, and
    Python then keeps it: a Ctrl-C, which the terminal sends to the whole process group, no longer cuts
    their imports with a traceback each; this driver stops them. A Ctrl-C in these seconds is not seen (a
    second one, once the cluster is up, is)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _is_dask(client: Any) -> bool:
    return type(client).__module__.startswith("distributed")


def open_executor(client: Any, scheduler: str | None, workers: int | None) -> tuple[Any, list[Any]]:
    """The executor and the objects to close after the batch: ``client`` as it is, a connection to
    ``scheduler``, or a LocalCluster of ``workers`` single-threaded processes (default: the cores) that
    hands out a run only to a free worker."""
    if client is not None:
        return client, []
    if scheduler:
        client = connect(scheduler)
        return client, [client]
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
    try:
        return Client(cluster), [cluster]
    except BaseException:
        cluster.close()
        raise


def _completed(client: Any) -> tuple[Callable[[Any], None], Iterator[Any]]:
    """``add(future)`` and an iterator over the added futures as they complete, which wakes at least every
    ``WAKE_SECONDS``: a stop signal that the kernel delivered to another thread only sets a flag that the
    main thread acts on when it runs Python again, which a wait without a timeout never does."""
    if _is_dask(client):
        from distributed import as_completed

        queue = as_completed([])  # its iteration polls every 0.1 s
        return queue.add, iter(queue)
    from concurrent.futures import FIRST_COMPLETED, wait

    pending: set[Any] = set()  # grows while it is iterated (``add``): changed in place only

    def each() -> Iterator[Any]:
        while pending:
            done, _ = wait(pending, timeout=WAKE_SECONDS, return_when=FIRST_COMPLETED)
            pending.difference_update(done)
            yield from done

    return pending.add, each()


def run_batch(manifest: dict[str, Any], path: Path, tasks: Iterable[Task], *, client: Any = None,
              scheduler: str | None = None, workers: int | None = None, warm: Callable[[], None] | None = None,
              then: Callable[[dict[str, Any]], Iterable[Task]] | None = None,
              on_result: Callable[[dict[str, Any]], None] | None = None,
              hint: str = "run the same command again to continue (completed runs are kept)") -> dict[str, Any]:
    """Run ``tasks`` (and the tasks ``then(entry)`` returns as each one ends), keeping ``manifest`` true on
    disk at ``path``; return it. ``on_result(entry)`` is told of every run that ended. An executor is
    opened only when there is a task; before a LocalCluster starts, ``warm()`` compiles the kernels once
    here, so that its workers load them from numba's disk cache instead of all compiling at once."""
    tasks = list(tasks)
    write_json_atomic(path, manifest)
    owned: list[Any] = []
    with StopSignals(hint) as stop:
        try:
            if tasks:
                if client is None and not scheduler and warm is not None:
                    warm()
                with stop.deferred(), _sigint_ignored():  # Dask starting a cluster must not be cut half-way
                    client, owned = open_executor(client, scheduler, workers)
                _drive(client, manifest, path, tasks, then, on_result)
        except BaseException as exc:
            mark_stopped(manifest, path, exc)
            try:
                _close(owned, stop)
            except RunInterrupted:
                pass  # already stopping
            raise
        mark_finished(manifest, path)
        _close(owned, stop)
    return manifest


def _close(owned: list[Any], stop: StopSignals) -> None:
    """Close what the batch opened; a stop signal meanwhile is raised once it is closed."""
    with stop.deferred():
        for obj in owned:
            obj.close()


def _drive(client: Any, manifest: dict[str, Any], path: Path, tasks: list[Task],
           then: Callable[[dict[str, Any]], Iterable[Task]] | None,
           on_result: Callable[[dict[str, Any]], None] | None) -> None:
    add, completed = _completed(client)
    entries: dict[Any, dict[str, Any]] = {}

    def submit(batch: Iterable[Task]) -> None:
        for task in batch:
            fut = client.submit(task.fn, *task.args, pure=False) if _is_dask(client) else \
                client.submit(task.fn, *task.args)
            entries[fut] = task.entry
            task.entry.update(status="running", error=None)
            add(fut)
        write_json_atomic(path, manifest)

    submit(tasks)
    for fut in completed:
        entry = entries.pop(fut)
        try:
            result = fut.result()
        except Exception as exc:  # the worker died or the task could not run
            result = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
        entry.update(status=result["status"], error=result.get("error"))
        if on_result is not None:  # before the manifest is written: it may add to the entry
            on_result(entry)
        write_json_atomic(path, manifest)
        if then is not None:
            submit(then(entry))


def mark_stopped(manifest: dict[str, Any], path: Path, exc: BaseException) -> None:
    """Write a batch manifest stopped by ``exc``: 'interrupted' on Ctrl-C or a stop signal, else 'failed'
    with the error; runs still running become 'interrupted'."""
    stopped = isinstance(exc, (KeyboardInterrupt, RunInterrupted))
    manifest.update(status="interrupted" if stopped else "failed", finished=now())
    if not stopped:
        manifest["error"] = f"{type(exc).__name__}: {exc}"
    for entry in manifest["runs"]:
        if entry["status"] == "running":
            entry["status"] = "interrupted"
    write_json_atomic(path, manifest)


def mark_finished(manifest: dict[str, Any], path: Path) -> None:
    """Write a batch manifest whose runs all ended: 'completed' unless one of them did not."""
    failed = [e for e in manifest["runs"] if e["status"] != "completed"]
    manifest.update(status="failed" if failed else "completed", finished=now())
    write_json_atomic(path, manifest)


def warm_kernels(base: str, overrides: dict[str, Any]) -> None:
    """Compile the kernels of one run's config in this process (one generation, nothing written)."""
    from evo.loop import Evolution
    from evo.scenarios import load_config

    _, config = load_config(base, overrides)
    Evolution(config).step()
