"""Comparisons across runs: runs grouped by setting (their config less the seed), the mean of
many seeds and its interval per generation, and before/after-shift numbers across seeds."""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, NamedTuple, Sequence

import numpy as np
import pandas as pd

from .bootstrap import bootstrap_mean, stream
from .columns import level_of
from .student_t import t_interval
from .load import RunTables
from .metrics import shift_summary

__all__ = ["AGGREGATE_COLUMNS", "RUNS_SHIFT_COLUMNS", "SettingGroup", "aggregate_runs", "default_columns",
           "flat_config", "group_by_scenario", "group_by_setting", "shift_summary_runs"]

#: Config keys that differ between the seeds of one setting, not between settings.
_PER_SEED_KEYS = ("run.seed", "run.name")

#: The shared vocabulary (``series``: the column averaged, ``n``: runs with a value, ``estimate``:
#: their mean), then the earlier names of the same values (``column``, ``n_runs``, ``mean``).
AGGREGATE_COLUMNS = ["generation", "series", "n", "estimate", "lo", "hi", "column", "n_runs", "mean"]
_DEFAULT_RE = re.compile(r"^(corr_.+|fitness_mean)$")


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
            if _DEFAULT_RE.match(str(column)) or level_of(column, ("spearman",)):
                seen[str(column)] = None
    return list(seen)


def aggregate_runs(runs: Sequence[RunTables], columns: Sequence[str] | None = None, *,
                   n_boot: int = 1000, level: float = 0.9, seed: int = 0) -> pd.DataFrame:
    """Mean over runs of generation-table columns, per generation, with a bootstrap interval.

    The interval resamples runs (percentile bootstrap of the mean over runs), so it says
    how much the mean trajectory depends on which seeds were run; it is NaN where fewer
    than two runs have a finite value. The stream of one column in one generation is
    ``analysis.bootstrap.stream(seed, "aggregate", generation, position of the column)``.
    Columns: ``generation, series, n, estimate, lo, hi`` and, the same values under their
    earlier names, ``column, n_runs, mean``.
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
        n = int(np.isfinite(values).sum())
        rows.append({"generation": int(gen), "series": column, "n": n, "estimate": ci.estimate, "lo": ci.lo,
                     "hi": ci.hi, "column": column, "n_runs": n, "mean": ci.estimate})
    return pd.DataFrame(rows, columns=AGGREGATE_COLUMNS)


def flat_config(config: Any, prefix: str = "") -> dict[str, Any]:
    """A nested config as dotted keys (``shifts.0.generation`` for list entries)."""
    out: dict[str, Any] = {}
    if isinstance(config, dict):
        for key, value in config.items():
            out.update(flat_config(value, f"{prefix}{key}."))
    elif isinstance(config, list) and config and all(isinstance(v, dict) for v in config):
        for i, value in enumerate(config):
            out.update(flat_config(value, f"{prefix}{i}."))
    else:
        out[prefix.rstrip(".")] = config
    return out


class SettingGroup(NamedTuple):
    """The runs of one setting: its label (``key=value, ...`` of the keys that differ between
    settings, or the scenario when only seeds differ), those keys and values, and the runs."""

    label: str
    setting: dict[str, Any]
    runs: list[RunTables]


def _setting_key(run: RunTables) -> str:
    config = run.manifest.get("config")
    if not isinstance(config, dict):
        return json.dumps({"scenario": run.scenario})
    flat = {k: v for k, v in flat_config(config).items() if k not in _PER_SEED_KEYS}
    return json.dumps({"scenario": run.scenario, **flat}, sort_keys=True, default=str)


def _short(value: Any) -> str:
    return json.dumps(value, default=str) if not isinstance(value, str) else value


def group_by_setting(runs: Iterable[RunTables]) -> list[SettingGroup]:
    """Runs grouped by setting: the same scenario and config except for the seed (and run name).

    Every group is labelled by the keys whose values differ between groups (a sweep's swept
    keys, e.g. ``shifts.0.generation=50``); when only one setting is present its label is the
    scenario. Groups keep the order of their first run.
    """
    keyed: dict[str, list[RunTables]] = {}
    for run in runs:
        keyed.setdefault(_setting_key(run), []).append(run)
    settings = {k: json.loads(k) for k in keyed}
    all_keys: list[str] = []
    for flat in settings.values():
        all_keys += [k for k in flat if k not in all_keys]
    varying = [k for k in all_keys if len({json.dumps(f.get(k), sort_keys=True, default=str)
                                            for f in settings.values()}) > 1]
    groups = []
    for key, members in keyed.items():
        flat = settings[key]
        setting = {k: flat.get(k) for k in varying}
        label = ", ".join(f"{k}={_short(v)}" for k, v in setting.items()) or members[0].scenario
        groups.append(SettingGroup(label, setting, members))
    return groups


RUNS_SHIFT_COLUMNS = ["shift", "shift_generation", "series", "runs", "before", "before_lo", "before_hi",
                      "after", "after_lo", "after_hi", "difference", "lo", "hi", "gens_before", "gens_after"]


def shift_summary_runs(runs: Sequence[RunTables], *, window: int = 10, level: float = 0.9,
                       interval: str = "t", n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Before/after each shift across runs, seeds being the unit.

    Each run gives its own before and after means (:func:`analysis.metrics.shift_summary`:
    every generation's row in the windows); the table holds, per shift and series, the mean
    over runs of those per-run means and of the per-run differences, with an interval across
    runs: ``interval="t"`` (default) a Student t interval (``n - 1`` degrees of freedom) of
    the per-run means, ``"bootstrap"`` a percentile bootstrap over runs. Every series is a
    correlation, so a t interval is cut to where a mean of correlations can lie: [-1, 1] for
    ``before`` and ``after``, [-2, 2] for the difference (with few seeds the t quantile is
    large: 6.31 for a 90% interval of 2 seeds). ``gens_before`` and ``gens_after`` are the
    fewest generations any run averaged. Bounds are NaN with one run.
    """
    if interval not in ("t", "bootstrap"):
        raise ValueError(f"interval must be 't' or 'bootstrap', got {interval!r}")
    per_run = [shift_summary(r, window=window, n_boot=0, level=level).assign(run=i) for i, r in enumerate(runs)]
    per_run = [f for f in per_run if not f.empty]
    if not per_run:
        return pd.DataFrame(columns=RUNS_SHIFT_COLUMNS)
    table = pd.concat(per_run, ignore_index=True)
    rows = []
    shift_index: dict[tuple, int] = {}
    series_index: dict[str, int] = {}
    for (shift, gen, series), group in table.groupby(["shift", "shift_generation", "series"], sort=False):
        row: dict[str, Any] = {"shift": shift, "shift_generation": gen, "series": series, "runs": len(group)}
        for column, out in (("before", "before"), ("after", "after"), ("difference", "")):
            values = group[column].to_numpy(float)
            if interval == "t":
                ci = t_interval(values, level)
            else:
                rng = stream(seed, "runs-shift", shift_index.setdefault((shift, gen), len(shift_index)),
                             series_index.setdefault(series, len(series_index)))
                ci = bootstrap_mean(values, n_boot=n_boot, level=level, rng=rng)
            prefix = f"{out}_" if out else ""
            bound = 2.0 if column == "difference" else 1.0
            row[column], row[f"{prefix}lo"], row[f"{prefix}hi"] = ci.estimate, max(ci.lo, -bound), min(ci.hi, bound)
        row["gens_before"] = int(group["gens_before"].min())
        row["gens_after"] = int(group["gens_after"].min())
        rows.append(row)
    return pd.DataFrame(rows, columns=RUNS_SHIFT_COLUMNS)
