"""The base optimizer (DEAP), the generation loop, config, run directories and the CLI."""

import evo._startup  # noqa: F401  (first: Ctrl-C while the CLI loads exits 130 quietly)

from evo.config import Config
from evo.errors import MesaevoError
from evo.scenarios import list_scenarios, load_config
from evo.simulation import Simulation

__all__ = ["Config", "MesaevoError", "Simulation", "list_scenarios", "load_config"]
