"""Analysis of mesaevo runs: loading run directories and drawing figures."""

from .figures import level_correlation_figure, proxy_correlation_figure, save_figures
from .load import RunFormatError, RunNotFoundError, RunTables, load_run
from .sweep_load import SweepTables, load_sweep

__all__ = [
    "RunFormatError",
    "RunNotFoundError",
    "RunTables",
    "SweepTables",
    "level_correlation_figure",
    "load_run",
    "load_sweep",
    "proxy_correlation_figure",
    "save_figures",
]
