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


def pytest_collection_modifyitems(config, items) -> None:
    """``property`` on every hypothesis test; with JIT off (``NUMBA_DISABLE_JIT=1``) a ``twin(itself=True)``
    test compares a function with itself, which cannot fail: skipped, saying so."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)
    itself = [item for item in items if any(m.kwargs.get("itself") for m in item.iter_markers("twin"))]
    if itself:
        import numba  # only when such a test was collected

        if numba.config.DISABLE_JIT:
            for item in itself:
                item.add_marker(pytest.mark.skip(reason="NUMBA_DISABLE_JIT=1: the kernel is its own Python twin, "
                                                        "the comparison cannot fail"))


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
