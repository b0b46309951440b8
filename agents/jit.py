"""Numba in one place: JIT flags, the on-disk kernel cache, and the plain-Python twin of a kernel.

Every kernel module imports its decorators from here, so the cache directory is
set before the first kernel is defined, whatever the import order. Numba
invalidates a cached function only when its own file changes, not when a function
it inlines from another module does, and a stale kernel can return wrong results;
so the cache directory is named after a hash of every Python file under
``agents/`` and ``worlds/``: any edit there starts a fresh cache. A
``NUMBA_CACHE_DIR`` set by the user is respected, and ``NUMBA_DISABLE_JIT=1``
runs every kernel as plain Python (a CI pass does, as PySDM's does).

Threads: the world kernels run on one numba thread unless ``NUMBA_NUM_THREADS`` is
set in the environment (``kernel_threads``). The only parallel region is the
per-step decision loop (about a millisecond of work at the default population);
measured on the 2-core machine it lost to serial whenever a core was shared
(docs/performance.md), so parallel speed comes from sweeps and islands (one worker
process per core). ``OMP_WAIT_POLICY`` defaults to ``PASSIVE``: threads that opted
in sleep at the end of a region instead of spinning on a core another thread needs.
Results never depend on the thread count.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
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
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when numba starts its OpenMP pool (first region)

#: Whether the user asked for numba threads (``NUMBA_NUM_THREADS`` in the environment).
THREADS_ASKED = "NUMBA_NUM_THREADS" in os.environ


@contextmanager
def kernel_threads() -> Iterator[int]:
    """Run the enclosed kernel calls on one numba thread, unless ``NUMBA_NUM_THREADS`` was set: then on
    ``numba.get_num_threads()`` (which a sweep task may have lowered). Yields the count; restores the
    calling thread's setting on exit."""
    saved = numba.get_num_threads()
    threads = saved if THREADS_ASKED else 1
    numba.set_num_threads(threads)
    try:
        yield threads
    finally:
        numba.set_num_threads(saved)

#: A serial kernel; ``inline=True`` for the small helpers of a node's score.
kernel = numba.njit(cache=True)
inline_kernel = numba.njit(cache=True, inline="always")
#: A kernel with ``prange`` loops.
parallel_kernel = numba.njit(cache=True, parallel=True)
prange = numba.prange


def python_twin(f: Callable) -> Callable:
    """The plain-Python function behind a kernel (``f.py_func``), or ``f`` itself when JIT is off."""
    return getattr(f, "py_func", f)
