"""Shared fixtures: tiny configs that run in a fraction of a second."""

from __future__ import annotations

import pytest

#: Overrides that shrink any scenario to a tiny world (a few generations run in well under a second).
TINY = {
    "world.width": 16,
    "world.height": 16,
    "world.steps": 60,
    "world.food_patches": 6,
    "agents.population": 40,
    "agents.max_depth": 2,
    "run.generations": 4,
}


def tiny_args() -> list[str]:
    """TINY as CLI ``--set`` arguments."""
    out: list[str] = []
    for key, value in TINY.items():
        if key != "run.generations":
            out += ["--set", f"{key}={value}"]
    return out


@pytest.fixture
def tiny() -> dict:
    return dict(TINY)
