"""What every figure shares: sizes, line styles, artist ids, shift-event marks, plain-text labels.

Figures are built with matplotlib's object API (no pyplot state), so they work headless.
Lines differ by line style and marker as well as colour, so figures read in grey scale.
Artists tests and readers look for carry a ``gid``: shift events ``SHIFT_GID`` (dotted
vertical lines), confidence intervals ``CI_GID`` (shaded bands), the freeze generation of
a frozen run ``FREEZE_GID`` (dash-dotted line), the edges of a nested tree ``TREE_EDGE_GID``.

Labels often hold user strings (scenario and shift names); every figure function is
wrapped in :func:`plain_text`, so ``$`` in them is drawn as a dollar sign, never parsed
as math text.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from .load import shift_generation, shift_label

SHIFT_GID = "shift-event"
CI_GID = "ci-band"
FREEZE_GID = "freeze"
TREE_EDGE_GID = "tree-edge"

#: Width and height (inches) of a one-panel figure.
FIG_SIZE = (7.0, 4.0)
#: Resolution of the PNG files written by :func:`analysis.figures.save_figures`.
FILE_DPI = 120
#: Opacity of a confidence band.
BAND_ALPHA = 0.18
#: Roughly how many markers a line carries, however many generations it spans.
MARKERS_PER_LINE = 25
#: Matplotlib's default colour cycle has this many colours (``C0`` .. ``C9``).
N_COLOURS = 10
LEGEND_FONT = 7
NOTE_COLOUR = "0.5"
ZERO_LINE = {"color": "0.8", "linewidth": 0.8, "zorder": 0, "label": "_zero"}
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)))
MARKERS = ("o", "s", "^", "D", "v", "x", "P", "*")
NO_DATA = "no data recorded"

F = TypeVar("F", bound=Callable[..., Figure])


def figure_and_axes(ax: Axes | None, size: tuple[float, float] = FIG_SIZE) -> tuple[Figure, Axes]:
    """A new one-panel figure, or the figure of ``ax`` (a caller's axes, e.g. one panel of their own
    ``plt.subplots`` grid) and ``ax`` itself: single-panel figure functions take ``ax=``."""
    if ax is None:
        fig = Figure(figsize=size, layout="constrained")
        return fig, fig.add_subplot()
    return ax.figure, ax


def plain_text(build: F) -> F:
    """Make every text of the figure ``build`` returns plain text (no math-text parsing of ``$``)."""

    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        fig = build(*args, **kwargs)
        for text in fig.findobj(Text):
            text.set_parse_math(False)
        return fig

    return wrapper  # type: ignore[return-value]


def colour(i: int) -> str:
    return f"C{i % N_COLOURS}"


def style(i: int) -> dict:
    """Colour, line style and marker of the ``i``-th line of a panel."""
    return {"color": colour(i), "linestyle": LINESTYLES[i % len(LINESTYLES)],
            "marker": MARKERS[i % len(MARKERS)], "markersize": 4}


def marker_every(n_points: int) -> int:
    return max(1, n_points // MARKERS_PER_LINE)


def generation_axis(gens: pd.DataFrame) -> np.ndarray:
    """The ``generation`` column as floats (row numbers when the table has none)."""
    if "generation" in gens.columns:
        return pd.to_numeric(gens["generation"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.arange(len(gens), dtype=float)


def values(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column as floats, NaN where it is not a number."""
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def wrapped_title(ax: Axes, title: str, fontsize: float | None = None) -> None:
    """``title`` over ``ax``, broken into lines that fit the panel's width, so the titles of panels side
    by side (``sweep_figure(..., ax=left)`` beside ``ax=right``) never run into each other."""
    import textwrap

    size = fontsize or plt_rc_title_size()
    width_in = ax.get_position().width * ax.figure.get_figwidth()
    chars = max(16, int(width_in * 72 / (0.6 * size)))  # an average glyph is about 0.6 em wide
    ax.set_title(textwrap.fill(title, chars), fontsize=size)


def plt_rc_title_size() -> float:
    """matplotlib's axes title size in points."""
    from matplotlib import font_manager, rcParams

    return float(font_manager.FontProperties(size=rcParams["axes.titlesize"]).get_size_in_points())


def draw_shift_events(ax: Axes, events: list[dict[str, Any]]) -> None:
    """Dotted vertical line and a small name label at each shift event the plotted data reach
    (a shift past a short run's end is not drawn: it would stretch the axis over empty space)."""
    xmax = max((float(np.nanmax(line.get_xdata())) for line in ax.get_lines()
                if len(line.get_xdata()) and np.isfinite(np.asarray(line.get_xdata(), dtype=float)).any()),
               default=None)
    for event in events:
        gen = shift_generation(event)
        if gen is None or (xmax is not None and gen > xmax):
            continue
        name = shift_label(event)
        ax.axvline(gen, color="0.4", linestyle=":", linewidth=1.0, gid=SHIFT_GID, label=f"_shift {name}")
        ax.text(gen, 0.98, f" {name}", transform=ax.get_xaxis_transform(), rotation=90, va="top",
                ha="left", fontsize=LEGEND_FONT, color="0.3", gid=SHIFT_GID, parse_math=False)


def draw_freeze(ax: Axes, freeze: int | None) -> None:
    """Dash-dotted vertical line at the generation a frozen run stopped evolving."""
    if freeze is not None:
        ax.axvline(float(freeze), color="0.2", linestyle="-.", linewidth=1.0, gid=FREEZE_GID,
                   label=f"_freeze at {freeze}")


def draw_band(ax: Axes, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, color: str, label: str, *,
              in_legend: bool = False) -> None:
    """Shade a confidence interval ``lo..hi`` (``gid == CI_GID``; in the legend only if ``in_legend``)."""
    ax.fill_between(x, lo, hi, color=color, alpha=BAND_ALPHA, linewidth=0, gid=CI_GID,
                    label=label if in_legend else f"_ci {label}")


def draw_interval_rows(ax: Axes, ci: pd.DataFrame | None, key: str, value: Any, color: str,
                       label: str) -> None:
    """Shade the interval ``lo..hi`` of the rows of the metrics table ``ci`` where ``ci[key] == value``."""
    if ci is None or ci.empty or key not in ci.columns:
        return
    rows = ci[ci[key] == value].sort_values("generation")
    if not rows.empty:
        draw_band(ax, values(rows, "generation"), values(rows, "lo"), values(rows, "hi"), color, label)


def generation_axes(ax: Axes, ylabel: str) -> None:
    """Integer generation ticks on x, ``ylabel`` on y."""
    ax.set_xlabel("generation")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def note(ax: Axes, message: str) -> None:
    """A grey message in the middle of an empty panel."""
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", color=NOTE_COLOUR)


def legend_or_note(ax: Axes, message: str = NO_DATA) -> None:
    """A legend when the panel has labelled lines or collections, otherwise ``message``. The legend sits
    right of the panel: it never hides a line, and placing it costs nothing (matplotlib's ``"best"``
    searches every point of every line, seconds for a long run)."""
    artists = [*ax.get_lines(), *ax.collections]
    if any(not str(a.get_label()).startswith("_") for a in artists):
        ax.legend(fontsize=LEGEND_FONT, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    else:
        note(ax, message)


def freeze_generation(manifest: dict[str, Any]) -> int | None:
    """``config.deployment.freeze_at`` of a frozen run, else None."""
    config = manifest.get("config")
    deployment = config.get("deployment") if isinstance(config, dict) else None
    if not isinstance(deployment, dict) or deployment.get("mode") != "frozen":
        return None
    freeze = deployment.get("freeze_at")
    return int(freeze) if isinstance(freeze, (int, float)) and not isinstance(freeze, bool) else None
