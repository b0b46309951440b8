"""Shift figures: online versus frozen deployment, maze exit versus old corner; the maze through the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from analysis import load_run
from analysis.figure_style import FREEZE_GID, SHIFT_GID
from analysis.figures import save_figures
from analysis.figures_shifts import deployment_figure, maze_shift_figure
from evo.cli import main
from evo.simulation import Simulation


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple:
    base = tmp_path_factory.mktemp("deploy")
    small = {"world.width": 12, "world.height": 12, "world.steps": 30, "world.food_patches": 4,
             "agents.population": 20, "agents.max_depth": 1, "shifts.0.generation": 2, "record.entity_every": 0}
    online = Simulation.from_scenario("sugar", small, generations=4, out=base / "online").run()
    frozen = Simulation.from_scenario("sugar-frozen", {**small, "deployment.freeze_at": 2}, generations=4,
                                      out=base / "frozen").run()
    return online, frozen


def _labels(fig: Figure) -> list[str]:
    return [line.get_label() for ax in fig.axes for line in ax.get_lines()]


def test_deployment_figure_has_both_runs_shift_and_freeze(two_runs):
    online, frozen = two_runs
    assert list(frozen.generations["frozen"]) == [False, False, True, True]
    assert not online.generations["frozen"].any()
    fig = deployment_figure(online, frozen, ("fitness_mean", "corr_taste"))
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    labels = _labels(fig)
    assert sum(lab.startswith("online") for lab in labels) == 2 and sum(lab.startswith("frozen") for lab in labels) == 2
    for ax in fig.axes:
        gids = [line.get_gid() for line in ax.get_lines()]
        assert FREEZE_GID in gids and SHIFT_GID in gids


def test_maze_through_the_cli_writes_the_maze_figure(tmp_path, capsys):
    out = tmp_path / "maze"
    code = main(["run", "maze-corner", "--generations", "4", "--set", "shifts.0.generation=2",
                 "--freeze-at", "2", "--set", "agents.population=20", "--out", str(out)])
    assert code == 0
    stdout = capsys.readouterr().out
    assert "maze success" in stdout and (out / "maze_shift.png").is_file()
    run = load_run(out)
    assert {"success_rate", "corner_arrival_rate", "relocation", "frozen"} <= set(run.generations.columns)
    assert list(run.generations["frozen"]) == [False, False, True, True]
    fig = maze_shift_figure(run)
    ys = {line.get_label(): line.get_ydata() for line in fig.axes[0].get_lines()}
    np.testing.assert_allclose(ys["reached the exit"], run.generations["success_rate"])
    np.testing.assert_allclose(ys["reached the old corner"], run.generations["corner_arrival_rate"])


def test_maze_figure_only_for_maze_runs(two_runs, tmp_path):
    names = [p.name for p in save_figures(two_runs[0], ["all"], tmp_path, n_boot=20)]
    assert "maze_shift.png" not in names and "level_correlation.png" in names
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == sorted(names)
