"""The figure kinds of a run (``mesaevo plot --kind``) and writing them to files.

:data:`FIGURE_KINDS` maps each kind to its file stem, the function drawing it and
whether it applies to a run; :func:`save_figures` writes the kinds asked for (by
default, :data:`DEFAULT_KINDS` that apply to the run). Figures of two or more runs
(:func:`analysis.figures_shifts.deployment_figure`, :func:`analysis.figures_sweep.sweep_figure`)
are not kinds of a run.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from matplotlib.figure import Figure

from .figure_style import FILE_DPI
from .figures_correlation import level_correlation_figure, proxy_correlation_figure
from .figures_genes import gene_figure, weights_figure
from .figures_nested import misalignment_by_competence_figure, nested_tree_figure
from .figures_shifts import MAZE_COLUMNS, maze_shift_figure
from .files import output_directory, write_atomically
from .load import RunTables, load_run
from .metrics import competence_regimes

__all__ = ["ALL", "DEFAULT_KINDS", "FIGURE_FORMATS", "FIGURE_KINDS", "FigureKind", "check_figure_request",
           "save_figures"]

FIGURE_FORMATS = ("png", "svg")
#: ``kinds`` value that asks for every kind that applies to the run.
ALL = "all"
#: Default bootstrap resamples for the intervals drawn in figure files.
FIGURE_N_BOOT = 400


@dataclass(frozen=True)
class FigureKind:
    """One figure of a run: its file stem, how to draw it, and whether the run has what it shows."""

    stem: str
    draw: Callable[[RunTables, int, int], Figure]  # (run, n_boot, seed)
    applies: Callable[[RunTables], bool] = lambda run: True


def _is_maze(run: RunTables) -> bool:
    return MAZE_COLUMNS[0] in run.generations.columns


#: ``--kind`` name -> :class:`FigureKind`, in the order ``"all"`` writes them.
FIGURE_KINDS: dict[str, FigureKind] = {
    "levels": FigureKind("level_correlation", lambda run, n, s: level_correlation_figure(run)),
    "proxies": FigureKind("proxy_correlation", lambda run, n, s: proxy_correlation_figure(run)),
    "genes": FigureKind("gene_trajectories", lambda run, n, s: gene_figure(run)),
    "weights": FigureKind("weights", lambda run, n, s: weights_figure(run)),
    "competence": FigureKind("competence_regimes", lambda run, n, s: misalignment_by_competence_figure(
        run, competence_regimes(run, n_boot=n, seed=s))),
    "tree": FigureKind("agent_tree", lambda run, n, s: nested_tree_figure(run)),
    "maze": FigureKind("maze_shift", lambda run, n, s: maze_shift_figure(run), applies=_is_maze),
}
#: What :func:`save_figures` writes when no kinds are named (those that apply to the run).
DEFAULT_KINDS = ("levels", "proxies", "maze")


def _kinds_to_draw(run: RunTables, kinds: Sequence[str] | None) -> list[str]:
    if kinds is None:
        return [k for k in DEFAULT_KINDS if FIGURE_KINDS[k].applies(run)]
    if isinstance(kinds, str):
        kinds = [kinds]
    if ALL in kinds:
        return [k for k, kind in FIGURE_KINDS.items() if kind.applies(run)]
    return list(dict.fromkeys(kinds))


def check_figure_request(kinds: Sequence[str] | None, fmt: str) -> None:
    """Raise ValueError for an unknown kind or format (before any run is read)."""
    if fmt not in FIGURE_FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}: use {' or '.join(FIGURE_FORMATS)}")
    for kind in [kinds] if isinstance(kinds, str) else (kinds or []):
        if kind != ALL and kind not in FIGURE_KINDS:
            raise ValueError(f"unknown figure kind {kind!r}: use one of {', '.join([*FIGURE_KINDS, ALL])}")


def save_figures(run_or_path: RunTables | str | Path, kinds: Sequence[str] | None = None,
                 out_dir: str | Path | None = None, fmt: str = "png", *,
                 n_boot: int = FIGURE_N_BOOT, seed: int = 0) -> list[Path]:
    """Write the figures named by ``kinds`` as ``<stem>.<fmt>`` files; return their paths.

    ``kinds``: keys of :data:`FIGURE_KINDS`, or ``["all"]`` for every kind that applies to
    the run; None (default) for the :data:`DEFAULT_KINDS` that apply (the correlation
    figures, and the maze figure of a maze run). A kind named explicitly is drawn even if
    the run lacks its data (the figure then says so). ``out_dir`` defaults to the run
    directory. Each file is replaced atomically (see :mod:`analysis.files`).
    """
    check_figure_request(kinds, fmt)
    run = run_or_path if isinstance(run_or_path, RunTables) else load_run(run_or_path)
    target = output_directory(out_dir if out_dir is not None else run.path)
    paths = []
    for name in _kinds_to_draw(run, kinds):
        kind = FIGURE_KINDS[name]
        buffer = io.BytesIO()
        kind.draw(run, n_boot, seed).savefig(buffer, format=fmt, dpi=FILE_DPI)
        paths.append(write_atomically(target / f"{kind.stem}.{fmt}", buffer.getvalue()))
    return paths
