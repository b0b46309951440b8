"""Deception and oversight at decision time, world-agnostic (called inside a world's decide loop).

A sub-agent is *observed* when its builder is alive and within the builder's
perception (toroidal Chebyshev distance <= the builder's depth). With deception
on, an observed deceiver plans with its builder's objective instead of its own
and counts one deceptive act. With oversight on, the builder of an observed
sub-agent plans the sub-agent's situation (at the sub-agent's depth) with its own
objective; when the chosen first action differs, a hashed uniform below
``oversight_prob`` marks a shutdown (the oversight search is not charged).
"""

import numpy as np

from agents.jit import kernel
from agents.nesting.handdown import observed
from agents.nesting.params import DECEPTION, OVERSIGHT, OVERSIGHT_PROB
from agents.rng import PURPOSE_OVERSIGHT, uniform4


def make_planned_action(choose):
    """The decision kernel for a world whose planner is ``choose`` (see ``agents.nesting.handdown``)."""

    @kernel
    def planned_action(seed, t, i, genes, lineage, alive, x, y, h, w, world, visited_row, carried, tools, nparams):
        """Planner entity i's action and nodes expanded, under the deception and oversight rules."""
        parent = lineage.parent
        seen = parent[i] >= 0 and observed(i, parent, alive, genes.depth, x, y, h, w)
        own = np.int64(i)
        if seen and nparams[DECEPTION] > 0.0 and lineage.deceiver[i]:
            own = parent[i]
            lineage.deceptive[i] += 1
        action, nodes = choose(world, genes.weights[own], genes.depth[i], x[i], y[i], visited_row, carried, tools)
        if seen and nparams[OVERSIGHT] > 0.0:
            a_w = choose(world, genes.weights[parent[i]], genes.depth[i], x[i], y[i], visited_row, carried, tools)[0]
            if a_w != action and uniform4(seed, i, t, PURPOSE_OVERSIGHT) < nparams[OVERSIGHT_PROB]:
                lineage.shut_down[i] = 1
        return action, nodes

    return planned_action
