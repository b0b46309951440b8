"""Run an experiment (``evo.experiment_spec``) on the sweep machinery and write its verdict.

The experiment directory holds ``experiment.json`` (the experiment at the size it
ran, every run's arm, seed, directory, status and error), ``runs/<arm>-seed<S>/``
(ordinary run directories), and, at the end, ``verdict.json``, ``table.csv`` (per
seed: each term's value and the value the verdict is on) and ``verdict.png``.

Each run is ``evo.simulation.run_one`` driven by ``evo.executor`` (a LocalCluster
of ``workers`` processes, a running scheduler, or any executor with ``submit``), so
runs are resumable (a completed run is kept, an interrupted one resumes from its
checkpoint) and a failing run is recorded and leaves the others going. An arm that
forks from another at generation g starts, for each seed, as soon as that seed's
parent run is done (the workers never wait for a whole arm), from a copy of the parent's run directory cut at its checkpoint g (generation rows
and entity parts before g, that checkpoint) with its own config, so the two arms
share every row before g bit for bit. A fork whose parent run failed is marked
failed without running. Running the same experiment into the same ``--out`` again
resumes it.
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
import os
import shutil
from functools import partial
from pathlib import Path
from typing import Any, Callable

from agents.errors import MesaevoError
from analysis.files import write_atomically
from analysis.run_files import (CHECKPOINT_DIR, ENTITIES_DIR, ENTITY_PART_GLOB, GENERATIONS, VERDICT, VERDICT_FIGURE,
                                VERDICT_TABLE, checkpoint_stem, entity_part_first, measurement_file)
from evo.experiment_dir import (EXPERIMENT_MANIFEST, RUNS_DIR, completed_run_dir, create_experiment_dir,
                                open_experiment_dir, read_experiment_manifest, record_digest, run_id)
from evo.executor import RunTask, Task, check_scheduler, run_batch, run_then, warm_kernels
from evo.experiment_edit import edit_once, needs_edit, with_edit_columns
from evo.experiment_infer import infer_run, needs_inference, with_infer_columns
from evo.experiment_spec import Experiment
from evo.paths import confined, read_json
from evo.recorder import MANIFEST, write_json_atomic
from evo.scenarios import load_config

log = logging.getLogger(__name__)

__all__ = ["EXPERIMENT_MANIFEST", "RUNS_DIR", "run_id", "open_experiment_dir", "fork_run_dir", "run_experiment",
           "check_metrics", "conclude", "summary"]


def _config_data(exp: Experiment, arm_name: str, seed: int) -> dict[str, Any]:
    arm = exp.arm(arm_name)
    _, config = load_config(arm.base, {**arm.overrides, "run.seed": seed, "run.generations": exp.generations})
    return config.model_dump(mode="json")


def fork_run_dir(parent: Path, child: Path, generation: int, config: dict[str, Any]) -> None:
    """Make ``child`` a copy of run ``parent`` cut at its checkpoint ``generation``, with ``config``.

    Copied: the manifest (config replaced, status 'interrupted'), the generation table, the
    entity parts that start before ``generation`` and that one checkpoint; resuming ``child``
    drops the table's rows from ``generation`` on and continues from the checkpoint."""
    stem = checkpoint_stem(generation)
    ckpt = parent / CHECKPOINT_DIR
    if not (ckpt / f"{stem}.json").is_file() or not (ckpt / f"{stem}.npz").is_file():
        raise MesaevoError(f"{parent} has no checkpoint at generation {generation} to fork from")
    tmp = child.with_name(f".{child.name}.fork")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / CHECKPOINT_DIR).mkdir(parents=True)
    (tmp / ENTITIES_DIR).mkdir()
    for suffix in (".npz", ".json"):
        shutil.copy2(ckpt / f"{stem}{suffix}", tmp / CHECKPOINT_DIR / f"{stem}{suffix}")
    shutil.copy2(parent / GENERATIONS, tmp / GENERATIONS)
    for part in sorted((parent / ENTITIES_DIR).glob(ENTITY_PART_GLOB)):
        first = entity_part_first(part.name)
        if first is not None and first < generation:
            shutil.copy2(part, tmp / ENTITIES_DIR / part.name)
    manifest = read_json(parent / MANIFEST, "manifest")
    from worlds.shifts import event_name

    from evo.config import validate_config

    events = [{**ev.model_dump(mode="json"), "name": event_name(ev)} for ev in validate_config(config).shifts]
    manifest.update(config=config, shift_events=events, status="interrupted", error=None, finished=None, generations_done=generation,
                    last_checkpoint=generation, forked_from={"run": str(parent), "generation": generation})
    write_json_atomic(tmp / MANIFEST, manifest)
    os.replace(tmp, child)


def _parent_ready(out: Path, entry: dict[str, Any], generation: int) -> bool:
    return (out / entry["dir"] / CHECKPOINT_DIR / f"{checkpoint_stem(generation)}.json").is_file()


def run_experiment(exp: Experiment, out: str | Path, task: RunTask, *, workers: int | None = None,
                   scheduler: str | None = None, client: Any = None,
                   on_result: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Run every run of ``exp`` not yet completed under ``out`` with ``task`` (``evo.simulation.run_one``);
    return the experiment manifest. A fork starts as soon as its parent run (same seed) is done.
    ``client``: any executor with ``submit`` (a Dask client, a ``concurrent.futures`` executor);
    otherwise ``scheduler`` or a LocalCluster of ``workers`` (``evo.executor``)."""
    out = Path(out)
    if scheduler:
        check_scheduler(scheduler)
    manifest = open_experiment_dir(exp, out)
    todo = {e["arm"] for e in manifest["runs"] if e["status"] != "completed"}
    compiled = bool(todo) and check_metrics(exp, todo) > 0  # before anything is written or run
    create_experiment_dir(out)
    write_json_atomic(out / EXPERIMENT_MANIFEST, manifest)
    entries = {(e["arm"], e["seed"]): e for e in manifest["runs"]}
    settings = exp.infer.settings() if exp.infer is not None else None
    inferred = set(exp.infer.arms) if exp.infer is not None else set()
    edited = set(exp.edit.arms) if exp.edit is not None else set()
    children: dict[str, list] = {}
    for arm in exp.arms:
        if arm.fork is not None:
            children.setdefault(arm.fork, []).append(arm)

    def start(arm, seed: int) -> list[Task]:
        """The task of ``arm``'s run of ``seed`` (forked from its parent's first), or, when it is already
        completed or cannot start, the tasks of its forks."""
        entry = entries[(arm.name, seed)]
        run_dir = confined(out, entry["dir"], f"run {entry['id']} directory")
        if entry["status"] == "completed" and not (arm.name in inferred and needs_inference(run_dir, settings)) \
                and not (arm.name in edited and needs_edit(run_dir)):
            return follow(entry)
        if arm.fork is not None and not os.path.lexists(run_dir / MANIFEST):
            parent = entries[(arm.fork, seed)]
            if parent["status"] != "completed" or not _parent_ready(out, parent, arm.fork_at):
                entry.update(status="failed", error=f"parent run {parent['id']} did not complete")
                return follow(entry)
            try:
                fork_run_dir(out / parent["dir"], run_dir, arm.fork_at, _config_data(exp, arm.name, seed))
            except (MesaevoError, OSError) as exc:
                entry.update(status="failed", error=f"fork failed: {exc}")
                return follow(entry)
        args = (arm.base, dict(arm.overrides), seed, exp.generations, str(run_dir.resolve()))
        fn = task
        if arm.name in inferred:  # the run, then its inference and edits, in one task on one worker
            fn = partial(run_then, fn, partial(infer_run, settings=settings), "inference")
        if arm.name in edited:
            fn = partial(run_then, fn, partial(edit_once, settings=exp.edit.settings(arm.name)), "edit")
        return [Task(entry, fn, args)]

    def follow(entry: dict[str, Any]) -> list[Task]:
        return [t for arm in children.get(entry["arm"], []) for t in start(arm, entry["seed"])]

    def ended(entry: dict[str, Any]) -> None:
        record_digest(out, entry)  # a completed run's table digest, checked when the experiment reopens
        if on_result is not None:
            on_result(entry)

    roots = [arm for arm in exp.arms if arm.fork is None]
    tasks = [t for arm in roots for seed in exp.seeds for t in start(arm, seed)]
    first = exp.arms[0]
    warm = None if compiled else lambda: warm_kernels(first.base, {**first.overrides, "run.seed": exp.seeds[0],
                                                                   "run.generations": exp.generations})
    return run_batch(manifest, out / EXPERIMENT_MANIFEST, tasks, client=client, scheduler=scheduler,
                     workers=workers, then=follow, on_result=ended, warm=warm)


def check_metrics(exp: Experiment, arms: set[str] | None = None) -> int:
    """Refuse a measurement whose metric is not a generation-table column of its arm, before any run: each
    measured arm (of ``arms``, default all) lives its first generation here, in this process, and its row's
    columns are the table's (one generation in a run of many). Return how many arms lived one: when any
    did, the kernels are compiled (and in numba's disk cache), so the batch needs no separate warm-up."""
    from analysis.verdict import window_mean, MetricError
    from evo.loop import Evolution

    import pandas as pd

    from evo.experiment_edit import EDIT_METRICS
    from evo.experiment_infer import INFER_METRICS

    wanted: dict[str, set[str]] = {}
    for m in [exp.measurement, *(a.measurement for a in exp.also)]:
        for arm, metric, _ in m.terms():
            if metric in INFER_METRICS or metric in EDIT_METRICS:  # added after the run (checked by the spec)
                continue
            if arms is None or arm in arms:
                wanted.setdefault(arm, set()).add(metric)
    errors = []
    for arm_name, metrics in wanted.items():
        arm = exp.arm(arm_name)
        _, config = load_config(arm.base, {**arm.overrides, "run.seed": exp.seeds[0], "run.generations": exp.generations,
                                           "record.entity_every": 0})
        row = pd.DataFrame([Evolution(config).step().row])
        for metric in sorted(metrics):
            try:
                window_mean(row, metric, (0, 0))
            except MetricError as exc:
                errors.append(f"arm '{arm_name}': {exc}")
    if errors:
        raise MesaevoError(f"experiment {exp.name}: " + "; ".join(errors))
    return len(wanted)


# --------------------------------------------------------------------------- the verdict


def version() -> str:
    from importlib import metadata

    try:
        return metadata.version("mesaevo")
    except metadata.PackageNotFoundError:
        return "unknown"


def conclude(exp: Experiment, out: str | Path, figure: bool = True) -> dict[str, Any]:
    """Measure every seed, apply the verdict rule and write ``verdict.json``, ``table.csv`` and
    ``verdict.png`` under ``out``; return the verdict record. Each ``also`` measurement gets its own
    record (in the first one's ``also`` list), ``table-<name>.csv`` and ``verdict-<name>.png``."""
    from analysis.load import RunFormatError, RunNotFoundError, load_generations

    out = Path(out)
    manifest = read_experiment_manifest(exp, out)
    status = {(e["arm"], e["seed"]): e for e in manifest["runs"]}
    tables: dict[tuple[str, int], Any] = {}
    for m in [exp.measurement, *(a.measurement for a in exp.also)]:
        arms = [arm for arm, _, _ in m.terms()]
        if exp.control is not None:
            arms += [exp.control.arms[a] for a in arms if a in exp.control.arms]
        for arm in arms:
            for seed in exp.seeds:
                entry = status.get((arm, seed))
                if (arm, seed) in tables:
                    continue
                if entry is None or entry["status"] != "completed":
                    tables[(arm, seed)] = None
                    continue
                try:
                    run_dir = completed_run_dir(out, entry)
                    tables[(arm, seed)] = load_generations(run_dir)
                    if exp.infer is not None and arm in exp.infer.arms:
                        tables[(arm, seed)] = with_infer_columns(tables[(arm, seed)], run_dir,
                                                                 arm in exp.infer.shuffled)
                    if exp.edit is not None and arm in exp.edit.arms:
                        tables[(arm, seed)] = with_edit_columns(tables[(arm, seed)], run_dir)
                except (RunNotFoundError, RunFormatError) as exc:
                    raise MesaevoError(f"completed run {entry['id']} cannot be read: {exc}") from None
    common = {"size": exp.size, "seeds": list(exp.seeds), "generations": exp.generations,
              "failed_runs": [e["id"] for e in manifest["runs"] if e["status"] != "completed"],
              "control": exp.control.cause if exp.control else None,
              "control_arms": dict(exp.control.arms) if exp.control else None,
              "no_control_because": exp.no_control_because or None,
              "tuned_on": exp.tuned_on.model_dump() if exp.tuned_on else None,
              "confirmatory": exp.confirmatory, "experiment_sha256": exp.sha256,
              "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), "version": version()}
    record = _verdict(exp, out, tables, exp.name, exp.claim, exp.measurement, exp.verdict, "", figure, True)
    record = {"name": exp.name, "claim": exp.claim, "needs": exp.needs, **record, **common}
    record["also"] = [{"name": f"{exp.name}/{a.name}", "claim": a.claim.strip(), "needs": exp.needs,
                       **_verdict(exp, out, tables, a.name, a.claim, a.measurement, a.verdict, f"-{a.name}", figure,
                                  a.controlled),
                       **common} for a in exp.also]
    record["courses"] = _arm_courses(exp, out, status) if figure else []
    if figure and exp.infer is not None:
        from evo.experiment_infer import axis_courses

        record["courses"] += axis_courses(exp, out, status, completed_run_dir)
    write_json_atomic(out / VERDICT, record)
    return record


def _arm_courses(exp: Experiment, out: Path, status: dict) -> list[str]:
    """Write ``course-<column>.png`` for each column of ``analysis.figures_arms.ARM_COLUMNS`` the runs have:
    the column against generation, one line per arm, a band across seeds. Returns the files written."""
    import io

    from analysis.figures_arms import ARM_COLUMNS, arm_course_figure
    from analysis.load import RunFormatError, RunNotFoundError, load_generations

    arms: dict[str, list] = {}
    for arm in (a.name for a in exp.arms):
        for seed in exp.seeds:
            entry = status.get((arm, seed))
            if entry is not None and entry["status"] == "completed":
                try:
                    arms.setdefault(arm, []).append(load_generations(completed_run_dir(out, entry)))
                except (RunNotFoundError, RunFormatError) as exc:
                    raise MesaevoError(f"completed run {entry['id']} cannot be read: {exc}") from None
    written = []
    for column in ARM_COLUMNS:
        if not any(column in t.columns for tables in arms.values() for t in tables):
            continue
        fig = arm_course_figure(arms, column, title=f"{exp.name} ({exp.size} size): {column} per arm, mean over "
                                f"seeds and its 90% t interval across seeds")
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=110)
        name = f"course-{column}.png"
        write_atomically(out / name, png.getvalue())
        written.append(name)
    return written


def _persistence(exp: Experiment, tables, arms: list[str], window: tuple[int, int]) -> list[dict[str, Any]]:
    """Per arm and seed, the share of the window's generations in which each nested level was present
    (``analysis.verdict.persistence``); empty when no arm has nested levels."""
    from analysis.verdict import persistence

    rows = []
    for arm in dict.fromkeys(arms):
        for seed in exp.seeds:
            levels = persistence(tables.get((arm, seed)), window)
            if levels:
                rows.append({"arm": arm, "seed": int(seed), **levels})
    return rows


def _combined(tables, terms, coefs, seeds) -> Any:
    """Per seed, each term's value and ``value``: the linear combination of the terms (NaN if any is NaN)."""
    from analysis.verdict import MetricError, measure

    try:
        table = measure(tables, terms, seeds)
    except MetricError as exc:
        raise MesaevoError(str(exc)) from None
    table["value"] = sum(c * table[t.label] for c, t in zip(coefs, terms))
    return table


def _verdict(exp: Experiment, out: Path, tables, name: str, claim: str, m, v, suffix: str,
             figure: bool, controlled: bool) -> dict[str, Any]:
    """One measurement's per-seed table (written as ``table<suffix>.csv``), estimate and verdict. With a
    control, the per-seed value is the measurement on the treatment arms minus the same measurement on their
    control arms (columns ``treatment`` and ``control``)."""
    from analysis.verdict import Term, estimate

    terms = [Term(a, metric, (int(w[0]), int(w[1]))) for a, metric, w in m.terms()]
    try:
        table = _combined(tables, terms, m.coefs(), exp.seeds)
        if controlled and exp.control is not None:
            cterms = [Term(exp.control.arms[t.arm], t.metric, t.window) for t in terms]
            control = _combined(tables, cterms, m.coefs(), exp.seeds)
            table["treatment"] = table.pop("value")
            for t in cterms:
                table[t.label] = control[t.label]
            table["control"] = control["value"]
            table["value"] = table["treatment"] - table["control"]
    except MesaevoError as exc:
        raise MesaevoError(f"experiment {exp.name}: {exc}") from None
    result = estimate(table["value"], v.confidence, v.supported_if, v.threshold, v.missing, v.min_seeds)
    window = (min(t.window[0] for t in terms), max(t.window[1] for t in terms))
    arms = [t.arm for t in terms] + ([exp.control.arms[t.arm] for t in terms] if controlled and exp.control else [])
    table_name, figure_name = measurement_file(VERDICT_TABLE, suffix), measurement_file(VERDICT_FIGURE, suffix)
    # written to a temporary file and renamed over the name: a FIFO or symlink planted there is replaced,
    # never written through (nothing blocks, nothing outside is written)
    write_atomically(out / table_name, table.to_csv(index=False).encode("utf-8"))
    if figure:
        from analysis.verdict import verdict_figure

        fig = verdict_figure(table, result, v.threshold, title=f"{exp.name}{suffix.replace('-', ' / ', 1)} "
                             f"({exp.size} size)",
                             ylabel=m.metric if not m.paired else f"difference in {m.metric}")
        import io

        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=110)
        write_atomically(out / figure_name, png.getvalue())
    measured = m.describe()
    if controlled and exp.control is not None:
        pairs = ", ".join(f"{t} -> {c}" for t, c in exp.control.arms.items())
        measured = f"[{measured}] minus the same with each arm replaced by its control ({pairs}), paired by seed"
    return {"measurement": measured, "rule": v.describe(), "threshold": v.threshold,
            "supported_if": v.supported_if, **result.as_dict(), "controlled": bool(controlled and exp.control),
            "seeds_without_value": [int(s) for s, x in zip(table["seed"], table["value"]) if not math.isfinite(x)],
            "persistence": _persistence(exp, tables, arms, window),
            "table": table_name, "figure": figure_name if figure else None}


def summary(record: dict[str, Any]) -> str:
    """The printed verdict: claim, estimate, interval, n and the verdict."""
    def f(x: Any) -> str:
        return "nan" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.4g}"

    pct = f"{100 * record['confidence']:g}%"
    lines = [
        f"claim:       {record['claim']}",
        f"measurement: {record['measurement']}",
        f"rule:        {record['rule']}",
        f"estimate:    {f(record['estimate'])}  {pct} interval [{f(record['lo'])}, {f(record['hi'])}]  "
        f"n = {record['n']} seeds ({record['method']})",
        f"size:        {record['size']}",
        f"verdict:     {record['verdict']}",
    ]
    if record.get("failed_runs"):
        lines.insert(-1, f"failed runs: {', '.join(record['failed_runs'])}")
    if record.get("control") and record.get("controlled") is False:
        lines.insert(2, "control:     none for this measurement (a comparison between treatment arms)")
    elif record.get("control"):
        lines.insert(2, f"control:     {record['control']}")
    elif record.get("no_control_because"):
        lines.insert(2, f"no control:  {record['no_control_because']}")
    from analysis.verdict import persistence_lines

    for line in persistence_lines(record.get("persistence") or []):
        lines.insert(-1, line)
    if record.get("seeds_without_value"):
        lines.insert(-1, f"no value:    seeds {record['seeds_without_value']} (the metric is NaN over the whole "
                         "window, e.g. a level died out, or a run failed): "
                         + ("the verdict is inconclusive" if "makes it inconclusive" in str(record.get("rule"))
                            else "named and left out of n"))
    if record.get("experiment_sha256"):
        kind = "confirmatory" if record.get("confirmatory") else "exploratory (tuning seeds, or fewer than 10)"
        lines.insert(-1, f"seeds:       {kind}; experiment file sha256 {record['experiment_sha256'][:16]}")
    for extra in record.get("also") or []:
        lines += ["", f"also ({extra['name']}):", *("  " + line for line in summary({**extra, "also": []})
                                                     .splitlines() if not line.startswith(("size:", "failed")))]
    return "\n".join(lines)

