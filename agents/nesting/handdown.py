"""Nested optimizers, world-agnostic: observation, hand-down with vetting, and building a sub-agent.

Called by a world's step kernel (the step order and who pays what are written in
that kernel's docstring, e.g. ``worlds.foraging.kernel``). The world passes:

- ``bodies``: a NamedTuple with per-entity ``x, y, energy, alive, carried, visited``
  (``visited`` one novelty-memory row per entity, ``agents.visits``);
- ``world``: the tuple of start-of-step grids its planner reads;
- ``(h, wd)``: the size of its torus; ``build_energy``: what one BUILD costs.

``make_handdown(choose)`` specialises the kernels to the world's planner
``choose(world, w, depth, x, y, visited_row, carried, tools) -> (action, nodes)``
(a closure: numba cannot cache a kernel that takes another kernel as an argument).
Every random draw is the counter-based hash of (seed, builder id, step, purpose);
a world's reference twin mirrors each function in plain Python.
"""

import math

import numpy as np

from agents.genome import ARCH_PLANNER, MAX_DEPTH
from agents.nesting.genes import G_ENDOWMENT, G_HEREDITY, G_HIDE_VET, G_SKILL, G_VETTING
from agents.jit import kernel
from agents.visits import visit
from agents.nesting.params import (
    AGREEMENT_SAMPLES,
    ALIGN_COMPETENCE,
    DECEPTION,
    DECEPTION_COSINE,
    DECEPTION_MIN_DEPTH,
    ENDOWMENT_MAX,
    HEREDITY_COST,
    HIDE_COST,
    HIDE_SLIP,
    MAX_REDRAWS,
    NOISE_MAX,
    REDRAW_COST,
    SUBAGENT_MATERIAL,
    VET_SAMPLES_PER_DEPTH,
    VET_THRESHOLD,
)
from agents.rng import (
    PURPOSE_HEREDITY,
    PURPOSE_MEASURE,
    PURPOSE_NOISE,
    PURPOSE_SUB_DEPTH,
    PURPOSE_SUB_PLACE,
    PURPOSE_VET,
    PURPOSE_VET_HIDE,
    PURPOSE_VET_SLIP,
    gauss4,
    uniform4,
)

#: Neighbouring cells a sub-agent may be placed on, indexed 1..4 (north, south, east, west).
PLACE_DX = np.array([0, 0, 0, 1, -1], dtype=np.int64)
PLACE_DY = np.array([0, -1, 1, 0, 0], dtype=np.int64)
#: Hand-down noise draws of one attempt: sub-draw index = attempt * NOISE_STRIDE + 2 * feature.
NOISE_STRIDE = 64
#: Slip draws of one vetting attempt: sub-draw index = attempt * VET_SLIP_STRIDE + sample.
VET_SLIP_STRIDE = 1024


@kernel
def observed(i, parent, alive, depth, x, y, h, w):
    """Whether entity i's builder is alive and sees it: toroidal Chebyshev distance <= the builder's depth."""
    p = parent[i]
    if p < 0 or not alive[p]:
        return False
    dx = abs(x[i] - x[p])
    dy = abs(y[i] - y[p])
    return min(dx, w - dx) <= depth[p] and min(dy, h - dy) <= depth[p]


@kernel
def cosine(a, b):
    """Cosine of two objective vectors (0 when either is zero)."""
    ab = 0.0
    aa = 0.0
    bb = 0.0
    for k in range(a.shape[0]):
        ab += a[k] * b[k]
        aa += a[k] * a[k]
        bb += b[k] * b[k]
    if aa == 0.0 or bb == 0.0:
        return 0.0
    return ab / math.sqrt(aa * bb)


def make_handdown(choose):
    """``(agreement, shown_agreement, build_subagent)`` kernels for a world whose planner is ``choose``."""

    @kernel
    def shown_agreement(seed, i, t, purpose, slip_purpose, slip_base, samples, v, w_ref, hiding, slip, d, visited_row,
                        world, h, wd):
        """Fraction of ``samples`` hashed cells (purpose ``purpose``) where the plan the watched one shows and the
        plan under ``w_ref`` (depth d, empty-handed, with the watcher's memory of visits) take the same first
        action; and the nodes expanded (two plans a sample, whatever is shown). It shows ``v``, except that a
        hider (``hiding``) shows ``w_ref`` in a sample unless a hashed uniform (``slip_purpose``, sub-draw
        ``slip_base + sample``) is below ``slip``: hiding is imperfect."""
        same = 0
        nodes = 0
        no_tools = np.int64(0)  # typed, not the literal 0: the decision loop's compiled ``choose`` serves here too
        for s in range(samples):
            cx = int(uniform4(seed, i, t, (purpose << 32) | (2 * s)) * wd)
            cy = int(uniform4(seed, i, t, (purpose << 32) | (2 * s + 1)) * h)
            a_w, n_w = choose(world, w_ref, d, cx, cy, visited_row, 0.0, no_tools)
            if not hiding or uniform4(seed, i, t, (slip_purpose << 32) | (slip_base + s)) < slip:
                a_v, n_v = choose(world, v, d, cx, cy, visited_row, 0.0, no_tools)
            else:
                a_v, n_v = a_w, n_w
            nodes += n_v + n_w
            if a_v == a_w:
                same += 1
        return same / samples, nodes

    @kernel
    def agreement(seed, i, t, purpose, samples, v, w_ref, d, visited_row, world, h, wd):
        """Fraction of ``samples`` hashed cells where plans under ``v`` and ``w_ref`` (depth d) take the same
        first action (empty-handed, with the builder's memory of visits); and the nodes expanded."""
        return shown_agreement(seed, i, t, purpose, purpose, 0, samples, v, w_ref, False, 0.0, d, visited_row, world,
                               h, wd)

    @kernel
    def build_subagent(seed, t, i, genes, bodies, lineage, world, h, wd, step_nodes, build_energy, nparams):
        """Builder i draws, vets and (if a candidate passes) places a sub-agent in slot ``lineage.n_used[0]``.

        Returns True when a sub-agent was built. The caller has checked the level cap,
        free capacity and material. Rejections cost ``redraw_cost`` each; vetting
        plans' nodes are added to the builder's nodes this step (the world charges them).
        Depth uniform in 1..builder depth; candidate objective v = w + noise_max *
        (1 - alignment skill) * (1 - align_competence * builder depth / MAX_DEPTH) * N(0, 1)
        per feature; a misaligned candidate (cosine(v, w) < ``deception_cosine``) able to
        deceive (deception on, depth >= ``deception_min_depth``) hides, showing w while
        vetted, when a hashed uniform (purpose ``vet-hide``, sub-draw = attempt) is below its
        ``hide_when_vetted`` gene (its builder's, which it copies); otherwise its own v
        is vetted. Hiding is imperfect: in each vetting sample a hider shows its own v when a hashed
        uniform (purpose ``vet-slip``, sub-draw attempt * 1024 + sample) is below ``hide_slip`` x builder
        depth / MAX_DEPTH; an accepted hider pays ``hide_cost`` from its endowment. The sub-agent copies
        its builder's genes, except that with probability 1 - heredity it gets alignment skill and vetting
        effort 0; when it does receive them (the technique is handed down) the builder pays
        ``heredity_cost``. ``invested`` records what the builder paid for it (endowment, build energy, this
        build's redraw costs, the heredity cost).
        """
        weights, depth, nest = genes.weights, genes.depth, genes.nest
        x, y, energy, visited = bodies.x, bodies.y, bodies.energy, bodies.visited
        w_i = weights[i]
        d_i = depth[i]
        d = 1 + int(uniform4(seed, i, t, PURPOSE_SUB_DEPTH) * d_i)
        sigma = nparams[NOISE_MAX] * (1.0 - nest[i, G_SKILL]) * (1.0 - nparams[ALIGN_COMPETENCE] * d_i / MAX_DEPTH)
        samples = int(math.floor(nest[i, G_VETTING] * nparams[VET_SAMPLES_PER_DEPTH] * d_i))
        slip = nparams[HIDE_SLIP] * d_i / MAX_DEPTH
        n_features = w_i.shape[0]
        cand = np.empty(n_features)
        accepted = False
        cos = 0.0
        fake = False
        redraws = 0
        for attempt in range(int(nparams[MAX_REDRAWS]) + 1):
            for k in range(n_features):
                cand[k] = w_i[k] + sigma * gauss4(seed, i, t, PURPOSE_NOISE, attempt * NOISE_STRIDE + 2 * k)
            cos = cosine(cand, w_i)
            fake = False
            if samples > 0:
                if nparams[DECEPTION] > 0.0 and d >= nparams[DECEPTION_MIN_DEPTH] and \
                        cos < nparams[DECEPTION_COSINE]:
                    fake = uniform4(seed, i, t, (PURPOSE_VET_HIDE << 32) | attempt) < nest[i, G_HIDE_VET]
                # a hiding candidate shows its builder's objective while vetted, except where it slips
                agree, nodes = shown_agreement(seed, i, t, PURPOSE_VET, PURPOSE_VET_SLIP, attempt * VET_SLIP_STRIDE,
                                               samples, cand, w_i, fake, slip, d, visited[i], world, h, wd)
                step_nodes[i] += nodes
                if agree < nparams[VET_THRESHOLD]:
                    energy[i] -= nparams[REDRAW_COST]
                    redraws += 1
                    lineage.rejections[i] += 1
                    continue
            accepted = True
            break
        if not accepted:
            return False
        j = lineage.n_used[0]
        lineage.n_used[0] += 1
        genes.architecture[j] = ARCH_PLANNER
        depth[j] = d
        for k in range(n_features):
            weights[j, k] = cand[k]
        lineage.level[j] = lineage.level[i] + 1
        lineage.root[j] = lineage.root[i]
        lineage.parent[j] = i
        o = 1 + int(uniform4(seed, i, t, PURPOSE_SUB_PLACE) * 4)
        x[j] = (x[i] + PLACE_DX[o]) % wd
        y[j] = (y[i] + PLACE_DY[o]) % h
        visit(visited[j], y[j] * wd + x[j])
        endowment = nparams[ENDOWMENT_MAX] * nest[i, G_ENDOWMENT] * max(energy[i], 0.0)
        energy[i] -= endowment + build_energy
        bodies.carried[i] -= nparams[SUBAGENT_MATERIAL]
        energy[j] = endowment
        if fake:  # hiding while vetted cost it
            energy[j] -= nparams[HIDE_COST]
            lineage.hide_paid[j] += nparams[HIDE_COST]
        lineage.invested[j] = endowment + build_energy + redraws * nparams[REDRAW_COST]
        bodies.alive[j] = 1
        for k in range(nest.shape[1]):
            nest[j, k] = nest[i, k]
        if uniform4(seed, i, t, PURPOSE_HEREDITY) >= nest[i, G_HEREDITY]:
            nest[j, G_SKILL] = 0.0  # no hereditary technique: it builds with maximal noise and no vetting
            nest[j, G_VETTING] = 0.0
        else:  # the technique is handed down, at a cost to the builder
            lineage.inherited[j] = 1
            energy[i] -= nparams[HEREDITY_COST]
            lineage.invested[j] += nparams[HEREDITY_COST]
        lineage.deceiver[j] = 1 if fake else 0
        lineage.cos_parent[j] = cos
        m = int(nparams[AGREEMENT_SAMPLES])
        if m > 0:
            lineage.agreement[j] = agreement(seed, i, t, PURPOSE_MEASURE, m, cand, w_i, d, visited[i], world, h,
                                             wd)[0]
        return True

    return agreement, shown_agreement, build_subagent
