"""The accent table (``restore.accent_table``: folded word or word pair -> the accented forms
the corpus has, with counts) written in bounded memory and read from files.

As one JSON dict of dicts it was the largest thing a querying process held at a million
paragraphs (~2M keys), and counting it whole, then encoding it, the peak of a build. Here each
run of ``RUN_PASSAGES`` passages is counted and written sorted to a scratch file; the runs are
merged (equal forms' counts added) straight into the files:

    accent_keys.*        the folded keys, sorted, found by value (``strings``)
    accent_forms.*       the accented forms, each key's in turn
    accent_counts.npy    int64, each form's count
    accent_starts.npy    int64: key k's forms are rows [starts[k], starts[k + 1]) of the above
"""

from __future__ import annotations

import heapq
import shutil
from array import array
from collections import Counter
from itertools import groupby
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from ..text import fold_word, words
from . import strings
from .manifest import ACCENT_FILES, ACCENT_FORMS as FORMS, ACCENT_KEYS as KEYS
from .rows import Bounded
from .strings import CACHED, Strings

RUN_PASSAGES = 20_000  # passages counted in memory as one run (~60 MB of words and pairs)
COUNTS_FILE, STARTS_FILE = ACCENT_FILES[-2:]
_SEP = "\x1f"  # never inside a word; sorts before every character a word holds


def _run_lines(texts: list[str]) -> list[str]:
    """One run: "key␟form␟count" per distinct word and word pair, sorted by key, then form."""
    singles: Counter = Counter()
    pairs: Counter = Counter()
    for text in texts:
        ws = words(text)
        singles.update(ws)
        pairs.update(zip(ws, ws[1:]))
    lines = [f"{fold_word(w)}{_SEP}{w}{_SEP}{c}\n" for w, c in singles.items()]
    lines += [f"{fold_word(a)} {fold_word(b)}{_SEP}{a} {b}{_SEP}{c}\n" for (a, b), c in pairs.items()]
    lines.sort()
    return lines


def _chunks(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_accents(folder: Path, texts: Iterable[str], run_passages: int = RUN_PASSAGES) -> None:
    """The accent table of ``texts`` as files in ``folder``."""
    scratch = folder / ".accent-runs"
    scratch.mkdir()
    try:
        runs = []
        for k, chunk in enumerate(_chunks(texts, run_passages)):
            path = scratch / str(k)
            path.write_text("".join(_run_lines(chunk)), encoding="utf-8")
            runs.append(path)
        handles = [open(p, encoding="utf-8") for p in runs]
        try:
            _merge(folder, heapq.merge(*handles))
        finally:
            for fh in handles:
                fh.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _merge(folder: Path, lines: Iterable[str]) -> None:
    keys, forms = strings.Writer(folder, KEYS), strings.Writer(folder, FORMS, lookup=False)
    counts, starts = array("q"), array("q", [0])
    try:
        rows = (line.rstrip("\n").split(_SEP) for line in lines)
        for key, same_key in groupby(rows, key=lambda r: r[0]):
            keys.add(key)
            for form, same_form in groupby(same_key, key=lambda r: r[1]):
                forms.add(form)
                counts.append(sum(int(r[2]) for r in same_form))
            starts.append(len(counts))
    finally:
        keys.close()
        forms.close()
    np.save(folder / COUNTS_FILE, np.frombuffer(counts, dtype=np.int64), allow_pickle=False)
    np.save(folder / STARTS_FILE, np.frombuffer(starts, dtype=np.int64), allow_pickle=False)


class Accents:
    """The accent table read from its files; answers as the dict it replaces does."""

    def __init__(self, keys: Strings, forms: Strings, counts: np.ndarray, starts: np.ndarray):
        if len(starts) != len(keys) + 1 or len(counts) != len(forms) or int(starts[-1]) != len(counts):
            raise ValueError("accent table: its files disagree on size")
        self.keys, self.forms, self.counts, self.starts = keys, forms, counts, starts
        self._cache = Bounded(CACHED)  # row -> its (form, count) pairs: a question's common words come again

    @classmethod
    def load(cls, folder: Path, mapped: bool = True) -> "Accents":
        mode = "r" if mapped else None
        return cls(Strings.load(folder, KEYS, mapped=mapped), Strings.load(folder, FORMS, lookup=False, mapped=mapped),
                   np.load(folder / COUNTS_FILE, mmap_mode=mode, allow_pickle=False),
                   np.load(folder / STARTS_FILE, mmap_mode=mode, allow_pickle=False))

    def _forms(self, row: int) -> dict[str, int]:
        found = self._cache.get(row)
        if found is None:
            start, end = int(self.starts[row]), int(self.starts[row + 1])
            found = tuple(zip((self.forms[i] for i in range(start, end)), self.counts[start:end].tolist()))
            self._cache.put(row, found)
        return dict(found)  # a new dict each time: a caller may change it

    def get(self, key: str, default=None):
        row = self.keys.row(key)
        return self._forms(row) if row >= 0 else default

    def __contains__(self, key: object) -> bool:
        return key in self.keys

    def __len__(self) -> int:
        return len(self.keys)

    def among(self, candidates: Iterable[str]) -> set[str]:
        """Those of ``candidates`` that are keys, looked up together."""
        candidates = list(candidates)
        found = self.keys.rows(candidates) if candidates else []
        return {c for c, row in zip(candidates, found) if row >= 0}
