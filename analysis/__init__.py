"""Analysis of mesaevo runs: loading run directories and drawing figures."""

from .figures import level_correlation_figure, proxy_correlation_figure, save_figures
from .figures_shifts import deployment_figure, maze_shift_figure, save_shift_figures
from .load import RunFormatError, RunNotFoundError, RunTables, load_run

__all__ = [
    "RunFormatError",
    "RunNotFoundError",
    "RunTables",
    "deployment_figure",
    "level_correlation_figure",
    "load_run",
    "maze_shift_figure",
    "proxy_correlation_figure",
    "save_figures",
    "save_shift_figures",
]
