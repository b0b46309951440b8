"""Analysis of mesaevo runs: loading run directories and drawing figures."""

from .figures import level_correlation_figure, proxy_correlation_figure, save_figures
from .load import RunFormatError, RunNotFoundError, RunTables, load_run

__all__ = [
    "RunFormatError",
    "RunNotFoundError",
    "RunTables",
    "level_correlation_figure",
    "load_run",
    "proxy_correlation_figure",
    "save_figures",
]
