"""A corpus of hostile run and sweep directories, thrown at ``resume`` and ``sweep --resume``.

For every case: no traceback, exit status 0 or 2 with at most one ``error:`` line,
no wrong result (a run that says 'completed' has exactly the tables of a straight
run), and nothing written, changed or deleted in a canary directory beside the
run directory (its files, sizes, mtimes and contents are snapshotted before and after).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evo.cli import main
from evo.lock import RunLock
from evo.simulation import Simulation
from evo.simulation import run_one
from evo.sweep import SWEEP_MANIFEST, build_sweep, run_sweep
from tests.conftest import TINY

GENS = 3
OVERRIDES = {**{k: v for k, v in TINY.items() if k != "run.generations"}, "agents.population": 20,
             "checkpoint.every": 1, "record.flush_every": 1, "run.generations": GENS,
             "shifts.0.generation": 1}


# --------------------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """A straight run of GENS generations."""
    out = tmp_path_factory.mktemp("ref") / "run"
    Simulation.from_scenario("sugar", OVERRIDES, out=out).run()
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The same run stopped after 2 of GENS generations (checkpoints 0, 1, 2): resumable."""
    out = tmp_path_factory.mktemp("tpl") / "run"
    sim = Simulation.from_scenario("sugar", OVERRIDES, out=out)
    it = sim.iterate()
    next(it), next(it)
    it.close()
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    return out


def snapshot(folder: Path) -> dict:
    out = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            p = Path(root) / name
            st = os.lstat(p)
            content = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() and not p.is_symlink() else None
            out[str(p.relative_to(folder))] = (st.st_mode, st.st_size, st.st_mtime_ns, content)
    return out


def make_canary(base: Path, manifest: Path) -> Path:
    canary = base / "canary"
    (canary / "sub").mkdir(parents=True)
    (canary / "precious.txt").write_text("do not touch")
    (canary / "sub" / "data.json").write_text('{"a": 1}')
    shutil.copy(manifest, canary / "manifest.json")
    (canary / "part-000009.parquet").write_bytes(b"PAR1 not really")
    (canary / "ckpt-000009.json").write_text("{}")
    return canary


def tables(run_dir: Path) -> list:
    parts = sorted((run_dir / "entities").glob("part-*.parquet"))
    return [pq.read_table(run_dir / "generations.parquet")] + [pq.read_table(p) for p in parts]


def check_outcome(rc: int, err: str, run_dir: Path, reference: Path) -> None:
    assert "Traceback" not in err, err
    assert rc in (0, 2), (rc, err)
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == (1 if rc == 2 else 0), err
    manifest = run_dir / "manifest.json"
    if manifest.is_file() and not manifest.is_symlink():
        try:
            data = json.loads(manifest.read_text())
        except (ValueError, RecursionError):
            data = None
        status = data.get("status") if isinstance(data, dict) else None
        if status == "completed":  # never a wrong result
            ours, ref = tables(run_dir), tables(reference)
            assert len(ours) == len(ref)
            assert all(a.to_pandas().equals(b.to_pandas()) for a, b in zip(ours, ref))
        if rc == 0:
            assert status == "completed"


# --------------------------------------------------------------------------- run-directory damage


def _ckpt(run: Path, gen: int) -> tuple[Path, Path]:
    return run / "checkpoints" / f"ckpt-{gen:06d}.json", run / "checkpoints" / f"ckpt-{gen:06d}.npz"


def rewrite_npz(run: Path, gen: int, change: Callable[[dict], None], json_change: Callable[[dict], None] | None = None,
                **save_kw) -> None:
    """Rewrite a checkpoint's arrays (and fix its checksum, so only the deeper checks can catch it)."""
    meta_path, npz = _ckpt(run, gen)
    with np.load(npz) as data:
        arrays = {k: data[k] for k in data.files}
    change(arrays)
    with open(npz, "wb") as fh:
        np.savez(fh, **arrays, **save_kw)
    meta = json.loads(meta_path.read_text())
    meta["npz_sha256"] = hashlib.sha256(npz.read_bytes()).hexdigest()
    if json_change:
        json_change(meta)
    meta_path.write_text(json.dumps(meta))


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def garble(path: Path) -> None:
    path.write_bytes(b"PAR1" + os.urandom(200) + b"PAR1")


def fifo(path: Path) -> None:
    if path.exists():
        path.unlink()
    os.mkfifo(path)


def deep_json(path: Path, depth: int = 200_000) -> None:
    path.write_text("[" * depth + "]" * depth)


def symlink_dir(run: Path, name: str, canary: Path) -> None:
    shutil.rmtree(run / name)
    (run / name).symlink_to(canary, target_is_directory=True)


def relink(path: Path, target: Path) -> None:
    path.unlink()
    path.symlink_to(target)


def lie_generation(run: Path) -> None:
    """The newest checkpoint renamed to generation 1 (JSON and name agree; the arrays say 2)."""
    for suffix in (".json", ".npz"):
        _ckpt(run, 1)[0].with_suffix(suffix).unlink()
        _ckpt(run, 2)[0].with_suffix(suffix).rename(_ckpt(run, 1)[0].with_suffix(suffix))
    meta_path = _ckpt(run, 1)[0]
    meta = json.loads(meta_path.read_text())
    meta["generation"] = 1
    meta["logbook"] = meta["logbook"][:1]
    meta_path.write_text(json.dumps(meta))


def _int_genomes(a: dict) -> None:
    a["genomes"] = a["genomes"].astype(np.int64)


def _nan_genome(a: dict) -> None:
    a["genomes"][0, 0] = np.nan


def _out_of_bounds(a: dict) -> None:
    a["genomes"][0, 0] = 1e9


def _pickled(a: dict) -> None:
    a["genomes"] = np.array([{"evil": 1}] * 3, dtype=object)


def _hof_shape(a: dict) -> None:
    a["hof_genomes"] = a["hof_genomes"][:, :3]


def _inf_fitness(a: dict) -> None:
    a["fitness"][0] = np.inf


def _short_logbook(m: dict) -> None:
    m["logbook"] = m["logbook"][:1]


def _every_checkpoint(change: Callable[[dict], None]) -> Callable[[Path, Path], None]:
    def apply(run: Path, canary: Path) -> None:
        for g in range(3):
            rewrite_npz(run, g, change)
    return apply


def _never_started(run: Path, canary: Path) -> None:
    for entry in list(run.iterdir()):
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    (run / ".manifest.json.tmp").write_text('{"half": ')
    (run / "entities").mkdir()


def _edit_generations(run: Path, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    path = run / "generations.parquet"
    pq.write_table(pa.Table.from_pandas(change(pq.read_table(path).to_pandas()), preserve_index=False), path)


def _nan_fitness_before_checkpoint(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[frame["generation"] == 0, "fitness_mean"] = np.nan
    return frame


RUN_CASES: dict[str, Callable[[Path, Path], None]] = {
    "NaN fitness_mean before the checkpoint": lambda r, c: _edit_generations(r, _nan_fitness_before_checkpoint),
    "a row before the checkpoint dropped and renumbered": lambda r, c: _edit_generations(
        r, lambda f: f[f["generation"] != 1].assign(generation=lambda x: range(len(x)))),
    "entity part of another schema": lambda r, c: pq.write_table(pa.table({"x": [1, 2]}),
                                                                 r / "entities" / "part-000000.parquet"),
    "entity part added before the checkpoint": lambda r, c: shutil.copy(r / "entities" / "part-000000.parquet",
                                                                        r / "entities" / "part-0000000.parquet"),
    "generations truncated": lambda r, c: truncate(r / "generations.parquet"),
    "generations garbled": lambda r, c: garble(r / "generations.parquet"),
    "generations missing": lambda r, c: (r / "generations.parquet").unlink(),
    "entity part truncated": lambda r, c: truncate(r / "entities" / "part-000000.parquet"),
    "entity part garbled": lambda r, c: garble(r / "entities" / "part-000001.parquet"),
    "newest npz truncated": lambda r, c: truncate(_ckpt(r, 2)[1]),
    "newest json garbled": lambda r, c: _ckpt(r, 2)[0].write_text("{not json"),
    "json generation lies (name)": lambda r, c: _ckpt(r, 2)[0].write_text(
        _ckpt(r, 2)[0].read_text().replace('"generation": 2', '"generation": 1')),
    "json generation lies (arrays)": lambda r, c: lie_generation(r),
    "json generation is a string": lambda r, c: _ckpt(r, 2)[0].write_text(
        _ckpt(r, 2)[0].read_text().replace('"generation": 2', '"generation": "2"')),
    "integer genomes (newest)": lambda r, c: rewrite_npz(r, 2, _int_genomes),
    "integer genomes (all)": _every_checkpoint(_int_genomes),
    "nan genome": lambda r, c: rewrite_npz(r, 2, _nan_genome),
    "genome out of bounds": lambda r, c: rewrite_npz(r, 2, _out_of_bounds),
    "infinite fitness": lambda r, c: rewrite_npz(r, 2, _inf_fitness),
    "hall of fame wrong shape": lambda r, c: rewrite_npz(r, 2, _hof_shape),
    "logbook too short": lambda r, c: rewrite_npz(r, 2, lambda a: None, _short_logbook),
    "pickle-bearing npz": lambda r, c: rewrite_npz(r, 2, _pickled),
    "pickle-bearing npz (all)": _every_checkpoint(_pickled),
    "npz missing": lambda r, c: _ckpt(r, 2)[1].unlink(),
    "checkpoints symlinked to canary": lambda r, c: symlink_dir(r, "checkpoints", c),
    "entities symlinked to canary": lambda r, c: symlink_dir(r, "entities", c),
    "fifo entity part (kept)": lambda r, c: fifo(r / "entities" / "part-000000.parquet"),
    "fifo entity part (dropped)": lambda r, c: fifo(r / "entities" / "part-000007.parquet"),
    "fifo generations": lambda r, c: fifo(r / "generations.parquet"),
    "fifo manifest": lambda r, c: fifo(r / "manifest.json"),
    "fifo checkpoint json": lambda r, c: fifo(_ckpt(r, 2)[0]),
    "fifo checkpoint npz": lambda r, c: fifo(_ckpt(r, 2)[1]),
    "deeply nested manifest": lambda r, c: deep_json(r / "manifest.json"),
    "deeply nested checkpoint": lambda r, c: deep_json(_ckpt(r, 2)[0]),
    "manifest is a list": lambda r, c: (r / "manifest.json").write_text("[1, 2]"),
    "manifest config is a list": lambda r, c: (r / "manifest.json").write_text('{"config": [1]}'),
    "manifest config wrong types": lambda r, c: (r / "manifest.json").write_text(
        '{"config": {"run": "x", "world": 5}}'),
    "manifest symlinked to canary": lambda r, c: relink(r / "manifest.json", c / "manifest.json"),
    "generations symlinked to canary": lambda r, c: relink(r / "generations.parquet", c / "part-000009.parquet"),
    "dropped part symlinked to canary": lambda r, c: (r / "entities" / "part-000005.parquet").symlink_to(
        c / "precious.txt"),
    "checkpoint json symlinked to canary": lambda r, c: relink(_ckpt(r, 2)[0], c / "ckpt-000009.json"),
    "lock symlinked to canary": lambda r, c: relink(r / ".lock", c / "precious.txt"),
    "temp names symlinked to canary": lambda r, c: [
        (r / n).symlink_to(c / "precious.txt") for n in (".manifest.json.tmp", ".generations.parquet.tmp")],
    "huge npz planted": lambda r, c: _ckpt(r, 2)[1].write_bytes(b"\0" * (64 << 20)),
    "never started": _never_started,
    "run directory is a file": lambda r, c: (shutil.rmtree(r), r.write_text("x")),
}


@pytest.mark.parametrize("case", list(RUN_CASES))
def test_hostile_run_directory_on_resume(case, template, reference, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(template, run, symlinks=True)
    canary = make_canary(tmp_path, template / "manifest.json")
    RUN_CASES[case](run, canary)
    before = snapshot(canary)
    rc = main(["resume", str(run), "--no-plot"])
    err = capsys.readouterr().err
    check_outcome(rc, err, run, reference)
    assert snapshot(canary) == before
    if case.startswith(("NaN fitness_mean", "a row before", "entity part of another", "entity part added",
                        "checkpoints symlinked", "entities symlinked", "never started", "fifo generations",
                        "fifo manifest", "deeply nested manifest", "integer genomes (all)", "pickle-bearing npz (all)")):
        assert rc == 2, err


def test_a_second_writer_is_refused_with_one_line(template, reference, tmp_path, capsys):
    run = tmp_path / "run"
    shutil.copytree(template, run, symlinks=True)
    lock = RunLock(run).acquire()
    try:
        rc = main(["resume", str(run), "--no-plot"])
    finally:
        lock.release()
    err = capsys.readouterr().err
    assert rc == 2 and "in use by another mesaevo process" in err
    check_outcome(rc, err, run, reference)
    assert json.loads((run / "manifest.json").read_text())["status"] == "interrupted"  # the other writer's run
    assert main(["resume", str(run), "--no-plot"]) == 0


# --------------------------------------------------------------------------- sweep-directory damage

SWEEP = {"name": "hostile", "base": "sugar", "seeds": [1, 2], "generations": 2,
         "set": {k: v for k, v in OVERRIDES.items() if k != "run.generations"}}


@pytest.fixture(scope="module")
def sweep_template(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("sweep")
    (base / "sweep.toml").write_text(_toml(SWEEP))
    with ThreadPoolExecutor(1) as pool:
        manifest = run_sweep(build_sweep(SWEEP), base / "out", run_one, client=pool)
    assert manifest["status"] == "completed"
    return base


def _toml(data: dict) -> str:
    lines = [f'name = "{data["name"]}"', f'base = "{data["base"]}"', f"seeds = {data['seeds']}",
             f"generations = {data['generations']}", "[set]"]
    lines += [f'"{k}" = {json.dumps(v)}' for k, v in data["set"].items()]
    return "\n".join(lines) + "\n"


def _edit_sweep(change: Callable[[dict, Path], None]) -> Callable[[Path, Path], None]:
    def apply(out: Path, canary: Path) -> None:
        data = json.loads((out / SWEEP_MANIFEST).read_text())
        change(data, canary)
        (out / SWEEP_MANIFEST).write_text(json.dumps(data))
    return apply


def _run_dirs(value: Callable[[dict, Path], str]) -> Callable[[Path, Path], None]:
    def change(data: dict, canary: Path) -> None:
        for entry in data["runs"]:
            entry["dir"] = value(entry, canary)
            entry["status"] = "pending"
    return _edit_sweep(change)


SWEEP_CASES: dict[str, Callable[[Path, Path], None]] = {
    "run dirs with ..": _run_dirs(lambda e, c: f"../{c.name}"),
    "run dirs deeper ..": _run_dirs(lambda e, c: f"runs/../../{c.name}"),
    "run dirs absolute": _run_dirs(lambda e, c: str(c)),
    "run dirs not strings": _run_dirs(lambda e, c: 5),
    "run id with ..": _edit_sweep(lambda d, c: d["runs"][0].update(id="../x", status="pending")),
    "runs symlinked to canary": lambda o, c: (shutil.rmtree(o / "runs"), (o / "runs").symlink_to(c)),
    "one run symlinked to canary": lambda o, c: (
        shutil.rmtree(o / "runs" / "s000-seed1"), (o / "runs" / "s000-seed1").symlink_to(c),
        _edit_sweep(lambda d, _: d["runs"][0].update(status="pending"))(o, c)),
    "sweep.json fifo": lambda o, c: fifo(o / SWEEP_MANIFEST),
    "sweep.json deep": lambda o, c: deep_json(o / SWEEP_MANIFEST),
    "sweep.json a list": lambda o, c: (o / SWEEP_MANIFEST).write_text("[]"),
    "sweep.json runs not a list": _edit_sweep(lambda d, c: d.update(runs={"a": 1})),
    "sweep.json garbled": lambda o, c: (o / SWEEP_MANIFEST).write_text("{{{"),
}


@pytest.mark.parametrize("case", list(SWEEP_CASES))
def test_hostile_sweep_directory_on_sweep_resume(case, sweep_template, tmp_path, capsys):
    shutil.copytree(sweep_template, tmp_path / "s", symlinks=True)
    out = tmp_path / "s" / "out"
    canary = make_canary(tmp_path, sweep_template / "out" / "runs" / "s000-seed1" / "manifest.json")
    SWEEP_CASES[case](out, canary)
    before = snapshot(canary)
    rc = main(["sweep", str(tmp_path / "s" / "sweep.toml"), "--out", str(out), "--resume"])
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    assert rc in (0, 2), err
    assert len([line for line in err.splitlines() if line.startswith("error:")]) == (1 if rc == 2 else 0), err
    assert snapshot(canary) == before
    assert rc == 2, err


def test_sweep_name_must_be_a_plain_directory_name():
    from agents.errors import MesaevoError

    for name in ("../x", "/abs/path", "a/b", "..", ".hidden"):
        with pytest.raises(MesaevoError, match="plain directory name"):
            build_sweep({**SWEEP, "name": name})


def test_checkpoints_of_the_previous_version_still_resume(template, reference, tmp_path, capsys):
    """Written before the arrays carried their generation and while the JSON held random's state."""
    run = tmp_path / "run"
    shutil.copytree(template, run, symlinks=True)
    for g in range(3):
        rewrite_npz(run, g, lambda a: a.pop("generation"),
                    lambda m: m.update(random_state=[3, list(range(625)), None]))
    assert main(["resume", str(run), "--no-plot"]) == 0
    check_outcome(0, capsys.readouterr().err, run, reference)
