"""Figure of many runs of one scenario: every run's trajectory, their mean and its interval."""

from __future__ import annotations

from typing import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .compare import aggregate_runs
from .figure_style import (
    FIG_SIZE,
    colour,
    figure_and_axes,
    draw_band,
    draw_shift_events,
    generation_axes,
    generation_axis,
    legend_or_note,
    plain_text,
    values,
)
from .load import RunTables

__all__ = ["sweep_figure"]

_RUN_LINE = {"color": "0.6", "linewidth": 0.8, "linestyle": "-"}
_MEAN_LINE = {"color": "black", "linewidth": 2.0, "linestyle": "--"}


@plain_text
def sweep_figure(runs: Sequence[RunTables], column: str = "L1_spearman", *,
                 n_boot: int = 1000, level: float = 0.9, seed: int = 0, ax: Axes | None = None) -> Figure:
    """Every run's ``column`` as a thin grey line, their mean (thick) and its interval (band)."""
    fig, ax = figure_and_axes(ax)
    drawn = 0
    for run in runs:
        gens = run.generations
        if gens.empty or column not in gens.columns:
            continue
        ax.plot(generation_axis(gens), values(gens, column), label="individual runs" if drawn == 0 else "_run",
                **_RUN_LINE)
        drawn += 1
    agg = aggregate_runs(runs, [column], n_boot=n_boot, level=level, seed=seed)
    if not agg.empty:
        x = values(agg, "generation")
        draw_band(ax, x, values(agg, "lo"), values(agg, "hi"), colour(0),
                  f"{round(level * 100)}% interval of the mean", in_legend=True)
        ax.plot(x, values(agg, "mean"), label=f"mean of {drawn} runs", **_MEAN_LINE)
    if runs:
        draw_shift_events(ax, runs[0].shift_events)
    generation_axes(ax, column)
    scenarios = sorted({r.scenario for r in runs})
    ax.set_title(f"{column} across runs ({', '.join(scenarios) or 'no runs'})")
    legend_or_note(ax)
    return fig
