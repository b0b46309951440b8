"""Every figure function draws from small real runs, with the expected lines and labels;
nested-level paths (competence regimes, trees) from synthetic entity tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis import (
    RunTables,
    competence_figure,
    gene_figure,
    level_correlation_figure,
    level_correlations,
    load_runs,
    online_frozen_figure,
    proxy_correlation_figure,
    proxy_correlations,
    save_kind_figures,
    sweep_figure,
    tree_figure,
    weights_figure,
)
from analysis.figures import CI_GID, SHIFT_GID
from analysis.plots import FIGURE_KINDS, TREE_EDGE_GID
from evo import Simulation
from tests.conftest import TINY

FEATURES = ["taste", "pain", "mating", "novelty", "craft", "effort"]
SHIFT = 3
GENERATIONS = 6


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    """Two tiny sugar runs (seeds 1, 2) with the shift at generation 3, every entity recorded."""
    root = tmp_path_factory.mktemp("sweep")
    for seed in (1, 2):
        overrides = {**TINY, "record.entity_every": 1, "shifts.0.generation": SHIFT}
        Simulation.from_scenario("sugar", overrides, seed=seed, generations=GENERATIONS,
                                 out=root / f"seed{seed}").run()
    return root


@pytest.fixture(scope="module")
def runs(sweep) -> list[RunTables]:
    return load_runs(sweep)


@pytest.fixture(scope="module")
def run(runs) -> RunTables:
    return runs[0]


def labels(ax) -> list[str]:
    return [ln.get_label() for ln in ax.get_lines() if not ln.get_label().startswith("_")]


def shift_xs(ax) -> list[float]:
    return [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_gid() == SHIFT_GID]


def bands(ax) -> list:
    return [c for c in ax.collections if c.get_gid() == CI_GID]


def test_real_run_is_usable(run):
    assert run.status == "completed"
    assert sorted(run.generations["generation"]) == list(range(GENERATIONS))
    assert sorted(run.entities["generation"].unique()) == list(range(GENERATIONS))


def test_level_figure_with_bands(run):
    ci = level_correlations(run, n_boot=100)
    fig = level_correlation_figure(run, ci)
    ax = fig.axes[0]
    assert labels(ax) == ["level 1 Spearman", "level 1 Pearson"]
    assert ax.get_xlabel() == "generation"
    assert ax.get_ylabel() == "correlation of objective with fitness"
    assert shift_xs(ax) == [SHIFT]
    assert len(bands(ax)) == 1
    # the band spans the generations with a defined interval; the solid line is the table's Spearman
    path = bands(ax)[0].get_paths()[0].vertices
    defined = ci.dropna(subset=["lo"])["generation"]
    assert len(defined) >= 2
    assert path[:, 0].min() == defined.min() and path[:, 0].max() == defined.max() == GENERATIONS - 1
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "level 1 Spearman")
    np.testing.assert_allclose(line.get_ydata(), run.generations["L1_spearman"], equal_nan=True)
    finite = ci.dropna(subset=["estimate"])
    np.testing.assert_allclose(finite["estimate"],
                               run.generations.set_index("generation").loc[finite["generation"], "L1_spearman"])


def test_proxy_figure_with_bands(run):
    fig = proxy_correlation_figure(run, proxy_correlations(run, n_boot=100))
    ax = fig.axes[0]
    assert labels(ax) == FEATURES
    assert len(bands(ax)) == len(FEATURES)
    assert ax.get_ylabel() == "correlation with fitness"
    assert shift_xs(ax) == [SHIFT]


def test_gene_figure(run):
    fig = gene_figure(run)
    top, bottom = fig.axes
    assert labels(top) == [f"w_{f}" for f in FEATURES]
    assert {"architecture", "competence"} <= set(labels(bottom))
    assert top.get_ylabel() == "mean objective weight" and bottom.get_xlabel() == "generation"
    assert shift_xs(top) == [SHIFT] and shift_xs(bottom) == [SHIFT]
    styles = {(str(ln.get_linestyle()), ln.get_marker()) for ln in top.get_lines()
              if not ln.get_label().startswith("_")}
    assert len(styles) == len(FEATURES)  # distinguishable in grey scale
    assert "Gene trajectories" in top.get_title()


def test_weights_figure(run):
    fig = weights_figure(run)
    used = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_title() for ax in used] == FEATURES
    for ax in used:
        lines = {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}
        assert set(lines) == {"evolved", "fitness-implied"}
        assert lines["evolved"].get_linestyle() != lines["fitness-implied"].get_linestyle()
    taste = next(ax for ax in used if ax.get_title() == "taste")
    evolved = next(ln for ln in taste.get_lines() if ln.get_label() == "evolved")
    np.testing.assert_allclose(evolved.get_ydata(), run.generations["gene_w_taste_mean"])


def test_competence_figure_without_and_with_level_two(run):
    ax = competence_figure(run).axes[0]
    assert labels(ax) == []
    assert any("no entities above level 1" in t.get_text() for t in ax.texts)
    ents = nested_entities()
    fig = competence_figure(RunTables(run.path, run.manifest, run.generations, ents))
    ax = fig.axes[0]
    assert labels(ax) == ["level 2", "level 2 plan disagreement", "level 3",
                          "level 3 plan disagreement"]
    assert ax.get_xlabel() == "builder planner depth (competence)"
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "level 2")
    np.testing.assert_allclose(line.get_xdata(), [1, 2])
    np.testing.assert_allclose(line.get_ydata(), [0.5, 0.2])


def nested_entities() -> pd.DataFrame:
    """Agent 7 builds 8 and 9 (level 2); 9 builds 10 (level 3); agent 3 builds nothing."""
    rows = [
        (3, 1, 3, -1, np.nan, np.nan, 1.0),
        (7, 1, 7, -1, np.nan, np.nan, 4.0),
        (8, 2, 7, 7, 1, 0.5, 4.0),
        (9, 2, 7, 7, 2, 0.8, 4.0),
        (10, 3, 7, 9, 2, 0.9, 4.0),
    ]
    frame = pd.DataFrame(rows, columns=["entity_id", "level", "root_id", "parent_id",
                                        "builder_depth", "cosine_parent", "root_fitness"])
    frame["generation"] = 5
    frame["J"] = [1.0, 2.0, 0.5, 0.25, np.nan]
    frame["plan_agreement_parent"] = [np.nan, np.nan, 0.5, 0.5, 0.5]
    return frame


def test_tree_figure_nested():
    run = RunTables(Path("."), {"scenario": "nested"}, pd.DataFrame(), nested_entities())
    ax = tree_figure(run).axes[0]
    edges = [ln for ln in ax.get_lines() if ln.get_gid() == TREE_EDGE_GID]
    assert len(edges) == 3
    assert labels(ax) == ["level 1", "level 2", "level 3"]
    assert "agent 7" in ax.get_title() and "4 entities" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "2", "3"]
    assert {t.get_text().split("\n")[0] for t in ax.texts} == {"7", "8", "9", "10"}
    single = tree_figure(run, root_id=3).axes[0]
    assert not [ln for ln in single.get_lines() if ln.get_gid() == TREE_EDGE_GID]


def test_tree_figure_real_run(run):
    ax = tree_figure(run).axes[0]
    assert labels(ax) == ["level 1"]
    assert f"generation {GENERATIONS - 1}" in ax.get_title()


def test_online_frozen_figure(runs):
    online, frozen = runs
    ax = online_frozen_figure(online, frozen).axes[0]
    assert labels(ax) == ["online (sugar)", "frozen (sugar)"]
    styles = [ln.get_linestyle() for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert styles[0] != styles[1]
    assert len(bands(ax)) == 2
    assert shift_xs(ax) == [SHIFT]
    assert ax.get_ylabel() == "L1_spearman"


def test_sweep_figure(runs):
    ax = sweep_figure(runs, "fitness_mean", n_boot=100).axes[0]
    assert labels(ax) == ["individual runs", "mean of 2 runs"]
    assert len([ln for ln in ax.get_lines() if ln.get_label() == "_run"]) == 1
    mean = next(ln for ln in ax.get_lines() if ln.get_label() == "mean of 2 runs")
    expected = np.mean([r.generations["fitness_mean"].to_numpy() for r in runs], axis=0)
    np.testing.assert_allclose(mean.get_ydata(), expected)
    assert len(bands(ax)) == 1 and shift_xs(ax) == [SHIFT]


def test_figures_of_empty_run_draw_a_message():
    empty = RunTables(Path("."), {"scenario": "x"}, pd.DataFrame(), pd.DataFrame())
    for fig in (weights_figure(empty), competence_figure(empty), tree_figure(empty),
                sweep_figure([empty])):
        assert isinstance(fig, Figure)
        assert any(t.get_text() for ax in fig.axes for t in ax.texts)


def test_save_kind_figures(run, tmp_path):
    paths = save_kind_figures(run, ["all"], tmp_path, n_boot=50)
    assert [p.name for p in paths] == [f"{stem}.png" for stem, _ in FIGURE_KINDS.values()]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)
    svg = save_kind_figures(run, ["levels", "levels"], tmp_path / "svg", "svg", n_boot=50)
    assert svg == [tmp_path / "svg" / "level_correlation.svg"]
    assert svg[0].read_text().lstrip().startswith("<?xml")
    with pytest.raises(ValueError, match="unknown figure kind 'nope'"):
        save_kind_figures(run, ["nope"], tmp_path)
    with pytest.raises(ValueError, match="unknown figure format"):
        save_kind_figures(run, ["levels"], tmp_path, "jpg")
