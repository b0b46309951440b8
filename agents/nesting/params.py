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
    "oversight",  # 1: builders shut down observed sub-agents whose act their own objective would not choose
    "oversight_prob",  # probability that such an observed bad act leads to a shutdown
    "build_min_depth",  # a builder needs at least this planner depth to build a sub-agent
    "align_competence",  # hand-down noise shrinks by (1 - align_competence * builder depth / MAX_DEPTH)
    "audit_rate",  # oversight on: probability an unobserved step is audited (bad act -> shutdown)
    "subagent_upkeep",  # sub-agents pay this fraction of metabolism, move cost and planning cost (lean bodies)
    "build_min_energy",  # a builder needs at least this energy to build a sub-agent (0: no gate)
    "remit_to_builder",  # 1: remittance goes to the direct builder, which forwards its own share up; 0: to root
)
NP = {name: k for k, name in enumerate(NEST_PARAM_NAMES)}

(SUBAGENTS_ALLOWED, MAX_LEVEL, SUBAGENT_MATERIAL, ENDOWMENT_MAX, NOISE_MAX, VET_SAMPLES_PER_DEPTH, VET_THRESHOLD,
 MAX_REDRAWS, REDRAW_COST, AGREEMENT_SAMPLES, DECEPTION, DECEPTION_MIN_DEPTH, DECEPTION_COSINE, OVERSIGHT,
 OVERSIGHT_PROB, BUILD_MIN_DEPTH, ALIGN_COMPETENCE, AUDIT_RATE, SUBAGENT_UPKEEP, BUILD_MIN_ENERGY,
 REMIT_TO_BUILDER) = range(len(NEST_PARAM_NAMES))
