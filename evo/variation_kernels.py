"""Numba kernels of the GA's array variation (``evo.ga``): the element work of two-point crossover and
polynomial mutation, on draws made by numpy in ``evo.ga``, so the draws stay those the tests replay.
``math.pow`` compiles to the C library's ``pow``, the one DEAP's Python code calls (``agents.jit`` keeps
numba off vector math libraries), so the bits are the same on every machine."""

from __future__ import annotations

import math

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
def polynomial_mutation(genes: np.ndarray, r: np.ndarray, c: np.ndarray, u: np.ndarray, low: np.ndarray,
                        up: np.ndarray, eta: float) -> None:
    """DEAP's ``mutPolynomialBounded`` step on each gene ``genes[r[k], c[k]]`` with its draw ``u[k]``, in place:
    the same formula, operation by operation, and the C library's ``pow``, as DEAP's Python code has."""
    mut_pow = 1.0 / (eta + 1.0)
    for k in range(r.shape[0]):
        i, j = r[k], c[k]
        x, xl, xu = genes[i, j], low[j], up[j]
        if u[k] < 0.5:
            xy = math.pow(1.0 - (x - xl) / (xu - xl), eta + 1.0)
            val = 2.0 * u[k] + (1.0 - 2.0 * u[k]) * xy
            delta_q = math.pow(val, mut_pow) - 1.0
        else:
            xy = math.pow(1.0 - (xu - x) / (xu - xl), eta + 1.0)
            val = 2.0 * (1.0 - u[k]) + 2.0 * (u[k] - 0.5) * xy
            delta_q = 1.0 - math.pow(val, mut_pow)
        genes[i, j] = min(max(x + delta_q * (xu - xl), xl), xu)
