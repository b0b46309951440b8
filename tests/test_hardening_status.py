"""The manifest's status is always true, and one process writes a run directory at a time.

Failures after the run directory exists (world construction, a full disk) mark it
'failed' with one ``error:`` line; resume works once the cause is gone; a sweep's
failed run says 'failed' in its own manifest; a stopped sweep driver marks
``sweep.json`` 'interrupted'; Ctrl-C while starting exits 130 without a traceback.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import analysis.files as files
import evo.recorder as recorder
from evo.cli import main
from evo.interrupt import RunInterrupted
from evo.lock import RunLock
from evo.simulation import Simulation, run_one
from evo.sweep import SWEEP_MANIFEST, build_sweep, run_sweep
from tests.conftest import TINY, tiny_args

REPO = Path(__file__).resolve().parents[1]
SMALL = [*tiny_args(), "--set", "agents.population=20", "--set", "shifts.0.generation=1",
         "--set", "checkpoint.every=1", "--set", "record.flush_every=1"]


def status(run_dir: Path) -> dict:
    return json.loads((run_dir / "manifest.json").read_text())


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]


def tables(run_dir: Path) -> list:
    parts = sorted((run_dir / "entities").glob("part-*.parquet"))
    return [pq.read_table(p).to_pandas() for p in [run_dir / "generations.parquet", *parts]]


def test_world_construction_failure_marks_the_manifest_failed(tmp_path, capsys, monkeypatch):
    """A world that cannot be built (here: out of memory while drawing the landscape) fails the run."""
    import worlds.foraging.world as foraging_world

    def no_memory(*args, **kwargs):
        raise MemoryError("cannot allocate the landscape")

    monkeypatch.setattr(foraging_world, "make_landscape", no_memory)
    out = tmp_path / "run"
    rc = main(["run", "sugar", "--no-plot", "--out", str(out), "--generations", "3", *SMALL])
    line = one_error_line(capsys.readouterr().err)
    assert rc == 2 and "memory" in line
    manifest = status(out)
    assert manifest["status"] == "failed" and "MemoryError" in manifest["error"]


def test_preflight_refuses_the_same_world_before_any_directory_exists(tmp_path, capsys):
    out = tmp_path / "run"
    rc = main(["run", "sugar", "--no-plot", "--out", str(out), *SMALL, "--set", "world.width=4096",
               "--set", "world.height=4096", "--set", "agents.population=8000000"])  # needs > 8 GiB by population
    assert rc == 2 and "--max-memory" in one_error_line(capsys.readouterr().err)
    assert not out.exists()


def test_disk_full_fails_with_one_line_naming_the_file_and_resume_finishes_the_run(tmp_path, capsys, monkeypatch):
    straight = tmp_path / "straight"
    assert main(["run", "sugar", "--no-plot", "--out", str(straight), "--generations", "4", *SMALL]) == 0
    real = recorder.pq.write_table
    calls = {"n": 0}

    def full_disk(table, where, *a, **kw):
        calls["n"] += 1
        if calls["n"] > 2:  # the table write of generation 1 or 2
            raise OSError(errno.ENOSPC, "No space left on device", str(where))
        return real(table, where, *a, **kw)

    monkeypatch.setattr(recorder.pq, "write_table", full_disk)
    out = tmp_path / "run"
    capsys.readouterr()
    rc = main(["run", "sugar", "--no-plot", "--out", str(out), "--generations", "4", *SMALL])
    line = one_error_line(capsys.readouterr().err)
    assert rc == 2 and "No space left on device" in line and str(out) in line and ".parquet" in line
    manifest = status(out)
    assert manifest["status"] == "failed" and "No space left" in manifest["error"]
    assert not [p for p in out.rglob("*.tmp")]  # no temporary files left behind
    monkeypatch.setattr(recorder.pq, "write_table", real)
    assert main(["resume", str(out), "--no-plot"]) == 0
    assert status(out)["status"] == "completed"
    assert all(a.equals(b) for a, b in zip(tables(out), tables(straight)))


def test_read_only_directory_is_one_error_line(tmp_path, capsys, monkeypatch):
    def refuse(*a, **kw):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    rc = main(["run", "sugar", "--no-plot", "--out", str(tmp_path / "run"), *SMALL])
    line = one_error_line(capsys.readouterr().err)
    assert rc == 2 and "Read-only file system" in line and "manifest.json" in line


def test_never_started_directory_is_restarted_by_run_and_explained_by_resume(tmp_path, capsys):
    out = tmp_path / "run"
    (out / "entities").mkdir(parents=True)
    (out / ".manifest.json.tmp").write_text('{"half')
    (out / ".lock").touch()
    assert main(["resume", str(out), "--no-plot"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "never started" in line and "mesaevo run" in line
    assert main(["run", "sugar", "--no-plot", "--out", str(out), "--generations", "2", *SMALL]) == 0
    assert status(out)["status"] == "completed"
    assert not (out / ".manifest.json.tmp").exists()


def test_a_directory_with_other_files_is_not_taken_for_a_never_started_run(tmp_path, capsys):
    out = tmp_path / "run"
    (out / "entities").mkdir(parents=True)
    (out / "notes.txt").write_text("mine")
    assert main(["run", "sugar", "--no-plot", "--out", str(out), *SMALL]) == 2
    assert (out / "notes.txt").read_text() == "mine"


def test_second_run_into_a_locked_directory_is_one_error_line(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    lock = RunLock(out).acquire()
    try:
        assert main(["run", "sugar", "--no-plot", "--out", str(out), *SMALL]) == 2
    finally:
        lock.release()
    assert "in use by another mesaevo process" in one_error_line(capsys.readouterr().err)


def test_the_lock_is_released_when_its_process_dies(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    code = f"from evo.lock import RunLock; import os; RunLock({str(out)!r}).acquire(); os._exit(0)"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=60)
    RunLock(out).acquire().release()


def test_a_failed_sweep_run_says_failed_in_its_own_manifest(tmp_path):
    run_dir = tmp_path / "run"
    overrides = {**{k: v for k, v in TINY.items() if k != "run.generations"}, "shifts.0.generation": 1}
    sim = Simulation.from_scenario("sugar", overrides, seed=1, generations=3, out=run_dir)
    it = sim.iterate()
    next(it)
    it.close()
    for npz in (run_dir / "checkpoints").glob("*.npz"):
        npz.write_bytes(b"garbage")
    result = run_one("sugar", overrides, 1, 3, str(run_dir))
    assert result["status"] == "failed" and "no usable checkpoint" in result["error"]
    manifest = status(run_dir)
    assert manifest["status"] == "failed" and "no usable checkpoint" in manifest["error"]


class _Stuck:
    """An executor whose tasks never finish."""

    def submit(self, *args, **kwargs) -> Future:
        return Future()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_sweep_driver_marks_the_sweep_interrupted(tmp_path, signum):
    sweep = build_sweep({"name": "stuck", "base": "sugar", "seeds": [1], "generations": 2,
                         "set": {k: v for k, v in TINY.items() if k != "run.generations"} | {"shifts.0.generation": 1}})
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signum))
    timer.start()
    with pytest.raises((RunInterrupted, KeyboardInterrupt)):
        run_sweep(sweep, tmp_path / "sw", run_one, client=_Stuck())
    timer.join()
    manifest = json.loads((tmp_path / "sw" / SWEEP_MANIFEST).read_text())
    assert manifest["status"] == "interrupted"
    assert [e["status"] for e in manifest["runs"]] == ["interrupted"]


def test_a_sweep_stops_on_a_signal_that_another_thread_received(tmp_path):
    """With SIGINT blocked in the main thread (as some libraries do while they start processes), the kernel
    delivers it to another thread: Python's handler then waits for the main thread to run Python, so the
    driver must not wait on its runs without a timeout. A watchdog finishes the runs after 20 s (a driver
    that never wakes then sees the signal late and fails this test, instead of hanging it)."""
    sweep = build_sweep({"name": "stuck", "base": "sugar", "seeds": [1], "generations": 2,
                         "set": {k: v for k, v in TINY.items() if k != "run.generations"} | {"shifts.0.generation": 1}})
    futures: list[Future] = []

    class Recording(_Stuck):
        def submit(self, *args, **kwargs) -> Future:
            futures.append(super().submit(*args, **kwargs))
            return futures[-1]

    fired = threading.Event()

    def finish_runs() -> None:
        fired.set()
        for fut in futures:
            if not fut.done():
                fut.set_result({"status": "completed"})

    watchdog = threading.Timer(20.0, finish_runs)
    sender = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    sender.start()  # before the main thread blocks SIGINT: a thread keeps the mask it started with
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT])
    try:
        watchdog.start()
        with pytest.raises(RunInterrupted):
            run_sweep(sweep, tmp_path / "sw", run_one, client=Recording())
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
        watchdog.cancel()
        sender.join()
    assert not fired.is_set(), "the driver saw the signal only when its runs finished"
    assert json.loads((tmp_path / "sw" / SWEEP_MANIFEST).read_text())["status"] == "interrupted"


def test_ctrl_c_while_starting_exits_130_without_a_traceback(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "evo", "run", "sugar", "--no-plot", "--out", str(tmp_path / "r"),
                             *SMALL], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.4)  # inside the heavy imports (numba, pandas, matplotlib) or the first generation
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err


def test_ctrl_c_in_argument_parsing_is_130(monkeypatch):
    import evo.cli as cli

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert main(["scenarios"]) == 130


def test_the_generation_table_is_rewritten_only_when_it_gained_rows(tmp_path):
    """A checkpoint flushes right after the periodic flush: the table is not rewritten for nothing, but a row
    added later, and the rows a resume keeps, are written."""
    rec = recorder.Recorder(tmp_path / "run", {"scenario": "test"}, flush_every=100)
    table = tmp_path / "run" / recorder.GENERATIONS
    rec.append({"generation": 0, "x": 1.0}, None)
    rec.flush()
    first = os.stat(table).st_ino
    rec.flush()
    assert os.stat(table).st_ino == first  # same file: not replaced
    rec.append({"generation": 1, "x": 2.0}, None)
    rec.flush()
    assert os.stat(table).st_ino != first and pq.read_table(table).column("x").to_pylist() == [1.0, 2.0]
    rec.finish("interrupted")
    again = recorder.Recorder.reopen(tmp_path / "run", 1)
    assert pq.read_table(table).column("x").to_pylist() == [1.0]  # the row past the checkpoint is dropped
    again.finish("interrupted")


def test_a_generation_table_built_flush_by_flush_holds_every_row_and_column(tmp_path):
    """Each flush converts only its new rows, and the file holds every row: a column first seen in a later
    row is kept (null before it; pyarrow's ``from_pylist`` would drop it), an integer column that turns
    float is float, and a resume keeps the rows before its checkpoint with their columns."""
    rows = [{"generation": 0, "n": 1, "x": None, "s": "a"}, {"generation": 1, "n": 2, "x": None, "s": "b"},
            {"generation": 2, "n": 3.5, "x": 0.25, "s": "c"}, {"generation": 3, "n": 4, "x": 1.0, "s": "",
                                                              "late": True}]
    rec = recorder.Recorder(tmp_path / "run", {"scenario": "test"}, flush_every=1)
    for row in rows:
        rec.append(row, None)
    table = pq.read_table(tmp_path / "run" / recorder.GENERATIONS)
    assert table.to_pydict() == {"generation": [0, 1, 2, 3], "n": [1.0, 2.0, 3.5, 4.0], "x": [None, None, 0.25, 1.0],
                                 "s": ["a", "b", "c", ""], "late": [None, None, None, True]}
    assert table.column_names == ["generation", "n", "x", "s", "late"]
    assert str(table.schema.field("n").type) == "double" and str(table.schema.field("x").type) == "double"
    rec.finish("interrupted")
    again = recorder.Recorder.reopen(tmp_path / "run", 2)
    again.append({"generation": 2, "n": 5, "x": 3.0, "s": "d"}, None)
    resumed = pq.read_table(tmp_path / "run" / recorder.GENERATIONS)
    assert resumed.column("n").to_pylist() == [1.0, 2.0, 5.0] and resumed.column("late").null_count == 3
    again.finish("interrupted")


def test_a_graceful_stop_ended_in_another_thread_passes_the_next_signal_on():
    """A suspended run generator that the garbage collector finalises in another thread cannot put the
    signal handlers back; the handler it leaves then acts as the previous one (SIGINT: KeyboardInterrupt)
    and puts them back, instead of swallowing the signal (a sweep waiting on its runs would never stop)."""
    from evo.interrupt import stop_on_signals

    before = signal.getsignal(signal.SIGINT)
    block = stop_on_signals()
    block.__enter__()
    ender = threading.Thread(target=block.__exit__, args=(None, None, None))
    ender.start()
    ender.join()
    assert signal.getsignal(signal.SIGINT) is not before  # left installed
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before
