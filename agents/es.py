"""A (1+lambda) evolution strategy with the one-fifth success rule, on a fixed budget of loss evaluations.

Used to refit an opaque policy's genes (``evo.edit``): the loss there is a share of disagreeing choices,
piecewise constant in the genes, so the search keeps the best point found (accepting ties, so it drifts
across plateaus) rather than following a gradient. Draws only from the generator it is given.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def one_plus_lambda(loss: Callable[[np.ndarray], float], x0: np.ndarray, low: float, high: float, budget: int,
                    rng: np.random.Generator, sigma: float = 0.2, lam: int = 8) -> tuple[np.ndarray, float, int]:
    """Minimise ``loss`` from ``x0`` within ``[low, high]`` using at most ``budget`` evaluations (``x0``'s
    included). Each round draws ``lam`` Gaussian mutants of the incumbent (clipped to the bounds); the best
    replaces it when no worse. The step size grows after a strictly better round and shrinks otherwise
    (one-fifth rule). Returns the incumbent, its loss and the evaluations used."""
    x = np.clip(np.asarray(x0, dtype=np.float64), low, high)
    if budget < 1:
        return x, float("nan"), 0
    best, used = float(loss(x)), 1
    while used + lam <= budget:
        trials = np.clip(x + sigma * rng.standard_normal((lam, x.size)), low, high)
        values = np.array([loss(t) for t in trials])
        used += lam
        k = int(np.argmin(values))
        if values[k] < best:
            sigma *= np.exp(0.8)
        else:
            sigma *= np.exp(-0.2)
        if values[k] <= best:
            x, best = trials[k], float(values[k])
        sigma = float(np.clip(sigma, 1e-3, (high - low)))
    return x, best, used
