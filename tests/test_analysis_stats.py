"""Statistics of analysis/: bootstrap intervals, per-level and per-proxy correlations,
shift summaries, alignment, weights, competence regimes, aggregation, sweep loading."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import (
    RunNotFoundError,
    RunTables,
    aggregate_runs,
    bootstrap_correlation,
    bootstrap_mean,
    competence_regimes,
    find_runs,
    level_alignment,
    level_correlations,
    load_run,
    load_runs,
    proxy_correlations,
    shift_summary,
    weight_alignment,
    weight_comparison,
)
from analysis.bootstrap import correlation_replicates
from agents.stats import pearson, spearman  # the generation row's statistics: an independent oracle


def tables(entities: pd.DataFrame | None = None, generations: pd.DataFrame | None = None,
           shifts: list | None = None, status: str = "completed") -> RunTables:
    manifest = {"scenario": "synthetic", "status": status, "seed": 1,
                "shift_events": shifts or []}
    return RunTables(Path("."), manifest,
                     generations if generations is not None else pd.DataFrame(),
                     entities if entities is not None else pd.DataFrame())


# --- bootstrap -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["pearson", "spearman"])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_perfect_correlation_has_degenerate_interval(method, sign):
    x = np.arange(10.0)
    ci = bootstrap_correlation(x, sign * (2 * x + 1), method=method, n_boot=300,
                               rng=np.random.default_rng(1))
    assert ci.estimate == pytest.approx(sign)
    assert ci.lo == pytest.approx(sign) and ci.hi == pytest.approx(sign)


def test_hand_computed_correlations():
    # x = 1..4, y = 1, 3, 2, 4: Pearson = 0.8 by hand (cov 4/4 ... sxy = 4, sxx = syy = 5)
    x, y = np.array([1.0, 2, 3, 4]), np.array([1.0, 3, 2, 4])
    assert bootstrap_correlation(x, y, method="pearson", n_boot=10).estimate == pytest.approx(0.8)
    assert bootstrap_correlation(x, y, method="spearman", n_boot=10).estimate == pytest.approx(0.8)
    # ties: y = 1, 1, 2, 2 -> ranks 1.5, 1.5, 3.5, 3.5; Pearson with 1..4 = 4/sqrt(5*4)
    y2 = np.array([1.0, 1, 2, 2])
    assert bootstrap_correlation(x, y2, n_boot=10).estimate == pytest.approx(4 / math.sqrt(20))


def test_spearman_replicates_match_direct_computation():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 6, 25).astype(float)  # many ties
    y = x + rng.integers(0, 4, 25)
    reps = correlation_replicates(x, y, 50, np.random.default_rng(9), "spearman")
    idx = np.random.default_rng(9).integers(0, 25, size=(50, 25))
    direct = np.array([spearman(x[i], y[i]) for i in idx])
    np.testing.assert_allclose(reps, direct, equal_nan=True)
    reps_p = correlation_replicates(x, y, 50, np.random.default_rng(9), "pearson")
    np.testing.assert_allclose(reps_p, [pearson(x[i], y[i]) for i in idx], equal_nan=True)


def test_degenerate_inputs_give_nan():
    ci = bootstrap_correlation(np.ones(8), np.arange(8.0), n_boot=50)
    assert all(math.isnan(v) for v in ci)
    ci = bootstrap_correlation(np.arange(2.0), np.arange(2.0), n_boot=50)
    assert all(math.isnan(v) for v in ci)
    with pytest.raises(ValueError, match="unknown correlation method"):
        bootstrap_correlation(np.arange(5.0), np.arange(5.0), method="kendall")


def test_same_seed_same_interval():
    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    y = x + rng.normal(size=40)
    a = bootstrap_correlation(x, y, rng=np.random.default_rng(3))
    b = bootstrap_correlation(x, y, rng=np.random.default_rng(3))
    c = bootstrap_correlation(x, y, rng=np.random.default_rng(4))
    assert a == b and a != c
    assert a.lo < a.estimate < a.hi


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_interval_covers_true_value_at_about_nominal_rate(method):
    rho = 0.5
    truth = rho if method == "pearson" else 6 / math.pi * math.asin(rho / 2)
    cov = [[1.0, rho], [rho, 1.0]]
    data_rng = np.random.default_rng(2024)
    boot_rng = np.random.default_rng(7)
    covered = 0
    trials = 200
    for _ in range(trials):
        xy = data_rng.multivariate_normal([0.0, 0.0], cov, size=60)
        ci = bootstrap_correlation(xy[:, 0], xy[:, 1], method=method, n_boot=400, level=0.9,
                                   rng=boot_rng)
        covered += ci.lo <= truth <= ci.hi
    assert 0.8 <= covered / trials <= 0.97


def test_bootstrap_mean():
    ci = bootstrap_mean(np.array([1.0, 2.0, 3.0, np.nan]), n_boot=500)
    assert ci.estimate == 2.0 and 1.0 <= ci.lo < 2.0 < ci.hi <= 3.0
    assert math.isnan(bootstrap_mean(np.array([4.0])).lo)


# --- per-level and per-proxy correlations from entity records ------------------------------------


def entities(generations=range(4), n=30, sign_after=None, shift=None, noise=0.0, seed=0):
    """Level-1 agents with J = fitness (+ noise), taste = fitness, pain = -fitness, and
    level-2 entities with J = -root fitness. From ``shift`` on, level-1 J has ``sign_after``."""
    rng = np.random.default_rng(seed)
    rows = []
    for g in generations:
        fit = rng.permutation(n).astype(float)
        sign = sign_after if shift is not None and g >= shift else 1.0
        j1 = sign * fit + noise * rng.normal(size=n)
        for i in range(n):
            rows.append({"generation": g, "entity_id": i, "level": 1, "root_id": i, "parent_id": -1,
                         "w_taste": 1.0, "w_pain": -1.0, "taste": fit[i], "pain": -fit[i],
                         "J": j1[i], "fitness": fit[i], "root_fitness": fit[i]})
        for i in range(n // 2):
            rows.append({"generation": g, "entity_id": 1000 + i, "level": 2, "root_id": i,
                         "parent_id": i, "w_taste": 0.0, "w_pain": 0.0, "taste": 0.0, "pain": 0.0,
                         "J": -fit[i], "fitness": 0.0, "root_fitness": fit[i]})
    frame = pd.DataFrame(rows)
    frame.loc[0, "J"] = np.nan  # one planner without an objective score: left out
    return frame


def test_level_correlations_per_generation_and_level():
    table = level_correlations(tables(entities()), n_boot=100)
    assert list(table.columns) == ["generation", "series", "level", "n", "estimate", "lo", "hi"]
    assert (table["series"] == "level " + table["level"].astype(str)).all()
    assert len(table) == 8
    one, two = table[table["level"] == 1], table[table["level"] == 2]
    np.testing.assert_allclose(one["estimate"], 1.0)
    np.testing.assert_allclose(two["estimate"], -1.0)
    np.testing.assert_allclose(two[["lo", "hi"]], -1.0)
    assert one["n"].tolist() == [29, 30, 30, 30] and set(two["n"]) == {15}


def test_level_correlations_reproducible_and_pearson():
    run = tables(entities(noise=5.0))
    a = level_correlations(run, n_boot=200, seed=3)
    pd.testing.assert_frame_equal(a, level_correlations(run, n_boot=200, seed=3))
    assert not a.equals(level_correlations(run, n_boot=200, seed=4))
    ones = a[a["level"] == 1]
    assert ((ones["lo"] < ones["estimate"]) & (ones["estimate"] < ones["hi"])).all()
    p = level_correlations(run, method="pearson", n_boot=50)
    assert (p["estimate"].abs() <= 1).all()


def test_proxy_correlations_level_one_only():
    table = proxy_correlations(tables(entities()), n_boot=100)
    assert list(table.columns) == ["generation", "series", "feature", "n", "estimate", "lo", "hi"]
    assert table["series"].equals(table["feature"])
    assert set(table["feature"]) == {"taste", "pain"}
    np.testing.assert_allclose(table[table["feature"] == "taste"]["estimate"], 1.0)
    np.testing.assert_allclose(table[table["feature"] == "pain"]["estimate"], -1.0)
    assert set(table["n"]) == {30}


def test_empty_run_gives_empty_tables():
    run = tables()
    for frame in (level_correlations(run), proxy_correlations(run), level_alignment(run),
                  weight_comparison(run), competence_regimes(run), shift_summary(run)):
        assert frame.empty and len(frame.columns) > 0


# --- before / after shift ------------------------------------------------------------------------


def test_shift_summary_perfect_reversal():
    shifts = [{"generation": 5, "kind": "superstimulus", "name": "sugar"}]
    run = tables(entities(range(10), sign_after=-1.0, shift=5), shifts=shifts)
    table = shift_summary(run, window=3, n_boot=100)
    row = table[table["series"] == "level 1"].iloc[0]
    assert (row["shift"], row["shift_generation"]) == ("sugar", 5)
    assert (row["gens_before"], row["gens_after"]) == (3, 3)
    assert row["before"] == pytest.approx(1.0) and row["after"] == pytest.approx(-1.0)
    assert row["difference"] == pytest.approx(-2.0)
    assert row["lo"] == pytest.approx(-2.0) and row["hi"] == pytest.approx(-2.0)
    taste = table[table["series"] == "taste"].iloc[0]
    assert taste["difference"] == pytest.approx(0.0)
    assert set(table["series"]) == {"level 1", "level 2", "taste", "pain"}


def test_shift_summary_noisy_interval_brackets_difference():
    shifts = [{"generation": 4, "name": "sugar"}]
    run = tables(entities(range(8), sign_after=-1.0, shift=4, noise=15.0), shifts=shifts)
    row = shift_summary(run, window=4, n_boot=300).set_index("series").loc["level 1"]
    assert row["lo"] < row["difference"] < row["hi"] < 0
    with pytest.raises(ValueError, match="window"):
        shift_summary(run, window=0)


def test_shift_summary_from_generation_table_without_entities():
    gens = pd.DataFrame({"generation": range(6), "L1_spearman": [0.5, 0.5, 0.5, 0.1, 0.1, 0.1],
                         "corr_taste": [0.2] * 6})
    table = shift_summary(tables(generations=gens, shifts=[{"generation": 3, "name": "s"}]),
                          window=2)
    row = table.set_index("series").loc["level 1"]
    assert row["before"] == pytest.approx(0.5) and row["after"] == pytest.approx(0.1)
    assert row["difference"] == pytest.approx(-0.4) and math.isnan(row["lo"])
    assert (row["gens_before"], row["gens_after"]) == (2, 2)


# --- alignment, weights, competence regimes ------------------------------------------------------


def test_level_alignment_from_generation_columns():
    gens = pd.DataFrame({"generation": [0, 1], "L1_spearman": [0.1, 0.2],
                         "L2_cosine_parent": [0.9, 0.8], "L2_plan_agreement": [0.7, 0.6],
                         "L2_cosine_root": [0.5, 0.4], "L3_cosine_parent": [0.3, 0.2]})
    table = level_alignment(tables(generations=gens))
    assert list(table.columns) == ["generation", "level", "cosine_parent", "plan_agreement",
                                   "cosine_root"]
    assert table["level"].tolist() == [2, 2, 3, 3]
    assert table["cosine_parent"].tolist() == [0.9, 0.8, 0.3, 0.2]
    assert table["plan_agreement"].tolist()[:2] == [0.7, 0.6]
    assert table["plan_agreement"].isna().tolist()[2:] == [True, True]


def test_weight_comparison_and_alignment():
    gens = pd.DataFrame({"generation": [0, 1],
                         "implied_w_taste": [1.0, 1.0], "gene_w_taste_mean": [2.0, -1.0],
                         "implied_w_pain": [0.0, np.nan], "gene_w_pain_mean": [0.0, 5.0],
                         "implied_w_other": [1.0, 1.0]})  # no evolved gene: left out
    comp = weight_comparison(tables(generations=gens))
    assert sorted(set(comp["feature"])) == ["pain", "taste"]
    taste = comp[comp["feature"] == "taste"]
    assert taste["implied"].tolist() == [1.0, 1.0] and taste["evolved"].tolist() == [2.0, -1.0]
    align = weight_alignment(tables(generations=gens))
    assert align["cosine"].tolist() == pytest.approx([1.0, -1.0])
    assert align["n_features"].tolist() == [2, 1]


def test_competence_regimes_bins_by_builder_depth():
    rows = [{"generation": 0, "entity_id": i, "level": 1, "builder_depth": np.nan,
             "cosine_parent": np.nan, "plan_agreement_parent": np.nan} for i in range(4)]
    for depth, cosine in ((1, 0.5), (3, 0.9)):
        for k in range(10):
            rows.append({"generation": 0, "entity_id": 100 * depth + k, "level": 2,
                         "builder_depth": depth, "cosine_parent": cosine + (0.05 if k % 2 else -0.05),
                         "plan_agreement_parent": 0.75})
    rows.append({"generation": 0, "entity_id": 999, "level": 3, "builder_depth": 2,
                 "cosine_parent": 0.0, "plan_agreement_parent": 0.0})
    table = competence_regimes(tables(pd.DataFrame(rows)), n_boot=200)
    assert table[["level", "builder_depth", "n"]].values.tolist() == [[2, 1, 10], [2, 3, 10], [3, 2, 1]]
    assert table["misalignment"].tolist() == pytest.approx([0.5, 0.1, 1.0])
    assert table["plan_disagreement"].tolist() == pytest.approx([0.25, 0.25, 1.0])
    first = table.iloc[0]
    assert 0.45 <= first["lo"] < 0.5 < first["hi"] <= 0.55
    assert competence_regimes(tables(entities())).empty  # no builder columns: level 1 only


# --- many runs -----------------------------------------------------------------------------------


def test_aggregate_runs_mean_and_interval():
    runs = []
    for value in (0.0, 1.0, 2.0, np.nan):
        gens = pd.DataFrame({"generation": [0, 1, 2], "L1_spearman": [value] * 3,
                             "fitness_mean": [1.0, 2.0, 3.0], "other": [9.0] * 3})
        runs.append(tables(generations=gens))
    agg = aggregate_runs(runs, n_boot=300)
    assert list(agg.columns) == ["generation", "series", "n", "estimate", "lo", "hi", "column", "n_runs", "mean"]
    assert agg["series"].equals(agg["column"]) and agg["n"].equals(agg["n_runs"])
    assert agg["estimate"].equals(agg["mean"])
    assert list(dict.fromkeys(agg["column"])) == ["L1_spearman", "fitness_mean"]
    corr = agg[agg["column"] == "L1_spearman"]
    assert corr["n_runs"].tolist() == [3, 3, 3]
    assert corr["mean"].tolist() == pytest.approx([1.0] * 3)
    assert ((corr["lo"] >= 0.0) & (corr["lo"] < 1.0) & (corr["hi"] > 1.0) & (corr["hi"] <= 2.0)).all()
    fit = agg[agg["column"] == "fitness_mean"]
    assert fit["mean"].tolist() == [1.0, 2.0, 3.0] and fit["lo"].tolist() == [1.0, 2.0, 3.0]
    assert aggregate_runs([tables()]).empty


# --- loading: status and sweeps ------------------------------------------------------------------


def write_run(path: Path, status: str = "completed", scenario: str = "s") -> Path:
    path.mkdir(parents=True)
    (path / "manifest.json").write_text(json.dumps(
        {"scenario": scenario, "status": status, "generations_done": 2}), encoding="utf-8")
    pd.DataFrame({"generation": [0, 1], "L1_spearman": [0.1, 0.2]}).to_parquet(
        path / "generations.parquet", index=False)
    return path


@pytest.mark.parametrize("status", ["running", "interrupted"])
def test_unfinished_run_loads_and_says_so(tmp_path, caplog, status):
    path = write_run(tmp_path / "r", status)
    with caplog.at_level(logging.WARNING, logger="analysis.load"):
        run = load_run(path)
    assert run.status == status and not run.complete
    assert len(run.generations) == 2
    assert any(status in rec.getMessage() and "partial" in rec.getMessage() for rec in caplog.records)


def test_completed_run_loads_quietly(tmp_path, caplog):
    path = write_run(tmp_path / "r")
    with caplog.at_level(logging.WARNING, logger="analysis.load"):
        run = load_run(path)
    assert run.status == "completed" and run.complete and not caplog.records


def test_sweep_directory_loads_every_run(tmp_path):
    sweep = tmp_path / "sweep"
    write_run(sweep / "b")
    write_run(sweep / "a" / "seed1", scenario="t")
    (sweep / "notes").mkdir()
    assert find_runs(sweep) == [sweep / "a" / "seed1", sweep / "b"]
    runs = load_runs(sweep)
    assert [r.scenario for r in runs] == ["t", "s"]
    assert [r.path for r in load_runs(sweep / "b")] == [sweep / "b"]
    with pytest.raises(RunNotFoundError, match="no manifest.json"):
        find_runs(sweep / "notes")
    with pytest.raises(RunNotFoundError, match="not found"):
        load_runs(tmp_path / "missing")
