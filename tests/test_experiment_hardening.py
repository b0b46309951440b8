"""The experiment surface against hostile input: the spec, ``experiment.json``, ``verdict.json`` and the
findings page. Every case ends in one ``error:`` line (exit 2) or a correct result, with no traceback and
nothing read or written outside the experiment directory (a canary beside it is snapshotted)."""

from __future__ import annotations

import base64
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import evo.experiment as experiment_mod
from evo.simulation import run_one
from agents.errors import MesaevoError
from evo.cli import main
from evo.experiment_spec import build_experiment
from tests.golden_tables import run_digests
from tests.test_hostile_dirs import make_canary, snapshot

TINY = {"agents.population": 20, "world.width": 8, "world.height": 8, "world.steps": 20, "agents.max_depth": 1,
        "record.entity_every": 2, "record.flush_every": 3}


def spec(**extra) -> dict:
    data = {"claim": "x", "no_control_because": "a test of the machinery", "seeds": 2, "generations": 4,
            "set": dict(TINY),
            "arms": {"a": {"base": "ancestral"}, "b": {"base": "ancestral", "set": {"agents.population": 22}}},
            "measurement": {"metric": "fitness_mean", "arm": "a", "minus_arm": "b", "window": [2, 3]}}
    data.update(extra)
    return data


def toml_text(data: dict) -> str:
    """``data`` (the shapes ``spec`` makes) as TOML."""
    def value(v) -> str:
        if isinstance(v, dict):
            return "{" + ", ".join(f"{json.dumps(k)} = {value(x)}" for k, x in v.items()) + "}"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float) and v != v:
            return "nan"
        if isinstance(v, float) and v in (float("inf"), float("-inf")):
            return "inf" if v > 0 else "-inf"
        return json.dumps(v)

    return "\n".join(f"{json.dumps(k)} = {value(v)}" for k, v in data.items()) + "\n"


def cli(argv: list[str], capsys, monkeypatch) -> tuple[int, str]:
    """``mesaevo ARGV`` in-process, experiments run on a one-thread pool instead of a local Dask cluster."""
    real = experiment_mod.run_experiment

    def on_pool(exp, out, *args, **kw):
        with ThreadPoolExecutor(1) as pool:
            return real(exp, out, *args, **{**kw, "client": pool})

    monkeypatch.setattr(experiment_mod, "run_experiment", on_pool)
    rc = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == (1 if rc == 2 else 0), err
    return rc, err


@pytest.fixture(scope="module")
def done(tmp_path_factory) -> Path:
    """A completed tiny experiment (2 arms x 2 seeds, 4 generations), its file beside it as exp.toml."""
    base = tmp_path_factory.mktemp("exp")
    (base / "exp.toml").write_text(toml_text(spec(name="exp")))
    exp = build_experiment(spec(name="exp"))
    with ThreadPoolExecutor(1) as pool:
        assert experiment_mod.run_experiment(exp, base / "out", run_one, client=pool)["status"] == "completed"
    experiment_mod.conclude(exp, base / "out")
    return base


@pytest.fixture
def copy(done, tmp_path) -> Path:
    shutil.copytree(done, tmp_path / "e", symlinks=True)
    return tmp_path / "e"


# --------------------------------------------------------------------------- the spec, before any run


@pytest.mark.parametrize("change, needle", [
    ({"name": "../../escape"}, "plain directory name"),
    ({"name": "/tmp/abs"}, "plain directory name"),
    ({"name": "n" * 200}, "plain directory name"),
    ({"arms": {"x" * 10_000: {"base": "ancestral"}}}, "names run directories"),
    ({"arms": {"a b": {"base": "ancestral"}}}, "names run directories"),
    ({"arms": {"../a": {"base": "ancestral"}}}, "names run directories"),
    ({"verdict": {"threshold": float("nan")}}, "threshold"),
    ({"verdict": {"threshold": float("inf")}}, "threshold"),
    ({"seeds": 10**11}, "between 1 and 10000"),
    ({"seeds": 10_001}, "between 1 and 10000"),
    ({"seeds": True}, "expected a count of seeds"),
    ({"seeds": [0, True]}, "whole number"),
    ({"seeds": 6000}, "limit of 10000 runs"),
    ({"measurement": {"metric": "fitness_mean", "arm": "a", "window": [2, 3], "plus": [{"coef": 1.0}]}},
     "appears more than once"),
    ({"measurement": {"metric": "fitness_mean", "arm": "a", "minus_arm": "a", "window": [2, 3]}},
     "appears more than once"),
    ({"measurement": {"metric": "fitness_mean", "arm": "a", "window": [True, 3]}}, "window"),
])
def test_spec_errors_are_caught_up_front(change, needle, tmp_path, capsys, monkeypatch):
    with pytest.raises(MesaevoError, match=needle) as err:
        build_experiment(spec(**change))
    assert "\n" not in str(err.value) and len(str(err.value)) < 2000
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.toml").write_text(toml_text(spec(**change)))
    rc, err_text = cli(["experiment", "e.toml"], capsys, monkeypatch)
    assert rc == 2 and needle in err_text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml"]  # nothing written, no runs


def test_seeds_flag_and_file_share_the_cap():
    assert len(build_experiment(spec(seeds=10_000, arms={"a": {"base": "ancestral"}},
                                     measurement={"metric": "fitness_mean", "arm": "a", "window": [2, 3]})).seeds) \
        == 10_000
    with pytest.raises(MesaevoError, match="--seeds must be between 1 and 10000"):
        build_experiment(spec(), seeds=10_001)


def test_unknown_metric_fails_before_any_run(tmp_path):
    exp = build_experiment(spec(measurement={"metric": "fitness_mena", "arm": "a", "window": [2, 3]}))
    with pytest.raises(MesaevoError, match="'fitness_mena' is not a generation-table column; did you mean "
                                           "'fitness_mean'"):
        experiment_mod.run_experiment(exp, tmp_path / "out", run_one, client=ThreadPoolExecutor(1))
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- an edited experiment.json


def edit_manifest(out: Path, change) -> None:
    data = json.loads((out / "experiment.json").read_text())
    change(data)
    (out / "experiment.json").write_text(json.dumps(data))


def _outside(data: dict, canary: Path) -> None:
    data["runs"][0]["dir"] = f"../../{canary.name}"


EDITS = {
    "runs is a string": (lambda d, c: d.update(runs="x"), "'runs' is not a list"),
    "a runs entry deleted": (lambda d, c: d["runs"].pop(1), "missing from 'runs'"),
    "an entry without status": (lambda d, c: d["runs"][0].pop("status"), "has status 'None'"),
    "an entry is a number": (lambda d, c: d["runs"].__setitem__(0, 5), "is not an object"),
    "a completed dir outside": (_outside, "its directory is runs/a-seed0"),
    "a completed dir absolute": (lambda d, c: d["runs"][0].update(dir=str(c)), "its directory is runs/a-seed0"),
    "a run listed twice": (lambda d, c: d["runs"].append(dict(d["runs"][0])), "listed twice"),
    "a seed changed": (lambda d, c: d["runs"][0].update(seed="x"), "does not name arm"),
    "a digest garbled": (lambda d, c: d["runs"][0].update(generations_sha256=5), "malformed"),
}


@pytest.mark.parametrize("case", list(EDITS))
def test_edited_experiment_json_is_one_clear_error(case, copy, capsys, monkeypatch):
    out = copy / "out"
    canary = make_canary(copy.parent, out / "runs" / "a-seed0" / "manifest.json")
    change, needle = EDITS[case]
    edit_manifest(out, lambda d: change(d, canary))
    before = snapshot(canary)
    rc, err = cli(["experiment", str(copy / "exp.toml"), "--out", str(out)], capsys, monkeypatch)
    assert rc == 2 and needle in err, err
    assert snapshot(canary) == before


def test_a_deleted_completed_run_is_run_again_to_the_same_table(copy, done, capsys, monkeypatch):
    out = copy / "out"
    shutil.rmtree(out / "runs" / "b-seed1")
    rc, err = cli(["experiment", str(copy / "exp.toml"), "--out", str(out)], capsys, monkeypatch)
    assert rc == 0, err
    verdict = json.loads((out / "verdict.json").read_text())
    assert verdict["n"] == 2 and verdict["failed_runs"] == [] and verdict["seeds_without_value"] == []
    again, first = (run_digests(o / "runs" / "b-seed1") for o in (out, done / "out"))
    assert again == first
    assert json.loads((done / "out" / "verdict.json").read_text())["estimate"] == verdict["estimate"]


def test_a_row_deleted_from_a_completed_table_is_refused(copy, capsys, monkeypatch):
    out = copy / "out"
    path = out / "runs" / "a-seed1" / "generations.parquet"
    table = pq.read_table(path)
    pq.write_table(table.slice(0, table.num_rows - 1), path)
    rc, err = cli(["experiment", str(copy / "exp.toml"), "--out", str(out)], capsys, monkeypatch)
    assert rc == 2 and "changed after the run completed" in err and "a-seed1" in err


# --------------------------------------------------------------------------- report and findings


def _verdict(out: Path, change) -> None:
    data = json.loads((out / "verdict.json").read_text())
    change(data)
    (out / "verdict.json").write_text(json.dumps(data))


@pytest.mark.parametrize("case", ["figure symlink", "figure ..", "figure absolute", "table ..", "verdict symlink"])
def test_report_never_embeds_a_file_outside_the_experiment(case, copy, capsys):
    out = copy / "out"
    secret = copy.parent / "secret.png"
    secret.write_bytes(b"\x89PNG secret-bytes-outside")
    (copy.parent / "secret.csv").write_text("seed,value\n0,12345.678\n")
    if case == "figure symlink":
        (out / "verdict.png").unlink()
        (out / "verdict.png").symlink_to(secret)
    elif case == "figure ..":
        _verdict(out, lambda d: d.update(figure="../../secret.png"))
    elif case == "figure absolute":
        _verdict(out, lambda d: d.update(figure=str(secret)))
    elif case == "table ..":
        _verdict(out, lambda d: d.update(table="../../secret.csv"))
    else:
        (copy.parent / "v.json").write_text((out / "verdict.json").read_text().replace('"x"', '"SECRET CLAIM"'))
        (out / "verdict.json").unlink()
        (out / "verdict.json").symlink_to(copy.parent / "v.json")
    rc = main(["report", str(out), "--static", "--n-boot", "20"])
    err = capsys.readouterr().err
    assert "Traceback" not in err and rc == 2 and err.count("error:") == 1 and "outside" in err, err
    report = out / "report.html"
    if report.exists():
        text = report.read_text()
        assert base64.b64encode(secret.read_bytes()).decode() not in text and "12345.678" not in text
        assert "SECRET CLAIM" not in text


HOSTILE_RECORDS = {
    "confidence null": {"confidence": None},
    "failed_runs a number": {"failed_runs": 5},
    "also a number": {"also": 5},
    "also of junk": {"also": [5, "x", None, {"name": 3, "n": "many"}]},
    "numbers as text": {"estimate": "big", "lo": [1], "hi": {"a": 1}, "n": 2.5, "confidence": "0.9"},
    "deep": {"claim": json.loads("[" * 900 + "]" * 900)},
    "script claim": {"claim": "<script>alert(1)</script>\n# Heading\n[x](javascript:alert(1)) <img src=x onerror=y>",
                     "name": "## evil | cell", "needs": "![i](javascript:x)"},
}


@pytest.mark.parametrize("case", list(HOSTILE_RECORDS))
def test_findings_survive_and_escape_an_edited_verdict(case, copy, capsys, monkeypatch):
    out = copy / "out"
    _verdict(out, lambda d: d.update(HOSTILE_RECORDS[case]))
    page = copy / "findings.md"
    rc, err = cli(["experiment", "--findings", str(out), "--out", str(page)], capsys, monkeypatch)
    assert rc == 0, err
    text = page.read_text()
    assert "<script" not in text and "<img" not in text and "](javascript:" not in text
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert len(headings) == 1 + 1 + (0 if case != "also of junk" else 1), headings  # title, one per record
    assert all(line.startswith(("# Findings", "## ")) for line in headings)
    assert main(["report", str(out), "--static", "--n-boot", "20"]) == 0
    report = (out / "report.html").read_text()
    assert "<script>alert(1)" not in report and "<img src=x" not in report


def test_findings_of_a_deeply_nested_verdict_is_one_error(copy, capsys, monkeypatch):
    (copy / "out" / "verdict.json").write_text("[" * 100_000 + "]" * 100_000)
    rc, err = cli(["experiment", "--findings", str(copy / "out"), "--out", str(copy / "f.md")], capsys, monkeypatch)
    assert rc == 2 and "nested too deeply" in err, err


# --------------------------------------------------------------------------- preflight: memory and time


def test_experiment_runs_the_memory_preflight(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    huge = spec(set={**TINY, "world.width": 4096, "world.height": 4096, "agents.population": 9_000_000})
    (tmp_path / "e.toml").write_text(toml_text(huge))
    for argv in (["experiment", "e.toml", "--validate"], ["experiment", "e.toml"]):
        rc, err = cli(argv, capsys, monkeypatch)
        assert rc == 2 and "GiB of memory" in err and "--max-memory" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml"]


def test_experiment_refuses_a_run_estimated_past_the_time_limit(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    slow = spec(generations=1_000_000, set={**TINY, "agents.population": 2000, "world.steps": 200,
                                            "agents.max_depth": 3},
                measurement={"metric": "fitness_mean", "arm": "a", "minus_arm": "b", "window": [2, 3]})
    (tmp_path / "e.toml").write_text(toml_text(slow))
    rc, err = cli(["experiment", "e.toml"], capsys, monkeypatch)
    assert rc == 2 and "hours" in err and "--max-hours" in err
    hours = float(err.split("about ")[1].split(" hours")[0])
    assert hours > 24
    rc, err = cli(["experiment", "e.toml", "--validate", f"--max-hours={hours * 2}"], capsys, monkeypatch)
    assert rc == 0, err
    for bad in ("nan", "0", "-1", "inf"):
        rc, err = cli(["experiment", "e.toml", "--validate", f"--max-hours={bad}"], capsys, monkeypatch)
        assert rc == 2 and "--max-hours" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.toml"]


# --------------------------------------------------------------------------- report of an edited run; hostile TOML


def _seed_x(run: Path, outside: Path) -> None:
    data = json.loads((run / "manifest.json").read_text())
    data["seed"] = "x"
    (run / "manifest.json").write_text(json.dumps(data))


def _no_generation(run: Path, outside: Path) -> None:
    path = run / "generations.parquet"
    pq.write_table(pq.read_table(path).drop(["generation"]), path)


def _stray_part(run: Path, outside: Path) -> None:
    import pyarrow as pa

    pq.write_table(pa.table({"x": [1, 2]}), run / "entities" / "part-000099.parquet")


def _entities_outside(run: Path, outside: Path) -> None:
    shutil.copytree(run / "entities", outside / "entities")
    shutil.rmtree(run / "entities")
    (run / "entities").symlink_to(outside / "entities", target_is_directory=True)


def _generations_outside(run: Path, outside: Path) -> None:
    shutil.copy(run / "generations.parquet", outside / "g.parquet")
    (run / "generations.parquet").unlink()
    (run / "generations.parquet").symlink_to(outside / "g.parquet")


REPORT_CASES = {"seed is text": (_seed_x, 0), "table without generation": (_no_generation, 2),
                "stray entity part": (_stray_part, 0), "entities symlinked outside": (_entities_outside, 2),
                "generations symlinked outside": (_generations_outside, 2)}


@pytest.mark.parametrize("case", list(REPORT_CASES))
def test_report_of_an_edited_run(case, copy, capsys):
    run = copy / "out" / "runs" / "a-seed0"
    outside = copy.parent / "outside"
    outside.mkdir()
    change, expected = REPORT_CASES[case]
    change(run, outside)
    rc = main(["report", str(run), "--static", "--n-boot", "20"])
    err = capsys.readouterr().err
    assert "Traceback" not in err and rc == expected, err
    assert err.count("error:") == (1 if rc == 2 else 0), err
    if rc == 2:
        assert "outside" in err or "'generation'" in err


@pytest.mark.parametrize("command", [["validate"], ["experiment", "--validate"], ["sweep", "--dry-run"]])
def test_hostile_toml_files_give_one_short_line(tmp_path, capsys, command):
    deep = tmp_path / "deep.toml"
    deep.write_text("[" + ".".join(["a"] * 500) + "]\n")
    many = tmp_path / "many.toml"
    many.write_text("".join(f"unknown_key_{i} = 1\n" for i in range(50_000)))
    big = tmp_path / "big.toml"
    with open(big, "w") as fh:
        fh.truncate(17 * 2**20)
    for path, needle in ((deep, "nested more than"), (many, "more unknown keys"), (big, "bytes, more than")):
        rc = main([command[0], str(path), *command[1:]])
        err = capsys.readouterr().err
        assert rc == 2 and "Traceback" not in err and needle in err, err[:500]
        assert err.count("error:") == 1 and len(err) < 3000, len(err)


def test_verdict_outputs_replace_a_planted_fifo_or_link(copy, capsys, monkeypatch):
    """Found by the fuzz campaign: a FIFO at table.csv blocked the verdict forever; a link at verdict.png
    was written through."""
    import os

    out = copy / "out"
    (out / "table.csv").unlink()
    os.mkfifo(out / "table.csv")
    canary = make_canary(copy.parent, out / "runs" / "a-seed0" / "manifest.json")
    (out / "verdict.png").unlink()
    (out / "verdict.png").symlink_to(canary / "precious.txt")
    before = snapshot(canary)
    rc, err = cli(["experiment", str(copy / "exp.toml"), "--out", str(out)], capsys, monkeypatch)
    assert rc == 0, err
    assert (out / "table.csv").is_file() and not (out / "verdict.png").is_symlink()
    assert snapshot(canary) == before
