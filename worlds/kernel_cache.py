"""Numba's on-disk cache, keyed by the source of every kernel module.

Numba invalidates a cached function only when its own file changes, not when a
function it inlines from another module does, and a stale kernel can return
wrong results or crash. So the cache directory is named after a hash of all of
``agents/`` and ``worlds/``: any edit there starts a fresh cache. A
``NUMBA_CACHE_DIR`` set by the user is respected.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba

PACKAGES = ("agents", "worlds")


def source_digest() -> str:
    """Hash of every Python file in the kernel packages."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for pkg in PACKAGES:
        for path in sorted((root / pkg).glob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def configure() -> None:
    """Point numba's cache at a directory for this exact kernel source."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mesaevo" / "numba"
    numba.config.CACHE_DIR = str(base / source_digest())
