"""Verdicts across seeds: per-seed measurements, a t interval, and the rule stated before running.

Seeds are the unit: each seed gives one value (a metric's mean over a window of
generations, or a difference of two such means paired by seed: between arms,
metrics or windows), and the interval is the Student t interval of the mean of
those values, ``mean +- t_{(1+c)/2, n-1} * sd / sqrt(n)``. The rule compares the
interval with a threshold: it lies wholly on the claimed side (``supported``),
wholly on the other side (``contradicted``), or straddles it (``inconclusive``).
Fewer than two seeds with a value give no interval and so ``inconclusive``.

Nothing here runs a simulation: :func:`measure` takes generation tables.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .student_t import t_cdf, t_interval

__all__ = ["Term", "Estimate", "decide", "measure", "estimate", "holm", "one_sided_p", "persistence",
           "persistence_lines", "verdict_figure"]

VERDICTS = ("supported", "contradicted", "inconclusive")


@dataclass(frozen=True)
class Term:
    """The mean of ``metric`` over generations ``window[0]..window[1]`` (inclusive) in arm ``arm``."""

    arm: str
    metric: str
    window: tuple[int, int]

    @property
    def label(self) -> str:
        return f"{self.arm}:{self.metric}[{self.window[0]}-{self.window[1]}]"


@dataclass(frozen=True)
class Estimate:
    """The across-seed estimate and the verdict."""

    estimate: float
    lo: float
    hi: float
    n: int
    sd: float
    confidence: float
    verdict: str
    method: str = "t interval over per-seed values"
    p_supported: float = math.nan  # one-sided t test p-value toward the claimed side of the threshold
    p_contradicted: float = math.nan  # ... and toward the other side (for Holm's correction across verdicts)

    def as_dict(self) -> dict[str, Any]:
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in asdict(self).items()}


def decide(lo: float, hi: float, supported_if: str = "above", threshold: float = 0.0) -> str:
    """The verdict of an interval: it lies on the claimed side of ``threshold`` (supported), on the
    other (contradicted), or neither, or there is no interval (inconclusive)."""
    if supported_if not in ("above", "below"):
        raise ValueError(f"supported_if must be 'above' or 'below', got {supported_if!r}")
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "inconclusive"
    above, below = lo > threshold, hi < threshold
    if supported_if == "above":
        return "supported" if above else "contradicted" if below else "inconclusive"
    return "supported" if below else "contradicted" if above else "inconclusive"


def one_sided_p(mean: float, sd: float, n: int, threshold: float, side: str) -> float:
    """p-value of the one-sided t test that the mean lies ``side`` ("above" or "below") ``threshold``."""
    if n < 2 or not (math.isfinite(mean) and math.isfinite(sd)):
        return math.nan
    if sd == 0.0:
        return 0.0 if (mean > threshold if side == "above" else mean < threshold) else 1.0
    t = (mean - threshold) / (sd / math.sqrt(n))
    return 1.0 - t_cdf(t, n - 1) if side == "above" else t_cdf(t, n - 1)


def estimate(values: Iterable[float], confidence: float = 0.9, supported_if: str = "above",
             threshold: float = 0.0, missing: str = "exclude", min_seeds: int = 2) -> Estimate:
    """The t interval of ``values`` and its verdict. A value that is NaN (a seed without a value) is left out
    (``missing = "exclude"``) or makes the verdict inconclusive (``"inconclusive"``); fewer than ``min_seeds``
    values make it inconclusive too."""
    values = [math.nan if v is None else float(v) for v in values]
    mean, lo, hi, n, sd = t_interval(values, confidence)
    verdict = decide(lo, hi, supported_if, threshold)
    if n < min_seeds or (missing == "inconclusive" and n < len(values)):
        verdict = "inconclusive"
    other = "below" if supported_if == "above" else "above"
    return Estimate(mean, lo, hi, n, sd, confidence, verdict, p_supported=one_sided_p(mean, sd, n, threshold,
                    supported_if), p_contradicted=one_sided_p(mean, sd, n, threshold, other))


def holm(p_values: Sequence[float], alpha: float = 0.10) -> list[bool]:
    """Holm's step-down rejections at family-wise ``alpha`` (a NaN p-value is never rejected and does not count
    in the family size)."""
    finite = sorted((p, k) for k, p in enumerate(p_values) if math.isfinite(p))
    out = [False] * len(p_values)
    m = len(finite)
    for rank, (p, k) in enumerate(finite):
        if p > alpha / (m - rank):
            break
        out[k] = True
    return out


# --------------------------------------------------------------------------- measuring runs


class MetricError(ValueError):
    """A measurement names a column or window the generation tables do not have."""


def window_mean(generations: pd.DataFrame, metric: str, window: tuple[int, int]) -> float:
    """Mean of ``metric`` over the rows with ``window[0] <= generation <= window[1]`` (NaN rows skipped;
    NaN when the window has no finite value)."""
    if metric not in generations.columns:
        import difflib

        close = difflib.get_close_matches(metric, [str(c) for c in generations.columns], n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise MetricError(f"metric '{metric}' is not a generation-table column{hint}")
    if "generation" not in generations.columns:
        raise MetricError("the generation table has no 'generation' column")
    rows = generations[(generations["generation"] >= window[0]) & (generations["generation"] <= window[1])]
    values = pd.to_numeric(rows[metric], errors="coerce").to_numpy(dtype=np.float64)
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else math.nan


def measure(tables: Mapping[tuple[str, int], pd.DataFrame | None], terms: Sequence[Term],
            seeds: Sequence[int]) -> pd.DataFrame:
    """One row per seed: each term's value and ``value`` (the first term minus the second, or the
    first term alone). ``tables[(arm, seed)]`` is that run's generation table (None: the run failed;
    its values are NaN)."""
    rows = []
    for seed in seeds:
        row: dict[str, Any] = {"seed": seed}
        for term in terms:
            table = tables.get((term.arm, seed))
            row[term.label] = math.nan if table is None or table.empty else window_mean(table, term.metric,
                                                                                       term.window)
        vals = [row[t.label] for t in terms]
        row["value"] = vals[0] - vals[1] if len(vals) == 2 else vals[0]
        rows.append(row)
    return pd.DataFrame(rows, columns=["seed", *[t.label for t in terms], "value"])


def persistence(generations: pd.DataFrame | None, window: tuple[int, int]) -> dict[str, float]:
    """Per nested level (``L2``, ``L3``, ...: the tables' ``L{L}_n`` columns), the share of the window's
    generations in which the level had at least one entity (0.0: it died out or never arose; NaN: no table)."""
    import re

    if generations is None or generations.empty:
        return {}
    rows = generations[(generations["generation"] >= window[0]) & (generations["generation"] <= window[1])]
    out = {}
    for col in generations.columns:
        match = re.fullmatch(r"L(\d+)_n", str(col))
        if match and int(match.group(1)) >= 2:
            counts = pd.to_numeric(rows[col], errors="coerce").to_numpy(dtype=np.float64)
            out[f"L{match.group(1)}"] = float((counts > 0).mean()) if counts.size else math.nan
    return out


def persistence_lines(rows: list[dict[str, Any]]) -> list[str]:
    """One line per arm and nested level: in how many seeds the level lived through the whole window, and
    the seeds where it did not (with the share of the window it was present)."""
    def share(x: Any) -> float:
        return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else math.nan

    lines = []
    rows = [r for r in rows if isinstance(r, dict) and isinstance(r.get("arm"), str)] if isinstance(rows, list) else []
    for arm in dict.fromkeys(r["arm"] for r in rows):
        mine = [r for r in rows if r["arm"] == arm]
        for level in sorted({k for r in mine for k in r if isinstance(k, str) and k.startswith("L")}):
            shares = [(r.get("seed"), share(r.get(level))) for r in mine]
            full = sum(1 for _, x in shares if x >= 1.0)
            gaps = ", ".join(f"{s}: {x:.2f}" for s, x in shares if not x >= 1.0)
            lines.append(f"persistence: {level} in arm '{arm}' present through the window in {full}/{len(shares)}"
                         f" seeds" + (f" (share of window elsewhere: {gaps})" if gaps else ""))
    return lines


# --------------------------------------------------------------------------- figure


def verdict_figure(table: pd.DataFrame, result: Estimate, threshold: float = 0.0, title: str = "",
                   ylabel: str = "per-seed value"):
    """Per-seed values (paired terms joined by a line when there are two) and the estimate with its interval."""
    from matplotlib.figure import Figure

    terms = [c for c in table.columns if c not in ("seed", "value")]
    paired = len(terms) == 2
    fig = Figure(figsize=(9 if paired else 5, 4.2))
    axes = fig.subplots(1, 2 if paired else 1, squeeze=False)[0]
    if paired:
        ax = axes[0]
        for _, row in table.iterrows():
            ax.plot([0, 1], [row[terms[0]], row[terms[1]]], "-o", color="0.5", alpha=0.7, ms=4)
        ax.set_xticks([0, 1], [t.replace(":", "\n", 1) for t in terms], fontsize=8)
        ax.set_xlim(-0.4, 1.4)
        ax.set_title("per seed, paired", fontsize=10)
    ax = axes[-1]
    values = table["value"].to_numpy(dtype=np.float64)
    jitter = np.linspace(-0.12, 0.12, len(values)) if len(values) > 1 else np.zeros(len(values))
    ax.scatter(jitter, values, color="tab:blue", s=22, label="seeds", zorder=3)
    if math.isfinite(result.estimate):
        err = None
        if math.isfinite(result.lo):
            err = [[result.estimate - result.lo], [result.hi - result.estimate]]
        ax.errorbar([0.5], [result.estimate], yerr=err, fmt="s", color="black", capsize=6,
                    label=f"mean, {100 * result.confidence:g}% t interval")
    ax.axhline(threshold, color="tab:red", lw=1, ls="--", label=f"threshold {threshold:g}")
    ax.set_xticks([0, 0.5], ["seeds", "estimate"])
    ax.set_xlim(-0.4, 0.9)
    ax.set_ylabel(ylabel)
    ax.set_title(f"{result.verdict} (n = {result.n})", fontsize=10)
    ax.legend(fontsize=7, loc="best")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
