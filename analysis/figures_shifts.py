"""Figures about environment shifts: online versus frozen deployment, and the maze's old corner.

Every function returns a :class:`matplotlib.figure.Figure` built with the object
API (no pyplot state). Shift events are drawn as in ``analysis.figures``; the
freeze generation of a frozen run as a dash-dotted line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .figures import _draw_shift_events, _generation_axis, _values
from .load import RunTables, load_run

__all__ = ["FREEZE_GID", "deployment_figure", "maze_shift_figure", "save_shift_figures"]

FREEZE_GID = "freeze"


def _freeze_at(run: RunTables) -> int | None:
    dep = (run.manifest.get("config") or {}).get("deployment") or {}
    return dep.get("freeze_at") if dep.get("mode") == "frozen" else None


def deployment_figure(online: RunTables, frozen: RunTables, columns: tuple[str, ...] = ("fitness_mean",)) -> Figure:
    """Each of ``columns`` over generations for two runs of the same shift: online (solid) and frozen (dashed).

    One panel per column; the shift events (of the online run) and the freeze
    generation are marked.
    """
    fig = Figure(figsize=(7.0, 2.2 + 1.8 * len(columns)), layout="constrained")
    axes = fig.subplots(len(columns), 1, sharex=True, squeeze=False)[:, 0]
    freeze = _freeze_at(frozen)
    for ax, column in zip(axes, columns):
        for run, label, style in ((online, "online", "-"), (frozen, "frozen", "--")):
            gens = run.generations
            if column in gens.columns:
                ax.plot(_generation_axis(gens), _values(gens, column), linestyle=style, marker=".",
                        markersize=3, label=f"{label} ({run.scenario})")
        if freeze is not None:
            ax.axvline(float(freeze), color="0.2", linestyle="-.", linewidth=1.0, gid=FREEZE_GID,
                       label=f"_freeze at {freeze}")
        _draw_shift_events(ax, online.shift_events)
        ax.set_ylabel(column)
        ax.legend(fontsize=8, loc="best")
    axes[-1].set_xlabel("generation")
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set_title("Online versus frozen deployment across the same shift")
    return fig


def maze_shift_figure(run: RunTables) -> Figure:
    """Maze success at the true exit against arrival at the old (training) corner, per generation."""
    fig = Figure(figsize=(7.0, 4.0), layout="constrained")
    ax = fig.add_subplot()
    gens = run.generations
    x = _generation_axis(gens)
    for column, label, style in (("success_rate", "reached the exit", "-"),
                                 ("corner_arrival_rate", "reached the old corner", "--")):
        y = _values(gens, column) if column in gens.columns else np.full(len(x), np.nan)
        ax.plot(x, y, linestyle=style, marker=".", markersize=4, label=label)
    freeze = _freeze_at(run)
    if freeze is not None:
        ax.axvline(float(freeze), color="0.2", linestyle="-.", linewidth=1.0, gid=FREEZE_GID,
                   label=f"_freeze at {freeze}")
    _draw_shift_events(ax, run.shift_events)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("generation")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("fraction of agents")
    ax.set_title(f"Maze: true exit versus training corner ({run.scenario})")
    ax.legend(fontsize=8, loc="best")
    return fig


def save_shift_figures(run_or_path: RunTables | str | Path, out_dir: str | Path | None = None,
                       fmt: str = "png") -> list[Path]:
    """Write ``maze_shift.<fmt>`` for a maze run (nothing for other runs); return the paths."""
    run = run_or_path if isinstance(run_or_path, RunTables) else load_run(run_or_path)
    if "success_rate" not in run.generations.columns:
        return []
    target = Path(out_dir) if out_dir is not None else run.path
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"maze_shift.{fmt}"
    maze_shift_figure(run).savefig(path, format=fmt, dpi=120)
    return [path]
