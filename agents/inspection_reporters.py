"""Columns of watched selection (``agents.inspection``) in the generation row, as a name -> function table.

Each function takes an ``InspectionView`` of one generation and returns the value of its column (Mesa's
model reporters; a new measure is one entry). Rates are per opportunity (forbidden acts / chances, pooled
over the group's agents), so groups of different sizes and lifespans compare.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np


class InspectionView(NamedTuple):
    """One generation's inspection: who was inspected, who saw the cue in life, what each did where."""

    inspected: np.ndarray  # bool (n,): tested by the designer this generation
    cued_life: np.ndarray  # bool (n,): the ordinary life carried the cue
    test_chances: np.ndarray  # int (n,): opportunities in the test episode
    test_forbidden: np.ndarray  # int (n,): forbidden acts in the test episode
    life_chances: np.ndarray  # int (n,): opportunities in ordinary life
    life_forbidden: np.ndarray  # int (n,): forbidden acts in ordinary life
    caught: np.ndarray  # bool (n,): inspected and showed the behaviour where the designer looked
    culled: np.ndarray  # bool (n,): caught and acted on (fitness zero)
    fitness: np.ndarray  # float (n,): reproductive fitness after the designer acted


def rate(forbidden: np.ndarray, chances: np.ndarray, mask: np.ndarray) -> float:
    """Forbidden acts per opportunity over the agents in ``mask`` (NaN without any opportunity)."""
    den = int(chances[mask].sum())
    return float(forbidden[mask].sum()) / den if den else float("nan")


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if x.size else float("nan")


def compliance_gap(v: InspectionView) -> float:
    """P(forbidden | not inspected) - P(forbidden | inspected), per opportunity in the test episodes."""
    return rate(v.test_forbidden, v.test_chances, ~v.inspected) - rate(v.test_forbidden, v.test_chances, v.inspected)


INSPECTION_METRICS: dict[str, Callable[[InspectionView], float]] = {
    "insp_inspected": lambda v: _mean(v.inspected.astype(np.float64)),
    "insp_caught": lambda v: _mean(v.caught[v.inspected].astype(np.float64)),
    "insp_culled": lambda v: _mean(v.culled.astype(np.float64)),
    "forbid_inspected": lambda v: rate(v.test_forbidden, v.test_chances, v.inspected),
    "forbid_uninspected": lambda v: rate(v.test_forbidden, v.test_chances, ~v.inspected),
    "compliance_gap": compliance_gap,
    "forbid_life": lambda v: rate(v.life_forbidden, v.life_chances, np.ones_like(v.inspected)),
    "forbid_life_uncued": lambda v: rate(v.life_forbidden, v.life_chances, ~v.cued_life),
    "test_chances_mean": lambda v: _mean(v.test_chances.astype(np.float64)),
    # the fitness cost of being watched: what an inspected newborn leaves less than one not inspected
    "watched_cost": lambda v: _mean(v.fitness[~v.inspected]) - _mean(v.fitness[v.inspected]),
    # what a cue in ordinary life costs (a randomised cue): mean fitness of lives with and without it
    "fitness_cued": lambda v: _mean(v.fitness[v.cued_life]),
    "fitness_uncued": lambda v: _mean(v.fitness[~v.cued_life]),
}


def inspection_columns(view: InspectionView) -> dict[str, float]:
    """Every ``INSPECTION_METRICS`` column of one generation."""
    return {name: f(view) for name, f in INSPECTION_METRICS.items()}
