"""Numba kernels of the GA's array variation (``evo.ga``): the element work of two-point crossover and
polynomial mutation, on draws made by numpy in ``evo.ga``, so the draws, and the bits, stay those of the
numpy formulation the tests replay. ``pow`` is not here: ``evo.ga`` takes it from the C library, as
DEAP's Python code does, never from a compiler's vector library."""

from __future__ import annotations

import numpy as np

from agents.jit import kernel


@kernel
def swap_segments(genes: np.ndarray, crossed: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
    """Rows ``2k`` and ``2k + 1`` of ``genes`` swap their columns ``lo[k]:hi[k]`` where ``crossed[k]``, in place."""
    for k in range(crossed.shape[0]):
        if crossed[k]:
            for j in range(lo[k], min(hi[k], genes.shape[1])):  # a block of one gene has no segment
                swap = genes[2 * k, j]
                genes[2 * k, j] = genes[2 * k + 1, j]
                genes[2 * k + 1, j] = swap


@kernel
def mutation_sites(rows: np.ndarray, draws: np.ndarray, indpb: float) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each gene to mutate, row by row (``np.nonzero``'s order): the genes of the ``rows``
    whose ``draws`` are at most ``indpb``."""
    n, size = draws.shape
    r, c = np.empty(n * size, np.int64), np.empty(n * size, np.int64)
    count = 0
    for i in range(n):
        if rows[i]:
            for j in range(size):
                if draws[i, j] <= indpb:
                    r[count], c[count] = i, j
                    count += 1
    return r[:count], c[:count]


@kernel
def polynomial_bases(genes: np.ndarray, r: np.ndarray, c: np.ndarray, u: np.ndarray, low: np.ndarray,
                     up: np.ndarray) -> np.ndarray:
    """Per mutated gene ``genes[r[k], c[k]]`` with draw ``u[k]``: the base DEAP raises to ``eta + 1``, one minus
    the gene's distance to the lower bound (``u < 0.5``) or to the upper one, in units of the range."""
    out = np.empty(r.shape[0])
    for k in range(r.shape[0]):
        x, xl, xu = genes[r[k], c[k]], low[c[k]], up[c[k]]
        out[k] = 1.0 - (x - xl) / (xu - xl) if u[k] < 0.5 else 1.0 - (xu - x) / (xu - xl)
    return out


@kernel
def polynomial_values(u: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """DEAP's ``val`` from each draw ``u`` and its powered base ``xy``; ``val ** (1 / (eta + 1))`` is the step."""
    out = np.empty(u.shape[0])
    for k in range(u.shape[0]):
        if u[k] < 0.5:
            out[k] = 2.0 * u[k] + (1.0 - 2.0 * u[k]) * xy[k]
        else:
            out[k] = 2.0 * (1.0 - u[k]) + 2.0 * (u[k] - 0.5) * xy[k]
    return out


@kernel
def polynomial_steps(genes: np.ndarray, r: np.ndarray, c: np.ndarray, u: np.ndarray, low: np.ndarray,
                     up: np.ndarray, val_pow: np.ndarray) -> None:
    """Move each mutated gene by DEAP's ``delta_q * (xu - xl)`` (``delta_q = val_pow - 1`` below 0.5, else
    ``1 - val_pow``) and clip it to its bounds, in place."""
    for k in range(r.shape[0]):
        i, j = r[k], c[k]
        xl, xu = low[j], up[j]
        delta_q = val_pow[k] - 1.0 if u[k] < 0.5 else 1.0 - val_pow[k]
        genes[i, j] = min(max(genes[i, j] + delta_q * (xu - xl), xl), xu)
