"""Graceful stops: SIGINT or SIGTERM finish the current generation, then the run checkpoints and stops.

The handler only sets a flag that the generation loop reads between
generations; a second signal falls through to Python's default behaviour.
Handlers are installed only in the main thread (signal's own rule), so runs
inside worker threads simply have no graceful stop.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

from agents.errors import MesaevoError

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class RunInterrupted(MesaevoError):
    """The run stopped on a signal after writing a checkpoint."""

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.signum = signum


class StopRequest:
    """Which signal asked the run to stop, if any."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def __call__(self, signum: int, frame) -> None:
        self.signum = signum
        for sig in SIGNALS:  # a second signal stops at once
            signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """Install the flag-setting handlers for the duration of the block."""
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
    for sig in SIGNALS:
        signal.signal(sig, request)
    try:
        yield request
    finally:
        if threading.current_thread() is threading.main_thread():  # a generator may be finalised elsewhere
            for sig, handler in previous.items():
                signal.signal(sig, handler)
