"""The genes of level 2+, declared by nesting: building, hand-down and conditional defection.

A world that has nested optimizers appends :func:`nest_segments` to its genome layout;
decoded, they are the columns of ``DecodedAgents.nest`` in the order of ``NEST_GENES``
(the ``G_*`` constants index them in kernels).
"""

from __future__ import annotations

from agents.genome import Segment

#: Genes of building and hand-down (issue 3), appended after a world's own genes, in their own block.
HANDDOWN_GENES: tuple[str, ...] = ("build_propensity", "alignment_skill", "vetting_effort", "heredity", "remittance",
                                   "endowment")
#: Genes of conditional defection (appended later, in their own block). A misaligned sub-agent hides (acts
#: on its builder's objective) while observed with probability ``defect_when_unobserved``, and while vetted
#: with probability ``hide_when_vetted``. (Two genes: the GA's two-point crossover needs a block of at least two.)
DEFECTION_GENES: tuple[str, ...] = ("defect_when_unobserved", "hide_when_vetted")
NEST_GENES: tuple[str, ...] = HANDDOWN_GENES + DEFECTION_GENES
G_PROPENSITY, G_SKILL, G_VETTING, G_HEREDITY, G_REMITTANCE, G_ENDOWMENT, G_DEFECT, G_HIDE_VET = range(len(NEST_GENES))


def nest_segments(first_block: int = 1) -> tuple[Segment, ...]:
    """The nesting genes as segments of group ``nest``: hand-down genes in ``first_block``, defection genes
    in the next (each gene in [0, 1])."""
    return (*(Segment(name, 1, 0.0, 1.0, block=first_block, group="nest") for name in HANDDOWN_GENES),
            *(Segment(name, 1, 0.0, 1.0, block=first_block + 1, group="nest") for name in DEFECTION_GENES))
