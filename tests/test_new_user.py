"""What a new user meets first: readable sweep settings, named genes and shifts, messages that
point at the real problem and path, and report intervals that agree with their estimates."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis import load_sweep

ROOT = Path(__file__).resolve().parents[1]


def test_sweep_tables_setting_is_a_readable_label(tmp_path):
    entries = [{"id": f"r{i}", "setting": i // 2, "overrides": {"deployment.mode": mode, "shifts.0.generation": g},
                "seed": i % 2, "dir": f"runs/r{i}", "status": "pending", "error": None}
               for i, (mode, g) in enumerate([("online", 50), ("online", 50), ("frozen", 20), ("frozen", 20)])]
    (tmp_path / "sweep.json").write_text(json.dumps({"format": 1, "name": "x", "base": "sugar", "set": {},
                                                     "runs": entries}))
    runs = load_sweep(tmp_path).runs
    assert list(runs["setting"]) == ["deployment.mode=online, shifts.0.generation=50"] * 2 + \
        ["deployment.mode=frozen, shifts.0.generation=20"] * 2


def test_readme_names_every_builtin_scenario():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = readme[readme.index("Built-in scenarios"):]
    paragraph = paragraph[:paragraph.index("\n\n")]
    for path in sorted((ROOT / "evo" / "builtin").glob("*.toml")):
        assert f"`{path.stem}`" in paragraph, path.stem


def test_tables_doc_names_every_run_status_and_manifest_key():
    from evo.recorder import STATUSES

    doc = (ROOT / "docs" / "tables.md").read_text(encoding="utf-8")
    manifest = doc[doc.index("`manifest.json`"):doc.index("`generations.parquet`: one row")]
    for status in STATUSES:
        assert f'"{status}"' in manifest and f"`{status}`" in manifest, status
    for key in ("notes", "config_diff", "last_checkpoint", "forked_from"):
        assert f'"{key}"' in manifest or f"`{key}`" in manifest, key


def test_hall_of_fame_columns_are_the_genomes_gene_names(tmp_path):
    import numpy as np

    from worlds.foraging.genome import genome_layout
    from analysis.load import RunTables

    layout = genome_layout()
    names = layout.gene_names()
    assert len(names) == layout.size == len(set(names))
    assert names[layout.scalar_genes()["w_taste"]] == "w_taste"
    assert set(layout.scalar_genes()) <= set(names)
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    np.savez(folder / "ckpt-000003.npz", hof_genomes=np.zeros((2, layout.size)), hof_fitness=np.array([3.0, 1.0]))
    (folder / "ckpt-000003.json").write_text(json.dumps({"generation": 3, "gene_names": names}))
    run = RunTables(tmp_path, {}, pd.DataFrame(), pd.DataFrame())
    hof = run.hall_of_fame()
    assert list(hof.columns) == ["fitness", *names] and "w_taste" in hof.columns


def test_a_shift_appended_with_plus_equals_gets_a_name(capsys):
    from evo.cli import main

    assert main(["config", "sugar", "--set", 'shifts+={kind = "scarcity", generation = 150}']) in (0, None)
    text = capsys.readouterr().out
    assert 'name = "scarcity@150"' in text and 'name = ""' not in text


def test_kernel_cache_check_is_per_install_location(tmp_path, monkeypatch):
    """numba keys its cache on the source folder's path: kernels compiled for another copy of the package
    (a site-packages install beside an editable one) are not this copy's, and the compile note must show."""
    import inspect

    import numba
    from numba.core.caching import UserProvidedCacheLocator

    import agents.jit  # noqa: F401  (sets numba's cache directory on first import)
    from evo.cli import _kernels_cached
    from worlds import world_class

    source = inspect.getfile(world_class("foraging"))  # imported (kernels with signatures compiled) before the patch

    monkeypatch.setattr(numba.config, "DISABLE_JIT", False)
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    other = tmp_path / "foraging_0123456789abcdef0123456789abcdef01234567"  # another install's folder
    other.mkdir()
    (other / "kernel.live-1.py311.nbi").write_bytes(b"")
    assert not _kernels_cached("foraging")
    mine = tmp_path / UserProvidedCacheLocator.get_suitable_cache_subpath(source)
    mine.mkdir()
    (mine / "kernel.live-1.py311.nbi").write_bytes(b"")
    assert _kernels_cached("foraging")


def test_time_per_generation_leaves_the_compile_out():
    from evo.cli import timing_lines

    lines = timing_lines(0, 10, 110.0, {"world": 8.0, "ga": 1.0, "metrics": 0.5, "recording": 0.5, "compile": 100.0})
    assert lines[0].startswith("generations:   0..9 in 10.0 s (1.000 s per generation")
    assert "compile" in lines[1] and "100.0 s" in lines[1]
    assert "world 80.0%" in lines[2]
    warm = timing_lines(0, 10, 10.0, {"world": 8.0, "ga": 1.0, "metrics": 0.5, "recording": 0.5, "compile": 0.0})
    assert warm[0].endswith("(1.000 s per generation)") and not any("compile" in line for line in warm)


def test_compile_clock_counts_a_compile_and_not_a_cached_call():
    import numba

    from agents.jit import compile_clock

    @numba.njit(cache=False)
    def twice(x):
        return 2 * x

    if numba.config.DISABLE_JIT:
        return
    with compile_clock() as first:
        twice(3)
    with compile_clock() as second:
        twice(4)
    assert first.seconds > 0 and second.seconds == 0


def test_an_address_that_is_not_a_dask_scheduler_says_so(tmp_path):
    """Something that answers in another protocol (here an HTTP server) is not "out of memory"."""
    import socket
    import threading

    import pytest

    from agents.errors import MesaevoError
    from evo.executor import connect

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    held = []

    def answer() -> None:
        while True:  # every connection the client tries
            try:
                conn, _ = server.accept()
            except OSError:  # closed by the test
                return
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 4)
            held.append(conn)  # kept open: the client reads a frame length from these bytes

    threading.Thread(target=answer, daemon=True).start()
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    try:
        with pytest.raises(MesaevoError) as info:
            connect(address, timeout=5)
    finally:
        for conn in held:
            conn.close()
        server.close()
    message = str(info.value)
    assert message.startswith(f"cannot connect to scheduler at {address}") and "not a Dask scheduler" in message
    assert "allocate" not in message and "EiB" not in message


def test_ctrl_c_message_names_the_sweep_and_the_resume_hint_its_real_paths(tmp_path, monkeypatch, capsys):
    import signal

    import pytest

    from evo import cli
    from evo.interrupt import RunInterrupted

    def stopped_sweep(args):
        raise KeyboardInterrupt

    stopped_sweep.__name__ = "cmd_sweep"
    monkeypatch.setattr(cli, "cmd_sweep", stopped_sweep)
    assert cli.main(["sweep", "grid.toml"]) == 130
    err = capsys.readouterr().err
    assert "sweep directory" in err and "run directory" not in err
    with pytest.raises(RunInterrupted) as info:
        with cli.resume_hint("sweep", tmp_path / "my sweeps" / "sweep.json",
                             ["mesaevo", "sweep", "grid.toml", "--out", str(tmp_path / "my sweeps"), "--resume"]):
            raise RunInterrupted("sweep stopped by SIGTERM", signal.SIGTERM)
    assert info.value.signum == signal.SIGTERM
    message = str(info.value)
    assert message.startswith("sweep stopped by SIGTERM") and "FILE" not in message and " DIR" not in message
    assert f"mesaevo sweep grid.toml --out '{tmp_path / 'my sweeps'}' --resume" in message


def test_report_shows_progress_on_stderr_and_honours_quiet(tmp_path, monkeypatch, capsys):
    from evo import cli

    run = tmp_path / "run"
    run.mkdir()
    (run / "manifest.json").write_text(json.dumps({"format": 1, "status": "completed", "scenario": "sugar",
                                                   "seed": 3, "generations_done": 4, "shift_events": []}))
    pd.DataFrame({"generation": range(4), "L1_spearman": [0.1, 0.2, 0.3, 0.4], "L1_n": 40, "n_agents": 40,
                  "fitness_mean": [1.0, 2.0, 3.0, 4.0]}).to_parquet(run / "generations.parquet")
    monkeypatch.setattr(cli, "REPORT_QUIET_S", 0.0)  # a long report: progress from the start
    assert cli.main(["report", str(run), "--static", "--n-boot", "20"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(run / "report.html")
    steps = [line for line in err.splitlines() if line.startswith("report: ")]
    assert len(steps) >= 4 and steps[-1].startswith("report: written")
    assert cli.main(["report", str(run), "--static", "--n-boot", "20", "-q"]) == 0
    assert "report: " not in capsys.readouterr().err


TINY_EXPERIMENT = '''
claim = "A tiny check of the experiment command's output."
no_control_because = "a test of the command's output, not a claim"
seeds = 2
generations = 6

[arms.online]
base = "sugar"
set = { "agents.population" = 30, "world.width" = 12, "world.height" = 12, "world.steps" = 40, "agents.max_depth" = 1, "record.entity_every" = 0, "shifts.0.generation" = 3 }

[measurement]
metric = "corr_taste"
arm = "online"
window = [3, 5]

[verdict]
supported_if = "above"
threshold = 0.0
confidence = 0.9

[reduced]
generations = 6
'''


def test_experiment_command_is_quiet_about_dask_and_honours_q(tmp_path):
    """``mesaevo experiment`` on a local cluster: no Dask INFO lines without ``-v``; a plain line per run when
    stderr is a pipe; nothing on stderr with ``-q``; its report says "reduced size" before anything else."""
    import subprocess
    import sys

    spec = tmp_path / "tiny.toml"
    spec.write_text(TINY_EXPERIMENT, encoding="utf-8")
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT)}
    base = [sys.executable, "-m", "evo", "experiment", str(spec), "--workers", "1", "--seeds", "1"]
    loud = subprocess.run([*base, "--out", str(tmp_path / "a")], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=600)
    assert loud.returncode == 0, loud.stderr[-3000:]
    assert "INFO" not in loud.stderr and "distributed." not in loud.stderr, loud.stderr[-3000:]
    assert "run 1/1 online-seed0 completed" in loud.stderr and "verdict:" in loud.stdout
    quiet = subprocess.run([*base, "--out", str(tmp_path / "b"), "-q"], capture_output=True, text=True, env=env,
                           cwd=tmp_path, timeout=600)
    assert quiet.returncode == 0 and quiet.stderr.strip() == "", quiet.stderr[-3000:]
    report = subprocess.run([sys.executable, "-m", "evo", "report", str(tmp_path / "b"), "--static"],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert report.returncode == 0, report.stderr[-3000:]
    page = (tmp_path / "b" / "report.html").read_text(encoding="utf-8")
    assert page.index('id="reduced-size"') < page.index('id="summary"') < page.index("<figure")


def test_every_screenshot_is_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shots = sorted((ROOT / "docs" / "screenshots").glob("*.png"))
    assert {p.name for p in shots} >= {"report-single.png", "report-sweep.png", "report-experiment.png"}
    for path in shots:
        assert f"{path.name})" in readme, path.name
