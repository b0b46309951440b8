"""Numba in one place: JIT flags, the on-disk kernel cache, and the plain-Python twin of a kernel.

Every kernel module imports its decorators from here, so the cache directory is
set before the first kernel is defined, whatever the import order. Numba
invalidates a cached function only when its own file changes, not when a function
it inlines from another module does, and a stale kernel can return wrong results;
so the cache directory is named after a hash of every Python file under
``agents/`` and ``worlds/``: any edit there starts a fresh cache. A
``NUMBA_CACHE_DIR`` set by the user is respected, and ``NUMBA_DISABLE_JIT=1``
runs every kernel as plain Python (a CI pass does, as PySDM's does).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

import numba

#: Packages whose source the compiled kernels depend on.
KERNEL_PACKAGES = ("agents", "worlds")
JIT_ENABLED = not numba.config.DISABLE_JIT


def source_digest() -> str:
    """Hash of every Python file in the kernel packages (subpackages included)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for pkg in KERNEL_PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _configure_cache() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mesaevo" / "numba"
    numba.config.CACHE_DIR = str(base / source_digest())


_configure_cache()

#: A serial kernel; ``inline=True`` for the small helpers of a node's score.
kernel = numba.njit(cache=True)
inline_kernel = numba.njit(cache=True, inline="always")
#: A kernel with ``prange`` loops.
parallel_kernel = numba.njit(cache=True, parallel=True)
prange = numba.prange


def python_twin(f: Callable) -> Callable:
    """The plain-Python function behind a kernel (``f.py_func``), or ``f`` itself when JIT is off."""
    return getattr(f, "py_func", f)
