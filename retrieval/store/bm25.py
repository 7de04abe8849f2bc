"""The lexical index: BM25 over accent-folded syllables and bigrams, as a sparse matrix."""

from __future__ import annotations

import json
from array import array
from collections import Counter, defaultdict
from pathlib import Path
from typing import Sequence

import numpy as np

from ..text import lexical_terms
from ..tuned import BM25_B as B, BM25_K1 as K1
from .manifest import LEXICAL_FILES as FILES



class Bm25:
    """Passages x terms, one BM25 weight per cell (scipy CSC)."""

    def __init__(self, terms: list[str], weights, idf: np.ndarray):
        self.terms = terms
        self.term_ids = {t: i for i, t in enumerate(terms)}
        self.weights = weights
        self.idf_values = idf

    def __len__(self) -> int:
        return self.weights.shape[0]

    @classmethod
    def build(cls, texts: Sequence[str]) -> "Bm25":
        from scipy import sparse

        vocab: defaultdict[str, int] = defaultdict()
        vocab.default_factory = vocab.__len__  # a new term gets the next id
        # Compact arrays, not lists: a million paragraphs have ~150M postings.
        cols = array("i")
        tfs = array("f")
        per_row = np.zeros(len(texts), dtype=np.int64)
        lengths = np.zeros(len(texts), dtype=np.float32)
        for row, text in enumerate(texts):  # map() keeps the per-term work in C
            counts = Counter(lexical_terms(text))
            lengths[row] = sum(counts.values())
            per_row[row] = len(counts)
            cols.extend(map(vocab.__getitem__, counts))
            tfs.extend(counts.values())
        n = len(texts)
        rows = np.repeat(np.arange(n), per_row)
        cols_array = np.frombuffer(cols, dtype=np.int32)
        tf = sparse.csr_matrix((np.frombuffer(tfs, dtype=np.float32), (rows, cols_array)), shape=(n, len(vocab)))
        df = np.bincount(cols_array, minlength=len(vocab)).astype(np.float32)
        del cols, tfs, cols_array
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg = float(lengths.mean()) if n else 1.0
        norm = K1 * (1 - B + B * lengths / max(avg, 1e-9))
        tf = tf.tocoo()
        data = tf.data * (K1 + 1) / (tf.data + norm[tf.row]) * idf[tf.col]
        weights = sparse.csc_matrix((data.astype(np.float32), (tf.row, tf.col)), shape=tf.shape)
        return cls(sorted(vocab, key=vocab.get), weights, idf)

    def _query_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(t for t in lexical_terms(text) if t in self.term_ids)
        ids = np.array([self.term_ids[t] for t in counts], dtype=np.int64)
        return ids, np.array(list(counts.values()), dtype=np.float32)

    def query(self, text: str) -> "ScoredQuery":
        ids, qtf = self._query_vector(text)
        if not len(ids):
            return ScoredQuery(np.zeros(self.weights.shape[0], dtype=np.float32))
        return ScoredQuery(np.asarray(self.weights[:, ids] @ qtf).ravel())

    def max_score(self, text: str) -> float:
        ids, qtf = self._query_vector(text)
        return float((self.idf_values[ids] * qtf).sum() * (K1 + 1) / (1 + K1)) if len(ids) else 0.0

    def idf(self, term: str) -> float:
        i = self.term_ids.get(term)
        return float(self.idf_values[i]) if i is not None else 0.0

    def save(self, folder: Path) -> None:
        w = self.weights
        for name, values in zip(FILES, (w.data, w.indices, w.indptr, self.idf_values, np.array(w.shape))):
            np.save(folder / name, values, allow_pickle=False)
        (folder / "terms.json").write_text(json.dumps(self.terms, ensure_ascii=False))

    @classmethod
    def load(cls, folder: Path) -> "Bm25":
        """The postings memory-mapped: a question reads its own terms' columns, so a large index
        costs the querying process what its questions touch, not its size. (A generation of an
        earlier version, one ``lexical.npz``, is read whole.)"""
        from scipy import sparse

        if (folder / "lexical.npz").exists() and not (folder / FILES[0]).exists():
            with np.load(folder / "lexical.npz", allow_pickle=False) as z:
                weights = sparse.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
                idf = z["idf"]
        else:
            data, indices, indptr = (np.load(folder / name, mmap_mode="r", allow_pickle=False) for name in FILES[:3])
            idf = np.load(folder / FILES[3], allow_pickle=False)
            shape = tuple(int(x) for x in np.load(folder / FILES[4], allow_pickle=False))
            weights = sparse.csc_matrix((data, indices, indptr), shape=shape, copy=False)
        terms = json.loads((folder / "terms.json").read_text())
        if len(terms) != weights.shape[1]:
            raise ValueError("term list and weights disagree")
        return cls(terms, weights, idf)


class ScoredQuery:
    """One question's BM25 scores: its top passages, and the score of any passage."""

    def __init__(self, scores: np.ndarray):
        self.scores = scores

    def top(self, k: int) -> list[tuple[int, float]]:
        scores = self.scores
        k = min(k, len(scores))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(r), float(scores[r])) for r in top if scores[r] > 0]

    def at(self, rows: Sequence[int]) -> list[float]:
        return [float(self.scores[r]) for r in rows]
