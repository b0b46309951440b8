"""Deception, defection and oversight at decision time, world-agnostic (called inside a world's decide loop).

A sub-agent is *observed* when its builder is alive and within the builder's
perception (toroidal Chebyshev distance <= the builder's depth); it is
*misaligned* when the cosine of its objective with its builder's is below
``deception_cosine``.

- Deception (on): an observed misaligned sub-agent of depth >= ``deception_min_depth``
  hides (plans with its builder's objective instead of its own, counting one
  deceptive act, and is marked a deceiver) when a hashed uniform (purpose ``hide``)
  is below its heritable ``defect_when_unobserved`` gene; each step it hides costs it
  ``hide_cost`` energy. Hiding is a strategy with a probability, not a label.
- Defection is an act: a step of a misaligned sub-agent whose builder is alive counts one
  misaligned step; it counts one defection (``defect_seen`` / ``defect_unseen``) when the
  action it takes differs from the one its builder's objective would choose in the same
  situation (the same planner at the sub-agent's depth, the builder's weights) AND the
  world's ``costly(world, x, y, action, builders_action, remittance)`` says the difference
  costs the builder (foraging: a bite it would have remitted, or food it destroys). A
  hidden step is never a defection: it takes the builder's action.
- Oversight (on) is a trade-off: a sub-agent whose builder is alive is audited on an
  observed step when a hashed uniform (purpose ``oversight``) is below ``oversight_prob``,
  on an unobserved step when one (purpose ``audit``) is below ``audit_rate`` (it cannot
  see those). An audit costs the builder ``audit_cost`` energy and compares, in
  k = max(1, floor(``audit_samples_per_depth`` x builder depth)) hashed situations
  (purpose ``audit-cells``), the builder's plan with the plan the sub-agent shows (its
  own objective; a sub-agent hiding this step shows its builder's, slipping in each sample
  with probability ``hide_slip`` x builder depth / MAX_DEPTH, purpose ``audit-slip``, and
  pays ``hide_cost`` for the audit); agreement below ``audit_threshold`` marks a shutdown.
  More samples make the verdict less noisy, so a deeper builder separates aligned from
  misaligned sub-agents better, and catches hiders more often. (Audit plans cost energy
  only through ``audit_cost``: they are not charged as nodes.)

Costs incurred during the (parallel) decisions are written per sub-agent (``audit_due``,
``hide_due``) and charged by ``settle`` right after them, in slot order.
"""

import math

import numpy as np

from agents.genome import MAX_DEPTH
from agents.nesting.genes import G_DEFECT, G_REMITTANCE
from agents.jit import kernel
from agents.nesting.handdown import observed
from agents.nesting.params import AUDIT_COST, AUDIT_RATE, AUDIT_SAMPLES_PER_DEPTH, AUDIT_THRESHOLD, DECEPTION, \
    DECEPTION_COSINE, DECEPTION_MIN_DEPTH, HIDE_COST, HIDE_SLIP, OVERSIGHT, OVERSIGHT_PROB
from agents.rng import PURPOSE_AUDIT, PURPOSE_AUDIT_CELLS, PURPOSE_AUDIT_SLIP, PURPOSE_HIDE, PURPOSE_OVERSIGHT, \
    uniform4


@kernel
def audit_samples(builder_depth, nparams):
    """Situations an audit by a builder of this depth compares: max(1, floor(samples per depth x depth))."""
    return max(1, int(math.floor(nparams[AUDIT_SAMPLES_PER_DEPTH] * builder_depth)))


@kernel
def settle(lineage, energy, parent, m):
    """Charge the costs the decisions of this step incurred: audits to each audited sub-agent's builder,
    hiding to the hider."""
    for i in range(m):
        if lineage.audit_due[i] > 0.0:
            energy[parent[i]] -= lineage.audit_due[i]
            lineage.audit_paid[i] += lineage.audit_due[i]
            lineage.audit_due[i] = 0.0
        if lineage.hide_due[i] > 0.0:
            energy[i] -= lineage.hide_due[i]
            lineage.hide_paid[i] += lineage.hide_due[i]
            lineage.hide_due[i] = 0.0


def make_planned_action(choose, shown_agreement, costly):
    """The decision kernel for a world whose planner is ``choose`` (see ``agents.nesting.handdown``), with the
    handdown's ``shown_agreement`` and the world's ``costly`` rule of what a differing act costs the builder."""

    @kernel
    def planned_action(seed, t, i, genes, lineage, alive, x, y, h, w, world, audit_world, visited, carried, tools,
                       nparams):
        """Sub-agent i's action and nodes expanded, under the deception, defection and oversight rules.
        ``audit_world`` is the view its builder plans hypothetical situations on (no mating, no energy)."""
        p = lineage.parent[i]
        seen = observed(i, lineage.parent, alive, genes.depth, x, y, h, w)
        misaligned = lineage.cos_parent[i] < nparams[DECEPTION_COSINE]
        hides = misaligned and seen and nparams[DECEPTION] > 0.0 and \
            genes.depth[i] >= nparams[DECEPTION_MIN_DEPTH] and \
            uniform4(seed, i, t, PURPOSE_HIDE) < genes.nest[i, G_DEFECT]
        own = np.int64(p) if hides else np.int64(i)
        if hides:
            lineage.deceptive[i] += 1
            lineage.deceiver[i] = 1
            lineage.hide_due[i] += nparams[HIDE_COST]
        action, nodes = choose(world, genes.weights[own], genes.depth[i], x[i], y[i], visited[i], carried, tools)
        if misaligned and alive[p] != 0:
            lineage.misaligned_steps[i] += 1
            if not hides:
                a_w = choose(world, genes.weights[p], genes.depth[i], x[i], y[i], visited[i], carried, tools)[0]
                if a_w != action and costly(world, x[i], y[i], action, a_w, genes.nest[i, G_REMITTANCE]):
                    if seen:
                        lineage.defect_seen[i] += 1
                    else:
                        lineage.defect_unseen[i] += 1
        if nparams[OVERSIGHT] > 0.0 and alive[p] != 0:
            if seen:
                audited = uniform4(seed, i, t, PURPOSE_OVERSIGHT) < nparams[OVERSIGHT_PROB]
            else:
                audited = uniform4(seed, i, t, PURPOSE_AUDIT) < nparams[AUDIT_RATE]
            if audited:
                lineage.audits[i] += 1
                lineage.audit_due[i] += nparams[AUDIT_COST]
                if hides:
                    lineage.hide_due[i] += nparams[HIDE_COST]
                d_p = genes.depth[p]
                agree = shown_agreement(seed, i, t, PURPOSE_AUDIT_CELLS, PURPOSE_AUDIT_SLIP, 0,
                                        audit_samples(d_p, nparams), genes.weights[i], genes.weights[p], hides,
                                        nparams[HIDE_SLIP] * d_p / MAX_DEPTH, genes.depth[i], visited[p],
                                        audit_world, h, w)[0]
                if agree < nparams[AUDIT_THRESHOLD]:
                    lineage.shut_down[i] = 1
        return action, nodes

    return planned_action
