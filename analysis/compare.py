"""Comparisons across runs: many runs of one scenario as a mean and an interval per generation."""

from __future__ import annotations

import re
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .bootstrap import bootstrap_mean, stream
from .load import RunTables

__all__ = ["AGGREGATE_COLUMNS", "aggregate_runs", "default_columns", "group_by_scenario"]

AGGREGATE_COLUMNS = ["generation", "column", "n_runs", "mean", "lo", "hi"]
_DEFAULT_RE = re.compile(r"^(L\d+_spearman|corr_.+|fitness_mean)$")


def group_by_scenario(runs: Iterable[RunTables]) -> dict[str, list[RunTables]]:
    """Runs keyed by their manifest's scenario, in the order given."""
    groups: dict[str, list[RunTables]] = {}
    for run in runs:
        groups.setdefault(run.scenario, []).append(run)
    return groups


def default_columns(runs: Sequence[RunTables]) -> list[str]:
    """Per-level Spearman, per-proxy correlations and mean fitness present in any run."""
    seen: dict[str, None] = {}
    for run in runs:
        for column in run.generations.columns:
            if _DEFAULT_RE.match(str(column)):
                seen[str(column)] = None
    return list(seen)


def aggregate_runs(runs: Sequence[RunTables], columns: Sequence[str] | None = None, *,
                   n_boot: int = 1000, level: float = 0.9, seed: int = 0) -> pd.DataFrame:
    """Mean over runs of generation-table columns, per generation, with a bootstrap interval.

    The interval resamples runs (percentile bootstrap of the mean over runs), so it says
    how much the mean trajectory depends on which seeds were run; it is NaN where fewer
    than two runs have a finite value. The stream of one column in one generation is
    ``analysis.bootstrap.stream(seed, "aggregate", generation, position of the column)``.
    Columns: ``generation, column, n_runs, mean, lo, hi``.
    """
    columns = list(columns) if columns is not None else default_columns(runs)
    frames = []
    for i, run in enumerate(runs):
        gens = run.generations
        if gens.empty or "generation" not in gens.columns:
            continue
        present = [c for c in columns if c in gens.columns]
        long = gens[["generation", *present]].melt(id_vars="generation", var_name="column")
        long["run"] = i
        frames.append(long)
    if not frames:
        return pd.DataFrame(columns=AGGREGATE_COLUMNS)
    data = pd.concat(frames, ignore_index=True)
    data["value"] = pd.to_numeric(data["value"], errors="coerce")
    rows = []
    order = {c: k for k, c in enumerate(columns)}
    for (column, gen), group in sorted(data.groupby(["column", "generation"]),
                                       key=lambda item: (order[item[0][0]], item[0][1])):
        values = group["value"].to_numpy(dtype=float, na_value=np.nan)
        ci = bootstrap_mean(values, n_boot=n_boot, level=level,
                            rng=stream(seed, "aggregate", int(gen), order[column]))
        rows.append({"generation": int(gen), "column": column,
                     "n_runs": int(np.isfinite(values).sum()),
                     "mean": ci.estimate, "lo": ci.lo, "hi": ci.hi})
    return pd.DataFrame(rows, columns=AGGREGATE_COLUMNS)
