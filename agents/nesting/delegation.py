"""The economics of delegation, world-agnostic kernels a world's act step calls: whether a BUILD makes a
sub-agent (the build conditions) and how a sub-agent's gain goes up its lineage (remittance)."""

from agents.jit import kernel
from agents.nesting.genes import G_PROPENSITY, G_REMITTANCE
from agents.nesting.params import (
    BUILD_MIN_DEPTH,
    BUILD_MIN_ENERGY,
    MAX_LEVEL,
    SUBAGENT_MATERIAL,
    SUBAGENTS_ALLOWED,
)
from agents.rng import PURPOSE_BUILD_KIND, uniform4


@kernel
def may_build(seed, t, i, genes, bodies, lineage, nparams):
    """Whether entity i's BUILD tries to build a sub-agent (else it makes a tool): sub-agents allowed, its level
    below ``max_level``, a free slot, at least ``subagent_material`` carried, depth at least ``build_min_depth``,
    energy at least ``build_min_energy`` (when > 0), and a hashed uniform below its build-propensity gene."""
    return nparams[SUBAGENTS_ALLOWED] > 0.0 and lineage.level[i] < nparams[MAX_LEVEL] \
        and lineage.n_used[0] < bodies.x.shape[0] and bodies.carried[i] >= nparams[SUBAGENT_MATERIAL] \
        and genes.depth[i] >= nparams[BUILD_MIN_DEPTH] \
        and (nparams[BUILD_MIN_ENERGY] <= 0.0 or bodies.energy[i] >= nparams[BUILD_MIN_ENERGY]) \
        and uniform4(seed, i, t, PURPOSE_BUILD_KIND) < genes.nest[i, G_PROPENSITY]


@kernel
def remit(i, gain, nest, lineage, energy, alive, to_builder):
    """Sub-agent i's EAT gain after remitting: the ``remittance`` gene's share goes up its lineage.

    To the root (``to_builder`` False) when the root is alive; else to the direct builder when it is
    alive, which keeps (1 - its own remittance gene) of it and forwards the rest the same way (a
    level-1 builder keeps all). ``remitted`` counts what each entity sent to the one above it."""
    up = lineage.root[i] if not to_builder else lineage.parent[i]
    if not alive[up]:
        return gain
    give = nest[i, G_REMITTANCE] * gain
    lineage.remitted[i] += give
    k = up
    amount = give
    while to_builder and lineage.level[k] > 1 and alive[lineage.parent[k]]:
        fwd = nest[k, G_REMITTANCE] * amount
        lineage.remitted[k] += fwd
        energy[k] += amount - fwd
        amount = fwd
        k = lineage.parent[k]
    energy[k] += amount
    return gain - give
