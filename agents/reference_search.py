"""The plain-Python reference of the planners' exhaustive search, shared by the worlds' reference twins.

Written independently of ``agents.search`` (recursion over a world's ``children``
instead of an option table and an explicit stack), so that a twin test compares two
implementations, not one with itself.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Sequence

#: ``children(state)`` -> (option, next state, features of the option or None for "scores 0"), for every
#: option open from ``state``, in option order.
Children = Callable[[Any], Iterable[tuple[int, Any, Sequence[float] | None]]]


def reference_plan(w: Sequence[float], depth: int, start: Any, children: Children) -> tuple[int, int]:
    """Best first option over all plans of ``depth`` options (the first in option order on ties) by the summed
    ``w . features`` of their options, and the nodes expanded (one per option tried)."""
    best = [-math.inf, 0]
    nodes = [0]

    def search(level: int, state: Any, total: float, first: int) -> None:
        for o, nxt, f in children(state):
            nodes[0] += 1
            r = 0.0
            if f is not None:
                for k in range(len(f)):
                    r += w[k] * f[k]
            v = total + r
            f0 = o if level == 0 else first
            if level + 1 == depth:
                if v > best[0]:
                    best[0], best[1] = v, f0
            else:
                search(level + 1, nxt, v, f0)

    search(0, start, 0.0, 0)
    return best[1], nodes[0]
