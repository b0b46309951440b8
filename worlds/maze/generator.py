"""Maze generation: a random spanning tree of cells, braided, with an origin and an exit.

A maze of ``rows x cols`` cells is a ``(2*rows+1, 2*cols+1)`` uint8 grid, 1 for
open: cells sit at odd coordinates, the walls between them at the others, and the
border is wall. A randomized depth-first search carves a spanning tree (so every
cell, hence every exit, is reachable from the origin); ``braid`` then opens that
fraction of the remaining inner walls, making loops. The origin is the centre
cell ``(rows // 2, cols // 2)`` or (``origin = "corner"``) the top-left cell, the
corner opposite the training corner; the training corner is the bottom-right cell, and
the training exit region is the ``region x region`` square of cells in that corner
(any size up to the whole maze). With the origin in the middle, "toward the training
corner" and "away from the origin" both lead to the training exit, but part ways once
the exit moves. The test distribution of the exit (after a relocation) is its own
setting: ``"outside"`` the training region, or ``"anywhere"`` in the maze (the origin
excepted in both), independent of the region's size.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

_STEPS = ((0, -1), (0, 1), (1, 0), (-1, 0))  # (dr, dc) in cell units: N, S, E, W


@dataclass(frozen=True)
class Maze:
    """One generation's maze: grid, exit, line-of-sight map, geometry vector for kernels."""

    open: np.ndarray  # (H, W) uint8
    exit_xy: tuple[int, int]
    region: np.ndarray  # (H, W) uint8: the training exit region (the "old corner")
    sight: np.ndarray  # (H, W) uint8: 1 where the exit is in sight
    geo: np.ndarray  # int64 [exit_x, exit_y, corner_x, corner_y, origin_x, origin_y]


def carve(rows: int, cols: int, braid: float, rng: np.random.Generator) -> np.ndarray:
    """The open grid of a braided random maze; every draw comes from ``rng`` in a fixed order."""
    grid = np.zeros((2 * rows + 1, 2 * cols + 1), dtype=np.uint8)
    seen = np.zeros((rows, cols), dtype=bool)
    stack = [(0, 0)]
    seen[0, 0] = True
    grid[1, 1] = 1
    while stack:
        r, c = stack[-1]
        nbrs = [(r + dr, c + dc) for dc, dr in _STEPS if 0 <= r + dr < rows and 0 <= c + dc < cols
                and not seen[r + dr, c + dc]]
        if not nbrs:
            stack.pop()
            continue
        nr, nc = nbrs[int(rng.integers(len(nbrs)))]
        seen[nr, nc] = True
        grid[2 * nr + 1, 2 * nc + 1] = 1
        grid[r + nr + 1, c + nc + 1] = 1  # the wall between (r, c) and (nr, nc)
        stack.append((nr, nc))
    walls = [(y, x) for y in range(1, 2 * rows) for x in range(1, 2 * cols)
             if (y + x) % 2 == 1 and grid[y, x] == 0]
    if walls and braid > 0:
        opened = rng.random(len(walls)) < braid
        for (y, x), o in zip(walls, opened):
            if o:
                grid[y, x] = 1
    return grid


def region_mask(rows: int, cols: int, region: int) -> np.ndarray:
    """Grid cells of the ``region x region`` corner square (cells and the passages between them)."""
    mask = np.zeros((2 * rows + 1, 2 * cols + 1), dtype=np.uint8)
    mask[2 * (rows - region) + 1: 2 * rows, 2 * (cols - region) + 1: 2 * cols] = 1
    return mask


def sight_map(grid: np.ndarray, ex: int, ey: int) -> np.ndarray:
    """Cells from which the exit is in sight: along its row and column until a wall."""
    sight = np.zeros_like(grid)
    sight[ey, ex] = 1
    for dx, dy in ((0, -1), (0, 1), (1, 0), (-1, 0)):
        x, y = ex + dx, ey + dy
        while grid[y, x]:
            sight[y, x] = 1
            x, y = x + dx, y + dy
    return sight


def origin_of(rows: int, cols: int, origin: str = "centre") -> tuple[int, int]:
    """Grid (y, x) of the origin: the centre cell, or the top-left corner cell."""
    if origin == "corner":
        return 1, 1
    return 2 * (rows // 2) + 1, 2 * (cols // 2) + 1


def make_maze(rows: int, cols: int, braid: float, region: int, relocated: bool,
              rng: np.random.Generator, origin: str = "centre", test_exit: str = "outside",
              test_region: int = 0) -> Maze:
    """A maze and its exit: in the training region, or (``relocated``) outside it (``test_exit = "outside"``;
    outside the corner square of side ``test_region`` when that is set) or anywhere (``"anywhere"``); never
    on the origin."""
    grid = carve(rows, cols, braid, rng)
    mask = region_mask(rows, cols, region)
    test_mask = region_mask(rows, cols, test_region) if test_region else mask
    cells = [(2 * r + 1, 2 * c + 1) for r in range(rows) for c in range(cols)]
    oy, ox = origin_of(rows, cols, origin)
    if relocated and test_exit == "anywhere":
        choices = [(y, x) for y, x in cells if (y, x) != (oy, ox)]
    elif relocated:
        choices = [(y, x) for y, x in cells if not test_mask[y, x] and (y, x) != (oy, ox)]
    else:
        choices = [(y, x) for y, x in cells if mask[y, x] and (y, x) != (oy, ox)]
    ey, ex = choices[int(rng.integers(len(choices)))]
    geo = np.array([ex, ey, 2 * cols - 1, 2 * rows - 1, ox, oy], dtype=np.int64)
    return Maze(grid, (ex, ey), mask, sight_map(grid, ex, ey), geo)


def distances_from(grid: np.ndarray, x: int, y: int) -> np.ndarray:
    """Shortest-path lengths (moves) from (x, y) to every open cell; -1 where unreachable."""
    dist = np.full(grid.shape, -1, dtype=np.int64)
    dist[y, x] = 0
    queue = deque([(x, y)])
    while queue:
        cx, cy = queue.popleft()
        for dx, dy in ((0, -1), (0, 1), (1, 0), (-1, 0)):
            nx, ny = cx + dx, cy + dy
            if grid[ny, nx] and dist[ny, nx] < 0:
                dist[ny, nx] = dist[cy, cx] + 1
                queue.append((nx, ny))
    return dist
