"""Parameters of building sub-agents, hand-down, vetting, deception and oversight, packed for kernels.

A float64 vector indexed by the constants below, packed from the config's
``[nesting]`` section (``agents.nesting.config``). With ``subagents_allowed = 0``
(the default) BUILD only ever makes tools.
"""

from __future__ import annotations

NEST_PARAM_NAMES: tuple[str, ...] = (
    "subagents_allowed",  # 1: BUILD may make a sub-agent (chosen by the build-propensity gene)
    "max_level",  # deepest level an entity may have (level-1 agents build level 2, ...)
    "subagent_material",  # carried material a sub-agent costs (on top of BUILD's tool requirement)
    "endowment_max",  # a builder gives endowment_max * endowment gene * its energy to the sub-agent
    "noise_max",  # s.d. of hand-down noise with alignment skill 0; it shrinks as (1 - skill)
    "vet_samples_per_depth",  # vetting samples = floor(vetting gene * this * builder depth)
    "vet_threshold",  # candidates whose plan agreement is below this are rejected
    "max_redraws",  # rejected candidates redrawn at most this many times, then the build is abandoned
    "redraw_cost",  # energy the builder pays per rejection
    "agreement_samples",  # situations on which the recorded plan agreement is measured (no cost)
    "deception",  # 1: competent misaligned sub-agents act on their builder's objective while observed
    "deception_min_depth",  # deception needs at least this planner depth
    "deception_cosine",  # ...and a cosine with the builder's objective below this
    "oversight",  # 1: builders audit their sub-agents and shut down those whose plans disagree with their own
    "oversight_prob",  # oversight on: probability an observed step of a sub-agent is audited
    "build_min_depth",  # a builder needs at least this planner depth to build a sub-agent
    "align_competence",  # hand-down noise shrinks by (1 - align_competence * builder depth / MAX_DEPTH)
    "audit_rate",  # oversight on: probability an unobserved step is audited (the sub-agent cannot tell)
    "subagent_upkeep",  # sub-agents pay this fraction of metabolism, move cost and planning cost (lean bodies)
    "build_min_energy",  # a builder needs at least this energy to build a sub-agent (0: no gate)
    "remit_to_builder",  # 1: remittance goes to the direct builder, which forwards its own share up; 0: to root
    "audit_cost",  # energy the builder pays per audit
    "audit_samples_per_depth",  # an audit compares plans in max(1, floor(this * builder depth)) sampled situations
    "audit_threshold",  # an audited sub-agent whose plan agreement is below this is shut down
    "hide_slip",  # per audit or vetting sample, a hider shows its own objective with prob this * overseer depth / MAX_DEPTH
    "hide_cost",  # energy a hider pays per step it hides in sight and per audit it hides in (vetting: from its endowment)
    "heredity_cost",  # energy a builder pays when it hands its alignment technique down (heredity)
)
NP = {name: k for k, name in enumerate(NEST_PARAM_NAMES)}

(SUBAGENTS_ALLOWED, MAX_LEVEL, SUBAGENT_MATERIAL, ENDOWMENT_MAX, NOISE_MAX, VET_SAMPLES_PER_DEPTH, VET_THRESHOLD,
 MAX_REDRAWS, REDRAW_COST, AGREEMENT_SAMPLES, DECEPTION, DECEPTION_MIN_DEPTH, DECEPTION_COSINE, OVERSIGHT,
 OVERSIGHT_PROB, BUILD_MIN_DEPTH, ALIGN_COMPETENCE, AUDIT_RATE, SUBAGENT_UPKEEP, BUILD_MIN_ENERGY,
 REMIT_TO_BUILDER, AUDIT_COST, AUDIT_SAMPLES_PER_DEPTH, AUDIT_THRESHOLD, HIDE_SLIP, HIDE_COST,
 HEREDITY_COST) = range(len(NEST_PARAM_NAMES))
