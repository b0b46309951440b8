"""Tests for analysis/: loading a run directory and drawing its figures."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import (
    RunTables,
    level_correlation_figure,
    load_run,
    proxy_correlation_figure,
    save_figures,
)
from analysis.figure_style import SHIFT_GID
from analysis.load import RunNotFoundError

FEATURES = ["taste", "pain", "mating", "novelty", "craft", "effort"]
N_GEN = 5
SHIFT_GEN = 3


def _generations() -> pd.DataFrame:
    gen = np.arange(N_GEN)
    data: dict[str, object] = {
        "generation": gen,
        "n_agents": np.full(N_GEN, 20),
        "fitness_mean": np.linspace(1.0, 2.0, N_GEN),
        "L1_n": np.full(N_GEN, 10),
        "L1_J_mean": np.linspace(0.0, 0.4, N_GEN),
        "L1_spearman": [0.1, 0.2, 0.3, -0.5, 0.0],
        "L1_pearson": [0.15, 0.25, np.nan, -0.4, 0.05],
        "L2_n": np.full(N_GEN, 3),
        "L2_spearman": [np.nan, 0.5, 0.6, 0.7, 0.8],
        "L2_pearson": [np.nan, 0.4, 0.5, 0.6, 0.7],
        "shifts_active": ["", "", "", "sugar", "sugar"],
    }
    for i, f in enumerate(FEATURES):
        data[f"corr_{f}"] = np.linspace(-0.5, 0.5, N_GEN) * (i + 1) / len(FEATURES)
        data[f"spearman_{f}"] = np.zeros(N_GEN)
        data[f"feat_{f}_mean"] = np.ones(N_GEN)
    # written out of order: load_run must sort by generation
    return pd.DataFrame(data).iloc[::-1].reset_index(drop=True)


def _entities(first_gen: int, ids: list[int]) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame({
        "generation": np.full(n, first_gen),
        "entity_id": ids,
        "level": np.ones(n, dtype=int),
        "root_id": ids,
        "parent_id": np.full(n, -1),
        "architecture": ["planner"] * n,
        "J": np.arange(n, dtype=float),
        "fitness": np.arange(n, dtype=float) * 2.0,
    })


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    path = tmp_path / "run"
    (path / "entities").mkdir(parents=True)
    manifest = {
        "format": 1, "status": "completed", "scenario": "sugar_test", "seed": 7,
        "config": {}, "versions": {}, "generations_done": N_GEN,
        "shift_events": [{"generation": SHIFT_GEN, "kind": "sugar", "name": "sugar", "level": 2.0}],
        "error": None, "started": "2024-01-01T00:00:00", "finished": None,
    }
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    _generations().to_parquet(path / "generations.parquet", engine="pyarrow", index=False)
    # two parts, written so that part order and row order both need sorting
    _entities(2, [5, 4]).to_parquet(path / "entities" / "part-000002.parquet", index=False)
    _entities(0, [2, 1, 3]).to_parquet(path / "entities" / "part-000000.parquet", index=False)
    return path


def _data_lines(fig):
    ax = fig.axes[0]
    return [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]


def _shift_lines(fig):
    return [ln for ln in fig.axes[0].get_lines() if ln.get_gid() == SHIFT_GID]


def test_load_run_reads_tables(run_dir: Path) -> None:
    run = load_run(str(run_dir))
    assert isinstance(run, RunTables)
    assert run.path == run_dir
    assert run.manifest["scenario"] == "sugar_test"
    assert run.manifest["seed"] == 7
    assert run.generations.shape == _generations().shape
    assert run.generations["generation"].tolist() == list(range(N_GEN))
    assert run.generations["L1_spearman"].tolist()[:3] == [0.1, 0.2, 0.3]
    assert math.isnan(run.generations["L1_pearson"].iloc[2])
    assert run.entities.shape == (5, 8)
    assert run.entities["generation"].tolist() == [0, 0, 0, 2, 2]
    assert run.entities["entity_id"].tolist() == [1, 2, 3, 4, 5]
    assert run.shift_events == [{"generation": SHIFT_GEN, "kind": "sugar", "name": "sugar", "level": 2.0}]


def test_load_run_without_tables_gives_empty_frames(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"scenario": "x", "status": "running"}))
    run = load_run(tmp_path)
    assert run.generations.empty
    assert run.entities.empty
    assert run.shift_events == []


@pytest.mark.parametrize("make_dir", [False, True])
def test_missing_run_raises(tmp_path: Path, make_dir: bool) -> None:
    path = tmp_path / "nope"
    if make_dir:
        path.mkdir()
    with pytest.raises(RunNotFoundError, match="manifest.json not found") as info:
        load_run(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_level_figure_lines_labels_and_shift(run_dir: Path) -> None:
    run = load_run(run_dir)
    fig = level_correlation_figure(run)
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in _data_lines(fig)}
    assert set(lines) == {"level 1 Spearman", "level 1 Pearson", "level 2 Spearman", "level 2 Pearson"}
    assert lines["level 1 Spearman"].get_linestyle() == "-"
    assert lines["level 1 Pearson"].get_linestyle() == "--"
    np.testing.assert_allclose(lines["level 2 Spearman"].get_ydata(), [np.nan, 0.5, 0.6, 0.7, 0.8])
    np.testing.assert_allclose(lines["level 1 Spearman"].get_xdata(), range(N_GEN))
    assert ax.get_xlabel() == "generation"
    assert ax.get_ylabel() == "correlation of objective with fitness"
    assert "sugar_test" in ax.get_title()
    assert ax.get_ylim() == (-1.0, 1.0)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(legend) == sorted(lines)
    shifts = _shift_lines(fig)
    assert len(shifts) == 1
    assert list(shifts[0].get_xdata()) == [SHIFT_GEN, SHIFT_GEN]
    assert shifts[0].get_linestyle() == ":"
    assert any(t.get_text().strip() == "sugar" for t in ax.texts)


def test_level_figure_picks_up_new_levels(run_dir: Path) -> None:
    run = load_run(run_dir)
    gens = run.generations.assign(L3_spearman=0.1, L3_pearson=0.2)
    fig = level_correlation_figure(RunTables(run.path, run.manifest, gens, run.entities))
    labels = {ln.get_label() for ln in _data_lines(fig)}
    assert {"level 3 Spearman", "level 3 Pearson"} <= labels
    assert len(labels) == 6


def test_proxy_figure_one_line_per_feature(run_dir: Path) -> None:
    run = load_run(run_dir)
    fig = proxy_correlation_figure(run)
    ax = fig.axes[0]
    lines = _data_lines(fig)
    assert [ln.get_label() for ln in lines] == FEATURES
    assert len({(str(ln.get_linestyle()), ln.get_marker()) for ln in lines}) == len(FEATURES)
    np.testing.assert_allclose(lines[-1].get_ydata(), np.linspace(-0.5, 0.5, N_GEN))
    assert ax.get_ylabel() == "correlation with fitness"
    assert ax.get_ylim() == (-1.0, 1.0)
    assert [list(ln.get_xdata()) for ln in _shift_lines(fig)] == [[SHIFT_GEN, SHIFT_GEN]]


def test_save_figures_writes_pngs(run_dir: Path, tmp_path: Path) -> None:
    paths = save_figures(run_dir)
    assert [p.name for p in paths] == ["level_correlation.png", "proxy_correlation.png"]
    for p in paths:
        assert p.parent == run_dir
        data = p.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000
    out = tmp_path / "figs" / "sub"
    paths = save_figures(load_run(run_dir), out_dir=out)
    assert all(p.parent == out and p.stat().st_size > 0 for p in paths)


def test_figures_of_empty_run(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"scenario": "x"}))
    run = load_run(tmp_path)
    for build in (level_correlation_figure, proxy_correlation_figure):
        fig = build(run)
        assert _data_lines(fig) == [] and fig.axes[0].get_legend() is None
        assert [t.get_text() for t in fig.axes[0].texts] == ["no data recorded"]
