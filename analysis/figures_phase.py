"""The phase diagram of when planners arise (issue 31): planner share and mean planner depth at the end of each
run of a sweep over task diversity ``K`` (``world.tasks``), the cost of search (``world.planning_cost``) and the
switch period ``T`` (``world.task_period``); ``K*``, where the mean planner share crosses 0.5 in log K."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .figure_style import colour, plain_text
from .student_t import t_interval

__all__ = ["K", "COST", "PERIOD", "end_values", "phase_cells", "k_star", "phase_heatmap", "phase_lines", "period_lines"]

#: The sweep's key columns (``analysis.sweep_load.column_name`` of the dotted keys).
K, COST, PERIOD = "world_tasks", "world_planning_cost", "world_task_period"


def end_values(generations: pd.DataFrame, last: int = 10) -> pd.DataFrame:
    """Per run: the mean planner share and mean planner depth over its last ``last`` generations (a run whose
    planners died out has depth NaN), with the run's K, cost, period and seed."""
    keys = [c for c in (K, COST, PERIOD) if c in generations.columns]
    cols = [c for c in ("planner_share", "depth_mean") if c in generations.columns]

    def tail(g: pd.DataFrame) -> pd.Series:
        g = g.sort_values("generation").tail(last)
        return pd.Series({c: float(g[c].mean()) for c in cols})

    return generations.groupby(["run_id", *keys, "seed"], sort=True).apply(tail, include_groups=False).reset_index()


def phase_cells(ends: pd.DataFrame, confidence: float = 0.9) -> pd.DataFrame:
    """Per (K, cost, period): mean planner share with its t interval across seeds, n, and mean depth."""
    rows = []
    for key, g in ends.groupby([K, COST, PERIOD], sort=True):
        share = t_interval(g["planner_share"], confidence)
        depth = t_interval(g["depth_mean"], confidence) if "depth_mean" in g else None
        rows.append({K: key[0], COST: key[1], PERIOD: key[2], "share": share.estimate, "share_lo": share.lo,
                     "share_hi": share.hi, "n": share.n,
                     "depth": depth.estimate if depth else math.nan,
                     "depth_lo": depth.lo if depth else math.nan, "depth_hi": depth.hi if depth else math.nan})
    return pd.DataFrame(rows)


def k_star(ks: np.ndarray, share: np.ndarray) -> float:
    """log2 K where ``share`` (ordered by ``ks``) first crosses 0.5, by linear interpolation in log2 K; -inf when
    it is already at least 0.5 at the smallest K, +inf when it never reaches 0.5."""
    order = np.argsort(ks)
    x, y = np.log2(np.asarray(ks, dtype=float)[order]), np.asarray(share, dtype=float)[order]
    if y[0] >= 0.5:
        return -math.inf
    for i in range(1, len(x)):
        if y[i] >= 0.5:
            return float(x[i - 1] + (0.5 - y[i - 1]) * (x[i] - x[i - 1]) / (y[i] - y[i - 1]))
    return math.inf


@plain_text
def phase_heatmap(cells: pd.DataFrame) -> Figure:
    """Mean planner share over log2 K (columns) and cost (rows), one panel per switch period T."""
    periods = sorted(cells[PERIOD].unique())
    ks, costs = sorted(cells[K].unique()), sorted(cells[COST].unique())
    fig = Figure(figsize=(3.6 * len(periods) + 1.0, 3.4), layout="constrained")
    axes = fig.subplots(1, len(periods), squeeze=False)[0]
    image = None
    for ax, period in zip(axes, periods):
        grid = cells[cells[PERIOD] == period].pivot(index=COST, columns=K, values="share").reindex(index=costs,
                                                                                                  columns=ks)
        image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", vmin=0.0, vmax=1.0, cmap="viridis")
        for (r, c), v in np.ndenumerate(grid.to_numpy()):
            if np.isfinite(v):
                ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=7, color="white" if v < 0.6 else "black")
        ax.set_xticks(range(len(ks)), [f"{int(np.log2(k))}" for k in ks])
        ax.set_yticks(range(len(costs)), [f"{c:g}" for c in costs])
        ax.set_xlabel("log2 K (active configurations)")
        ax.set_title(f"T = {int(period)}", fontsize=9)
    axes[0].set_ylabel("planning cost (energy per node)")
    fig.colorbar(image, ax=list(axes), label="planner share at the end")
    return fig


@plain_text
def phase_lines(cells: pd.DataFrame, period: float) -> Figure:
    """At switch period ``period``: planner share (left) and mean planner depth (right) against log2 K, one line
    per cost, bands the t intervals across seeds."""
    fig = Figure(figsize=(9.0, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    sub = cells[cells[PERIOD] == period]
    for i, (cost, g) in enumerate(sub.groupby(COST, sort=True)):
        g = g.sort_values(K)
        x = np.log2(g[K].to_numpy(dtype=float))
        for ax, col in ((left, "share"), (right, "depth")):
            ax.plot(x, g[col], marker="o", color=colour(i), label=f"cost {cost:g}")
            ax.fill_between(x, g[f"{col}_lo"], g[f"{col}_hi"], color=colour(i), alpha=0.2, linewidth=0)
    left.axhline(0.5, color="0.5", linestyle=":", linewidth=1)
    left.set_ylim(-0.05, 1.05)
    left.set_ylabel("planner share at the end")
    right.set_ylabel("mean planner depth at the end")
    for ax in (left, right):
        ax.set_xlabel("log2 K (active configurations)")
    left.legend(fontsize=7)
    fig.suptitle(f"switch period T = {int(period)}", fontsize=10)
    return fig


@plain_text
def period_lines(cells: pd.DataFrame, cost: float) -> Figure:
    """At ``cost``: planner share against the switch period T (log scale), one line per K, bands the t
    intervals across seeds."""
    fig = Figure(figsize=(5.0, 3.6), layout="constrained")
    ax = fig.subplots()
    sub = cells[np.isclose(cells[COST], cost)]
    for i, (k, g) in enumerate(sub.groupby(K, sort=True)):
        g = g.sort_values(PERIOD)
        x = g[PERIOD].to_numpy(dtype=float)
        ax.plot(x, g["share"], marker="o", color=colour(i), label=f"K = {int(k)}")
        ax.fill_between(x, g["share_lo"], g["share_hi"], color=colour(i), alpha=0.1, linewidth=0)
    ax.set_xscale("log")
    periods = sorted(sub[PERIOD].unique())
    ax.set_xticks(periods, [f"{int(p)}" for p in periods])  # plain labels: figures draw text without mathtext
    ax.minorticks_off()
    ax.axhline(0.5, color="0.5", linestyle=":", linewidth=1)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("switch period T (generations)")
    ax.set_ylabel("planner share at the end")
    ax.set_title(f"planning cost {cost:g}", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig
