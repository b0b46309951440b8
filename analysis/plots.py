"""More figures: genes, weights, competence regimes, an agent's nested tree, run comparisons.

Like :mod:`analysis.figures`, every function returns a :class:`matplotlib.figure.Figure`
built with the object API. Lines differ by line style and marker as well as colour, so
the figures read in grey scale; shift events are dotted vertical lines (``gid ==
SHIFT_GID``), confidence intervals shaded bands (``gid == CI_GID``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .compare import aggregate_runs
from .figures import (
    CI_GID,
    _LINESTYLES,
    _MARKERS,
    _draw_shift_events,
    level_correlation_figure,
    proxy_correlation_figure,
)
from .load import RunTables, load_run
from .metrics import competence_regimes, level_correlations, proxy_correlations, weight_comparison

__all__ = [
    "FIGURE_KINDS",
    "TREE_EDGE_GID",
    "competence_figure",
    "gene_figure",
    "online_frozen_figure",
    "save_kind_figures",
    "sweep_figure",
    "tree_figure",
    "weights_figure",
]

TREE_EDGE_GID = "tree-edge"
_GENE_RE = re.compile(r"^gene_(.+)_mean$")
FIG_SIZE = (7.0, 4.0)


def _style(i: int) -> dict:
    return {"color": f"C{i % 10}", "linestyle": _LINESTYLES[i % len(_LINESTYLES)],
            "marker": _MARKERS[i % len(_MARKERS)], "markersize": 4}


def _x(gens: pd.DataFrame) -> np.ndarray:
    return pd.to_numeric(gens["generation"]).to_numpy(float)


def _y(gens: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(gens[column], errors="coerce").to_numpy(float, na_value=np.nan)


def _legend_or_empty(ax: Axes, message: str = "no data recorded") -> None:
    if any(not line.get_label().startswith("_") for line in ax.get_lines()):
        ax.legend(fontsize=7, loc="best")
    else:
        ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", color="0.5")


def _generation_axes(ax: Axes, ylabel: str) -> None:
    ax.set_xlabel("generation")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def gene_figure(run: RunTables) -> Figure:
    """Population means of the genes: objective weights (top) and the other scalar genes (bottom)."""
    fig = Figure(figsize=(7.0, 6.0), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    gens = run.generations
    genes = [m.group(1) for c in gens.columns if (m := _GENE_RE.match(str(c)))]
    weights = [g for g in genes if g.startswith("w_")]
    others = [g for g in genes if not g.startswith("w_")]
    for ax, names, ylabel in ((top, weights, "mean objective weight"),
                              (bottom, others, "mean gene value")):
        for i, gene in enumerate(names):
            ax.plot(_x(gens), _y(gens, f"gene_{gene}_mean"), label=gene,
                    markevery=max(1, len(gens) // 25), **_style(i))
        ax.axhline(0.0, color="0.8", linewidth=0.8, zorder=0, label="_zero")
        _generation_axes(ax, ylabel)
        _draw_shift_events(ax, run.shift_events)
        _legend_or_empty(ax)
    top.set_xlabel("")
    top.set_title(f"Gene trajectories ({run.scenario})")
    return fig


def weights_figure(run: RunTables) -> Figure:
    """Per feature: the evolved mean weight (solid) against the fitness-implied weight (dashed)."""
    table = weight_comparison(run)
    features = list(dict.fromkeys(table["feature"]))
    ncols = 3
    nrows = max(1, -(-len(features) // ncols))
    fig = Figure(figsize=(8.0, 2.4 * nrows + 0.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, squeeze=False)).ravel()
    for ax, feature in zip(axes, features):
        rows = table[table["feature"] == feature]
        every = max(1, len(rows) // 20)
        ax.plot(rows["generation"], rows["evolved"], color="C0", linestyle="-", marker="o",
                markersize=3, markevery=every, label="evolved")
        ax.plot(rows["generation"], rows["implied"], color="C1", linestyle="--", marker="s",
                markersize=3, markevery=every, label="fitness-implied")
        ax.axhline(0.0, color="0.8", linewidth=0.8, zorder=0, label="_zero")
        ax.set_title(feature, fontsize=9)
        _draw_shift_events(ax, run.shift_events)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    for ax in axes[len(features):]:
        ax.set_axis_off()
    if features:
        axes[0].legend(fontsize=7, loc="best")
        for ax in axes[-ncols:]:
            ax.set_xlabel("generation")
    else:
        axes[0].set_axis_on()
        axes[0].text(0.5, 0.5, "no data recorded", transform=axes[0].transAxes,
                     ha="center", va="center", color="0.5")
    fig.suptitle(f"Evolved versus fitness-implied weights ({run.scenario})", fontsize=10)
    return fig


def competence_figure(run: RunTables, regimes: pd.DataFrame | None = None) -> Figure:
    """Misalignment of built entities (1 - cosine with the builder) by builder depth, per level."""
    regimes = competence_regimes(run) if regimes is None else regimes
    fig = Figure(figsize=FIG_SIZE, layout="constrained")
    ax = fig.add_subplot()
    for i, (lvl, rows) in enumerate(regimes.groupby("level", sort=True)):
        x = rows["builder_depth"].to_numpy(float)
        y = rows["misalignment"].to_numpy(float)
        err = np.vstack([y - rows["lo"].to_numpy(float), rows["hi"].to_numpy(float) - y])
        style = _style(i)
        ax.plot(x, y, label=f"level {int(lvl)}", **style)
        ax.errorbar(x, y, yerr=np.where(np.isfinite(err), err, 0.0), fmt="none", capsize=3,
                    ecolor=style["color"], label="_ci")
        ax.plot(x, rows["plan_disagreement"].to_numpy(float), color=f"C{i % 10}",
                linestyle=":", marker="x", label=f"level {int(lvl)} plan disagreement")
    ax.set_xlabel("builder planner depth (competence)")
    ax.set_ylabel("misalignment with builder (1 - cosine)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"Competence regimes ({run.scenario})")
    _legend_or_empty(ax, "no entities above level 1 recorded")
    return fig


def _pick_root(ents: pd.DataFrame) -> int:
    sizes = ents.groupby("root_id").size()
    if "root_fitness" in ents.columns:
        fit = ents.groupby("root_id")["root_fitness"].max()
        order = pd.DataFrame({"size": sizes, "fit": fit}).sort_values(
            ["size", "fit"], ascending=False, kind="stable")
        return int(order.index[0])
    return int(sizes.idxmax())


def _layout(children: dict[int, list[int]], node: int, depth: int, pos: dict, next_x: list) -> float:
    kids = children.get(node, [])
    if not kids:
        x = float(next_x[0])
        next_x[0] += 1
    else:
        x = float(np.mean([_layout(children, k, depth + 1, pos, next_x) for k in kids]))
    pos[node] = (x, -depth)
    return x


def tree_figure(run: RunTables, root_id: int | None = None, generation: int | None = None) -> Figure:
    """The nested tree of one agent: the entities built under it, from ``root_id``/``parent_id``.

    Defaults: the recorded generation holding the largest tree (the latest on ties; the
    last generation when nobody built anything), and the agent with the largest tree there
    (ties: the fittest). Nodes are placed one row per level; edges have ``gid == TREE_EDGE_GID``.
    """
    fig = Figure(figsize=FIG_SIZE, layout="constrained")
    ax = fig.add_subplot()
    ents = run.entities
    needed = {"generation", "entity_id", "root_id", "parent_id", "level"}
    if ents.empty or not needed <= set(ents.columns):
        ax.text(0.5, 0.5, "no entity records", transform=ax.transAxes, ha="center", va="center")
        ax.set_axis_off()
        return fig
    if generation is None:
        sizes = ents.groupby(["generation", "root_id"]).size()
        gen = int(sizes[sizes == sizes.max()].index.get_level_values(0).max())
    else:
        gen = int(generation)
    ents = ents[ents["generation"] == gen]
    root = _pick_root(ents) if root_id is None else int(root_id)
    tree = ents[ents["root_id"] == root]
    ids = set(tree["entity_id"].astype(int))
    children: dict[int, list[int]] = {}
    for eid, parent in zip(tree["entity_id"].astype(int), tree["parent_id"].astype(int)):
        if parent in ids and eid != root:
            children.setdefault(parent, []).append(eid)
    pos: dict[int, tuple[float, float]] = {}
    _layout(children, root, 0, pos, [0])
    for parent, kids in children.items():
        for kid in kids:
            (x0, y0), (x1, y1) = pos[parent], pos[kid]
            ax.plot([x0, x1], [y0, y1], color="0.3", linewidth=1.0, gid=TREE_EDGE_GID,
                    label="_edge")
    by_id = tree.set_index(tree["entity_id"].astype(int))
    levels = sorted({int(by_id.loc[n, "level"]) for n in pos})
    for i, lvl in enumerate(levels):
        nodes = [n for n in pos if int(by_id.loc[n, "level"]) == lvl]
        ax.plot([pos[n][0] for n in nodes], [pos[n][1] for n in nodes], linestyle="none",
                marker=_MARKERS[i % len(_MARKERS)], markersize=9, color=f"C{i % 10}",
                markerfacecolor="white" if i % 2 else f"C{i % 10}", label=f"level {lvl}")
        for n in nodes:
            j = by_id.loc[n, "J"] if "J" in by_id.columns else np.nan
            text = f"{n}" if not np.isfinite(j) else f"{n}\nJ={j:.2g}"
            ax.annotate(text, pos[n], textcoords="offset points", xytext=(0, 8),
                        ha="center", fontsize=7)
    fit = by_id.loc[root, "root_fitness"] if "root_fitness" in by_id.columns else np.nan
    ax.set_title(f"Nested tree of agent {root}, generation {gen} "
                 f"(fitness {fit:g}, {len(pos)} entit{'y' if len(pos) == 1 else 'ies'}; {run.scenario})", fontsize=9)
    ax.set_xlabel("entities")
    ax.set_ylabel("level")
    ax.set_yticks([-d for d in range(len(levels))], [str(lv) for lv in levels])
    ax.set_xticks([])
    ax.margins(0.15)
    ax.legend(fontsize=7, loc="best")
    return fig


def online_frozen_figure(online: RunTables, frozen: RunTables, column: str = "L1_spearman") -> Figure:
    """One generation-table column of two runs over the same shift: online (solid) and frozen (dashed)."""
    fig = Figure(figsize=FIG_SIZE, layout="constrained")
    ax = fig.add_subplot()
    for i, (run, label) in enumerate(((online, "online"), (frozen, "frozen"))):
        gens = run.generations
        if gens.empty or column not in gens.columns:
            continue
        style = _style(i)
        ax.plot(_x(gens), _y(gens, column), label=f"{label} ({run.scenario})", **style)
        match = re.match(r"^L(\d+)_spearman$", column)
        if match and not run.entities.empty:
            ci = level_correlations(run, n_boot=300)
            rows = ci[ci["level"] == int(match.group(1))]
            ax.fill_between(rows["generation"].to_numpy(float), rows["lo"].to_numpy(float),
                            rows["hi"].to_numpy(float), color=style["color"], alpha=0.18,
                            linewidth=0, gid=CI_GID, label=f"_ci {label}")
    _draw_shift_events(ax, online.shift_events)
    _generation_axes(ax, column)
    ax.set_title(f"Online versus frozen: {column}")
    _legend_or_empty(ax)
    return fig


def sweep_figure(runs: Sequence[RunTables], column: str = "L1_spearman", *,
                 n_boot: int = 1000, level: float = 0.9, seed: int = 0) -> Figure:
    """Every run's ``column`` as a thin grey line, their mean (thick) and its interval (band)."""
    fig = Figure(figsize=FIG_SIZE, layout="constrained")
    ax = fig.add_subplot()
    drawn = 0
    for run in runs:
        gens = run.generations
        if gens.empty or column not in gens.columns:
            continue
        ax.plot(_x(gens), _y(gens, column), color="0.6", linewidth=0.8, linestyle="-",
                label="individual runs" if drawn == 0 else "_run")
        drawn += 1
    agg = aggregate_runs(runs, [column], n_boot=n_boot, level=level, seed=seed)
    if not agg.empty:
        x = agg["generation"].to_numpy(float)
        ax.fill_between(x, agg["lo"].to_numpy(float), agg["hi"].to_numpy(float), color="C0",
                        alpha=0.25, linewidth=0, gid=CI_GID,
                        label=f"{int(round(level * 100))}% interval of the mean")
        ax.plot(x, agg["mean"].to_numpy(float), color="black", linewidth=2.0, linestyle="--",
                label=f"mean of {drawn} runs")
    if runs:
        _draw_shift_events(ax, runs[0].shift_events)
    _generation_axes(ax, column)
    scenarios = sorted({r.scenario for r in runs})
    ax.set_title(f"{column} across runs ({', '.join(scenarios) or 'no runs'})")
    _legend_or_empty(ax)
    return fig


def _levels(run: RunTables, n_boot: int, seed: int) -> Figure:
    return level_correlation_figure(run, level_correlations(run, n_boot=n_boot, seed=seed))


def _proxies(run: RunTables, n_boot: int, seed: int) -> Figure:
    return proxy_correlation_figure(run, proxy_correlations(run, n_boot=n_boot, seed=seed))


#: ``--kind`` name -> (file stem, builder(run, n_boot, seed)).
FIGURE_KINDS: dict[str, tuple[str, Callable[[RunTables, int, int], Figure]]] = {
    "levels": ("level_correlation", _levels),
    "proxies": ("proxy_correlation", _proxies),
    "genes": ("gene_trajectories", lambda run, n, s: gene_figure(run)),
    "weights": ("weights", lambda run, n, s: weights_figure(run)),
    "competence": ("competence_regimes",
                   lambda run, n, s: competence_figure(run, competence_regimes(run, n_boot=n, seed=s))),
    "tree": ("agent_tree", lambda run, n, s: tree_figure(run)),
}


def save_kind_figures(run_or_path: RunTables | str | Path, kinds: Sequence[str] = ("all",),
                      out_dir: str | Path | None = None, fmt: str = "png", *,
                      n_boot: int = 400, seed: int = 0) -> list[Path]:
    """Write the figures named by ``kinds`` (keys of :data:`FIGURE_KINDS`, or ``"all"``).

    Files are ``<stem>.<fmt>`` in ``out_dir`` (default: the run directory).
    """
    if fmt not in ("png", "svg"):
        raise ValueError(f"unknown figure format {fmt!r}: use png or svg")
    names = list(FIGURE_KINDS) if "all" in kinds else list(dict.fromkeys(kinds))
    unknown = [k for k in names if k not in FIGURE_KINDS]
    if unknown:
        raise ValueError(f"unknown figure kind {unknown[0]!r}: use one of "
                         f"{', '.join([*FIGURE_KINDS, 'all'])}")
    run = run_or_path if isinstance(run_or_path, RunTables) else load_run(run_or_path)
    target = Path(out_dir) if out_dir is not None else run.path
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in names:
        stem, build = FIGURE_KINDS[kind]
        path = target / f"{stem}.{fmt}"
        build(run, n_boot, seed).savefig(path, format=fmt, dpi=110)
        paths.append(path)
    return paths
