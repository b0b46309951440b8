"""What a new user meets first: readable sweep settings, named genes and shifts, messages that
point at the real problem and path, and report intervals that agree with their estimates."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis import load_sweep

ROOT = Path(__file__).resolve().parents[1]


def test_sweep_tables_setting_is_a_readable_label(tmp_path):
    entries = [{"id": f"r{i}", "setting": i // 2, "overrides": {"deployment.mode": mode, "shifts.0.generation": g},
                "seed": i % 2, "dir": f"runs/r{i}", "status": "pending", "error": None}
               for i, (mode, g) in enumerate([("online", 50), ("online", 50), ("frozen", 20), ("frozen", 20)])]
    (tmp_path / "sweep.json").write_text(json.dumps({"format": 1, "name": "x", "base": "sugar", "set": {},
                                                     "runs": entries}))
    runs = load_sweep(tmp_path).runs
    assert list(runs["setting"]) == ["deployment.mode=online, shifts.0.generation=50"] * 2 + \
        ["deployment.mode=frozen, shifts.0.generation=20"] * 2


def test_readme_names_every_builtin_scenario():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = readme[readme.index("Built-in scenarios"):]
    paragraph = paragraph[:paragraph.index("\n\n")]
    for path in sorted((ROOT / "evo" / "builtin").glob("*.toml")):
        assert f"`{path.stem}`" in paragraph, path.stem


def test_tables_doc_names_every_run_status_and_manifest_key():
    from evo.recorder import STATUSES

    doc = (ROOT / "docs" / "tables.md").read_text(encoding="utf-8")
    manifest = doc[doc.index("`manifest.json`"):doc.index("`generations.parquet`: one row")]
    for status in STATUSES:
        assert f'"{status}"' in manifest and f"`{status}`" in manifest, status
    for key in ("notes", "config_diff", "last_checkpoint", "forked_from"):
        assert f'"{key}"' in manifest or f"`{key}`" in manifest, key


def test_hall_of_fame_columns_are_the_genomes_gene_names(tmp_path):
    import numpy as np

    from worlds.foraging.genome import genome_layout
    from analysis.load import RunTables

    layout = genome_layout()
    names = layout.gene_names()
    assert len(names) == layout.size == len(set(names))
    assert names[layout.scalar_genes()["w_taste"]] == "w_taste"
    assert set(layout.scalar_genes()) <= set(names)
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    np.savez(folder / "ckpt-000003.npz", hof_genomes=np.zeros((2, layout.size)), hof_fitness=np.array([3.0, 1.0]))
    (folder / "ckpt-000003.json").write_text(json.dumps({"generation": 3, "gene_names": names}))
    run = RunTables(tmp_path, {}, pd.DataFrame(), pd.DataFrame())
    hof = run.hall_of_fame()
    assert list(hof.columns) == ["fitness", *names] and "w_taste" in hof.columns


def test_a_shift_appended_with_plus_equals_gets_a_name(capsys):
    from evo.cli import main

    assert main(["config", "sugar", "--set", 'shifts+={kind = "scarcity", generation = 150}']) in (0, None)
    text = capsys.readouterr().out
    assert 'name = "scarcity@150"' in text and 'name = ""' not in text
