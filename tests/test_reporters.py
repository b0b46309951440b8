"""The generation row's vectorised columns equal the per-column definitions bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from worlds.reporters import gene_columns, genome_columns, proxy_columns
from agents.stats import implied_weights, pearson, pearson_rows, rank_rows, ranks, spearman


def same(a: float, b: float) -> bool:
    return a == b or (np.isnan(a) and np.isnan(b))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 57, 500, 1001])
def test_pearson_rows_is_pearson_of_each_row(n):
    rng = np.random.default_rng(n)
    a = rng.poisson(3.0, (6, n)) * rng.random((6, 1))
    a[2] = 1.5  # a constant row: NaN
    b = rng.poisson(2.0, n).astype(np.float64)
    got = pearson_rows(np.ascontiguousarray(a), b)
    assert all(same(got[k], pearson(a[k], b)) for k in range(6))


@pytest.mark.parametrize("n", [1, 2, 3, 50, 500])
def test_rank_rows_are_ranks_of_each_row(n):
    rng = np.random.default_rng(n)
    a = rng.integers(0, 4, (5, n)).astype(np.float64)  # many ties
    a[1] = rng.random(n)  # none
    a[2] = 7.0  # one group
    a[3, :: 2] = np.nan
    got = rank_rows(a)
    assert all(np.array_equal(got[k], ranks(a[k])) for k in range(5))


@pytest.mark.parametrize("n", [2, 3, 50, 500])
def test_proxy_columns_are_each_features_mean_pearson_spearman_and_implied_weight(n):
    """The columns and their order are the per-feature definitions (``spearman`` on each feature column)."""
    rng = np.random.default_rng(n)
    names = ("taste", "pain", "mating", "novelty", "craft", "effort")
    features = rng.poisson(2.0, (n, 6)) * rng.random(6)
    features[:, 4] = 0.0
    fitness = rng.poisson(1.0, n).astype(np.float64)
    implied = implied_weights(features, fitness)
    expected: dict[str, float] = {}
    for k, f in enumerate(names):
        col = features[:, k]
        expected.update({f"feat_{f}_mean": float(col.mean()), f"corr_{f}": pearson(col, fitness),
                         f"spearman_{f}": spearman(col, fitness), f"implied_w_{f}": float(implied[k])})
    got = proxy_columns(names, features, fitness)
    assert list(got) == list(expected)
    assert all(same(got[key], expected[key]) for key in expected)


def test_genome_columns_are_gene_columns_of_each_column():
    rng = np.random.default_rng(5)
    genomes = rng.normal(size=(501, 58)) * rng.choice([1e-3, 1.0, 1e3], 58)
    genes = {"a": 0, "b": 7, "c": 49, "d": 57}
    expected: dict[str, float] = {}
    for name, col in genes.items():
        expected.update(gene_columns(name, genomes[:, col]))
    got = genome_columns(genomes, genes)
    assert list(got) == list(expected) and got == expected
