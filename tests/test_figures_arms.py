"""The per-arm time course of an experiment (``analysis.figures_arms``): mean and t band across seeds."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.figure_style import CI_GID
from analysis.figures_arms import arm_course, arm_course_figure


def _seed(values):
    return pd.DataFrame({"generation": range(len(values)), "compliance_gap": values})


def test_arm_course_is_the_mean_and_t_interval_across_seeds():
    course = arm_course([_seed([0.0, 1.0]), _seed([2.0, 1.0]), _seed([4.0, float("nan")])], "compliance_gap")
    assert course["mean"].tolist() == [2.0, 1.0]
    assert course["n"].tolist() == [3, 2]
    # generation 0: values 0, 2, 4 (sd 2), t(0.95, 2 df) = 2.919986 -> half-width 2.919986 * 2 / sqrt(3)
    half = 2.919986 * 2.0 / math.sqrt(3.0)
    assert course["lo"].iloc[0] == pytest.approx(2.0 - half, rel=1e-5)
    assert course["hi"].iloc[0] == pytest.approx(2.0 + half, rel=1e-5)
    assert course["lo"].iloc[1] == pytest.approx(1.0)  # two equal values: no spread


def test_arm_course_figure_draws_one_line_and_one_band_per_arm():
    arms = {"fixed": [_seed([0.0, 0.3]), _seed([0.1, 0.4])], "nocue": [_seed([0.0, 0.0]), _seed([0.1, -0.1])],
            "empty": []}
    fig = arm_course_figure(arms, "compliance_gap")
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == ["fixed (n = 2 seeds)", "nocue (n = 2 seeds)"]
    assert sum(1 for c in ax.collections if c.get_gid() == CI_GID) == 2
