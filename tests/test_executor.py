"""The batch driver (``evo.executor``): stop signals mark the manifest and exit like ``run``, a cluster is
never cut half-way through its start or close, and an experiment's forks start as soon as their parent
run ends. Tasks and executors are stand-ins: these tests exercise the driver, not the simulation."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from evo import executor
from evo.executor import Task, run_batch
from evo.interrupt import RunInterrupted
from tests.test_experiment import _fork_experiment

DONE = {"status": "completed", "error": None}


def _done(*args) -> dict:
    return dict(DONE)


def _manifest(n: int) -> dict:
    return {"status": "running", "runs": [{"id": f"r{i}", "status": "pending", "error": None} for i in range(n)]}


def _tasks(manifest: dict) -> list[Task]:
    return [Task(entry, _done, ()) for entry in manifest["runs"]]


class Stuck:
    """An executor whose tasks never finish; with ``signum``, that signal reaches this process 0.2 s after
    the first task is submitted (the driver is then waiting for its runs)."""

    def __init__(self, signum: int | None = None):
        self.signum = signum

    def submit(self, *args, **kwargs) -> Future:
        if self.signum is not None:
            threading.Timer(0.2, os.kill, (os.getpid(), self.signum)).start()
            self.signum = None
        return Future()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_marks_the_batch_and_its_running_runs_interrupted(tmp_path, signum):
    manifest = _manifest(2)
    with pytest.raises(RunInterrupted) as info:
        run_batch(manifest, tmp_path / "batch.json", _tasks(manifest), client=Stuck(signum))
    assert info.value.signum == signum
    on_disk = json.loads((tmp_path / "batch.json").read_text())
    assert on_disk["status"] == "interrupted"
    assert [e["status"] for e in on_disk["runs"]] == ["interrupted", "interrupted"]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handlers are put back


class _Cluster:
    def __init__(self, events: list[str], signal_on_close: bool = False):
        self.events, self.signal_on_close = events, signal_on_close

    def close(self) -> None:
        if self.signal_on_close:  # Ctrl-C while Dask closes the cluster, after the last run
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.2)
        self.events.append("closed")


def test_sigterm_while_the_cluster_starts_is_acted_on_once_it_has_started(tmp_path, monkeypatch):
    """Dask's LocalCluster cut half-way by a signal prints a traceback at exit: the start finishes, then
    the batch stops, marked, with the cluster closed."""
    events: list[str] = []

    def slow_start(client, scheduler, workers):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)  # the handler runs here, inside the start
        events.append("started")
        return Stuck(), [_Cluster(events)]

    monkeypatch.setattr(executor, "open_executor", slow_start)
    manifest = _manifest(1)
    with pytest.raises(RunInterrupted) as info:
        run_batch(manifest, tmp_path / "batch.json", _tasks(manifest), warm=lambda: events.append("warm"))
    assert info.value.signum == signal.SIGTERM
    assert events == ["warm", "started", "closed"]
    assert json.loads((tmp_path / "batch.json").read_text())["status"] == "interrupted"


def test_worker_processes_start_with_ctrl_c_ignored(tmp_path, monkeypatch):
    """A Ctrl-C reaches the whole process group: workers that Dask is starting must not each print a
    KeyboardInterrupt traceback from their imports. A process started during the start inherits SIGINT
    ignored (Python keeps an ignored SIGINT); the driver's own handler is back afterwards."""
    seen: list[str] = []

    def start(client, scheduler, workers):
        code = "import signal; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"
        seen.append(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip())
        return pool, []

    with ThreadPoolExecutor(1) as pool:
        monkeypatch.setattr(executor, "open_executor", start)
        manifest = _manifest(1)
        run_batch(manifest, tmp_path / "batch.json", _tasks(manifest))
    assert seen == ["True"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert subprocess.run([sys.executable, "-c", "import signal; print(signal.getsignal(signal.SIGINT))"],
                          capture_output=True, text=True).stdout.strip() != "Handlers.SIG_IGN"


def test_ctrl_c_after_the_last_run_leaves_the_batch_completed(tmp_path, monkeypatch):
    events: list[str] = []
    with ThreadPoolExecutor(2) as pool:
        monkeypatch.setattr(executor, "open_executor", lambda *a: (pool, [_Cluster(events, signal_on_close=True)]))
        manifest = _manifest(3)
        with pytest.raises(RunInterrupted):
            run_batch(manifest, tmp_path / "batch.json", _tasks(manifest))
    assert events == ["closed"]
    on_disk = json.loads((tmp_path / "batch.json").read_text())
    assert on_disk["status"] == "completed" and {e["status"] for e in on_disk["runs"]} == {"completed"}


def test_a_fork_starts_as_soon_as_its_own_parent_run_ends(tmp_path, monkeypatch):
    """Not when every run of the parent arm has: frozen-seed0 is submitted while online-seed1 still runs
    (with a barrier between arms it would wait; the watchdog then ends the runs and the log shows it)."""
    import evo.experiment as experiment
    from evo.experiment_spec import build_experiment

    monkeypatch.setattr(experiment, "fork_run_dir", lambda *a: None)
    monkeypatch.setattr(experiment, "_parent_ready", lambda *a: True)
    monkeypatch.setattr(experiment, "record_digest", lambda *a: None)  # these runs leave no table to digest
    log: list[str] = []
    futures: dict[str, Future] = {}

    def finish_all() -> None:
        for fut in list(futures.values()):
            if not fut.done():
                fut.set_result(dict(DONE))

    class Manual:
        def submit(self, fn, *args) -> Future:
            name = Path(args[4]).name
            futures[name] = Future()
            log.append(name)
            if name == "frozen-seed0":
                log.append(f"online-seed1 running: {not futures['online-seed1'].done()}")
                finish_all()
            elif name != "online-seed1":
                futures[name].set_result(dict(DONE))
            return futures[name]

    watchdog = threading.Timer(5.0, finish_all)
    watchdog.start()
    try:
        manifest = experiment.run_experiment(build_experiment(_fork_experiment(), seeds=2), tmp_path / "exp",
                                             _done, client=Manual())
    finally:
        watchdog.cancel()
    assert log == ["online-seed0", "online-seed1", "frozen-seed0", "online-seed1 running: True", "frozen-seed1"]
    assert manifest["status"] == "completed"


def test_sigterm_to_the_experiment_command_exits_143_and_marks_it_interrupted(tmp_path, monkeypatch, capsys):
    import evo.experiment as experiment
    from evo.cli import main

    monkeypatch.setattr(executor, "open_executor", lambda *a: (Stuck(signal.SIGTERM), []))
    monkeypatch.setattr(experiment, "warm_kernels", lambda *a: None)
    path = tmp_path / "e.toml"
    path.write_text('claim = "x"\nno_control_because = "a test of the driver"\nseeds = 1\ngenerations = 8\n'
                    '[arms.a]\nbase = "ancestral"\n'
                    '[measurement]\nmetric = "fitness_mean"\narm = "a"\nwindow = [4, 7]\n')
    assert main(["experiment", str(path), "--out", str(tmp_path / "exp"), "-q"]) == 143
    assert "interrupted: experiment stopped by SIGTERM" in capsys.readouterr().err
    on_disk = json.loads((tmp_path / "exp" / "experiment.json").read_text())
    assert on_disk["status"] == "interrupted" and on_disk["runs"][0]["status"] == "interrupted"
