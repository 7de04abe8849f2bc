"""The read side of the PostgreSQL backend: one generation's passages, vectors and BM25.

Each generation has its own tables (``busan_g<N>_*``), written once and never changed, so
anything read from them may be cached for the life of the generation.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Sequence

import numpy as np

from ..passage import Passage, content_hash
from ..text import lexical_terms
from ..tuned import PGVECTOR
from .bm25 import ceiling
from .pg_database import Database
from .rows import Bounded, CachedPassages
from .vectors import DenseStats

TERM_CACHE = 200_000
RESCORE_FIRST = 128  # passages scored exactly in the first batch (then 4x each time)


def table(generation: int, name: str) -> str:
    return f"busan_g{int(generation)}_{name}"


def halfvec(vector) -> object:
    from pgvector import HalfVector

    return HalfVector(np.asarray(vector, dtype=np.float32))


class PgPassages(CachedPassages):
    """Implements ``PassageStore`` over ``busan_g<N>_passages``."""

    def __init__(self, db: Database, generation: int, count: int):
        super().__init__()
        self.db, self.table, self.count = db, table(generation, "passages"), count

    def _read(self, rows: Sequence[int]) -> list[Passage]:
        return self.in_order(rows, {r[0]: Passage(*r[1:]) for r in self.db.rows(
            f"SELECT row, id, article, title, source, paragraph, text FROM {self.table} WHERE row = ANY(%s)",
            (list(rows),))})

    def rows_for_texts(self, texts: Sequence[str]) -> list[int | None]:
        hashes = [content_hash(t) for t in texts]
        found: dict[str, int] = {}
        for start in range(0, len(hashes), 50_000):
            found.update(self.db.rows(f"SELECT hash, row FROM {self.table} WHERE hash = ANY(%s)",
                                      (hashes[start : start + 50_000],)))
        return [found.get(h) for h in hashes]


class PgDense:
    """Implements ``DenseIndex``: halfvec columns, HNSW above the exact-search limit."""

    def __init__(self, db: Database, generation: int, dim: int, stats: DenseStats, search: str):
        self.db, self.dim, self.dense_stats, self.search_kind = db, dim, stats, search
        self.passages, self.sentences = table(generation, "passages"), table(generation, "sentences")

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        if k <= 0:
            return []
        q = halfvec(query)
        return [(r, float(s)) for r, s in self.db.rows(
            f"SELECT row, -(embedding <#> %s) FROM {self.passages} ORDER BY embedding <#> %s LIMIT %s", (q, q, k))]

    def scores(self, query: np.ndarray, rows: Sequence[int]) -> list[float]:
        if not len(rows):
            return []
        got = dict(self.db.rows(f"SELECT row, -(embedding <#> %s) FROM {self.passages} WHERE row = ANY(%s)",
                                (halfvec(query), list(rows))))
        return [float(got[r]) for r in rows]

    def sentence_scores(self, query: np.ndarray, rows: Sequence[int]) -> list[list[float]]:
        per_row: dict[int, list[float]] = {r: [] for r in rows}
        for row, score in self.db.rows(f"SELECT row, -(embedding <#> %s) FROM {self.sentences} "
                                       f"WHERE row = ANY(%s) ORDER BY row, idx", (halfvec(query), list(rows))):
            per_row[row].append(float(score))
        return [per_row[r] for r in rows]

    def stats(self, query: np.ndarray) -> tuple[float, float]:
        return self.dense_stats.of_query(query)

    def passage_vectors(self, rows: Sequence[int]) -> np.ndarray:
        got = dict(self.db.rows(f"SELECT row, embedding FROM {self.passages} WHERE row = ANY(%s)", (list(rows),)))
        out = np.zeros((len(rows), self.dim), np.float32)
        for i, r in enumerate(rows):
            out[i] = got[r].to_numpy()
        return out

    def sentence_blocks(self, rows: Sequence[int]) -> list[np.ndarray]:
        per_row: dict[int, list[np.ndarray]] = {r: [] for r in rows}
        for row, vector in self.db.rows(f"SELECT row, embedding FROM {self.sentences} WHERE row = ANY(%s) "
                                        f"ORDER BY row, idx", (list(rows),)):
            per_row[row].append(vector.to_numpy())
        return [np.asarray(per_row[r], dtype=np.float32).reshape(-1, self.dim) for r in rows]

    def describe(self) -> str:
        return self.search_kind


class PgLexical:
    """Implements ``LexicalIndex``: BM25 weights as one ``sparsevec`` per passage (the inner
    product with the question's term counts is its BM25 score, as in ``bm25.py``), and per
    term its postings, highest weight first, in blocks for the top-k search."""

    def __init__(self, db: Database, generation: int, count: int, vocabulary: int):
        self.db, self.count, self.vocabulary = db, count, vocabulary
        self.passages, self.terms, self.postings = (table(generation, n) for n in ("passages", "terms", "postings"))
        self._terms = Bounded(TERM_CACHE)  # term -> (id, idf), or None when no passage has it

    def __len__(self) -> int:
        return self.count

    def lookup(self, terms) -> dict[str, tuple[int, float]]:
        """Id and IDF of each known term among ``terms``."""
        missing = [t for t in dict.fromkeys(terms) if t not in self._terms]
        if missing:
            found = {t: (i, idf) for t, i, idf in self.db.rows(
                f"SELECT term, id, idf FROM {self.terms} WHERE term = ANY(%s)", (missing,))}
            for t in missing:
                self._terms.put(t, found.get(t))
        return {t: v for t in terms if (v := self._terms.get(t)) is not None}

    def _counts(self, text: str) -> dict[int, tuple[float, float]]:
        """Term id -> (count in the question, IDF), for the question's known terms."""
        counts = Counter(lexical_terms(text))
        known = self.lookup(counts)
        return {known[t][0]: (float(c), known[t][1]) for t, c in counts.items() if t in known}

    def query(self, text: str) -> "PgLexicalQuery":
        counts = self._counts(text)
        return PgLexicalQuery(self, {i: c for i, (c, _) in counts.items()},
                              ceiling(sum(c * idf for c, idf in counts.values())))

    def idf(self, term: str) -> float:
        found = self.lookup([term]).get(term)
        return float(found[1]) if found else 0.0

    def exact(self, counts: dict[int, float], rows: Sequence[int]) -> dict[int, float]:
        from pgvector import SparseVector

        if not rows:
            return {}
        q = SparseVector(counts, self.vocabulary)
        return {r: float(s) for r, s in self.db.rows(
            f"SELECT row, -(lexical <#> %s) FROM {self.passages} WHERE row = ANY(%s)", (q, list(rows)))}

    def blocks(self, wanted: list[tuple[int, int]]) -> list[tuple[int, int, np.ndarray, np.ndarray, bool]]:
        """(term, block, rows, weights, last) for each (term id, block number) asked for."""
        got = self.db.rows(
            f"SELECT p.term, p.block, p.rows, p.weights, p.last FROM {self.postings} p "
            f"JOIN unnest(%s::int[], %s::int[]) AS w(term, block) ON p.term = w.term AND p.block = w.block",
            ([t for t, _ in wanted], [b for _, b in wanted]))
        return [(t, b, np.frombuffer(r, dtype="<i4"), np.frombuffer(w, dtype="<f4"), last) for t, b, r, w, last in got]


class PgLexicalQuery:
    """One question's BM25 top-k by the threshold algorithm (Fagin et al.): postings are read
    highest weight first, block by block, until no passage left unread can beat the k-th best;
    the passages that might still be in the top are then scored exactly. Exact when it stops
    by that bound; ``lexical_max_rounds`` and ``lexical_max_rescore`` cap the work on a large
    corpus, where the top becomes approximate (measured: tuned.json, section ``pgvector``)."""

    def __init__(self, index: PgLexical, counts: dict[int, float], ceiling: float):
        self.index, self.counts, self.ceiling = index, counts, ceiling
        self._exact: dict[int, float] = {}
        self._lock = threading.Lock()

    def top(self, k: int) -> list[tuple[int, float]]:
        if k <= 0 or not self.counts:
            return []
        terms = list(self.counts)
        weight = np.array([self.counts[t] for t in terms])  # each term's count in the question
        position = {t: i for i, t in enumerate(terms)}
        floor = np.full(len(terms), np.inf)  # per term, the weight no unread posting exceeds
        next_block: dict[int, int | None] = {t: 0 for t in terms}
        rows_read, scores_read, terms_read = [], [], []  # every posting read, as (row, count x weight, term)
        rows = partial = np.zeros(0)
        theta = 0.0
        for _ in range(PGVECTOR.lexical_max_rounds):
            wanted = [(t, b) for t, b in next_block.items() if b is not None]
            if not wanted:
                break
            for term, block, block_rows, block_weights, last in self.index.blocks(wanted):
                i = position[term]
                rows_read.append(block_rows)
                scores_read.append(weight[i] * block_weights.astype(np.float64))
                terms_read.append(np.full(len(block_rows), i))
                floor[i] = 0.0 if last else float(block_weights[-1])
                next_block[term] = None if last else block + 1
            rows, where = np.unique(np.concatenate(rows_read), return_inverse=True)
            partial = np.bincount(where, weights=np.concatenate(scores_read), minlength=len(rows))  # lower bounds
            theta = float(np.partition(partial, len(partial) - k)[len(partial) - k]) if len(partial) >= k else 0.0
            if float(weight @ floor) <= theta:  # no passage left unread can beat the k-th best
                break
        # A passage's upper bound: what it has, plus the floor of each term whose postings it
        # was not (yet) found in; those whose bound cannot reach the k-th best are out.
        unread = weight * floor
        seen_unread = np.bincount(where, weights=unread[np.concatenate(terms_read)], minlength=len(rows))
        missing = float(unread.sum()) - seen_unread
        upper = partial + missing
        maybe = np.flatnonzero(upper >= theta)
        maybe = maybe[np.argsort(-upper[maybe], kind="stable")][: PGVECTOR.lexical_max_rescore]
        exact = self._rescore(k, rows[maybe], partial[maybe], upper[maybe], missing[maybe] <= 1e-9)
        with self._lock:
            self._exact.update(exact)
        ranked = sorted(((r, s) for r, s in exact.items() if s > 0), key=lambda x: (-x[1], x[0]))
        return ranked[:k]

    def _rescore(self, k: int, rows: np.ndarray, partial: np.ndarray, upper: np.ndarray,
                 complete: np.ndarray) -> dict[int, float]:
        """Exact scores of the passages that may be in the top ``k``, best bound first, read in
        growing batches until the k-th best score found beats every bound left (a tie with it
        cannot change the top's scores)."""
        exact = {int(r): float(p) for r, p in zip(rows[complete], partial[complete])}  # every weight known
        todo = np.flatnonzero(~complete)
        start, size = 0, RESCORE_FIRST
        while start < len(todo):
            best = sorted(exact.values(), reverse=True)
            if len(best) >= k and best[k - 1] >= upper[todo[start]]:
                break
            batch = todo[start : start + size]
            exact.update(self.index.exact(self.counts, [int(r) for r in rows[batch]]))
            start, size = start + size, size * 4
        return exact

    def at(self, rows: Sequence[int]) -> list[float]:
        if not self.counts:
            return [0.0] * len(rows)
        with self._lock:
            known = dict(self._exact)
        todo = [r for r in dict.fromkeys(rows) if r not in known]
        known.update(self.index.exact(self.counts, todo))
        return [known.get(r, 0.0) for r in rows]
