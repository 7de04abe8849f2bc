"""A question becomes one plan, once: everything the stores and the highlight need to know of it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from .errors import QuestionError
from .glossary import translate_terms, vietnamese_synonyms
from .highlight import Match
from .restore import AccentTable, restore_diacritics
from .text import Kind, clean_space, expand_abbreviations, lang_of, names_and_numbers, nfc, question_kind


@dataclass(frozen=True)
class QueryPlan:
    question: str  # as asked, Unicode-normalised and with its spaces cleaned
    kind: Kind  # Vietnamese with or without diacritics, English, Korean, other
    dense_text: str  # what the embedding model reads: abbreviations written out, diacritics restored
    lexical_text: str  # what BM25 reads: folded Vietnamese in the articles' phrasing, or an English
    #                    question's names, numbers and glossary translations
    match: Match  # the lexical text's content words (with IDF) and word pairs, and whether a number
    #               is asked for: what fusion's sentence-words signal, the coverage evidence and the
    #               highlight all judge sentences by, so the three cannot disagree

    @property
    def terms(self) -> dict[str, float]:
        return self.match.terms

    @property
    def lang(self) -> str:
        return lang_of(self.kind)


def idf_policy(idf: Callable[[str], float], passages: int) -> Callable[[str], float]:
    """IDF of a folded term; unseen terms count as rare (they carry the question's topic)."""
    unseen = math.log1p(passages + 0.5)

    def weight(term: str) -> float:
        value = idf(term)
        return value if value else unseen

    return weight


def validate_question(text: str, max_chars: int = 1000) -> str:
    """The question cleaned (NFC, single spaces); ``QuestionError`` when empty or too long.

    Front ends may call it before anything slow (the CLI, before loading the model)."""
    question = clean_space(nfc(text or ""))
    if not question:
        raise QuestionError("the question is empty", "empty")
    if len(question) > max_chars:
        raise QuestionError(f"the question is too long ({len(question)} characters; at most {max_chars})",
                            "too_long", lang_of(question_kind(question)), len(question), max_chars)
    return question


def lexical_text(question: str, kind: Kind) -> str:
    if kind is Kind.EN:
        return f"{names_and_numbers(question)} {translate_terms(question)}".strip()
    if kind is Kind.KO:
        return names_and_numbers(question)
    return vietnamese_synonyms(question)


class Planner:
    """Turns questions into plans against one corpus (its accent table and IDF)."""

    def __init__(self, accents: AccentTable, idf: Callable[[str], float], max_chars: int = 1000):
        self.accents = accents
        self.idf = idf
        self.max_chars = max_chars

    def plan(self, question: str, kind: Kind | None = None) -> QueryPlan:
        """``kind`` overrides detection (evaluation sets label their questions)."""
        question = validate_question(question, self.max_chars)
        kind = kind or question_kind(question)
        dense_text = expand_abbreviations(question)
        if kind is Kind.VI_PLAIN:
            dense_text = restore_diacritics(dense_text, self.accents)
        lexical = lexical_text(question, kind)
        return QueryPlan(question, kind, dense_text, lexical, Match.of(lexical, question, self.idf))
