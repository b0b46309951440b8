"""An experiment's ``[infer]`` step: validation, the cost in the preflight, resume, the measured columns."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from agents.errors import MesaevoError
from evo.executor import run_then
from evo.experiment_infer import (INFER_METRICS, checkpoint_overrides, infer_columns, infer_run,
                                  with_infer_columns)
from evo.experiment_spec import build_experiment

TINY = {"agents.population": 16, "world.width": 8, "world.height": 8, "world.steps": 20, "agents.max_depth": 1,
        "record.entity_every": 1}


def _experiment(**infer) -> dict:
    return {
        "claim": "inferred placement differs", "seeds": 2, "generations": 6, "set": dict(TINY),
        "no_control_because": "a test of the machinery",
        "arms": {"a": {"base": "ancestral", "set": {"agents.architecture": "reactive"}},
                 "b": {"base": "ancestral"}},
        "measurement": {"metric": "infer_align_reactive", "arm": "a", "window": [4, 4], "minus_window": [2, 2]},
        "infer": {"arms": ["a"], "generations": [2, 4], "agents": 2, "steps": 30, "particles": 20, **infer},
    }


@pytest.mark.parametrize("change, message", [
    ({"infer": {"arms": ["c"], "generations": [2]}}, "infer.arms: no arm 'c'"),
    ({"infer": {"arms": ["a"], "generations": [6]}}, r"infer.generations: 6 is not a checkpoint within the run \(1..5\)"),
    ({"infer": {"arms": ["a"], "generations": [2], "agent": 3}}, "unknown key 'infer.agent'; did you mean 'infer.agents'"),
    ({"infer": {"arms": ["a"], "generations": [2], "agents": 0}}, "infer.agents"),
    ({"measurement": {"metric": "infer_align_planner", "arm": "b", "window": [4, 4]}},
     "'infer_align_planner' is an inference column; arm 'b' must be listed in infer.arms"),
    ({"infer": {"arms": ["a"], "generations": [2], "shuffled": ["b"]}}, "infer.shuffled: arm 'b' is not in infer.arms"),
    ({"set": {**TINY, "record.entity_every": 0}}, r"arm 'a': infer and edit need entity records"),
])
def test_bad_declarations_are_one_error_line(change, message):
    data = {**_experiment(), **change}
    with pytest.raises(MesaevoError, match=message) as err:
        build_experiment(data)
    assert "\n" not in str(err.value)


def test_inferred_arms_keep_the_checkpoints_inference_reads():
    exp = build_experiment(_experiment(generations=[2, 4]))
    assert exp.arm("a").overrides["checkpoint.every"] == 2 and exp.arm("a").overrides["checkpoint.keep"] >= 4
    assert "checkpoint.every" not in exp.arm("b").overrides
    assert checkpoint_overrides(None, "a", [6, 9], 20) == {"checkpoint.every": 3, "checkpoint.keep": 8}


def test_the_preflight_counts_the_inference():
    from evo import preflight
    from evo.experiment_infer import InferSpec, infer_seconds
    from evo.scenarios import load_config

    exp = build_experiment(_experiment())
    _, config = load_config("ancestral", {**exp.arm("a").overrides, "run.seed": 0, "run.generations": 6})
    run = preflight.estimate(config).seconds
    spec = InferSpec(arms=["a"], generations=[2, 4], agents=2, steps=30, particles=20)
    cost = infer_seconds(config, spec)
    assert cost > run > 0  # the inference dominates at this size
    assert infer_seconds(config, spec.model_copy(update={"generations": [2]})) == pytest.approx(cost / 2)
    hours = (run + cost / 2) / 3600  # enough for the run, not for the run and its inference
    with pytest.raises(MesaevoError, match="one run and its inference or edits are estimated"):
        build_experiment(_experiment(), max_hours=hours)
    build_experiment({k: v for k, v in _experiment().items() if k not in ("infer", "measurement")}
                     | {"measurement": {"metric": "fitness_mean", "arm": "a", "window": [4, 4]}}, max_hours=hours)


def _axis_rows(path, rows: list[dict]) -> None:
    from evo.infer_axis import INFERRED_AXIS
    from evo.recorder import write_parquet

    write_parquet(path / INFERRED_AXIS, pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False))


def test_infer_columns_summarise_each_generation(tmp_path):
    nan = math.nan
    rows = [  # generation, architecture, align_inferred, align_represented, cosine_true
        (2, "planner", 0.2, 0.4, 0.9), (2, "planner", 0.6, 0.0, 0.5), (2, "planner", 0.1, nan, 0.7),
        (2, "neural", -0.3, nan, nan), (4, "reactive", 0.5, nan, nan), (4, "reactive", 0.1, nan, nan)]
    _axis_rows(tmp_path, [dict(zip(["generation", "architecture", "align_inferred", "align_represented",
                                    "cosine_true"], r)) for r in rows])
    cols = infer_columns(tmp_path).set_index("generation")
    assert list(cols.columns) == list(INFER_METRICS)
    assert cols.loc[2, "infer_align_planner"] == pytest.approx(0.3)
    assert cols.loc[2, "repr_align_planner"] == pytest.approx(0.2)
    assert cols.loc[2, "infer_cosine_true"] == pytest.approx(0.7)
    assert cols.loc[2, "infer_align_neural"] == pytest.approx(-0.3)
    assert math.isnan(cols.loc[2, "infer_align_reactive"]) and math.isnan(cols.loc[4, "infer_align_planner"])
    assert cols.loc[4, "infer_align_reactive"] == pytest.approx(0.3)


def test_the_shuffled_truth_control_pairs_each_planner_with_the_next_ones_truth(tmp_path):
    from worlds.foraging.genome import FEATURES

    e = np.eye(len(FEATURES))
    us = [e[0], e[1], (e[0] + e[1]) / np.sqrt(2)]
    truths = [e[0], e[1], e[1]]  # pairs: u1.t2 = 0, u2.t3 = 1, u3.t1 = 1/sqrt(2): median 1/sqrt(2)
    rows = [{"generation": 4, "architecture": "planner", "align_inferred": 0.0, "align_represented": 0.0,
             "cosine_true": float(u @ t), **{f"u_{f}": u[j] for j, f in enumerate(FEATURES)},
             **{f"true_{f}": t[j] for j, f in enumerate(FEATURES)}} for u, t in zip(us, truths)]
    rows.append({**rows[0], "architecture": "neural", "cosine_true": math.nan})  # not a planner: left out
    _axis_rows(tmp_path, rows)
    cols = infer_columns(tmp_path).set_index("generation")
    assert cols.loc[4, "infer_cosine_shuffled"] == pytest.approx(1 / np.sqrt(2))
    assert cols.loc[4, "infer_cosine_true"] == pytest.approx(1.0)  # the median of 1, 1, 1/sqrt(2)
    table = pd.DataFrame({"generation": [3, 4, 5]})
    control = with_infer_columns(table, tmp_path, shuffled=True).set_index("generation")
    assert control.loc[4, "infer_cosine_true"] == pytest.approx(1 / np.sqrt(2))  # the control arm's reading
    assert with_infer_columns(table, tmp_path).set_index("generation").loc[4, "infer_cosine_true"] == 1.0
    assert control.loc[[3, 5], "infer_cosine_true"].isna().all()
    _axis_rows(tmp_path, rows[:1])
    assert math.isnan(infer_columns(tmp_path).loc[0, "infer_cosine_shuffled"])


def test_finished_inference_is_skipped_and_a_failed_run_is_not_inferred(tmp_path, monkeypatch):
    import evo.infer_axis as axis

    calls = []
    monkeypatch.setattr(axis, "alignment_axis", lambda *a: calls.append(a))
    _axis_rows(tmp_path, [{"generation": 2, "architecture": "planner"}])
    settings = {"generations": [2, 4], "agents": 1, "steps": 10, "particles": 10}
    assert infer_run(tmp_path, settings) is True and len(calls) == 1  # generation 4 missing: inferred
    assert infer_run(tmp_path, {**settings, "generations": [2]}) is False and len(calls) == 1
    failed = run_then(lambda *a: {"status": "failed", "error": "x"}, partial(infer_run, settings=settings), "inference",
                      "b", {}, 0, 6, str(tmp_path))
    assert failed["status"] == "failed" and len(calls) == 1

    def broken(*a):
        raise ValueError("no checkpoint")

    monkeypatch.setattr(axis, "alignment_axis", broken)
    result = run_then(lambda *a: {"status": "completed", "error": None}, partial(infer_run, settings=settings),
                      "inference", "b", {}, 0, 6, str(tmp_path / "other"))
    assert result == {"status": "failed", "error": "inference: ValueError: no checkpoint"}


@pytest.mark.slow
def test_an_experiment_infers_its_runs_and_measures_the_columns(tmp_path, monkeypatch):
    """End to end at a tiny size: each inferred run gets its parquet, the verdict reads its columns, and a
    second pass (resume) infers nothing again."""
    import evo.experiment_infer as ei
    from evo.experiment import conclude, run_experiment
    from evo.simulation import run_one

    data = _experiment()
    data["measurement"] = {"metric": "infer_align_reactive", "arm": "a", "window": [4, 4], "minus_window": [2, 2]}
    exp = build_experiment(data)
    out = tmp_path / "exp"
    with ThreadPoolExecutor(1) as pool:
        manifest = run_experiment(exp, out, run_one, client=pool)
    assert manifest["status"] == "completed", manifest
    for seed in (0, 1):
        rows = pd.read_parquet(out / "runs" / f"a-seed{seed}" / "inferred_axis.parquet")
        assert sorted(rows["generation"].unique()) == [2, 4]
        assert set(rows["architecture"]) == {"reactive"} and rows["align_inferred"].between(-1, 1).all()
        assert not (out / "runs" / f"b-seed{seed}" / "inferred_axis.parquet").exists()
    first = pd.read_parquet(out / "runs" / "a-seed0" / "inferred_axis.parquet")
    record = conclude(exp, out)
    assert "course-infer_align_reactive.png" in record["courses"] and (out / "course-infer_align_reactive.png").is_file()
    assert "course-infer_align_planner.png" not in record["courses"]  # no planner was inferred
    table = pd.read_csv(out / "table.csv")
    for seed in (0, 1):
        rows = pd.read_parquet(out / "runs" / f"a-seed{seed}" / "inferred_axis.parquet")
        mean = rows.groupby("generation")["align_inferred"].mean()
        assert table.loc[table.seed == seed, "value"].item() == pytest.approx(mean[4] - mean[2])
    assert record["n"] == 2
    kept = (out / "runs" / "a-seed1" / "inferred_axis.parquet").stat().st_mtime_ns
    (out / "runs" / "a-seed0" / "inferred_axis.parquet").unlink()  # as if interrupted during its inference
    with ThreadPoolExecutor(1) as pool:
        again = run_experiment(exp, out, run_one, client=pool)
    assert again["status"] == "completed"
    redone = pd.read_parquet(out / "runs" / "a-seed0" / "inferred_axis.parquet")
    pd.testing.assert_frame_equal(redone, first)  # inferred again, the same rows (seeded streams)
    assert (out / "runs" / "a-seed1" / "inferred_axis.parquet").stat().st_mtime_ns == kept
    calls = []
    monkeypatch.setattr(ei, "infer_run", lambda *a: calls.append(a))
    with ThreadPoolExecutor(1) as pool:
        again = run_experiment(exp, out, run_one, client=pool)
    assert again["status"] == "completed" and calls == []
    assert np.isfinite(table["value"]).all()
