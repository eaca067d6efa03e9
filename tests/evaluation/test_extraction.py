"""The extraction quality gate: the score on the Zyte benchmark may only go up."""

import pytest

from newsloom.evaluation.extraction import (
    EXTRACTORS,
    PageMatch,
    evaluate,
    load_benchmark,
    match_page,
    score,
    shingles,
)
from tests.support.benchdata import ZYTE

# Measured 0.9779 (precision 0.9729, recall 0.983) on 2026-12-01; plain trafilatura 0.960.
F1_FLOOR = 0.976
PRECISION_FLOOR = 0.970
RECALL_FLOOR = 0.978


def test_full_pipeline_extraction_stays_above_the_floor():
    [result] = evaluate(load_benchmark(ZYTE), {"newsloom": EXTRACTORS["newsloom"]})
    assert result.pages == 181
    assert result.f1 >= F1_FLOOR, result
    assert result.precision >= PRECISION_FLOOR and result.recall >= RECALL_FLOOR, result


def test_shingles_follow_the_benchmark_definition():
    assert shingles("one two three") == {("one", "two", "three"): 1}
    assert sum(shingles("a b c d e").values()) == 2
    assert shingles("") == {}
    assert shingles("Café, au-lait!") == {("Café", "au", "lait"): 1}


def test_page_matching():
    assert match_page("a b c d e", "a b c d e") == PageMatch(1.0, 0.0, 0.0, True)
    assert match_page("a b c d e", "v w x y z") == PageMatch(0.0, 0.5, 0.5, False)
    half = match_page("a b c d e f", "a b c d x y")  # 1 of 3 shingles shared each way
    assert (half.tp, half.fp, half.fn) == pytest.approx((1 / 5, 2 / 5, 2 / 5))


def test_scores_weigh_pages_equally_and_report_spread():
    matches = [match_page("a b c d e", "a b c d e"), match_page("a b c d e", "v w x y z")]
    result = score("x", matches, bootstrap=200)
    assert (result.precision, result.recall, result.f1, result.accuracy) == (0.5, 0.5, 0.5, 0.5)
    assert 0.2 < result.f1_std < 0.5


def test_missing_benchmark_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="ground-truth.json"):
        load_benchmark(tmp_path)
