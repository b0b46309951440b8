"""Student's t in one place: the distribution function, the quantile and the interval of a mean across seeds.

Seeds are the unit of every interval across runs: ``mean +- t_{(1+c)/2, n-1} * sd / sqrt(n)``
over the finite per-seed values. The distribution and its quantile are scipy's ``stdtr`` and
``stdtrit`` (imported on first use: loading the analysis stays light).
"""

from __future__ import annotations

import math
from typing import Iterable, NamedTuple

import numpy as np

__all__ = ["TInterval", "t_cdf", "t_interval", "t_quantile"]


class TInterval(NamedTuple):
    """A mean, its Student t interval, the number of finite values and their standard deviation."""

    estimate: float
    lo: float
    hi: float
    n: int
    sd: float


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    if not df > 0:
        raise ValueError(f"t_cdf needs df > 0, got {df}")
    from scipy.special import stdtr

    return float(stdtr(df, t))


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (one-sided: ``t_quantile(0.95, 4)``
    is 2.132, the bound of a two-sided 90 % interval)."""
    if not 0.0 < p < 1.0 or not df > 0:
        raise ValueError(f"t_quantile needs 0 < p < 1 and df > 0, got p={p}, df={df}")
    from scipy.special import stdtrit

    return float(stdtrit(df, p))


def t_interval(values: Iterable[float | None], confidence: float = 0.9) -> TInterval:
    """The mean of the finite ``values`` (None and NaN left out) and its two-sided ``confidence``
    Student t interval; lo, hi and sd are NaN with fewer than two values."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    x = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=np.float64)
    n = int(x.size)
    if n == 0:
        return TInterval(math.nan, math.nan, math.nan, 0, math.nan)
    mean = float(x.mean())
    if n < 2:
        return TInterval(mean, math.nan, math.nan, n, math.nan)
    sd = float(x.std(ddof=1))
    half = t_quantile(0.5 + confidence / 2.0, n - 1) * sd / math.sqrt(n)
    return TInterval(mean, mean - half, mean + half, n, sd)
