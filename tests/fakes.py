"""Small fakes for unit tests: an embedder that needs no model, and in-memory stores that
pass the same contract suite as the real ones (tests/contract)."""

from __future__ import annotations

import hashlib
import math

import numpy as np

from retrieval.text import fold, words


class HashEmbedder:
    """Bag of accent-folded words hashed into a fixed random space, L2-normalised.

    Texts sharing words get similar vectors, so ranking tests mean something, and
    ``calls`` records what was embedded (to test that unchanged passages are reused).
    """

    def __init__(self, dim: int = 64, model_id: str = "fake-hash-v1"):
        self.dim = dim
        self.model_id = model_id
        self.calls: list[tuple[str, int]] = []

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for w in words(text):
            seed = int.from_bytes(hashlib.sha256(fold(w).encode()).digest()[:4], "little")
            v += np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        v += 1e-3
        return v / np.linalg.norm(v)

    def embed_queries(self, texts):
        self.calls.append(("query", len(texts)))
        return np.vstack([self._vec(t) for t in texts]) if len(texts) else np.zeros((0, self.dim), np.float32)

    def embed_passages(self, texts, progress=False):
        self.calls.append(("passage", len(texts)))
        return np.vstack([self._vec(t) for t in texts]) if len(texts) else np.zeros((0, self.dim), np.float32)


# ----------------------------------------------------------------------------- in-memory stores


class MemoryPassages:
    """PassageStore over a list."""

    def __init__(self, passages):
        self.items = list(passages)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, row):
        return self.items[row]

    def __iter__(self):
        return iter(self.items)

    def many(self, rows):
        return [self.items[r] for r in rows]

    def rows_for_texts(self, texts):
        return [next((i for i, p in enumerate(self.items) if p.text == text), None) for text in texts]


class NumpyDense:
    """DenseIndex by brute force over numpy arrays: exact, obviously right, no FAISS."""

    def __init__(self, vectors, sentence_blocks):
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.blocks = [np.asarray(b, dtype=np.float32) for b in sentence_blocks]
        self.dim = int(self.vectors.shape[1])

    def search(self, query, k):
        sims = self.vectors @ np.asarray(query, dtype=np.float32)
        order = np.argsort(-sims, kind="stable")[: max(k, 0)]
        return [(int(r), float(sims[r])) for r in order]

    def scores(self, query, rows):
        return [float(self.vectors[r] @ query) for r in rows]

    def sentence_scores(self, query, rows):
        return [[float(s) for s in self.blocks[r] @ query] for r in rows]

    def stats(self, query):
        sims = self.vectors.astype(np.float64) @ np.asarray(query, dtype=np.float64)
        return (float(sims.mean()), float(sims.std()) + 1e-6) if len(sims) else (0.0, 1e-6)

    def passage_vectors(self, rows):
        return self.vectors[list(rows)].reshape(len(rows), self.dim)

    def sentence_blocks(self, rows):
        return [self.blocks[r] for r in rows]

    def describe(self):
        return "exact (numpy)"


class OverlapQuery:
    def __init__(self, scores, ceiling=0.0):
        self.scores, self.ceiling = scores, ceiling

    def top(self, k):
        ranked = sorted((i for i, s in enumerate(self.scores) if s > 0), key=lambda i: (-self.scores[i], i))
        return [(i, self.scores[i]) for i in ranked[: max(k, 0)]]

    def at(self, rows):
        return [self.scores[r] for r in rows]


class OverlapLexical:
    """LexicalIndex as IDF-weighted overlap of folded words: BM25's idea without its arithmetic."""

    def __init__(self, texts):
        self.docs = [set(fold(w) for w in words(t)) for t in texts]
        n = len(self.docs)
        counts = {}
        for doc in self.docs:
            for w in doc:
                counts[w] = counts.get(w, 0) + 1
        self.idfs = {w: math.log1p((n - c + 0.5) / (c + 0.5)) for w, c in counts.items()}

    def _terms(self, text):
        return {fold(w) for w in words(text)} & set(self.idfs)

    def query(self, text):
        terms = self._terms(text)
        return OverlapQuery([sum(self.idfs[t] for t in terms & doc) for doc in self.docs],
                            sum(self.idfs[t] for t in terms))

    def idf(self, term):
        return self.idfs.get(term, 0.0)


def memory_index(passages, embedder):
    """An Index of in-memory fakes (no FAISS, no disk), built through the library's own
    incremental embedding and accent table."""
    from retrieval.restore import accent_table
    from retrieval.store.base import Index
    from retrieval.store.builder import embed_incrementally
    from retrieval.store.manifest import FORMAT_VERSION, Manifest, corpus_hash
    from retrieval.store.streamed import InMemory

    sink = InMemory(len(passages))
    _, dim = embed_incrementally(passages, embedder, None, sink)
    written = sink.finish(dim)
    matrix, sentences = written.matrix, written.sentences
    blocks = [sentences.block(r) for r in range(len(passages))]
    texts = [p.text for p in passages]
    manifest = Manifest(FORMAT_VERSION, embedder.model_id, embedder.dim, len(passages), corpus_hash(passages), 0.0,
                        "exact (numpy)")
    return Index(MemoryPassages(passages), NumpyDense(matrix, blocks), OverlapLexical(texts), accent_table(texts),
                 manifest, "memory")
