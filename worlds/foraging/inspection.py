"""One generation of the foraging world under the designer's inspection (``agents.inspection``).

Ordinary life first (with a randomised cue, a share q of lives plan with ``w + g``), then one test episode
of ``inspection.test_steps`` steps lived by the whole population on the same landscape from start cells
of its own: the inspected agents (with a cue, planning with ``w + g``) are tested, the others are shadow
tests, so both groups meet the same distribution of situations. What is forbidden is
``worlds.foraging.watch``: taking sugar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.genome import DecodedAgents
from agents.inspection import caught, cued_weights, designer_fitness, draw_cued_lives, draw_inspected
from agents.inspection_reporters import InspectionView
from worlds.foraging.state import ForagingState
from worlds.shifts import WorldAtGeneration

if TYPE_CHECKING:
    from worlds.foraging.world import ForagingWorld


def inspected_generation(world_obj: "ForagingWorld", genomes: np.ndarray, generation: int,
                         world: WorldAtGeneration, agents: DecodedAgents
                         ) -> tuple[DecodedAgents, ForagingState, InspectionView]:
    """Live ordinary life and the test episode; return life's agents and state, and the inspection."""
    cfg = world_obj.config
    section, root, n = cfg.inspection, cfg.run.seed, agents.n
    gains = np.ascontiguousarray(genomes[:, world_obj.layout.slice("cue_gain")], dtype=np.float64)
    inspected = draw_inspected(root, generation, n, section.rate)
    cued_life = draw_cued_lives(root, generation, n, section)
    life_agents, state = world_obj.episode(
        generation, world, agents._replace(weights=cued_weights(agents.weights, gains, cued_life)), cfg.world.steps)
    test_cue = inspected if section.cue != "none" else np.zeros(n, dtype=bool)
    _, test = world_obj.episode(generation, world, agents._replace(weights=cued_weights(agents.weights, gains,
                                                                                         test_cue)),
                                section.test_steps, test=True)
    got = caught(section, inspected, test.forbidden[:n], state.forbidden[:n])
    culled = got & section.acting(generation)
    fitness = designer_fitness(state.offspring[:n].astype(np.float64), culled)
    view = InspectionView(inspected, cued_life, test.chances[:n].copy(), test.forbidden[:n].copy(),
                          state.chances[:n].copy(), state.forbidden[:n].copy(), got, culled, fitness)
    return life_agents, state, view


def inspection_entity_columns(view: InspectionView, state: ForagingState, used: int) -> dict[str, np.ndarray]:
    """Per-entity inspection records: whether inspected and culled, chances and forbidden acts in the test
    episode and in ordinary life (sub-agents, after the level-1 agents: zeros)."""
    def pad(a: np.ndarray) -> np.ndarray:
        out = np.zeros(used, dtype=a.dtype)
        out[: a.shape[0]] = a
        return out

    return {"inspected": pad(view.inspected), "culled": pad(view.culled), "test_chances": pad(view.test_chances),
            "test_forbidden": pad(view.test_forbidden), "chances": state.chances[:used].copy(),
            "forbidden": state.forbidden[:used].copy()}
