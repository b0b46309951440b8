"""Correlation, regression and objective statistics of the generation row, for every level (analysis has vectorised twins in `analysis.bootstrap`).

Every statistic here is computed by numpy element-wise operations and pairwise sums, or by loops in a
fixed order compiled by numba, never through BLAS or LAPACK: OpenBLAS picks its kernels by CPU, so a
least-squares fit through ``np.linalg.lstsq`` gave other bits on an AVX-512 machine. These columns are
the same bits on every CPU.
"""

from __future__ import annotations

import math

import numpy as np

from agents.jit import kernel


@kernel
def average_ranks(a: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Average ranks of each row of ``a`` from its stable sort order ``order``, 0-based: a tie group (adjacent
    sorted values whose difference is zero; a NaN is a group of its own) shares the mean of its positions."""
    m, n = a.shape
    out = np.empty((m, n))
    for i in range(m):
        start = 0
        for k in range(1, n + 1):
            if k == n or a[i, order[i, k]] - a[i, order[i, k - 1]] != 0.0:
                for q in range(start, k):
                    out[i, order[i, q]] = (start + k - 1) / 2.0
                start = k
    return out


def ranks(a: np.ndarray) -> np.ndarray:
    """Average ranks (ties share the mean of their positions), as Spearman needs."""
    return average_ranks(a[None, :], np.argsort(a, kind="mergesort")[None, :])[0]


def rank_rows(a: np.ndarray) -> np.ndarray:
    """``ranks`` of each row of the 2-D ``a`` at once."""
    return average_ranks(a, np.argsort(a, axis=1, kind="mergesort"))


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation; NaN when fewer than 3 values or either side is constant."""
    if a.size < 3:
        return float("nan")
    da, db = a - a.mean(), b - b.mean()
    denom = np.sqrt((da * da).sum() * (db * db).sum())
    return float((da * db).sum() / denom) if denom > 0 else float("nan")


def pearson_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``pearson`` of each row of the C-contiguous ``a`` with ``b`` at once (each row reduces the same values in
    the same order as ``pearson`` would, so the bits are the same)."""
    out = np.full(a.shape[0], np.nan)
    if b.size < 3:
        return out
    da, db = a - a.mean(axis=1, keepdims=True), b - b.mean()
    denom = np.sqrt((da * da).sum(axis=1) * (db * db).sum())
    ok = denom > 0
    out[ok] = (da[ok] * db).sum(axis=1) / denom[ok]
    return out


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation (Pearson of average ranks)."""
    return pearson(ranks(a), ranks(b)) if a.size >= 3 else float("nan")


def implied_weights(features: np.ndarray, fitness: np.ndarray) -> np.ndarray:
    """Least-squares coefficients of fitness on the raw features, per unit of each feature, the unit of the
    evolved weights w (fitness ~ 1 + features; NaN for constant features)."""
    out = np.full(features.shape[1], np.nan)
    sd = features.std(axis=0)
    keep = sd > 0
    if features.shape[0] <= keep.sum() + 1 or not keep.any():
        return out
    z = features[:, keep] - features[:, keep].mean(axis=0)  # centred, not scaled: per-unit coefficients
    design = np.column_stack([np.ones(len(fitness)), z])
    coef = least_squares(design, fitness.astype(np.float64))
    out[keep] = coef[1:]
    return out


@kernel
def least_squares(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The minimum-norm least-squares solution of ``a @ x ~ y`` (what ``np.linalg.lstsq(a, y, rcond=None)``
    returns, to rounding), by one-sided Jacobi SVD: plane rotations orthogonalise the columns of ``a`` sweep
    by sweep, in a fixed order, until every pair is orthogonal to machine precision; singular values at most
    ``eps * max(n, p)`` times the largest are dropped, as lstsq's default ``rcond`` does. No BLAS, so the bits
    do not depend on the CPU."""
    n, p = a.shape
    u = a.copy()
    v = np.eye(p)
    eps = np.finfo(np.float64).eps
    for _ in range(64):
        rotated = False
        for j in range(p - 1):
            for k in range(j + 1, p):
                alpha = beta = gamma = 0.0
                for i in range(n):
                    alpha += u[i, j] * u[i, j]
                    beta += u[i, k] * u[i, k]
                    gamma += u[i, j] * u[i, k]
                if gamma == 0.0 or abs(gamma) <= eps * math.sqrt(alpha * beta):
                    continue
                rotated = True
                diff, twice = beta - alpha, 2.0 * gamma
                # math.sqrt, not math.hypot: CPython's hypot is its own algorithm, the C library's differs
                # in the last bit, so the compiled kernel and its Python twin would not agree
                if abs(diff) < 1e150 * abs(twice):
                    zeta = diff / twice
                    t = (1.0 if zeta >= 0.0 else -1.0) / (abs(zeta) + math.sqrt(1.0 + zeta * zeta))
                else:  # zeta would overflow or lose 1 + zeta^2: t = 1 / (2 zeta) to rounding
                    t = 0.5 * twice / diff
                c = 1.0 / math.sqrt(1.0 + t * t)
                s = c * t
                for i in range(n):
                    uj, uk = u[i, j], u[i, k]
                    u[i, j] = c * uj - s * uk
                    u[i, k] = s * uj + c * uk
                for i in range(p):
                    vj, vk = v[i, j], v[i, k]
                    v[i, j] = c * vj - s * vk
                    v[i, k] = s * vj + c * vk
        if not rotated:
            break
    sigma2 = np.zeros(p)
    for j in range(p):
        for i in range(n):
            sigma2[j] += u[i, j] * u[i, j]
    cutoff = eps * max(n, p) * math.sqrt(sigma2.max())
    x = np.zeros(p)
    for j in range(p):
        if math.sqrt(sigma2[j]) <= cutoff:
            continue
        proj = 0.0
        for i in range(n):
            proj += u[i, j] * y[i]
        for i in range(p):
            x[i] += v[i, j] * (proj / sigma2[j])
    return x


def objective_scores(weights: np.ndarray, features: np.ndarray, planners: np.ndarray) -> np.ndarray:
    """Realized objective J = w . features of each entity (NaN where it has no objective)."""
    return np.where(planners, np.einsum("ij,ij->i", weights, features), np.nan)


def row_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine of each row of ``a`` with the same row of ``b`` (0 where either is zero)."""
    num = np.einsum("ij,ij->i", a, b)
    den = np.sqrt((a * a).sum(axis=1)) * np.sqrt((b * b).sum(axis=1))
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)
