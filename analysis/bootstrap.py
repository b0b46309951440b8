"""Bootstrap confidence intervals for correlations and means (vectorized, seeded).

Every function takes a :class:`numpy.random.Generator`, so the same seed gives the
same intervals. Intervals are percentile intervals of the bootstrap replicates:
for ``level=0.9`` the 5th and 95th percentiles.

Seeding: the analysis draws every stream as :func:`stream` does,
``SeedSequence(seed, spawn_key=(purpose, *coordinates))``, the scheme of the simulation's
``evo.seeding`` (not imported: ``analysis`` never imports ``evo``). ``purpose`` is a fixed
number from :data:`PURPOSES`; the coordinates are non-negative integers saying where the
stream is used (a generation, a level, the position of a feature in the entity table), so
an interval depends only on the seed and what it is an interval of, never on what else was
computed before it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


__all__ = [
    "Interval",
    "bootstrap_correlation",
    "bootstrap_mean",
    "correlation_replicates",
    "percentile_interval",
    "stream",
]

METHODS = ("spearman", "pearson")

#: Purpose numbers of the analysis streams (first element of every spawn key).
PURPOSES = {
    "level": 101,  # (generation, level): J against root fitness
    "proxy": 102,  # (generation, feature position): proxy feature against fitness
    "regime": 103,  # (level, builder depth): misalignment of built entities
    "aggregate": 104,  # (generation, column position): mean over runs
    "runs-shift": 105,  # (shift position, series position): before/after difference over runs
    "shift": 106,  # (shift position, series position): before/after within one run (Fisher z draws)
}


def stream(seed: int, purpose: str, *coords: int) -> np.random.Generator:
    """The random stream of ``purpose`` at ``coords``:
    ``SeedSequence(seed, spawn_key=(PURPOSES[purpose], *coords))``."""
    key = (PURPOSES[purpose], *(int(c) for c in coords))
    if min(key) < 0:
        raise ValueError(f"stream coordinates must be non-negative integers, got {coords}")
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=key))


class Interval(NamedTuple):
    """A point estimate with the bounds of its confidence interval."""

    estimate: float
    lo: float
    hi: float


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown correlation method {method!r}: use one of {', '.join(METHODS)}")


def _rowwise_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row of ``a`` with the same row of ``b`` (NaN where constant)."""
    da = a - a.mean(axis=1, keepdims=True)
    db = b - b.mean(axis=1, keepdims=True)
    denom = np.sqrt((da * da).sum(axis=1) * (db * db).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (da * db).sum(axis=1) / denom
    out[~(denom > 0)] = np.nan
    return out


def _rowwise_ranks(codes: np.ndarray, k: int) -> np.ndarray:
    """Average ranks within each row, where ``codes`` are dense ranks 0..k-1 of the values.

    Ties share the mean of their positions.
    """
    rows, n = codes.shape
    flat = (np.arange(rows)[:, None] * k + codes).ravel()
    counts = np.bincount(flat, minlength=rows * k).reshape(rows, k)
    below = np.cumsum(counts, axis=1) - counts
    avg = below + (counts + 1) / 2.0
    return np.take_along_axis(avg, codes, axis=1)


def correlation_replicates(x: np.ndarray, y: np.ndarray, n_boot: int, rng: np.random.Generator,
                           method: str = "spearman") -> np.ndarray:
    """Correlations of ``n_boot`` resamples (pairs drawn with replacement) of ``(x, y)``.

    Ranks are recomputed within every resample, so a Spearman replicate is exactly the
    Spearman correlation (Pearson of average ranks) of the resampled pairs. Degenerate
    resamples give NaN.
    """
    _check_method(method)
    x = np.asarray(x, dtype=float)
    n = x.size
    if n < 3 or n_boot <= 0:
        return np.full(max(n_boot, 0), np.nan)
    return _resampled(x, np.asarray(y, dtype=float), rng.integers(0, n, size=(n_boot, n)), method)


def correlation(x: np.ndarray, y: np.ndarray, method: str = "spearman") -> float:
    """Spearman (average ranks) or Pearson correlation; NaN when fewer than 3 values or a side is constant."""
    _check_method(method)
    x = np.asarray(x, dtype=float)
    if x.size < 3:
        return float("nan")
    return float(_resampled(x, np.asarray(y, dtype=float), np.arange(x.size)[None, :], method)[0])


def _resampled(x: np.ndarray, y: np.ndarray, idx: np.ndarray, method: str) -> np.ndarray:
    """The correlation of each row of resample indices ``idx``."""
    if method == "pearson":
        return _rowwise_pearson(x[idx], y[idx])
    _, x_codes = np.unique(x, return_inverse=True)
    _, y_codes = np.unique(y, return_inverse=True)
    rx = _rowwise_ranks(x_codes.reshape(-1)[idx], int(x_codes.max()) + 1)
    ry = _rowwise_ranks(y_codes.reshape(-1)[idx], int(y_codes.max()) + 1)
    return _rowwise_pearson(rx, ry)


def percentile_interval(replicates: np.ndarray, level: float = 0.9) -> tuple[float, float]:
    """Bounds of the central ``level`` interval of the finite replicates (NaN if too few)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be between 0 and 1, got {level}")
    finite = np.asarray(replicates, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size < 2:
        return float("nan"), float("nan")
    tail = (1.0 - level) / 2.0 * 100.0
    lo, hi = np.percentile(finite, [tail, 100.0 - tail])
    return float(lo), float(hi)


def bootstrap_correlation(x: np.ndarray, y: np.ndarray, *, method: str = "spearman",
                          n_boot: int = 1000, level: float = 0.9,
                          rng: np.random.Generator | None = None) -> Interval:
    """Correlation of ``x`` with ``y`` and its percentile bootstrap interval."""
    _check_method(method)
    rng = rng if rng is not None else np.random.default_rng(0)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    estimate = correlation(x, y, method)
    lo, hi = percentile_interval(correlation_replicates(x, y, n_boot, rng, method), level)
    return Interval(estimate, lo, hi)


def bootstrap_mean(values: np.ndarray, *, n_boot: int = 1000, level: float = 0.9,
                   rng: np.random.Generator | None = None) -> Interval:
    """Mean of the finite ``values`` and its percentile bootstrap interval."""
    rng = rng if rng is not None else np.random.default_rng(0)
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return Interval(float("nan"), float("nan"), float("nan"))
    if v.size == 1:
        return Interval(float(v[0]), float("nan"), float("nan"))
    means = v[rng.integers(0, v.size, size=(n_boot, v.size))].mean(axis=1)
    lo, hi = percentile_interval(means, level)
    return Interval(float(v.mean()), lo, hi)
