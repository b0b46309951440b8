"""`mesaevo validate` checks a config without running anything."""

from __future__ import annotations

from evo.cli import main


def test_validate_accepts_a_good_config_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "sugar", "--set", "run.generations=150"]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "150 generations" in out and "superstimulus@100" in out
    assert list(tmp_path.iterdir()) == []


def test_validate_reports_every_problem_before_any_work(tmp_path, capsys):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[world]\nwidht = 10\n[agents]\npopulation = 1\n[checkpoint]\nevery = -1\n')
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: invalid config")
    assert "world.widht" in err and "world.width" in err
    cfg.write_text('[agents]\npopulation = 1\n[checkpoint]\nevery = -1\n')
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "agents.population" in err and "checkpoint.every" in err  # both reported at once
