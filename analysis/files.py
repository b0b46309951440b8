"""Writing figures and reports: into a directory that must be one, never through a symlink.

Every file is written to a temporary file in the target's directory and then moved onto
the final name with :func:`os.replace`, which replaces a symlink standing there instead of
following it, so a link planted in a run directory cannot redirect a write elsewhere, and
a reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["OutputPathError", "check_file_target", "output_directory", "write_atomically"]

#: Files get the permissions a plain ``open(path, "w")`` would give them (0o666 less the umask).
_UMASK = os.umask(0)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK


class OutputPathError(ValueError):
    """A figure or report cannot be written where it was asked to go."""


def output_directory(path: str | Path) -> Path:
    """``path`` as a directory to write into, created if missing.

    Raises :class:`OutputPathError` if it is a file or cannot be created.
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise OutputPathError(f"cannot write into {target}: it is a file, not a directory")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputPathError(f"cannot create directory {target}: {exc.strerror or exc}") from exc
    return target


def check_file_target(path: str | Path) -> Path:
    """``path`` as the name of a file to write: :class:`OutputPathError` if a directory is there."""
    target = Path(path)
    if target.is_dir() and not target.is_symlink():
        raise OutputPathError(f"cannot write {target}: it is a directory")
    return target


def write_atomically(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same directory and :func:`os.replace`.

    Raises :class:`OutputPathError` if ``path`` is a directory or cannot be written.
    """
    target = check_file_target(path)
    directory = output_directory(target.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputPathError(f"cannot write into {directory}: {exc.strerror or exc}") from exc
    try:
        os.fchmod(fd, _FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputPathError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target
