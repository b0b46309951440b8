"""Each world declares its vocabulary (features, genome segments, policy shape, comparators) in its entry."""

from __future__ import annotations

import numpy as np
import pytest

from agents.errors import MesaevoError
from agents.genome import ARCH_PLANNER, ARCH_REACTIVE, GenomeLayout, Segment, decode
from agents.nesting.genes import NEST_GENES
from worlds.registry import worlds


def test_each_world_declares_features_layout_and_comparators():
    for kind, entry in worlds().items():
        layout = entry.genome_layout()
        assert layout.segment("drives").size == len(entry.features) > 0, kind
        assert entry.comparators <= {"fixed_weights", "fixed_depth", "heredity", "fitness_objective"}
    assert worlds()["foraging"].policy_shape == (6, 7)
    assert worlds()["foraging"].genome_layout().group("nest") == NEST_GENES
    for kind in ("maze", "hungry-thirsty"):  # planners only: no policy, no nesting genes decoded
        layout = worlds()[kind].genome_layout()
        assert not layout.has("policy") and layout.group("nest") == ()
        assert worlds()[kind].policy_shape == ()


def test_legacy_worlds_keep_the_old_genome_bits():
    """Maze and hungry-thirsty keep the 58-gene layout they shared with foraging (same blocks, bounds, draws)."""
    forage = worlds()["foraging"].genome_layout()
    draws = forage.random(9, np.random.default_rng(3))
    for kind in ("maze", "hungry-thirsty"):
        layout = worlds()[kind].genome_layout()
        assert layout.blocks() == forage.blocks()
        assert all((a == b).all() for a, b in zip(layout.bounds(), forage.bounds()))
        assert (layout.random(9, np.random.default_rng(3)) == draws).all()


def test_an_appended_segment_changes_no_existing_gene():
    """A segment an option declares goes into a new block: the draws of every existing gene stay, and the
    architecture gene keeps its meaning (at least 0.5 is a planner)."""
    base = worlds()["foraging"].genome_layout()
    extra = base.extended(Segment("cue_response", 2, 0.0, 1.0))
    assert extra.segments[-1].block == max(s.block for s in base.segments) + 1
    old = base.random(20, np.random.default_rng(5))
    new = extra.random(20, np.random.default_rng(5))
    assert (new[:, : base.size] == old).all() and new.shape[1] == base.size + 2
    new[:, 0] = np.linspace(0.0, 1.0, 20)
    arch = decode(new, extra, "evolved", 3).architecture
    assert (arch == np.where(new[:, 0] >= 0.5, ARCH_PLANNER, ARCH_REACTIVE)).all()
    assert (decode(new, extra, "evolved", 3).weights == decode(new[:, : base.size], base, "evolved", 3).weights).all()


def test_a_world_with_five_features_decodes_five_weights():
    layout = GenomeLayout((Segment("architecture", 1, 0, 1), Segment("drives", 5, -1, 1),
                           Segment("competence", 1, 0, 1)))
    d = decode(layout.random(4, np.random.default_rng(0)), layout, "planner", 3, fixed_weights=[0.1] * 5)
    assert d.weights.shape == (4, 5) and (d.weights == 0.1).all() and d.policy.shape == (4, 0)
    with pytest.raises(ValueError):
        GenomeLayout((Segment("a", 1, 0, 1, block=1), Segment("b", 1, 0, 1, block=0)))


@pytest.mark.parametrize("bad, needle", [
    ({"world": {"kind": "maze"}, "nesting": {"heredity": "on"}}, "does not support this comparator"),
    ({"world": {"kind": "maze"}, "agents": {"fixed_weights": [0.1] * 5}}, "needs 6 values"),
    ({"agents": {"fixed_weights": [0.1] * 7}}, r"needs 6 values \(taste"),
])
def test_config_checks_the_world_declaration(bad, needle):
    from evo.config import validate_config

    with pytest.raises(MesaevoError, match=needle):
        validate_config(bad)
