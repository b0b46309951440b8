"""Graceful stops: SIGINT or SIGTERM finish the current generation, then the run checkpoints and stops.

The handler only sets a flag that the generation loop reads between
generations; a second signal falls through to Python's default behaviour.
Handlers are installed only in the main thread (signal's own rule), so runs
inside worker threads simply have no graceful stop. A block that ends outside
the main thread (a suspended generator finalised by the garbage collector in
another thread) cannot put the previous handlers back; its handler then acts as
they would on the next signal, and puts them back itself.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from typing import Any, Iterator

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
        self.active = True  # False once its block has ended
        self.previous: dict[int, Any] = {}  # the handlers before the block's

    def __call__(self, signum: int, frame) -> None:
        if not self.active:  # left installed by a block that ended outside the main thread
            for sig, handler in self.previous.items():
                signal.signal(sig, signal.SIG_DFL if handler is None else handler)  # None: set outside Python
            handler = self.previous.get(signum) or signal.SIG_DFL
            if callable(handler):
                handler(signum, frame)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), signum)  # delivered again, to the default action
            return
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
    request.previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
    for sig in SIGNALS:
        signal.signal(sig, request)
    try:
        yield request
    finally:
        request.active = False
        if threading.current_thread() is threading.main_thread():  # a generator may be finalised elsewhere
            for sig, handler in request.previous.items():
                signal.signal(sig, handler)
