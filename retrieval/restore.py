"""Diacritic restoration for Vietnamese typed without them: a query-side resource built from
the corpus at index time (its accent table) plus common words from the lexicon."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Sequence

from .lexicon import COMMON_VI
from .text import fold, fold_word, nfc, words
from .tuned import RESTORATION

AccentTable = dict[str, dict[str, int]]  # folded word (or "word word" pair) -> accented forms with counts

_COMMON_BY_KEY: dict[str, list[str]] = {}
for _w in dict.fromkeys(COMMON_VI):
    _COMMON_BY_KEY.setdefault(fold(_w), []).append(_w)


def accent_table(texts: Sequence[str]) -> AccentTable:
    """folded word (and folded word pair) -> accented forms seen, with counts."""
    singles: Counter = Counter()
    pairs: Counter = Counter()
    for text in texts:  # count first (in C), fold each distinct form once
        ws = words(text)
        singles.update(ws)
        pairs.update(zip(ws, ws[1:]))
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for w, count in singles.items():
        table[fold_word(w)][w] = count
    for (a, b), count in pairs.items():
        table[f"{fold_word(a)} {fold_word(b)}"][f"{a} {b}"] = count
    return dict(table)


def _forms(key: str, word: str, accents: AccentTable) -> dict[str, float]:
    forms: dict[str, float] = dict(accents.get(key, {}))
    for common in _COMMON_BY_KEY.get(key, ()):
        forms.setdefault(common, RESTORATION.common_word_count)  # the corpus knows its own words
    return forms or {word: 1.0}


def restore_diacritics(text: str, accents: AccentTable) -> str:
    """Guess the accented form of an unaccented Vietnamese sentence from corpus counts.

    A Viterbi pass over the words: each word's accented forms are scored by how often the
    corpus has them, and each adjacent pair by how often the corpus has that pair, which
    decides between readings ("ban đầu" vs "bán hàng"). Unknown words stay as typed.
    """
    tokens = words(nfc(text))
    if not tokens:
        return ""
    keys = [fold(w) for w in tokens]
    columns = [_forms(k, w, accents) for k, w in zip(keys, tokens)]
    best = {f: (math.log1p(c), [f]) for f, c in columns[0].items()}
    for i in range(1, len(tokens)):
        pair_counts = accents.get(f"{keys[i - 1]} {keys[i]}", {})
        step = {}
        for form, count in columns[i].items():
            def total(prev: str) -> float:
                return best[prev][0] + RESTORATION.pair_weight * math.log1p(pair_counts.get(f"{prev} {form}", 0))

            prev = max(sorted(best), key=total)
            step[form] = (total(prev) + math.log1p(count), best[prev][1] + [form])
        best = step
    return " ".join(max(best.values(), key=lambda v: v[0])[1])
