"""The one atomic writer (run directories, checkpoints, sweeps, experiments, figures, reports).

Every file is written to a fresh temporary file in the target's directory (created
exclusively, so a planted name cannot redirect it) and then moved onto the final name
with :func:`os.replace`, which replaces a symlink standing there instead of following
it, so a link planted in a run directory cannot redirect a write elsewhere, and a reader
(or a crash) never sees half a file. Files get the permissions a plain ``open(path,
"w")`` would give them (0o666 less the umask), not the temporary file's 0600: a
colleague in the group can read a shared run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

__all__ = ["OutputPathError", "check_file_target", "output_directory", "write_atomic", "write_atomically"]

#: Files get the permissions a plain ``open(path, "w")`` would give them (0o666 less the umask; read once,
#: at import: ``os.umask`` can only be read by setting it, which must not race with other threads' writes).
_UMASK = os.umask(0o077)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK


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


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a fresh temporary file beside ``path`` (mode ``FILE_MODE``), then move it onto
    ``path``. An OSError (disk full, permission, read-only file system) propagates, the temporary file
    removed."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        os.close(fd)
        write(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_atomically(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to the file ``path`` (a figure, a report), creating its directory.

    Raises :class:`OutputPathError` if ``path`` is a directory or cannot be written.
    """
    target = check_file_target(path)
    output_directory(target.parent)
    try:
        return write_atomic(target, lambda tmp: tmp.write_bytes(data))
    except OSError as exc:
        raise OutputPathError(f"cannot write {target}: {exc.strerror or exc}") from exc
