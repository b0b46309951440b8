"""Correlation figures of one run: objective-fitness correlation per level, proxy-fitness correlation."""

from __future__ import annotations

import re
from typing import Iterable

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .figure_style import (
    FIG_SIZE,
    ZERO_LINE,
    colour,
    figure_and_axes,
    draw_interval_rows,
    draw_shift_events,
    generation_axes,
    generation_axis,
    legend_or_note,
    plain_text,
    style,
    values,
)
from .columns import levels
from .fisher import generation_bands
from .load import RunTables

__all__ = ["level_correlation_figure", "proxy_correlation_figure"]

_PROXY_RE = re.compile(r"^corr_(.+)$")
#: (column suffix, legend name, line style) of the two statistics of each level.
_STATISTICS = (("spearman", "Spearman", "-"), ("pearson", "Pearson", "--"))
#: A correlation lies in [-1, 1].
_CORRELATION_LIMITS = (-1.0, 1.0)


def _levels(columns: Iterable[str]) -> list[int]:
    return levels(columns, ("spearman", "pearson"))


def _proxy_features(columns: Iterable[str]) -> list[str]:
    return [m.group(1) for c in columns if (m := _PROXY_RE.match(str(c)))]


def _finish(ax: Axes, run: RunTables, ylabel: str, title: str) -> None:
    ax.set_ylim(*_CORRELATION_LIMITS)
    ax.axhline(0.0, **ZERO_LINE)
    generation_axes(ax, ylabel)
    ax.set_title(f"{title} ({run.scenario})")
    draw_shift_events(ax, run.shift_events)
    legend_or_note(ax)


@plain_text
def level_correlation_figure(run: RunTables, ci: pd.DataFrame | None = None, *, ax: Axes | None = None) -> Figure:
    """Spearman (solid) and Pearson (dashed) correlation of J with fitness, per level.

    Bands around each level's Spearman line (``gid == CI_GID``): by default the 90% Fisher-z
    interval of every generation's value (:func:`analysis.fisher.generation_bands`), so the band
    surrounds the line it belongs to; ``ci``: another table with ``generation``, ``level``, ``lo``,
    ``hi`` (e.g. :func:`analysis.metrics.level_correlations`, at the generations with entity
    records), an empty one for none. ``ax``: draw into these axes (of a figure of your own)
    instead of a new figure; the figure is returned.
    """
    fig, ax = figure_and_axes(ax)
    gens = run.generations
    ci = generation_bands(gens) if ci is None else ci
    x = generation_axis(gens)
    for level in _levels(gens.columns):
        for stat, stat_name, linestyle in _STATISTICS:
            column = f"L{level}_{stat}"
            if column in gens.columns:
                ax.plot(x, values(gens, column), linestyle=linestyle, marker=".",
                        color=colour(level - 1), label=f"level {level} {stat_name}")
        draw_interval_rows(ax, ci, "level", level, colour(level - 1), f"level {level}")
    _finish(ax, run, "correlation of objective with fitness", "Objective-fitness correlation by level")
    return fig


@plain_text
def proxy_correlation_figure(run: RunTables, ci: pd.DataFrame | None = None, *, ax: Axes | None = None) -> Figure:
    """Pearson correlation of each proxy feature with fitness, one line per feature.

    Bands: by default every generation's 90% Fisher-z interval; ``ci``: another table with
    ``generation``, ``feature``, ``lo``, ``hi`` (e.g. :func:`analysis.metrics.proxy_correlations`),
    an empty one for none.
    """
    fig, ax = figure_and_axes(ax)
    gens = run.generations
    ci = generation_bands(gens) if ci is None else ci
    x = generation_axis(gens)
    for i, feature in enumerate(_proxy_features(gens.columns)):
        ax.plot(x, values(gens, f"corr_{feature}"), label=feature, **style(i))
        draw_interval_rows(ax, ci, "feature", feature, colour(i), feature)
    _finish(ax, run, "correlation with fitness", "Proxy-fitness correlation")
    return fig
