"""Dictionary-based query translation: English (and Korean) words -> Vietnamese, for the lexical side.

e5 matches an English question to a Vietnamese paragraph by meaning, but on a corpus where
every paragraph is about the same two cities that is not precise enough. Translating the
content words of the question with a small glossary of news, diplomacy and economy terms
gives BM25 something to match. Not a translator: unknown words are simply left out. The word
lists are data (data/glossary.toml, with their provenance).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

_DATA = tomllib.loads((Path(__file__).parent / "data" / "glossary.toml").read_text(encoding="utf-8"))
GLOSSARY: dict[str, str] = dict(_DATA["en_vi"])  # English word or phrase -> the articles' Vietnamese
_PHRASES = sorted(GLOSSARY, key=len, reverse=True)
_PATTERN = re.compile(r"\b(" + "|".join(re.escape(p) for p in _PHRASES) + r")\b")


def translate_terms(question: str, english_only: bool = False) -> str:
    """The Vietnamese glossary words for the English words and phrases in ``question``.

    ``english_only``: for a Vietnamese question with English words in it ("Busan mayor là ai"),
    only phrases none of whose words could be a Vietnamese syllable ("met" could be "mệt")."""
    from .text import could_be_vietnamese

    found = [m.group(1) for m in _PATTERN.finditer(question.lower())]
    if english_only:
        found = [p for p in found if not any(could_be_vietnamese(w) for w in p.split())]
    return " ".join(GLOSSARY[p] for p in found)


def glossed_words(question: str) -> frozenset[str]:
    """The English words of ``question`` that a glossary phrase translates."""
    return frozenset(w for m in _PATTERN.finditer(question.lower()) for w in m.group(1).split())


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
