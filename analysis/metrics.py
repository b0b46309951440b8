"""Metrics of one run with bootstrap confidence intervals (pandas in, pandas out).

Correlations are recomputed from the entity records, resampling entities within a
generation: the objective score ``J`` of each level against the fitness of the root
agent of its lineage, and each proxy feature of the level-1 agents against their
fitness. Generations without entity records (``record.entity_every`` > 1) are absent
from these tables (:func:`shift_summary` takes its point estimates from every generation's row). Every function takes ``seed``: the random stream of one series in
one generation is ``analysis.bootstrap.stream(seed, purpose, generation, index)``, with the
level number as index for a level, and for a feature its position among the entity
table's proxy features (:func:`features_of`: the world's fixed feature order); competence
regimes use ``stream(seed, "regime", level, builder_depth)``. So results do not depend on
what else is computed.
"""

from __future__ import annotations

import re
from typing import Iterator, NamedTuple

import numpy as np
import pandas as pd

from .columns import level_of
from .bootstrap import bootstrap_mean, correlation, correlation_replicates, percentile_interval, stream
from .fisher import series_columns, window_replicates
from .load import RunTables, shift_generation, shift_label

__all__ = [
    "competence_regimes",
    "features_of",
    "level_alignment",
    "level_correlations",
    "proxy_correlations",
    "shift_summary",
    "weight_alignment",
    "weight_comparison",
]

#: ``series`` names what is measured in every table (``level 1``, a feature, a column; see
#: docs/analysis.md), ``estimate`` its value; ``level``/``feature`` are the same key typed.
LEVEL_COLUMNS = ["generation", "series", "level", "n", "estimate", "lo", "hi"]
PROXY_COLUMNS = ["generation", "series", "feature", "n", "estimate", "lo", "hi"]
ALIGNMENT_COLUMNS = ["generation", "level", "cosine_parent", "plan_agreement", "cosine_root"]
WEIGHT_COLUMNS = ["generation", "feature", "implied", "evolved"]
SHIFT_COLUMNS = ["shift", "shift_generation", "series", "before", "before_lo", "before_hi", "after", "after_lo",
                 "after_hi", "difference", "lo", "hi", "gens_before", "gens_after"]
REGIME_COLUMNS = ["level", "builder_depth", "n", "misalignment", "lo", "hi", "plan_disagreement"]

_IMPLIED_RE = re.compile(r"^implied_w_(.+)$")


class _Series(NamedTuple):
    """The pairs of one correlation series in one generation, and where its random stream is."""

    generation: int
    name: str  # "level L" or a feature name
    purpose: str  # "level" or "proxy" (see analysis.bootstrap.PURPOSES)
    index: int  # the level, or the feature's position in features_of(entities)
    x: np.ndarray
    y: np.ndarray


def _num(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def features_of(entities: pd.DataFrame) -> list[str]:
    """Proxy features recorded for entities: those with both ``w_{f}`` and ``{f}`` columns."""
    return [c[2:] for c in entities.columns
            if str(c).startswith("w_") and c[2:] in entities.columns]


def _pairs(frame: pd.DataFrame, x: str, y: str) -> tuple[np.ndarray, np.ndarray]:
    a, b = _num(frame, x), _num(frame, y)
    keep = np.isfinite(a) & np.isfinite(b)
    return a[keep], b[keep]


def _level_groups(entities: pd.DataFrame) -> Iterator[_Series]:
    """J against root fitness for each level in each recorded generation."""
    needed = {"generation", "level", "J", "root_fitness"}
    if entities.empty or not needed <= set(entities.columns):
        return
    for (gen, level), group in entities.groupby(["generation", "level"], sort=True):
        yield _Series(int(gen), f"level {int(level)}", "level", int(level), *_pairs(group, "J", "root_fitness"))


def _proxy_groups(entities: pd.DataFrame) -> Iterator[_Series]:
    """Each feature's values against fitness over the level-1 agents, per generation."""
    if entities.empty or not {"generation", "fitness"} <= set(entities.columns):
        return
    agents = entities[entities["level"] == 1] if "level" in entities.columns else entities
    features = features_of(entities)
    for gen, group in agents.groupby("generation", sort=True):
        for index, feature in enumerate(features):
            yield _Series(int(gen), feature, "proxy", index, *_pairs(group, feature, "fitness"))



def _correlation_rows(groups, method: str, n_boot: int, level: float, seed: int,
                      keep_replicates: bool = False):
    for s in groups:
        reps = correlation_replicates(s.x, s.y, n_boot, stream(seed, s.purpose, s.generation, s.index), method)
        lo, hi = percentile_interval(reps, level)
        row = {"generation": s.generation, "series": s.name, "n": int(s.x.size),
               "estimate": correlation(s.x, s.y, method), "lo": lo, "hi": hi}
        if keep_replicates:
            row["replicates"] = reps
        yield row


def level_correlations(run: RunTables, *, method: str = "spearman", n_boot: int = 1000,
                       level: float = 0.9, seed: int = 0) -> pd.DataFrame:
    """Correlation of J with root fitness per generation and level, with its interval.

    Columns: ``generation, series, level, n, estimate, lo, hi`` (``series``: ``level L``;
    ``n`` entities with finite J).
    """
    rows = list(_correlation_rows(_level_groups(run.entities), method, n_boot, level, seed))
    frame = pd.DataFrame(rows, columns=["generation", "series", "n", "estimate", "lo", "hi"])
    frame.insert(2, "level", frame["series"].str.removeprefix("level ").astype(int))
    return frame[LEVEL_COLUMNS]


def proxy_correlations(run: RunTables, *, method: str = "pearson", n_boot: int = 1000,
                       level: float = 0.9, seed: int = 0) -> pd.DataFrame:
    """Correlation of each proxy feature with fitness per generation, with its interval.

    Columns: ``generation, series, feature, n, estimate, lo, hi`` (``series`` and ``feature``:
    the feature's name). Pearson by default, as the ``corr_{f}`` columns of the generation table.
    """
    rows = list(_correlation_rows(_proxy_groups(run.entities), method, n_boot, level, seed))
    frame = pd.DataFrame(rows, columns=["generation", "series", "n", "estimate", "lo", "hi"])
    frame.insert(2, "feature", frame["series"])
    return frame[PROXY_COLUMNS]


def level_alignment(run: RunTables) -> pd.DataFrame:
    """Alignment of each level >= 2 with the level above, per generation (long format).

    From the ``L{L}_cosine_parent``, ``L{L}_plan_agreement`` and ``L{L}_cosine_root``
    columns; an empty frame when the run has no level 2.
    """
    gens = run.generations
    found: dict[int, dict[str, str]] = {}
    for column in gens.columns:
        if parsed := level_of(column, ALIGNMENT_COLUMNS[2:]):
            found.setdefault(parsed[0], {})[parsed[1]] = column
    frames = []
    for lvl in sorted(found):
        part = pd.DataFrame({"generation": _num(gens, "generation").astype(int), "level": lvl})
        for measure in ALIGNMENT_COLUMNS[2:]:
            column = found[lvl].get(measure)
            part[measure] = _num(gens, column) if column else np.nan
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=ALIGNMENT_COLUMNS)
    return pd.concat(frames, ignore_index=True)[ALIGNMENT_COLUMNS]


def weight_comparison(run: RunTables) -> pd.DataFrame:
    """Fitness-implied weights (``implied_w_{f}``) beside evolved mean weights (``gene_w_{f}_mean``).

    Columns: ``generation, feature, implied, evolved``, one row per generation and feature.
    """
    gens = run.generations
    frames = []
    for column in gens.columns:
        m = _IMPLIED_RE.match(str(column))
        evolved = f"gene_w_{m.group(1)}_mean" if m else None
        if not m or evolved not in gens.columns:
            continue
        frames.append(pd.DataFrame({"generation": _num(gens, "generation").astype(int),
                                    "feature": m.group(1), "implied": _num(gens, column),
                                    "evolved": _num(gens, evolved)}))
    if not frames:
        return pd.DataFrame(columns=WEIGHT_COLUMNS)
    return pd.concat(frames, ignore_index=True)[WEIGHT_COLUMNS]


def weight_alignment(run: RunTables) -> pd.DataFrame:
    """Cosine between the fitness-implied and the evolved mean weight vectors, per generation.

    Features whose implied weight is undefined (NaN) that generation are left out.
    Columns: ``generation, cosine, n_features``.
    """
    table = weight_comparison(run)
    rows = []
    for gen, group in table.groupby("generation", sort=True):
        a, b = group["implied"].to_numpy(float), group["evolved"].to_numpy(float)
        keep = np.isfinite(a) & np.isfinite(b)
        norm = np.linalg.norm(a[keep]) * np.linalg.norm(b[keep])
        cosine = float(a[keep] @ b[keep] / norm) if norm > 0 else float("nan")
        rows.append({"generation": int(gen), "cosine": cosine, "n_features": int(keep.sum())})
    return pd.DataFrame(rows, columns=["generation", "cosine", "n_features"])


def _generation_table_series(run: RunTables) -> dict[str, dict[int, tuple[float, float, str]]]:
    """Every generation row's correlations: ``level L`` from ``L{L}_spearman``, each feature from
    ``corr_{f}``; generation -> (value, entities it is over, method) (NaN kept; n NaN when unrecorded)."""
    gens = run.generations
    out: dict[str, dict[int, tuple[float, float, str]]] = {}
    if gens.empty or "generation" not in gens.columns:
        return out
    generation = _num(gens, "generation")
    for name, column, n_col, meth in series_columns(gens.columns):
        n = _num(gens, n_col) if n_col else np.full(len(gens), np.nan)
        out[name] = {int(g): (float(v), float(k), meth) for g, v, k in zip(generation, _num(gens, column), n)
                     if np.isfinite(g)}
    return out


def shift_summary(run: RunTables, *, window: int = 10, method: str = "spearman",
                  proxy_method: str = "pearson", n_boot: int = 1000, level: float = 0.9,
                  seed: int = 0) -> pd.DataFrame:
    """Mean correlation before and after each shift event the run reached, with within-run intervals.

    For every shift at generation ``g`` and every series (``level L``: the objective-fitness
    Spearman ``L{L}_spearman``; each proxy feature: its ``corr_{f}``, Pearson): ``before`` is the
    mean over the generation rows in ``[g - window, g)``, ``after`` over ``[g, g + window)``
    (every generation's row counts, not only those with entity records),
    ``difference = after - before``. ``gens_before`` and ``gens_after`` are the numbers of
    generations actually averaged (fewer than ``window`` near the run's start or end).

    Intervals cover the same generations the means average: each of ``n_boot`` replicates draws
    every generation's correlation on Fisher's z scale from its sampling distribution (``n`` from
    ``L{L}_n`` / ``n_agents``; :mod:`analysis.fisher`) and averages the window, so ``before_lo``,
    ``before_hi``, ``after_lo`` and ``after_hi`` stay in [-1, 1] and ``lo``/``hi`` (the difference)
    in [-2, 2]. NaN where a generation's ``n`` is unknown. A series the generation table lacks is
    estimated from the entity records alone (``method`` and ``proxy_method`` apply; ``n``: the
    entities). The stream of shift ``i``, series ``j`` is ``stream(seed, "shift", i, j)``. Shifts
    at or after the run's last generation are left out. Across runs,
    :func:`analysis.compare.shift_summary_runs` takes seeds as the unit.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1 generation, got {window}")
    points: dict[str, dict[int, tuple[float, float, str]]] = {}
    for groups, meth in ((_level_groups(run.entities), method), (_proxy_groups(run.entities), proxy_method)):
        for s in groups:
            points.setdefault(s.name, {})[s.generation] = (correlation(s.x, s.y, meth), float(s.x.size), meth)
    points.update(_generation_table_series(run))
    last = max((g for by_gen in points.values() for g in by_gen), default=-1)
    rows = []
    for i, event in enumerate(run.shift_events):
        g = shift_generation(event)
        if g is None or g > last:
            continue
        name = shift_label(event)
        for j, (label, by_gen) in enumerate(points.items()):
            rng = stream(seed, "shift", i, j)
            row: dict = {"shift": name, "shift_generation": g, "series": label}
            reps = {}
            for side, lo_g, hi_g in (("before", g - window, g), ("after", g, g + window)):
                chosen = [v for k, v in sorted(by_gen.items()) if lo_g <= k < hi_g and np.isfinite(v[0])]
                r = np.array([v[0] for v in chosen])
                row[side] = _nanmean(list(r))
                row[f"gens_{side}"] = len(chosen)
                reps[side] = window_replicates(r, np.array([v[1] for v in chosen]), chosen[0][2] if chosen else method,
                                               n_boot, rng)
                row[f"{side}_lo"], row[f"{side}_hi"] = percentile_interval(reps[side], level)
            row["difference"] = row["after"] - row["before"]
            row["lo"], row["hi"] = percentile_interval(reps["after"] - reps["before"], level)
            rows.append(row)
    return pd.DataFrame(rows, columns=SHIFT_COLUMNS)


def _nanmean(values: list[float]) -> float:
    arr = np.asarray(values, dtype=float)
    return float(np.nanmean(arr)) if np.isfinite(arr).any() else float("nan")


def competence_regimes(run: RunTables, *, n_boot: int = 1000, level: float = 0.9,
                       seed: int = 0) -> pd.DataFrame:
    """Misalignment of built entities (level >= 2) binned by the builder's planner depth.

    ``misalignment = 1 - cosine_parent`` (mean over entities with its bootstrap interval),
    ``plan_disagreement = 1 - plan_agreement_parent`` (mean). Columns:
    ``level, builder_depth, n, misalignment, lo, hi, plan_disagreement``; an empty frame
    when the run has no entity above level 1.
    """
    ents = run.entities
    needed = {"level", "builder_depth", "cosine_parent"}
    if ents.empty or not needed <= set(ents.columns):
        return pd.DataFrame(columns=REGIME_COLUMNS)
    built = ents[_num(ents, "level") >= 2]
    rows = []
    for (lvl, depth), group in built.groupby(["level", "builder_depth"], sort=True):
        mis = 1.0 - _num(group, "cosine_parent")
        ci = bootstrap_mean(mis, n_boot=n_boot, level=level,
                            rng=stream(seed, "regime", int(lvl), int(depth)))
        agree = (_num(group, "plan_agreement_parent") if "plan_agreement_parent" in group.columns
                 else np.full(len(group), np.nan))
        rows.append({"level": int(lvl), "builder_depth": int(depth),
                     "n": int(np.isfinite(mis).sum()), "misalignment": ci.estimate,
                     "lo": ci.lo, "hi": ci.hi, "plan_disagreement": _nanmean(list(1.0 - agree))})
    return pd.DataFrame(rows, columns=REGIME_COLUMNS)
