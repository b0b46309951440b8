"""The genome: named slices of one float array, and its decoding to arrays.

Every gene lives in ``[low, high]``; the layout is an ordered list of named
segments so that later genes (building, alignment, heredity, ...) are added by
appending a segment, never by renumbering. A population is a 2-D array
``(n_agents, layout.size)``; decoding turns it into the structure-of-arrays the
world kernels take.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

#: Proxy features, in the column order used everywhere (kernels, records, tables).
FEATURES: tuple[str, ...] = ("taste", "pain", "mating", "novelty", "craft", "effort")
N_FEATURES = len(FEATURES)

#: Rows of the reactive policy: one weight vector per action group.
POLICY_ROWS: tuple[str, ...] = ("move", "stay", "eat", "mate", "convert", "build")
#: Observation of one cell for the reactive policy (see ``worlds.foraging.reactive``).
OBSERVATION: tuple[str, ...] = ("food", "sugar", "material", "hazard", "crowd", "unvisited", "bias")

ARCH_REACTIVE = 0
ARCH_PLANNER = 1
#: Deepest planner search a config may ask for (one plan then expands up to 5**6 + ... + 5 nodes).
MAX_DEPTH = 6

#: Genes of building and hand-down (issue 3), appended after the policy; columns of ``DecodedAgents.nest``.
NEST_GENES: tuple[str, ...] = ("build_propensity", "alignment_skill", "vetting_effort", "heredity", "remittance",
                               "endowment")
#: Genes of conditional defection (appended later, in their own block): columns after ``NEST_GENES_1``.
#: A misaligned sub-agent hides (acts on its builder's objective) while observed with probability
#: ``defect_when_unobserved``, and while vetted with probability ``hide_when_vetted``. (Two genes: the
#: GA's two-point crossover needs a block of at least two.)
DEFECTION_GENES: tuple[str, ...] = ("defect_when_unobserved", "hide_when_vetted")
NEST_GENES_1 = NEST_GENES
NEST_GENES = NEST_GENES_1 + DEFECTION_GENES
G_PROPENSITY, G_SKILL, G_VETTING, G_HEREDITY, G_REMITTANCE, G_ENDOWMENT, G_DEFECT, G_HIDE_VET = range(len(NEST_GENES))


@dataclass(frozen=True)
class Segment:
    """A named run of genes sharing bounds; ``block`` groups segments that draw random numbers together."""

    name: str
    size: int
    low: float
    high: float
    block: int = 0


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

    def blocks(self) -> list[slice]:
        """Contiguous gene ranges of each block, in order (blocks are appended, never interleaved)."""
        out: list[slice] = []
        start = 0
        for k, seg in enumerate(self.segments):
            if k == 0 or seg.block != self.segments[k - 1].block:
                out.append(slice(start, start))
            out[-1] = slice(out[-1].start, start + seg.size)
            start += seg.size
        return out

    def random(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` genomes drawn uniformly within bounds, block after block.

        Drawing block by block means appending a block of genes never changes the
        draws of the earlier ones (a run's first generation keeps its old genomes).
        """
        low, high = self.bounds()
        return np.hstack([rng.uniform(low[b], high[b], size=(n, b.stop - b.start)) for b in self.blocks()])


def default_layout() -> GenomeLayout:
    """The layout of this version: architecture, drives, competence, reactive policy, nesting genes."""
    return GenomeLayout(
        (
            Segment("architecture", 1, 0.0, 1.0),
            Segment("drives", N_FEATURES, -1.0, 1.0),
            Segment("competence", 1, 0.0, 1.0),
            Segment("policy", len(POLICY_ROWS) * len(OBSERVATION), -1.0, 1.0),
            *(Segment(name, 1, 0.0, 1.0, block=1) for name in NEST_GENES_1),
            *(Segment(name, 1, 0.0, 1.0, block=2) for name in DEFECTION_GENES),
        )
    )


class DecodedAgents(NamedTuple):
    """Structure-of-arrays view of a population, passed whole to the kernels."""

    architecture: np.ndarray  # (n,) int8: ARCH_PLANNER or ARCH_REACTIVE
    depth: np.ndarray  # (n,) int64: planner search depth (its competence), >= 1
    weights: np.ndarray  # (n, N_FEATURES) float64: the represented objective w
    policy: np.ndarray  # (n, len(POLICY_ROWS), len(OBSERVATION)) float64
    nest: np.ndarray | None = None  # (n, len(NEST_GENES)) float64: building and hand-down traits

    @property
    def n(self) -> int:
        return self.depth.shape[0]

    def copy(self) -> "DecodedAgents":
        """Independent copies of every array (the kernels write sub-agents' rows)."""
        return DecodedAgents(*(None if a is None else a.copy() for a in self))


def with_capacity(agents: DecodedAgents, capacity: int) -> DecodedAgents:
    """Copies of the arrays padded with empty rows up to ``capacity`` entities (for sub-agents)."""
    n = agents.n
    if capacity < n:
        raise ValueError(f"capacity {capacity} is below the population {n}")

    def pad(a: np.ndarray, fill: float = 0) -> np.ndarray:
        out = np.full((capacity,) + a.shape[1:], fill, dtype=a.dtype)
        out[:n] = a
        return out

    nest = agents.nest if agents.nest is not None else np.zeros((n, len(NEST_GENES)))
    return DecodedAgents(pad(agents.architecture, ARCH_PLANNER), pad(agents.depth, 1), pad(agents.weights),
                         pad(agents.policy), pad(nest))


def decode(genomes: np.ndarray, layout: GenomeLayout, architecture: str, max_depth: int,
           **comparators) -> DecodedAgents:
    """Decode a population ``(n, layout.size)`` into kernel arrays.

    ``architecture`` is ``"planner"``, ``"reactive"`` or ``"evolved"`` (the
    architecture gene decides: planner when it is at least 0.5). Competence in
    [0, 1] maps to depth 1..max_depth in equal bins. ``comparators``
    (``fixed_weights``, ``fixed_depth``, ``heredity``) fix those traits first
    (:func:`apply_comparators`; the generation loop applies them to the genomes a
    world lives, so every world and the island runner honour them).
    """
    genomes = np.asarray(genomes, dtype=np.float64)
    if comparators:
        genomes = apply_comparators(genomes, layout, max_depth, **comparators)
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
    nest = np.zeros((n, len(NEST_GENES)))
    for k, name in enumerate(NEST_GENES):
        if any(seg.name == name for seg in layout.segments):
            nest[:, k] = genomes[:, layout.slice(name)][:, 0]
    return DecodedAgents(arch, depth, weights, policy, nest)


#: Values of the ``nesting.heredity`` comparator: the heredity gene evolves, or is fixed at 1 (the
#: technique is always handed down) or 0 (never).
HEREDITY_MODES: tuple[str, ...] = ("evolved", "on", "off")


def competence_for_depth(depth: int, max_depth: int) -> float:
    """A competence gene value that :func:`decode` maps to planner ``depth`` (the middle of its bin)."""
    if not 1 <= depth <= max_depth:
        raise ValueError(f"depth {depth} is outside 1..{max_depth}")
    return (depth - 0.5) / max_depth


def apply_comparators(genomes: np.ndarray, layout: GenomeLayout, max_depth: int,
                      fixed_weights=None, fixed_depth: int | None = None, heredity: str = "evolved") -> np.ndarray:
    """The phenotype-fixing comparators: genomes whose drive weights, competence or heredity gene are
    overwritten by the given fixed values (a copy; ``genomes`` itself is untouched).

    ``fixed_weights``: the objective held fixed (6 floats in [-1, 1]) instead of evolved;
    ``fixed_depth``: the planner depth (competence maps only to depth, so this is also the fixed
    competence); ``heredity``: "evolved" (the gene decides), "on" (gene 1: the hereditary technique
    is always handed down) or "off" (gene 0: never). With every argument at its default the array
    is returned as it is (the same object), so runs without comparators are unchanged bit for bit.
    The genes under selection keep evolving (neutrally) in the population; only what the world
    sees is fixed.
    """
    if fixed_weights is None and fixed_depth is None and heredity == "evolved":
        return genomes
    if heredity not in HEREDITY_MODES:
        raise ValueError(f"unknown heredity mode {heredity!r}")
    out = np.array(genomes, dtype=np.float64, copy=True)
    if fixed_weights is not None:
        w = np.asarray(fixed_weights, dtype=np.float64)
        if w.shape != (N_FEATURES,):
            raise ValueError(f"fixed_weights must hold {N_FEATURES} values, got {w.shape}")
        out[:, layout.slice("drives")] = w
    if fixed_depth is not None:
        out[:, layout.slice("competence")] = competence_for_depth(int(fixed_depth), max_depth)
    if heredity != "evolved" and any(seg.name == "heredity" for seg in layout.segments):
        out[:, layout.slice("heredity")] = 1.0 if heredity == "on" else 0.0
    return out


def comparators_of(config) -> dict:
    """The comparator arguments of :func:`apply_comparators` from a run config (absent keys: defaults)."""
    agents = config.agents
    return {"fixed_weights": getattr(agents, "fixed_weights", None),
            "fixed_depth": getattr(agents, "fixed_depth", None),
            "heredity": getattr(config.nesting, "heredity", "evolved")}
