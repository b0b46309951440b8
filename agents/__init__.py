"""Agents: the genome layout, its decoding to arrays, planners and reactive policies."""

from agents.genome import FEATURES, GenomeLayout, DecodedAgents, decode, default_layout

__all__ = ["FEATURES", "GenomeLayout", "DecodedAgents", "decode", "default_layout"]
