"""Numba in one place: JIT flags, the on-disk kernel cache, and the plain-Python twin of a kernel.

Every kernel module imports its decorators from here, so the cache directory is
set before the first kernel is defined, whatever the import order. Numba
invalidates a cached function only when its own file changes, not when a function
it inlines from another module does, and a stale kernel can return wrong results;
so the cache directory is named after a hash of every Python file under
``agents/`` and ``worlds/``: any edit there starts a fresh cache. A
``NUMBA_CACHE_DIR`` set by the user is respected, and ``NUMBA_DISABLE_JIT=1``
runs every kernel as plain Python (a CI pass does, as PySDM's does). Compiled math
calls the C library, as Python does (``NUMBA_DISABLE_INTEL_SVML``), so a kernel and its
Python twin give the same bits.

numba unpickles its cache index, so whoever can write the cache directory runs code in
every run. As ssh refuses a key with loose permissions, the cache directory (the default
one and the directories mesaevo makes for it, or ``NUMBA_CACHE_DIR``) must be owned by
the user and not writable by group or others, or importing the kernels fails with one
``CacheDirectoryError`` line; the directories mesaevo makes are created 0700.

Threads are opt-in: a world kernel call runs on 1 thread (cores are used through
processes: sweeps and experiments run one worker process per core) unless the user
set ``NUMBA_NUM_THREADS``, then on the calling thread's numba setting. A parallel
region loses to one thread as soon as another process holds a core
(docs/performance.md). ``OMP_WAIT_POLICY`` defaults to ``PASSIVE``: threads sleep at
the end of a region instead of spinning on a core another process needs. Results
never depend on the thread count.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

# Math functions (``math.pow``, ``math.exp``, ...) from the C library, as Python's own: never Intel SVML's
# vector versions, whose last bit differs. Read when numba is first imported, so it is set before that.
os.environ.setdefault("NUMBA_DISABLE_INTEL_SVML", "1")

import numba  # noqa: E402

from agents.errors import MesaevoError

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


class CacheDirectoryError(MesaevoError):
    """The kernel cache directory could be written by someone else (its pickles would run their code)."""


def _private_dir(path: Path) -> None:
    """Make ``path`` (mode 0700) if missing; refuse it unless it is a directory owned by this user that no
    group or other user can write."""
    try:
        os.mkdir(path, 0o700)
        os.chmod(path, 0o700)  # whatever the umask
    except FileExistsError:
        pass
    except OSError as exc:
        raise CacheDirectoryError(f"cannot create the kernel cache directory {path}: {exc.strerror or exc}; "
                                  "set NUMBA_CACHE_DIR to a private directory") from None
    st = os.stat(path)
    hint = "; make it private (chmod 700) or set NUMBA_CACHE_DIR to a directory only you can write"
    if not stat.S_ISDIR(st.st_mode):
        raise CacheDirectoryError(f"the kernel cache {path} is not a directory{hint}")
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise CacheDirectoryError(f"the kernel cache directory {path} is owned by another user (uid {st.st_uid}): "
                                  f"numba would run code from it{hint}")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise CacheDirectoryError(f"the kernel cache directory {path} is writable by group or others "
                                  f"(mode {stat.S_IMODE(st.st_mode):o}): numba would run code from it{hint}")


def _configure_cache() -> None:
    """Point numba at a private cache directory (checked by ``_private_dir``), made if missing."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        target = Path(os.environ["NUMBA_CACHE_DIR"])
        target.parent.mkdir(parents=True, exist_ok=True)
        _private_dir(target)
        return
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    cache.mkdir(parents=True, exist_ok=True)
    for part in ("mesaevo", "numba", source_digest()):
        cache = cache / part
        _private_dir(cache)
    numba.config.CACHE_DIR = str(cache)


_configure_cache()
if numba.config.USING_SVML:  # numba was imported before this module, with SVML found
    logging.getLogger(__name__).warning(
        "numba was imported before mesaevo and uses Intel SVML: compiled math may differ in its last bit from "
        "other machines; set NUMBA_DISABLE_INTEL_SVML=1 for results identical everywhere")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when numba starts its OpenMP pool (first region)

#: Whether the user asked for numba threads (``NUMBA_NUM_THREADS`` in the environment).
THREADS_ASKED = "NUMBA_NUM_THREADS" in os.environ


@dataclass
class KernelRun:
    """The thread count of the enclosed kernel calls and, set by the caller, the work they did (any unit
    proportional to their cost; 0: not measured)."""

    threads: int
    work: float = 0.0


@contextmanager
def kernel_threads() -> Iterator[KernelRun]:
    """Run the enclosed kernel calls on 1 thread, or on ``numba.get_num_threads()`` threads when
    ``NUMBA_NUM_THREADS`` was set. Yields a ``KernelRun``; restores the calling thread's setting on exit."""
    saved = numba.get_num_threads()
    run = KernelRun(saved if THREADS_ASKED else 1)
    numba.set_num_threads(run.threads)
    try:
        yield run
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


class CompileClock:
    """Seconds numba spent compiling (not loading from its cache) inside :func:`compile_clock` blocks."""

    def __init__(self) -> None:
        self.seconds = 0.0


@contextmanager
def compile_clock(clock: CompileClock | None = None) -> Iterator[CompileClock]:
    """Add to ``clock`` (a new one when None) the time numba compiles kernels in this block, from numba's
    ``numba:compile`` events (outermost only; a kernel loaded from the disk cache fires none), so a run
    can report its time per generation without the one-off compile."""
    from numba.core.event import install_timer

    clock = clock if clock is not None else CompileClock()

    def add(seconds: float) -> None:
        clock.seconds += seconds

    with install_timer("numba:compile", add):
        yield clock
