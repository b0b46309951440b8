"""Novelty memory: the cells an entity has visited in its lifetime, as a small hash set per entity.

A world keeps one row of ``slots`` int32 per entity slot (``new_visits``): an
open-addressing hash set of cell indices (``y * width + x``) with linear probing,
``EMPTY`` (-1) in a free slot. A cell's home slot is a 32-bit multiplicative hash
of its index scaled to the row length (multiply-shift, so any row length works).
An entity visits at most ``steps + 1`` distinct cells in a lifetime (where it starts,
then one per move) and never more than the map has, so a row of
``slots_for(min(steps + 1, cells))`` slots (at most 2/3 full) always holds them:
memory is O(entities x lifetime steps), independent of the map size. (The byte per
map cell per entity it replaces took 256 KiB per entity on a 512x512 map.)

The layout of a row depends only on the order cells were inserted, so a kernel and
its pure-Python reference that visit in the same order hold equal arrays; the
reference asks membership the plain way (``py_seen``: is the cell in the row).
"""

from __future__ import annotations

import numpy as np

from agents.jit import inline_kernel, kernel
from agents.visit_slots import slots_for

EMPTY = -1
_GOLDEN = 2654435769  # 2**32 / golden ratio: Knuth's multiplicative hash


def new_visits(n: int, visits: int) -> np.ndarray:
    """An empty novelty memory for ``n`` entity slots, each able to hold ``visits`` distinct cells."""
    return np.full((n, slots_for(visits)), EMPTY, dtype=np.int32)


@inline_kernel
def home(c: int, slots: int) -> int:
    """The slot where probing for cell ``c`` starts (``0 <= c < 2**31``)."""
    return (((c * _GOLDEN) & 0xFFFFFFFF) * slots) >> 32


@inline_kernel
def _slot(row: np.ndarray, c: int) -> int:
    """Linear probing from cell ``c``'s home slot: the slot holding ``c``, else the first free slot where it
    would go; -1 when the row is full and ``c`` is not in it."""
    slots = row.shape[0]
    k = home(c, slots)
    for _ in range(slots):
        v = row[k]
        if v == c or v == EMPTY:
            return k
        k += 1
        if k == slots:
            k = 0
    return -1


@inline_kernel
def seen(row: np.ndarray, c: int) -> bool:
    """Whether cell ``c`` is in the novelty memory ``row``."""
    k = _slot(row, c)
    return k >= 0 and row[k] == c


@kernel
def visit(row: np.ndarray, c: int) -> bool:
    """Add cell ``c`` to ``row``; True when it was not there (a first visit). Raises when the row is full."""
    k = _slot(row, c)
    if k < 0:
        raise ValueError("novelty memory full: the lifetime is longer than the state was built for")
    if row[k] == c:
        return False
    row[k] = c
    return True


def py_seen(row: np.ndarray, c: int) -> bool:
    """Reference membership: is cell ``c`` among the row's entries."""
    return bool(np.any(row == c))


def py_visit(row: np.ndarray, c: int) -> bool:
    """Reference insertion (same slots as ``visit``): probe from the home slot to the first free one."""
    if py_seen(row, c):
        return False
    if not py_seen(row, EMPTY):
        raise ValueError("novelty memory full: the lifetime is longer than the state was built for")
    slots = len(row)
    k = ((int(c) * _GOLDEN) % 2**32) * slots // 2**32
    while row[k] != EMPTY:
        k = (k + 1) % slots
    row[k] = c
    return True


def start_visits(visits: np.ndarray, cells: np.ndarray) -> None:
    """Record the first cell of entities ``0..len(cells)-1`` in their empty rows (each lands on its home slot)."""
    c = np.asarray(cells, dtype=np.int64)
    k = ((c * _GOLDEN) & 0xFFFFFFFF) * visits.shape[1] >> 32
    visits[np.arange(c.shape[0]), k] = c


def visit_all(row: np.ndarray, cells) -> None:
    """Add every cell of ``cells`` to ``row`` (tests and tools that start from a lived-in world)."""
    for c in cells:
        py_visit(row, int(c))
