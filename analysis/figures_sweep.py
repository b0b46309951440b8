"""Figure of many runs: every run's trajectory, their mean and its interval; or, grouped by a key,
one mean and band per group (per setting of a sweep)."""

from __future__ import annotations

from typing import Any, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .compare import aggregate_runs, flat_config, group_by_setting
from .figure_style import (
    FIG_SIZE,
    colour,
    figure_and_axes,
    draw_band,
    draw_shift_events,
    wrapped_title,
    generation_axes,
    generation_axis,
    legend_or_note,
    plain_text,
    style,
    values,
)
from .load import RunTables, distinct_shift_events

__all__ = ["group_runs", "sweep_figure"]

_RUN_LINE = {"color": "0.6", "linewidth": 0.8, "linestyle": "-"}
_MEAN_LINE = {"color": "black", "linewidth": 2.0, "linestyle": "--"}


def group_runs(runs: Sequence[RunTables], by: str) -> list[tuple[str, list[RunTables]]]:
    """(label, runs) per group: ``by="setting"`` groups by setting (:func:`analysis.compare.group_by_setting`,
    labelled by the keys that differ); any other ``by`` is a dotted config key (``deployment.mode``) or a
    manifest key (``scenario``), the label ``key=value``; groups keep the order of their first run."""
    if by == "setting":
        return [(g.label, g.runs) for g in group_by_setting(runs)]
    groups: dict[str, list[RunTables]] = {}
    for run in runs:
        config = run.manifest.get("config")
        flat = flat_config(config) if isinstance(config, dict) else {}
        value: Any = flat.get(by, run.manifest.get(by, "?"))
        groups.setdefault(f"{by}={value}", []).append(run)
    return list(groups.items())


@plain_text
def sweep_figure(runs: Sequence[RunTables], column: str = "L1_spearman", *, by: str | None = None,
                 n_boot: int = 1000, level: float = 0.9, seed: int = 0, ax: Axes | None = None) -> Figure:
    """Every run's ``column`` as a thin grey line, their mean (thick) and its interval (band).

    ``by``: a grouping key (``"setting"``, a dotted config key such as ``"deployment.mode"``, or
    ``"scenario"``; see :func:`group_runs`): then one mean line and band per group, the interval
    taken across the group's seeds, and no individual lines. ``ax``: draw into these axes.
    """
    fig, ax = figure_and_axes(ax)
    if by is not None:
        _grouped(ax, runs, column, by, n_boot=n_boot, level=level, seed=seed)
        return fig
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
        draw_shift_events(ax, distinct_shift_events(runs))
    generation_axes(ax, column)
    scenarios = sorted({r.scenario for r in runs})
    wrapped_title(ax, f"{column} across runs ({', '.join(scenarios) or 'no runs'})")
    legend_or_note(ax)
    return fig


def _grouped(ax: Axes, runs: Sequence[RunTables], column: str, by: str, *, n_boot: int, level: float,
             seed: int) -> None:
    pct = f"{round(level * 100)}%"
    for i, (label, members) in enumerate(group_runs(runs, by)):
        agg = aggregate_runs(members, [column], n_boot=n_boot, level=level, seed=seed)
        if agg.empty:
            continue
        x = values(agg, "generation")
        draw_band(ax, x, values(agg, "lo"), values(agg, "hi"), colour(i), f"{label} {pct} interval")
        ax.plot(x, values(agg, "mean"), label=f"{label} (mean of {len(members)})", **style(i))
    if runs:
        draw_shift_events(ax, distinct_shift_events(runs))
    generation_axes(ax, column)
    wrapped_title(ax, f"{column} by {by}: mean and {pct} interval across seeds")
    legend_or_note(ax)
