"""The fitted comparator: the fixed linear objective fitted to fitness in a run.

A planner given ``agents.fixed_weights`` plans with one fixed linear objective. The
fitted one is the run's fitness-implied weights (``implied_w_{feature}`` in the
generation table: the least-squares weights of offspring on the level-1 agents'
realized features, per raw unit of each feature, ``agents.stats.implied_weights``),
averaged over a window of generations and scaled so that the largest is +-1 (a
positive scale changes no plan: every plan's total scales with it). It is the best
*linear predictor* of fitness from the features in the behaviour that run showed,
which is not the same as the best objective to plan with: a second comparator beside
the fitness-mirroring planner, fitted rather than searched for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from .load import RunFormatError, load_run

PREFIX = "implied_w_"


@dataclass(frozen=True)
class FittedObjective:
    """Fitted weights (one per feature, largest +-1), the raw means they were scaled from, and the window."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    implied: tuple[float, ...]
    window: tuple[int, int]

    def toml(self) -> str:
        """The config line that sets the comparator, with the features and window as a comment."""
        values = ", ".join(f"{w:.6g}" for w in self.weights)
        return (f"# fitness-implied weights, generations {self.window[0]}-{self.window[1]}, "
                f"scaled to max |w| = 1 ({', '.join(self.features)})\n"
                f"agents.fixed_weights = [{values}]")


def fit_objective(run_dir: str | Path, window: tuple[int, int] | None = None) -> FittedObjective:
    """The fitted fixed objective of the run at ``run_dir`` over generations ``window`` (inclusive; default:
    the last 10 recorded). Raises ``RunFormatError`` when the run has no implied weights there."""
    tables = load_run(run_dir)
    gens = tables.generations
    columns = [c for c in gens.columns if c.startswith(PREFIX)]
    if not columns:
        raise RunFormatError(f"{run_dir}: the generation table has no {PREFIX}* columns to fit from")
    last = int(gens["generation"].max())
    lo, hi = window if window is not None else (max(0, last - 9), last)
    if lo > hi:
        raise RunFormatError(f"window {lo}-{hi} is empty: give the first generation, then the last")
    rows = gens[(gens["generation"] >= lo) & (gens["generation"] <= hi)]
    if rows.empty:
        raise RunFormatError(f"{run_dir}: no generations in {lo}-{hi} (the run has 0-{last})")
    implied = tuple(float(rows[c].mean()) for c in columns)  # NaN generations (no variation) left out
    finite = [abs(v) for v in implied if math.isfinite(v)]
    if len(finite) < len(implied) or max(finite, default=0.0) == 0.0:
        raise RunFormatError(f"{run_dir}: the implied weights in {lo}-{hi} are undefined or all 0 "
                             "(no variation in fitness or features): nothing to fit")
    scale = max(finite)
    return FittedObjective(tuple(c.removeprefix(PREFIX) for c in columns), tuple(v / scale for v in implied),
                           implied, (lo, hi))
