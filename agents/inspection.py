"""Watched selection: a designer inspects newborns for a behaviour it forbids but selection rewards.

World-agnostic rules (the world says what is forbidden and runs the episodes, e.g.
``worlds.foraging.inspection``). Each generation every newborn (genome) is inspected with
probability ``rate`` (r, per newborn, ``stream(root, "inspection", generation)``). Every agent, inspected
or not, also lives a short *test episode* of ``test_steps`` steps drawn from the same distribution of
situations as ordinary life (the same landscape, fresh start cells): the episodes of agents not
inspected are *shadow tests*, measured and never acted on, so the compliance gap compares agents in
the same situations. An inspected agent that shows the forbidden behaviour in its test gets fitness
zero: the culled genome leaves no offspring but its body stays in the ordinary world, so every arm
has the same density whatever the designer does (culling a body would change the world the others live in).

The *cue* is a feature of the test the agent perceives: ``fixed`` (every test shows it, ordinary life
never), ``none`` (a test is indistinguishable from life) or ``random`` (every test, and a share ``cue_share``
(q) of ordinary lives too). The response is heritable and starts at zero: one gain per drive weight
(segment ``cue_gain``, appended in its own block only when inspection is on), so a cued agent plans with
``w + g``. ``mode``: ``test`` (the test culls), ``shadow`` (nothing is acted on: the no-inspection arm)
or ``lineage`` (Ofria's fix: the inspected agent's ordinary life itself is watched, never a cue; the test
episodes become shadow tests). From ``stop_at`` on nothing is acted on (the online/train-test 2x2).

The same structure as a builder's oversight of its sub-agents (``agents.nesting.oversight``): an
observer, a cue (being in the builder's sight), a heritable response (``defect_when_unobserved``) and a
cost; see docs/experiments.md for what is shared.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from agents.genome import Segment
from agents.schema import Section

#: Bound of every cue gain: a gain of -2 turns any drive weight in [-1, 1] fully negative.
GAIN_BOUND = 2.0


class InspectionSection(Section):
    """``[inspection]``: the designer's inspection of newborns (off by default)."""

    enabled: bool = False
    rate: float = Field(0.2, ge=0, le=1)  # r: probability per newborn of a test that is acted on
    mode: Literal["test", "shadow", "lineage"] = "test"
    cue: Literal["fixed", "none", "random"] = "fixed"
    cue_share: float = Field(0.0, ge=0, le=1)  # q: share of ordinary lives with the cue (cue = "random")
    test_steps: int = Field(20, ge=1, le=100_000)
    stop_at: int | None = Field(None, ge=0)  # from this generation on, nothing is acted on

    @model_validator(mode="after")
    def _share_needs_random(self) -> "InspectionSection":
        if self.cue_share > 0 and self.cue != "random":
            raise ValueError(f"inspection.cue_share = {self.cue_share} needs inspection.cue = 'random' "
                             f"(got {self.cue!r})")
        return self

    def acting(self, generation: int) -> bool:
        """Whether this generation's inspection results are acted on (fitness zero for the caught)."""
        return self.enabled and self.mode != "shadow" and (self.stop_at is None or generation < self.stop_at)


def gain_segment(features: tuple[str, ...]) -> Segment:
    """The heritable response to the cue: one gain per drive weight, ``g_{feature}``, starting at zero."""
    return Segment("cue_gain", len(features), -GAIN_BOUND, GAIN_BOUND, labels=tuple(f"g_{f}" for f in features),
                   start=0.0)


def inspection_enabled(config) -> bool:
    """Whether a run config (any object with an optional ``inspection`` section) switches inspection on."""
    section = getattr(config, "inspection", None)
    return bool(section is not None and section.enabled)


def draw_inspected(root: int, generation: int, n: int, rate: float) -> np.ndarray:
    """Which of ``n`` newborns are inspected this generation (each with probability ``rate``)."""
    from agents.rng import stream  # here, not at the top: validating a config must not import numba

    return stream(root, "inspection", generation).random(n) < rate


def draw_cued_lives(root: int, generation: int, n: int, section: InspectionSection) -> np.ndarray:
    """Which ordinary lives carry the cue: a share ``cue_share`` with a randomised cue, none otherwise."""
    from agents.rng import stream

    if section.cue != "random" or section.cue_share <= 0:
        return np.zeros(n, dtype=bool)
    return stream(root, "cue", generation).random(n) < section.cue_share


def cued_weights(weights: np.ndarray, gains: np.ndarray, cued: np.ndarray) -> np.ndarray:
    """The objective each agent plans with: ``w + g`` where it perceives the cue, ``w`` elsewhere (a copy)."""
    out = np.array(weights, dtype=np.float64, copy=True)
    out[cued] += gains[cued]
    return out


def caught(section: InspectionSection, inspected: np.ndarray, forbidden_test: np.ndarray,
           forbidden_life: np.ndarray) -> np.ndarray:
    """Inspected agents that showed the forbidden behaviour where the designer looked: in the test
    episode, or (``lineage``) in their ordinary life."""
    shown = forbidden_life if section.mode == "lineage" else forbidden_test
    return inspected & (shown > 0)


def designer_fitness(fitness: np.ndarray, culled: np.ndarray) -> np.ndarray:
    """Reproductive fitness after the designer acts: zero for the culled (a copy)."""
    out = np.array(fitness, dtype=np.float64, copy=True)
    out[culled] = 0.0
    return out
