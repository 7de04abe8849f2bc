"""A question becomes one plan, once: everything the stores and the highlight need to know of it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

from .errors import QuestionError
from .glossary import GLOSSARY_WORDS, glossed_words, translate_korean, translate_terms, vietnamese_synonyms
from .highlight import Match, asks_for
from .lexicon import COMMON_VI, ENGLISH, ENGLISH_STOP, QUESTION_WORDS_EN, QUESTION_WORDS_VI
from .mentions import asked_role
from .normalise import as_typed, strip_framing, written_out
from .restore import AccentTable, CorpusWords, candidate_forms, plain_share, restore_diacritics
from .roles import agents, asked_about, asks_what_was_said, asks_whether, said_of_subject
from .spelling import Words, correction
from .syllable import decode_typing, is_syllable
from .text import (TYPED_WORD, Kind, fold, fold_word, has_vietnamese_marks, lang_of, names_and_numbers,
                   question_kind, words)

# A Vietnamese question whose words that could carry diacritics lack them this often was typed
# half without them: restore those (see restore.plain_share for the measured shares).
MIXED_PLAIN_SHARE = 0.3
_WORD = re.compile(r"[^\W\d_]+")
_ENGLISH_FUNCTION = frozenset(QUESTION_WORDS_EN)
_ENGLISH_STOP = ENGLISH_STOP | _ENGLISH_FUNCTION
_NAME_OR_FIGURE = re.compile(r"\d+|[^\W\d_가-힣]+(?:-[^\W\d_가-힣]+)*")  # "Heong-joon": one name, every part of it
_COMMON_WORDS = frozenset(COMMON_VI + QUESTION_WORDS_VI + QUESTION_WORDS_EN)  # as written: "đã" is not "Đà"
_COMMON_FOLDED = frozenset(fold(w) for w in COMMON_VI)


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (short words only)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


@dataclass(frozen=True)
class QueryPlan:
    question: str  # as asked, cleaned of invisible characters, emoji and stray numbering
    kind: Kind  # how it was typed: Vietnamese with or without diacritics, English, Korean, other
    read_as: str  # the question written out: shorthand and abbreviations expanded, typos mended
    dense_text: str  # what the embedding model reads: read_as with diacritics restored where missing
    lexical_text: str  # what BM25 reads: folded Vietnamese in the articles' phrasing (plus the
    #                    glossary's words for English words in it), or an English question's
    #                    names, numbers and glossary translations
    match: Match  # the lexical text's content words (with IDF) and word pairs, and whether a number
    #               is asked for: what fusion's sentence-words signal, the coverage evidence and the
    #               highlight all judge sentences by, so the three cannot disagree
    names: tuple[str, ...] = ()  # the question's names and figures, folded ("seoul", "2010")
    asks: str = ""  # what the answer must hold: "year", "date", "duration", "number", "contact"
    #                 or "" (highlight.asks_for)
    agents: frozenset[frozenset[str]] = frozenset()  # the places that ask or want in it (roles.agents)
    expressed: float = 1.0  # the share of an English question's content words its lexical text
    #                         expresses (glossary, names, the articles' own words): coverage can
    #                         only be as sure as that ("where did the leader's yacht dock": 1 of 3)
    whether: tuple[str, ...] = ()  # a yes/no question's words said of its subject (roles.said_of_subject):
    #                                the passage that answers holds one; empty for any other question
    role: frozenset[str] = frozenset()  # the office a "who is …" question asks the holder of
    #                                     (mentions.asked_role): the answer names someone holding it
    about: tuple[str, ...] = ()  # where it asks what a place wants, what about (roles.asked_about):
    #                              a passage where that place wants, but holds none of these, is not
    #                              put first for it ("what did busan want about tourism")
    whether_typed: tuple[str, ...] = ()  # each of ``whether`` as the question writes it, where its
    #                                      marks are known (typed, restored, or the glossary's);
    #                                      "" where only its folded form is: "có sang không" is
    #                                      not said by "sáng"
    speech: bool = False  # it asks what someone said (roles.asks_what_was_said): a photo caption
    #                       naming them does not answer it
    said: tuple[str, ...] = ()  # its words said of its subject, whatever it asks (roles.said_of_subject):
    #                             a photo caption holding none of them came first on names alone

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
    """The question as typed, cleaned (``normalise.as_typed``); ``QuestionError`` when it is
    empty or too long. Front ends may call it before anything slow (the CLI, before the model)."""
    question = as_typed(text)
    if not question:
        raise QuestionError("the question is empty", "empty")
    if len(question) > max_chars:
        raise QuestionError(f"the question is too long ({len(question)} characters; at most {max_chars})",
                            "too_long", lang_of(question_kind(question)), len(question), max_chars)
    return question


def question_names(text: str) -> tuple[str, ...]:
    """Folded names (capitalised words that are no common word, the first one too) and figures
    of two digits or more: what the passage that answers must mention."""
    found = []
    for token in _NAME_OR_FIGURE.findall(text):
        if (token.isdigit() and len(token) >= 2) or (token[0].isupper() and token.lower() not in _COMMON_WORDS):
            found += [fold_word(part) for part in token.lower().split("-")]
    return tuple(dict.fromkeys(found))


def written_forms(folded: tuple[str, ...], text: str, kind: Kind) -> tuple[str, ...]:
    """Each of the ``folded`` words as ``text`` writes it, where that form is sure: any form in a
    question typed with marks (an unmarked word there is typed so: "sang"), only a marked one in
    one typed without (restored); "" where none is (a synonym the lexical side added)."""
    forms: dict[str, str] = {}
    for word in words(text):
        forms.setdefault(fold_word(word), word)
    sure = {f: w for f, w in forms.items() if kind is not Kind.VI_PLAIN or has_vietnamese_marks(w)}
    return tuple(sure.get(word, "") for word in folded)


def lexical_text(question: str, kind: Kind) -> str:
    if kind is Kind.EN:  # a title the glossary translates ("General Secretary") is no name to match as typed
        glossed = glossed_words(question)
        names = " ".join(w for w in names_and_numbers(question).split()
                         if re.sub(r"['’]s$", "", w.lower()) not in glossed)
        return f"{names} {translate_terms(question)}".strip()
    if kind is Kind.KO:
        return f"{names_and_numbers(question)} {translate_korean(question)}".strip()
    english = translate_terms(question, english_only=True)  # "Busan mayor là ai": "mayor" -> "thị trưởng"
    return vietnamese_synonyms(f"{question} {english}" if english else question)


class Planner:
    """Turns questions into plans against one corpus (its accent table and IDF)."""

    def __init__(self, accents: AccentTable, idf: Callable[[str], float], max_chars: int = 1000):
        self.accents = accents
        self.idf = idf
        self.max_chars = max_chars
        # Words a typo may be mended into; words also known elsewhere are never "mended".
        self.corpus_words = CorpusWords(accents)
        self.vocabulary = Words(self.corpus_words, _COMMON_FOLDED)
        self.known = Words(self.corpus_words, _COMMON_FOLDED, ENGLISH, GLOSSARY_WORDS)

    def plan(self, question: str, kind: Kind | None = None) -> QueryPlan:
        """``kind`` overrides detection (evaluation sets label their questions)."""
        typed = validate_question(question, self.max_chars)
        core = strip_framing(self.decode_keyboard_off(typed))
        kind = kind or question_kind(core)
        vietnamese = kind in (Kind.VI, Kind.VI_PLAIN)
        text = written_out(core, shorthand=kind not in (Kind.EN, Kind.KO))
        if vietnamese:
            text = self.mend_typos(text)
        dense_text = text
        if kind is Kind.VI_PLAIN or (kind is Kind.VI and plain_share(text, self.accents) > MIXED_PLAIN_SHARE):
            dense_text = restore_diacritics(text, self.accents)
        # An English or Korean question's own names and numbers are what BM25 and the highlight
        # match ("HCMC" is written out for the lexical index by lexical_terms itself).
        lexical = lexical_text(text if vietnamese else core, kind)
        expressed = 1.0
        if kind is Kind.EN:
            held, expressed = self.english_in_corpus(core)
            lexical = f"{lexical} {held}".strip()
        whether = asks_whether(text, kind)  # "… từ năm 1995 đúng không" asks whether, not for a year
        asks = "" if whether else asks_for(dense_text)  # the marks restored: "may bay" is "máy bay", no "mấy"
        names = question_names(text)
        if kind is Kind.EN:  # a title or place the glossary translates ("General Secretary", "Saigon")
            glossed = {fold_word(w) for w in glossed_words(core)}  # is no name the passage must write
            names = tuple(n for n in names if n not in glossed)
        match = Match.of(lexical, asks, self.idf)
        said = said_of_subject(match.terms, names)
        asked = said if whether else ()
        asking = agents(text)
        return QueryPlan(typed, kind, text, dense_text, lexical, match, names, asks, asking, expressed, asked,
                         asked_role(text), asked_about(said) if asking else (),
                         written_forms(asked, dense_text if vietnamese else lexical, kind),
                         asks_what_was_said(dense_text), said)

    def english_in_corpus(self, question: str) -> tuple[str, float]:
        """An English question's words the articles hold as they are (names typed in lower case:
        "busan", "gimhae"), and the share of its content words (not stop words) that its lexical
        side expresses: glossary phrases, names and figures, and those words."""
        content = [w for w in TYPED_WORD.findall(question.lower()) if len(w) > 1 and w not in _ENGLISH_STOP]
        if not content:
            return "", 1.0
        glossed = glossed_words(question)
        named = set(TYPED_WORD.findall(names_and_numbers(question).lower()))  # "heong-joon": "heong", "joon"
        held = self.names_typed_lower(question)  # "to lam": "to" is no stop word there
        held += [w for w in content if w not in glossed and w not in named and fold_word(w) in self.corpus_words]
        expressed = sum(w in glossed or w in named or w in held for w in content)
        return " ".join(dict.fromkeys(held)), expressed / len(content)

    def names_typed_lower(self, question: str) -> list[str]:
        """Pairs of words the articles write together, one of them no English word, in an
        English question ("to lam": "Tô Lâm"): both words, even one that is an English stop word."""
        typed = TYPED_WORD.findall(question.lower())
        found = []
        for a, b in zip(typed, typed[1:]):
            english = [w in ENGLISH or w in _ENGLISH_STOP for w in (a, b)]
            if any(english) and not all(english) and f"{fold_word(a)} {fold_word(b)}" in self.accents:
                found += [a, b]
        return found

    def decode_keyboard_off(self, text: str) -> str:
        """Words typed in Telex or VNI with the Vietnamese keyboard switched off ("thij truowng
        busan laf ai") written as the syllables they stand for, where the word is no word we know
        and the syllable is ("thị", "là"): an English word, a name or shorthand is left alone.
        Not in an English sentence: where its function words ("what", "the", "of") outnumber
        the words that would decode, "set of downs" stays as it is (not "dớn")."""
        typed_words = TYPED_WORD.findall(text)
        decoded = {}
        for word in typed_words:
            if fold_word(word.lower()) not in self.known:
                syllable = decode_typing(word)
                if syllable and fold_word(syllable) in self.vocabulary:
                    decoded[word] = syllable
        english = sum(w.lower() in _ENGLISH_FUNCTION for w in typed_words)
        if not decoded or english >= sum(w in decoded for w in typed_words):
            return text
        return TYPED_WORD.sub(lambda m: decoded.get(m.group(0), m.group(0)), text)

    def mend_typos(self, text: str) -> str:
        """Each unknown word that is one edit from exactly one corpus word becomes that word
        (when the typist used diacritics, in the accented form nearest to what was typed)."""
        def mend(m: re.Match) -> str:
            word = m.group(0)
            key = fold_word(word.lower())
            if key in self.known or sum(c.isupper() for c in word) > 1:  # known, or an acronym ("GDP")
                return word
            if is_syllable(word):
                return word  # a real word the articles lack ("giúp", "mưa" typed "mua"), not a typo of one they hold
            found = correction(key, self.vocabulary)
            if found is None:
                return word
            if has_vietnamese_marks(word):  # keep the typist's marks: the accented form nearest to it
                forms = candidate_forms(found, self.accents)
                if forms:
                    return min(forms, key=lambda f: (_distance(f, word.lower()), -forms[f]))
            return found

        return _WORD.sub(mend, text)
