"""The experiment directory's ``experiment.json``: written by ``evo.experiment``, checked when it is read back.

``experiment.json`` lists every run (arm, seed, directory, status, error) and, for a
completed run, the SHA-256 of its ``generations.parquet`` (``generations_sha256``).
The file is the user's to look at and may have been edited, so on reopening (to resume
or conclude) every entry is checked: one entry per arm and seed of the experiment, each
with its id, directory ``runs/<arm>-seed<S>`` and a known status, or one clear error. A
completed run whose directory is gone is run again; one whose table no longer has the
recorded digest is refused (a verdict is never drawn from edited tables).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from agents.errors import MesaevoError
from analysis.run_files import GENERATIONS, MANIFEST
from evo.experiment_spec import Experiment
from evo.paths import confined, read_json, regular_file
from evo.recorder import now
from evo.table_digest import file_sha256

EXPERIMENT_MANIFEST = "experiment.json"
RUNS_DIR = "runs"
FORMAT = 1
STATUSES = ("pending", "running", "completed", "failed", "interrupted")
DIGEST = "generations_sha256"
#: A generation table is megabytes; a digest reads it in chunks of this size.


def run_id(arm: str, seed: int) -> str:
    return f"{arm}-seed{seed}"


def identity(exp: Experiment) -> dict[str, Any]:
    """What makes two experiments the same: name, size, seeds, generations and every arm."""
    return json.loads(json.dumps({
        "name": exp.name, "size": exp.size, "seeds": list(exp.seeds), "generations": exp.generations,
        "arms": [{"name": a.name, "base": a.base, "overrides": a.overrides, "fork": a.fork, "fork_at": a.fork_at}
                 for a in exp.arms]}))


def table_digest(run_dir: Path) -> str:
    """SHA-256 of ``run_dir/generations.parquet`` (MesaevoError if it is not a regular file)."""
    return file_sha256(regular_file(run_dir / GENERATIONS, "generation table"))


def record_digest(out: Path, entry: dict[str, Any]) -> None:
    """Store the digest of a run that just completed in its entry (a run that reports completed without a
    readable table is marked failed)."""
    if entry.get("status") != "completed":
        entry.pop(DIGEST, None)
        return
    try:
        entry[DIGEST] = table_digest(out / entry["dir"])
    except MesaevoError as exc:
        entry.update(status="failed", error=str(exc))
        entry.pop(DIGEST, None)


def completed_run_dir(out: Path, entry: dict[str, Any]) -> Path:
    """The directory of a completed run, checked: inside ``out`` and its table as recorded at completion."""
    run_dir = confined(out, entry["dir"], f"run {entry['id']} directory")
    if not os.path.lexists(run_dir / MANIFEST):
        raise MesaevoError(f"completed run {entry['id']} is missing from {run_dir}; run the experiment again "
                           "to re-run it")
    recorded = entry.get(DIGEST)
    if recorded is not None and table_digest(run_dir) != recorded:
        raise MesaevoError(f"the generation table of run {entry['id']} ({run_dir / GENERATIONS}) changed after the "
                           f"run completed; restore it, or delete {run_dir} and run the experiment again to re-run it")
    return run_dir


def check_runs(exp: Experiment, out: Path, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``runs`` list of a reopened ``experiment.json``: one well-formed entry per arm and seed of
    ``exp`` (MesaevoError naming the first problem otherwise)."""
    where = f"{out / EXPERIMENT_MANIFEST}"
    runs = manifest.get("runs")
    if not isinstance(runs, list):
        raise MesaevoError(f"{where}: 'runs' is not a list of runs; restore the file or choose another --out")
    expected = {run_id(a.name, s): (a.name, s) for a in exp.arms for s in exp.seeds}
    seen: set[str] = set()
    for k, entry in enumerate(runs):
        if not isinstance(entry, dict):
            raise MesaevoError(f"{where}: runs[{k}] is not an object")
        rid = entry.get("id")
        if not isinstance(rid, str) or rid not in expected:
            raise MesaevoError(f"{where}: runs[{k}] has id {str(rid)[:80]!r}, not a run of this experiment")
        if rid in seen:
            raise MesaevoError(f"{where}: run {rid} is listed twice")
        seen.add(rid)
        arm, seed = expected[rid]
        if entry.get("arm") != arm or entry.get("seed") != seed or isinstance(entry.get("seed"), bool):
            raise MesaevoError(f"{where}: run {rid} does not name arm {arm!r} and seed {seed}")
        if entry.get("dir") != f"{RUNS_DIR}/{rid}":
            raise MesaevoError(f"{where}: run {rid} has directory {str(entry.get('dir'))[:80]!r}; "
                               f"its directory is {RUNS_DIR}/{rid}")
        if entry.get("status") not in STATUSES:
            raise MesaevoError(f"{where}: run {rid} has status {str(entry.get('status'))[:40]!r}; expected one "
                               f"of {', '.join(STATUSES)}")
        if DIGEST in entry and not (isinstance(entry[DIGEST], str) and len(entry[DIGEST]) == 64):
            raise MesaevoError(f"{where}: run {rid} has a malformed {DIGEST}")
        if not (entry.get("error") is None or isinstance(entry.get("error"), str)):
            entry["error"] = str(entry["error"])[:500]
    missing = sorted(set(expected) - seen)
    if missing:
        raise MesaevoError(f"{where}: run{'s' if len(missing) > 1 else ''} {', '.join(missing[:5])}"
                           f"{' ...' if len(missing) > 5 else ''} missing from 'runs'; restore the file or "
                           "choose another --out")
    return runs


def read_experiment_manifest(exp: Experiment, out: Path) -> dict[str, Any]:
    """``out/experiment.json``, checked to hold ``exp`` and well-formed runs."""
    manifest = read_json(out / EXPERIMENT_MANIFEST, "experiment manifest")
    if manifest.get("experiment") != identity(exp):
        raise MesaevoError(f"{out} holds a different experiment (or size or seeds); choose another --out")
    check_runs(exp, out, manifest)
    return manifest


def open_experiment_dir(exp: Experiment, out: Path) -> dict[str, Any]:
    """The manifest of the experiment directory ``out``: a new one, or the existing one when ``out`` holds
    this same experiment (to resume), with completed runs whose directory is gone set back to pending
    (their table digests are checked when the verdict reads them). Nothing is written here."""
    path = out / EXPERIMENT_MANIFEST
    if os.path.lexists(path):
        existing = read_experiment_manifest(exp, out)
        for entry in existing["runs"]:
            if entry["status"] == "completed":
                run_dir = confined(out, entry["dir"], f"run {entry['id']} directory")
                if not os.path.lexists(run_dir / MANIFEST):
                    entry.update(status="pending", error=None)
                    entry.pop(DIGEST, None)
                elif DIGEST not in entry:  # written before digests were recorded: trusted as it is now
                    record_digest(out, entry)
        existing.update(status="running", finished=None)
        return existing
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise MesaevoError(f"{out} exists and holds no experiment; choose another --out")
    runs = [{"id": run_id(a.name, s), "arm": a.name, "seed": s, "dir": f"{RUNS_DIR}/{run_id(a.name, s)}",
             "status": "pending", "error": None} for a in exp.arms for s in exp.seeds]
    return {"format": FORMAT, "experiment": identity(exp), "claim": exp.claim, "status": "running", "started": now(),
            "finished": None, "runs": runs}


def create_experiment_dir(out: Path) -> None:
    """Make ``out/runs`` (a clear error if it cannot be made)."""
    try:
        (out / RUNS_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MesaevoError(f"cannot create experiment directory {out}: {exc.strerror or exc}") from None
