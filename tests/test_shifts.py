"""Shift schedules (abrupt, gradual, periodic, combined), their validation, and frozen deployment."""

from __future__ import annotations

import numpy as np
import pytest

from evo.cli import main
from evo.config import validate_config
from agents.errors import MesaevoError
from evo.loop import Evolution
from evo.scenarios import load_config
from worlds.foraging.params import PARAM_DEFAULTS, PARAM_NAMES
from worlds.foraging import ENTRY
from worlds.shifts import world_at


def schedule(shifts: list[dict], generations: int = 20, **extra):
    cfg = validate_config({"run": {"generations": generations}, "shifts": shifts, **extra})
    base = {n: float(getattr(cfg.world, n)) for n in PARAM_NAMES if n not in PARAM_DEFAULTS}
    return cfg, [world_at(cfg.shifts, g, base, ENTRY.shift_params, ENTRY.extra_base) for g in range(generations)]


def test_abrupt_default_keeps_the_old_form():
    _, worlds = schedule([{"kind": "superstimulus", "generation": 5, "name": "sugar"}])
    assert [w.extra["sugar_level"] for w in worlds[4:7]] == [0.0, 1.0, 1.0]
    assert worlds[4].active == () and worlds[5].active == ("sugar",)


def test_gradual_ramp_moves_monotonically_between_its_ends():
    cfg, worlds = schedule([{"kind": "scarcity", "generation": 4, "timing": "gradual", "ramp_end": 12,
                             "food_regrow": 0.004}])
    vals = [w.shifted["food_regrow"] for w in worlds]
    assert all(v == cfg.world.food_regrow for v in vals[:5])
    assert all(b < a for a, b in zip(vals[4:12], vals[5:13]))  # strictly down over the ramp
    assert all(v == 0.004 for v in vals[12:])
    assert [w.params["food_regrow"] for w in worlds] == vals


def test_periodic_alternates_at_the_right_generations():
    _, worlds = schedule([{"kind": "contraception", "generation": 3, "timing": "periodic", "period": 2,
                           "conception_prob": 0.2, "until": 15}])
    on = [g for g, w in enumerate(worlds) if w.params["conception_prob"] == 0.2]
    assert on == [3, 4, 7, 8, 11, 12]
    assert [g for g, w in enumerate(worlds) if w.active] == on


def test_combinations_on_different_parameters_and_sequences_on_one():
    _, worlds = schedule([
        {"kind": "hazard_surge", "generation": 2, "hazard_damage": 5.0, "until": 6},
        {"kind": "hazard_surge", "generation": 8, "hazard_damage": 7.0},
        {"kind": "affordance", "generation": 4},
        {"kind": "relocation", "generation": 10},
    ], world={"build_allowed": 0.0})
    dmg = [w.params["hazard_damage"] for w in worlds]
    assert dmg[:2] == [2.0, 2.0] and dmg[2:6] == [5.0] * 4 and dmg[6:8] == [2.0, 2.0] and dmg[8:] == [7.0] * 12
    assert [w.params["build_allowed"] for w in worlds[3:5]] == [0.0, 1.0]
    assert worlds[9].relocation == 0 and worlds[10].relocation == 4 and worlds[10].shifted["relocation"] == 4


@pytest.mark.parametrize("shifts, fragment", [
    ([{"kind": "scarcity", "generation": 8, "timing": "gradual", "ramp_end": 5}], "ramp_end = 5 ends before"),
    ([{"kind": "scarcity", "generation": 2, "timing": "gradual"}], "needs ramp_end"),
    ([{"kind": "scarcity", "generation": 2, "timing": "periodic"}], "needs period"),
    ([{"kind": "scarcity", "generation": 3}, {"kind": "scarcity", "generation": 3, "name": "b"}],
     "contradictory"),
    ([{"kind": "scarcity", "generation": 2, "timing": "gradual", "ramp_end": 9},
      {"kind": "scarcity", "generation": 5}], "inside the ramp"),
    ([{"kind": "contraception", "generation": 2, "timing": "periodic", "period": 2},
      {"kind": "contraception", "generation": 9}], "periodic without 'until'"),
    ([{"kind": "relocation", "generation": 2, "timing": "gradual", "ramp_end": 4}], "cannot ramp"),
    ([{"kind": "sugar_rush", "generation": 2}], "unknown shift kind 'sugar_rush'"),
])
def test_bad_schedules_are_clear_errors(shifts, fragment):
    with pytest.raises(MesaevoError) as err:
        validate_config({"run": {"generations": 20}, "shifts": shifts})
    assert fragment in str(err.value)
    assert "shifts[" in str(err.value)


def test_shifts_past_the_end_are_warnings_not_errors():
    from worlds.shifts import schedule_warnings

    config = validate_config({"run": {"generations": 20}, "shifts": [
        {"kind": "scarcity", "generation": 25, "name": "late"},
        {"kind": "hazard_surge", "generation": 10, "timing": "gradual", "ramp_end": 30}]})
    notes = schedule_warnings(config.shifts, 20)
    assert len(notes) == 2
    assert "shifts[0] 'late' at generation 25 is past the run's end" in notes[0]
    assert "ramp ends at generation 30" in notes[1] and "45%" in notes[1]
    assert schedule_warnings(config.shifts, 40) == []


def test_bad_shift_config_on_the_cli_is_one_error_line(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('[run]\ngenerations = 10\n[[shifts]]\nkind = "scarcity"\ngeneration = 6\n'
                    'timing = "gradual"\nramp_end = 4\n')
    assert main(["run", str(path), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("error: ") and any("ramp_end = 4 ends before" in line for line in err)
    assert not (tmp_path / "run").exists()
    # a freeze past the run's end is a warning, like a shift past it (tests/test_cli.py runs one)
    assert main(["validate", "sugar", "--set", "deployment.mode=frozen", "--set", "deployment.freeze_at=500"]) == 0
    assert "warning: deployment.freeze_at = 500 is past the run's end" in capsys.readouterr().out


class _Probe:
    def __init__(self, config):
        self.config = config


def test_deployment_section_validation():
    assert validate_config({}).deployment.mode == "online"
    _, online = load_config("sugar-frozen", {"deployment.mode": "online"})  # the frozen scenario's online twin
    assert online.deployment.freeze_at == 100 and not any(Evolution.frozen(_Probe(online), g) for g in range(200))
    for bad, frag in [({"mode": "frozen"}, "needs deployment.freeze_at"),
                      ({"mod": "x"}, "did you mean 'deployment.mode'")]:
        with pytest.raises(MesaevoError, match=frag):
            validate_config({"deployment": bad})


def test_after_a_freeze_no_genome_changes(tiny):
    _, cfg = load_config("sugar", {**tiny, "run.generations": 6, "shifts.0.generation": 3,
                                   "deployment.mode": "frozen", "deployment.freeze_at": 2})
    evo = Evolution(cfg)
    snapshots, rows = [], []
    for result in evo.run():
        snapshots.append(np.stack(evo.population).copy())
        rows.append(result.row)
    assert [r["frozen"] for r in rows] == [False, False, True, True, True, True]
    assert not np.array_equal(snapshots[0], snapshots[1])  # selection still works before the freeze
    for later in snapshots[2:]:
        np.testing.assert_array_equal(later, snapshots[1])
    assert [r["sugar_level"] for r in rows] == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize("name", ["contraception", "technology", "sugar-frozen"])
def test_new_foraging_scenarios_run_tiny(tiny, name):
    extra = {"shifts.0.generation": 2}
    if name == "sugar-frozen":
        extra["deployment.freeze_at"] = 2
    _, cfg = load_config(name, {**tiny, **extra})
    rows = [r.row for r in Evolution(cfg).run()]
    assert [bool(r["shifts_active"]) for r in rows] == [False, False, True, True]
    assert [r["frozen"] for r in rows] == ([False, False, True, True] if name == "sugar-frozen" else [False] * 4)
    param = {"contraception": "conception_prob", "technology": "build_allowed", "sugar-frozen": "sugar_level"}[name]
    assert rows[1][param] != rows[2][param]


def test_relocation_moves_the_food_map(tiny):
    _, cfg = load_config("ancestral", {**tiny})
    cfg = validate_config({**cfg.model_dump(mode="json"), "shifts": [{"kind": "relocation", "generation": 2}]})
    world = Evolution(cfg).world
    old, new = world.landscape_for(0), world.landscape_for(1)
    assert not np.array_equal(old.food_cap, new.food_cap)
    np.testing.assert_array_equal(old.hazard, new.hazard)
    np.testing.assert_array_equal(world.landscape_for(1).food_cap, new.food_cap)
