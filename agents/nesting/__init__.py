"""Level 2 and deeper, world-agnostic: the ``[nesting]`` config, the lineage arrays, and the kernels
that build sub-agents (hand-down with noise, vetting, heredity, deception) and observe them (oversight).

Importing this package does not compile anything: the kernels are in ``agents.nesting.handdown``.
"""
