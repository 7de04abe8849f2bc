"""Typos in content words: a word the corpus (and the lexicon) never saw is replaced by the one
corpus word it is a single edit away from, and left alone when there is none or more than one."""

from __future__ import annotations

import string
from typing import AbstractSet as Set, Iterable, Protocol

_LETTERS = string.ascii_lowercase


class Vocabulary(Protocol):
    """Words looked up by membership, and many at once (``among``); a plain set is one too."""

    def __contains__(self, word: object) -> bool: ...


class Words:
    """The union of word sets, none copied: the corpus's words (an index's files at a million
    paragraphs) with the lexicon's. A part is a set, or offers ``among`` to look up many at once."""

    def __init__(self, *parts: Vocabulary):
        self.parts = parts

    def __contains__(self, word: object) -> bool:
        return any(word in part for part in self.parts)

    def among(self, candidates: Iterable[str]) -> set[str]:
        return set().union(*(among(part, candidates) for part in self.parts))


def among(vocabulary: Vocabulary, candidates: Iterable[str]) -> set[str]:
    """Those of ``candidates`` in ``vocabulary``."""
    candidates = set(candidates)
    look = getattr(vocabulary, "among", None)
    if look is not None:
        return look(candidates)
    return candidates & vocabulary if isinstance(vocabulary, Set) else {c for c in candidates if c in vocabulary}


def edits(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away (folded letters)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return (deletes | swaps | replaces | inserts) - {word}


def correction(word: str, vocabulary: Vocabulary, min_length: int = 3) -> str | None:
    """The corpus word a folded, unknown ``word`` was meant to be, if exactly one is a single
    edit away (a swap of neighbouring letters, the commonest slip, is tried first)."""
    if len(word) < min_length or word in vocabulary or not word.isascii() or not word.isalpha():
        return None
    splits = [(word[:i], word[i:]) for i in range(len(word) - 1)]
    swapped = among(vocabulary, {a + b[1] + b[0] + b[2:] for a, b in splits}) - {word}
    if len(swapped) == 1:
        return next(iter(swapped))
    found = among(vocabulary, edits(word))
    return next(iter(found)) if len(found) == 1 else None
