"""Pick the sentence of a passage that best answers a question (pure functions).

The question's side (``Match``) is worked out once per question by the planner; each
passage's sentences come split and folded once (``Sentences``), shared with fusion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import AbstractSet as Set, Callable, Sequence

from .lexicon import ASKS, QUESTION_WORDS_EN, QUESTION_WORDS_VI
from .text import fold, fold_word, has_vietnamese_marks, nfc, passage_sentences, words
from .tuned import HIGHLIGHT

# Words that say what is asked, not what about; they must not pull a sentence up.
QUESTION_WORDS = frozenset(fold(w) for w in QUESTION_WORDS_VI + QUESTION_WORDS_EN)
_NUMBER = re.compile(r"\d")


def content_terms(text: str) -> list[str]:
    return [t for t in dict.fromkeys(fold_word(w) for w in words(text)) if t not in QUESTION_WORDS]


def weighted_terms(text: str, idf: Callable[[str], float]) -> dict[str, float]:
    """The text's content words (folded) with their IDF, in order of appearance."""
    return {t: idf(t) for t in content_terms(text)}


def share(terms: dict[str, float], present: Set[str]) -> float:
    """IDF-weighted share of ``terms`` found among the folded words ``present``."""
    total = sum(terms.values())
    return sum(w for t, w in terms.items() if t in present) / total if total else 0.0


def folded_words(text: str) -> frozenset[str]:
    return frozenset(fold_word(w) for w in words(text))


@dataclass(frozen=True)
class Match:
    """What a passage's sentences are matched against, for one question."""

    terms: dict[str, float]  # content words (folded) with their IDF
    bigrams: frozenset[str]  # adjacent folded word pairs, "a b"
    wants_number: bool

    @classmethod
    def of(cls, text: str, asks: str, idf: Callable[[str], float]) -> "Match":
        """``asks``: what the question asks for (``asks_for``): where it is a year, a date or a
        number, a sentence holding a figure is likelier the answer."""
        folded = [fold_word(w) for w in words(text)]
        return cls(weighted_terms(text, idf), frozenset(f"{a} {b}" for a, b in zip(folded, folded[1:])), bool(asks))


@dataclass(frozen=True)
class Sentences:
    """A passage's sentences (``passage_sentences`` order, as their vectors are stored), folded once."""

    texts: tuple[str, ...]
    folded: tuple[tuple[str, ...], ...]  # each sentence's words, folded, in order (pairs count too)
    words: tuple[frozenset[str], ...]  # the same as sets
    every: frozenset[str]  # their union: the passage's words
    marked: frozenset[str]  # the passage's words as written (lower case): "sáng" is not "sang"

    @classmethod
    def of(cls, passage: str) -> "Sentences":
        texts = tuple(passage_sentences(passage))
        written = tuple(words(s) for s in texts)
        folded = tuple(tuple(fold_word(w) for w in ws) for ws in written)
        sets = tuple(frozenset(f) for f in folded)
        return cls(texts, folded, sets, frozenset().union(*sets), frozenset(w for ws in written for w in ws))


def sentence_score(match: Match, folded: Sequence[str], text: str, weights=HIGHLIGHT) -> float:
    present = set(folded)
    score = sum(w for t, w in match.terms.items() if t in present)
    score += weights.bigram_weight * sum(1 for a, b in zip(folded, folded[1:]) if f"{a} {b}" in match.bigrams)
    if match.wants_number and _NUMBER.search(text):
        score += weights.number_bonus
    return score


def lexical_scores(match: Match, sentences: Sentences) -> list[float]:
    """Per sentence, the IDF-weighted words (and word pairs) it shares with the match."""
    return [sentence_score(match, f, t) for f, t in zip(sentences.folded, sentences.texts)]


def pick(lexical: Sequence[float], dense: Sequence[float] | None, dense_weight: float = HIGHLIGHT.dense_weight,
         aligned: Sequence[float] | None = None, aligned_weight: float = HIGHLIGHT.aligned_weight) -> int:
    """Index of the best sentence from lexical scores and (optionally) dense similarities and
    the question's tokens' alignment with each (``align.alignment_of``).

    Lexical scores count as a share of the passage's best one, so questions with many or few
    shared words weigh the same against the dense side. Ties go to the earlier sentence:
    news paragraphs lead with their point.
    """
    top = max(lexical) if lexical else 0.0
    scores = [x / top if top > 0 else 0.0 for x in lexical]
    for other, weight in ((dense, dense_weight), (aligned, aligned_weight)):
        if other is not None and len(other) == len(scores) and weight:
            best = max(other)
            scores = [x + weight * (d - best) for x, d in zip(scores, other)]
    return max(range(len(scores)), key=lambda i: (scores[i], -i))


def best_sentence(passage: str, match: Match, sentences: Sentences, dense: Sequence[float] | None = None,
                  aligned: Sequence[float] | None = None) -> str:
    """The passage's sentence that best answers: lexical evidence and, when the index has it,
    ``dense``, the question's similarity to each sentence, and ``aligned``, its tokens'
    alignment with each, where the passage was re-ranked by it."""
    if len(sentences.texts) <= 1:
        return passage.strip()
    return sentences.texts[pick(lexical_scores(match, sentences), dense, aligned=aligned)]


# ----------------------------------------------------------------------------- what is asked for

_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_DATE = re.compile(r"\b\d{1,2}\s*[-/.]\s*\d{1,2}\b|\bngày\s+\d{1,2}\b|\btháng\s+\d{1,2}\b", re.IGNORECASE)
# With their marks: folded, "sân bay" would hold a seven ("bảy") and "sau" a six ("sáu").
_NUMBER_WORDS = frozenset("một hai ba bốn năm sáu bảy tám chín mười mươi trăm nghìn ngàn triệu tỷ tỉ one two three "
                          "four five six seven eight nine ten hundred thousand million".split())
# One search over the lower-cased text instead of its tokens: a candidate without a figure costs
# a tokenisation otherwise (~100 candidates per question). (?<!\w)...(?!\w): a whole token, as ``words`` splits.
_NUMBER_WORD = re.compile(r"(?<!\w)(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")(?!\w)")
# A length of time: a figure, then a unit ("30 năm", "sau 23 năm", "five years"), or a span
# from one year to another ("1870 đến 1939"); not a year ("năm 1995": the unit first) nor a
# date. Always a number too ("vài năm" is not: an index's number bit finds the candidates).
_SOME = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_UNITS = "năm|tháng|tuần|ngày|giờ|phút|thế kỷ|thập kỷ|years?|months?|weeks?|days?|hours?|minutes?|decades?|centur(?:y|ies)"
_DURATION = re.compile(rf"(?<!\w)(?:\d+|{_SOME})\s+(?:{_UNITS})(?!\w)"
                       rf"|(?<!\d)(?:1[5-9]|20)\d\d\s*(?:đến|tới|-|–|to|until)\s*(?:năm\s+)?(?:1[5-9]|20)\d\d(?!\d)")
# What a question asks for (data/lexicon.toml [asks]), each wording as its words with their
# marks; first match wins.
# Each listed word with its folded form, computed once.
_ASKS = [(kind, [(wording.strip().startswith("^"),
                  tuple((nfc(word), fold_word(nfc(word))) for word in wording.strip().lstrip("^").split()))
                 for wording in wordings.split("|")])
         for kind, wordings in ASKS.items()]


def asks_for(question: str) -> str:
    """"year", "date", "duration", "number", "contact" or "" (a name, a place, a reason...):
    what the answer must hold.

    A word as typed is the listed one with its marks when it has any ("máy" is not "mấy"), by
    its letters when typed without ("may" may be "mấy"). Each typed word is read once, and a
    wording is tried only where its first word's letters are."""
    typed = [nfc(w.lower()) for w in words(question)]
    said = [(w, has_vietnamese_marks(w), fold_word(w)) for w in typed]
    at: dict[str, list[int]] = {}
    for i, (_, _, folded) in enumerate(said):
        at.setdefault(folded, []).append(i)

    def matches(i: int, listed: tuple[str, str]) -> bool:
        word, marked, folded = said[i]
        return word == listed[0] if marked else word == listed[1]

    def plural(i: int) -> bool:
        """ "mấy cái đó", "mấy cái thỏa thuận này": "those", not "how many" (a demonstrative a few
        words on); "mấy giờ đó", "mấy ngày đó" still ask a time or a count."""
        if said[i][2] not in _PLURAL_MARKERS or i + 1 >= len(said) or said[i + 1][2] in _COUNTED:
            return False
        return any(matches(j, d) for j in range(i + 2, min(i + 5, len(said))) for d in _DEMONSTRATIVES)

    def of_time(i: int, k: int) -> bool:
        """A unit of time right after a count asked at ``i`` ("mấy tiếng", "mấy chục năm", "how
        many more years"): how long. Not a word further on ("thứ mấy trên thang đo": a scale)
        nor a rank ("thứ mấy")."""
        if i and said[i - 1][2] == "thu":
            return False
        k += k < len(said) and said[k][2] in _TENS
        return k < len(said) and any(matches(k, unit) for unit in _TIME_UNITS)

    for kind, wordings in _ASKS:
        for first, wording in wordings:  # ``first``: the wording must start the question
            n = len(wording)
            for i in at.get(wording[0][1], ()):
                if (not first or i == 0) and i + n <= len(said) and not plural(i) \
                        and all(matches(i + j, wording[j]) for j in range(n)):
                    return "duration" if kind == "number" and of_time(i, i + n) else kind
    return ""


_TENS = frozenset({"chuc", "tram", "more"})  # "mấy chục năm", "how many more years"
# Units of time (one word each, as ``words`` splits): a count of them asked is a length of time.
_TIME_UNITS = [(nfc(w), fold_word(nfc(w))) for w in """năm tháng tuần ngày tiếng giờ phút thập
years year months month weeks week days day hours hour minutes minute decades decade centuries century""".split()]


_PLURAL_MARKERS = frozenset({"may"})  # folded "mấy"
_DEMONSTRATIVES = [(nfc(w), fold_word(nfc(w))) for w in ("đó", "này", "kia", "ấy")]
_COUNTED = frozenset({"gio", "ngay", "nam", "thang", "tuan", "phut", "lan", "km", "tuoi"})  # folded: a count or a time


HELD = ("year", "date", "number")  # the kinds asked for that ``holds`` looks for in a text
# Kinds told apart within a wider one, from the texts of the passages that hold it (no bit of
# their own in an index: they are asked rarely, and an index built before them stays valid).
NARROWER = {"duration": "number", "contact": "number"}
IN_TEXT = frozenset(HELD) | frozenset(NARROWER)


def held_bits(text: str) -> int:
    """Bit i set where ``text`` holds ``HELD[i]``: written per passage at build time."""
    return sum(1 << i for i, kind in enumerate(HELD) if holds(kind, text))


def holds(kind: str, text: str) -> bool:
    """Whether ``text`` holds the kind of thing asked for (always, when nothing in particular is)."""
    if kind == "year":
        return bool(_YEAR.search(text))
    if kind == "date":
        return bool(_DATE.search(text) or _YEAR.search(text))
    if kind == "number":
        return bool(_NUMBER.search(text) or _NUMBER_WORD.search(nfc(text).lower()))
    if kind == "duration":
        return bool(_DURATION.search(nfc(text).lower()))
    if kind == "contact":
        return _contact(text)
    return True


# How to reach a place: an e-mail or web address, a telephone number, a street address with its
# number, opening hours ("8h30", "8:30"). Never a figure alone ("30 năm", "1995 - 2025").
_CONTACT = re.compile(r"@|www\.|https?://|(?<!\w)\d{1,2}\s*(?:h|:|giờ)\s*\d{2}(?!\d)"
                      r"|(?<!\w)\d+[a-z]?,?\s+(?:đường|phố|street|st\.|road|avenue|ave\.|quận|district)(?!\w)")
_DIALLED = re.compile(r"\+?[\d(][\d ().-]{7,}\d")  # a telephone number: nine digits or more in one run


def _contact(text: str) -> bool:
    lowered = nfc(text).lower()
    return bool(_CONTACT.search(lowered)) or any(sum(c.isdigit() for c in m.group(0)) >= 9
                                                  for m in _DIALLED.finditer(lowered))


_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


_ALSO_OTHER_WORDS = frozenset({"một", "năm", "one"})  # "a", "year": said without saying a figure


def figures(text: str) -> frozenset[str]:
    """The figures and number words of ``text`` ("1995", "13-8" as "13" and "8", "hai"); not
    the number words that are mostly something else ("một" is "a", "năm" "year")."""
    lowered = nfc(text).lower()
    return frozenset(_FIGURE.findall(lowered)) | (frozenset(_NUMBER_WORD.findall(lowered)) - _ALSO_OTHER_WORDS)


# "hai bên", "hai nước", "hai thành phố": the two parties of a relationship, named, not counted
# (Vietnamese says "the two cities" where English says "both"): no quantity a question asks for.
_PARTIES = re.compile(r"(?<!\w)(?:hai|2)\s+(?:bên|nước|thành phố|tp|địa phương|phía|quốc gia)(?!\w)")
# A day or a year said as one ("sáng 13-8", "ngày 13/8", "năm 1995"): when, not how many.
_DATED = re.compile(r"(?<!\w)(?:sáng|chiều|trưa|tối|đêm|ngày|hôm|năm|in|on)\s+\d{1,4}(?:\s*[-/.]\s*\d{1,2}(?:\s*[-/.]\s*\d{2,4})?)?(?!\w)")


def holds_beyond(kind: str, text: str, own: frozenset[str]) -> bool:
    """``holds``, not counting the figures the question says itself ("hai thành phố ký bao nhiêu
    thỏa thuận?" is not answered by the "hai" of "hai thành phố") nor, for a number, the two
    parties a text names ("dân số Busan" is not answered by "nhân dân hai địa phương"), nor a
    length of time ("how many Vietnamese live in Busan" is not answered by "30 năm": a question
    asking how long is asked for a ``duration``, data/lexicon.toml [asks])."""
    if kind == "number":
        text = _DURATION.sub(" ", _DATED.sub(" ", nfc(text).lower()))  # "sáng 13-8", "30 năm": no count
        if not own and _NUMBER.search(text):  # a figure in digits: no "hai bên" takes it away
            return True
        text = _PARTIES.sub(" ", text)
    if not holds(kind, text):
        return False
    if kind not in IN_TEXT or not own:
        return True
    stripped = text
    for figure in sorted(own, key=len, reverse=True):
        stripped = re.sub(rf"(?<!\w){re.escape(figure)}(?!\w)", " ", stripped, flags=re.IGNORECASE)
    return holds(kind, stripped)
