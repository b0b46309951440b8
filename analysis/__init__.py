"""Analysis of mesaevo runs: loading run directories, metrics with bootstrap intervals,
comparisons across runs, figures and the HTML report.

``analysis`` reads run directories (JSON and parquet) and never imports ``evo``,
``worlds`` or ``agents``. Importing it, or :mod:`analysis.load`, does not import
matplotlib: the figure and report functions below are imported on first access
(PEP 562), so the simulation, which loads its tables through :mod:`analysis.load`,
never pays for matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

from .bootstrap import Interval, bootstrap_correlation, bootstrap_mean
from .compare import SettingGroup, aggregate_runs, group_by_scenario, group_by_setting, shift_summary_runs
from .files import OutputPathError
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
from .sweep_load import SweepTables, load_sweep

#: Names that need matplotlib: public name -> module that defines it (imported on first access).
_LAZY = {
    "FIGURE_KINDS": ".figures",
    "save_figures": ".figures",
    "level_correlation_figure": ".figures_correlation",
    "proxy_correlation_figure": ".figures_correlation",
    "gene_figure": ".figures_genes",
    "weights_figure": ".figures_genes",
    "misalignment_by_competence_figure": ".figures_nested",
    "nested_tree_figure": ".figures_nested",
    "deployment_figure": ".figures_shifts",
    "maze_shift_figure": ".figures_shifts",
    "sweep_figure": ".figures_sweep",
    "build_report": ".report",
    "write_report": ".report",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "FIGURE_KINDS",
    "Interval",
    "OutputPathError",
    "RunFormatError",
    "RunNotFoundError",
    "RunTables",
    "SweepTables",
    "aggregate_runs",
    "bootstrap_correlation",
    "bootstrap_mean",
    "build_report",
    "competence_regimes",
    "deployment_figure",
    "find_runs",
    "gene_figure",
    "group_by_scenario",
    "group_by_setting",
    "SettingGroup",
    "shift_summary_runs",
    "level_alignment",
    "level_correlation_figure",
    "level_correlations",
    "load_run",
    "load_runs",
    "load_sweep",
    "maze_shift_figure",
    "misalignment_by_competence_figure",
    "nested_tree_figure",
    "proxy_correlation_figure",
    "proxy_correlations",
    "save_figures",
    "shift_summary",
    "sweep_figure",
    "weight_alignment",
    "weight_comparison",
    "weights_figure",
    "write_report",
]
