"""Diacritic restoration for Vietnamese typed without them: a query-side resource built from
the corpus at index time (its accent table) plus common words from the lexicon."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Iterable, Mapping, Protocol, Sequence

from .lexicon import COMMON_PHRASES, COMMON_VI
from .text import fold, fold_word, has_vietnamese_marks, nfc, words
from .tuned import RESTORATION


class AccentTable(Protocol):
    """Folded word (or "word word" pair) -> accented forms with counts: the dict ``accent_table``
    returns, or the same read from an index's files (``store.accents.Accents``)."""

    def get(self, key: str, default=None) -> Mapping[str, int] | None: ...

    def __contains__(self, key: object) -> bool: ...


def keys_among(accents: AccentTable, candidates: Iterable[str]) -> set[str]:
    """Those of ``candidates`` that are keys of the table (a table in files looks them up together)."""
    among = getattr(accents, "among", None)
    return among(candidates) if among else {c for c in candidates if c in accents}


_COMMON_BY_KEY: dict[str, list[str]] = {}
_COMMON_PAIRS: dict[str, set[str]] = {}  # folded "a b" -> accented "a b" of common question phrases
for _w in dict.fromkeys(COMMON_VI + tuple(w for p in COMMON_PHRASES for w in p.split())):
    _COMMON_BY_KEY.setdefault(fold(_w), []).append(_w)
for _phrase in COMMON_PHRASES:
    _ws = _phrase.split()
    for _a, _b in zip(_ws, _ws[1:]):
        _COMMON_PAIRS.setdefault(f"{fold(_a)} {fold(_b)}", set()).add(f"{_a} {_b}")


class CorpusWords:
    """The corpus's single words (the accent table's keys without a space), not copied out."""

    def __init__(self, accents: AccentTable):
        self.accents = accents

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and " " not in word and word in self.accents

    def among(self, candidates: Iterable[str]) -> set[str]:
        return keys_among(self.accents, [c for c in candidates if " " not in c])


def accent_table(texts: Sequence[str]) -> dict[str, dict[str, int]]:
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
    if has_vietnamese_marks(word):  # typed with its marks: it stays as typed, and informs its neighbours
        return {word: float(accents.get(key, {}).get(word, 1))}
    # In a fixed order (ties go to the first): a table in files lists a key's forms sorted, a
    # dict in the order the corpus first had them.
    forms: dict[str, float] = dict(sorted(accents.get(key, {}).items()))
    for common in _COMMON_BY_KEY.get(key, ()):
        forms.setdefault(common, RESTORATION.common_word_count)  # the corpus knows its own words
    return forms or {word: 1.0}


def candidate_forms(key: str, accents: AccentTable) -> dict[str, float]:
    """The accented forms a folded word may stand for: the corpus's, with counts, and common words'."""
    return _forms(key, key, accents) if (key in accents or key in _COMMON_BY_KEY) else {}


def could_carry_marks(key: str, accents: AccentTable) -> bool:
    """Whether a folded word has an accented form in the corpus or among the common words."""
    return any(form != key for form in accents.get(key, ())) or any(f != key for f in _COMMON_BY_KEY.get(key, ()))


def plain_share(text: str, accents: AccentTable) -> float:
    """Among the words that could carry diacritics, the share typed without any.

    Written Vietnamese leaves some words unmarked ("ba", "cho"): on XQuAD's questions the share
    is 0.10 at the median and 0.29 at the 95th percentile; with half the words' diacritics
    dropped it is 0.30 at the 5th percentile (benchmarks/chat_style.py's "mixed").
    """
    could = [w for w in words(nfc(text)) if could_carry_marks(fold_word(w), accents)]
    return sum(not has_vietnamese_marks(w) for w in could) / len(could) if could else 0.0


def restore_diacritics(text: str, accents: AccentTable) -> str:
    """Guess the accented forms of the words of a Vietnamese sentence typed without them.

    A Viterbi pass over the words: each word's accented forms are scored by how often the
    corpus has them, and each adjacent pair by how often the corpus has that pair, which
    decides between readings ("ban đầu" vs "bán hàng"). Words typed with their diacritics stay
    as they are and steer their neighbours (half-accented questions); unknown words stay as typed.
    """
    tokens = words(nfc(text))
    if not tokens:
        return ""
    keys = [fold(w) for w in tokens]
    columns = [_forms(k, w, accents) for k, w in zip(keys, tokens)]
    best = {f: (math.log1p(c), [f]) for f, c in columns[0].items()}
    for i in range(1, len(tokens)):
        pair_key = f"{keys[i - 1]} {keys[i]}"
        pair_counts = accents.get(pair_key, {})
        common_pairs = _COMMON_PAIRS.get(pair_key, ())
        step = {}
        for form, count in columns[i].items():
            def total(prev: str) -> float:
                pair = f"{prev} {form}"
                seen = pair_counts.get(pair, 0) or (RESTORATION.common_pair_count if pair in common_pairs else 0)
                return best[prev][0] + RESTORATION.pair_weight * math.log1p(seen)

            prev = max(sorted(best), key=total)
            step[form] = (total(prev) + math.log1p(count), best[prev][1] + [form])
        best = step
    return " ".join(max(best.values(), key=lambda v: v[0])[1])
