"""The row length of an entity's novelty memory (``agents.visits``), apart from its kernels so that the
memory preflight (``evo.preflight``) can size a run without importing numba."""

from __future__ import annotations


def slots_for(visits: int) -> int:
    """Row length that holds ``visits`` distinct cells at a load of at most 2/3."""
    return max(2, (3 * int(visits) + 1) // 2 + 1)
