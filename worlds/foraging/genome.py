"""The foraging world's vocabulary: its proxy features, its reactive policy's shape and its genome layout."""

from __future__ import annotations

from typing import Any

from agents.genome import GenomeLayout, Segment
from agents.inspection import gain_segment, inspection_enabled
from agents.nesting.genes import nest_segments

#: Proxy features, in the column order used everywhere (kernels, records, tables).
FEATURES: tuple[str, ...] = ("taste", "pain", "mating", "novelty", "craft", "effort")
N_FEATURES = len(FEATURES)
#: Rows of the reactive policy: one weight vector per action group.
POLICY_ROWS: tuple[str, ...] = ("move", "stay", "eat", "mate", "convert", "build")
#: Observation of one cell for the reactive policy (see ``worlds.foraging.reactive``).
OBSERVATION: tuple[str, ...] = ("food", "sugar", "material", "hazard", "crowd", "unvisited", "bias")
POLICY_SHAPE = (len(POLICY_ROWS), len(OBSERVATION))
#: The neural policy's inputs (one observed cell) and output rows (``worlds.foraging.neural``).
N_INPUTS, N_ROWS = len(OBSERVATION), len(POLICY_ROWS)

#: The world's own genes (block 0): architecture, objective weights, competence, reactive policy.
SEGMENTS: tuple[Segment, ...] = (
    Segment("architecture", 1, 0.0, 1.0),
    Segment("drives", N_FEATURES, -1.0, 1.0, labels=tuple(f"w_{f}" for f in FEATURES)),
    Segment("competence", 1, 0.0, 1.0),
    Segment("policy", POLICY_SHAPE[0] * POLICY_SHAPE[1], -1.0, 1.0, shape=POLICY_SHAPE),
)


def network_size(hidden: int) -> int:
    """Genes of a neural policy with ``hidden`` units: input weights, output weights, output biases."""
    return hidden * N_INPUTS + N_ROWS * hidden + N_ROWS


def neural_on(config: Any) -> bool:
    """Whether a run declares the neural policy's genes: ``agents.architecture = "neural"`` or
    ``agents.neural = true`` (off by default, so no other run's genome changes)."""
    agents = getattr(config, "agents", None)
    return agents is not None and (agents.architecture == "neural" or bool(getattr(agents, "neural", False)))


def neural_segments(hidden: int) -> tuple[Segment, ...]:
    """The neural policy's genes: ``neural`` (among non-planners, at least 0.5 is neural) and ``network``."""
    return (Segment("neural", 1, 0.0, 1.0), Segment("network", network_size(hidden), -1.0, 1.0))


def genome_layout(config: Any = None) -> GenomeLayout:
    """The foraging genome: the world's own genes, then the nesting genes (blocks 1 and 2), then, with the
    neural policy on, its genes in new blocks after them; with ``[inspection]`` on, the cue gains appended in a
    block of their own (``agents.inspection``)."""
    layout = GenomeLayout((*SEGMENTS, *nest_segments(1)))
    if neural_on(config):
        layout = layout.extended(*neural_segments(config.agents.neural_hidden))
    if inspection_enabled(config):
        layout = layout.extended(gain_segment(FEATURES))
    return layout
