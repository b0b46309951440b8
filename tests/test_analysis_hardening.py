"""analysis as one house: its layering (no evo/worlds/agents, no matplotlib on the load path),
its seeding scheme, and what it does with hostile or broken run directories and output paths."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

import analysis
from analysis import RunFormatError, RunNotFoundError, RunTables, build_report, load_run, write_report
from analysis.bootstrap import PURPOSES, stream
from analysis.figure_style import SHIFT_GID
from analysis.figures import FIGURE_KINDS, save_figures
from analysis.metrics import level_correlations, proxy_correlations
from analysis.sweep_load import load_sweep
from evo.cli import main

ROOT = Path(__file__).resolve().parents[1]
ANALYSIS = ROOT / "analysis"
HOSTILE_NAMES = ("$$", "$x^$", r"$\alpha", "<script>alert(1)</script>")


# --- layering ------------------------------------------------------------------------------------


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("module", sorted(p.name for p in ANALYSIS.glob("*.py")))
def test_analysis_never_imports_the_simulation(module):
    assert not imported_modules(ANALYSIS / module) & {"evo", "worlds", "agents"}


def test_importing_analysis_and_its_loader_leaves_out_matplotlib():
    code = ("import sys, analysis, analysis.load, analysis.sweep_load; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('matplotlib', 'evo', 'worlds', 'agents')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_figure_and_report_names_load_on_first_access():
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None, name
    assert analysis.save_figures is save_figures
    assert set(analysis.__all__) <= set(dir(analysis))
    with pytest.raises(AttributeError, match="no attribute 'tree_figure'"):
        analysis.tree_figure  # noqa: B018 (merged into nested_tree_figure)


# --- seeding ---------------------------------------------------------------------------------------


def test_streams_are_seed_sequences_with_a_purpose_and_coordinates():
    a = stream(3, "level", 4, 1).random(4)
    b = np.random.default_rng(np.random.SeedSequence(3, spawn_key=(PURPOSES["level"], 4, 1))).random(4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, stream(3, "proxy", 4, 1).random(4))
    assert len(set(PURPOSES.values())) == len(PURPOSES)
    with pytest.raises(ValueError, match="non-negative"):
        stream(0, "level", -1)
    assert "crc32" not in (ANALYSIS / "metrics.py").read_text() and "zlib" not in (ANALYSIS / "metrics.py").read_text()


def synthetic_entities(n_gen: int = 3, n: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    frames = []
    for g in range(n_gen):
        taste = rng.normal(size=n)
        frames.append(pd.DataFrame({
            "generation": g, "entity_id": np.arange(n) + g * n, "level": 1, "root_id": np.arange(n) + g * n,
            "parent_id": -1, "J": taste + rng.normal(size=n), "fitness": taste + rng.normal(size=n),
            "taste": taste, "w_taste": 1.0, "pain": rng.normal(size=n), "w_pain": -1.0}))
        frames[-1]["root_fitness"] = frames[-1]["fitness"]
    return pd.concat(frames, ignore_index=True)


def test_an_interval_depends_only_on_what_it_is_an_interval_of():
    ents = synthetic_entities()
    whole = RunTables(Path("."), {}, pd.DataFrame(), ents)
    part = RunTables(Path("."), {}, pd.DataFrame(), ents[ents["generation"] == 2])
    last = level_correlations(whole, n_boot=200, seed=9).iloc[[-1]].reset_index(drop=True)
    pd.testing.assert_frame_equal(last, level_correlations(part, n_boot=200, seed=9))
    other = level_correlations(whole, n_boot=200, seed=10).iloc[[-1]].reset_index(drop=True)
    assert (other["lo"] != last["lo"]).any() or (other["hi"] != last["hi"]).any()
    proxies = proxy_correlations(whole, n_boot=200, seed=9)
    assert list(dict.fromkeys(proxies["feature"])) == ["taste", "pain"]
    assert proxies.groupby("feature")["lo"].apply(lambda s: s.notna().all()).all()


# --- broken run directories ------------------------------------------------------------------------


def write_run(path: Path, manifest: object, generations: pd.DataFrame | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "manifest.json").write_text(manifest if isinstance(manifest, str) else json.dumps(manifest))
    if generations is not None:
        generations.to_parquet(path / "generations.parquet")
    return path


def small_generations() -> pd.DataFrame:
    return pd.DataFrame({"generation": [0, 1, 2], "L1_spearman": [0.1, 0.2, 0.3],
                         "L1_pearson": [0.1, 0.1, 0.2], "corr_taste": [0.3, 0.2, 0.1],
                         "fitness_mean": [1.0, 2.0, 3.0]})


@pytest.mark.parametrize("manifest,message", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("[1, 2]", "expected a JSON object, found list"),
    ('"just a string"', "expected a JSON object"),
    ("{not json", "cannot read"),
])
def test_unreadable_manifest_is_a_format_error(tmp_path, manifest, message):
    run = write_run(tmp_path / "run", manifest)
    with pytest.raises(RunFormatError, match=message) as info:
        load_run(run)
    assert "manifest.json" in str(info.value)


@pytest.mark.parametrize("table", ["generations.parquet", "entities/part-00000.parquet"])
def test_table_that_is_not_parquet_is_a_format_error_naming_the_file(tmp_path, table):
    run = write_run(tmp_path / "run", {"scenario": "s", "status": "completed"}, small_generations())
    (run / table).parent.mkdir(exist_ok=True)
    (run / table).write_text("this is not parquet")
    with pytest.raises(RunFormatError, match="not a readable parquet table") as info:
        load_run(run)
    assert table.split("/")[-1] in str(info.value)


def test_generation_table_alone_leaves_the_entity_records_unread(tmp_path):
    """A verdict or a sweep table reads only the generation table: an entity part it would choke on is
    never opened, and the manifest is still checked."""
    from analysis.load import load_generations

    run = write_run(tmp_path / "run", {"scenario": "s", "status": "completed"}, small_generations())
    (run / "entities").mkdir()
    (run / "entities" / "part-00000.parquet").write_text("this is not parquet")
    pd.testing.assert_frame_equal(load_generations(run), small_generations())
    with pytest.raises(RunFormatError, match="not a readable parquet table"):
        load_run(run)
    with pytest.raises(RunFormatError, match="expected a JSON object"):
        load_generations(write_run(tmp_path / "bad", "[1, 2]", small_generations()))


def test_malformed_manifest_fields_do_not_break_figures(tmp_path):
    manifest = {"scenario": "s", "status": "completed", "shift_events": ["oops", {"generation": "x"}, 3,
                {"generation": 1, "name": "ok"}], "config": "not an object"}
    run = load_run(write_run(tmp_path / "run", manifest, small_generations()))
    assert run.shift_events == [{"generation": "x"}, {"generation": 1, "name": "ok"}]
    paths = save_figures(run, ["all"], tmp_path / "out", n_boot=10)
    assert len(paths) == len(FIGURE_KINDS) - 1  # every kind but the maze's
    ax = FIGURE_KINDS["levels"].draw(run, 10, 0).axes[0]
    assert [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_gid() == SHIFT_GID] == [1]
    text = build_report(run, n_boot=10, window=1)
    assert re.search(r"<td>ok</td>\s*<td>1</td>", text) and "<td>x</td>" not in text


def test_sweep_manifest_with_wrong_shape_is_a_format_error(tmp_path):
    (tmp_path / "sweep.json").write_text(json.dumps({"runs": {"id": 1}}))
    with pytest.raises(RunFormatError, match='"runs" must be a list'):
        load_sweep(tmp_path)
    (tmp_path / "sweep.json").write_text("[" * 100_000)
    with pytest.raises(RunFormatError, match="sweep.json"):
        load_sweep(tmp_path)


def test_find_runs_looks_a_bounded_depth_down(tmp_path):
    write_run(tmp_path / "a" / "b" / "c" / "run", {"scenario": "deep"})
    with pytest.raises(RunNotFoundError, match="up to 2 levels"):
        analysis.find_runs(tmp_path)
    assert analysis.find_runs(tmp_path / "a" / "b") == [tmp_path / "a" / "b" / "c" / "run"]


# --- hostile values ---------------------------------------------------------------------------------


def hostile_run(path: Path = Path("hostile")) -> RunTables:
    manifest = {"scenario": "<b>bold</b>$x^$", "status": "<script>alert('status')</script>",
                "seed": "<script>alert(1)</script>", "generations_done": "<img src=x onerror=alert(2)>",
                "shift_events": [{"generation": 1, "name": n} for n in HOSTILE_NAMES],
                "config": {"note": "</pre><script>alert(3)</script>"}}
    return RunTables(path, manifest, small_generations(), pd.DataFrame())


def assert_no_live_markup(text: str) -> None:
    # plotly.js (embedded once, inline) is the library's own text: set aside before looking for markup
    library = re.findall(r"<script>/\*\*\n\* plotly\.js v.*?</script>", text, flags=re.S)
    assert len(library) <= 1
    text = text.replace(library[0], "") if library else text
    figures = re.findall(r"<script>\(function \(\) \{ var f = (.*?); Plotly\.newPlot", text, flags=re.S)
    assert all("<" not in spec and ">" not in spec for spec in figures)  # figure JSON: no markup can close it
    assert text.count("<script") == 1 + len(figures)  # the page's own image check, one per figure
    assert "alert(" not in text.split("<script>")[-1]
    assert "<img src=x" not in text and "onerror=alert" not in text.replace("onerror=alert(2)&gt;", "")
    assert "<b>" not in text and "</pre><script>" not in text
    for tag in text.split("<img ")[1:]:
        assert tag.split(">")[0].split('src="')[1].startswith("data:image/png;base64,")


def test_report_escapes_every_value_from_the_manifest():
    text = build_report(hostile_run(), n_boot=10)
    assert_no_live_markup(text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # the seed is shown, as text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text  # generations_done too (run is not completed)
    assert "&lt;b&gt;bold&lt;/b&gt;$x^$" in text


def test_report_of_hostile_runs_over_a_sweep(tmp_path):
    for i in (1, 2):
        run = hostile_run()
        write_run(tmp_path / f"r{i}", {**run.manifest, "status": "completed"}, small_generations())
    text = write_report(tmp_path, n_boot=10).read_text(encoding="utf-8")
    assert_no_live_markup(text)


def test_user_strings_in_figures_are_plain_text(tmp_path):
    run = hostile_run(tmp_path)
    paths = save_figures(run, ["all"], tmp_path, n_boot=10)  # math text "$x^$" would fail to draw
    assert len(paths) == len(FIGURE_KINDS) - 1
    fig = FIGURE_KINDS["levels"].draw(run, 10, 0)
    texts = {t.get_text(): t for t in fig.findobj(Text)}
    for name in HOSTILE_NAMES:
        assert not texts[f" {name}"].get_parse_math()
    assert any("$x^$" in t and not texts[t].get_parse_math() for t in texts)
    svg = save_figures(run, ["proxies"], tmp_path / "svg", "svg", n_boot=10)[0].read_text()
    assert "<script" not in svg


# --- output paths ------------------------------------------------------------------------------------


@pytest.fixture()
def plain_run(tmp_path) -> Path:
    return write_run(tmp_path / "run", {"scenario": "s", "status": "completed", "seed": 1}, small_generations())


def one_error_line(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), captured.err
    assert "Traceback" not in captured.err
    return err[0]


def test_report_of_the_root_directory_is_one_error_line(capsys):
    assert "a filesystem root is not searched" in one_error_line(capsys, ["report", "/"])
    assert "no run at /" in one_error_line(capsys, ["plot", "/"])


def test_report_into_a_directory_is_one_error_line(plain_run, tmp_path, capsys):
    assert "is a directory" in one_error_line(capsys, ["report", str(plain_run), "--out", "/"])
    assert "is a directory" in one_error_line(capsys, ["report", str(plain_run), "--out", str(tmp_path)])
    assert not (plain_run / "report.html").exists()


def test_plot_into_a_file_or_onto_a_directory_is_one_error_line(plain_run, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("keep me")
    assert "is a file" in one_error_line(capsys, ["plot", str(plain_run), "--out", str(blocker)])
    assert blocker.read_text() == "keep me"
    (plain_run / "level_correlation.png").mkdir()
    assert "is a directory" in one_error_line(capsys, ["plot", str(plain_run)])


@pytest.mark.parametrize("manifest", ["[" * 100_000, "[]"])
def test_broken_run_through_the_cli_is_one_error_line(tmp_path, capsys, manifest):
    run = write_run(tmp_path / "run", manifest)
    assert "manifest.json" in one_error_line(capsys, ["report", str(run)])
    assert "manifest.json" in one_error_line(capsys, ["plot", str(run)])


def test_not_parquet_through_the_cli_is_one_error_line(plain_run, capsys):
    (plain_run / "generations.parquet").write_bytes(b"PAR1 but not really")
    assert "generations.parquet" in one_error_line(capsys, ["report", str(plain_run)])


def test_writes_replace_a_symlink_instead_of_following_it(plain_run, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("outside the run")
    for name in ("report.html", "level_correlation.png"):
        os.symlink(victim, plain_run / name)
    report = write_report(plain_run, n_boot=10)
    figures = save_figures(plain_run, ["levels"], n_boot=10)
    assert victim.read_text() == "outside the run"
    for path in (report, *figures):
        assert not path.is_symlink() and path.stat().st_size > 0
    assert (plain_run / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(plain_run.glob(".*.tmp"))
