"""The ``mesaevo`` command line: run, plot, scenarios, and one-line errors for user mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import tiny_args
from evo.cli import main

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ["taste", "pain", "mating", "novelty", "craft", "effort"]
GENES = ["architecture", "w_taste", "w_pain", "w_mating", "w_novelty", "w_craft", "w_effort", "competence"]
FIGURES = ("level_correlation.png", "proxy_correlation.png")
#: A tiny sugar run whose shift falls inside three generations.
TINY_SUGAR = [*tiny_args(), "--set", "shifts.0.generation=1"]


def mesaevo(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the CLI as a user would, in a fresh process."""
    return subprocess.run([sys.executable, "-m", "evo", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def assert_one_error_line(stderr: str) -> str:
    """stderr is one ``error: ...`` message (continuation lines allowed), no traceback."""
    assert stderr.startswith("error:"), stderr
    assert sum(line.startswith("error:") for line in stderr.splitlines()) == 1, stderr
    assert "Traceback" not in stderr
    return stderr


def is_png(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def completed_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """One tiny sugar run through the real command line, shared by the tests below."""
    out = tmp_path_factory.mktemp("cli") / "run"
    proc = mesaevo("run", "sugar", "--generations", "3", "--out", out, *TINY_SUGAR)
    assert proc.returncode == 0, proc.stderr
    return out, proc


# --- scenarios ---------------------------------------------------------------------------------


def test_scenarios_lists_builtins(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    names = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert "ancestral" in names and "sugar" in names
    sugar_line = next(line for line in out.splitlines() if line.split()[:1] == ["sugar"])
    assert "superstimulus" in sugar_line  # the scenario's one-line description


def test_scenarios_subprocess():
    proc = mesaevo("scenarios")
    assert proc.returncode == 0, proc.stderr
    assert "ancestral" in proc.stdout and "sugar" in proc.stdout


# --- run ---------------------------------------------------------------------------------------


def test_run_exits_zero_and_prints_summary(completed_run):
    out, proc = completed_run
    assert "Traceback" not in proc.stderr
    stdout = proc.stdout
    assert f"run directory: {out}" in stdout
    assert "generations:   0..2 in" in stdout
    # before/after the shift, not first against last generation
    assert "shift 'sugar' at generation 1 (means over 1 generations before, 2 from it on):" in stdout
    assert "mean fitness:" in stdout and "objective-fitness Spearman, level 1:" in stdout
    assert "taste-fitness correlation:" in stdout
    for name in FIGURES:
        assert f"figure:        {out / name}" in stdout


def test_run_writes_manifest(completed_run):
    out, _ = completed_run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == 1
    assert manifest["status"] == "completed"
    assert manifest["generations_done"] == 3
    assert manifest["error"] is None
    assert manifest["finished"]
    assert manifest["scenario"] == "sugar"
    assert manifest["seed"] == 1
    cfg = manifest["config"]
    assert cfg["run"]["generations"] == 3
    assert cfg["world"]["width"] == 16 and cfg["agents"]["population"] == 40
    assert [ev["generation"] for ev in manifest["shift_events"]] == [1]
    assert manifest["shift_events"][0]["kind"] == "superstimulus"
    assert manifest["shift_events"][0]["name"] == "sugar"


def test_run_writes_generation_table(completed_run):
    out, _ = completed_run
    gens = pd.read_parquet(out / "generations.parquet")
    assert len(gens) == 3
    assert gens["generation"].tolist() == [0, 1, 2]
    expected = ["generation", "n_agents", "survival", "lifespan_mean", "fitness_mean", "fitness_std",
                "fitness_max", "offspring_total", "selection_fallback", "planner_share", "nodes_mean",
                "L1_n", "L1_J_mean", "L1_spearman", "L1_pearson", "shifts_active", "sugar_level"]
    expected += [f"{p}_{f}" for f in FEATURES for p in ("corr", "spearman", "implied_w")]
    expected += [f"feat_{f}_mean" for f in FEATURES]
    expected += [f"gene_{g}_{s}" for g in GENES for s in ("mean", "std")]
    missing = sorted(set(expected) - set(gens.columns))
    assert not missing, missing
    assert (gens["n_agents"] == 40).all()
    # the superstimulus shift at generation 1 is in force from then on
    assert gens["shifts_active"].tolist() == ["", "sugar", "sugar"]
    assert gens["sugar_level"].tolist() == [0.0, 1.0, 1.0]
    assert ((gens["survival"] >= 0) & (gens["survival"] <= 1)).all()


def test_run_writes_entity_parts(completed_run):
    out, _ = completed_run
    parts = sorted((out / "entities").glob("part-*.parquet"))
    assert parts, "no entity parts written"
    ents = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    for col in ("generation", "entity_id", "level", "root_id", "parent_id", "architecture", "J", "fitness"):
        assert col in ents.columns
    # sugar records entities every 5 generations: of 0..2 only generation 0
    assert set(ents["generation"]) == {0}
    assert len(ents[ents["level"] == 1]) == 40
    assert parts[0].name == "part-000000.parquet"


def test_run_writes_figures(completed_run):
    out, _ = completed_run
    for name in FIGURES:
        assert is_png(out / name)


def test_run_no_plot_in_process(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "sugar", "--generations", "2", "--out", str(out), "--no-plot", "--seed", "5",
                 *TINY_SUGAR]) == 0
    stdout = capsys.readouterr().out
    assert "figure:" not in stdout
    assert not any((out / name).exists() for name in FIGURES)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "completed" and manifest["seed"] == 5


# --- plot --------------------------------------------------------------------------------------


def test_plot_into_other_directory(completed_run, tmp_path, capsys):
    run_dir, _ = completed_run
    target = tmp_path / "figs" / "nested"
    assert main(["plot", str(run_dir), "--out", str(target)]) == 0
    printed = capsys.readouterr().out.split()
    for name in FIGURES:
        assert is_png(target / name)
        assert str(target / name) in printed


def test_plot_into_run_directory(completed_run, tmp_path):
    # a copy of the run without figures: `plot` must write them next to the tables
    run_dir, _ = completed_run
    copy = tmp_path / "copy"
    (copy / "entities").mkdir(parents=True)
    for rel in ["manifest.json", "generations.parquet", *[str(p.relative_to(run_dir))
                                                            for p in (run_dir / "entities").iterdir()]]:
        (copy / rel).write_bytes((run_dir / rel).read_bytes())
    proc = mesaevo("plot", copy)
    assert proc.returncode == 0, proc.stderr
    for name in FIGURES:
        assert is_png(copy / name)
        assert str(copy / name) in proc.stdout


# --- user mistakes: exit 2, one error line, no traceback, nothing written ------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


BAD_CONFIG_CASES = {
    "unknown-scenario": (["sugr"], ["unknown scenario 'sugr'", "did you mean 'sugar'"]),
    "negative-width": (["sugar", "--set", "world.width=-1"], ["world.width"]),
    "zero-generations": (["sugar", "--generations", "0"], ["run.generations"]),
    "probability-above-one": (["sugar", "--set", "world.conception_prob=2"], ["world.conception_prob"]),
    "missing-config-file": (["nonexistent.toml"], ["nonexistent.toml", "does not exist"]),
    "override-without-value": (["sugar", "--set", "novalue"], ["novalue"]),
    "override-bad-index": (["sugar", "--set", "shifts.3.generation=1"], ["shifts.3.generation"]),
    "wrong-type": (["sugar", "--set", "world.width=abc"], ["world.width", "'abc'"]),
}


@pytest.mark.parametrize("case", list(BAD_CONFIG_CASES))
def test_bad_config_in_process(case, tmp_path, capsys):
    args, fragments = BAD_CONFIG_CASES[case]
    out = tmp_path / "run"
    assert main(["run", *args, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    err = assert_one_error_line(captured.err)
    for fragment in fragments:
        assert fragment in err
    assert captured.out == ""
    assert not out.exists()


def test_config_file_with_unknown_key(tmp_path, capsys):
    cfg = write(tmp_path / "mine.toml", "[world]\nwidht = 10\n")
    out = tmp_path / "run"
    assert main(["run", str(cfg), "--out", str(out)]) == 2
    err = assert_one_error_line(capsys.readouterr().err)
    assert "world.widht" in err
    assert "did you mean 'world.width'" in err
    assert not out.exists()


def test_config_file_reports_every_problem(tmp_path, capsys):
    cfg = write(tmp_path / "mine.toml", "[world]\nwidht = 10\n\n[agents]\npopulaton = 3\n\n[evolve]\n")
    out = tmp_path / "run"
    assert main(["run", str(cfg), "--out", str(out)]) == 2
    err = assert_one_error_line(capsys.readouterr().err)
    assert "world.widht" in err and "agents.populaton" in err and "'evolve'" in err
    assert "did you mean 'evolution'" in err
    assert not out.exists()


def test_config_file_broken_toml(tmp_path, capsys):
    cfg = write(tmp_path / "broken.toml", "[world\nwidth = = 3\n")
    out = tmp_path / "run"
    assert main(["run", str(cfg), "--out", str(out)]) == 2
    err = assert_one_error_line(capsys.readouterr().err)
    assert "broken.toml" in err and "not valid TOML" in err
    assert not out.exists()


def test_bad_config_subprocess_unknown_scenario(tmp_path):
    out = tmp_path / "run"
    proc = mesaevo("run", "sugr", "--out", out, *tiny_args())
    assert proc.returncode == 2
    assert_one_error_line(proc.stderr)
    assert "did you mean 'sugar'" in proc.stderr
    assert proc.stdout == ""
    assert not out.exists()


def test_bad_config_subprocess_mistyped_key_in_file(tmp_path):
    cfg = write(tmp_path / "mine.toml", "[world]\nwidht = 10\n")
    out = tmp_path / "run"
    proc = mesaevo("run", cfg, "--out", out)
    assert proc.returncode == 2
    assert_one_error_line(proc.stderr)
    assert "world.widht" in proc.stderr and "world.width" in proc.stderr
    assert not out.exists()


def test_run_shorter_than_its_shift_warns_and_runs(tmp_path):
    # `mesaevo run sugar --generations 4`: the shift at 100 is never reached: a warning, not a refusal
    out = tmp_path / "run"
    proc = mesaevo("run", "sugar", "--generations", "4", "--out", out, "--no-plot", *tiny_args())
    assert proc.returncode == 0, proc.stderr
    assert "shifts[0] 'sugar' at generation 100 is past the run's end" in proc.stderr
    assert "note:" in proc.stdout and "'sugar' at generation 100" in proc.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "completed" and manifest["generations_done"] == 4
    assert any("'sugar' at generation 100" in note for note in manifest["notes"])
    # stderr is a pipe: plain progress lines, no carriage-return redraws
    assert "\r" not in proc.stderr
    assert "sugar: generation 4/4 (100%)" in proc.stderr


def test_version_and_config_and_dry_run(tmp_path, capsys):
    from importlib import metadata

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"mesaevo {metadata.version('mesaevo')}"
    assert main(["config", "sugar", "--generations", "50", "--set", "agents.population=30"]) == 0
    captured = capsys.readouterr()
    import tomllib

    data = tomllib.loads(captured.out)
    assert data["run"]["generations"] == 50 and data["agents"]["population"] == 30
    assert data["shifts"][0]["kind"] == "superstimulus"
    assert "past the run's end" in captured.err
    sweep = write(tmp_path / "sw.toml", 'base = "sugar"\nseeds = 2\ngenerations = 4\n'
                  '[grid]\n"shifts.0.generation" = [1, 2]\n')
    assert main(["sweep", str(sweep), "--dry-run", "--out", str(tmp_path / "out")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("sweep sw: 4 runs of sugar")
    assert "s001-seed1  seed 1  shifts.0.generation=2" in lines[-1]
    assert not (tmp_path / "out").exists()
    assert main(["validate", str(sweep)]) == 0
    assert "valid sweep (sw: base sugar, 2 settings x 2 seeds = 4 runs)" in capsys.readouterr().out


def test_did_you_mean_only_when_close(capsys, tmp_path):
    assert main(["run", "sugar", "--set", "generations=5", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'run.generations'" in err and "'agents'" not in err


def test_quiet_prints_no_progress(tmp_path, capsys):
    assert main(["run", "sugar", "-q", "--generations", "2", "--out", str(tmp_path / "r"), "--no-plot",
                 *TINY_SUGAR]) == 0
    assert "generation 2/2" not in capsys.readouterr().err


def test_run_into_directory_holding_a_run(completed_run):
    out, _ = completed_run
    before = (out / "manifest.json").read_bytes()
    proc = mesaevo("run", "sugar", "--generations", "3", "--out", out, *TINY_SUGAR)
    assert proc.returncode == 2
    assert_one_error_line(proc.stderr)
    assert "already holds a run" in proc.stderr and str(out) in proc.stderr
    assert (out / "manifest.json").read_bytes() == before  # the earlier run is untouched


def test_run_into_non_empty_directory(tmp_path, capsys):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["run", "sugar", "--generations", "3", "--out", str(out), *TINY_SUGAR]) == 2
    err = assert_one_error_line(capsys.readouterr().err)
    assert "not an empty directory" in err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_run_into_empty_existing_directory_is_fine(tmp_path, capsys):
    out = tmp_path / "empty"
    out.mkdir()
    assert main(["run", "sugar", "--generations", "2", "--out", str(out), "--no-plot", *TINY_SUGAR]) == 0
    assert json.loads((out / "manifest.json").read_text())["status"] == "completed"


def test_plot_missing_directory(tmp_path, capsys):
    missing = tmp_path / "nothere"
    assert main(["plot", str(missing)]) == 2
    err = assert_one_error_line(capsys.readouterr().err)
    assert str(missing) in err
    assert not missing.exists()


def test_plot_missing_directory_subprocess(tmp_path):
    proc = mesaevo("plot", tmp_path / "nothere")
    assert proc.returncode == 2
    assert_one_error_line(proc.stderr)
    assert "manifest.json" in proc.stderr


def test_plot_corrupt_manifest(tmp_path, capsys):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "manifest.json").write_text("{not json")
    assert main(["plot", str(run_dir)]) == 2
    assert_one_error_line(capsys.readouterr().err)


def test_sweep_through_a_pipe_is_quiet_and_line_by_line(tmp_path):
    # Dask's INFO logs only at -v; stderr a pipe: one plain line per finished run, no carriage returns
    sweep = write(tmp_path / "sw.toml", 'base = "sugar"\nseeds = 1\ngenerations = 2\n[set]\n'
                  + "".join(f'"{a.split("=")[0]}" = {a.split("=")[1]}\n' for a in tiny_args()[1::2])
                  + '[grid]\n"shifts.0.generation" = [1]\n')
    proc = mesaevo("sweep", sweep, "--workers", "1", "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert "INFO" not in proc.stderr and "\r" not in proc.stderr
    assert "sw: run 1/1 s000-seed0 completed" in proc.stderr
    assert "runs:            1 completed" in proc.stdout


def test_freeze_past_the_end_warns_and_runs(tmp_path, capsys):
    # like a shift past the end: a warning, a manifest note, and the run goes on (all of it online)
    out = tmp_path / "run"
    assert main(["run", "sugar", "-q", "--generations", "2", "--freeze-at", "5", "--out", str(out), "--no-plot",
                 *TINY_SUGAR]) == 0
    out_text = capsys.readouterr().out  # the summary's notes (the warning itself is logged)
    assert "note:" in out_text and "deployment.freeze_at = 5 is past the run's end (run.generations = 2)" in out_text
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "completed" and manifest["generations_done"] == 2
    assert any("freeze_at = 5 is past the run's end" in note for note in manifest["notes"])


def test_set_appends_a_shift(capsys):
    import tomllib

    assert main(["config", "sugar", "--set", 'shifts+={kind = "scarcity", generation = 150, name = "famine"}',
                 "--set", "shifts.1.until=180"]) == 0
    shifts = tomllib.loads(capsys.readouterr().out)["shifts"]
    assert [(s["kind"], s["generation"]) for s in shifts] == [("superstimulus", 100), ("scarcity", 150)]
    assert shifts[1]["name"] == "famine" and shifts[1]["until"] == 180
    # ancestral has no shifts: += starts the list
    assert main(["config", "ancestral", "--set", 'shifts+={kind = "scarcity", generation = 3}']) == 0
    assert tomllib.loads(capsys.readouterr().out)["shifts"][0]["generation"] == 3
    # appending to something that is not a list is one error line
    assert main(["config", "sugar", "--set", "world.width+=3"]) == 2
    assert_one_error_line(capsys.readouterr().err)


def test_shell_completion(tmp_path, capsys):
    assert main(["--print-completion", "bash"]) == 0
    script = capsys.readouterr().out
    assert "_shtab_mesaevo_subparsers=(run resume validate plot report sweep experiment config fit-objective infer scenarios)" in script
    (tmp_path / "mesaevo.bash").write_text(script)
    # complete "mesaevo rep" and "mesaevo plot RUN --kind " in a real bash with the script sourced
    probe = ('source mesaevo.bash; complete_line() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); '
             '_shtab_mesaevo mesaevo "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"; echo "${COMPREPLY[*]}"; }; '
             'complete_line mesaevo rep; complete_line mesaevo plot runs/x --kind ""; '
             'complete_line mesaevo report runs/x --')
    proc = subprocess.run(["bash", "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "report"
    assert lines[1].split() == ["levels", "proxies", "genes", "weights", "competence", "tree", "maze", "all"]
    assert {"--static", "--window", "--n-boot", "--out"} <= set(lines[2].split())
    assert main(["--print-completion", "zsh"]) == 0
    assert "#compdef mesaevo" in capsys.readouterr().out


def test_output_piped_into_head_stops_quietly():
    """A reader that has closed the pipe (``mesaevo ... | head -1``) ends mesaevo without a traceback, with exit
    status 141 as Unix tools do. The read end is closed before the child starts, so its first write fails."""
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([sys.executable, "-m", "evo.cli", "--print-completion", "bash"], cwd=ROOT,
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert proc.returncode == 141
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr
