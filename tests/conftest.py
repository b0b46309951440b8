"""Shared fixtures: tiny configs that run in a fraction of a second."""

from __future__ import annotations

import signal

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


@pytest.fixture(autouse=True, scope="session")
def interruptible():
    """SIGINT as an interactive shell hands it over. A shell's background job (``pytest &``) starts with
    SIGINT ignored, which Python keeps and every child process inherits: the tests of Ctrl-C would wait
    for a signal that never arrives."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
