"""numba's kernel cache is unpickled, so it must be private: a directory someone else can write is refused
with one error line before any kernel loads, and the directories mesaevo makes are 0700."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**full, **env})


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return _run(f"import sys; from evo.cli import main; sys.exit(main({list(args)!r}))", **env)


def test_default_cache_directories_are_made_private(tmp_path):
    proc = _run("import agents.jit, numba; print(numba.config.CACHE_DIR)", XDG_CACHE_HOME=str(tmp_path / "c"))
    assert proc.returncode == 0, proc.stderr
    cache = Path(proc.stdout.strip().splitlines()[-1])
    made = [tmp_path / "c" / "mesaevo", tmp_path / "c" / "mesaevo" / "numba", cache]
    assert cache.parent.parent == made[0]
    for d in made:
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o700, d


@pytest.mark.parametrize("where", ["NUMBA_CACHE_DIR", "mesaevo", "numba"])
def test_a_cache_others_can_write_is_refused_with_one_line(tmp_path, where):
    if where == "NUMBA_CACHE_DIR":
        target, env = tmp_path / "shared", {"NUMBA_CACHE_DIR": str(tmp_path / "shared")}
    else:
        target = tmp_path / "c" / "mesaevo" / ("numba" if where == "numba" else "")
        env = {"XDG_CACHE_HOME": str(tmp_path / "c")}
    target.mkdir(parents=True)
    os.chmod(target, 0o777)
    proc = _cli("run", "sugar", "--generations", "1", "--out", str(tmp_path / "run"), **env)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("error:"), proc.stderr
    assert "writable by group or others" in lines[0] and "NUMBA_CACHE_DIR" in lines[0]
    assert not (tmp_path / "run").exists()
    assert not any(p.suffix in (".nbi", ".nbc") for p in target.rglob("*"))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to hand a directory over")
def test_a_cache_owned_by_another_user_is_refused(tmp_path):
    target = tmp_path / "theirs"
    target.mkdir(mode=0o700)
    os.chown(target, 65534, 65534)
    proc = _run("import agents.jit", NUMBA_CACHE_DIR=str(target))
    assert proc.returncode != 0 and "owned by another user" in proc.stderr
