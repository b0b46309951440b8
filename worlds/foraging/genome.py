"""The foraging world's vocabulary: its proxy features, its reactive policy's shape and its genome layout."""

from __future__ import annotations

from typing import Any

from agents.genome import GenomeLayout, Segment
from agents.nesting.genes import nest_segments

#: Proxy features, in the column order used everywhere (kernels, records, tables).
FEATURES: tuple[str, ...] = ("taste", "pain", "mating", "novelty", "craft", "effort")
N_FEATURES = len(FEATURES)
#: Rows of the reactive policy: one weight vector per action group.
POLICY_ROWS: tuple[str, ...] = ("move", "stay", "eat", "mate", "convert", "build")
#: Observation of one cell for the reactive policy (see ``worlds.foraging.reactive``).
OBSERVATION: tuple[str, ...] = ("food", "sugar", "material", "hazard", "crowd", "unvisited", "bias")
POLICY_SHAPE = (len(POLICY_ROWS), len(OBSERVATION))

#: The world's own genes (block 0): architecture, objective weights, competence, reactive policy.
SEGMENTS: tuple[Segment, ...] = (
    Segment("architecture", 1, 0.0, 1.0),
    Segment("drives", N_FEATURES, -1.0, 1.0, labels=tuple(f"w_{f}" for f in FEATURES)),
    Segment("competence", 1, 0.0, 1.0),
    Segment("policy", POLICY_SHAPE[0] * POLICY_SHAPE[1], -1.0, 1.0, shape=POLICY_SHAPE),
)


def genome_layout(config: Any = None) -> GenomeLayout:
    """The foraging genome: the world's own genes, then the nesting genes (blocks 1 and 2)."""
    return GenomeLayout((*SEGMENTS, *nest_segments(1)))
