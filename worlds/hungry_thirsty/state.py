"""The hungry-thirsty world's state, passed whole by name to its kernels: the agents' bodies and the rooms."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from worlds.hungry_thirsty.genome import N_FEATURES


class RoomsGrid(NamedTuple):
    """The four rooms as the kernels read them (``worlds.hungry_thirsty.model``)."""

    passable: np.ndarray  # (6, 6, 4) uint8: whether move option o is open from a cell
    dist: np.ndarray  # (2, 6, 6) int64: moves to the food and to the water
    geo: np.ndarray  # int64 [food_x, food_y, water_x, water_y]


class HungryThirstyState(NamedTuple):
    """Structure-of-arrays state of all agents, each in its own copy of the rooms."""

    x: np.ndarray  # int64
    y: np.ndarray  # int64
    hungry: np.ndarray  # uint8: did not eat in the last step
    thirsty: np.ndarray  # uint8
    features: np.ndarray  # (n, 6) realized features (column F_ATE: food eaten)
    nodes: np.ndarray  # int64: search nodes expanded

    @classmethod
    def start(cls, n: int, sx: int, sy: int, thirsty: bool) -> "HungryThirstyState":
        return cls(np.full(n, sx, dtype=np.int64), np.full(n, sy, dtype=np.int64), np.ones(n, dtype=np.uint8),
                   np.full(n, 1 if thirsty else 0, dtype=np.uint8), np.zeros((n, N_FEATURES)),
                   np.zeros(n, dtype=np.int64))

    def copy(self) -> "HungryThirstyState":
        return HungryThirstyState(*(a.copy() for a in self))
