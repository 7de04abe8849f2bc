"""Numpy parts of the dense side: corpus similarity statistics and per-sentence vectors."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import numpy as np

from .manifest import SENTENCE_ROWS_FILE, SENTENCES_FILE


def ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The concatenation of ``range(s, e)`` for each pair, in one go: the rows of several
    passages' blocks (sentence vectors, sentence words) gathered by one index."""
    counts = ends - starts
    offsets = np.cumsum(counts)
    return np.repeat(ends - offsets, counts) + np.arange(int(offsets[-1]) if len(offsets) else 0)


class DenseStats:
    """Mean vector and covariance of the passage vectors, computed once at build time.

    The mean and spread of a query's similarity over all n passages are then exact and
    cost O(dim^2) per question instead of a pass over n vectors:
    mean = q.mu, variance = q' Sigma q.
    """

    def __init__(self, mean: np.ndarray, cov: np.ndarray):
        self.mean = mean
        self.cov = cov

    @classmethod
    def of(cls, vectors: np.ndarray, chunk: int = 65_536) -> "DenseStats":
        running = RunningStats(vectors.shape[1])
        for start in range(0, vectors.shape[0], chunk):
            running.add(vectors[start : start + chunk])
        return running.stats()

    def of_query(self, query: np.ndarray) -> tuple[float, float]:
        q = np.asarray(query, dtype=np.float64)
        return float(q @ self.mean), math.sqrt(max(float(q @ self.cov @ q), 0.0)) + 1e-6

    def save(self, folder: Path) -> None:
        np.savez(folder / "stats.npz", mean=self.mean, cov=self.cov)

    @classmethod
    def load(cls, folder: Path) -> "DenseStats":
        with np.load(folder / "stats.npz", allow_pickle=False) as z:
            return cls(z["mean"], z["cov"])


class RunningStats:
    """``DenseStats`` of vectors that come a chunk at a time (a build never holds them all):
    sums in float64, covariance as E[x x'] - mean mean'."""

    def __init__(self, dim: int):
        self.n = 0
        self.total = np.zeros(dim)
        self.outer = np.zeros((dim, dim))

    def add(self, vectors: np.ndarray) -> None:
        block = np.asarray(vectors, dtype=np.float64)
        self.n += len(block)
        self.total += block.sum(axis=0)
        self.outer += block.T @ block

    def stats(self) -> DenseStats:
        if not self.n:
            return DenseStats(np.zeros_like(self.total), np.zeros_like(self.outer))
        mean = self.total / self.n
        return DenseStats(mean, self.outer / self.n - np.outer(mean, mean))


class SentenceVectors:
    """The vectors of every passage's sentences, stored float16 (they only rank sentences
    and candidates, so half precision costs nothing measurable and halves the disk).

    A passage of one sentence stores its passage vector: nothing more to embed.
    """

    def __init__(self, vectors: np.ndarray, starts: np.ndarray):
        self.vectors = vectors  # (sentences, dim) float16
        self.starts = starts  # (passages + 1,) int64

    @classmethod
    def assemble(cls, blocks: Sequence[np.ndarray], dim: int, release: bool = False) -> "SentenceVectors":
        """One array of every passage's block, in order. ``release``: each block is dropped
        from the (mutable) list once copied, so a large build never holds them twice."""
        starts = np.zeros(len(blocks) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in blocks], out=starts[1:])
        vectors = np.empty((int(starts[-1]), dim), np.float16)
        for i in range(len(blocks)):
            vectors[starts[i] : starts[i + 1]] = blocks[i]
            if release:
                blocks[i] = None
        return cls(vectors, starts)

    def block(self, row: int) -> np.ndarray:
        return np.asarray(self.vectors[self.starts[row] : self.starts[row + 1]], dtype=np.float32)

    def scores(self, query: np.ndarray, rows: Sequence[int]) -> list[list[float]]:
        """Per row, its sentences' similarity to ``query``: one gather and one product for
        all rows (per-row numpy calls cost more than the arithmetic, and hold the GIL), cut
        into rows as Python lists (``np.split`` cost as much as the product)."""
        if not len(rows):
            return []
        rows = np.asarray(rows, dtype=np.int64)
        starts, ends = self.starts[rows], self.starts[rows + 1]
        sims = (np.asarray(self.vectors[ranges(starts, ends)], dtype=np.float32) @ query).tolist()
        bounds = np.cumsum(ends - starts).tolist()
        return [sims[a:b] for a, b in zip([0, *bounds[:-1]], bounds)]

    def agrees_with(self, passages: int, dim: int) -> bool:
        """Every passage has at least one sentence vector, of the passages' dimension."""
        starts = self.starts
        return (len(starts) == passages + 1 and int(starts[0]) == 0 and int(starts[-1]) == len(self.vectors)
                and bool(np.all(np.diff(starts) >= 1)) and (not passages or self.vectors.shape[1] == dim))

    def save(self, folder: Path) -> None:
        np.save(folder / SENTENCES_FILE, self.vectors, allow_pickle=False)
        np.save(folder / SENTENCE_ROWS_FILE, self.starts, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> "SentenceVectors":
        return cls(np.load(folder / SENTENCES_FILE, mmap_mode="r", allow_pickle=False),
                   np.load(folder / SENTENCE_ROWS_FILE, allow_pickle=False))
