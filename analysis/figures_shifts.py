"""Figures about environment shifts: online versus frozen deployment, and the maze's old corner.

Shift events are dotted lines, the freeze generation of a frozen run a dash-dotted line
(see :mod:`analysis.figure_style`).
"""

from __future__ import annotations


import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .figure_style import (
    figure_and_axes,
    FIG_SIZE,
    LEGEND_FONT,
    draw_freeze,
    draw_interval_rows,
    draw_shift_events,
    freeze_generation,
    generation_axes,
    generation_axis,
    legend_or_note,
    plain_text,
    style,
    values,
)
from .columns import level_of
from .load import RunTables
from .metrics import level_correlations

__all__ = ["MAZE_COLUMNS", "deployment_figure", "maze_shift_figure"]

#: Generation-table columns of a maze run: success at the true exit, arrival at the old corner.
MAZE_COLUMNS = ("success_rate", "corner_arrival_rate")
_PANEL_HEIGHT = 1.8  # inches per column drawn by deployment_figure
_TITLE_HEIGHT = 2.2  # inches for the title and the generation axis
#: A fraction of agents, drawn with a little room at 0 and 1.
_FRACTION_LIMITS = (-0.02, 1.02)


@plain_text
def deployment_figure(online: RunTables, frozen: RunTables, columns: tuple[str, ...] = ("fitness_mean",), *,
                      n_boot: int = 300, seed: int = 0) -> Figure:
    """Each of ``columns`` over generations for two runs of the same shift: online (solid), frozen (dashed).

    One panel per column; the shift events (of the online run) and the freeze generation
    are marked. A per-level Spearman column (``L{n}_spearman``) of a run with entity
    records gets its bootstrap interval (:func:`analysis.metrics.level_correlations`) as a band.
    """
    width, _ = FIG_SIZE
    fig = Figure(figsize=(width, _TITLE_HEIGHT + _PANEL_HEIGHT * len(columns)), layout="constrained")
    axes = fig.subplots(len(columns), 1, sharex=True, squeeze=False)[:, 0]
    freeze = freeze_generation(frozen.manifest)
    for ax, column in zip(axes, columns):
        level = level_of(column, ("spearman",))
        for i, (run, label) in enumerate(((online, "online"), (frozen, "frozen"))):
            gens = run.generations
            if column not in gens.columns:
                continue
            line = style(i)
            ax.plot(generation_axis(gens), values(gens, column), label=f"{label} ({run.scenario})", **line)
            if level and not run.entities.empty:
                ci = level_correlations(run, n_boot=n_boot, seed=seed)
                draw_interval_rows(ax, ci, "level", level[0], line["color"], label)
        draw_freeze(ax, freeze)
        draw_shift_events(ax, online.shift_events)
        generation_axes(ax, column)
        legend_or_note(ax)
    for ax in axes[:-1]:
        ax.set_xlabel("")
    axes[0].set_title("Online versus frozen deployment across the same shift")
    return fig


@plain_text
def maze_shift_figure(run: RunTables, *, ax: Axes | None = None) -> Figure:
    """Maze success at the true exit against arrival at the old (training) corner, per generation."""
    fig, ax = figure_and_axes(ax)
    gens = run.generations
    x = generation_axis(gens)
    for i, (column, label) in enumerate(zip(MAZE_COLUMNS, ("reached the exit", "reached the old corner"))):
        y = values(gens, column) if column in gens.columns else np.full(len(x), np.nan)
        ax.plot(x, y, label=label, **style(i))
    draw_freeze(ax, freeze_generation(run.manifest))
    draw_shift_events(ax, run.shift_events)
    ax.set_ylim(*_FRACTION_LIMITS)
    generation_axes(ax, "fraction of agents")
    ax.set_title(f"Maze: true exit versus training corner ({run.scenario})")
    ax.legend(fontsize=LEGEND_FONT, loc="best")
    return fig
