"""Ctrl-C while the command line starts (importing numpy, numba, pandas, ... takes seconds) exits 130
quietly instead of printing a traceback from deep inside an import.

Imported first by ``evo/__init__``; it acts only when this process is the ``mesaevo``
command (``mesaevo ...`` or ``python -m evo ...``), never for library users. The
CLI's ``main`` restores Python's own SIGINT handler once everything is loaded, from
where a Ctrl-C is handled by the run (checkpoint, 'interrupted', exit 130).
"""

from __future__ import annotations

import os
import signal
import sys
import threading


def _quit(signum, frame) -> None:
    os.write(2, b"interrupted while starting\n")
    os._exit(130)


_quit._mesaevo_startup = True  # type: ignore[attr-defined]


def _is_cli() -> bool:
    argv = list(getattr(sys, "orig_argv", sys.argv))
    if len(argv) >= 3 and argv[1] == "-m" and argv[2] == "evo":
        return True
    return bool(sys.argv) and os.path.basename(sys.argv[0]) in ("mesaevo", "mesaevo.exe")


def install() -> None:
    if _is_cli() and threading.current_thread() is threading.main_thread() \
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _quit)


def restore() -> None:
    """Back to Python's KeyboardInterrupt once the CLI has loaded."""
    if threading.current_thread() is threading.main_thread() \
            and getattr(signal.getsignal(signal.SIGINT), "_mesaevo_startup", False):
        signal.signal(signal.SIGINT, signal.default_int_handler)


install()
