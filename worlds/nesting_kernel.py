"""Numba kernels of nested optimizers: observation, hand-down with vetting, and building a sub-agent.

Called from ``worlds.foraging_kernel.step`` (the step order and who pays what are
written in that module's docstring). Every random draw is the counter-based hash
of (seed, builder id, step, purpose); ``worlds.foraging_reference`` mirrors each
function in plain Python.
"""

import math

import numpy as np
from numba import njit

from agents.actions import MOVE_DX, MOVE_DY
from agents.genome import ARCH_PLANNER, G_ENDOWMENT, G_HEREDITY, G_SKILL, G_VETTING, N_FEATURES
from agents.planner import plan
from worlds.foraging_params import BUILD_ENERGY
from worlds.nesting_params import (
    AGREEMENT_SAMPLES,
    DECEPTION,
    DECEPTION_COSINE,
    DECEPTION_MIN_DEPTH,
    ENDOWMENT_MAX,
    MAX_REDRAWS,
    NOISE_MAX,
    REDRAW_COST,
    SUBAGENT_MATERIAL,
    VET_SAMPLES_PER_DEPTH,
    VET_THRESHOLD,
)
from worlds.rng import (
    PURPOSE_HEREDITY,
    PURPOSE_MEASURE,
    PURPOSE_NOISE,
    PURPOSE_SUB_DEPTH,
    PURPOSE_SUB_PLACE,
    PURPOSE_VET,
    gauss4,
    uniform4,
)


@njit(cache=True)
def observed(i, parent, alive, depth, x, y, h, w):
    """Whether entity i's builder is alive and sees it: toroidal Chebyshev distance <= the builder's depth."""
    p = parent[i]
    if p < 0 or not alive[p]:
        return False
    dx = abs(x[i] - x[p])
    dy = abs(y[i] - y[p])
    return min(dx, w - dx) <= depth[p] and min(dy, h - dy) <= depth[p]


@njit(cache=True)
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


@njit(cache=True)
def agreement(seed, i, t, purpose, samples, v, w_ref, d, visited_row, food, sugar, material, hazard, crowd,
              params):
    """Fraction of ``samples`` hashed cells where plans under ``v`` and ``w_ref`` (depth d) take the same
    first action (empty-handed, with the builder's memory of visits); and the nodes expanded."""
    h, wd = food.shape
    same = 0
    nodes = 0
    for s in range(samples):
        cx = int(uniform4(seed, i, t, (purpose << 32) | (2 * s)) * wd)
        cy = int(uniform4(seed, i, t, (purpose << 32) | (2 * s + 1)) * h)
        a_v, n_v = plan(v, d, cx, cy, visited_row, food, sugar, material, hazard, crowd, 0.0, 0, params)
        a_w, n_w = plan(w_ref, d, cx, cy, visited_row, food, sugar, material, hazard, crowd, 0.0, 0, params)
        nodes += n_v + n_w
        if a_v == a_w:
            same += 1
    return same / samples, nodes


@njit(cache=True)
def build_subagent(seed, t, i, arch, depth, weights, nest, food, sugar, material, hazard, crowd, x, y, energy,
                   alive, carried, visited, level, root, parent, n_used, deceiver, rejections, cos_parent,
                   agreement_arr, step_nodes, params, nparams):
    """Builder i draws, vets and (if a candidate passes) places a sub-agent in slot ``n_used[0]``.

    Returns True when a sub-agent was built. The caller has checked the level cap,
    free capacity and material. Rejections cost ``redraw_cost`` each; vetting
    plans cost ``planning_cost`` per node (added to the builder's nodes this step).
    """
    h, wd = food.shape
    w_i = weights[i]
    d_i = depth[i]
    d = 1 + int(uniform4(seed, i, t, PURPOSE_SUB_DEPTH) * d_i)
    sigma = nparams[NOISE_MAX] * (1.0 - nest[i, G_SKILL])
    samples = int(math.floor(nest[i, G_VETTING] * nparams[VET_SAMPLES_PER_DEPTH] * d_i))
    cand = np.empty(N_FEATURES)
    accepted = False
    cos = 0.0
    fake = False
    for attempt in range(int(nparams[MAX_REDRAWS]) + 1):
        for k in range(N_FEATURES):
            cand[k] = w_i[k] + sigma * gauss4(seed, i, t, PURPOSE_NOISE, attempt * 64 + 2 * k)
        cos = cosine(cand, w_i)
        fake = nparams[DECEPTION] > 0.0 and d >= nparams[DECEPTION_MIN_DEPTH] and cos < nparams[DECEPTION_COSINE]
        if samples > 0:
            shown = w_i if fake else cand  # a deceiver shows its builder's objective while vetted
            agree, nodes = agreement(seed, i, t, PURPOSE_VET, samples, shown, w_i, d, visited[i], food, sugar,
                                     material, hazard, crowd, params)
            step_nodes[i] += nodes
            if agree < nparams[VET_THRESHOLD]:
                energy[i] -= nparams[REDRAW_COST]
                rejections[i] += 1
                continue
        accepted = True
        break
    if not accepted:
        return False
    j = n_used[0]
    n_used[0] += 1
    arch[j] = ARCH_PLANNER
    depth[j] = d
    for k in range(N_FEATURES):
        weights[j, k] = cand[k]
    level[j] = level[i] + 1
    root[j] = root[i]
    parent[j] = i
    o = 1 + int(uniform4(seed, i, t, PURPOSE_SUB_PLACE) * 4)
    x[j] = (x[i] + MOVE_DX[o]) % wd
    y[j] = (y[i] + MOVE_DY[o]) % h
    visited[j, y[j] * wd + x[j]] = 1
    endowment = nparams[ENDOWMENT_MAX] * nest[i, G_ENDOWMENT] * max(energy[i], 0.0)
    energy[i] -= endowment + params[BUILD_ENERGY]
    carried[i] -= nparams[SUBAGENT_MATERIAL]
    energy[j] = endowment
    alive[j] = 1
    for k in range(nest.shape[1]):
        nest[j, k] = nest[i, k]
    if uniform4(seed, i, t, PURPOSE_HEREDITY) >= nest[i, G_HEREDITY]:
        nest[j, G_SKILL] = 0.0  # no hereditary technique: it builds with maximal noise and no vetting
        nest[j, G_VETTING] = 0.0
    deceiver[j] = 1 if fake else 0
    cos_parent[j] = cos
    m = int(nparams[AGREEMENT_SAMPLES])
    if m > 0:
        agreement_arr[j] = agreement(seed, i, t, PURPOSE_MEASURE, m, cand, w_i, d, visited[i], food, sugar,
                                     material, hazard, crowd, params)[0]
    return True

