"""One writer per run directory: an advisory ``fcntl.flock`` on ``RUN_DIR/.lock``.

The lock is held for the life of the run (``run``, ``resume``, a sweep's task)
and released when the run finishes or its process dies (the kernel drops flock
locks on exit), so a lock file left by a killed run is never stale. A second
writer gets one clear ``MesaevoError``. The lock file is opened without
following symlinks, so a planted ``.lock`` symlink cannot redirect it.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from agents.errors import MesaevoError
from analysis.run_files import LOCK as LOCK_NAME


class RunLock:
    """An exclusive, non-blocking lock on a run directory; ``release`` (or process exit) frees it."""

    def __init__(self, run_dir: str | Path):
        self.path = Path(run_dir) / LOCK_NAME
        self.fd: int | None = None

    def acquire(self) -> "RunLock":
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise MesaevoError(f"cannot lock run directory {self.path.parent}: {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise MesaevoError(f"{self.path.parent} is in use by another mesaevo process "
                                   "(run, resume or sweep); wait for it to finish") from None
            raise MesaevoError(f"cannot lock run directory {self.path.parent}: {exc.strerror}") from None
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    @property
    def held(self) -> bool:
        return self.fd is not None

    def __del__(self) -> None:  # a run object dropped without finishing still frees its directory
        try:
            self.release()
        except OSError:
            pass
