"""The Python API for notebooks and scripts: reprs, progress, callback, Logbook and Hall of Fame, sweeps."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from agents.errors import MesaevoError
from analysis import load_run
from evo import Simulation
from tests.conftest import TINY


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("api") / "run"
    sim = Simulation.from_scenario("sugar", {**TINY, "shifts.0.generation": 1}, seed=4, out=out)
    rows = []
    tables = sim.run(callback=rows.append, progress=False)
    return sim, tables, rows


def test_simulation_repr_and_html(finished):
    sim, _, _ = finished
    text = repr(sim)
    assert text.startswith("Simulation('sugar', seed=4, generation 4 of 4, 40 agents, foraging world")
    assert "sugar@1" in text
    assert "<table>" in sim._repr_html_() and "sugar at 1" in sim._repr_html_()


def test_callback_gets_every_row_and_tables_repr(finished):
    _, tables, rows = finished
    assert [r["generation"] for r in rows] == [0, 1, 2, 3]
    assert "status='completed'" in repr(tables)
    html = tables._repr_html_()
    assert "mesaevo run" in html and "L1_spearman" in html


def test_logbook_and_hall_of_fame_from_the_newest_checkpoint(finished):
    sim, _, _ = finished
    run = load_run(sim.run_dir)
    logbook = run.logbook()
    assert list(logbook["gen"]) == [0, 1, 2, 3] and {"mean", "std", "max"} <= set(logbook.columns)
    hof = run.hall_of_fame()
    assert 0 < len(hof) <= 10 and hof.columns[0] == "fitness" and "g0" not in hof.columns
    assert {"architecture", "w_taste", "build_propensity"} <= set(hof.columns)  # the genome's gene names


def test_short_run_of_a_scenario_is_a_warning(tmp_path, caplog):
    sim = Simulation.from_scenario("sugar", {k: v for k, v in TINY.items() if k != "run.generations"},
                                   generations=3, out=tmp_path / "r")
    assert any("'sugar' at generation 100" in r.getMessage() for r in caplog.records)
    assert sim.notes and sim.manifest()["notes"] == sim.notes
    assert sim.manifest()["config_diff"]["run.generations"] == [200, 3]


def test_sweep_api_returns_tables_with_dotless_columns(tmp_path):
    spec = {"base": "sugar", "seeds": [1, 2], "generations": 3,
            "set": {k: v for k, v in TINY.items() if k != "run.generations"},
            "grid": {"shifts.0.generation": [1, 2]}}
    with ThreadPoolExecutor(1) as pool:
        tables = Simulation.sweep(spec, tmp_path / "timing", client=pool, progress=False)
    assert tables.keys == {"shifts_0_generation": "shifts.0.generation"}
    assert set(tables.generations["shifts_0_generation"]) == {1, 2}
    assert len(tables.runs) == 4 and "<p><b>mesaevo sweep</b>" in tables._repr_html_()
    # the script run again: the completed runs are kept, nothing is submitted
    with ThreadPoolExecutor(1) as pool:
        counting = _Counting(pool)
        again = Simulation.sweep(spec, tmp_path / "timing", client=counting, progress=False)
    assert counting.submitted == 0 and again.runs.equals(tables.runs)
    with pytest.raises(MesaevoError, match="already holds 4 completed runs"):
        Simulation.sweep(spec, tmp_path / "timing", client=counting, progress=False, skip_completed=False)
    # grouped by the swept key: one mean line and one band per setting, into a given ax
    from matplotlib.figure import Figure

    from analysis import load_runs, sweep_figure

    fig = Figure()
    ax = fig.subplots()
    assert sweep_figure(load_runs(tmp_path / "timing"), "fitness_mean", by="shifts.0.generation", ax=ax) is fig
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == ["shifts.0.generation=1 (mean of 2)", "shifts.0.generation=2 (mean of 2)"]
    assert len([c for c in ax.collections if c.get_gid() == "ci-band"]) == 2


class _Counting:
    """An executor that counts what is submitted to it."""

    def __init__(self, pool):
        self.pool, self.submitted = pool, 0

    def submit(self, *args, **kwargs):
        self.submitted += 1
        return self.pool.submit(*args, **kwargs)


def test_skip_completed_keeps_a_finished_run_and_resumes_an_unfinished_one(finished, tmp_path):
    sim, tables, _ = finished
    table = sim.run_dir / "generations.parquet"
    before = table.stat().st_mtime_ns
    again = Simulation.from_scenario("sugar", {**TINY, "shifts.0.generation": 1}, seed=4, out=sim.run_dir,
                                     skip_completed=True)
    rows = []
    kept = again.run(callback=rows.append, progress=False)
    assert again.completed and rows == [] and table.stat().st_mtime_ns == before
    assert kept.generations.equals(tables.generations)
    with pytest.raises(MesaevoError, match="holds a run of another config"):
        Simulation.from_scenario("sugar", {**TINY, "shifts.0.generation": 1}, seed=5, out=sim.run_dir,
                                 skip_completed=True)
    with pytest.raises(MesaevoError, match="already holds a run"):  # without it: out must be new
        Simulation.from_scenario("sugar", {**TINY, "shifts.0.generation": 1}, seed=4, out=sim.run_dir)
    # stopped after 2 generations: the same call resumes it and finishes it, equal to the uninterrupted run
    out = tmp_path / "stopped"
    steps = Simulation.from_scenario("sugar", {**TINY, "shifts.0.generation": 1}, seed=4, out=out).iterate()
    next(steps), next(steps)
    steps.close()
    assert load_run(out).status == "interrupted"
    resumed = Simulation.from_scenario("sugar", {**TINY, "shifts.0.generation": 1}, seed=4, out=out,
                                       skip_completed=True).run(progress=False)
    assert resumed.status == "completed"
    from tests.golden_tables import TIMING

    columns = [c for c in tables.generations.columns if not any(t in c for t in TIMING)]
    assert resumed.generations[columns].equals(tables.generations[columns])


def test_single_panel_figures_draw_into_a_given_ax(finished):
    from matplotlib.figure import Figure

    import analysis as an

    run = load_run(finished[0].run_dir)
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert an.level_correlation_figure(run, ax=left) is fig
    assert an.proxy_correlation_figure(run, ax=right) is fig
    assert an.sweep_figure([run], "fitness_mean", ax=left) is fig
    assert left.get_lines() and right.get_lines() and len(fig.axes) == 2
