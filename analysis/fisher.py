"""Within-run intervals of correlations from the generation table, through Fisher's z.

A generation's correlation ``r`` over ``n`` entities has ``atanh(r)`` close to normal with
variance ``1 / (n - 3)`` (Pearson) or ``1.06 / (n - 3)`` (Spearman; Fieller, Hartley and
Pearson 1957). Intervals built on that scale and mapped back with ``tanh`` stay inside
[-1, 1] and exist for *every* generation, not only those with entity records, so a
figure's band follows the very line it surrounds and a window's interval covers the
very generations its mean averages:

- :func:`generation_bands`: each generation's interval, ``tanh(z +- q * se)``.
- :func:`window_replicates`: replicates of a window's mean correlation, each drawing every
  generation's ``z`` from its normal and averaging ``tanh`` of the draws over the window.

``n`` comes from the generation table: ``L{L}_n`` for level L, ``n_agents`` for the proxy
features (computed over the level-1 agents).
"""

from __future__ import annotations

import re
from statistics import NormalDist

import numpy as np
import pandas as pd

from .columns import level_column, level_of

__all__ = ["BAND_COLUMNS", "generation_bands", "series_columns", "variance_factor", "window_replicates"]

BAND_COLUMNS = ["generation", "series", "level", "feature", "n", "estimate", "lo", "hi"]
_PROXY_RE = re.compile(r"^corr_(.+)$")


def variance_factor(method: str) -> float:
    """The numerator of the variance of ``atanh(r)``: 1 for Pearson, 1.06 for Spearman."""
    return 1.06 if method == "spearman" else 1.0


def _num(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def series_columns(columns) -> list[tuple[str, str, str | None, str]]:
    """``(series, value column, n column, method)`` of every correlation series of a generation table:
    ``level L`` from ``L{L}_spearman`` / ``L{L}_n``, each feature from ``corr_{f}`` / ``n_agents``."""
    names = [str(c) for c in columns]
    out = []
    for c in names:
        if parsed := level_of(c, ("spearman",)):
            n_col = level_column(parsed[0], "n")
            out.append((f"level {parsed[0]}", c, n_col if n_col in names else None, "spearman"))
        elif m := _PROXY_RE.match(c):
            out.append((m.group(1), c, "n_agents" if "n_agents" in names else None, "pearson"))
    return out


def _se(n: np.ndarray, method: str) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 3, np.sqrt(variance_factor(method) / (n - 3)), np.nan)


def generation_bands(generations: pd.DataFrame, level: float = 0.9) -> pd.DataFrame:
    """Every correlation series of the generation table with its Fisher-z interval, per generation.

    Columns :data:`BAND_COLUMNS` (``level``: the level number or NaN, ``feature``: the feature name or
    None); ``lo``/``hi`` NaN where ``n`` is unknown or at most 3. The interval always contains ``estimate``.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be between 0 and 1, got {level}")
    if generations.empty or "generation" not in generations.columns:
        return pd.DataFrame(columns=BAND_COLUMNS)
    q = NormalDist().inv_cdf(0.5 + level / 2.0)
    gen = _num(generations, "generation")
    frames = []
    for series, column, n_col, method in series_columns(generations.columns):
        r = _num(generations, column)
        n = _num(generations, n_col) if n_col else np.full(r.shape, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            z, se = np.arctanh(np.clip(r, -1.0, 1.0)), _se(n, method)
            lo, hi = np.tanh(z - q * se), np.tanh(z + q * se)
        is_level = series.startswith("level ")
        frames.append(pd.DataFrame({"generation": gen, "series": series,
                                    "level": float(series.split()[1]) if is_level else np.nan,
                                    "feature": None if is_level else series, "n": n, "estimate": r,
                                    "lo": lo, "hi": hi}))
    if not frames:
        return pd.DataFrame(columns=BAND_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out = out[np.isfinite(out["generation"].to_numpy(float))]
    out["generation"] = out["generation"].astype(int)
    return out[BAND_COLUMNS].reset_index(drop=True)


def window_replicates(r: np.ndarray, n: np.ndarray, method: str, n_boot: int,
                      rng: np.random.Generator) -> np.ndarray:
    """``n_boot`` replicates of the mean of the correlations ``r`` (one per generation of a window, over
    ``n`` entities each): every generation's ``atanh(r)`` drawn from its normal, mapped back and averaged.
    All NaN when a generation's ``n`` is unknown or at most 3 (its correlation has no interval)."""
    r, n = np.asarray(r, dtype=float), np.asarray(n, dtype=float)
    keep = np.isfinite(r)
    r, n = r[keep], n[keep]
    if r.size == 0 or n_boot <= 0 or not (np.isfinite(n) & (n > 3)).all():
        return np.full(max(n_boot, 0), np.nan)
    with np.errstate(divide="ignore"):  # r = +-1: z = +-inf, every draw maps back to +-1
        z = np.arctanh(np.clip(r, -1.0, 1.0))
    draws = z[None, :] + _se(n, method)[None, :] * rng.standard_normal((n_boot, r.size))
    return np.tanh(draws).mean(axis=1)
