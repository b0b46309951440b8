"""The one atomic writer: files get the umask's permissions (a colleague in the group can read a shared
run), never the temporary file's 0600, and a failed write leaves nothing behind."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.files import write_atomic
from tests.conftest import TINY

REPO = Path(__file__).resolve().parents[1]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_written_files_take_their_mode_from_the_umask(tmp_path, umask, expected):
    code = (f"import os; os.umask({umask:#o})\nfrom pathlib import Path\nfrom analysis.files import write_atomic\n"
            f"write_atomic(Path({str(tmp_path / 'f.json')!r}), lambda tmp: tmp.write_text('{{}}'))")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=60)
    assert _mode(tmp_path / "f.json") == expected
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_a_failed_write_leaves_neither_file_nor_temporary(tmp_path):
    def fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_atomic(tmp_path / "x.json", fail)
    assert list(tmp_path.iterdir()) == []


def test_run_sweep_and_experiment_files_are_group_readable_under_the_umask(tmp_path):
    """manifest.json, generations.parquet, entity parts, checkpoints, sweep.json and experiment.json were
    written 0600."""
    from concurrent.futures import ThreadPoolExecutor

    from evo.experiment import run_experiment
    from evo.experiment_spec import build_experiment
    from evo.simulation import Simulation
    from evo.sweep import build_sweep, run_sweep

    expected = 0o666 & ~_umask()
    sim = Simulation.from_scenario("sugar", {**TINY, "record.entity_every": 1, "checkpoint.every": 1},
                                   out=tmp_path / "run")
    sim.run()

    def done(*args) -> dict:
        return {"status": "completed", "error": None}

    with ThreadPoolExecutor(1) as pool:
        run_sweep(build_sweep({"base": "sugar", "seeds": 1, "generations": 2}), tmp_path / "sw", done, client=pool)
        run_experiment(build_experiment({"claim": "x", "no_control_because": "a test of the writer", "seeds": 1,
                                         "generations": 8, "arms": {"a": {"base": "sugar"}},
                                         "measurement": {"metric": "fitness_mean", "arm": "a", "window": [4, 7]}}),
                       tmp_path / "exp", done, client=pool)
    written = [tmp_path / "run" / "manifest.json", tmp_path / "run" / "generations.parquet",
               *sorted((tmp_path / "run" / "entities").iterdir()), *sorted((tmp_path / "run" / "checkpoints").iterdir()),
               tmp_path / "sw" / "sweep.json", tmp_path / "exp" / "experiment.json"]
    assert len(written) > 6
    assert {p.name: oct(_mode(p)) for p in written} == {p.name: oct(expected) for p in written}
    assert json.loads((tmp_path / "sw" / "sweep.json").read_text())["status"] == "completed"
