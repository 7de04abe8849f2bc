"""BM25's top rows: exact whatever the scores' shape, as a full sort would give them."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.store.bm25 import ScoredQuery, top_rows


def by_sorting(scores: np.ndarray, k: int) -> list[int]:
    """The reference: every positive score sorted, best first, ties by lower row."""
    rows = [r for r in range(len(scores)) if scores[r] > 0]
    return sorted(rows, key=lambda r: (-scores[r], r))[:max(k, 0)]


def spread(n, seed=0):
    return np.random.default_rng(seed).random(n).astype(np.float32)


def mostly_zero(n, seed=1):
    scores = np.zeros(n, np.float32)
    scores[np.random.default_rng(seed).choice(n, 30, replace=False)] = np.arange(1, 31, dtype=np.float32)
    return scores


def few_levels(n, seed=2):  # a corpus of repeated paragraphs: thousands of rows share each score
    return np.random.default_rng(seed).integers(0, 5, n).astype(np.float32)


def one_high_block(n):  # the best rows together, none of them where the sample looks
    scores = np.full(n, 0.5, np.float32)
    scores[1001:1001 + 15 * 16:16] = 2.0
    return scores


def sample_misleads(n):  # the rows the sample reads are the best: fewer than k reach its guess
    scores = np.full(n, 0.1, np.float32)
    scores[: 10 * 16 : 16] = np.arange(10, 0, -1, dtype=np.float32)
    return scores


CASES = {
    "spread, large": (spread(200_000), 50),
    "spread, small": (spread(40), 10),
    "k above n": (spread(7), 50),
    "k zero": (spread(100), 0),
    "all zero": (np.zeros(50_000, np.float32), 50),
    "fewer positive than k": (mostly_zero(50_000), 50),
    "few levels, many ties": (few_levels(100_000), 50),
    "best rows between the samples": (one_high_block(100_000), 50),
    "the sample's guess too high": (sample_misleads(50_000), 50),
    "negative and positive": (spread(30_000) - 0.5, 50),
}


@pytest.mark.parametrize("scores, k", CASES.values(), ids=CASES.keys())
def test_top_rows_equal_a_full_sort(scores, k):
    assert top_rows(scores, k).tolist() == by_sorting(scores, k)


def test_a_scored_query_gives_rows_and_their_scores():
    scores = few_levels(20_000)
    top = ScoredQuery(scores).top(40)
    assert [r for r, _ in top] == by_sorting(scores, 40)
    assert all(s == float(scores[r]) for r, s in top)
