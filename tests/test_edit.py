"""Objective edits (seed 001's claim about control): the evolution strategy, the edits, the experiment step."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from agents.errors import MesaevoError
from agents.es import one_plus_lambda
from evo.experiment_spec import build_experiment, load_experiment


def test_es_climbs_a_step_function_within_its_budget():
    target = np.linspace(-0.8, 0.8, 10)

    def loss(x):  # piecewise constant, like a share of disagreeing choices
        return float(np.sum(np.abs(x - target) > 0.1))

    x0 = np.zeros(10)
    x, best, used = one_plus_lambda(loss, x0, -1.0, 1.0, 400, np.random.default_rng(5))
    assert used <= 400 and (used - 1) % 8 == 0
    assert best == loss(x) and best <= loss(x0) - 5  # most coordinates moved within 0.1 of the target
    again = one_plus_lambda(loss, x0, -1.0, 1.0, 400, np.random.default_rng(5))
    assert np.array_equal(again[0], x) and again[1:] == (best, used)
    same, none, zero = one_plus_lambda(loss, x0 + 2.0, -1.0, 1.0, 0, np.random.default_rng(5))
    assert np.array_equal(same, np.ones(10)) and np.isnan(none) and zero == 0  # clipped, not evaluated


def test_bad_edit_declarations_are_one_error_line():
    data = {"claim": "c", "seeds": 2, "generations": 6, "no_control_because": "test",
            "set": {"world.width": 8, "world.height": 8, "agents.population": 10, "record.entity_every": 1},
            "arms": {"a": {"base": "ancestral"}},
            "measurement": {"metric": "edit_score", "arm": "a", "window": [4, 4]},
            "edit": {"arms": {"a": "edit"}, "generation": 4}}
    build_experiment(data)
    for change, message in [({"arms": {"b": "edit"}, "generation": 4}, "edit.arms: no arm 'b'"),
                            ({"arms": {"a": "fix"}, "generation": 4}, "edit.arms.a"),
                            ({"arms": {"a": "edit"}, "generation": 6}, "edit.generation: 6 is not a checkpoint"),
                            ({"arms": {"a": "edit"}, "generation": 4, "budgets": 1}, "unknown key 'edit.budgets'")]:
        with pytest.raises(MesaevoError, match=message) as err:
            build_experiment({**data, "edit": change})
        assert "\n" not in str(err.value)
    with pytest.raises(MesaevoError, match="'edit_score' is an edit column; arm 'a' must be listed"):
        build_experiment({k: v for k, v in data.items() if k != "edit"})


def test_the_preflight_counts_the_edits():
    from evo import preflight
    from evo.experiment_edit import edit_seconds
    from evo.scenarios import load_config

    exp = load_experiment("control-edits", "full")
    _, config = load_config("ancestral", {**exp.arm("neural").overrides, "run.seed": 100, "run.generations": 41})
    run, cost = preflight.estimate(config).seconds, edit_seconds(config, exp.edit)
    assert cost > 0 and edit_seconds(config, exp.edit.model_copy(update={"budget": 0})) < cost / 10
    with pytest.raises(MesaevoError, match="one run and its inference or edits are estimated"):
        load_experiment("control-edits", "full", max_hours=(run + cost / 2) / 3600)


@pytest.mark.slow
def test_control_edits_reduced_end_to_end(tmp_path):
    """The shipped experiment at its reduced size: a planner edited toward the target becomes the target planner
    (agreement 1 on held-out lifetimes when its depth is the target's), a sham changes no genome, and the
    verdict reads each run's scores."""
    from evo.experiment import conclude, run_experiment
    from evo.simulation import run_one

    exp = load_experiment("control-edits")
    data = dict(exp.data)
    data["reduced"] = {**data["reduced"], "set": {**data["reduced"]["set"], "agents.max_depth": 1},
                       "edit": {**data["reduced"]["edit"], "target_depth": 1}}
    exp = build_experiment(data, default_name="control-edits")
    out = tmp_path / "exp"
    with ThreadPoolExecutor(1) as pool:
        manifest = run_experiment(exp, out, run_one, client=pool)
    assert manifest["status"] == "completed", manifest
    rows = {arm: pd.concat([pd.read_parquet(out / "runs" / f"{arm}-seed{s}" / "edited.parquet") for s in (0, 1)])
            for arm in ("planner", "neural", "planner_sham", "neural_sham")}
    edited = rows["planner"]
    assert (edited["architecture"] == "planner").all() and (edited["agree_after"] == 1.0).all()
    assert (edited["evaluations"] == 0).all()
    assert (rows["neural"]["architecture"] == "neural").all() and (rows["neural"]["evaluations"] == 9).all()
    for arm in ("planner", "neural"):  # same agents, targets and 'before' lifetimes as its sham
        sham = rows[f"{arm}_sham"]
        assert np.array_equal(sham["agree_before"], rows[arm]["agree_before"])
        assert (sham["kind"] == "sham").all() and (sham["evaluations"] == 0).all()
    (out / "runs" / "neural-seed1" / "edited.parquet").unlink()  # as if interrupted during its edits
    with ThreadPoolExecutor(1) as pool:
        assert run_experiment(exp, out, run_one, client=pool)["status"] == "completed"
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs" / "neural-seed1" / "edited.parquet"),
                                  rows["neural"].iloc[1:].reset_index(drop=True))  # edited again, the same
    record = conclude(exp, out, figure=False)
    table = pd.read_csv(out / "table-planner-edit.csv")
    for seed in (0, 1):
        run = lambda arm: pd.read_parquet(out / "runs" / f"{arm}-seed{seed}" / "edited.parquet")["score"].mean()
        assert table.loc[table.seed == seed, "value"].item() == pytest.approx(run("planner") - run("planner_sham"))
    assert record["n"] <= 2
