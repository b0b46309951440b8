"""Scalar parameters of the foraging world, packed into one float array for kernels.

Kernels take ``params`` as a float64 vector indexed by the constants below, so
that a shift can change any of them between generations without recompiling.
"""

from __future__ import annotations

import numpy as np

PARAM_NAMES: tuple[str, ...] = (
    "bite",  # food/sugar units one EAT takes at most (before tools)
    "tool_bonus",  # extra bite fraction per tool held
    "food_energy",  # energy per unit of food eaten
    "food_taste",  # taste per unit of food eaten
    "sugar_taste",  # taste per unit of sugar eaten
    "sugar_energy",  # energy per unit of sugar eaten (0: no nutrition)
    "move_cost",  # energy per move
    "metabolism",  # energy per step alive
    "planning_cost",  # energy per search node expanded
    "hazard_damage",  # energy per unit of hazard on the cell at the end of a step
    "conceive_threshold",  # both partners need at least this energy to conceive
    "conceive_cost",  # energy each partner pays per conception
    "conception_prob",  # probability a mating act between fit partners conceives
    "convert_yield",  # material gained per unit of food converted
    "tool_cost",  # carried material one tool costs
    "build_energy",  # energy one BUILD costs
    "max_tools",  # tools an agent can hold
    "food_regrow",  # fraction of the gap to capacity food regrows per step
    "sugar_regrow",  # same for sugar
    "build_allowed",  # 1: BUILD works; 0: building is not (yet) an affordance
    "fitness_objective",  # 1: planners score predicted conceptions only (agents.objective = "fitness"); 0: evolved
)
P = {name: k for k, name in enumerate(PARAM_NAMES)}

BITE, TOOL_BONUS, FOOD_ENERGY, FOOD_TASTE, SUGAR_TASTE, SUGAR_ENERGY = range(6)
MOVE_COST, METABOLISM, PLANNING_COST, HAZARD_DAMAGE = range(6, 10)
CONCEIVE_THRESHOLD, CONCEIVE_COST, CONCEPTION_PROB = range(10, 13)
CONVERT_YIELD, TOOL_COST, BUILD_ENERGY, MAX_TOOLS = range(13, 17)
FOOD_REGROW, SUGAR_REGROW, BUILD_ALLOWED, FITNESS_OBJECTIVE = range(17, 21)
#: Parameters set from outside the ``[world]`` section, with their value when not given.
PARAM_DEFAULTS: dict[str, float] = {"fitness_objective": 0.0}


def pack_params(values: dict[str, float]) -> np.ndarray:
    """A params vector from a mapping that names every parameter (those of ``PARAM_DEFAULTS`` may be left out)."""
    values = {**PARAM_DEFAULTS, **values}
    missing = [n for n in PARAM_NAMES if n not in values]
    if missing:
        raise ValueError(f"missing world parameters: {missing}")
    return np.array([float(values[n]) for n in PARAM_NAMES], dtype=np.float64)
