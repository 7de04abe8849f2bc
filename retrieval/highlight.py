"""Pick the sentence of a passage that best answers a question (pure functions)."""

from __future__ import annotations

import re
from typing import AbstractSet as Set, Callable, Sequence

from .text import fold, fold_word, sentences, words

# Words that say what is asked, not what about; they must not pull a sentence up.
QUESTION_WORDS = frozenset(
    fold(w)
    for w in """nào gì ai đâu bao nhiêu mấy khi sao tại vì thế là của và có không những các một
    được cho với ở trong về này đó đã sẽ đang hỏi biết hãy tên gọi
    what which who whom whose when where why how many much the a an of in on at to for is are was
    were did does do with from by and or that this as it its""".split()
)
_NUMBER = re.compile(r"\d")
# Each unit of cosine similarity a sentence is behind the question's closest sentence costs
# it this many "best lexical match"es (tuned on the first half of XQuAD:
# benchmarks/tune_highlight.py).
DENSE_WEIGHT = 5.0
_ASKS_NUMBER = re.compile(r"\b(bao nhieu|may|nam nao|khi nao|how many|how much|when|what year)\b")


def content_terms(question: str) -> list[str]:
    return [t for t in dict.fromkeys(fold_word(w) for w in words(question)) if t not in QUESTION_WORDS]


def weighted_terms(question: str, idf: Callable[[str], float]) -> dict[str, float]:
    """The question's content words (folded) with their IDF."""
    return {t: idf(t) for t in content_terms(question)}


def share(terms: dict[str, float], present: Set[str]) -> float:
    """IDF-weighted share of ``terms`` found among the folded words ``present``."""
    total = sum(terms.values())
    return sum(w for t, w in terms.items() if t in present) / total if total else 0.0


def folded_words(text: str) -> frozenset[str]:
    return frozenset(fold_word(w) for w in words(text))


def sentence_score(question_terms: list[str], bigrams: set[str], sentence: str,
                   idf: Callable[[str], float], wants_number: bool) -> float:
    folded = [fold_word(w) for w in words(sentence)]
    present = set(folded)
    score = sum(idf(t) for t in question_terms if t in present)
    score += 0.5 * sum(1 for a, b in zip(folded, folded[1:]) if f"{a} {b}" in bigrams)
    if wants_number and _NUMBER.search(sentence):
        score += 1.0
    return score


def pick(lexical: Sequence[float], dense: Sequence[float] | None, dense_weight: float = DENSE_WEIGHT) -> int:
    """Index of the best sentence from lexical scores and (optionally) dense similarities.

    Lexical scores count as a share of the passage's best one, so questions with many or few
    shared words weigh the same against the dense side. Ties go to the earlier sentence:
    news paragraphs lead with their point.
    """
    top = max(lexical) if lexical else 0.0
    scores = [x / top if top > 0 else 0.0 for x in lexical]
    if dense is not None and len(dense) == len(scores):
        best = max(dense)
        scores = [x + dense_weight * (d - best) for x, d in zip(scores, dense)]
    return max(range(len(scores)), key=lambda i: (scores[i], -i))


def lexical_scores(question: str, parts: Sequence[str], idf: Callable[[str], float],
                   match: str | None = None) -> list[float]:
    """Per sentence, the IDF-weighted words (and word pairs) it shares with ``match``.

    ``match`` defaults to the question; an English question is matched through its names and
    Vietnamese glossary terms instead, since its own words never occur in the passages.
    Whether a number is asked for is read from the question itself.
    """
    match = question if match is None else match
    terms = content_terms(match)
    folded_m = [fold_word(w) for w in words(match)]
    bigrams = {f"{a} {b}" for a, b in zip(folded_m, folded_m[1:])}
    wants_number = bool(_ASKS_NUMBER.search(" ".join(fold_word(w) for w in words(question))))
    return [sentence_score(terms, bigrams, s, idf, wants_number) for s in parts]


def best_sentence(question: str, passage: str, idf: Callable[[str], float], match: str | None = None,
                  dense: Sequence[float] | None = None) -> str:
    """The passage's sentence that best answers the question: lexical evidence (see
    ``lexical_scores``) and, when the index has it, ``dense``, the question's similarity to
    each sentence in ``sentences(passage)`` order."""
    parts = sentences(passage)
    if len(parts) <= 1:
        return passage.strip()
    return parts[pick(lexical_scores(question, parts, idf, match), dense)]
