"""Reading files named by a directory's own records (``verdict.json`` naming its figure and table) without
leaving that directory: the name must be relative, resolve (symlinks followed) inside the directory and
be a regular file of bounded size. A report embeds what it reads, so a planted link or a ``../`` must
never pull an outside file into it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .load import RunFormatError

__all__ = ["inside", "file_inside"]

#: Figures and per-seed tables of an experiment are kilobytes to a few megabytes.
MAX_FILE_BYTES = 64 * 2**20


def inside(path: str | Path, root: str | Path) -> bool:
    """Whether ``path`` (resolved, symlinks followed) is ``root`` or lies under it."""
    real, base = Path(path).resolve(), Path(root).resolve()
    return real == base or base in real.parents


def file_inside(root: str | Path, name: object, what: str, max_bytes: int = MAX_FILE_BYTES) -> Path | None:
    """``root/name`` as a regular file inside ``root``; None when no such file exists.

    Raises :class:`analysis.load.RunFormatError` (one line) when ``name`` is not a relative path, leads
    outside ``root`` (``..``, absolute, or a symlink), is not a regular file or is larger than ``max_bytes``."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise RunFormatError(f"{what} in {root}: {str(name)[:80]!r} is not a file name")
    shown = repr(name[:80])
    rel = Path(name)
    path = Path(root) / rel
    if rel.is_absolute() or ".." in rel.parts or not inside(path, root):
        raise RunFormatError(f"{what} {shown} lies outside {root}; refusing to read it")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RunFormatError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise RunFormatError(f"{what} {path} is not a regular file")
    if st.st_size > max_bytes:
        raise RunFormatError(f"{what} {path} is {st.st_size} bytes, more than the {max_bytes} expected at most")
    return path
