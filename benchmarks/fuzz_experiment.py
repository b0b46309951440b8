"""Fuzz campaign for the experiment surface: hostile experiment files and hostile experiment directories.

Two corpora, drawn from a seeded generator (the same seed, the same inputs):

* specs: a valid tiny experiment with 1-4 fields replaced by hostile values (huge, negative,
  non-finite, wrong types, path-like names, deep nesting), written as TOML and given to
  ``mesaevo experiment FILE --validate``;
* directories: a completed tiny experiment (2 arms x 2 seeds) with 1-3 kinds of damage
  (``experiment.json`` and ``verdict.json`` edits, deleted or edited runs, symlinks to a
  canary beside it, FIFOs, deep JSON), then ``experiment FILE --out DIR`` (resume and
  verdict, runs on a one-thread pool), ``report DIR`` or ``experiment --findings DIR``.

Counted per input: a traceback (or an exception escaping ``main``), a hang (no answer in
``HANG_SECONDS``), a wrong verdict (exit 0 from the experiment with an estimate other than
the undamaged experiment's, or ``n`` short of every seed), an outside file read into a
report or findings page, or a canary file changed; and an error that is not exactly one
``error:`` line. Prints one table.

    python benchmarks/fuzz_experiment.py [--specs 700] [--dirs 300] [--seed 0]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import pyarrow.parquet as pq  # noqa: E402

import evo.experiment as experiment_mod  # noqa: E402
from evo.simulation import run_one  # noqa: E402
from analysis.toml_text import dumps as toml_dumps  # noqa: E402
from evo.cli import main  # noqa: E402
from evo.experiment_spec import build_experiment  # noqa: E402
from tests.test_hostile_dirs import deep_json, fifo, garble, make_canary, snapshot, truncate  # noqa: E402

HANG_SECONDS = 120
TINY = {"agents.population": 20, "world.width": 8, "world.height": 8, "world.steps": 20, "agents.max_depth": 1,
        "record.entity_every": 2, "record.flush_every": 3}
SECRET = b"\x89PNG fuzz-secret-outside-the-experiment"


def spec() -> dict[str, Any]:
    """The valid tiny experiment every input starts from."""
    return {"name": "fz", "claim": "x", "no_control_because": "a test of the machinery", "seeds": 2,
            "generations": 4, "set": dict(TINY),
            "arms": {"a": {"base": "ancestral"}, "b": {"base": "ancestral", "set": {"agents.population": 22}}},
            "measurement": {"metric": "fitness_mean", "arm": "a", "minus_arm": "b", "window": [2, 3]},
            "verdict": {"supported_if": "above", "threshold": 0.0, "confidence": 0.9}}


# --------------------------------------------------------------------------- hostile values and specs

PATHS = ["../../escape", "/abs/x", "a/b", "..", ".", ".hidden", "", " x", "x" * 200, "x" * 10_000, "a\x00b",
         "con", "ok-name", "a.b", "../a", "runs", "\u00e9t\u00e9", "a b", "-a", "a\nb"]


def hostile_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(12)
    if kind == 0:
        return rng.choice([0, 1, -1, 2, 3, 10_000, 10_001, 10**11, -(2**63), 2**63, 2**64])
    if kind == 1:
        return rng.choice([float("nan"), float("inf"), float("-inf"), 0.0, -0.0, 1e308, 1e-308, 0.5, 0.99, 1.0])
    if kind == 2:
        return rng.choice([True, False])
    if kind == 3:
        return rng.choice(PATHS)
    if kind == 4:
        return rng.choice(["fitness_mean", "nope", "corr_taste", "L2_n", "generation", "value", "seed", ""])
    if kind == 5:
        return rng.choice(["above", "below", "sideways", "ancestral", "sugar", "maze-corner", "missing.toml"])
    if kind == 6 and depth < 3:
        return [hostile_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 7 and depth < 3:
        return {rng.choice(PATHS[:12] + ["base", "set", "fork", "fork_at", "coef"]): hostile_value(rng, depth + 1)
                for _ in range(rng.randrange(3))}
    if kind == 8:
        return [rng.randrange(-2, 6), rng.randrange(-2, 6)]
    if kind == 9:
        nested: Any = 1
        for _ in range(rng.choice([5, 40, 200])):
            nested = [nested]
        return nested
    if kind == 10:
        return list(range(rng.choice([0, 1, 3, 10_001])))
    return rng.randrange(-5, 50)


FIELDS = ["name", "claim", "needs", "seeds", "generations", "set", "arms", "arms.a", "arms.a.base", "arms.a.set",
          "arms.b.fork", "arms.b.fork_at", "arms.c", "measurement", "measurement.metric", "measurement.arm",
          "measurement.window", "measurement.minus_arm", "measurement.minus_metric", "measurement.minus_window",
          "measurement.plus", "verdict", "verdict.threshold", "verdict.confidence", "verdict.supported_if", "also",
          "reduced", "reduced.seeds", "reduced.arms", "full.generations", "bogus"]


def hostile_spec(rng: random.Random) -> dict[str, Any]:
    data = spec()
    for _ in range(rng.randrange(1, 5)):
        path = rng.choice(FIELDS).split(".")
        node = data
        for part in path[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        if rng.random() < 0.1:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = hostile_value(rng)
    if rng.random() < 0.15:  # an arm's name itself hostile
        data["arms"] = {rng.choice(PATHS): {"base": "ancestral"}}
    return data


# --------------------------------------------------------------------------- hostile directories


def _edit_json(path: Path, change: Callable[[Any], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _link(path: Path, target: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
    path.symlink_to(target)


def _manifest_edit(rng: random.Random, out: Path, canary: Path) -> None:
    def change(d: dict) -> None:
        runs = d.get("runs")
        choice = rng.randrange(9)
        if choice == 0:
            d["runs"] = hostile_value(rng)
        elif choice == 1 and isinstance(runs, list) and runs:
            runs.pop(rng.randrange(len(runs)))
        elif isinstance(runs, list) and runs and isinstance(runs[0], dict):
            entry = runs[rng.randrange(len(runs))]
            if not isinstance(entry, dict):
                return
            key = rng.choice(["status", "dir", "id", "seed", "arm", "error", "generations_sha256"])
            if rng.random() < 0.3:
                entry.pop(key, None)
            elif key == "dir":
                entry[key] = rng.choice([f"../../{canary.name}", str(canary), "runs/../../x", "runs/b-seed0", "."])
            elif key == "status":
                entry[key] = rng.choice(["pending", "running", "completed", "failed", "interrupted", "done", 5])
            else:
                entry[key] = hostile_value(rng)
        else:
            d[rng.choice(["experiment", "status", "format", "claim"])] = hostile_value(rng)
    _edit_json(out / "experiment.json", change)


def _verdict_edit(rng: random.Random, out: Path, canary: Path) -> None:
    def change(d: dict) -> None:
        key = rng.choice(["figure", "table", "claim", "name", "confidence", "estimate", "n", "failed_runs", "also",
                          "seeds_without_value", "verdict", "seeds", "needs"])
        if key in ("figure", "table"):
            d[key] = rng.choice(["../../secret.png", str(canary.parent / "secret.png"), "verdict.png", "table.csv",
                                 "runs", "../secret.csv", 5, None])
        elif key in ("claim", "name", "needs"):
            d[key] = rng.choice(["<script>alert(1)</script>", "# heading\n## two", "[x](javascript:alert(1))",
                                 "<img src=x onerror=alert(1)>", "a|b|c", hostile_value(rng)])
        else:
            d[key] = hostile_value(rng)
    _edit_json(out / "verdict.json", change)


def _table_edit(rng: random.Random, out: Path, canary: Path) -> None:
    run = out / "runs" / rng.choice(["a-seed0", "a-seed1", "b-seed0", "b-seed1"])
    choice = rng.randrange(6)
    path = run / "generations.parquet"
    if choice == 0:
        table = pq.read_table(path)
        pq.write_table(table.slice(0, max(0, table.num_rows - 1)), path)
    elif choice == 1:
        shutil.rmtree(run)
    elif choice == 2:
        truncate(path)
    elif choice == 3:
        garble(path)
    elif choice == 4:
        frame = pq.read_table(path).to_pandas()
        frame["fitness_mean"] = frame["fitness_mean"] * 2
        frame.to_parquet(path)
    else:
        _link(path, canary / "part-000009.parquet")


def _file_damage(rng: random.Random, out: Path, canary: Path) -> None:
    target = out / rng.choice(["experiment.json", "verdict.json", "verdict.png", "table.csv", "runs"])
    choice = rng.randrange(4)
    if choice == 0 and target.name != "runs":
        fifo(target)
    elif choice == 1 and target.name != "runs":
        deep_json(target, rng.choice([100, 5_000, 200_000]))
    elif choice == 2:
        _link(target, canary.parent / "secret.png" if target.suffix == ".png" else canary)
    else:
        _link(out / "runs" / "a-seed0" / "entities", canary)


DAMAGE = [_manifest_edit, _verdict_edit, _table_edit, _file_damage]
COMMANDS = ["experiment", "experiment", "report", "findings"]


# --------------------------------------------------------------------------- running one input


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def call(argv: list[str]) -> tuple[int | None, str, str]:
    """(exit status or None, stderr, what escaped) of ``mesaevo ARGV``; experiments run on a one-thread pool."""
    real = experiment_mod.run_experiment

    def on_pool(exp, out, *args, **kw):
        with ThreadPoolExecutor(1) as pool:
            return real(exp, out, *args, **{**kw, "client": pool})

    err, escaped = io.StringIO(), ""
    experiment_mod.run_experiment = on_pool
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    rc = None
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = main(argv)
    except Hang:
        escaped = "hang"
    except BaseException as exc:  # noqa: BLE001 - anything escaping main is what is counted
        escaped = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        experiment_mod.run_experiment = real
    return rc, err.getvalue(), escaped


def classify(rc: int | None, err: str, escaped: str) -> list[str]:
    """The problems of one answer: 'hang', 'traceback', 'not one error line'."""
    if escaped == "hang":
        return ["hang"]
    problems = []
    if escaped or "Traceback" in err:
        problems.append("traceback")
    elif rc not in (0, 1, 2):
        problems.append(f"exit {rc}")
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    if rc == 2 and len(errors) != 1:
        problems.append("not one error line")
    return problems


def run_spec_input(rng: random.Random, work: Path, k: int, execute: bool = True) -> list[str]:
    if not execute:  # drawn (so that later inputs are the same), not run
        hostile_spec(rng)
        return []
    path = work / f"spec{k}.toml"
    try:
        path.write_text(toml_dumps(hostile_spec(rng)), encoding="utf-8", errors="surrogatepass")
    except (ValueError, TypeError, RecursionError):
        path.write_text('claim = "x"\n' + "[" + "x." * 300 + "x]\n")
    before = sorted(p.name for p in work.iterdir())
    rc, err, escaped = call(["experiment", str(path), "--validate"])
    problems = classify(rc, err, escaped)
    if sorted(p.name for p in work.iterdir()) != before:
        problems.append("wrote outside")
    path.unlink()
    return problems + (["accepted"] if rc == 0 else [])


def template(work: Path) -> tuple[Path, dict[str, Any]]:
    """A completed tiny experiment under ``work/tpl``; its verdict record."""
    base = work / "tpl"
    base.mkdir()
    (base / "fz.toml").write_text(toml_dumps(spec()))
    exp = build_experiment(spec())
    with ThreadPoolExecutor(1) as pool:
        assert experiment_mod.run_experiment(exp, base / "out", run_one, client=pool)["status"] == "completed"
    return base, experiment_mod.conclude(exp, base / "out")


def run_dir_input(rng: random.Random, work: Path, tpl: Path, reference: dict[str, Any], k: int,
                  execute: bool = True) -> list[str]:
    case = work / f"d{k}"
    shutil.copytree(tpl, case / "e", symlinks=True)
    out = case / "e" / "out"
    canary = make_canary(case, out / "runs" / "a-seed0" / "manifest.json")
    (case / "secret.png").write_bytes(SECRET)
    (case / "secret.csv").write_text("seed,value\n0,987654.321\n")
    chosen = rng.sample(range(len(DAMAGE)), rng.randrange(1, 4))
    for damage in (DAMAGE[i] for i in sorted(chosen)):  # FIFOs and links last: nothing reads through them here
        try:
            damage(rng, out, canary)
        except Exception:  # noqa: BLE001 - the damage could not be applied on top of an earlier one
            pass
    before = snapshot(canary)
    command = rng.choice(COMMANDS)
    page = case / "findings.md"
    argv = {"experiment": ["experiment", str(case / "e" / "fz.toml"), "--out", str(out)],
            "report": ["report", str(out), "--static", "--n-boot", "20"],
            "findings": ["experiment", "--findings", str(out), "--out", str(page)]}[command]
    if not execute:
        shutil.rmtree(case, ignore_errors=True)
        return []
    rc, err, escaped = call(argv)
    problems = classify(rc, err, escaped)
    if snapshot(canary) != before:
        problems.append("canary changed")
    if command == "experiment" and rc == 0:
        try:
            verdict = json.loads((out / "verdict.json").read_text())
            if verdict.get("estimate") != reference["estimate"] or verdict.get("n") != reference["n"]:
                problems.append("wrong verdict")
        except (OSError, ValueError):
            problems.append("wrong verdict")
    for written in (out / "report.html", page):
        if rc == 0 and written.is_file() and not written.is_symlink():
            text = written.read_text(errors="replace")
            if base64.b64encode(SECRET).decode() in text or "987654.321" in text:
                problems.append("outside file embedded")
            if written.suffix == ".md" and ("<script" in text or "](javascript:" in text):
                problems.append("unescaped text")
    shutil.rmtree(case, ignore_errors=True)
    return problems + (["accepted"] if rc == 0 else [])


def campaign(specs: int, dirs: int, seed: int, work: Path, log: Callable[[str], None] = print,
             only: set[int] | None = None) -> dict[str, Any]:
    """Run both corpora; return the counts per corpus. ``only``: run just these directory inputs (the
    others are drawn, not run, so that the inputs are those of the whole campaign)."""
    rng = random.Random(seed)
    counts: dict[str, dict[str, int]] = {}
    examples: list[str] = []

    def tally(corpus: str, problems: list[str], k: int) -> None:
        row = counts.setdefault(corpus, {"inputs": 0, "accepted": 0, "traceback": 0, "hang": 0, "wrong verdict": 0,
                                         "other": 0})
        row["inputs"] += 1
        for p in problems:
            row[p if p in row else "other"] += 1
            if p != "accepted" and len(examples) < 20:
                examples.append(f"{corpus} #{k}: {p}")

    for k in range(specs):
        if only is None:
            tally("specs", run_spec_input(rng, work, k), k)
        else:
            run_spec_input(rng, work, k, execute=False)
    if dirs:
        tpl, reference = template(work)
        for k in range(dirs):
            if only is not None and k not in only:
                run_dir_input(rng, work, tpl, reference, k, execute=False)
                continue
            tally("directories", run_dir_input(rng, work, tpl, reference, k), k)
            if (k + 1) % 50 == 0:
                log(f"  {k + 1} directories done")
    return {"counts": counts, "examples": examples}


def main_cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/fuzz_experiment.py")
    parser.add_argument("--specs", type=int, default=700)
    parser.add_argument("--dirs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", type=int, nargs="+", help="run only these directory inputs (to replay them)")
    args = parser.parse_args(argv)
    import logging

    logging.disable(logging.CRITICAL)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        result = campaign(args.specs, args.dirs, args.seed, Path(tmp), only=set(args.only) if args.only else None)
    print(f"{'corpus':12s} {'inputs':>7s} {'exit 0':>7s} {'tracebacks':>11s} {'hangs':>6s} {'wrong verdicts':>15s} "
          f"{'other':>6s}")
    total = {"inputs": 0, "accepted": 0, "traceback": 0, "hang": 0, "wrong verdict": 0, "other": 0}
    for name, row in [*result["counts"].items(), ("total", None)]:
        if row is None:
            row = total
        else:
            total = {k: total[k] + row[k] for k in total}
        print(f"{name:12s} {row['inputs']:7d} {row['accepted']:7d} {row['traceback']:11d} {row['hang']:6d} "
              f"{row['wrong verdict']:15d} {row['other']:6d}")
    print(f"({time.perf_counter() - start:.0f} s; 'other': not one error line, a changed canary, an outside file "
          "embedded, unescaped text, a write beside the spec)")
    for line in result["examples"]:
        print("  " + line)
    return 0 if sum(v for k, v in total.items() if k not in ("inputs", "accepted")) == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main_cli())
