"""The report's numbers agree with themselves: one window, one estimate, an interval that contains
it and stays where a correlation can be; the page shows a figure first and nothing meant for tests.
Synthetic runs (no simulation): fast."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.compare import shift_summary_runs
from analysis.fisher import generation_bands
from analysis.load import RunTables, distinct_shift_events
from analysis.metrics import shift_summary
from analysis.report import Verdict, build_report

SHIFT = 15


def synthetic_run(seed: int = 0, level_offset: float = 0.0, shift_at: int = SHIFT, subagents: bool = False,
                  entity_every: int = 10) -> RunTables:
    """30 generations: level 1 and taste around -0.5 before the shift and +0.5 after (n = 50 agents each);
    entity records every ``entity_every`` generations, made so that *their* correlations are near +0.9
    whatever the generation table says (an estimate from the table, an interval from these, disagree)."""
    rng = np.random.default_rng(seed)
    g = np.arange(30)
    base = np.where(g < shift_at, -0.5, 0.5) + level_offset + rng.normal(0, 0.15, g.size)
    gens = pd.DataFrame({"generation": g, "n_agents": 50, "L1_n": 50, "L1_spearman": np.clip(base, -0.99, 0.99),
                         "corr_taste": np.clip(base + rng.normal(0, 0.1, g.size), -0.99, 0.99),
                         "fitness_mean": rng.random(g.size)})
    rows = []
    for gen in g[::entity_every]:
        x = rng.normal(size=50)
        for i in range(50):
            rows.append({"generation": int(gen), "entity_id": i, "level": 1, "J": x[i],
                         "root_fitness": x[i] + 0.3 * rng.normal(), "fitness": x[i] + 0.3 * rng.normal(),
                         "taste": x[i], "w_taste": 0.1})
        if subagents:
            rows.append({"generation": int(gen), "entity_id": 50, "level": 2, "J": 0.0, "root_fitness": 0.0})
    manifest = {"scenario": "sugar", "status": "completed", "seed": seed, "generations_done": 30,
                "config": {"run": {"seed": seed}, "shifts": [{"generation": shift_at}]},
                "shift_events": [{"generation": shift_at, "kind": "superstimulus", "name": "sugar"}]}
    return RunTables(Path(f"run{seed}"), manifest, gens, pd.DataFrame(rows))


def test_single_run_intervals_cover_the_generations_their_estimates_average():
    table = shift_summary(synthetic_run(), window=10, n_boot=400).set_index("series")
    assert {"level 1", "taste"} <= set(table.index)
    for series in ("level 1", "taste"):
        row = table.loc[series]
        for side in ("before", "after"):
            assert -1.0 <= row[f"{side}_lo"] <= row[side] <= row[f"{side}_hi"] <= 1.0, (series, side, row)
        assert row["lo"] <= row["difference"] <= row["hi"], (series, row)
        assert row["difference"] > 0.5 and row["lo"] > 0  # the table's change, not the entity records' (about 0)


def test_figure_bands_surround_their_lines_at_every_generation():
    run = synthetic_run()
    bands = generation_bands(run.generations)
    level1 = bands[bands["series"] == "level 1"]
    assert list(level1["generation"]) == list(range(30))  # every generation, not only those with entity records
    assert ((bands["lo"] <= bands["estimate"]) & (bands["estimate"] <= bands["hi"])).all()
    assert ((bands["lo"] >= -1) & (bands["hi"] <= 1)).all()
    from analysis.figure_style import CI_GID
    from analysis.figures_correlation import level_correlation_figure

    ax = level_correlation_figure(run).axes[0]
    drawn = [c for c in ax.collections if c.get_gid() == CI_GID]
    assert drawn and drawn[0].get_paths()[0].vertices[:, 0].max() == pytest.approx(29)


def test_sweep_intervals_stay_within_correlation_bounds():
    runs = [synthetic_run(0, level_offset=-0.45), synthetic_run(1, level_offset=0.45)]
    table = shift_summary_runs(runs, window=10)
    assert not table.empty
    for prefix in ("before_", "after_"):
        assert (table[f"{prefix}lo"] >= -1).all() and (table[f"{prefix}hi"] <= 1).all()
    assert (table["lo"] >= -2).all() and (table["hi"] <= 2).all()
    assert ((table["lo"] <= table["difference"]) & (table["difference"] <= table["hi"])).all()
    text = build_report(runs, n_boot=50, interactive=False)
    assert "few seeds: a rough range" in text


def numbers(cell: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+\.\d+", cell)]


def test_single_run_report_headline_is_one_seed_with_consistent_intervals():
    text = build_report(synthetic_run(), n_boot=200, window=10, interactive=False)
    card = text[text.index('id="summary"'):text.index("</div>", text.index('id="summary"'))]
    assert "one seed" in card
    cells = re.findall(r"<td>([^<]*\[[^<]*\])</td>", card)
    assert len(cells) >= 6  # before, after, difference for level 1 and taste
    for cell in cells:
        estimate, lo, hi = numbers(cell)
        assert lo <= estimate <= hi, cell


def test_single_run_page_opens_with_a_figure_and_hides_the_test_line():
    plain = build_report(synthetic_run(), n_boot=50, interactive=False)
    assert '<p id="image-check" hidden>' in plain
    assert "Nested tree" not in plain  # no sub-agents: no sub-agent tree
    first_figure, glossary = plain.index("<figure>"), plain.index("<h2>Glossary</h2>")
    assert plain.index("</div>", plain.index('id="summary"')) < first_figure < glossary
    assert plain.index("<figure>") < plain.index("<h3>Before and after each shift</h3>")
    nested = build_report(synthetic_run(subagents=True), n_boot=50, interactive=False)
    assert "Nested tree" in nested


def test_sweep_figures_draw_every_runs_shift_timing():
    runs = [synthetic_run(0, shift_at=10), synthetic_run(1, shift_at=20), synthetic_run(2, shift_at=20)]
    assert [e["generation"] for e in distinct_shift_events(runs)] == [10, 20]
    from analysis.figure_style import SHIFT_GID
    from analysis.figures_sweep import sweep_figure

    ax = sweep_figure(runs, "L1_spearman", by="setting").axes[0]
    lines = sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_gid() == SHIFT_GID)
    assert lines == [10, 20]


def test_side_by_side_sweep_titles_do_not_overlap():
    from matplotlib.figure import Figure

    from analysis.figures_sweep import sweep_figure

    runs = [synthetic_run(0, shift_at=10), synthetic_run(1, shift_at=20)]
    fig = Figure(figsize=(10, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    sweep_figure(runs, "L1_spearman", by="shifts.0.generation", ax=left)
    sweep_figure(runs, "fitness_mean", by="setting", ax=right)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    a, b = (ax.title.get_window_extent(renderer) for ax in (left, right))
    assert not a.overlaps(b) and a.x1 <= b.x0


def test_experiment_report_says_reduced_size_first_and_uses_the_verdicts_window():
    runs = [synthetic_run(0), synthetic_run(1), synthetic_run(2)]
    table = pd.DataFrame({"seed": [0, 1, 2], "online:corr_taste[20-29]": [0.5, 0.6, 0.4],
                          "frozen:corr_taste[20-29]": [0.2, 0.3, 0.1]})
    table["value"] = table["online:corr_taste[20-29]"] - table["frozen:corr_taste[20-29]"]
    record = {"name": "sugar-online-vs-frozen", "claim": "online restores", "verdict": "supported",
              "estimate": 0.3, "lo": 0.3, "hi": 0.3, "n": 3, "confidence": 0.9, "size": "reduced",
              "seeds": [0, 1, 2], "generations": 30, "measurement": "m", "rule": "r", "method": "t"}
    text = build_report(runs, verdicts=[Verdict(record, table, None)], n_boot=50, interactive=False)
    banner = text.index('id="reduced-size"')
    assert banner < text.index('id="summary"') and "Reduced size" in text[banner:banner + 200]
    card = text[text.index('id="summary"'):text.index("</div>", text.index('id="summary"'))]
    assert "generations 20 to 29" in card and "window 10 generations" not in card
    assert "0.300 [0.300, 0.300]" in card  # the verdict's value, mean over seeds
    full = build_report(runs, verdicts=[Verdict({**record, "size": "full"}, table, None)], n_boot=50,
                        interactive=False)
    assert 'id="reduced-size"' not in full
