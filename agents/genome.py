"""The genome machinery: named segments of one float array, their bounds, and decoding to arrays.

Every gene lives in ``[low, high]``; a layout is an ordered tuple of named
segments, so later genes are added by appending a segment (in a new ``block``),
never by renumbering. *Which* segments exist is not decided here: each world
declares its layout in its registry entry (``worlds.base.WorldEntry.layout``), and
level 2+ declares the nesting genes (``agents.nesting.genes``). A population is a
2-D array ``(n_agents, layout.size)``; :func:`decode` turns it into the
structure-of-arrays the world kernels take, reading the segments by name:
``architecture`` (at least 0.5 is a planner), ``drives`` (the objective weights,
one per feature), ``competence`` (planner depth), ``policy`` (reshaped to the
segment's ``shape``), the segments of group ``nest`` and, where a world declares the
neural policy, ``neural`` (among non-planners, at least 0.5 is neural) and ``network``
(the network's weights).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

ARCH_REACTIVE = 0
ARCH_PLANNER = 1
#: The evolved neural policy (a world that declares the ``network`` segment, e.g. foraging's ``agents.neural``).
ARCH_NEURAL = 2
#: Deepest planner search a config may ask for (one plan then expands up to 5**6 + ... + 5 nodes).
MAX_DEPTH = 6
#: The architecture gene's threshold: a gene at least this is a planner, whatever else is declared.
PLANNER_AT = 0.5
#: The ``neural`` gene's threshold among non-planners (architecture gene below ``PLANNER_AT``): at least this is
#: neural, below it reactive. The architecture gene keeps its meaning whether or not the neural policy is on.
NEURAL_AT = 0.5
#: How a population decodes (``agents.architecture``): everyone one kind, or the genes decide (``"evolved"``).
ARCHITECTURES: tuple[str, ...] = ("planner", "reactive", "neural", "evolved")


@dataclass(frozen=True)
class Segment:
    """A named run of genes sharing bounds; ``block`` groups segments that draw random numbers together.

    ``labels`` names each gene when the segment is summarised gene by gene (the drive weights,
    ``w_taste``...); ``shape`` is the decoded shape of one entity's genes (the reactive policy's
    rows and columns); ``group`` collects segments decoded side by side (``"nest"``: the nesting genes);
    ``start``, when set, is every gene's value in the first generation (a response that must start at
    zero, such as the inspection cue gains) instead of a uniform draw within bounds.
    """

    name: str
    size: int
    low: float
    high: float
    block: int = 0
    labels: tuple[str, ...] = ()
    shape: tuple[int, ...] = ()
    group: str = ""
    start: float | None = None

    def __post_init__(self) -> None:
        if self.labels and len(self.labels) != self.size:
            raise ValueError(f"segment {self.name!r}: {len(self.labels)} labels for {self.size} genes")
        if self.shape and int(np.prod(self.shape)) != self.size:
            raise ValueError(f"segment {self.name!r}: shape {self.shape} does not hold {self.size} genes")


@dataclass(frozen=True)
class GenomeLayout:
    """Ordered named segments of the genome array."""

    segments: tuple[Segment, ...]

    def __post_init__(self) -> None:
        names = [s.name for s in self.segments]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate segment names in {names}")
        blocks = [s.block for s in self.segments]
        if blocks != sorted(blocks):
            raise ValueError(f"segment blocks must not decrease (blocks are appended): {blocks}")

    @property
    def size(self) -> int:
        return sum(s.size for s in self.segments)

    def has(self, name: str) -> bool:
        """Whether a segment ``name`` is declared."""
        return any(s.name == name for s in self.segments)

    def segment(self, name: str) -> Segment:
        for seg in self.segments:
            if seg.name == name:
                return seg
        raise KeyError(name)

    def slice(self, name: str) -> slice:
        """The slice of segment ``name`` in a genome."""
        start = 0
        for seg in self.segments:
            if seg.name == name:
                return slice(start, start + seg.size)
            start += seg.size
        raise KeyError(name)

    def group(self, group: str) -> tuple[str, ...]:
        """Names of the segments of ``group``, in layout order."""
        return tuple(s.name for s in self.segments if s.group == group)

    def extended(self, *segments: Segment) -> "GenomeLayout":
        """This layout with ``segments`` appended, each in a block after every existing one unless it names a
        later block itself: genes an option declares never change the draws or variation of existing genes."""
        last = max((s.block for s in self.segments), default=-1)
        out = list(self.segments)
        for seg in segments:
            if seg.block <= last:
                seg = Segment(seg.name, seg.size, seg.low, seg.high, last + 1, seg.labels, seg.shape, seg.group,
                              seg.start)
            last = seg.block
            out.append(seg)
        return GenomeLayout(tuple(out))

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-gene lower and upper bounds."""
        low = np.concatenate([np.full(s.size, s.low) for s in self.segments])
        high = np.concatenate([np.full(s.size, s.high) for s in self.segments])
        return low, high

    def scalar_genes(self) -> dict[str, int]:
        """Gene name -> column for the genes summarised per generation.

        A labelled segment gives one name per gene (the drive weights: ``w_taste``...); one-gene
        segments keep their name; other segments (the reactive policy matrix) are left out.
        """
        out: dict[str, int] = {}
        for seg in self.segments:
            sl = self.slice(seg.name)
            if seg.labels:
                for k, label in enumerate(seg.labels):
                    out[label] = sl.start + k
            elif seg.size == 1:
                out[seg.name] = sl.start
        return out

    def named_columns(self) -> dict[str, list[int]]:
        """Columns by name, for taking genes out of selection: each scalar gene (:meth:`scalar_genes`) and each
        segment of several genes as a whole (``policy``, ``network``)."""
        out = {name: [col] for name, col in self.scalar_genes().items()}
        for seg in self.segments:
            if seg.size > 1 and seg.name not in out:
                sl = self.slice(seg.name)
                out[seg.name] = list(range(sl.start, sl.stop))
        return out

    def gene_names(self) -> list[str]:
        """A name for every column of the genome array, in order: a labelled segment's labels
        (``w_taste``...), a one-gene segment's name, ``{segment}_{row}_{column}`` for a matrix
        segment (the reactive policy), ``{segment}_{k}`` otherwise."""
        out: list[str] = []
        for seg in self.segments:
            if seg.labels:
                out += list(seg.labels)
            elif seg.size == 1:
                out.append(seg.name)
            elif len(seg.shape) == 2:
                out += [f"{seg.name}_{i}_{j}" for i in range(seg.shape[0]) for j in range(seg.shape[1])]
            else:
                out += [f"{seg.name}_{k}" for k in range(seg.size)]
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
        out = np.hstack([rng.uniform(low[b], high[b], size=(n, b.stop - b.start)) for b in self.blocks()])
        for seg in self.segments:
            if seg.start is not None:
                out[:, self.slice(seg.name)] = seg.start
        return out



class DecodedAgents(NamedTuple):
    """Structure-of-arrays view of a population, passed whole to the kernels."""

    architecture: np.ndarray  # (n,) int8: ARCH_PLANNER, ARCH_REACTIVE or ARCH_NEURAL
    depth: np.ndarray  # (n,) int64: planner search depth (its competence), >= 1
    weights: np.ndarray  # (n, features) float64: the represented objective w
    policy: np.ndarray  # (n, *policy shape) float64: the reactive policy (empty where none is declared)
    nest: np.ndarray | None = None  # (n, nesting genes) float64: building and hand-down traits
    network: np.ndarray | None = None  # (n, network genes) float64: the neural policy (no columns where undeclared)

    @property
    def n(self) -> int:
        return self.depth.shape[0]

    @classmethod
    def planners(cls, weights: np.ndarray, depth: np.ndarray) -> "DecodedAgents":
        """Planners with these objectives and depths, no policy and no nesting genes (worlds of planners only)."""
        weights = np.ascontiguousarray(weights, dtype=np.float64)
        n = weights.shape[0]
        return cls(np.full(n, ARCH_PLANNER, dtype=np.int8), np.ascontiguousarray(depth, dtype=np.int64), weights,
                   np.zeros((n, 0)), np.zeros((n, 0)), np.zeros((n, 0)))

    def copy(self) -> "DecodedAgents":
        """Independent copies of every array (the kernels write sub-agents' rows)."""
        return DecodedAgents(*(None if a is None else a.copy() for a in self))


def with_capacity(agents: DecodedAgents, capacity: int, nest_genes: int = 0) -> DecodedAgents:
    """Copies of the arrays padded with empty rows up to ``capacity`` entities (for sub-agents); a missing
    ``nest`` becomes ``nest_genes`` zero columns, a missing ``network`` none."""
    n = agents.n
    if capacity < n:
        raise ValueError(f"capacity {capacity} is below the population {n}")

    def pad(a: np.ndarray, fill: float = 0) -> np.ndarray:
        out = np.full((capacity,) + a.shape[1:], fill, dtype=a.dtype)
        out[:n] = a
        return out

    nest = agents.nest if agents.nest is not None else np.zeros((n, nest_genes))
    network = agents.network if agents.network is not None else np.zeros((n, 0))
    return DecodedAgents(pad(agents.architecture, ARCH_PLANNER), pad(agents.depth, 1), pad(agents.weights),
                         pad(agents.policy), pad(nest), pad(network))


def _columns(genomes: np.ndarray, layout: GenomeLayout, name: str, n: int) -> np.ndarray:
    """Segment ``name``'s genes, contiguous, reshaped to its ``shape``; an empty array when it is not declared."""
    if not layout.has(name):
        return np.zeros((n, 0))
    seg = layout.segment(name)
    cols = np.ascontiguousarray(genomes[:, layout.slice(name)])
    return cols.reshape((n,) + seg.shape) if seg.shape else cols


def decode(genomes: np.ndarray, layout: GenomeLayout, architecture: str, max_depth: int,
           **comparators) -> DecodedAgents:
    """Decode a population ``(n, layout.size)`` into kernel arrays.

    ``architecture`` is ``"planner"``, ``"reactive"``, ``"neural"`` or ``"evolved"`` (the
    architecture gene decides: planner when it is at least ``PLANNER_AT``; a non-planner is neural when
    the layout declares the ``neural`` gene and it is at least ``NEURAL_AT``, else reactive). Competence in
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
    elif architecture == "neural":
        arch = np.full(n, ARCH_NEURAL, dtype=np.int8)
    elif architecture == "evolved":
        arch = (genomes[:, layout.slice("architecture")][:, 0] >= PLANNER_AT).astype(np.int8)
        if layout.has("neural"):
            neural = genomes[:, layout.slice("neural")][:, 0] >= NEURAL_AT
            arch[(arch != ARCH_PLANNER) & neural] = ARCH_NEURAL
    else:
        raise ValueError(f"unknown architecture {architecture!r}")
    competence = genomes[:, layout.slice("competence")][:, 0]
    depth = np.minimum(1 + np.floor(competence * max_depth).astype(np.int64), max_depth)
    weights = _columns(genomes, layout, "drives", n)
    policy = _columns(genomes, layout, "policy", n)
    nest_names = layout.group("nest")
    nest = np.zeros((n, len(nest_names)))
    for k, name in enumerate(nest_names):
        nest[:, k] = genomes[:, layout.slice(name)][:, 0]
    return DecodedAgents(arch, depth, weights, policy, nest, _columns(genomes, layout, "network", n))


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

    ``fixed_weights``: the objective held fixed (one float in [-1, 1] per drive gene) instead of evolved;
    ``fixed_depth``: the planner depth (competence maps only to depth, so this is also the fixed
    competence); ``heredity``: "evolved" (the gene decides), "on" (gene 1: the hereditary technique
    is always handed down) or "off" (gene 0: never). With every argument at its default the array
    is returned as it is (the same object), so runs without comparators are unchanged bit for bit.
    The genes under selection keep evolving (neutrally) in the population; only what the world
    sees is fixed. Which comparators a world supports is its declaration (``WorldEntry.comparators``).
    """
    if fixed_weights is None and fixed_depth is None and heredity == "evolved":
        return genomes
    if heredity not in HEREDITY_MODES:
        raise ValueError(f"unknown heredity mode {heredity!r}")
    out = np.array(genomes, dtype=np.float64, copy=True)
    if fixed_weights is not None:
        w = np.asarray(fixed_weights, dtype=np.float64)
        drives = layout.segment("drives").size
        if w.shape != (drives,):
            raise ValueError(f"fixed_weights must hold {drives} values, got {w.shape}")
        out[:, layout.slice("drives")] = w
    if fixed_depth is not None:
        out[:, layout.slice("competence")] = competence_for_depth(int(fixed_depth), max_depth)
    if heredity != "evolved" and layout.has("heredity"):
        out[:, layout.slice("heredity")] = 1.0 if heredity == "on" else 0.0
    return out


def comparators_of(config) -> dict:
    """The comparator arguments of :func:`apply_comparators` from a run config (absent keys: defaults)."""
    agents = config.agents
    return {"fixed_weights": getattr(agents, "fixed_weights", None),
            "fixed_depth": getattr(agents, "fixed_depth", None),
            "heredity": getattr(config.nesting, "heredity", "evolved")}
