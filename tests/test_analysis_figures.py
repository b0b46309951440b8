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
    deployment_figure,
    gene_figure,
    level_correlation_figure,
    level_correlations,
    load_runs,
    misalignment_by_competence_figure,
    nested_tree_figure,
    proxy_correlation_figure,
    proxy_correlations,
    save_figures,
    sweep_figure,
    weights_figure,
)
from analysis.figure_style import CI_GID, SHIFT_GID, TREE_EDGE_GID
from analysis.figures import FIGURE_KINDS
from analysis.figures_nested import pick_tree
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
    ax = misalignment_by_competence_figure(run).axes[0]
    assert labels(ax) == []
    assert any("no level-2 entities recorded" in t.get_text() for t in ax.texts)
    ents = nested_entities()
    fig = misalignment_by_competence_figure(RunTables(run.path, run.manifest, run.generations, ents), n_boot=50)
    level2, level3 = fig.axes
    assert [ax.get_title() for ax in fig.axes] == ["level 2", "level 3"]
    assert labels(level2) == ["1 - cosine with builder's objective", "plan disagreement with builder"]
    assert level2.get_xlabel() == "builder competence (planner depth)"
    assert "sugar" in fig.get_suptitle()
    line = next(ln for ln in level2.get_lines() if ln.get_label().startswith("1 - cosine"))
    np.testing.assert_allclose(line.get_xdata(), [1, 2])
    np.testing.assert_allclose(line.get_ydata(), [0.5, 0.2])
    plan = next(ln for ln in level2.get_lines() if ln.get_label().startswith("plan"))
    np.testing.assert_allclose(plan.get_ydata(), [0.5, 0.5])
    np.testing.assert_allclose(level2.get_xticks(), [1, 2])
    only = next(ln for ln in level3.get_lines() if ln.get_label().startswith("1 - cosine"))
    np.testing.assert_allclose(only.get_xdata(), [2])
    np.testing.assert_allclose(only.get_ydata(), [0.1])
    assert {t.get_text() for t in level2.texts} == {"n=1"}


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


def legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_tree_figure_nested():
    run = RunTables(Path("."), {"scenario": "nested"}, pd.DataFrame(), nested_entities())
    ax = nested_tree_figure(run).axes[0]
    edges = [ln for ln in ax.get_lines() if ln.get_gid() == TREE_EDGE_GID]
    assert len(edges) == 3 and len(ax.get_lines()) == 3  # nodes are markers, not lines
    assert legend_texts(ax) == ["level 1", "level 2", "level 3"]
    title = ax.get_title()
    assert "agent 7" in title and "3 sub-agents" in title and "3 levels" in title and "fitness 4" in title
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "2", "3"]
    assert {t.get_text().split("\n")[0] for t in ax.texts} == {"7", "8", "9", "10"}
    # one row per level, parents centred over their children
    pos = {t.get_text().split("\n")[0]: t.xy for t in ax.texts}
    assert [pos[n][1] for n in ("7", "8", "9", "10")] == [-1, -2, -2, -3]
    assert pos["7"][0] == (pos["8"][0] + pos["9"][0]) / 2 and pos["9"][0] == pos["10"][0]
    single = nested_tree_figure(run, root_id=3).axes[0]
    assert not [ln for ln in single.get_lines() if ln.get_gid() == TREE_EDGE_GID]
    assert "agent 3" in single.get_title() and "0 sub-agents" in single.get_title()


def test_pick_tree_prefers_the_largest_then_the_latest_then_the_fittest():
    ents = nested_entities()
    later = ents.assign(generation=6)
    both = pd.concat([ents, later], ignore_index=True)
    assert set(pick_tree(both)["generation"]) == {6} and set(pick_tree(both)["root_id"]) == {7}
    assert set(pick_tree(both, generation=5)["generation"]) == {5}
    alone = ents[ents["level"] == 1].assign(root_fitness=[1.0, 4.0])
    assert list(pick_tree(alone)["entity_id"]) == [7]
    assert list(pick_tree(alone.assign(root_fitness=[5.0, 4.0]))["entity_id"]) == [3]
    assert pick_tree(ents, root_id=99).empty and pick_tree(pd.DataFrame()).empty


def test_tree_figure_real_run(run):
    ax = nested_tree_figure(run).axes[0]
    assert legend_texts(ax) == ["level 1"]
    assert f"generation {GENERATIONS - 1}" in ax.get_title()


def test_deployment_figure_bands_for_level_correlations(runs):
    online, frozen = runs
    ax = deployment_figure(online, frozen, ("L1_spearman",), n_boot=50).axes[0]
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
    for fig in (weights_figure(empty), misalignment_by_competence_figure(empty), nested_tree_figure(empty),
                sweep_figure([empty])):
        assert isinstance(fig, Figure)
        assert any(t.get_text() for ax in fig.axes for t in ax.texts)


def test_save_figures_of_every_kind(run, tmp_path):
    paths = save_figures(run, ["all"], tmp_path, n_boot=50)
    # "all" is every kind that applies: this sugar run has no maze columns
    assert [p.name for p in paths] == [f"{kind.stem}.png" for name, kind in FIGURE_KINDS.items() if name != "maze"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)
    svg = save_figures(run, ["levels", "levels"], tmp_path / "svg", "svg", n_boot=50)
    assert svg == [tmp_path / "svg" / "level_correlation.svg"]
    assert svg[0].read_text().lstrip().startswith("<?xml")
    default = save_figures(run, out_dir=tmp_path / "default", n_boot=50)
    assert [p.name for p in default] == ["level_correlation.png", "proxy_correlation.png"]
    with pytest.raises(ValueError, match="unknown figure kind 'nope'"):
        save_figures(run, ["nope"], tmp_path)
    with pytest.raises(ValueError, match="unknown figure format"):
        save_figures(run, ["levels"], tmp_path, "jpg")
    assert not list((tmp_path).glob(".*.tmp"))  # no temporary file left behind
