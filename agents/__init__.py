"""Agents, world-agnostic: the genome machinery (segments, decoding), the search, level 2+ (``agents.nesting``)."""

from agents.genome import DecodedAgents, GenomeLayout, Segment, decode

__all__ = ["DecodedAgents", "GenomeLayout", "Segment", "decode"]
