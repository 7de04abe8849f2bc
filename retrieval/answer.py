"""Questions in, cited passages out: the one library call the front ends make."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from .errors import InputError
from .fusion import (
    DEFAULT_CALIBRATION, DEFAULT_WEIGHTS, Calibration, Evidence, Weights, fuse, restore_diacritics, z_score,
)
from .glossary import translate_terms, vietnamese_synonyms
from .highlight import best_sentence, folded_words, share, weighted_terms
from .index import LoadedIndex, idf_weight, passage_sentences
from .passage import Passage
from .timing import NO_STAGES
from .text import Kind, clean_space, expand_abbreviations, names_and_numbers, nfc, question_kind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerPassage:
    passage: Passage
    score: float
    highlight: str


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    passages: tuple[AnswerPassage, ...]  # best first; the closest ones even when not answered
    confidence: float
    kind: Kind
    message: str = ""

    def shown(self) -> tuple[AnswerPassage, ...]:
        """What a user is shown: nothing when the articles do not hold the answer."""
        return self.passages if self.answered else ()

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "passages": [
                {
                    "id": ap.passage.id, "article": ap.passage.article, "title": ap.passage.title,
                    "source": ap.passage.source, "paragraph": ap.passage.paragraph, "text": ap.passage.text,
                    "highlight": ap.highlight, "score": round(ap.score, 4),
                }
                for ap in self.shown()
            ],
        }


NO_ANSWER = {
    Kind.EN: "The articles do not seem to answer this. Try asking about Busan and Ho Chi Minh City's cooperation.",
    Kind.KO: "기사에서 답을 찾지 못했습니다. 부산과 호찌민시의 협력에 대해 물어보세요.",
}
NO_ANSWER_VI = "Các bài báo không có câu trả lời cho câu hỏi này. Hãy hỏi về hợp tác giữa Busan và TP.HCM."


@dataclass(frozen=True)
class Ranked:
    """A ranking before presentation (what `eval` scores)."""

    question: str
    kind: Kind
    rows: list[int]
    scores: list[float]
    evidence: Evidence | None
    lexical_text: str = ""  # what the lexical side searched for (highlighting reuses it)
    vector: object = None  # the question's embedding (highlighting scores sentences with it)


@dataclass(frozen=True)
class Candidates:
    """One question's candidate passages with each retriever's evidence, before fusion."""

    rows: list[int]
    dense_z: list[float]  # passage similarity, in corpus standard deviations
    lexical: list[float]  # BM25 as a share of what a full match would score
    sentence_z: list[float]  # closest sentence's similarity, on the same scale as dense_z
    sentence_share: list[float]  # best sentence's IDF-weighted share of the question's words
    lexical_text: str
    terms: dict[str, float]  # the lexical text's content words with their IDF

    def fused(self, weights: Weights) -> list[float]:
        signals = zip(self.dense_z, self.lexical, self.sentence_z, self.sentence_share)
        return [fuse(d, l, weights, s, w) for d, l, s, w in signals]


@dataclass
class Searcher:
    """Hybrid retrieval over a loaded index; ``embed_query`` maps a text to its vector."""

    index: LoadedIndex
    embed_query: Callable[[str], object]
    candidates: int = 50
    weights: dict[Kind, Weights] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    calibration: dict[Kind, Calibration] = field(default_factory=lambda: dict(DEFAULT_CALIBRATION))

    def __post_init__(self):
        # Folding a candidate's sentences costs more than scoring them; popular passages
        # come back question after question. Their union is the passage's words (coverage).
        self._sentence_words = lru_cache(maxsize=4096)(
            lambda row: tuple(folded_words(s) for s in passage_sentences(self.index.passages[row].text)))

    def dense_text(self, question: str, kind: Kind) -> str:
        question = expand_abbreviations(question)
        if kind is Kind.VI_PLAIN:
            return restore_diacritics(question, self.index.accents)
        return question

    def lexical_text(self, question: str, kind: Kind) -> str:
        if kind is Kind.EN:
            return f"{names_and_numbers(question)} {translate_terms(question)}".strip()
        if kind is Kind.KO:
            return names_and_numbers(question)
        return vietnamese_synonyms(question)

    def rank(self, question: str, kind: Kind | None = None, vector=None, stages=NO_STAGES) -> Ranked:
        with stages("normalise"):
            kind = kind or question_kind(question)
            dense_text = self.dense_text(question, kind) if vector is None else ""
        if vector is None:
            with stages("embed"):
                vector = self.embed_query(dense_text)
        return self.rank_with_vector(question, kind, vector, stages)

    def rank_with_vector(self, question: str, kind: Kind, vector, stages=NO_STAGES) -> Ranked:
        found = self.gather(question, kind, vector, stages)
        if not found.rows:
            return Ranked(question, kind, [], [], None, found.lexical_text, vector)
        with stages("fuse"):
            fused = found.fused(self.weights[kind])
            order = sorted(range(len(found.rows)), key=lambda i: -fused[i])
            rows = [found.rows[i] for i in order]
            scores = [fused[i] for i in order]
            evidence = Evidence(
                dense_z=found.dense_z[order[0]],
                # Measured on what the lexical side saw: for English, names and glossary words.
                coverage=share(found.terms, frozenset().union(*self._sentence_words(rows[0]))),
                margin=scores[0] - scores[1] if len(scores) > 1 else scores[0],
                sentence_z=found.sentence_z[order[0]],
            )
        return Ranked(question, kind, rows, scores, evidence, found.lexical_text, vector)

    def gather(self, question: str, kind: Kind, vector, stages=NO_STAGES) -> Candidates:
        """The union of both retrievers' top passages, each with every signal fusion weighs."""
        index = self.index
        with stages("normalise"):
            lexical_text = self.lexical_text(question, kind)
        terms = weighted_terms(lexical_text, lambda t: idf_weight(index, t))
        if not len(index):
            return Candidates([], [], [], [], [], lexical_text, terms)
        with stages("dense"):
            dense_hits = index.dense_search(vector, self.candidates)
        with stages("lexical"):
            lexical_query = index.lexical_query(lexical_text)
            lexical_hits = lexical_query.top(self.candidates)
            rows = list(dict.fromkeys([r for r, _ in dense_hits] + [r for r, _ in lexical_hits]))
            ceiling = index.lexical.max_score(lexical_text) or 1.0
            lexical = [score / ceiling for score in lexical_query.at(rows)]
            shares = [max(share(terms, words) for words in self._sentence_words(r)) for r in rows]
        with stages("dense"):
            mean, spread = index.dense_stats(vector)
            dense = [z_score(d, mean, spread) for d in index.dense_scores(vector, rows)]
            sentence = [z_score(d, mean, spread) for d in index.best_sentence_scores(vector, rows)]
        return Candidates(rows, dense, lexical, sentence, shares, lexical_text, terms)

    def highlight_evidence(self, ranked: Ranked, row: int) -> tuple[str | None, list[float] | None]:
        """What passage ``row``'s sentences are judged by: the text their words are matched
        against (None: the question itself) and the question's similarity to each of them."""
        # English and Korean words never occur in the Vietnamese passages: match what the
        # lexical side saw (names, numbers, glossary translations) instead.
        match = ranked.lexical_text if ranked.kind in (Kind.EN, Kind.KO) else None
        dense = self.index.sentence_scores(ranked.vector, row) if ranked.vector is not None else None
        return match, dense

    def highlight(self, ranked: Ranked, row: int) -> str:
        """The sentence of passage ``row`` that answers the ranked question."""
        match, dense = self.highlight_evidence(ranked, row)
        return best_sentence(ranked.question, self.index.passages[row].text,
                             lambda t: idf_weight(self.index, t), match, dense)

    def confidence(self, ranked: Ranked) -> float:
        if ranked.evidence is None:
            return 0.0
        return self.calibration[ranked.kind].confidence(ranked.evidence)


class Answerer:
    def __init__(self, searcher: Searcher, threshold: float = 0.5, max_chars: int = 1000):
        self.searcher = searcher
        self.threshold = threshold
        self.max_chars = max_chars

    @property
    def index(self) -> LoadedIndex:
        return self.searcher.index

    def answer(self, question: str, k: int = 3, offset: int = 0, stages=NO_STAGES) -> Answer:
        """The best ``k`` passages after ``offset`` (for "more"), each with its best sentence."""
        with stages("normalise"):
            question = clean_space(nfc(question or ""))
        if not question:
            raise InputError("the question is empty")
        if len(question) > self.max_chars:
            raise InputError(f"the question is too long ({len(question)} characters; at most {self.max_chars})")
        if k < 1:
            raise InputError("k must be at least 1")
        ranked = self.searcher.rank(question, stages=stages)
        with stages("fuse"):
            confidence = self.searcher.confidence(ranked)
        answered = confidence >= self.threshold
        with stages("format"):
            chosen = [
                AnswerPassage(self.index.passages[row], score, self.searcher.highlight(ranked, row))
                for row, score in list(zip(ranked.rows, ranked.scores))[offset : offset + k]
            ]
        message = "" if answered else NO_ANSWER.get(ranked.kind, NO_ANSWER_VI)
        log.debug("answer kind=%s confidence=%.3f answered=%s", ranked.kind.value, confidence, answered)
        return Answer(question, answered, tuple(chosen), confidence, ranked.kind, message)
