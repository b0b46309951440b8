"""The phase-diagram analysis (``analysis.figures_phase``) on hand-made sweep tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.figures_phase import COST, K, PERIOD, end_values, k_star, period_lines, phase_cells, phase_heatmap, \
    phase_lines


def test_k_star_interpolates_the_crossing_in_log_k():
    ks = np.array([1, 2, 4, 8])
    assert k_star(ks, np.array([0.0, 0.2, 0.6, 1.0])) == pytest.approx(1.75)  # 0.2 -> 0.6 between log2 K 1 and 2
    assert k_star(ks[::-1], np.array([1.0, 0.6, 0.2, 0.0])) == pytest.approx(1.75)  # order of the input is free
    assert k_star(ks, np.array([0.5, 0.0, 0.0, 0.0])) == -math.inf
    assert k_star(ks, np.array([0.1, 0.2, 0.3, 0.4])) == math.inf


def _sweep() -> pd.DataFrame:
    rows = []
    for k in (1, 4):
        for seed in range(3):
            for g in range(20):  # share 0 early, then k / 4 * (seed + 1) / 3 in the last 10 generations
                share = 0.0 if g < 10 else k / 4 * (seed + 1) / 3
                rows.append({"run_id": f"k{k}-s{seed}", K: k, COST: 0.01, PERIOD: 8, "seed": seed, "generation": g,
                             "planner_share": share, "depth_mean": 2.0 if share > 0 else math.nan})
    return pd.DataFrame(rows)


def test_end_values_and_cells_average_the_last_generations_then_the_seeds():
    ends = end_values(_sweep(), last=10)
    assert sorted(ends.loc[ends[K] == 4, "planner_share"]) == pytest.approx([1 / 3, 2 / 3, 1.0])
    cells = phase_cells(ends).set_index(K)
    assert cells.loc[4, "share"] == pytest.approx(2 / 3) and cells.loc[4, "n"] == 3
    assert cells.loc[1, "share"] == pytest.approx(1 / 6) and cells.loc[4, "depth"] == 2.0
    assert cells.loc[4, "share_lo"] < 2 / 3 < cells.loc[4, "share_hi"]


def test_phase_figures_draw():
    cells = phase_cells(end_values(_sweep()))
    for fig in (phase_heatmap(cells), phase_lines(cells, 8), period_lines(cells, 0.01)):
        assert fig.axes
