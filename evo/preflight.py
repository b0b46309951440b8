"""Preflight: refuse a run that cannot fit in memory, and warn about one that will take very long,
before anything is allocated or written.

The estimate is deliberately rough (within a small factor) and errs high:

* the world's grids: grid cells x ``GRID_ARRAYS`` float64 arrays;
* entity slots: population x ``nesting.capacity_factor`` (when sub-agents are on),
  each ``ENTITY_BYTES`` plus its novelty memory (``agents.visits``: 4 bytes per slot of
  a row sized for ``min(steps + 1, cells)`` visited cells);
* the landscape's patch centres, drawn as two int64 arrays per patch kind;
* time: generations x steps x population x planner nodes, where a planner of depth
  d expands ``sum(5**k, k=1..d)`` nodes per decision, at ``SECONDS_PER_NODE``. A run
  estimated past ``WARN_SECONDS`` is warned about; an experiment refuses a run
  estimated past ``max_hours`` (``DEFAULT_MAX_HOURS``, ``--max-hours``) before any starts.

Configs that cannot run at all (``evolution.tournament_size`` above the population)
are refused here too, with the same one-line error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from agents.errors import MesaevoError
from agents.visit_slots import slots_for
from worlds.registry import world_entry

log = logging.getLogger(__name__)

GIB = 2**30
DEFAULT_MAX_MEMORY_GIB = 8.0
WARN_SECONDS = 6 * 3600.0
#: Hours one run of an experiment may be estimated to take before it is refused (``--max-hours``).
DEFAULT_MAX_HOURS = 24.0
GRID_ARRAYS = 12  # food, caps, sugar, material, hazard, crowd, scratch ...
ENTITY_BYTES = 1024  # ~40 scalar columns, features, genome and the entity record
SECONDS_PER_NODE = 2e-8


@dataclass(frozen=True)
class Estimate:
    """What a run is expected to need."""

    memory_bytes: int
    seconds: float
    grid_cells: int
    entity_slots: int

    @property
    def memory_gib(self) -> float:
        return self.memory_bytes / GIB


def planner_nodes(max_depth: int) -> int:
    """Nodes a planner of depth ``max_depth`` expands per decision: sum(5**k, k=1..max_depth)."""
    return sum(5**k for k in range(1, max_depth + 1))


def estimate(config) -> Estimate:
    """Memory and time a run of ``config`` needs (the map size from the world's registry entry)."""
    world, agents = config.world, config.agents
    cells = world_entry(world.kind).grid_cells(world)
    nesting = config.nesting
    factor = nesting.capacity_factor if nesting.subagents and nesting.max_level > 1 else 1.0
    slots = int(agents.population * factor)
    visits = 4 * slots_for(min(world.steps + 1, cells))
    memory = cells * GRID_ARRAYS * 8 + slots * (ENTITY_BYTES + visits)
    nodes = planner_nodes(agents.max_depth) if agents.architecture not in ("reactive", "neural") else 1
    seconds = config.run.generations * (world.steps * slots * nodes + cells) * SECONDS_PER_NODE
    return Estimate(int(memory), float(seconds), int(cells), slots)


def check(config, max_memory_gib: float | None = None, warn_seconds: float = WARN_SECONDS,
          max_hours: float | None = None) -> Estimate:
    """Refuse ``config`` if it cannot run, needs more than ``max_memory_gib`` or (when given) is estimated to
    take more than ``max_hours``; log a warning if slow."""
    limit = DEFAULT_MAX_MEMORY_GIB if max_memory_gib is None else max_memory_gib
    evo, population = config.evolution, config.agents.population
    if evo.selection == "tournament" and evo.tournament_size > population:
        raise MesaevoError(f"evolution.tournament_size = {evo.tournament_size} is larger than the population "
                           f"(agents.population = {population})")
    est = estimate(config)
    if est.memory_bytes > limit * GIB:
        raise MesaevoError(f"this run needs about {est.memory_gib:.3g} GiB of memory ({est.grid_cells} grid cells, "
                           f"{est.entity_slots} entity slots), more than the limit of {limit:g} GiB; "
                           "shrink the world or population, or raise the limit with --max-memory GIB")
    if max_hours is not None and est.seconds > max_hours * 3600:
        raise MesaevoError(f"one run is estimated to take about {est.seconds / 3600:.3g} hours "
                           f"({config.run.generations} generations of {est.entity_slots} entity slots), more than "
                           f"the limit of {max_hours:g} hours; shrink it, or raise the limit with --max-hours HOURS")
    if est.seconds > warn_seconds:
        log.warning("this run is estimated to take about %.1f hours (%d generations of %d entity slots)",
                    est.seconds / 3600, config.run.generations, est.entity_slots)
    return est
