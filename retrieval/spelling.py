"""Typos in content words: a word the corpus (and the lexicon) never saw is replaced by the one
corpus word it is a single edit away from, and left alone when there is none or more than one."""

from __future__ import annotations

import string
from typing import AbstractSet as Set

_LETTERS = string.ascii_lowercase


def edits(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away (folded letters)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return (deletes | swaps | replaces | inserts) - {word}


def correction(word: str, vocabulary: Set[str], min_length: int = 3) -> str | None:
    """The corpus word a folded, unknown ``word`` was meant to be, if exactly one is a single
    edit away (a swap of neighbouring letters, the commonest slip, is tried first)."""
    if len(word) < min_length or word in vocabulary or not word.isascii() or not word.isalpha():
        return None
    splits = [(word[:i], word[i:]) for i in range(len(word) - 1)]
    # Parenthesised: ``vocabulary - {word}`` would copy the whole vocabulary (8 ms at 100k passages).
    swapped = ({a + b[1] + b[0] + b[2:] for a, b in splits} & vocabulary) - {word}
    if len(swapped) == 1:
        return next(iter(swapped))
    found = edits(word) & vocabulary
    return next(iter(found)) if len(found) == 1 else None
