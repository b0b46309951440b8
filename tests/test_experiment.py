"""Experiments: the verdict machinery (it must be able to fail), forked twins, comparators, validation."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agents.errors import MesaevoError
from analysis.student_t import t_interval, t_quantile
from analysis.verdict import Term, decide, estimate, measure
from evo.experiment_spec import build_experiment, experiment_data, list_experiments, load_experiment

ROOT = Path(__file__).resolve().parents[1]
TINY = {"agents.population": 20, "world.width": 8, "world.height": 8, "world.steps": 20, "agents.max_depth": 1,
        "record.entity_every": 2, "record.flush_every": 3}


# --------------------------------------------------------------------------- the verdict machinery


def test_t_quantiles_match_the_table():
    for p, df, expected in [(0.95, 4, 2.1318), (0.975, 10, 2.2281), (0.95, 1, 6.3138), (0.9, 30, 1.3104)]:
        assert t_quantile(p, df) == pytest.approx(expected, abs=1e-4)
    assert t_quantile(0.05, 4) == pytest.approx(-2.1318, abs=1e-4)


def _synthetic(effect: float, seeds: list[int], noise: list[float]) -> dict:
    """Generation tables of two arms per seed; arm 'treated' has ``metric`` raised by ``effect`` plus a
    per-seed offset ``noise`` over generations 10-19 only."""
    tables = {}
    for seed, eps in zip(seeds, noise):
        gens = np.arange(20)
        base = 0.2 + 0.01 * gens
        tables[("control", seed)] = pd.DataFrame({"generation": gens, "metric": base})
        treated = base + np.where(gens >= 10, effect + eps, 0.0)
        tables[("treated", seed)] = pd.DataFrame({"generation": gens, "metric": treated})
    return tables


TERMS = [Term("treated", "metric", (10, 19)), Term("control", "metric", (10, 19))]
SEEDS = [0, 1, 2, 3, 4]


def test_known_effect_is_supported_and_no_effect_is_inconclusive():
    noise = [-0.05, 0.02, 0.05, -0.02, 0.0]  # mean 0
    table = measure(_synthetic(0.3, SEEDS, noise), TERMS, SEEDS)
    assert list(table.columns) == ["seed", "treated:metric[10-19]", "control:metric[10-19]", "value"]
    assert table["value"].to_numpy() == pytest.approx(0.3 + np.array(noise))
    result = estimate(table["value"], 0.9, "above", 0.0)
    assert result.verdict == "supported" and result.n == 5 and result.lo > 0
    assert result.estimate == pytest.approx(0.3)

    none = estimate(measure(_synthetic(0.0, SEEDS, noise), TERMS, SEEDS)["value"], 0.9, "above", 0.0)
    assert none.verdict == "inconclusive" and none.lo < 0 < none.hi

    # the claim that the effect is negative is contradicted by the same data
    assert estimate(table["value"], 0.9, "below", 0.0).verdict == "contradicted"


def test_interval_is_the_t_interval_and_small_samples_are_inconclusive():
    mean, lo, hi, n, sd = t_interval([1.0, 2.0, 3.0, 4.0, 5.0], 0.9)
    assert (mean, n) == (3.0, 5)
    assert hi - mean == pytest.approx(2.1318 * math.sqrt(2.5) / math.sqrt(5), abs=1e-3)
    assert estimate([1.0], 0.9).verdict == "inconclusive"
    assert estimate([1.0, float("nan")], 0.9).n == 1
    assert decide(float("nan"), float("nan")) == "inconclusive"
    assert decide(0.1, 0.2, "below", 0.0) == "contradicted"


def test_a_failed_run_gives_nan_for_its_seed():
    tables = _synthetic(0.3, SEEDS, [0.0] * 5)
    tables[("control", 2)] = None
    table = measure(tables, TERMS, SEEDS)
    assert math.isnan(table.loc[2, "value"]) and estimate(table["value"]).n == 4


# --------------------------------------------------------------------------- validation


def _minimal(**extra) -> dict:
    data = {"claim": "x", "seeds": 2, "generations": 8, "set": dict(TINY),
            "arms": {"a": {"base": "ancestral"}},
            "measurement": {"metric": "fitness_mean", "arm": "a", "window": [4, 7]},
            "no_control_because": "a test of the machinery, not a claim"}
    data.update(extra)
    return data


@pytest.mark.parametrize("change, needle", [
    ({"claimm": "y"}, "did you mean 'claim'"),
    ({"arms": {"a": {"base": "ancestral", "sett": {}}}}, "did you mean 'arms.a.set'"),
    ({"measurement": {"metric": "m", "arm": "b", "window": [4, 7]}}, "no arm 'b'"),
    ({"measurement": {"metric": "m", "arm": "a", "window": [4, 9]}}, "measurement.window"),
    ({"arms": {"a": {"base": "ancestral"}, "b": {"fork": "c", "fork_at": 3}}}, "no other arm 'c'"),
    ({"arms": {"a": {"fork": "b", "fork_at": 2}, "b": {"fork": "a", "fork_at": 2}}}, "cycle"),
    ({"arms": {"a": {"base": "ancestral", "set": {"agents.popluation": 3}}}}, "agents.population"),
    ({"arms": {"a": {"base": "ancestral", "set": {"run.seed": 3}}}}, "cannot be overridden"),
    ({"reduced": {"armz": {}}}, "did you mean 'reduced.arms'"),
    ({"verdict": {"supported_if": "sideways"}}, "supported_if"),
])
def test_validation_errors_name_the_problem(change, needle):
    with pytest.raises(MesaevoError) as err:
        build_experiment(_minimal(**change))
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_cli_validation_error_is_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('claimm = "x"\ngenerations = 5\n[arms.a]\nbase = "sugar"\n'
                   '[measurement]\nmetric = "corr_taste"\narm = "a"\nwindow = [1, 2]\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "evo", "experiment", str(bad), "--validate"], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("error:")
    assert "did you mean 'claim'" in lines[0]
    proc = subprocess.run([sys.executable, "-m", "evo", "experiment", "sugar-onlin"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("error:") == 1 and "sugar-online-vs-frozen" in proc.stderr


def test_every_shipped_experiment_validates_at_both_sizes_without_numba():
    names = list(list_experiments())
    assert {"sugar-online-vs-frozen", "contraception", "telephone", "bounded-planners", "maze-region"} <= set(names)
    code = ("import sys; from evo.cli import main\n"
            f"for n in {names!r}:\n"
            "    assert main(['experiment', n, '--validate']) == 0\n"
            "    assert main(['experiment', n, '--validate', '--full']) == 0\n"
            "print('numba' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "False"
    for name in names:
        for size in ("reduced", "full"):
            exp = load_experiment(name, size)
            assert exp.claim and exp.verdict.confidence == 0.9


def test_fork_parent_checkpoints_at_the_fork():
    data = _minimal(arms={"a": {"base": "sugar", "set": {"shifts.0.generation": 4}},
                          "b": {"fork": "a", "fork_at": 4, "set": {"deployment.mode": "frozen",
                                                                    "deployment.freeze_at": 4}}})
    exp = build_experiment(data)
    a, b = exp.arm("a"), exp.arm("b")
    assert a.overrides["checkpoint.every"] == 4 and a.overrides["checkpoint.keep"] >= 3
    assert b.base == a.base and b.overrides["deployment.mode"] == "frozen"
    assert b.overrides["shifts.0.generation"] == 4


# --------------------------------------------------------------------------- comparators


def test_comparators_fix_the_phenotype_and_default_to_identity():
    from agents.genome import apply_comparators, decode
    from worlds.foraging.genome import FEATURES
    from worlds.foraging.genome import genome_layout as default_layout
    from evo.config import validate_config

    layout = default_layout()
    genomes = layout.random(12, np.random.default_rng(0))
    assert apply_comparators(genomes, layout, 3) is genomes
    w = [0.5, -0.5, 0.25, 0.0, 0.1, -0.1]
    d = decode(genomes, layout, "planner", 3, fixed_weights=w, fixed_depth=2, heredity="off")
    assert (d.weights == np.array(w)).all() and (d.depth == 2).all() and (d.nest[:, 3] == 0.0).all()
    assert (decode(genomes, layout, "planner", 3, heredity="on").nest[:, 3] == 1.0).all()
    plain = decode(genomes, layout, "planner", 3)
    assert not (plain.depth == 2).all() and len(FEATURES) == 6
    for depth in (1, 2, 3):
        assert (decode(genomes, layout, "planner", 3, fixed_depth=depth).depth == depth).all()
    cfg = validate_config({"agents": {"fixed_weights": w, "fixed_depth": 2}, "nesting": {"heredity": "on"}})
    assert cfg.agents.fixed_weights == tuple(w) and cfg.nesting.heredity == "on"
    assert "heredity" not in cfg.nesting.kernel_values()
    for bad, needle in [({"agents": {"fixed_weights": [0.1] * 5}}, "6 values"),
                        ({"agents": {"fixed_depth": 4, "max_depth": 3}}, "exceeds"),
                        ({"nesting": {"heredity": "maybe"}}, "heredity"),
                        ({"agents": {"fixed_weight": [0.1] * 6}}, "did you mean 'agents.fixed_weights'")]:
        with pytest.raises(MesaevoError, match=needle):
            validate_config(bad)


def test_fixed_weights_reach_the_world():
    from evo.loop import Evolution
    from evo.scenarios import load_config

    w = [0.5, -0.5, 0.25, 0.0, 0.1, -0.1]
    _, cfg = load_config("ancestral", {**TINY, "run.generations": 2, "agents.fixed_weights": w,
                                       "agents.fixed_depth": 1})
    row = Evolution(cfg).step().row
    assert row["gene_w_taste_mean"] == pytest.approx(0.5) and row["gene_w_pain_std"] == pytest.approx(0.0)


# --------------------------------------------------------------------------- running: forks and end to end


def _fork_experiment() -> dict:
    return _minimal(
        generations=8,
        arms={"online": {"base": "sugar", "set": {"shifts.0.generation": 4}},
              "frozen": {"fork": "online", "fork_at": 4,
                         "set": {"deployment.mode": "frozen", "deployment.freeze_at": 4}}},
        measurement={"metric": "fitness_mean", "arm": "online", "minus_arm": "frozen", "window": [4, 7]})


def test_the_metric_check_is_the_only_warm_up(tmp_path, monkeypatch):
    """The metric check lives one generation per measured arm (compiling the kernels), so the batch is
    given no second warm-up; with nothing to check (every run completed) nothing is lived."""
    import evo.experiment as ex

    lived, given = [], []
    monkeypatch.setattr(ex, "check_metrics", lambda exp, arms: lived.append(arms) or len(arms))
    monkeypatch.setattr(ex, "run_batch", lambda manifest, *a, warm=None, **k: given.append(warm) or manifest)
    exp = build_experiment(_fork_experiment(), seeds=1)
    ex.run_experiment(exp, tmp_path / "exp", lambda *a: None)
    assert lived == [{"online", "frozen"}] and given == [None]
    monkeypatch.setattr(ex, "check_metrics", lambda exp, arms: 0)  # no measured arm left to run
    ex.run_experiment(exp, tmp_path / "exp", lambda *a: None)
    assert callable(given[-1])


@pytest.mark.slow
def test_forked_arm_shares_every_row_before_the_fork(tmp_path):
    from analysis.load import load_run
    from evo.experiment import conclude, run_experiment
    from evo.simulation import run_one

    exp = build_experiment(_fork_experiment(), seeds=1)
    with ThreadPoolExecutor(1) as pool:
        manifest = run_experiment(exp, tmp_path / "exp", run_one, client=pool)
    assert manifest["status"] == "completed", manifest
    parent = load_run(tmp_path / "exp" / "runs" / "online-seed0")
    child = load_run(tmp_path / "exp" / "runs" / "frozen-seed0")
    assert child.complete and len(child.generations) == 8
    before_p = parent.generations[parent.generations.generation < 4].reset_index(drop=True)
    before_c = child.generations[child.generations.generation < 4].reset_index(drop=True)
    pd.testing.assert_frame_equal(before_p, before_c, check_exact=True)
    assert not child.generations[child.generations.generation < 4]["frozen"].any()
    assert child.generations[child.generations.generation >= 4]["frozen"].all()
    assert not parent.generations["frozen"].any()
    ent_p, ent_c = parent.entities, child.entities
    pd.testing.assert_frame_equal(ent_p[ent_p.generation < 4].reset_index(drop=True),
                                  ent_c[ent_c.generation < 4].reset_index(drop=True), check_exact=True)
    assert sorted(ent_c.generation.unique()) == [0, 2, 4, 6]
    assert child.manifest["config"]["deployment"]["mode"] == "frozen"
    # the frozen twin's genomes do not change after the fork: its gene means are constant
    after = child.generations[child.generations.generation >= 5]["gene_w_taste_mean"]
    assert after.nunique() == 1
    record = conclude(exp, tmp_path / "exp")
    assert record["n"] == 1 and record["verdict"] == "inconclusive"
    # running again resumes: nothing left to do, same verdict
    with ThreadPoolExecutor(1) as pool:
        again = run_experiment(exp, tmp_path / "exp", run_one, client=pool)
    assert again["status"] == "completed"
    with pytest.raises(MesaevoError, match="different experiment"):
        run_experiment(build_experiment(_fork_experiment(), seeds=2), tmp_path / "exp", run_one,
                       client=ThreadPoolExecutor(1))


@pytest.mark.slow
def test_shipped_experiment_end_to_end_tiny(tmp_path):
    """The shipped sugar-online-vs-frozen experiment, shrunk further, through the CLI's code path."""
    from evo.experiment import conclude, run_experiment, summary
    from evo.simulation import run_one

    name, data, root = experiment_data("sugar-online-vs-frozen")
    data = copy.deepcopy(data)
    data["reduced"] = {"generations": 8, "set": {**TINY, "record.entity_every": 0, "shifts.0.generation": 4},
                       "arms": {"frozen": {"fork_at": 4, "set": {"deployment.freeze_at": 4}},
                                "online_nosugar": {"fork_at": 4},
                                "frozen_nosugar": {"fork_at": 4, "set": {"deployment.freeze_at": 4}}},
                       "measurement": {"window": [5, 7]}}
    exp = build_experiment(data, default_name=name, seeds=2)
    out = tmp_path / "exp"
    with ThreadPoolExecutor(2) as pool:
        manifest = run_experiment(exp, out, run_one, client=pool)
    assert manifest["status"] == "completed"
    record = conclude(exp, out)
    assert record["verdict"] in ("supported", "contradicted", "inconclusive")
    saved = json.loads((out / "verdict.json").read_text())
    assert saved["claim"] == exp.claim and saved["size"] == "reduced" and saved["seeds"] == [0, 1]
    assert saved["method"] == "t interval over per-seed values" and "version" in saved and "date" in saved
    table = pd.read_csv(out / "table.csv")
    assert list(table.seed) == [0, 1] and "value" in table.columns
    assert (out / "verdict.png").stat().st_size > 1000
    text = summary(record)
    for needle in ("claim:", "estimate:", "interval", "n = ", "verdict:"):
        assert needle in text
    from analysis.findings import write_findings

    page = write_findings([out], tmp_path / "docs" / "findings.md")
    body = page.read_text()
    assert "REDUCED SIZE" in body and exp.claim in body and record["verdict"] in body


# --------------------------------------------------------------------------- the fitness-mirroring objective


def test_objective_key_is_validated():
    from evo.config import validate_config

    assert validate_config({}).agents.objective == "evolved"
    assert validate_config({"agents": {"objective": "fitness"}}).agents.objective == "fitness"
    for bad, needle in [({"agents": {"objective": "food"}}, "objective"),
                        ({"agents": {"objective": "fitness", "fixed_weights": [0.1] * 6}}, "drop agents.fixed_weights"),
                        ({"agents": {"objective": "fitness", "architecture": "reactive"}}, "needs agents.architecture"),
                        ({"world": {"kind": "maze"}, "agents": {"objective": "fitness"}}, "no fitness-mirroring"),
                        ({"agents": {"objectiv": "fitness"}}, "did you mean 'agents.objective'")]:
        with pytest.raises(MesaevoError, match=needle):
            validate_config(bad)


def _first_generation(base: str, overrides: dict) -> dict:
    from evo.loop import Evolution
    from evo.scenarios import load_config

    _, cfg = load_config(base, {**overrides, "run.generations": 2, "record.entity_every": 0})
    return Evolution(cfg).step().row


def test_fitness_objective_planners_eat_to_conceive_and_never_craft():
    """Same seed, same genomes: planners valuing predicted conceptions (with their energy predicted along the
    plan) eat, never craft, and conceive more than the same planners with their (random) evolved objectives."""
    size = {"agents.population": 60, "world.width": 10, "world.height": 10, "world.steps": 40,
            "agents.fixed_depth": 2}
    evolved = _first_generation("ancestral", size)
    fitness = _first_generation("ancestral", {**size, "agents.objective": "fitness"})
    assert fitness["feat_taste_mean"] > 0.0 and fitness["feat_craft_mean"] == 0.0
    assert fitness["fitness_mean"] > evolved["fitness_mean"] > 0.0


def test_fitness_objective_in_hungry_thirsty_values_food_only():
    """Fitness counts food; an agent valuing food eaten (with the model's steps to its next meal as the leaf
    value), starting thirsty, drinks and then eats (measured: 2.4 drinks each, 70% ate within 40 steps; the
    rest were made thirsty again on the way by a move and went back to the water)."""
    size = {"agents.population": 30, "world.steps": 40}
    fitness = _first_generation("hungry-thirsty", {**size, "agents.objective": "fitness"})
    assert fitness["gene_w_ate_mean"] == 1.0 and fitness["gene_w_drank_std"] == 0.0
    assert fitness["drinks_mean"] >= 1.0 and fitness["ever_ate_rate"] > 0.5


# --------------------------------------------------------------------------- linear measurements, further ones


def test_plus_terms_and_also_measurements_validate():
    data = _minimal(arms={"a": {"base": "ancestral"}, "b": {"base": "ancestral"}},
                    measurement={"metric": "fitness_mean", "arm": "a", "minus_arm": "b", "window": [4, 7],
                                 "plus": [{"coef": -0.5, "window": [0, 1]}, {"coef": 2.0, "arm": "b",
                                                                              "metric": "corr_taste"}]})
    m = build_experiment(data).measurement
    assert m.terms() == [("a", "fitness_mean", (4, 7)), ("b", "fitness_mean", (4, 7)),
                         ("a", "fitness_mean", (0, 1)), ("b", "corr_taste", (4, 7))]
    assert m.coefs() == [1.0, -1.0, -0.5, 2.0] and "- 0.5 x (mean fitness_mean over generations 0-1" in m.describe()
    for change, needle in [({"plus": [{"coef": 1.0, "arm": "c"}]}, "measurement.plus[0].arm: no arm 'c'"),
                           ({"plus": [{"coef": 1.0, "window": [0, 9]}]}, "measurement.plus[0].window"),
                           ({"plus": [{"arm": "a"}]}, "coef")]:
        with pytest.raises(MesaevoError, match=re_escape(needle)):
            build_experiment({**data, "measurement": {**data["measurement"], **change}})
    also = {"name": "x", "claim": "y", "measurement": {"metric": "m", "arm": "z", "window": [4, 7]}}
    with pytest.raises(MesaevoError, match=re_escape("also[0].measurement.arm: no arm 'z'")):
        build_experiment({**data, "also": [also]})
    with pytest.raises(MesaevoError, match="distinct"):
        build_experiment({**data, "also": [{**also, "measurement": data["measurement"]}] * 2})


def re_escape(text: str) -> str:
    import re

    return re.escape(text)


SUBAGENT_EXPERIMENTS = {"telephone", "middling-competence", "hereditary-technique", "oversight-and-deployment"}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(list_experiments()))
def test_every_shipped_experiment_runs_at_reduced_size(name, tmp_path):
    """Each shipped experiment end to end at its reduced (CI) size: a verdict for it and each further
    measurement, the verdict value recomputed here from the table's terms, and a value for every seed
    where sub-agents are measured, and level 2 present in at least half of each run's window (at CI size a
    few dozen agents build intermittently)."""
    from evo.experiment import conclude, run_experiment
    from evo.simulation import run_one

    exp = load_experiment(name)
    out = tmp_path / name
    with ThreadPoolExecutor(2) as pool:
        manifest = run_experiment(exp, out, run_one, client=pool)
    assert manifest["status"] == "completed", [e["error"] for e in manifest["runs"] if e["error"]]
    record = conclude(exp, out, figure=False)
    assert record["verdict"] in ("supported", "contradicted", "inconclusive")
    assert [a["name"] for a in record["also"]] == [f"{name}/{a.name}" for a in exp.also]
    assert record["controlled"] and exp.control is not None  # every shipped experiment has a control
    for rec, m in [(record, exp.measurement), *zip(record["also"], (a.measurement for a in exp.also))]:
        table = pd.read_csv(out / rec["table"])
        labels = [c for c in table.columns if c not in ("seed", "value", "treatment", "control")]
        expected = {lab: 0.0 for lab in labels}
        for (arm, metric, w), coef in zip(m.terms(), m.coefs()):
            expected[f"{arm}:{metric}[{w[0]}-{w[1]}]"] += coef
            if rec["controlled"]:  # minus the same terms on each arm's control arm
                expected[f"{exp.control.arms[arm]}:{metric}[{w[0]}-{w[1]}]"] -= coef
        recomputed = sum(table[lab] * c for lab, c in expected.items())
        np.testing.assert_allclose(table["value"], recomputed, rtol=1e-9, atol=1e-12)
    if name in SUBAGENT_EXPERIMENTS:  # every seed has a value; sub-agents live in most generations of the window
        from analysis.load import load_run

        # every seed is counted: a value, or named as without one (a rate with no misaligned step)
        assert record["n"] + len(record["seeds_without_value"]) == len(exp.seeds) and record["n"] >= 2, record
        lo, hi = exp.measurement.window
        for entry in manifest["runs"]:
            gens = load_run(out / entry["dir"]).generations
            window = gens[(gens.generation >= lo) & (gens.generation <= hi)]
            assert (window["L2_n"] > 0).mean() >= 0.5, (entry["id"], window["L2_n"].tolist())


# --------------------------------------------------------------------------- controls, missing seeds, Holm


def _controlled(**extra) -> dict:
    data = _minimal(arms={"treated": {"base": "ancestral"}, "treated_off": {"base": "ancestral"},
                          "other": {"base": "ancestral"}, "other_off": {"base": "ancestral"}},
                    measurement={"metric": "metric", "arm": "treated", "minus_arm": "other", "window": [10, 19]},
                    control={"cause": "the cause off", "arms": {"treated": "treated_off", "other": "other_off"}},
                    generations=20)
    del data["no_control_because"]
    data.update(extra)
    return data


@pytest.mark.parametrize("change, needle", [
    ({"control": None}, "every experiment needs a control"),
    ({"no_control_because": "why not"}, "not both"),
    ({"control": {"cause": "c", "arms": {"treated": "nope", "other": "other_off"}}}, "no arm 'nope'"),
    ({"control": {"cause": "c", "arms": {"treated": "treated_off"}}}, "arm 'other' has no control arm"),
    ({"control": {"cause": "c", "arms": {"treated": "other", "other": "other_off"}}}, "must not be a treatment arm"),
    ({"control": {"arms": {"treated": "treated_off", "other": "other_off"}}}, "control.cause"),
])
def test_control_validation_names_the_problem(change, needle):
    data = {k: v for k, v in _controlled(**change).items() if v is not None}
    with pytest.raises(MesaevoError) as err:
        build_experiment(data)
    assert needle in str(err.value) and "\n" not in str(err.value)


def _controlled_tables(effect: float, effect_off: float, noise: list[float]) -> dict:
    """Treated/other arms and their controls: the treated arm gains ``effect`` over 'other' with the cause on
    and ``effect_off`` with it off (plus a per-seed offset ``noise`` shared by both pairs)."""
    tables = {}
    for seed, eps in zip(SEEDS, noise):
        gens = np.arange(20)
        late = gens >= 10
        for arm, gain in (("treated", effect), ("treated_off", effect_off)):
            tables[(arm, seed)] = pd.DataFrame({"generation": gens, "metric": 0.1 + np.where(late, gain + eps, 0.0)})
        for arm in ("other", "other_off"):
            tables[(arm, seed)] = pd.DataFrame({"generation": gens, "metric": np.full(20, 0.1)})
    return tables


def test_the_verdict_is_on_treatment_minus_control(tmp_path):
    """A difference that is there with the claimed cause switched off too is not the cause's: the same
    treatment difference (+0.3) is supported against a control at 0 and inconclusive against a control that
    shows it as well."""
    from evo.experiment import _verdict

    exp = build_experiment(_controlled(), seeds=5)
    noise = [-0.05, 0.02, 0.05, -0.02, 0.0]
    for effect_off, verdict in ((0.0, "supported"), (0.3, "inconclusive")):
        record = _verdict(exp, tmp_path, _controlled_tables(0.3, effect_off, noise), exp.name, exp.claim,
                          exp.measurement, exp.verdict, "", False, True)
        table = pd.read_csv(tmp_path / "table.csv")
        assert list(table.columns) == ["seed", "treated:metric[10-19]", "other:metric[10-19]", "treatment",
                                       "treated_off:metric[10-19]", "other_off:metric[10-19]", "control", "value"]
        assert table["treatment"].to_numpy() == pytest.approx(0.3 + np.array(noise))
        assert table["value"].to_numpy() == pytest.approx(0.3 - effect_off + 0 * np.array(noise), abs=1e-12)
        assert record["verdict"] == verdict and record["controlled"] and "replaced by its control" in \
            record["measurement"]


def test_missing_seeds_follow_the_stated_rule():
    values = [0.3, 0.31, float("nan"), 0.29, 0.3]
    assert estimate(values, 0.9, "above", 0.0).verdict == "supported"
    assert estimate(values, 0.9, "above", 0.0).n == 4
    assert estimate(values, 0.9, "above", 0.0, missing="inconclusive").verdict == "inconclusive"
    assert estimate(values, 0.9, "above", 0.0, min_seeds=5).verdict == "inconclusive"


def test_one_sided_p_values_and_holm():
    from analysis.findings import adjusted_verdicts
    from analysis.verdict import holm, one_sided_p

    # t = 2.1318 is the 0.95 quantile with 4 degrees of freedom: p = 0.05 one-sided
    assert one_sided_p(2.1318 * 1.0 / math.sqrt(5), 1.0, 5, 0.0, "above") == pytest.approx(0.05, abs=1e-4)
    assert one_sided_p(2.1318 / math.sqrt(5), 1.0, 5, 0.0, "below") == pytest.approx(0.95, abs=1e-4)
    # Holm at 0.10 over four: 0.02 <= 0.025, 0.03 <= 0.0333, 0.06 > 0.05 stops there
    assert holm([0.06, 0.02, 0.5, 0.03], 0.10) == [False, True, False, True]
    assert holm([float("nan"), 0.09], 0.10) == [False, True]
    records = [{"confirmatory": True, "p_supported": 0.02, "p_contradicted": 0.98},
               {"confirmatory": True, "p_supported": 0.99, "p_contradicted": 0.01},
               {"confirmatory": True, "p_supported": 0.08, "p_contradicted": 0.92},
               {"confirmatory": False, "p_supported": 0.0001, "p_contradicted": 0.9999}]
    # supported family: 0.02, 0.99, 0.08 -> 0.02 <= 0.0333 yes, 0.08 > 0.05 stops
    assert adjusted_verdicts(records) == ["supported", "contradicted", "inconclusive", "exploratory"]


def test_persistence_counts_where_a_level_died_out():
    from analysis.verdict import persistence, persistence_lines

    gens = np.arange(10)
    table = pd.DataFrame({"generation": gens, "L1_n": 50, "L2_n": np.where(gens < 6, 4, 0), "L3_n": 0})
    assert persistence(table, (0, 9)) == {"L2": 0.6, "L3": 0.0}
    assert persistence(table, (0, 5)) == {"L2": 1.0, "L3": 0.0}
    lines = persistence_lines([{"arm": "a", "seed": 100, "L2": 1.0}, {"arm": "a", "seed": 101, "L2": 0.6}])
    assert lines == ["persistence: L2 in arm 'a' present through the window in 1/2 seeds (share of window "
                     "elsewhere: 101: 0.60)"]


def test_first_seed_moves_the_seeds_and_confirmation_needs_ten_untuned_seeds():
    data = _minimal(tuned_on={"seeds": [0, 1, 2], "size": "reduced"})
    assert build_experiment(data, seeds=3, first_seed=100).seeds == (100, 101, 102)
    assert not build_experiment(data, seeds=3, first_seed=100).confirmatory
    assert build_experiment(data, seeds=10, first_seed=100).confirmatory
    assert not build_experiment(data, seeds=10, first_seed=0).confirmatory
    assert not build_experiment(_minimal(), seeds=10, first_seed=100).confirmatory  # tuning never stated


def test_every_shipped_experiment_has_a_control_and_confirms_on_untuned_seeds():
    for name in list_experiments():
        full = load_experiment(name, "full")
        assert full.control is not None and not full.no_control_because, name
        assert full.confirmatory and len(full.seeds) >= 10 and min(full.seeds) >= 100 and max(full.seeds) < 1000
        assert len(full.sha256) == 64
