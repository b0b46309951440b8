"""Figures of a run: objective-fitness correlation per level, proxy-fitness correlation.

Every function returns a :class:`matplotlib.figure.Figure` built with the object
API (no pyplot state), so it works headless.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .load import RunTables, load_run

__all__ = [
    "CI_GID",
    "SHIFT_GID",
    "level_correlation_figure",
    "proxy_correlation_figure",
    "save_figures",
]

SHIFT_GID = "shift-event"
CI_GID = "ci-band"
_LEVEL_RE = re.compile(r"^L(\d+)_(spearman|pearson)$")
_PROXY_RE = re.compile(r"^corr_(.+)$")
_STATISTICS = (("spearman", "Spearman", "-"), ("pearson", "Pearson", "--"))
# Distinct styles so proxy lines read in grey scale.
_LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)))
_MARKERS = ("o", "s", "^", "D", "v", "x", "P", "*")


def _levels(columns: Iterable[str]) -> list[int]:
    found = {int(m.group(1)) for c in columns if (m := _LEVEL_RE.match(str(c)))}
    return sorted(found)


def _proxy_features(columns: Iterable[str]) -> list[str]:
    return [m.group(1) for c in columns if (m := _PROXY_RE.match(str(c)))]


def _generation_axis(gens: pd.DataFrame) -> np.ndarray:
    if "generation" in gens.columns:
        return gens["generation"].to_numpy(dtype=float)
    return np.arange(len(gens), dtype=float)


def _values(gens: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(gens[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _draw_shift_events(ax: Axes, events: list[dict[str, Any]]) -> None:
    """Dotted vertical line and a small name label at each shift event."""
    for event in events:
        gen = event.get("generation")
        if gen is None:
            continue
        name = str(event.get("name", event.get("kind", "shift")))
        ax.axvline(float(gen), color="0.4", linestyle=":", linewidth=1.0,
                   gid=SHIFT_GID, label=f"_shift {name}")
        ax.text(float(gen), 0.98, f" {name}", transform=ax.get_xaxis_transform(),
                rotation=90, va="top", ha="left", fontsize=7, color="0.3", gid=SHIFT_GID)


def _draw_band(ax: Axes, ci: pd.DataFrame | None, key: str, value: Any, color: str,
               label: str) -> None:
    """Shade the interval ``lo..hi`` of the rows of ``ci`` where ``ci[key] == value``."""
    if ci is None or ci.empty or key not in ci.columns:
        return
    rows = ci[ci[key] == value].sort_values("generation")
    if rows.empty:
        return
    ax.fill_between(rows["generation"].to_numpy(float), rows["lo"].to_numpy(float),
                    rows["hi"].to_numpy(float), color=color, alpha=0.18, linewidth=0,
                    gid=CI_GID, label=f"_ci {label}")


def _finish(ax: Axes, run: RunTables, ylabel: str, title: str) -> None:
    ax.set_ylim(-1.0, 1.0)
    ax.axhline(0.0, color="0.8", linewidth=0.8, zorder=0, label="_zero")
    ax.set_xlabel("generation")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    ax.set_title(f"{title} ({run.scenario})")
    _draw_shift_events(ax, run.shift_events)
    if any(not line.get_label().startswith("_") for line in ax.get_lines()):
        ax.legend(fontsize=8, loc="best")
    else:
        ax.text(0.5, 0.5, "no data recorded", transform=ax.transAxes,
                ha="center", va="center", color="0.5")


def level_correlation_figure(run: RunTables, ci: pd.DataFrame | None = None) -> Figure:
    """Spearman (solid) and Pearson (dashed) correlation of J with fitness, per level.

    ``ci``: a :func:`analysis.metrics.level_correlations` table (Spearman by default);
    its intervals are shaded around each level's line (``gid == CI_GID``).
    """
    fig = Figure(figsize=(7.0, 4.0), layout="constrained")
    ax = fig.add_subplot()
    gens = run.generations
    x = _generation_axis(gens)
    for level in _levels(gens.columns):
        for stat, stat_name, style in _STATISTICS:
            column = f"L{level}_{stat}"
            if column not in gens.columns:
                continue
            ax.plot(x, _values(gens, column), linestyle=style, marker=".",
                    color=f"C{(level - 1) % 10}", label=f"level {level} {stat_name}")
        _draw_band(ax, ci, "level", level, f"C{(level - 1) % 10}", f"level {level}")
    _finish(ax, run, "correlation of objective with fitness",
            "Objective-fitness correlation by level")
    return fig


def proxy_correlation_figure(run: RunTables, ci: pd.DataFrame | None = None) -> Figure:
    """Pearson correlation of each proxy feature with fitness, one line per feature.

    ``ci``: a :func:`analysis.metrics.proxy_correlations` table, shaded around each line.
    """
    fig = Figure(figsize=(7.0, 4.0), layout="constrained")
    ax = fig.add_subplot()
    gens = run.generations
    x = _generation_axis(gens)
    for i, feature in enumerate(_proxy_features(gens.columns)):
        ax.plot(x, _values(gens, f"corr_{feature}"), color=f"C{i % 10}",
                linestyle=_LINESTYLES[i % len(_LINESTYLES)],
                marker=_MARKERS[i % len(_MARKERS)], markersize=4, label=feature)
        _draw_band(ax, ci, "feature", feature, f"C{i % 10}", feature)
    _finish(ax, run, "correlation with fitness", "Proxy-fitness correlation")
    return fig


def save_figures(run_or_path: RunTables | str | Path, out_dir: str | Path | None = None,
                 fmt: str = "png") -> list[Path]:
    """Write ``level_correlation.<fmt>`` and ``proxy_correlation.<fmt>``; return the paths.

    ``out_dir`` defaults to the run directory.
    """
    run = run_or_path if isinstance(run_or_path, RunTables) else load_run(run_or_path)
    target = Path(out_dir) if out_dir is not None else run.path
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in (("level_correlation", level_correlation_figure),
                        ("proxy_correlation", proxy_correlation_figure)):
        path = target / f"{name}.{fmt}"
        build(run).savefig(path, format=fmt, dpi=120)
        paths.append(path)
    return paths
