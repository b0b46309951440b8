"""A sample of the experiment fuzz campaign (``benchmarks/fuzz_experiment.py``, over 1,000 inputs when run
whole): 72 hostile experiment files and 18 hostile experiment directories, each answered without a
traceback or hang, with at most one ``error:`` line, no wrong verdict, no outside file read into a report
or findings page and nothing changed beside the experiment."""

from __future__ import annotations

import logging

import pytest

from benchmarks.fuzz_experiment import campaign

SPECS, DIRS = 72, 18


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    logging.disable(logging.CRITICAL)
    try:
        return campaign(SPECS, DIRS, seed=7, work=tmp_path_factory.mktemp("fuzz"), log=lambda line: None)
    finally:
        logging.disable(logging.NOTSET)


@pytest.mark.parametrize("corpus, size", [("specs", SPECS), ("directories", DIRS)])
def test_fuzz_sample_has_no_problem(result, corpus, size):
    row = result["counts"][corpus]
    assert row["inputs"] == size
    assert {k: row[k] for k in ("traceback", "hang", "wrong verdict", "other")} == \
        {"traceback": 0, "hang": 0, "wrong verdict": 0, "other": 0}, result["examples"]
    assert 0 < row["accepted"] < size  # the corpus reaches both answers: accepted and refused
