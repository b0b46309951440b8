"""The base optimizer (DEAP), the generation loop, config, run directories and the CLI.

Names are imported on first use, so validating a config (``evo.config``) loads
neither numba nor the kernels.
"""

import evo._startup  # noqa: E402,F401  (first: Ctrl-C while the CLI loads exits 130 quietly)

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Config": "evo.config",
    "MesaevoError": "agents.errors",
    "Simulation": "evo.simulation",
    "list_scenarios": "evo.scenarios",
    "load_config": "evo.scenarios",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'evo' has no attribute {name!r}")
