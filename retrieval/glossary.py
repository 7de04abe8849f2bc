"""Dictionary-based query translation: English (and Korean) words -> Vietnamese, for the lexical side.

e5 matches an English question to a Vietnamese paragraph by meaning, but on a corpus where
every paragraph is about the same two cities that is not precise enough. Translating the
content words of the question with a small glossary of news, diplomacy and economy terms
gives BM25 something to match. Not a translator: unknown words are simply left out. The word
lists are data (data/glossary.toml, with their provenance).
"""

from __future__ import annotations

import functools
import re
import threading
import tomllib
from pathlib import Path

import snowballstemmer

_DATA = tomllib.loads((Path(__file__).parent / "data" / "glossary.toml").read_text(encoding="utf-8"))
GLOSSARY: dict[str, str] = dict(_DATA["en_vi"])  # English word or phrase -> the articles' Vietnamese
GLOSSARY_WORDS = frozenset(w for phrase in GLOSSARY for w in phrase.split())  # the words of its English side
_WORD = re.compile(r"[^\W_]+")  # whole words: "là" is no "l"
_LONGEST = max(len(p.split()) for p in GLOSSARY)
_STEMMER = snowballstemmer.stemmer("english")
_STEMMER_LOCK = threading.Lock()  # a Snowball stemmer keeps state while it works


@functools.lru_cache(maxsize=1 << 14)
def _stem(word: str) -> str:
    with _STEMMER_LOCK:
        return _STEMMER.stemWord(word)


def _by_stems() -> dict[tuple[str, ...], str]:
    """Each phrase by the stems of its words, so that its other forms match ("globally",
    "cooperated", "consulates"); stems two phrases share with different meanings are left out
    ("consul general", "consulate general": each is matched as written only)."""
    meanings: dict[tuple[str, ...], set[str]] = {}
    for phrase, vietnamese in GLOSSARY.items():
        meanings.setdefault(tuple(_stem(w) for w in phrase.split()), set()).add(vietnamese)
    return {stems: next(iter(vi)) for stems, vi in meanings.items() if len(vi) == 1}


_EXACT = {tuple(p.split()): vi for p, vi in GLOSSARY.items()}
_STEMS = _by_stems()


@functools.lru_cache(maxsize=1024)  # a question's plan asks twice: its translation, and the words it covers
def _found(question: str) -> tuple[tuple[tuple[str, ...], str], ...]:
    """The glossary phrases of ``question``, longest first from left to right: each as typed
    (its words) with its Vietnamese; a phrase as written before one only alike in its stems."""
    typed = _WORD.findall(question.lower())
    stems = [_stem(w) for w in typed]
    found, i = [], 0
    while i < len(typed):
        for n in range(min(_LONGEST, len(typed) - i), 0, -1):
            vietnamese = _EXACT.get(tuple(typed[i:i + n])) or _STEMS.get(tuple(stems[i:i + n]))
            if vietnamese:
                found.append((tuple(typed[i:i + n]), vietnamese))
                i += n
                break
        else:
            i += 1
    return tuple(found)


def translate_terms(question: str, english_only: bool = False) -> str:
    """The Vietnamese glossary words for the English words and phrases in ``question``, in any
    of their forms ("businesses", "globally").

    ``english_only``: for a Vietnamese question with English words in it ("Busan mayor là ai"),
    only phrases none of whose words could be a Vietnamese syllable ("met" could be "mệt") or is
    typed with a capital: in a Vietnamese sentence that is a name the passages write as it is
    ("AFC Championship Game", "Tesla Electric Light & Manufacturing"), not a word to translate."""
    from .text import could_be_vietnamese

    found = _found(question)
    if english_only:
        capitalised = {w.lower() for w in _WORD.findall(question) if w[0].isupper()}
        found = [(w, vi) for w, vi in found
                 if not any(could_be_vietnamese(x) or x in capitalised for x in w)]
    return " ".join(vi for _, vi in found)


def glossed_words(question: str) -> frozenset[str]:
    """The English words of ``question`` that a glossary phrase translates."""
    return frozenset(w for typed, _ in _found(question) for w in typed)


KOREAN: dict[str, str] = dict(_DATA["ko_vi"])  # Korean word -> the articles' Vietnamese
_KO_PATTERN = re.compile("|".join(re.escape(p) for p in sorted(KOREAN, key=len, reverse=True)))


def translate_korean(question: str) -> str:
    """The Vietnamese glossary words for the Korean words in ``question``, matched inside
    words (Korean writes its particles onto them: "부산에서" is "부산" + "에서")."""
    return " ".join(KOREAN[m.group(0)] for m in _KO_PATTERN.finditer(question))


# Vietnamese ways of asking that the articles word differently (accent-folded on both sides).
VI_SYNONYMS: dict[str, str] = dict(_DATA["vi_synonyms"])
_VI_PATTERN = re.compile(r"\b(" + "|".join(re.escape(p) for p in sorted(VI_SYNONYMS, key=len, reverse=True)) + r")\b")


def vietnamese_synonyms(question: str) -> str:
    """The question, accent-folded, with its phrasing mapped to the articles' (lexical side only)."""
    from .text import fold

    return _VI_PATTERN.sub(lambda m: VI_SYNONYMS[m.group(1)], fold(question))
