"""Every fenced Python and shell block of the README runs, with small sizes.

Sizes are substituted through the documented ``MESAEVO_OVERRIDES`` environment variable
(``evo.simulation.OVERRIDES_ENV``: overrides applied last to every run), never by editing
the README's text. Blocks run in order in one temporary directory, as a reader would run
them; each Python block is saved as a file and run as ``python block_N.py`` (as a reader
saving it would: a block that starts worker processes needs its ``__main__`` guard). A TOML block whose first line is ``# NAME.toml`` is written to that file first.
Shell lines that cannot run here are skipped, each for the reason given in ``SKIP``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import TINY

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
SMALL = {**TINY, "run.generations": 3, "shifts.0.generation": 1, "checkpoint.every": 1}
#: Shell line prefixes not run here, and why.
SKIP = {
    "python3 -m venv": "installs the package (the test runs in the installed environment)",
    ".venv/bin/python -m pytest": "the test suite itself",
    ".venv/bin/python benchmarks/": "a benchmark: minutes of work, run by hand (benchmarks/suite.py --quick is the short form)",
    "mesaevo resume": "extends to 600 generations; resume is tested in tests/test_resume.py",
    "mesaevo sweep sugar-timing.toml --workers": "30 runs on a Dask cluster; tests/test_sweep.py runs sweeps",
    "mesaevo sweep sugar-timing.toml --scheduler": "needs a remote Dask scheduler",
    "mesaevo sweep sugar-timing.toml --out": "resumes the sweep above",
    "mesaevo experiment": "an experiment runs several arms x seeds; tests/test_experiment.py runs one end to end",
}


def blocks() -> list[tuple[str, str]]:
    return [(lang, body) for lang, body in BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))]


def shell_lines(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_readme_blocks_are_found():
    langs = [lang for lang, _ in blocks()]
    assert langs.count("python") >= 3 and langs.count("bash") >= 4 and "toml" in langs


def test_every_readme_block_runs(tmp_path):
    env = {**os.environ, "MESAEVO_OVERRIDES": ";".join(f"{k}={v}" for k, v in SMALL.items()),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(ROOT)}
    ran = 0
    for lang, body in blocks():
        if lang == "toml":
            first = body.splitlines()[0]
            if m := re.match(r"^#\s*([\w.-]+\.toml)", first):
                (tmp_path / m.group(1)).write_text(body, encoding="utf-8")
            continue
        if lang == "python":
            script = tmp_path / f"block_{ran}.py"
            script.write_text(body, encoding="utf-8")
            proc = subprocess.run([sys.executable, script.name], cwd=tmp_path, env=env, capture_output=True,
                                  text=True, timeout=600)
            assert proc.returncode == 0, f"{body}\n{proc.stderr[-3000:]}"
            ran += 1
            continue
        if lang != "bash":
            continue
        for line in shell_lines(body):
            if any(line.startswith(prefix) for prefix in SKIP):
                continue
            command = line.split("  #")[0].strip()
            proc = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True,
                                  text=True, timeout=600)
            assert proc.returncode == 0, f"{command}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
            ran += 1
    assert ran >= 15
