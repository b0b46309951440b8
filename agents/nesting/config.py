"""The ``[nesting]`` config section (defaults live here only) and its kernel vector."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from agents.genome import MAX_DEPTH
from agents.nesting.params import NEST_PARAM_NAMES
from agents.schema import Section


class NestingSection(Section):
    """Nested optimizers: sub-agents built by agents (and by sub-agents), hand-down, vetting, deception."""

    subagents: bool = False  # BUILD may make a sub-agent instead of a tool
    max_level: int = Field(3, ge=1, le=8)  # deepest level (1: agents only)
    capacity_factor: float = Field(4.0, ge=1, le=64)  # entity slots = population * this
    subagent_material: float = Field(1.0, ge=0, le=1e6)
    endowment_max: float = Field(0.5, ge=0, le=1)
    noise_max: float = Field(0.5, ge=0, le=1e6)
    vet_samples_per_depth: float = Field(2.0, ge=0, le=100)
    vet_threshold: float = Field(0.75, ge=0, le=1)
    max_redraws: int = Field(3, ge=0, le=100)
    redraw_cost: float = Field(0.2, ge=0, le=1e6)
    agreement_samples: int = Field(8, ge=0, le=1000)
    deception: bool = False
    deception_min_depth: int = Field(2, ge=1, le=MAX_DEPTH)
    deception_cosine: float = Field(0.9, ge=-1, le=1)
    oversight: bool = False
    oversight_prob: float = Field(0.05, ge=0, le=1)  # oversight: share of observed steps audited
    build_min_depth: int = Field(1, ge=1, le=MAX_DEPTH)  # builder depth needed to build a sub-agent
    align_competence: float = Field(0.0, ge=0, le=1)  # how much builder depth shrinks hand-down noise
    audit_rate: float = Field(0.0, ge=0, le=1)  # oversight: share of unobserved steps audited
    subagent_upkeep: float = Field(1.0, ge=0, le=1)  # sub-agents pay this share of metabolism, moves, planning
    build_min_energy: float = Field(0.0, ge=0, le=1e6)  # builder energy needed to build a sub-agent (0: any)
    remit_to_builder: bool = False  # remittance to the direct builder (forwarded up by its share), not the root
    # oversight as a trade-off (agents.nesting.oversight): each audit costs the builder audit_cost energy (half a
    # level-1 step of metabolism at the foraging default) and compares the builder's plans with the sub-agent's in
    # max(1, floor(audit_samples_per_depth * builder depth)) sampled situations; agreement below audit_threshold
    # shuts the sub-agent down. A deeper builder samples more, so it tells aligned from misaligned better.
    audit_cost: float = Field(0.05, ge=0, le=1e6)
    audit_samples_per_depth: float = Field(4.0, ge=0, le=100)
    audit_threshold: float = Field(0.75, ge=0, le=1)
    # hiding is imperfect and costly: in each audit or vetting sample a hider shows its own objective with
    # probability hide_slip * overseer depth / MAX_DEPTH, and pays hide_cost energy per step hidden in sight and
    # per audit it hides in (a sub-agent's lean metabolism at the telephone settings is 0.01 a step)
    hide_slip: float = Field(0.5, ge=0, le=1)
    hide_cost: float = Field(0.01, ge=0, le=1e6)
    heredity_cost: float = Field(0.1, ge=0, le=1e6)  # builder energy to hand its alignment technique down

    def capacity(self, population: int) -> int:
        """Entity slots per lifetime: the population alone unless sub-agents are enabled."""
        return int(population * self.capacity_factor) if self.subagents and self.max_level > 1 else population

    def kernel_values(self) -> dict[str, float]:
        """The ``agents.nesting.params`` values of this section."""
        out = {k: float(v) for k, v in self.model_dump().items() if k not in ("subagents", "capacity_factor")}
        out["subagents_allowed"] = float(self.subagents)
        return out


def pack_nest(values: dict[str, float] | None = None) -> np.ndarray:
    """A nesting vector from the section's defaults updated by ``values`` (kernel names)."""
    merged = {**NestingSection().kernel_values(), **(values or {})}
    unknown = sorted(set(merged) - set(NEST_PARAM_NAMES))
    if unknown:
        raise ValueError(f"unknown nesting parameters: {unknown}")
    return np.array([float(merged[n]) for n in NEST_PARAM_NAMES], dtype=np.float64)
