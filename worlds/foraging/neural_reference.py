"""Slow, readable pure-Python twin of the neural policy (``worlds.foraging.neural``): the oracle for its kernel."""

from __future__ import annotations

import math

import numpy as np

from worlds.foraging.actions import BUILD, CONVERT, EAT, MATE, MOVE_DX, MOVE_DY, STAY
from worlds.foraging.genome import N_INPUTS, N_ROWS

MOVE_ROW, STAY_ROW, EAT_ROW, MATE_ROW, CONVERT_ROW, BUILD_ROW = range(N_ROWS)


def ref_network(net: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The flat genes as (W: hidden x inputs, V: rows x hidden, b: rows)."""
    hidden = (len(net) - N_ROWS) // (N_INPUTS + N_ROWS)
    w_end = hidden * N_INPUTS
    v_end = w_end + N_ROWS * hidden
    return (np.reshape(net[:w_end], (hidden, N_INPUTS)), np.reshape(net[w_end:v_end], (N_ROWS, hidden)),
            np.asarray(net[v_end:]))


def ref_neural(v, net: np.ndarray) -> int:
    """The neural policy's action for the entity a ``worlds.foraging.reference.Ref`` views: every option's
    observed cell through the hidden layer, scored by its group's row; the first best option wins."""
    weights_in, weights_out, bias = ref_network(net)
    x0, y0 = int(v.s.x[v.i]), int(v.s.y[v.i])

    def hidden(x: int, y: int) -> list[float]:
        obs = [v.s.food[y, x], v.s.sugar[y, x], v.s.material[y, x], v.s.hazard[y, x], float(v.others_around(x, y)),
               0.0 if v.visited(x, y) else 1.0, 1.0]
        out = []
        for row in weights_in:
            a = row[0] * obs[0]
            for j in range(1, N_INPUTS):
                a += row[j] * obs[j]
            out.append(math.tanh(a))
        return out

    def score(group: int, h: list[float]) -> float:
        s = bias[group]
        for k, hk in enumerate(h):
            s += weights_out[group, k] * hk
        return s

    here = hidden(x0, y0)
    options = [(STAY, score(STAY_ROW, here))]
    for o in range(1, 5):
        options.append((o, score(MOVE_ROW, hidden(*v.wrap(x0 + int(MOVE_DX[o]), y0 + int(MOVE_DY[o]))))))
    for act, group in ((EAT, EAT_ROW), (MATE, MATE_ROW), (BUILD, BUILD_ROW), (CONVERT, CONVERT_ROW)):
        options.append((act, score(group, here)))
    best = options[0]
    for opt in options[1:]:
        if opt[1] > best[1]:
            best = opt
    return best[0]
