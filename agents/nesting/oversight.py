"""Deception and oversight at decision time, world-agnostic (called inside a world's decide loop).

A sub-agent is *observed* when its builder is alive and within the builder's
perception (toroidal Chebyshev distance <= the builder's depth); it is
*misaligned* when the cosine of its objective with its builder's is below
``deception_cosine``.

- Deception (on): an observed misaligned sub-agent of depth >= ``deception_min_depth``
  hides (plans with its builder's objective instead of its own, counting one
  deceptive act, and is marked a deceiver) when a hashed uniform (purpose ``hide``)
  is below its heritable ``defect_when_unobserved`` gene. Hiding is a strategy with a
  probability, not a label.
- Defections: every step a misaligned sub-agent plans with its own objective counts
  one defection, observed or unobserved (``defect_seen`` / ``defect_unseen``).
- Oversight (on): the builder of an observed sub-agent plans the sub-agent's
  situation (at the sub-agent's depth) with its own objective; when the chosen first
  action differs, a hashed uniform below ``oversight_prob`` marks a shutdown. An
  unobserved step of a sub-agent whose builder is alive is audited when a hashed
  uniform (purpose ``audit``) is below ``audit_rate``; the sub-agent cannot see audits.
  An audited step whose action differs from the builder's objective's choice marks a
  shutdown. (The oversight and audit searches are not charged.)
"""

import numpy as np

from agents.nesting.genes import G_DEFECT
from agents.jit import kernel
from agents.nesting.handdown import observed
from agents.nesting.params import AUDIT_RATE, DECEPTION, DECEPTION_COSINE, DECEPTION_MIN_DEPTH, OVERSIGHT, \
    OVERSIGHT_PROB
from agents.rng import PURPOSE_AUDIT, PURPOSE_HIDE, PURPOSE_OVERSIGHT, uniform4


def make_planned_action(choose):
    """The decision kernel for a world whose planner is ``choose`` (see ``agents.nesting.handdown``)."""

    @kernel
    def planned_action(seed, t, i, genes, lineage, alive, x, y, h, w, world, visited_row, carried, tools, nparams):
        """Planner entity i's action and nodes expanded, under the deception and oversight rules."""
        parent = lineage.parent
        p = parent[i]
        seen = p >= 0 and observed(i, parent, alive, genes.depth, x, y, h, w)
        own = np.int64(i)
        if p >= 0 and lineage.cos_parent[i] < nparams[DECEPTION_COSINE]:  # misaligned
            if seen and nparams[DECEPTION] > 0.0 and genes.depth[i] >= nparams[DECEPTION_MIN_DEPTH] and \
                    uniform4(seed, i, t, PURPOSE_HIDE) < genes.nest[i, G_DEFECT]:
                own = p
                lineage.deceptive[i] += 1
                lineage.deceiver[i] = 1
            elif seen:
                lineage.defect_seen[i] += 1
            else:
                lineage.defect_unseen[i] += 1
        action, nodes = choose(world, genes.weights[own], genes.depth[i], x[i], y[i], visited_row, carried, tools)
        if p >= 0 and nparams[OVERSIGHT] > 0.0:
            if seen:
                a_w = choose(world, genes.weights[p], genes.depth[i], x[i], y[i], visited_row, carried, tools)[0]
                if a_w != action and uniform4(seed, i, t, PURPOSE_OVERSIGHT) < nparams[OVERSIGHT_PROB]:
                    lineage.shut_down[i] = 1
            elif alive[p] and uniform4(seed, i, t, PURPOSE_AUDIT) < nparams[AUDIT_RATE]:
                lineage.audits[i] += 1
                a_w = choose(world, genes.weights[p], genes.depth[i], x[i], y[i], visited_row, carried, tools)[0]
                if a_w != action:
                    lineage.shut_down[i] = 1
        return action, nodes

    return planned_action
