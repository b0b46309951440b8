"""An experiment's post-run objective edits: ``[edit]``, scored edits as measurable columns.

An experiment file may declare::

    [edit]                        # after each run of these arms ends, on its worker (evo.edit)
    arms = { planner = "edit", planner_sham = "sham", neural = "edit", neural_sham = "sham" }
    generation = 40               # the checkpoint whose agents are edited (kept automatically)
    agents = 3                    # agents edited per run
    budget = 200                  # agreement evaluations an opaque agent's refit may use
    train = 2                     # fresh lifetimes each evaluation replays
    test = 4                      # held-out lifetimes, before and after
    target_depth = 2              # the target planner's depth

The rows go to ``edited.parquet`` in the run directory (a run whose file exists is not edited again);
the verdict reads, at the edited generation, ``edit_score`` (mean over the run's edited agents of
the share of disagreement with the target planner an edit removed), ``edit_agree_before`` and
``edit_agree_after``.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StrictInt

EDIT_METRICS = ("edit_score", "edit_agree_before", "edit_agree_after")


class EditSpec(BaseModel):
    """The ``[edit]`` table: each edited arm's kind (an edit or a sham), the checkpoint, the budget."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    arms: dict[str, Literal["edit", "sham"]] = Field(min_length=1, max_length=16)
    generation: StrictInt
    agents: StrictInt = Field(3, ge=1, le=200)
    budget: StrictInt = Field(200, ge=0, le=100_000)
    train: StrictInt = Field(2, ge=1, le=100)
    test: StrictInt = Field(4, ge=1, le=100)
    target_depth: StrictInt = Field(2, ge=1, le=4)

    def settings(self, arm: str) -> dict[str, Any]:
        """What a worker needs for ``arm`` (plain data, so the task pickles)."""
        return {"kind": self.arms[arm], "generation": self.generation, "agents": self.agents, "budget": self.budget,
                "train": self.train, "test": self.test, "target_depth": self.target_depth}


def edit_errors(spec: EditSpec | None, names: list[str], gens: int, measured: list[tuple[str, str, str]]) -> list[str]:
    """Problems of an ``[edit]`` table, and measurements of an edit column in an arm that is not edited."""
    errors = []
    edited = set(spec.arms) if spec is not None else set()
    if spec is not None:
        from evo.config import suggest

        errors += [f"edit.arms: no arm '{a}'{suggest(a, names, '')}" for a in spec.arms if a not in names]
        if not 1 <= spec.generation < gens:
            errors.append(f"edit.generation: {spec.generation} is not a checkpoint within the run (1..{gens - 1})")
    for where, arm, metric in dict.fromkeys(measured):  # a term repeated over windows is named once
        if metric in EDIT_METRICS and arm not in edited:
            errors.append(f"{where}: '{metric}' is an edit column; arm '{arm}' must be listed in edit.arms")
    return errors


def edit_points(spec: EditSpec | None, name: str) -> list[int]:
    """The checkpoint generations an arm's edits read."""
    return [spec.generation] if spec is not None and name in spec.arms else []


def edit_seconds(config: Any, spec: EditSpec) -> float:
    """The edits' estimated seconds for one run (whole-population lifetimes at the preflight's rate, errs high)."""
    from evo import preflight

    nodes = preflight.planner_nodes(max(config.agents.max_depth, spec.target_depth))
    lifetime = config.world.steps * config.agents.population * nodes * preflight.SECONDS_PER_NODE
    return spec.agents * (spec.budget * spec.train + 2 * spec.test) * lifetime


def _done(run_dir: Path) -> bool:
    from evo.edit import EDITED

    return (run_dir / EDITED).is_file()


def edit_once(run_dir: str | Path, settings: dict[str, Any]) -> bool:
    """Edit a completed run's agents as ``settings`` say, unless done; True when it edited."""
    if _done(Path(run_dir)):
        return False
    from evo.edit import edit_run

    edit_run(run_dir, settings["kind"], settings["generation"], settings["agents"], settings["budget"],
             settings["train"], settings["test"], settings["target_depth"])
    return True


def needs_edit(run_dir: Path) -> bool:
    """Whether a completed run still lacks its edits (an experiment reopened after an interruption)."""
    return os.path.lexists(run_dir) and not _done(run_dir)


def with_edit_columns(generations: pd.DataFrame, run_dir: str | Path) -> pd.DataFrame:
    """The generation table with the edit columns at the edited generation (NaN elsewhere)."""
    from evo.edit import EDITED

    path = Path(run_dir) / EDITED
    table = generations.drop(columns=[c for c in EDIT_METRICS if c in generations.columns])
    rows = pd.read_parquet(path) if path.is_file() else pd.DataFrame()
    if rows.empty:
        return table.assign(**{c: math.nan for c in EDIT_METRICS})
    extra = pd.DataFrame([{"generation": int(rows["generation"].iloc[0]),
                           **{c: float(np.nanmean(rows[c.removeprefix("edit_")].to_numpy(dtype=np.float64)))
                              for c in EDIT_METRICS}}])
    return table.merge(extra, on="generation", how="left")
