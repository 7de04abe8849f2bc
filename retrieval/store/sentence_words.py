"""Which folded words each sentence of each passage holds, computed once at build time.

Fusion weighs every candidate's best sentence by the share of the question's words it holds
(``highlight.share``). Splitting and folding ~100 candidate passages per question cost most of
a question's retrieval time at 100k passages (their sentences cached only while they fit in
memory); read from these arrays the same figure is a few numpy gathers. The files are
memory-mapped, and a generation built without them is read as before (``best_shares`` falls
back to splitting: ``Pipeline``).

    sentence_word_list.*      the folded words, by id (``strings``; an earlier version wrote JSON)
    sentence_words.npy        int32 word ids, each sentence's distinct words in turn
    sentence_word_at.npy      sentence s's words are [at[s], at[s + 1]) of the above
    sentence_word_rows.npy    passage r's sentences are [rows[r], rows[r + 1])
"""

from __future__ import annotations

import json
from array import array
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from . import strings
from .manifest import SENTENCE_WORD_FILES as FILES, SENTENCE_WORDS
from .strings import Strings
from .vectors import ranges

ARRAYS = FILES[-3:]  # the word ids, where each sentence's start, where each passage's start
_EARLIER = "sentence_words.json"


class SentenceWords:
    def __init__(self, words: Strings, ids: np.ndarray, at: np.ndarray, rows: np.ndarray):
        self.words = words
        self.ids = ids
        self.at = at
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows) - 1

    @classmethod
    def build(cls, passages: Iterable[Sequence[frozenset[str]]]) -> "SentenceWords":
        """From each passage's sentences as sets of folded words (``Sentences.of(text).words``:
        the same split and folding the fallback uses, so both give the same shares)."""
        vocabulary: dict[str, int] = {}
        ids, at, rows = array("i"), array("q", [0]), array("q", [0])
        for sentences in passages:
            for words in sentences:
                ids.extend(vocabulary.setdefault(w, len(vocabulary)) for w in sorted(words))
                at.append(len(ids))
            rows.append(len(at) - 1)
        return cls(Strings.of(vocabulary), np.frombuffer(ids, dtype=np.int32), np.frombuffer(at, dtype=np.int64),
                   np.frombuffer(rows, dtype=np.int64))

    def best_shares(self, rows: Sequence[int], terms: dict[str, float]) -> list[float]:
        """Per row, its best sentence's weighted share of ``terms`` (folded word -> weight):
        ``max(share(terms, words) for words in Sentences.of(text).words)``."""
        total = sum(terms.values())
        known = {i: w for i, w in zip(map(self.words.row, terms), terms.values()) if i >= 0}
        if not len(rows) or not total or not known:
            return [0.0] * len(rows)
        keys = np.array(sorted(known), dtype=np.int64)
        weights = np.array([known[k] for k in keys.tolist()], dtype=np.float64)
        rows = np.asarray(rows, dtype=np.int64)
        sentences = ranges(self.rows[rows], self.rows[rows + 1])
        words = np.asarray(self.ids[ranges(self.at[sentences], self.at[sentences + 1])], dtype=np.int64)
        where = np.minimum(np.searchsorted(keys, words), len(keys) - 1)
        found = np.where(keys[where] == words, weights[where], 0.0)
        # Sums over ranges as differences of one running sum: a sentence may hold no word.
        running = np.concatenate(([0.0], np.cumsum(found)))
        per_word_count = self.at[sentences + 1] - self.at[sentences]
        ends = np.cumsum(per_word_count)
        per_sentence = running[ends] - running[ends - per_word_count]
        firsts = np.concatenate(([0], np.cumsum(self.rows[rows + 1] - self.rows[rows])[:-1]))
        return (np.maximum.reduceat(per_sentence, firsts) / total).tolist()

    def agrees_with(self, passages: int) -> bool:
        rows, at = self.rows, self.at
        return (len(rows) == passages + 1 and int(rows[0]) == 0 and int(rows[-1]) == len(at) - 1
                and bool(np.all(np.diff(rows) >= 1)) and int(at[-1]) == len(self.ids))

    def save(self, folder: Path) -> None:
        strings.write(folder, SENTENCE_WORDS, self.words)
        for name, values in zip(ARRAYS, (self.ids, self.at, self.rows)):
            np.save(folder / name, values, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> "SentenceWords | None":
        """The generation's sentence words, or None where it was built without them."""
        if not all((folder / name).exists() for name in ARRAYS):
            return None
        if (folder / _EARLIER).exists():  # an earlier version's list
            words = Strings.of(json.loads((folder / _EARLIER).read_text(encoding="utf-8")))
        elif all((folder / name).exists() for name in FILES):
            words = Strings.load(folder, SENTENCE_WORDS)
        else:
            return None
        ids, at, rows = (np.load(folder / name, mmap_mode="r", allow_pickle=False) for name in ARRAYS)
        return cls(words, ids, np.asarray(at), np.asarray(rows))

