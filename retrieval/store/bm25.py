"""The lexical index: BM25 over accent-folded syllables and bigrams, as a sparse matrix."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from ..text import lexical_terms
from ..tuned import BM25_K1 as K1
from .bm25_write import write
from .manifest import LEXICAL_FILES as FILES, TERMS
from .streamed import read_header
from .strings import Strings

COLUMNS_AT_ONCE = 4_000_000  # postings read at a time when every term's are read in turn (~32 MB)


class Bm25:
    """Passages x terms, one BM25 weight per cell (scipy CSC)."""

    def __init__(self, terms: Strings, weights, idf: np.ndarray):
        self.terms = terms  # column by column, found by value
        self.weights = weights
        self.idf_values = idf

    def __len__(self) -> int:
        return self.weights.shape[0]

    @classmethod
    def build(cls, texts: Iterable[str]) -> "Bm25":
        """In memory (``write`` to a scratch folder, read back whole)."""
        with tempfile.TemporaryDirectory() as scratch:
            write(Path(scratch), texts)
            return cls.load(Path(scratch), mapped=False)

    def _query_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(lexical_terms(text))
        found = [(col, n) for col, n in zip(map(self.terms.row, counts), counts.values()) if col >= 0]
        return np.array([c for c, _ in found], dtype=np.int64), np.array([n for _, n in found], dtype=np.float32)

    def query(self, text: str) -> "ScoredQuery":
        ids, qtf = self._query_vector(text)
        if not len(ids):
            return ScoredQuery(np.zeros(self.weights.shape[0], dtype=np.float32), 0.0)
        scores = np.asarray(self.weights[:, ids] @ qtf).ravel()
        return ScoredQuery(scores, float(ceiling((self.idf_values[ids] * qtf).sum())))

    def idf(self, term: str) -> float:
        i = self.terms.row(term)
        return float(self.idf_values[i]) if i >= 0 else 0.0

    @classmethod
    def load(cls, folder: Path, mapped: bool = True) -> "Bm25":
        """The postings memory-mapped: a question reads its own terms' columns, so a large index
        costs the querying process what its questions touch, not its size. (A generation of an
        earlier version, one ``lexical.npz``, is read whole.)"""
        from scipy import sparse

        if (folder / "lexical.npz").exists() and not (folder / FILES[0]).exists():
            with np.load(folder / "lexical.npz", allow_pickle=False) as z:
                weights = sparse.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
                idf = z["idf"]
        else:
            data, indices, indptr = (np.load(folder / name, mmap_mode="r" if mapped else None, allow_pickle=False)
                                     for name in FILES[:3])
            idf = np.load(folder / FILES[3], allow_pickle=False)
            shape = tuple(int(x) for x in np.load(folder / FILES[4], allow_pickle=False))
            weights = sparse.csc_matrix((data, indices, indptr), shape=shape, copy=False)
        if (folder / "terms.json").exists():  # an earlier version's list
            terms = Strings.of(json.loads((folder / "terms.json").read_text()))
        else:
            terms = Strings.load(folder, TERMS, mapped=mapped)
        if len(terms) != weights.shape[1]:
            raise ValueError("term list and weights disagree")
        return cls(terms, weights, idf)


def ceiling(weighted_idf):
    """What a passage holding each of a question's terms once would roughly score, from the sum
    of their IDFs times their counts in the question: the scale fusion divides BM25 scores by
    (every lexical store's)."""
    return weighted_idf * (K1 + 1) / (1 + K1)


def columns(folder: Path, size: int = COLUMNS_AT_ONCE) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(term, its rows, their weights) for every term in turn, read from the files in ``folder``
    ``size`` postings at a time (a term with more, whole). Read, not memory-mapped: a pass over
    every posting through the map (PostgreSQL's copy of them) leaves them all resident in the
    process, 200 MB at 100k paragraphs."""
    starts = np.load(folder / FILES[2], allow_pickle=False)
    with open(folder / FILES[0], "rb") as data, open(folder / FILES[1], "rb") as rows:
        (_, data_type), (_, row_type) = read_header(data), read_header(rows)
        term, terms = 0, len(starts) - 1
        while term < terms:
            end = max(term + 1, int(np.searchsorted(starts, starts[term] + size, side="right")) - 1)
            lo, hi = int(starts[term]), int(starts[end])
            block_rows = np.fromfile(rows, dtype=row_type, count=hi - lo)
            block_weights = np.fromfile(data, dtype=data_type, count=hi - lo)
            for t in range(term, end):
                a, b = int(starts[t]) - lo, int(starts[t + 1]) - lo
                yield t, block_rows[a:b], block_weights[a:b]
            term = end


class ScoredQuery:
    """One question's BM25 scores: its top passages, and the score of any passage."""

    def __init__(self, scores: np.ndarray, ceiling: float = 0.0):
        self.scores, self.ceiling = scores, ceiling

    def top(self, k: int) -> list[tuple[int, float]]:
        scores = self.scores
        return [(int(r), float(scores[r])) for r in top_rows(scores, k)]

    def at(self, rows: Sequence[int]) -> list[float]:
        return [float(self.scores[r]) for r in rows]


SAMPLE_STEP = 16  # every 16th score is read to guess the k-th best before looking at all of them


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """The rows of the ``k`` highest positive scores, best first (ties: lower row first).

    A partition of every score costs milliseconds at a million passages, and nearly all of them
    are far below the k-th: a threshold guessed from a sample (the score that about 2k rows
    should reach) keeps the few that can be among the best; when fewer than k reach it, every
    positive score is considered, so the result is always exact."""
    k = min(k, len(scores))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    rows = np.empty(0, dtype=np.int64)
    sample = scores[::SAMPLE_STEP]
    rank = 2 * k // SAMPLE_STEP + 1  # expected to leave ~2k rows at or above it
    if len(sample) > 4 * rank:
        threshold = np.partition(sample, len(sample) - rank)[len(sample) - rank]
        if threshold > 0:
            rows = np.flatnonzero(scores >= threshold)
    if len(rows) < k:
        rows = np.flatnonzero(scores > 0)
    values = scores[rows]
    if len(rows) > k:
        cut = np.partition(values, len(values) - k)[len(values) - k]  # the k-th highest
        above, tied = np.flatnonzero(values > cut), np.flatnonzero(values == cut)
        keep = np.concatenate([above, tied[: k - len(above)]])
        rows, values = rows[keep], values[keep]
    return rows[np.argsort(-values, kind="stable")]
