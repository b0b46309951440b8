"""Figures of nested optimizers: misalignment against the builder's competence, and one agent's tree.

Both read entity records (``entities/part-*.parquet``, see docs/tables.md) and
return a :class:`matplotlib.figure.Figure` built with the object API.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .load import RunTables

__all__ = ["misalignment_by_competence_figure", "nested_tree_figure", "pick_tree"]

_MEASURES = (("cosine_parent", "1 - cosine with builder's objective", "o-"),
             ("plan_agreement_parent", "plan disagreement with builder", "s--"))


def _entities(run_or_entities: RunTables | pd.DataFrame) -> pd.DataFrame:
    return run_or_entities.entities if isinstance(run_or_entities, RunTables) else run_or_entities


def misalignment_by_competence_figure(run_or_entities: RunTables | pd.DataFrame, level: int = 2) -> Figure:
    """Mean misalignment of level-``level`` entities (with standard errors) by their builder's planner depth.

    Misalignment is 1 - cosine of objectives and 1 - plan agreement, both with the builder.
    """
    ents = _entities(run_or_entities)
    fig = Figure(figsize=(6.0, 4.0), layout="constrained")
    ax = fig.add_subplot()
    sub = ents[ents["level"] == level] if "level" in ents.columns else ents.iloc[0:0]
    drawn = False
    for column, label, style in _MEASURES:
        if column not in sub.columns or "builder_depth" not in sub.columns:
            continue
        mis = 1.0 - pd.to_numeric(sub[column], errors="coerce")
        stats = mis.groupby(sub["builder_depth"]).agg(["mean", "std", "count"]).dropna(subset=["mean"])
        if stats.empty:
            continue
        se = stats["std"].fillna(0.0) / np.sqrt(stats["count"])
        ax.errorbar(stats.index.to_numpy(dtype=float), stats["mean"], yerr=se, fmt=style, capsize=3,
                    label=f"{label}")
        for d, row in stats.iterrows():
            ax.annotate(f"n={int(row['count'])}", (float(d), row["mean"]), textcoords="offset points",
                        xytext=(4, 4), fontsize=7, color="0.4")
        drawn = True
    ax.set_xlabel("builder competence (planner depth)")
    ax.set_ylabel(f"level-{level} misalignment")
    ax.set_title(f"Level-{level} misalignment against builder competence")
    if drawn:
        ax.legend(fontsize=8)
        ax.set_xticks(sorted(sub["builder_depth"].dropna().unique()))
    else:
        ax.text(0.5, 0.5, f"no level-{level} entities recorded", transform=ax.transAxes, ha="center",
                va="center", color="0.5")
    return fig


def pick_tree(ents: pd.DataFrame, generation: int | None = None, root_id: int | None = None) -> pd.DataFrame:
    """The entities of one lineage: by default the (generation, root) with the most sub-agents recorded."""
    if ents.empty:
        return ents
    here = ents if generation is None else ents[ents["generation"] == generation]
    if root_id is None:
        gen, root_id = here.groupby(["generation", "root_id"]).size().idxmax()
        here = here[here["generation"] == gen]
    elif generation is None:
        here = here[here["generation"] == here.loc[here["root_id"] == root_id, "generation"].max()]
    return here[here["root_id"] == root_id]


def _layout(tree: pd.DataFrame) -> dict[int, tuple[float, float]]:
    """Tidy positions: leaves left to right in depth-first order, parents centred over their children."""
    children: dict[int, list[int]] = {}
    for eid, parent in zip(tree["entity_id"], tree["parent_id"]):
        children.setdefault(int(parent), []).append(int(eid))
    level = dict(zip(tree["entity_id"].astype(int), tree["level"].astype(int)))
    pos: dict[int, tuple[float, float]] = {}
    next_x = [0.0]

    def place(node: int) -> float:
        kids = sorted(children.get(node, []))
        if kids:
            x = float(np.mean([place(k) for k in kids]))
        else:
            x = next_x[0]
            next_x[0] += 1.0
        pos[node] = (x, -float(level[node]))
        return x

    roots = [int(e) for e, p in zip(tree["entity_id"], tree["parent_id"]) if int(p) not in level]
    for r in sorted(roots):
        place(r)
    return pos


def nested_tree_figure(run_or_entities: RunTables | pd.DataFrame, generation: int | None = None,
                       root_id: int | None = None) -> Figure:
    """One agent's tree of sub-agents: colour = cosine with the root's objective; red ring = deceiver;
    cross = shut down; label = entity id."""
    tree = pick_tree(_entities(run_or_entities), generation, root_id)
    fig = Figure(figsize=(7.0, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    if tree.empty:
        ax.text(0.5, 0.5, "no entities recorded", transform=ax.transAxes, ha="center", va="center", color="0.5")
        return fig
    pos = _layout(tree)
    for eid, parent in zip(tree["entity_id"].astype(int), tree["parent_id"].astype(int)):
        if parent in pos:
            (x0, y0), (x1, y1) = pos[parent], pos[eid]
            ax.plot([x0, x1], [y0, y1], color="0.6", linewidth=1.0, zorder=1)
    ids = tree["entity_id"].astype(int).to_numpy()
    xy = np.array([pos[i] for i in ids])
    colour = tree["cosine_root"].to_numpy(dtype=float) if "cosine_root" in tree.columns else np.ones(len(ids))
    edge = np.where(tree["deceiver"].to_numpy(dtype=bool), "red", "black") if "deceiver" in tree.columns \
        else "black"
    sc = ax.scatter(xy[:, 0], xy[:, 1], c=colour, cmap="viridis", vmin=-1.0, vmax=1.0, s=160, edgecolors=edge,
                    linewidths=1.5, zorder=2)
    if "shut_down" in tree.columns and tree["shut_down"].any():
        off = tree["shut_down"].to_numpy(dtype=bool)
        ax.scatter(xy[off, 0], xy[off, 1], marker="x", color="black", s=80, zorder=3)
    for (x, y), eid in zip(xy, ids):
        ax.annotate(str(eid), (x, y), textcoords="offset points", xytext=(0, -14), ha="center", fontsize=6)
    fig.colorbar(sc, ax=ax, label="cosine with root objective", shrink=0.8)
    root = int(tree.loc[tree["level"] == tree["level"].min(), "entity_id"].iloc[0])
    ax.set_title(f"Nested optimizers of agent {root}, generation {int(tree['generation'].iloc[0])} "
                 f"({len(tree) - 1} sub-agents, {int(tree['level'].max())} levels)")
    return fig
