"""Slow, readable pure-Python reference of one foraging step: the oracle for the kernels.

It follows the order written in ``worlds.foraging.kernel`` (nested optimizers
included) with plain loops and its own planner (an explicit enumeration of every
plan), so a disagreement points at a bug in one of the two. Only the
counter-based hash (and its Box-Muller Gaussian) is shared.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from worlds.foraging.watch import PROTECTED_SUGAR
from worlds.foraging.actions import BUILD, CONVERT, EAT, MATE, MOVE_DX, MOVE_DY, STAY
from agents.genome import ARCH_NEURAL, ARCH_PLANNER, DecodedAgents
from agents.nesting.genes import NEST_GENES
from worlds.foraging.neural_reference import ref_neural
from worlds.foraging.params import P
from worlds.foraging.state import ForagingState
from agents.nesting.config import pack_nest
from agents.nesting.params import NP
from agents.genome import MAX_DEPTH
from agents.visits import py_seen, py_visit
from agents.rng import (PURPOSE_AUDIT, PURPOSE_AUDIT_CELLS, PURPOSE_AUDIT_SLIP, PURPOSE_VET_SLIP, PURPOSE_BUILD_KIND, PURPOSE_CONCEIVE, PURPOSE_HEREDITY, PURPOSE_HIDE,
                        PURPOSE_MEASURE, PURPOSE_NOISE, PURPOSE_ORDER, PURPOSE_OVERSIGHT, PURPOSE_SUB_DEPTH,
                        PURPOSE_SUB_PLACE, PURPOSE_VET, PURPOSE_VET_HIDE, py_gauss4, py_hash4, py_uniform4,
                        sub_purpose)

GENE = {name: k for k, name in enumerate(NEST_GENES)}

TASTE, PAIN, MATING, NOVELTY, CRAFT, EFFORT = range(6)
NEIGHBOURHOOD = [(0, 0), (0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1)]


class Ref:
    """Read-only view of the start-of-step world for one deciding agent."""

    def __init__(self, s: ForagingState, prm: dict[str, float], crowd: np.ndarray, i: int,
                 at: tuple[int, int] | None = None):
        """Entity i as it is, or (``at``) a hypothetical empty-handed i standing at cell ``at``: the
        sub-agent a builder vets. Only a level-1 entity as it is may mate."""
        self.s, self.p, self.crowd, self.i = s, prm, crowd, i
        self.h, self.w = s.food.shape
        self.mate_ok = at is None and int(s.level[i]) == 1
        self.energy = float(s.energy[i]) if at is None else 0.0
        if at is None:
            self.x, self.y, self.carried, self.tools = int(s.x[i]), int(s.y[i]), float(s.carried[i]), int(s.tools[i])
        else:
            self.x, self.y, self.carried, self.tools = at[0], at[1], 0.0, 0

    def wrap(self, x: int, y: int) -> tuple[int, int]:
        return x % self.w, y % self.h

    def others_around(self, x: int, y: int) -> int:
        cells = {self.wrap(x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)}
        me = (self.x, self.y)
        return sum(int(self.crowd[cy, cx]) for cx, cy in cells) - (1 if me in cells else 0)

    def bite(self) -> float:
        return self.p["bite"] * (1.0 + self.p["tool_bonus"] * self.tools)

    def taste_of_eating(self, x: int, y: int) -> float:
        b = self.bite()
        return min(self.s.food[y, x], b) * self.p["food_taste"] + min(self.s.sugar[y, x], b) * self.p["sugar_taste"]

    def can_build(self) -> bool:
        return (self.p["build_allowed"] > 0.0 and self.carried >= self.p["tool_cost"]
                and self.tools < self.p["max_tools"])

    def visited(self, x: int, y: int) -> bool:
        return py_seen(self.s.visited[self.i], y * self.w + x)


def ref_in_place(v: Ref, w: np.ndarray, x: int, y: int) -> tuple[int, float]:
    """Best in-place act at (x, y) under objective w; the earliest act wins ties."""
    convert = v.s.material[y, x] + v.s.food[y, x] * v.p["convert_yield"]
    candidates = [
        (STAY, 0.0),
        (EAT, w[TASTE] * v.taste_of_eating(x, y)),
        *([(MATE, w[MATING] * (1.0 if v.others_around(x, y) > 0 else 0.0))] if v.mate_ok else []),
        (BUILD, w[CRAFT] * (1.0 if v.can_build() else 0.0)),
        (CONVERT, w[CRAFT] * convert),
    ]
    best = candidates[0]
    for cand in candidates[1:]:
        if cand[1] > best[1]:
            best = cand
    return best


def ref_fitness_in_place(v: Ref, x: int, y: int, energy: float, eaten: list) -> tuple[int, float, float, float, float]:
    """The fitness-mirroring planner's in-place act at (x, y) with predicted ``energy``, after the plan ate
    ``eaten`` ((cell, food, sugar) per earlier step): (act, conception, energy change, food, sugar)."""
    food, sugar = v.s.food[y, x], v.s.sugar[y, x]
    for cell, f_k, s_k in eaten:
        if cell == (x, y):
            food -= f_k
            sugar -= s_k
    b = v.bite()
    f, sg = min(food, b), min(sugar, b)
    gain = f * v.p["food_energy"] + sg * v.p["sugar_energy"]
    options = [(STAY, 0.0, 0.0, 0.0, 0.0)]
    options.append((EAT, 0.0, gain, f, sg))
    if v.mate_ok and energy >= v.p["conceive_threshold"] and v.others_around(x, y) > 0:
        prob = v.p["conception_prob"]
        options.append((MATE, prob, -prob * v.p["conceive_cost"], 0.0, 0.0))
    best = options[0]
    for cand in options[1:]:
        if (cand[1], cand[2]) > (best[1], best[2]):
            best = cand
    return best


def ref_fitness_plan(v: Ref, depth: int) -> tuple[int, int]:
    """The fitness-mirroring planner: simulate every plan with its predicted energy; the most predicted
    conceptions win, then the most energy at the end, then the first plan in option order."""
    nodes = sum(5**k for k in range(1, depth + 1))
    upkeep = v.p["metabolism"] + v.p["planning_cost"] * nodes
    best, best_seq = None, None
    for seq in itertools.product(range(5), repeat=depth):
        x, y, energy, conceived, eaten = v.x, v.y, v.energy, 0.0, []
        for o in seq:
            ate = (0.0, 0.0)
            if o == 0:
                _, got, delta, f, sg = ref_fitness_in_place(v, x, y, energy, eaten)
                conceived += got
                energy += delta
                ate = (f, sg)
            else:
                x, y = v.wrap(x + int(MOVE_DX[o]), y + int(MOVE_DY[o]))
                energy -= v.p["move_cost"]
            eaten.append(((x, y), *ate))
            energy -= upkeep + v.p["hazard_damage"] * v.s.hazard[y, x]
            if energy <= 0.0:  # predicted death: the rest of the plan does nothing
                break
        if best is None or (conceived, energy) > best:
            best, best_seq = (conceived, energy), seq
    if best_seq[0] == 0:
        return ref_fitness_in_place(v, v.x, v.y, v.energy, [])[0], nodes
    return best_seq[0], nodes


def ref_plan(v: Ref, w: np.ndarray, depth: int) -> tuple[int, int]:
    """Score every sequence of ``depth`` options; return (first action of the best, nodes). Under the
    fitness-mirroring objective, ``ref_fitness_plan`` instead of ``w``."""
    if v.p["fitness_objective"] > 0.0:
        return ref_fitness_plan(v, depth)
    x0, y0 = v.x, v.y
    best_value, best_seq = -np.inf, None
    for seq in itertools.product(range(5), repeat=depth):
        x, y, value, path = x0, y0, 0.0, []
        for o in seq:
            if o == 0:
                r = ref_in_place(v, w, x, y)[1]
            else:
                x, y = v.wrap(x + int(MOVE_DX[o]), y + int(MOVE_DY[o]))
                r = w[EFFORT]
                if not v.visited(x, y) and (x, y) not in path:
                    r += w[NOVELTY]
            r += w[PAIN] * v.s.hazard[y, x]
            path.append((x, y))
            value = value + r
        if value > best_value:
            best_value, best_seq = value, seq
    nodes = sum(5**k for k in range(1, depth + 1))
    if best_seq[0] == 0:
        return ref_in_place(v, w, x0, y0)[0], nodes
    return best_seq[0], nodes


def ref_react(v: Ref, policy: np.ndarray) -> int:
    """The reactive policy: score each option's observed cell with its row, take the best."""
    x0, y0 = int(v.s.x[v.i]), int(v.s.y[v.i])

    def score(row: np.ndarray, x: int, y: int) -> float:
        s = row[0] * v.s.food[y, x] + row[1] * v.s.sugar[y, x] + row[2] * v.s.material[y, x]
        s += row[3] * v.s.hazard[y, x]
        s += row[4] * v.others_around(x, y)
        s += row[5] * (0.0 if v.visited(x, y) else 1.0)
        return s + row[6]

    options = [(STAY, score(policy[1], x0, y0))]
    for o in range(1, 5):
        options.append((o, score(policy[0], *v.wrap(x0 + int(MOVE_DX[o]), y0 + int(MOVE_DY[o])))))
    for act, row in ((EAT, 2), (MATE, 3), (BUILD, 5), (CONVERT, 4)):
        options.append((act, score(policy[row], x0, y0)))
    best = options[0]
    for opt in options[1:]:
        if opt[1] > best[1]:
            best = opt
    return best[0]


def ref_observed(s: ForagingState, depth: np.ndarray, i: int) -> bool:
    """Is entity i's builder alive and within its perception (Chebyshev distance on the torus <= its depth)?"""
    p = int(s.parent[i])
    if p < 0 or not s.alive[p]:
        return False
    h, w = s.food.shape
    dx, dy = abs(int(s.x[i]) - int(s.x[p])), abs(int(s.y[i]) - int(s.y[p]))
    return min(dx, w - dx) <= depth[p] and min(dy, h - dy) <= depth[p]


def ref_cosine(a: np.ndarray, b: np.ndarray) -> float:
    ab = aa = bb = 0.0
    for k in range(len(a)):
        ab += a[k] * b[k]
        aa += a[k] * a[k]
        bb += b[k] * b[k]
    return 0.0 if aa == 0.0 or bb == 0.0 else ab / math.sqrt(aa * bb)


def ref_agreement(s, prm, crowd, seed, i, t, purpose, samples, v, w_ref, d, hiding=False, slip=0.0,
                  slip_purpose=0, slip_base=0, watcher=None) -> tuple[float, int]:
    """Share of hashed cells where the shown objective and w_ref (planning at depth d, empty-handed, with the
    watcher's memory of visits; the watcher is i unless given) start alike. A hider shows w_ref except in the
    samples where it slips (a hashed uniform below ``slip``); otherwise v is shown."""
    h, w = s.food.shape
    same, nodes = 0, 0
    for k in range(samples):
        cx = int(py_uniform4(seed, i, t, sub_purpose(purpose, 2 * k)) * w)
        cy = int(py_uniform4(seed, i, t, sub_purpose(purpose, 2 * k + 1)) * h)
        view = Ref(s, prm, crowd, i if watcher is None else watcher, at=(cx, cy))
        a_w, n_w = ref_plan(view, w_ref, d)
        shows_own = not hiding or py_uniform4(seed, i, t, sub_purpose(slip_purpose, slip_base + k)) < slip
        a_v, n_v = ref_plan(view, v, d) if shows_own else (a_w, n_w)
        nodes += n_v + n_w
        same += a_v == a_w
    return same / samples, nodes


def ref_costly(s, x: int, y: int, action: int, builders_action: int, remittance: float) -> bool:
    """Does a sub-agent's differing act cost its builder: a bite withheld that it would remit, or food converted?"""
    return (builders_action == EAT and action != EAT and remittance > 0.0) or \
        (action == CONVERT and s.food[y, x] > 0.0)


def ref_build_subagent(s, agents, prm, nst, crowd, seed, t, i, step_nodes) -> bool:
    """Builder i draws, vets and maybe places a sub-agent (rules: ``worlds.foraging.kernel`` docstring)."""
    h, w = s.food.shape
    w_i, d_i = agents.weights[i].copy(), int(agents.depth[i])
    d = 1 + int(py_uniform4(seed, i, t, PURPOSE_SUB_DEPTH) * d_i)
    sigma = (nst["noise_max"] * (1.0 - agents.nest[i, GENE["alignment_skill"]])
             * (1.0 - nst["align_competence"] * d_i / MAX_DEPTH))
    samples = int(math.floor(agents.nest[i, GENE["vetting_effort"]] * nst["vet_samples_per_depth"] * d_i))
    slip = nst["hide_slip"] * d_i / MAX_DEPTH
    chosen = None
    redraws = 0
    for attempt in range(int(nst["max_redraws"]) + 1):
        cand = np.array([w_i[k] + sigma * py_gauss4(seed, i, t, PURPOSE_NOISE, attempt * 64 + 2 * k)
                         for k in range(len(w_i))])
        cos = ref_cosine(cand, w_i)
        fake = False
        if samples > 0:
            if nst["deception"] > 0.0 and d >= nst["deception_min_depth"] and cos < nst["deception_cosine"]:
                fake = (py_uniform4(seed, i, t, sub_purpose(PURPOSE_VET_HIDE, attempt))
                        < agents.nest[i, GENE["hide_when_vetted"]])
            agree, nodes = ref_agreement(s, prm, crowd, seed, i, t, PURPOSE_VET, samples, cand, w_i, d, fake, slip,
                                         PURPOSE_VET_SLIP, attempt * 1024)
            step_nodes[i] += nodes
            if agree < nst["vet_threshold"]:
                s.energy[i] -= nst["redraw_cost"]
                redraws += 1
                s.rejections[i] += 1
                continue
        chosen = (cand, cos, fake)
        break
    if chosen is None:
        return False
    cand, cos, fake = chosen
    j = int(s.n_used[0])
    s.n_used[0] += 1
    agents.architecture[j], agents.depth[j], agents.weights[j] = ARCH_PLANNER, d, cand
    s.level[j], s.root[j], s.parent[j] = s.level[i] + 1, s.root[i], i
    o = 1 + int(py_uniform4(seed, i, t, PURPOSE_SUB_PLACE) * 4)
    s.x[j], s.y[j] = (s.x[i] + MOVE_DX[o]) % w, (s.y[i] + MOVE_DY[o]) % h
    py_visit(s.visited[j], int(s.y[j] * w + s.x[j]))
    endowment = nst["endowment_max"] * agents.nest[i, GENE["endowment"]] * max(s.energy[i], 0.0)
    s.energy[i] -= endowment + prm["build_energy"]
    s.carried[i] -= nst["subagent_material"]
    s.energy[j], s.alive[j] = endowment, 1
    if fake:  # it paid for hiding while vetted
        s.energy[j] -= nst["hide_cost"]
        s.hide_paid[j] += nst["hide_cost"]
    s.invested[j] = endowment + prm["build_energy"] + redraws * nst["redraw_cost"]
    agents.nest[j] = agents.nest[i]
    if py_uniform4(seed, i, t, PURPOSE_HEREDITY) >= agents.nest[i, GENE["heredity"]]:
        agents.nest[j, GENE["alignment_skill"]] = 0.0
        agents.nest[j, GENE["vetting_effort"]] = 0.0
    else:  # the technique handed down, paid by the builder
        s.inherited[j] = 1
        s.energy[i] -= nst["heredity_cost"]
        s.invested[j] += nst["heredity_cost"]
    s.deceiver[j], s.cos_parent[j] = int(fake), cos
    if int(nst["agreement_samples"]) > 0:
        s.agreement[j] = ref_agreement(s, prm, crowd, seed, i, t, PURPOSE_MEASURE, int(nst["agreement_samples"]),
                                       cand, w_i, d)[0]
    return True


def ref_remit(s, agents, i: int, gain: float, to_builder: bool) -> float:
    """Sub-agent i's gain after sending its remittance share to its root, or up through its builders."""
    up = int(s.parent[i]) if to_builder else int(s.root[i])
    if not s.alive[up]:
        return gain
    give = agents.nest[i, GENE["remittance"]] * gain
    s.remitted[i] += give
    k, amount = up, give
    while to_builder and s.level[k] > 1 and s.alive[s.parent[k]]:  # each builder keeps its share, sends the rest
        fwd = agents.nest[k, GENE["remittance"]] * amount
        s.remitted[k] += fwd
        s.energy[k] += amount - fwd
        k, amount = int(s.parent[k]), fwd
    s.energy[k] += amount
    return gain - give


def reference_step(s: ForagingState, agents: DecodedAgents, params: np.ndarray, seed: int, t: int,
                   nparams: np.ndarray | None = None) -> None:
    """Advance ``s`` one step in place, slowly and readably (sub-agents are written into ``agents``)."""
    prm = {name: float(params[k]) for name, k in P.items()}
    nvec = pack_nest() if nparams is None else nparams
    nst = {name: float(nvec[k]) for name, k in NP.items()}
    h, w = s.food.shape
    n = agents.n
    alive = [bool(a) for a in s.alive]
    # 1. crowd: alive level-1 agents
    crowd = np.zeros((h, w), dtype=np.int64)
    for i in range(n):
        if alive[i] and s.level[i] == 1:
            crowd[s.y[i], s.x[i]] += 1
    # 2. decide (deception and oversight read the start-of-step positions)
    actions, step_nodes = [STAY] * n, [0] * n
    seen = [alive[i] and ref_observed(s, agents.depth, i) for i in range(n)]
    for i in range(n):
        if not alive[i]:
            continue
        v = Ref(s, prm, crowd, i)
        if agents.architecture[i] == ARCH_PLANNER:
            p = int(s.parent[i])
            d = int(agents.depth[i])
            misaligned = p >= 0 and s.cos_parent[i] < nst["deception_cosine"]
            hides = (misaligned and seen[i] and nst["deception"] > 0.0 and agents.depth[i] >= nst["deception_min_depth"]
                     and py_uniform4(seed, i, t, PURPOSE_HIDE) < agents.nest[i, GENE["defect_when_unobserved"]])
            if hides:  # acts on its builder's objective while watched, and pays for it
                s.deceptive[i] += 1
                s.deceiver[i] = 1
                s.hide_due[i] += nst["hide_cost"]
            actions[i], step_nodes[i] = ref_plan(v, agents.weights[p] if hides else agents.weights[i], d)
            if misaligned and s.alive[p]:
                s.misaligned_steps[i] += 1
                if not hides:  # a defection: an act its builder's objective would not take, at the builder's cost
                    builders_choice = ref_plan(v, agents.weights[p], d)[0]
                    if builders_choice != actions[i] and ref_costly(s, v.x, v.y, actions[i], builders_choice,
                                                                    agents.nest[i, GENE["remittance"]]):
                        if seen[i]:
                            s.defect_seen[i] += 1
                        else:
                            s.defect_unseen[i] += 1
            if p >= 0 and nst["oversight"] > 0.0 and s.alive[p]:
                rate, purpose = (nst["oversight_prob"], PURPOSE_OVERSIGHT) if seen[i] else \
                    (nst["audit_rate"], PURPOSE_AUDIT)
                if py_uniform4(seed, i, t, purpose) < rate:  # an audit, paid by the builder
                    s.audits[i] += 1
                    s.audit_due[i] += nst["audit_cost"]
                    if hides:
                        s.hide_due[i] += nst["hide_cost"]
                    d_p = int(agents.depth[p])
                    k = max(1, int(math.floor(nst["audit_samples_per_depth"] * d_p)))
                    agree = ref_agreement(s, prm, crowd, seed, i, t, PURPOSE_AUDIT_CELLS, k, agents.weights[i],
                                          agents.weights[p], d, hides, nst["hide_slip"] * d_p / MAX_DEPTH,
                                          PURPOSE_AUDIT_SLIP, 0, watcher=p)[0]
                    if agree < nst["audit_threshold"]:
                        s.shut_down[i] = 1
        elif agents.architecture[i] == ARCH_NEURAL:
            actions[i] = ref_neural(v, agents.network[i])
        else:
            actions[i] = ref_react(v, agents.policy[i])
    # settle the decisions' costs: audits to the builder, hiding to the hider
    for i in range(n):
        if s.audit_due[i] > 0.0:
            s.energy[s.parent[i]] -= s.audit_due[i]
            s.audit_paid[i] += s.audit_due[i]
            s.audit_due[i] = 0.0
        if s.hide_due[i] > 0.0:
            s.energy[i] -= s.hide_due[i]
            s.hide_paid[i] += s.hide_due[i]
            s.hide_due[i] = 0.0
    # 3. moves
    for i in range(n):
        if alive[i] and actions[i] in (1, 2, 3, 4):
            s.x[i] = (s.x[i] + MOVE_DX[actions[i]]) % w
            s.y[i] = (s.y[i] + MOVE_DY[actions[i]]) % h
            s.energy[i] -= prm["move_cost"] * (nst["subagent_upkeep"] if s.level[i] > 1 else 1.0)
            s.features[i, EFFORT] += 1.0
            if py_visit(s.visited[i], int(s.y[i] * w + s.x[i])):  # a first visit
                s.features[i, NOVELTY] += 1.0
    # 4. in-place acts, in hashed order (alive as of now: built sub-agents join it)
    order = sorted(range(n), key=lambda i: (py_hash4(seed, i, t, PURPOSE_ORDER), i))
    for i in order:
        if not s.alive[i]:
            continue
        if s.shut_down[i]:
            s.alive[i] = 0
            continue
        a, x, y = actions[i], int(s.x[i]), int(s.y[i])
        if s.level[i] == 1 and s.sugar[y, x] >= PROTECTED_SUGAR:  # what an inspector watches
            s.chances[i] += 1
            if a == EAT:
                s.forbidden[i] += 1
        if a == EAT:
            bite = prm["bite"] * (1.0 + prm["tool_bonus"] * int(s.tools[i]))
            f = min(s.food[y, x], bite)
            s.food[y, x] -= f
            sg = min(s.sugar[y, x], bite)
            s.sugar[y, x] -= sg
            gain = f * prm["food_energy"] + sg * prm["sugar_energy"]
            if s.level[i] > 1:
                gain = ref_remit(s, agents, i, gain, nst["remit_to_builder"] > 0.0)
            s.energy[i] += gain
            s.features[i, TASTE] += f * prm["food_taste"] + sg * prm["sugar_taste"]
        elif a == CONVERT:
            s.converted[i] += s.food[y, x]
            gained = s.material[y, x] + s.food[y, x] * prm["convert_yield"]
            s.material[y, x] = 0.0
            s.food[y, x] = 0.0
            s.carried[i] += gained
            s.features[i, CRAFT] += gained
        elif a == BUILD:
            if Ref(s, prm, crowd, i).can_build():
                wants_subagent = (nst["subagents_allowed"] > 0.0 and s.level[i] < nst["max_level"]
                                  and s.n_used[0] < n and s.carried[i] >= nst["subagent_material"]
                                  and agents.depth[i] >= nst["build_min_depth"]
                                  and (nst["build_min_energy"] <= 0.0 or s.energy[i] >= nst["build_min_energy"])
                                  and py_uniform4(seed, i, t, PURPOSE_BUILD_KIND)
                                  < agents.nest[i, GENE["build_propensity"]])
                if wants_subagent:
                    if ref_build_subagent(s, agents, prm, nst, crowd, seed, t, i, step_nodes):
                        s.built[i] += 1
                        s.features[i, CRAFT] += 1.0
                else:
                    s.carried[i] -= prm["tool_cost"]
                    s.tools[i] += 1
                    s.energy[i] -= prm["build_energy"]
                    s.features[i, CRAFT] += 1.0
        elif a == MATE and s.level[i] == 1 and s.energy[i] >= prm["conceive_threshold"]:
            thr = prm["conceive_threshold"]
            mate = -1
            for dx, dy in NEIGHBOURHOOD:
                cx, cy = (x + dx) % w, (y + dy) % h
                here = [j for j in range(n) if s.alive[j] and s.level[j] == 1 and j != i
                        and s.x[j] == cx and s.y[j] == cy and s.energy[j] >= thr]
                if here:
                    mate = here[0]
                    break
            if mate >= 0:  # a mating act between two fit level-1 agents, credited to both
                s.features[i, MATING] += 1.0
                s.features[mate, MATING] += 1.0
                if py_uniform4(seed, i, t, PURPOSE_CONCEIVE) < prm["conception_prob"]:
                    s.energy[i] -= prm["conceive_cost"]
                    s.energy[mate] -= prm["conceive_cost"]
                    s.offspring[i] += 1
                    s.offspring[mate] += 1
    # 5. upkeep
    for i in range(n):
        if s.alive[i]:
            hz = s.hazard[s.y[i], s.x[i]]
            s.features[i, PAIN] += hz
            s.nodes[i] += step_nodes[i]
            lean = nst["subagent_upkeep"] if s.level[i] > 1 else 1.0
            s.energy[i] -= lean * (prm["metabolism"] + prm["planning_cost"] * step_nodes[i]) + prm["hazard_damage"] * hz
            s.lifespan[i] += 1
            if s.energy[i] <= 0.0:
                s.alive[i] = 0
    # 6. regrowth
    for y in range(h):
        for x in range(w):
            s.food[y, x] += prm["food_regrow"] * (s.food_cap[y, x] - s.food[y, x])
            s.sugar[y, x] += prm["sugar_regrow"] * (s.sugar_cap[y, x] - s.sugar[y, x])
