"""Interactive figures of the HTML report (plotly): hover for values, drag to zoom, click a
legend entry to hide or show its series, double-click to isolate it.

Each function returns a ``plotly.graph_objects.Figure``; :func:`figure_div` turns one into
a ``<div>`` plus the short script that draws it, *without* plotly.js. The report embeds
plotly.js once, inline (:func:`plotly_js`), so the single HTML file works from disk with
the network off, however many figures it holds. Series use the names of the tables
(``level 1``, a feature name, a setting label), the vocabulary of ``docs/analysis.md``.
plotly is imported only here: ``import analysis`` never loads it.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from .columns import levels as column_levels
from .compare import SettingGroup, aggregate_runs
from .figure_style import generation_axis, values
from .fisher import generation_bands
from .load import RunTables, distinct_shift_events, shift_generation, shift_label

__all__ = ["PLOTLY_CONFIG", "figure_div", "level_plot", "plotly_js", "proxy_plot", "settings_plot",
           "sweep_plot", "text"]

#: plotly's own colour cycle (matplotlib's ``C0..C9``), so static and interactive figures agree.
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
#: Options of every figure: no plotly logo, no link to plotly's servers, resize with the page.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "showLink": False, "plotlyServerURL": ""}
HEIGHT = 380
BAND_OPACITY = 0.18
_PROXY_RE = re.compile(r"^corr_(.+)$")


def plotly_js() -> str:
    """plotly.js itself (minified, about 4.8 MB), to embed once per page in a ``<script>``."""
    return get_plotlyjs()


def figure_div(fig: go.Figure, div_id: str) -> str:
    """The ``<div>`` and drawing script of ``fig`` (plotly.js not included: see :func:`plotly_js`).

    The figure travels as JSON with ``<``, ``>`` and ``&`` written as ``\\u`` escapes, so no
    value can close the script; ``div_id`` must be a plain identifier of the caller's.
    """
    if not re.fullmatch(r"[A-Za-z][\w-]*", div_id):
        raise ValueError(f"bad figure id {div_id!r}")
    spec = fig.to_json(validate=False)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        spec = spec.replace(char, escape)
    height = fig.layout.height or HEIGHT
    return (f'<div id="{div_id}" class="plotly-graph-div" style="height:{int(height)}px; width:100%;"></div>\n'
            f'<script>(function () {{ var f = {spec}; Plotly.newPlot("{div_id}", f.data, f.layout, '
            f"{json.dumps(PLOTLY_CONFIG)}); }})();</script>")


def text(value: Any) -> str:
    """A user string (scenario, shift, setting) as plotly text, shown as typed: plotly reads a few
    HTML tags and entities in labels (escaped here) and ``$...$`` as math (``$`` as an entity)."""
    return html.escape(str(value), quote=True).replace("$", "&#36;")


def colour(i: int) -> str:
    return COLOURS[i % len(COLOURS)]


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _list(a: np.ndarray) -> list[float | None]:
    """Plain floats for JSON (NaN as a gap)."""
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, dtype=float)]


def _layout(fig: go.Figure, title: str, ytitle: str, height: int = HEIGHT, rows: int = 1) -> go.Figure:
    """Common look; ``rows``: stacked panels sharing x (the x title goes under the last)."""
    fig.update_layout(template="none", title={"text": text(title), "x": 0.01, "font": {"size": 15}}, height=height,
                      margin={"l": 60, "r": 20, "t": 50, "b": 45}, hovermode="x unified",
                      legend={"font": {"size": 11}, "itemclick": "toggle", "itemdoubleclick": "toggleothers"},
                      paper_bgcolor="white", plot_bgcolor="white")
    fig.update_xaxes(showgrid=True, gridcolor="#eee", zeroline=False)
    fig.update_yaxes(showgrid=True, gridcolor="#eee", zerolinecolor="#bbb")
    fig.update_layout(yaxis_title=text(ytitle))
    if rows > 1:
        fig.update_xaxes(title_text="generation", row=rows, col=1)
    else:
        fig.update_xaxes(title_text="generation")
    return fig


def _band(fig: go.Figure, x, lo, hi, hex_colour: str, name: str, group: str, *, show: bool = False,
          **where: int) -> None:
    """A shaded interval ``lo..hi``: the upper edge, then the lower edge filled up to it."""
    x, lo, hi = _list(x), _list(lo), _list(hi)
    fig.add_trace(go.Scatter(x=x, y=hi, mode="lines", line={"width": 0}, legendgroup=group, showlegend=False,
                             hoverinfo="skip", name=f"{name} upper"), **where)
    fig.add_trace(go.Scatter(x=x, y=lo, mode="lines", line={"width": 0}, fill="tonexty",
                             fillcolor=_rgba(hex_colour, BAND_OPACITY), legendgroup=group, showlegend=show,
                             name=name, hoverinfo="skip"), **where)


def _shifts(fig: go.Figure, events: list[dict[str, Any]], xmax: float | None, rows: int = 1) -> None:
    """A dotted vertical line at each shift the plotted generations reach, in every one of ``rows``
    stacked panels, with the shift's name in the top one."""
    line = {"color": "#666", "dash": "dot", "width": 1}
    # the name inside the plot, under its top edge: above it, it would run into the figure's title
    label = {"annotation_position": "top left", "annotation_yanchor": "top",
             "annotation_font": {"size": 10, "color": "#444"}}
    for event in events:
        gen = shift_generation(event)
        if gen is None or (xmax is not None and gen > xmax):
            continue
        if rows == 1:
            fig.add_vline(x=gen, line=line, annotation_text=text(shift_label(event)), **label)
            continue
        for row in range(1, rows + 1):
            fig.add_vline(x=gen, line=line, row=row, col=1,
                          **({"annotation_text": text(shift_label(event)), **label} if row == 1 else {}))


def _xmax(x: np.ndarray) -> float | None:
    finite = x[np.isfinite(x)]
    return float(finite.max()) if finite.size else None


def _interval_rows(ci: pd.DataFrame | None, key: str, value: Any) -> pd.DataFrame | None:
    if ci is None or ci.empty or key not in ci.columns:
        return None
    rows = ci[ci[key] == value].sort_values("generation")
    return rows if not rows.empty else None


def level_plot(run: RunTables, ci: pd.DataFrame | None = None, level: float = 0.9) -> go.Figure:
    """Objective-fitness Spearman per level (top) above the number of entities of each level per
    generation (bottom), so a level that died out says so. Bands: ``ci`` (a table with ``generation``,
    ``level``, ``lo``, ``hi``); by default every generation's Fisher-z interval (:mod:`analysis.fisher`)."""
    gens = run.generations
    ci = generation_bands(gens, level) if ci is None else ci
    x = generation_axis(gens)
    levels = column_levels(gens.columns)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32], vertical_spacing=0.06)
    pct = f"{round(level * 100)}%"
    for lvl in levels:
        name, c = f"level {lvl}", colour(lvl - 1)
        rows = _interval_rows(ci, "level", lvl)
        if rows is not None:
            _band(fig, values(rows, "generation"), values(rows, "lo"), values(rows, "hi"), c,
                  f"{name} {pct} interval", name, row=1, col=1)
        fig.add_trace(go.Scatter(x=_list(x), y=_list(values(gens, f"L{lvl}_spearman")), mode="lines+markers",
                                 name=f"{name} Spearman", legendgroup=name, line={"color": c},
                                 marker={"size": 4}), row=1, col=1)
        if f"L{lvl}_n" in gens.columns:
            fig.add_trace(go.Scatter(x=_list(x), y=_list(values(gens, f"L{lvl}_n")), mode="lines",
                                     name=f"{name} entities", legendgroup=name, showlegend=False,
                                     line={"color": c, "shape": "hv"}), row=2, col=1)
    _layout(fig, f"Objective-fitness correlation and entities by level ({run.scenario})",
            "Spearman(J, fitness)", height=HEIGHT + 120, rows=2)
    fig.update_yaxes(range=[-1.05, 1.05], row=1, col=1)
    fig.update_yaxes(title_text="entities", rangemode="tozero", row=2, col=1)
    _shifts(fig, run.shift_events, _xmax(x), rows=2)
    return fig


def proxy_plot(run: RunTables, ci: pd.DataFrame | None = None, level: float = 0.9) -> go.Figure:
    """Pearson correlation of each proxy feature with fitness. Bands: ``ci`` (``generation``, ``feature``,
    ``lo``, ``hi``); by default every generation's Fisher-z interval (:mod:`analysis.fisher`)."""
    gens = run.generations
    ci = generation_bands(gens, level) if ci is None else ci
    x = generation_axis(gens)
    fig = go.Figure()
    pct = f"{round(level * 100)}%"
    features = [m.group(1) for c in gens.columns if (m := _PROXY_RE.match(str(c)))]
    for i, feature in enumerate(features):
        name = text(feature)
        rows = _interval_rows(ci, "feature", feature)
        if rows is not None:
            _band(fig, values(rows, "generation"), values(rows, "lo"), values(rows, "hi"), colour(i),
                  f"{name} {pct} interval", name)
        fig.add_trace(go.Scatter(x=_list(x), y=_list(values(gens, f"corr_{feature}")), mode="lines+markers",
                                 name=name, legendgroup=name,
                                 line={"color": colour(i), "dash": DASHES[i % len(DASHES)]}, marker={"size": 4}))
    _layout(fig, f"Proxy-fitness correlation ({run.scenario})", "Pearson(feature, fitness)")
    fig.update_yaxes(range=[-1.05, 1.05])
    _shifts(fig, run.shift_events, _xmax(x))
    return fig


def _mean_band(fig: go.Figure, runs: Sequence[RunTables], column: str, name: str, c: str, *, n_boot: int,
               level: float, seed: int) -> float | None:
    agg = aggregate_runs(runs, [column], n_boot=n_boot, level=level, seed=seed)
    if agg.empty:
        return None
    x = values(agg, "generation")
    _band(fig, x, values(agg, "lo"), values(agg, "hi"), c, f"{name}: {round(level * 100)}% interval", name)
    fig.add_trace(go.Scatter(x=_list(x), y=_list(values(agg, "mean")), mode="lines", name=f"{name}: mean of "
                             f"{len(runs)} seeds", legendgroup=name, line={"color": c, "width": 2.5}))
    return _xmax(x)


def sweep_plot(runs: Sequence[RunTables], column: str = "L1_spearman", *, n_boot: int = 1000,
               level: float = 0.9, seed: int = 0) -> go.Figure:
    """Every seed's ``column`` as a thin line (hover names the seed), their mean and its interval."""
    fig = go.Figure()
    for i, run in enumerate(runs):
        gens = run.generations
        if gens.empty or column not in gens.columns:
            continue
        fig.add_trace(go.Scatter(x=_list(generation_axis(gens)), y=_list(values(gens, column)), mode="lines",
                                 name=text(f"seed {run.manifest.get('seed')}"), legendgroup="seeds",
                                 legendgrouptitle={"text": "seeds"} if i == 0 else None,
                                 line={"color": "#999", "width": 1}))
    xmax = _mean_band(fig, runs, column, "all seeds", colour(0), n_boot=n_boot, level=level, seed=seed)
    _layout(fig, f"{column} across seeds", column)
    if runs:
        _shifts(fig, distinct_shift_events(runs), xmax)
    return fig


def settings_plot(groups: Sequence[SettingGroup], column: str = "L1_spearman", *, n_boot: int = 1000,
                  level: float = 0.9, seed: int = 0) -> go.Figure:
    """One band per setting: the mean of ``column`` over the setting's seeds and its interval
    across seeds (the seed is the unit); click a setting in the legend to hide it."""
    fig = go.Figure()
    xmax = None
    for i, group in enumerate(groups):
        end = _mean_band(fig, group.runs, column, text(group.label), colour(i), n_boot=n_boot, level=level, seed=seed)
        xmax = end if xmax is None or (end is not None and end > xmax) else xmax
    _layout(fig, f"{column} by setting (mean and {round(level * 100)}% interval across seeds)", column)
    _shifts(fig, distinct_shift_events([r for g in groups for r in g.runs]), xmax)
    return fig
