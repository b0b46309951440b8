"""Figures of nested optimizers: misalignment against the builder's competence, and one agent's tree.

Both read entity records (``entities/part-*.parquet``, see docs/tables.md) and accept a
run or its entity table alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .figure_style import (
    figure_and_axes,
    FIG_SIZE,
    LEGEND_FONT,
    MARKERS,
    NOTE_COLOUR,
    TREE_EDGE_GID,
    colour,
    note,
    plain_text,
    values,
)
from .load import RunTables
from .metrics import competence_regimes

__all__ = ["misalignment_by_competence_figure", "nested_tree_figure", "pick_tree"]

#: The level whose misalignment is drawn when a run has no entity above level 1.
FIRST_BUILT_LEVEL = 2
_TREE_COLUMNS = {"generation", "entity_id", "root_id", "parent_id", "level"}
_TREE_FIG_SIZE = (7.0, 4.5)
_NODE_SIZE = 160
_SHUT_DOWN_SIZE = 80
#: Node colour: cosine of the entity's objective with its root agent's, on this scale.
_COSINE_RANGE = (-1.0, 1.0)
_COSINE_MAP = "viridis"
_DECEIVER_EDGE = "red"
_LABEL_OFFSET = (0, -14)  # points below each node
_PANEL_WIDTH = 4.0  # inches per level in the misalignment figure


def _as_run(run_or_entities: RunTables | pd.DataFrame) -> RunTables:
    if isinstance(run_or_entities, RunTables):
        return run_or_entities
    return RunTables(path=None, manifest={}, generations=pd.DataFrame(), entities=run_or_entities)


def _where(run: RunTables) -> str:
    return f" ({run.scenario})" if "scenario" in run.manifest else ""


@plain_text
def misalignment_by_competence_figure(run_or_entities: RunTables | pd.DataFrame,
                                      regimes: pd.DataFrame | None = None, *, n_boot: int = 1000,
                                      seed: int = 0) -> Figure:
    """Misalignment of built entities with their builder against the builder's planner depth.

    One panel per level >= 2: ``1 - cosine`` of objectives (solid, with its bootstrap
    interval as error bars) and ``1 - plan agreement`` (dotted), from
    :func:`analysis.metrics.competence_regimes` (computed here when ``regimes`` is None).
    """
    run = _as_run(run_or_entities)
    regimes = competence_regimes(run, n_boot=n_boot, seed=seed) if regimes is None else regimes
    levels = sorted(int(v) for v in regimes["level"].unique()) or [FIRST_BUILT_LEVEL]
    width, height = FIG_SIZE
    fig = Figure(figsize=(max(width, _PANEL_WIDTH * len(levels)), height), layout="constrained")
    axes = fig.subplots(1, len(levels), sharey=True, squeeze=False)[0]
    for ax, level in zip(axes, levels):
        rows = regimes[regimes["level"] == level].sort_values("builder_depth")
        ax.set_xlabel("builder competence (planner depth)")
        ax.set_title(f"level {level}", fontsize=9)
        if rows.empty:
            note(ax, f"no level-{level} entities recorded")
            continue
        x, y = values(rows, "builder_depth"), values(rows, "misalignment")
        err = np.vstack([y - values(rows, "lo"), values(rows, "hi") - y])
        ax.plot(x, y, color=colour(0), linestyle="-", marker="o", label="1 - cosine with builder's objective")
        ax.errorbar(x, y, yerr=np.where(np.isfinite(err), err, 0.0), fmt="none", capsize=3,
                    ecolor=colour(0), label="_ci")
        disagreement = values(rows, "plan_disagreement")
        if np.isfinite(disagreement).any():
            ax.plot(x, disagreement, color=colour(1), linestyle=":", marker="s",
                    label="plan disagreement with builder")
        for xi, yi, n in zip(x, y, rows["n"]):
            ax.annotate(f"n={int(n)}", (xi, yi), textcoords="offset points", xytext=(4, 4),
                        fontsize=LEGEND_FONT, color=NOTE_COLOUR)
        ax.set_xticks(sorted(set(x[np.isfinite(x)])))
        ax.legend(fontsize=LEGEND_FONT, loc="best")
    axes[0].set_ylabel("misalignment with builder")
    fig.suptitle(f"Misalignment by builder competence{_where(run)}", fontsize=10)
    return fig


def pick_tree(ents: pd.DataFrame, generation: int | None = None, root_id: int | None = None) -> pd.DataFrame:
    """The entities of one agent's tree in one generation.

    Default: the (generation, root agent) with the most entities; ties go to the later
    generation, then the fitter root (``root_fitness``), then the smaller id. With
    ``root_id`` alone, that agent's tree in the latest generation it was recorded.
    """
    if ents.empty or not _TREE_COLUMNS <= set(ents.columns):
        return ents.iloc[0:0]
    here = ents if generation is None else ents[ents["generation"] == generation]
    if root_id is not None:
        here = here[here["root_id"] == root_id]
        return here[here["generation"] == here["generation"].max()] if not here.empty else here
    if here.empty:
        return here
    keys = ["generation", "root_id"]
    trees = here.groupby(keys).size().rename("size").reset_index()
    fitness = (here.groupby(keys)["root_fitness"].max().reset_index(drop=True)
               if "root_fitness" in here.columns else pd.Series(np.nan, index=trees.index))
    trees["fitness"] = pd.to_numeric(fitness, errors="coerce").fillna(-np.inf).to_numpy()
    best = trees.sort_values(["size", "generation", "fitness", "root_id"],
                             ascending=[False, False, False, True], kind="stable").iloc[0]
    return here[(here["generation"] == best["generation"]) & (here["root_id"] == best["root_id"])]


def _layout(tree: pd.DataFrame) -> dict[int, tuple[float, float]]:
    """Tidy positions: leaves left to right in depth-first order, parents centred over their
    children, one row per level (y = -level)."""
    children: dict[int, list[int]] = {}
    for eid, parent in zip(tree["entity_id"].astype(int), tree["parent_id"].astype(int)):
        children.setdefault(parent, []).append(eid)
    level = dict(zip(tree["entity_id"].astype(int), tree["level"].astype(int)))
    pos: dict[int, tuple[float, float]] = {}
    next_x = [0.0]

    def place(node: int) -> float:
        kids = sorted(k for k in children.get(node, []) if k != node)
        if kids:
            x = float(np.mean([place(k) for k in kids]))
        else:
            x = next_x[0]
            next_x[0] += 1.0
        pos[node] = (x, -float(level[node]))
        return x

    for root in sorted(e for e, p in zip(tree["entity_id"].astype(int), tree["parent_id"].astype(int))
                       if p not in level):
        place(root)
    return pos


@plain_text
def nested_tree_figure(run_or_entities: RunTables | pd.DataFrame, generation: int | None = None,
                       root_id: int | None = None, *, ax: Axes | None = None) -> Figure:
    """One agent's tree of sub-agents (which tree: :func:`pick_tree`).

    One row and one marker per level; node colour = cosine with the root's objective
    (when recorded); red ring = deceiver; cross = shut down; label = entity id and its J.
    Edges have ``gid == TREE_EDGE_GID``.
    """
    run = _as_run(run_or_entities)
    tree = pick_tree(run.entities, generation, root_id)
    fig, ax = figure_and_axes(ax, _TREE_FIG_SIZE)
    if tree.empty:
        ax.set_axis_off()
        note(ax, "no entities recorded")
        return fig
    tree = tree.set_index(tree["entity_id"].astype(int), drop=False)
    pos = _layout(tree)
    for eid, parent in zip(tree["entity_id"].astype(int), tree["parent_id"].astype(int)):
        if parent in pos and parent != eid:
            (x0, y0), (x1, y1) = pos[parent], pos[eid]
            ax.plot([x0, x1], [y0, y1], color="0.6", linewidth=1.0, zorder=1, gid=TREE_EDGE_GID, label="_edge")
    cosine = values(tree, "cosine_root") if "cosine_root" in tree.columns else np.full(len(tree), np.nan)
    coloured = bool(np.isfinite(cosine).any())
    deceiver = tree["deceiver"].fillna(False).to_numpy(dtype=bool) if "deceiver" in tree.columns \
        else np.zeros(len(tree), dtype=bool)
    levels = sorted(int(v) for v in tree["level"].unique())
    mappable = None
    for i, lvl in enumerate(levels):
        on = (tree["level"].astype(int) == lvl).to_numpy()
        ids = tree["entity_id"].astype(int).to_numpy()[on]
        xy = np.array([pos[n] for n in ids])
        fill = dict(c=np.nan_to_num(cosine[on], nan=_COSINE_RANGE[1]), cmap=_COSINE_MAP,
                    vmin=_COSINE_RANGE[0], vmax=_COSINE_RANGE[1]) if coloured else dict(color=colour(i))
        sc = ax.scatter(xy[:, 0], xy[:, 1], marker=MARKERS[i % len(MARKERS)], s=_NODE_SIZE,
                        edgecolors=np.where(deceiver[on], _DECEIVER_EDGE, "black"), linewidths=1.5,
                        zorder=2, label=f"level {lvl}", **fill)
        mappable = sc if coloured else mappable
    if "shut_down" in tree.columns and tree["shut_down"].fillna(False).astype(bool).any():
        off = tree["shut_down"].fillna(False).to_numpy(dtype=bool)
        xy = np.array([pos[n] for n in tree["entity_id"].astype(int).to_numpy()[off]])
        ax.scatter(xy[:, 0], xy[:, 1], marker="x", color="black", s=_SHUT_DOWN_SIZE, zorder=3, label="shut down")
    j = values(tree, "J") if "J" in tree.columns else np.full(len(tree), np.nan)
    for eid, jv in zip(tree["entity_id"].astype(int), j):
        text = str(eid) if not np.isfinite(jv) else f"{eid}\nJ={jv:.2g}"
        ax.annotate(text, pos[eid], textcoords="offset points", xytext=_LABEL_OFFSET, ha="center",
                    va="top", fontsize=6)
    if mappable is not None:
        fig.colorbar(mappable, ax=ax, label="cosine with root objective", shrink=0.8)
    root = int(tree.loc[tree["level"] == tree["level"].min(), "entity_id"].iloc[0])
    fit = float(pd.to_numeric(tree.loc[root, "root_fitness"], errors="coerce")) \
        if "root_fitness" in tree.columns else np.nan
    fitness = f", fitness {fit:g}" if np.isfinite(fit) else ""
    ax.set_title(f"Nested optimizers of agent {root}, generation {int(tree['generation'].iloc[0])}: "
                 f"{len(tree) - 1} sub-agents, {len(levels)} level{'s' if len(levels) > 1 else ''}"
                 f"{fitness}{_where(run)}", fontsize=9)
    ax.set_ylabel("level")
    ax.set_yticks([-lv for lv in levels], [str(lv) for lv in levels])
    ax.set_xticks([])
    ax.margins(0.15)
    ax.legend(fontsize=LEGEND_FONT, loc="best")
    return fig
