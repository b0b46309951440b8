"""Analysis of mesaevo runs: loading run directories, metrics with bootstrap intervals,
comparisons across runs, figures and the HTML report."""

from .bootstrap import Interval, bootstrap_correlation, bootstrap_mean
from .compare import aggregate_runs, group_by_scenario
from .figures import level_correlation_figure, proxy_correlation_figure, save_figures
from .figures_shifts import deployment_figure, maze_shift_figure, save_shift_figures
from .load import RunFormatError, RunNotFoundError, RunTables, find_runs, load_run, load_runs
from .metrics import (
    competence_regimes,
    level_alignment,
    level_correlations,
    proxy_correlations,
    shift_summary,
    weight_alignment,
    weight_comparison,
)
from .plots import (
    competence_figure,
    gene_figure,
    online_frozen_figure,
    save_kind_figures,
    sweep_figure,
    tree_figure,
    weights_figure,
)
from .report import build_report, write_report
from .figures_nested import misalignment_by_competence_figure, nested_tree_figure
from .sweep_load import SweepTables, load_sweep

__all__ = [
    "Interval",
    "RunFormatError",
    "RunNotFoundError",
    "RunTables",
    "SweepTables",
    "aggregate_runs",
    "bootstrap_correlation",
    "bootstrap_mean",
    "build_report",
    "competence_figure",
    "competence_regimes",
    "deployment_figure",
    "find_runs",
    "gene_figure",
    "group_by_scenario",
    "level_alignment",
    "level_correlation_figure",
    "level_correlations",
    "load_run",
    "load_runs",
    "load_sweep",
    "maze_shift_figure",
    "misalignment_by_competence_figure",
    "nested_tree_figure",
    "online_frozen_figure",
    "proxy_correlation_figure",
    "proxy_correlations",
    "save_figures",
    "save_kind_figures",
    "save_shift_figures",
    "shift_summary",
    "sweep_figure",
    "tree_figure",
    "weight_alignment",
    "weight_comparison",
    "weights_figure",
    "write_report",
]
