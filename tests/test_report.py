"""The HTML report (content, sweep, unfinished runs, interactive and static figures), the `report`
and `plot --kind` commands, and the report opened in headless Chromium: no console errors, every
image loaded and every interactive figure drawn, with the network cut off; the summary card above
the fold of a 1280x800 window."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

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


def plots(text: str) -> list[str]:
    """Ids of the interactive (plotly) figures."""
    return re.findall(r'<div id="([^"]+)" class="plotly-graph-div[^"]*"', text)


def scripts(text: str) -> list[str]:
    return re.findall(r"<script([^>]*)>(.*?)</script>", text, flags=re.S)


def external_references(text: str) -> list[str]:
    """src/href values of tags that a browser fetches on opening the page and that are not inline data."""
    refs = re.findall(r'<(?:script|link|img|iframe|source|embed|object)\b[^>]*?\b(?:src|href|data)\s*=\s*["\']?([^"\' >]+)',
                      text, flags=re.I)
    return [r for r in refs if not r.startswith("data:")]


def plotly_libraries(text: str) -> int:
    """How many copies of plotly.js the page embeds."""
    return sum("plotly.js v" in body[:300] for _, body in scripts(text))


def test_single_run_report_content(single_report, sweep):
    text = single_report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    srcs = images(text)
    assert len(srcs) == 2  # genes, weights (no sub-agents: no tree, no competence figure)
    assert all(s.startswith("data:image/png;base64,") for s in srcs)
    assert plots(text) == ["figure-1", "figure-2"]  # levels with entity counts, proxies: interactive
    assert plotly_libraries(text) == 1 and external_references(text) == []  # plotly.js inline, once
    assert all(not attrs.strip() for attrs, _ in scripts(text))  # no <script src=...>
    assert "Before and after each shift" in text
    assert re.search(r"<td>sugar</td>\s*<td>3</td>\s*<td>level 1</td>", text)
    assert "no level 2 in this run" not in text and "Competence regimes" not in text  # not applicable: left out
    assert "Nested tree" not in text
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
    assert len(plots(text)) == 3 and images(text) == []  # L1_spearman, fitness_mean, one proxy across runs
    assert plotly_libraries(text) == 1
    assert "Settings compared" not in text  # one setting: nothing to compare
    assert "seed1" in text and "seed2" in text


def test_static_report_draws_every_figure_as_png(sweep, single_report):
    text = build_report(load_runs(sweep / "seed1"), n_boot=50, window=3, interactive=False)
    assert len(images(text)) == 4 and plots(text) == []  # levels, proxies, genes, weights
    assert plotly_libraries(text) == 0 and len(scripts(text)) == 1  # only the image check
    assert len(text) < single_report.stat().st_size / 4  # no plotly.js: a much smaller file


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
    text = (copy / "report.html").read_text()
    assert text.count("<img ") == 2 and len(plots(text)) == 2
    assert main(["report", str(copy), "--n-boot", "50", "--window", "2", "--static",
                 "--out", str(tmp_path / "static.html")]) == 0
    text = (tmp_path / "static.html").read_text()
    assert text.count("<img ") == 4 and plots(text) == []


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


#: The window of the above-the-fold checks.
WINDOW = (1280, 800)
#: Chromium with no network: every host name unresolvable and every request sent to a closed port.
OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]
#: The left border of the summary card (report._CSS: #2a6ebb).
CARD_BORDER = (0x2a, 0x6e, 0xbb)


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
           f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", f"--window-size={WINDOW[0]},{WINDOW[1]}",
           "--virtual-time-budget=5000", *OFFLINE, *args, page.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def open_in_chromium(page: Path, profile: Path) -> tuple[str, list[str]]:
    """The DOM after load and the page's console messages (Chromium logs them as CONSOLE lines),
    opened with the network cut off (:data:`OFFLINE`)."""
    proc = chromium(page, profile, "--dump-dom")
    console = [ln for ln in proc.stderr.splitlines() if ":CONSOLE" in ln]
    return proc.stdout, console


def image_check(dom: str) -> tuple[int, int, str]:
    m = re.search(r'id="image-check"[^>]*? data-images="(\d+)" data-loaded="(\d+)"[^>]*>([^<]*)<', dom)
    assert m, "the page's load script did not run"
    return int(m.group(1)), int(m.group(2)), m.group(3)


def check_attribute(dom: str, name: str) -> int:
    m = re.search(rf'id="image-check"[^>]* data-{name}="(\d+)"', dom)
    assert m, f"no data-{name} on #image-check"
    return int(m.group(1))


def card_pixels_above_fold(page: Path, tmp_path: Path) -> int:
    """Rows of a {WINDOW} screenshot that show the summary card's left border."""
    from matplotlib.image import imread

    shot = tmp_path / "shot.png"
    chromium(page, tmp_path / "profile", f"--screenshot={shot}")
    pixels = (imread(shot)[..., :3] * 255).round().astype(int)
    assert pixels.shape[:2] == (WINDOW[1], WINDOW[0])
    border = (abs(pixels - CARD_BORDER).max(axis=-1) <= 8)
    return int(border.any(axis=1).sum())


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_reports_open_in_chromium(single_report, sweep_report, tmp_path):
    for page in (single_report, sweep_report):
        dom, console = open_in_chromium(page, tmp_path / "profile")
        total, loaded, text = image_check(dom)
        source = page.read_text(encoding="utf-8")
        assert total == loaded == len(images(source)), text
        assert check_attribute(dom, "plots") == check_attribute(dom, "drawn") == len(plots(source)) > 0, text
        assert text.startswith("images-ok")
        assert console == []
        assert check_attribute(dom, "visible") == 0  # the check's line is for tests: hidden from the reader
    dom, _ = open_in_chromium(single_report, tmp_path / "profile")
    assert 0 < check_attribute(dom, "figure-top") < WINDOW[1]  # a figure on the first screen


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_figures_need_no_network_and_the_check_sees_a_missing_library(single_report, tmp_path):
    # negative control: plotly.js from a CDN instead of inline; with the network cut off no figure draws
    text = single_report.read_text(encoding="utf-8")
    library = next(body for _, body in scripts(text) if "plotly.js v" in body[:300])
    page = tmp_path / "cdn.html"
    page.write_text(text.replace(f"<script>{library}</script>",
                                 '<script src="https://cdn.plot.ly/plotly-3.1.0.min.js"></script>'), encoding="utf-8")
    assert external_references(page.read_text(encoding="utf-8")) == ["https://cdn.plot.ly/plotly-3.1.0.min.js"]
    dom, _ = open_in_chromium(page, tmp_path / "profile")
    assert check_attribute(dom, "drawn") == 0 < check_attribute(dom, "plots")
    assert image_check(dom)[2].startswith("images-missing")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_summary_card_is_above_the_fold(single_report, sweep_report, tmp_path):
    for page in (single_report, sweep_report):
        dom, _ = open_in_chromium(page, tmp_path / "profile")
        assert 0 < check_attribute(dom, "card-bottom") <= WINDOW[1]  # measured by the page: the whole card
        assert card_pixels_above_fold(page, tmp_path) >= 100  # and seen in a screenshot: its border, 100+ rows
    # negative control: the same card pushed below the fold is neither measured nor seen there
    text = single_report.read_text(encoding="utf-8")
    page = tmp_path / "pushed.html"
    page.write_text(text.replace('<div class="card" id="summary">',
                                 '<div style="height:900px"></div><div class="card" id="summary">', 1), encoding="utf-8")
    dom, _ = open_in_chromium(page, tmp_path / "profile")
    assert check_attribute(dom, "card-bottom") > WINDOW[1]
    assert card_pixels_above_fold(page, tmp_path) == 0


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_chromium_check_catches_broken_images_and_console_errors(single_report, tmp_path):
    # negative control: the same check must fail on a page with a corrupt image and a script error
    text = single_report.read_text(encoding="utf-8")
    text = text.replace('<img alt="Population means of the genes." src="data:image/png;base64,',
                        '<img alt="Population means of the genes." src="data:image/png;base64,AAAA', 1)
    text = text.replace("</body>", "<script>console.error('broken on purpose');</script></body>")
    page = tmp_path / "broken.html"
    page.write_text(text, encoding="utf-8")
    dom, console = open_in_chromium(page, tmp_path / "profile")
    total, loaded, status = image_check(dom)
    assert loaded == total - 1 and status.startswith("images-missing")
    assert check_attribute(dom, "drawn") == check_attribute(dom, "plots") == 2
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
    assert check_attribute(dom, "drawn") == check_attribute(dom, "plots")
    assert console == []
    # every script is the report's own: plotly.js, one per figure, the check
    kinds = ["library" if "plotly.js v" in body[:300] else "figure" if body.startswith("(function () { var f = ")
             else "check" if "image-check" in body else body[:80] for _, body in scripts(dom)]
    assert sorted(set(kinds)) <= ["check", "figure", "library"] and kinds.count("check") == 1, kinds
    assert kinds.count("figure") == len(plots(dom)) and "<img src=x" not in dom and "<b>bold</b>" not in dom


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
    assert len(images(text)) == 4 and len(plots(text)) == 2  # + competence; levels 1 and 2 in one figure
    assert '"name":"level 2 Spearman"' in text


def test_sweep_report_groups_by_setting_with_interval_across_seeds(tmp_path):
    # a sweep of 2 settings x 2 seeds: two groups, each named by its swept key, t interval across seeds
    from concurrent.futures import ThreadPoolExecutor

    from evo.simulation import run_one
    from evo.sweep import build_sweep, run_sweep

    spec = {"name": "two", "base": "sugar", "seeds": [1, 2], "generations": 6,
            "set": {k: v for k, v in TINY.items() if k != "run.generations"},
            "grid": {"shifts.0.generation": [2, 3]}}
    with ThreadPoolExecutor(1) as pool:
        manifest = run_sweep(build_sweep(spec), tmp_path / "sw", run_one, client=pool)
    assert manifest["status"] == "completed"
    text = build_report(load_runs(tmp_path / "sw"), n_boot=50, window=2)
    groups = re.findall(r'<h2 class="setting">([^<]*)</h2>', text)
    assert groups == ["Setting shifts.0.generation=2: 2 runs (seeds 1, 2)",
                      "Setting shifts.0.generation=3: 2 runs (seeds 1, 2)"]
    assert text.count("Before and after each shift, across seeds") == 2
    # the headline rows of the summary card name the setting and carry an interval [lo, hi]
    card = text[text.index('id="summary"'):text.index("Settings compared")]
    assert "shifts.0.generation=2" in card and "shifts.0.generation=3" in card
    assert re.search(r"<td>-?\d\.\d{3} \[-?\d\.\d{3}, -?\d\.\d{3}\]</td>", card), card
    assert "t interval across 2 seeds (few seeds: a rough range)" in card
    # one band per setting, each named by its setting, in the comparison right under the card
    compared = text[text.index("Settings compared"):text.index('<h2 class="setting">')]
    assert len(plots(compared)) == 3  # L1_spearman, fitness_mean, corr_taste
    for value in (2, 3):
        assert compared.count(f'"name":"shifts.0.generation={value}: mean of 2 seeds"') == 3


def test_plotly_is_loaded_only_by_the_report():
    import sys

    probe = ("import sys, analysis, analysis.load, evo.simulation; "
             "print('plotly' in sys.modules, 'shtab' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "False"]


def test_experiment_report_heads_with_claim_and_verdict_and_shows_per_seed_values(sweep, tmp_path):
    """An experiment directory (runs/ + verdict.json + table + figure): the claim and verdict open the summary
    card, and a verdict section shows the rule and each seed's value; a plain run has neither."""
    exp = tmp_path / "exp"
    for seed in (1, 2):
        shutil.copytree(sweep / f"seed{seed}", exp / "runs" / f"online-seed{seed}")
    pd.DataFrame({"seed": [1, 2], "online:corr_taste[3-5]": [0.25, 0.75], "value": [0.25, 0.75]}).to_csv(
        exp / "table.csv", index=False)
    fig = Figure()
    fig.add_subplot().plot([1, 2], [0.25, 0.75], "o")
    fig.savefig(exp / "verdict.png")
    record = {"name": "toy-claim", "claim": "Taste tracks fitness <after> the shift.", "verdict": "inconclusive",
              "estimate": 0.5, "lo": -2.7, "hi": 3.7, "n": 2, "confidence": 0.9, "rule": "supported if above 0",
              "measurement": "mean corr_taste over 3-5", "method": "t interval over per-seed values",
              "table": "table.csv", "figure": "verdict.png"}
    (exp / "verdict.json").write_text(json.dumps(record), encoding="utf-8")
    text = write_report(exp, tmp_path / "exp.html", n_boot=50, window=3).read_text(encoding="utf-8")
    card = text[text.index('id="summary"'):]
    assert "mesaevo report: experiment toy-claim" in text
    assert card.index("Taste tracks fitness &lt;after&gt; the shift.") < card.index("inconclusive: estimate 0.5")
    assert card.index("inconclusive: estimate 0.5") < card.index("<dt>status</dt>")
    verdict = text[text.index("<h2>Verdict</h2>"):]
    assert "supported if above 0" in verdict and "0.250" in verdict and "0.750" in verdict
    assert len(images(verdict)) == 1
    plain = write_report(exp / "runs" / "online-seed1", tmp_path / "plain.html", n_boot=50, window=3)
    assert "<h2>Verdict</h2>" not in plain.read_text(encoding="utf-8")
