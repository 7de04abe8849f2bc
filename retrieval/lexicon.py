"""The project's word lists, read once from ``data/lexicon.toml`` (one file, one reader)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

_DATA = tomllib.loads((Path(__file__).parent / "data" / "lexicon.toml").read_text(encoding="utf-8"))


def _words(section: str, key: str) -> list[str]:
    return _DATA[section][key].split()


QUESTION_WORDS_VI = tuple(_words("question_words", "vi"))
QUESTION_WORDS_EN = tuple(_words("question_words", "en"))
COMMON_VI = tuple(_words("restoration", "common_vi"))
COMMON_PHRASES = tuple(p.strip() for p in re.split(r"[|\n]", _DATA["restoration"]["common_pairs"]) if p.strip())
ENGLISH = frozenset(_words("language", "english"))
VIETNAMESE_PLAIN = frozenset(_words("language", "vietnamese_plain"))
ENGLISH_STOP = frozenset(_words("language", "english_stop"))
ROLE_VERBS = tuple(v.strip() for v in re.split(r"[|\n]", _DATA["roles"]["verbs"]) if v.strip())
SPEECH_ASKED = tuple(v.strip() for v in re.split(r"[|\n]", _DATA["speech"]["asked"]) if v.strip())
SPEECH_REPORTED = tuple(v.strip() for v in re.split(r"[|\n]", _DATA["speech"]["reported"]) if v.strip())
COMMIT_VERBS = frozenset(v.strip() for v in re.split(r"[|\n]", _DATA["roles"]["commits"]) if v.strip())
ASKS: dict[str, str] = dict(_DATA["asks"])  # kind -> wordings with their marks ("a|b|c"), in the order they are tried
WHETHER_VI_LAST = frozenset(_words("whether", "vi_last"))
WHETHER_EN_FIRST = frozenset(_words("whether", "en_first"))
WHETHER_FRAME = frozenset(_words("whether", "frame"))
WHETHER_EN_CHOICE = frozenset(_words("whether", "en_choice"))
