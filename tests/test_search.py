"""The shared tree search (``agents.search``) against a brute force over every plan, on random option tables.

The tables are random where the worlds' are regular: options that are impossible, states that share a cell
(a window wider than the map, or one cell in two internal states), many equal scores and novelty scores below
the plain ones as often as above.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.jit import python_twin
from agents.search import N_OPTIONS, NOVELTY_KEY, new_table, tree_search


def brute_force(links: np.ndarray, scores: np.ndarray, depth: int, s0: int) -> tuple[int, int]:
    """Score every sequence of ``depth`` options, as the module docstring defines it; (best first, nodes)."""
    best, best_first, nodes = -np.inf, 0, 0
    for seq in itertools.product(range(N_OPTIONS), repeat=depth):
        s, value, keys, possible = s0, 0.0, [], True
        for level, o in enumerate(seq):
            ns = int(links[s, o])
            if ns < 0:
                possible = False
                break
            if not any(seq[level + 1:]):  # each node once: on the plan that continues with option 0
                nodes += 1
            key = int(links[ns, NOVELTY_KEY])
            novel = key >= 0 and key not in keys
            value = value + float(scores[s, N_OPTIONS + o] if novel else scores[s, o])
            keys.append(key)
            s = ns
        if possible and value > best:
            best, best_first = value, seq[0]
    return best_first, nodes


@st.composite
def tables(draw):
    n = draw(st.integers(1, 9))
    n_cells = min(n, draw(st.sampled_from([1, 2, 3, 9])))  # fewer cells than states: states share a key
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    links, scores = new_table(n)
    links[:, :N_OPTIONS] = np.where(rng.random((n, N_OPTIONS)) < draw(st.sampled_from([0.0, 0.2, 0.5])), -1,
                                    rng.integers(0, n, (n, N_OPTIONS)))
    links[:, NOVELTY_KEY] = np.where(rng.random(n) < draw(st.sampled_from([0.0, 0.5, 1.0])),
                                     rng.integers(0, n_cells, n), -1)
    levels = draw(st.sampled_from([2, 3, 50]))  # few distinct scores: many ties
    plain = rng.integers(-levels, levels, (n, N_OPTIONS)) / 4.0
    novelty = rng.integers(-levels, levels, (n, N_OPTIONS)) / 4.0  # below the plain score as often as above
    scores[:, :N_OPTIONS], scores[:, N_OPTIONS:2 * N_OPTIONS] = plain, plain + novelty
    return links, scores


@pytest.mark.twin
@settings(max_examples=300, deadline=None)
@given(tables())
def test_tree_search_keeps_the_first_best_plan_of_the_brute_force(table):
    """From every state at depths 1-3 (the nested loops), and from state 0 at depth 4 (the explicit stack)."""
    links, scores = table
    for depth, starts in ((1, None), (2, None), (3, None), (4, [0])):
        for s0 in starts or range(links.shape[0]):
            expected = brute_force(links, scores, depth, s0)
            assert tree_search(links, scores, depth, s0) == expected, (depth, s0)
            assert python_twin(tree_search)(links, scores, depth, s0) == expected, (depth, s0)


def test_two_best_last_options_into_one_unvisited_cell_both_lose_its_novelty():
    """A depth-3 plan whose first state is on cell 7 and whose last options tie for the best, both into that
    cell (two states of it): neither is novel on this plan, so another plan wins."""
    links, scores = new_table(6)
    scores[:] = 0.0
    links[1, NOVELTY_KEY] = links[3, NOVELTY_KEY] = links[4, NOVELTY_KEY] = 7  # states 1, 3, 4: cell 7, unvisited
    links[0, 0], links[0, 1] = 1, 5  # from the start: to state 1, or to state 5
    links[1, 0] = 2
    links[2, 0], links[2, 1] = 3, 4
    scores[2, [0, 1]], scores[2, [N_OPTIONS, N_OPTIONS + 1]] = -10.0, 10.0  # novel: 10 each; else -10
    links[5, 0], scores[5, [0, N_OPTIONS]] = 5, 1.0  # staying on state 5: 1 a step
    expected = (1, 2 + 2 + 3)  # via state 5 (0 + 1 + 1 beats 0 + 0 - 10); nodes: 2 first options, 2, then 3
    assert brute_force(links, scores, 3, 0) == expected
    assert tree_search(links, scores, 3, 0) == expected
