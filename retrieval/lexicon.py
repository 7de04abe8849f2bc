"""The project's word lists, read once from ``data/lexicon.toml`` (one file, one reader)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

_DATA = tomllib.loads((Path(__file__).parent / "data" / "lexicon.toml").read_text(encoding="utf-8"))


def _words(section: str, key: str) -> list[str]:
    return _DATA[section][key].split()


def _phrases(section: str, key: str) -> tuple[str, ...]:
    """A list of phrases, "|" or a line break between them."""
    return tuple(p.strip() for p in re.split(r"[|\n]", _DATA[section][key]) if p.strip())


QUESTION_WORDS_VI = tuple(_words("question_words", "vi"))
QUESTION_WORDS_EN = tuple(_words("question_words", "en"))
COMMON_VI = tuple(_words("restoration", "common_vi"))
COMMON_PHRASES = _phrases("restoration", "common_pairs")
ENGLISH = frozenset(_words("language", "english"))
VIETNAMESE_PLAIN = frozenset(_words("language", "vietnamese_plain"))
ENGLISH_STOP = frozenset(_words("language", "english_stop"))
ROLE_VERBS = _phrases("roles", "verbs")
SPEECH_ASKED = _phrases("speech", "asked")
SPEECH_REPORTED = _phrases("speech", "reported")
COMMIT_VERBS = frozenset(_phrases("roles", "commits"))
ASKS: dict[str, str] = dict(_DATA["asks"])  # kind -> wordings with their marks ("a|b|c"), in the order they are tried
WHETHER_VI_LAST = frozenset(_words("whether", "vi_last"))
WHETHER_EN_FIRST = frozenset(_words("whether", "en_first"))
WHETHER_FRAME = frozenset(_words("whether", "frame"))
WHETHER_EN_CHOICE = frozenset(_words("whether", "en_choice"))
