"""The HTML report (content, sweep, unfinished runs), the `report` and `plot --kind` commands,
and the report opened in headless Chromium: no console errors, every image loaded."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis import build_report, load_run, load_runs, write_report
from evo import Simulation
from evo.cli import main
from tests.conftest import TINY

SHIFT = 3
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    """Two tiny sugar runs (seeds 1, 2), shift at generation 3, every entity recorded."""
    root = tmp_path_factory.mktemp("report_sweep")
    for seed in (1, 2):
        overrides = {**TINY, "record.entity_every": 1, "shifts.0.generation": SHIFT}
        Simulation.from_scenario("sugar", overrides, seed=seed, generations=6,
                                 out=root / f"seed{seed}").run()
    return root


@pytest.fixture(scope="module")
def single_report(sweep, tmp_path_factory) -> Path:
    return write_report(sweep / "seed1", tmp_path_factory.mktemp("rep") / "run.html", n_boot=100,
                        window=3)


@pytest.fixture(scope="module")
def sweep_report(sweep, tmp_path_factory) -> Path:
    return write_report(sweep, tmp_path_factory.mktemp("rep") / "sweep.html", n_boot=100, window=3)


def images(text: str) -> list[str]:
    return re.findall(r'<img [^>]*src="([^"]*)"', text)


def test_single_run_report_content(single_report, sweep):
    text = single_report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    srcs = images(text)
    assert len(srcs) == 5  # levels, proxies, genes, weights, tree (no level 2: no competence figure)
    assert all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "http://" not in text and "https://" not in text  # nothing fetched
    assert "Before and after each shift" in text
    assert re.search(r"<td>sugar</td>\s*<td>3</td>\s*<td>level 1</td>", text)
    assert "no level 2 in this run" not in text and "Competence regimes" not in text  # not applicable: left out
    assert '<div class="card" id="summary">' in text and "Glossary" in text
    assert "Level 1</div><div>entities: <strong>40</strong>" in text  # one panel per level
    assert "sugar_level = 1.0" in text  # the config as TOML
    assert "Config against its scenario (sugar)" in text and "<td>shifts.0.generation</td>" in text
    assert "&quot;generations_done&quot;: 6" in text  # the manifest
    assert 'class="warning"' not in text


def test_sweep_report_content(sweep_report):
    text = sweep_report.read_text(encoding="utf-8")
    assert "Setting sugar: 2 runs (seeds 1, 2)" in text  # only the seed differs: one setting
    assert "Before and after each shift, across seeds" in text and "Student t intervals across seeds" in text
    assert len(images(text)) == 3  # L1_spearman, fitness_mean, one proxy across runs
    assert "seed1" in text and "seed2" in text


def test_unfinished_run_report_says_so(sweep, tmp_path):
    copy = tmp_path / "running"
    shutil.copytree(sweep / "seed1", copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest.update(status="running", generations_done=4)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    run = load_run(copy)
    assert run.status == "running"
    text = build_report(run, n_boot=50, window=3)
    assert 'class="warning"' in text and "<strong>running</strong>" in text
    assert "4 generations written" in text


def test_report_command(sweep, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(sweep / "seed2", copy)
    assert main(["report", str(copy), "--n-boot", "50", "--window", "2"]) == 0
    assert capsys.readouterr().out.strip() == str(copy / "report.html")
    assert (copy / "report.html").read_text().count("<img ") == 5


@pytest.mark.parametrize("argv,message", [
    (["report", "{tmp}/missing"], "error: no run at"),
    (["report", "{tmp}"], "error: no run at"),
    (["report", "{run}", "--window", "0"], "error: --window"),
    (["plot", "{run}", "--kind", "bogus"], "error: mesaevo plot: argument --kind: invalid choice: 'bogus'"),
    (["plot", "{run}", "--format", "gif"], "error: mesaevo plot: argument --format: invalid choice: 'gif'"),
    (["plot", "{tmp}/missing", "--kind", "genes"], "error: no run at"),
])
def test_user_mistakes_one_error_line(sweep, tmp_path, capsys, argv, message):
    argv = [a.format(tmp=tmp_path, run=sweep / "seed1") for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(message)
    assert not list(tmp_path.iterdir())  # nothing written


def test_plot_kinds_and_formats(sweep, tmp_path, capsys):
    assert main(["plot", str(sweep / "seed1"), "--kind", "genes", "--kind", "tree",
                 "--format", "svg", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(tmp_path / "gene_trajectories.svg"), str(tmp_path / "agent_tree.svg")]
    assert (tmp_path / "agent_tree.svg").read_text().lstrip().startswith("<?xml")


# --- headless Chromium ---------------------------------------------------------------------------


def open_in_chromium(page: Path, profile: Path) -> tuple[str, list[str]]:
    """The DOM after load and the page's console messages (Chromium logs them as CONSOLE lines)."""
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
           "--virtual-time-budget=5000", "--dump-dom", page.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [ln for ln in proc.stderr.splitlines() if ":CONSOLE" in ln]
    return proc.stdout, console


def image_check(dom: str) -> tuple[int, int, str]:
    m = re.search(r'id="image-check" data-images="(\d+)" data-loaded="(\d+)">([^<]*)<', dom)
    assert m, "the page's load script did not run"
    return int(m.group(1)), int(m.group(2)), m.group(3)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_reports_open_in_chromium(single_report, sweep_report, tmp_path):
    for page in (single_report, sweep_report):
        dom, console = open_in_chromium(page, tmp_path / "profile")
        total, loaded, text = image_check(dom)
        expected = len(images(page.read_text(encoding="utf-8")))
        assert total == loaded == expected > 0, text
        assert text.startswith("images-ok")
        assert console == []


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_chromium_check_catches_broken_images_and_console_errors(single_report, tmp_path):
    # negative control: the same check must fail on a page with a corrupt image and a script error
    text = single_report.read_text(encoding="utf-8")
    text = text.replace("data:image/png;base64,", "data:image/png;base64,AAAA", 1)
    text = text.replace("</body>", "<script>console.error('broken on purpose');</script></body>")
    page = tmp_path / "broken.html"
    page.write_text(text, encoding="utf-8")
    dom, console = open_in_chromium(page, tmp_path / "profile")
    total, loaded, status = image_check(dom)
    assert loaded == total - 1 and status.startswith("images-missing")
    assert any("broken on purpose" in ln for ln in console)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_hostile_manifest_runs_no_script_in_chromium(tmp_path):
    # manifest values written by anyone: shown as text, never run (an alert or a broken
    # image would show as a console message or a failed image check)
    from tests.test_analysis_hardening import hostile_run

    page = tmp_path / "hostile.html"
    page.write_text(build_report(hostile_run(), n_boot=10), encoding="utf-8")
    dom, console = open_in_chromium(page, tmp_path / "profile")
    total, loaded, text = image_check(dom)
    assert total == loaded > 0 and text.startswith("images-ok")
    assert console == []
    assert dom.count("<script") == 1 and "<img src=x" not in dom and "<b>bold</b>" not in dom


def test_report_of_nested_levels_has_competence_and_alignment():
    # level-2 data does not come from the simulation yet: a synthetic run in the documented schema
    import pandas as pd

    from analysis import RunTables
    from tests.test_analysis_figures import nested_entities

    gens = pd.DataFrame({"generation": [4, 5], "L1_spearman": [0.2, 0.3],
                         "L2_spearman": [0.1, 0.0], "L2_cosine_parent": [0.7, 0.65],
                         "L2_plan_agreement": [0.5, 0.4], "L2_cosine_root": [0.6, 0.55]})
    run = RunTables(Path("nested"), {"scenario": "nested", "status": "completed"}, gens,
                    nested_entities())
    text = build_report(run, n_boot=50)
    assert 'alt="Misalignment by builder competence."' in text
    assert "no level 2 in this run" not in text and "<td>0.650</td>" in text  # alignment table
    assert "Before and after each shift" not in text  # no shift: the section is left out
    assert len(images(text)) == 6


def test_sweep_report_groups_by_setting_with_interval_across_seeds(tmp_path):
    # a sweep of 2 settings x 2 seeds: two groups, each named by its swept key, t interval across seeds
    from concurrent.futures import ThreadPoolExecutor

    from evo.sweep import build_sweep, run_sweep

    spec = {"name": "two", "base": "sugar", "seeds": [1, 2], "generations": 6,
            "set": {k: v for k, v in TINY.items() if k != "run.generations"},
            "grid": {"shifts.0.generation": [2, 3]}}
    with ThreadPoolExecutor(1) as pool:
        manifest = run_sweep(build_sweep(spec), tmp_path / "sw", client=pool)
    assert manifest["status"] == "completed"
    text = build_report(load_runs(tmp_path / "sw"), n_boot=50, window=2)
    groups = re.findall(r'<h2 class="setting">([^<]*)</h2>', text)
    assert groups == ["Setting shifts.0.generation=2: 2 runs (seeds 1, 2)",
                      "Setting shifts.0.generation=3: 2 runs (seeds 1, 2)"]
    assert text.count("Before and after each shift, across seeds") == 2
    # the headline rows of the summary card name the setting and carry an interval [lo, hi]
    card = text[text.index('id="summary"'):text.index("Glossary")]
    assert "shifts.0.generation=2" in card and "shifts.0.generation=3" in card
    assert re.search(r"<td>-?\d\.\d{3} \[-?\d\.\d{3}, -?\d\.\d{3}\]</td>", card), card
    assert "t interval across seeds" in card
