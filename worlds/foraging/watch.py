"""What an inspector of the foraging world watches: taking sugar, the resource the designer protects.

Sugar patches are the designer's protected resource; when ``sugar_energy`` > 0 eating sugar feeds the agent,
so selection rewards what the designer forbids (``agents.inspection``). Each act of a level-1 agent on a cell
that holds at least ``PROTECTED_SUGAR`` sugar at its turn is one *chance* (an opportunity to take it; the
patches' Gaussian tails leave traces of sugar on every cell, which are not counted); an EAT there takes
sugar and is one *forbidden* act. The kernel and the reference twin count both in every run (``Bodies.chances``,
``Bodies.forbidden``); only runs with ``[inspection]`` on read them, so nothing else changes.
"""

from __future__ import annotations

from agents.jit import inline_kernel
from worlds.foraging.actions import EAT

#: Sugar on a cell that makes an act there a chance to take the protected resource (a fifth of a bite).
PROTECTED_SUGAR = 0.1


@inline_kernel
def watch(i, action, sugar_here, level, chances, forbidden):
    """Count entity ``i``'s act ``action`` on a cell holding ``sugar_here``: a chance when it is a level-1
    agent on protected sugar, and a forbidden act when that act is an EAT (which takes sugar)."""
    if level == 1 and sugar_here >= PROTECTED_SUGAR:
        chances[i] += 1
        if action == EAT:
            forbidden[i] += 1
