"""The genome: named slices of one float array, and its decoding to arrays.

Every gene lives in ``[low, high]``; the layout is an ordered list of named
segments so that later genes (building, alignment, heredity, ...) are added by
appending a segment, never by renumbering. A population is a 2-D array
``(n_agents, layout.size)``; decoding turns it into the structure-of-arrays the
world kernels take.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Proxy features, in the column order used everywhere (kernels, records, tables).
FEATURES: tuple[str, ...] = ("taste", "pain", "mating", "novelty", "craft", "effort")
N_FEATURES = len(FEATURES)

#: Rows of the reactive policy: one weight vector per action group.
POLICY_ROWS: tuple[str, ...] = ("move", "stay", "eat", "mate", "convert", "build")
#: Observation of one cell for the reactive policy (see ``agents.reactive``).
OBSERVATION: tuple[str, ...] = ("food", "sugar", "material", "hazard", "crowd", "unvisited", "bias")

ARCH_REACTIVE = 0
ARCH_PLANNER = 1


@dataclass(frozen=True)
class Segment:
    """A named run of genes sharing bounds."""

    name: str
    size: int
    low: float
    high: float


@dataclass(frozen=True)
class GenomeLayout:
    """Ordered named segments of the genome array."""

    segments: tuple[Segment, ...]

    @property
    def size(self) -> int:
        return sum(s.size for s in self.segments)

    def slice(self, name: str) -> slice:
        """The slice of segment ``name`` in a genome."""
        start = 0
        for seg in self.segments:
            if seg.name == name:
                return slice(start, start + seg.size)
            start += seg.size
        raise KeyError(name)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-gene lower and upper bounds."""
        low = np.concatenate([np.full(s.size, s.low) for s in self.segments])
        high = np.concatenate([np.full(s.size, s.high) for s in self.segments])
        return low, high

    def scalar_genes(self) -> dict[str, int]:
        """Gene name -> column for the genes summarised per generation.

        Drive weights get one name each (``w_taste``...); one-gene segments keep their
        name; the reactive policy matrix is left out (it is not one quantity).
        """
        out: dict[str, int] = {}
        for seg in self.segments:
            sl = self.slice(seg.name)
            if seg.name == "drives":
                for k, f in enumerate(FEATURES):
                    out[f"w_{f}"] = sl.start + k
            elif seg.size == 1:
                out[seg.name] = sl.start
        return out

    def random(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` genomes drawn uniformly within bounds."""
        low, high = self.bounds()
        return rng.uniform(low, high, size=(n, self.size))


def default_layout() -> GenomeLayout:
    """The layout of this version: architecture, drives, competence, reactive policy."""
    return GenomeLayout(
        (
            Segment("architecture", 1, 0.0, 1.0),
            Segment("drives", N_FEATURES, -1.0, 1.0),
            Segment("competence", 1, 0.0, 1.0),
            Segment("policy", len(POLICY_ROWS) * len(OBSERVATION), -1.0, 1.0),
        )
    )


@dataclass(frozen=True)
class DecodedAgents:
    """Structure-of-arrays view of a population, ready for the kernels."""

    architecture: np.ndarray  # (n,) int8: ARCH_PLANNER or ARCH_REACTIVE
    depth: np.ndarray  # (n,) int64: planner search depth (its competence), >= 1
    weights: np.ndarray  # (n, N_FEATURES) float64: the represented objective w
    policy: np.ndarray  # (n, len(POLICY_ROWS), len(OBSERVATION)) float64

    @property
    def n(self) -> int:
        return self.depth.shape[0]


def decode(genomes: np.ndarray, layout: GenomeLayout, architecture: str, max_depth: int) -> DecodedAgents:
    """Decode a population ``(n, layout.size)`` into kernel arrays.

    ``architecture`` is ``"planner"``, ``"reactive"`` or ``"evolved"`` (the
    architecture gene decides: planner when it is at least 0.5). Competence in
    [0, 1] maps to depth 1..max_depth in equal bins.
    """
    genomes = np.asarray(genomes, dtype=np.float64)
    if genomes.ndim != 2 or genomes.shape[1] != layout.size:
        raise ValueError(f"genomes must have shape (n, {layout.size}), got {genomes.shape}")
    n = genomes.shape[0]
    if architecture == "planner":
        arch = np.full(n, ARCH_PLANNER, dtype=np.int8)
    elif architecture == "reactive":
        arch = np.full(n, ARCH_REACTIVE, dtype=np.int8)
    elif architecture == "evolved":
        arch = (genomes[:, layout.slice("architecture")][:, 0] >= 0.5).astype(np.int8)
    else:
        raise ValueError(f"unknown architecture {architecture!r}")
    competence = genomes[:, layout.slice("competence")][:, 0]
    depth = np.minimum(1 + np.floor(competence * max_depth).astype(np.int64), max_depth)
    weights = np.ascontiguousarray(genomes[:, layout.slice("drives")])
    policy = np.ascontiguousarray(genomes[:, layout.slice("policy")]).reshape(n, len(POLICY_ROWS), len(OBSERVATION))
    return DecodedAgents(arch, depth, weights, policy)
