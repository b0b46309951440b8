"""Analysis of mesaevo runs: loading run directories and drawing figures."""

from .figures import level_correlation_figure, proxy_correlation_figure, save_figures
from .figures_nested import misalignment_by_competence_figure, nested_tree_figure
from .load import RunFormatError, RunNotFoundError, RunTables, load_run

__all__ = [
    "RunFormatError",
    "RunNotFoundError",
    "RunTables",
    "level_correlation_figure",
    "load_run",
    "misalignment_by_competence_figure",
    "nested_tree_figure",
    "proxy_correlation_figure",
    "save_figures",
]
