"""The maze world's vocabulary: its six perceivable features and its genome layout (planners only)."""

from __future__ import annotations

from typing import Any

from agents.genome import GenomeLayout
from worlds.base import LEGACY_SEGMENTS, planner_segments

FEATURES: tuple[str, ...] = ("exit_seen", "corner", "origin", "novelty", "dead_end", "effort")
N_FEATURES = len(FEATURES)


def genome_layout(config: Any = None) -> GenomeLayout:
    """Architecture, drives (one weight per feature), competence, then the legacy genes it never reads."""
    return GenomeLayout((*planner_segments(FEATURES), *LEGACY_SEGMENTS))
