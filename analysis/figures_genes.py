"""Gene figures of one run: population-mean gene trajectories, evolved against fitness-implied weights."""

from __future__ import annotations

import re

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .figure_style import (
    LEGEND_FONT,
    NO_DATA,
    ZERO_LINE,
    draw_shift_events,
    generation_axes,
    generation_axis,
    legend_or_note,
    marker_every,
    note,
    plain_text,
    style,
    values,
)
from .load import RunTables
from .metrics import weight_comparison

__all__ = ["gene_figure", "weights_figure"]

_GENE_RE = re.compile(r"^gene_(.+)_mean$")
_WEIGHT_PREFIX = "w_"
_GENE_FIG_SIZE = (7.0, 6.0)
#: The weights figure has one small panel per feature, this many to a row.
_WEIGHT_COLUMNS = 3
_WEIGHT_PANEL_SIZE = (8.0, 2.4)  # figure width, height of one row of panels
_TITLE_SPACE = 0.6  # inches above the panels for the title
_WEIGHT_MARKERS = 20  # about this many markers per weight line
_WEIGHT_X_TICKS = 4

@plain_text
def gene_figure(run: RunTables) -> Figure:
    """Population means of the genes: objective weights (top) and the other scalar genes (bottom)."""
    fig = Figure(figsize=_GENE_FIG_SIZE, layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    gens = run.generations
    genes = [m.group(1) for c in gens.columns if (m := _GENE_RE.match(str(c)))]
    weights = [g for g in genes if g.startswith(_WEIGHT_PREFIX)]
    others = [g for g in genes if not g.startswith(_WEIGHT_PREFIX)]
    x = generation_axis(gens)
    for ax, names, ylabel in ((top, weights, "mean objective weight"), (bottom, others, "mean gene value")):
        for i, gene in enumerate(names):
            ax.plot(x, values(gens, f"gene_{gene}_mean"), label=gene, markevery=marker_every(len(gens)),
                    **style(i))
        ax.axhline(0.0, **ZERO_LINE)
        generation_axes(ax, ylabel)
        draw_shift_events(ax, run.shift_events)
        legend_or_note(ax)
    top.set_xlabel("")
    top.set_title(f"Gene trajectories ({run.scenario})")
    return fig

@plain_text
def weights_figure(run: RunTables) -> Figure:
    """Per feature: the evolved mean weight (solid) against the fitness-implied weight (dashed)."""
    table = weight_comparison(run)
    features = list(dict.fromkeys(table["feature"]))
    nrows = max(1, -(-len(features) // _WEIGHT_COLUMNS))
    width, row_height = _WEIGHT_PANEL_SIZE
    fig = Figure(figsize=(width, row_height * nrows + _TITLE_SPACE), layout="constrained")
    axes = fig.subplots(nrows, _WEIGHT_COLUMNS, sharex=True, squeeze=False).ravel()
    for ax, feature in zip(axes, features):
        rows = table[table["feature"] == feature]
        every = max(1, len(rows) // _WEIGHT_MARKERS)
        ax.plot(rows["generation"], rows["evolved"], color="C0", linestyle="-", marker="o",
                markersize=3, markevery=every, label="evolved")
        ax.plot(rows["generation"], rows["implied"], color="C1", linestyle="--", marker="s",
                markersize=3, markevery=every, label="fitness-implied")
        ax.axhline(0.0, **ZERO_LINE)
        ax.set_title(feature, fontsize=9)
        draw_shift_events(ax, run.shift_events)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=_WEIGHT_X_TICKS, integer=True))
    for ax in axes[len(features):]:
        ax.set_axis_off()
    if features:
        axes[0].legend(fontsize=LEGEND_FONT, loc="upper left")  # fixed: "best" searches every point
        for ax in axes[-_WEIGHT_COLUMNS:]:
            ax.set_xlabel("generation")
    else:
        axes[0].set_axis_on()
        note(axes[0], NO_DATA)
    fig.suptitle(f"Evolved versus fitness-implied weights ({run.scenario})", fontsize=10)
    return fig
