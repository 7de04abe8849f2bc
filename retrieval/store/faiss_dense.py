"""The dense index: FAISS over the passage vectors, exact below a size, IVF-SQ8 above it.

Candidates are always re-scored exactly from the memory-mapped ``vectors.npy``, so
quantisation only decides which passages become candidates, never their scores.
"""

from __future__ import annotations

import math
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Sequence

import numpy as np

from ..tuned import ANN
from .streamed import Written
from .manifest import VECTORS_FILE
from .vectors import DenseStats, SentenceVectors



def faiss_module():
    """FAISS, set to one thread: one question is one single-vector search, and OpenMP
    threads only spin against each other (and the model) on a small machine. Builds ask for
    all cores explicitly."""
    import faiss

    faiss.omp_set_num_threads(1)
    return faiss


@contextmanager
def _all_cores(faiss):
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(1)


def ivf_lists(n: int) -> int:
    return max(1, min(int(ANN.lists_per_sqrt * math.sqrt(n)), n // ANN.train_per_list))


def training_rows(n: int, exact_limit: int) -> np.ndarray:
    """The rows IVF's k-means is trained on (none for exact search): chosen before a vector is
    seen, so a build that streams its vectors keeps just these."""
    if n <= exact_limit:
        return np.empty(0, dtype=np.int64)
    return np.random.default_rng(0).choice(n, min(n, ivf_lists(n) * ANN.train_per_list), replace=False)


def build_faiss(vectors: np.ndarray, exact_limit: int):
    """Exact inner-product search up to ``exact_limit`` vectors, IVF-SQ8 above it (see tuned.json, "ann")."""
    n = len(vectors)
    chunks = lambda: (vectors[start : start + ADD_CHUNK] for start in range(0, n, ADD_CHUNK))  # noqa: E731
    return build_faiss_from(n, vectors.shape[1], vectors[training_rows(n, exact_limit)], chunks, exact_limit)


ADD_CHUNK = 65_536  # vectors handed to FAISS at a time: a build never copies them all at once


def build_faiss_from(n: int, dim: int, sample: np.ndarray, chunks, exact_limit: int):
    """``build_faiss`` from the training ``sample`` (``training_rows``' vectors, in that order)
    and ``chunks()``, the vectors in row order a chunk at a time."""
    faiss = faiss_module()
    if n <= exact_limit:
        index = faiss.IndexFlatIP(dim)
    else:
        lists = ivf_lists(n)
        index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dim), dim, lists, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
        index.cp.niter = ANN.train_rounds
        index.cp.min_points_per_centroid = ANN.train_per_list
        with _all_cores(faiss):
            index.train(np.ascontiguousarray(sample, dtype=np.float32))
        index.nprobe = min(ANN.nprobe, lists)
    with _all_cores(faiss):
        for chunk in chunks():
            index.add(np.ascontiguousarray(chunk, dtype=np.float32))
    return index


def search_kind(index) -> str:
    nprobe = getattr(index, "nprobe", None)
    return "exact" if nprobe is None else f"ivf{index.nlist}-sq8 nprobe={nprobe}"


class FaissDense:
    """Implements ``DenseIndex`` over one generation folder's files."""

    def __init__(self, faiss_index, vectors: np.ndarray, sentences: SentenceVectors, stats: DenseStats):
        self.faiss_index = faiss_index
        self.vectors = vectors
        self.sentences = sentences
        self.dense_stats = stats
        self.dim = int(vectors.shape[1])

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    @staticmethod
    def write(folder: Path, written: Written, exact_limit: int) -> str:
        """Write every dense file of a generation (the vectors' own unless the build streamed
        them there already); returns how it searches."""
        if written.folder != folder:
            np.save(folder / VECTORS_FILE, written.matrix, allow_pickle=False)
            written.sentences.save(folder)
        written.stats.save(folder)
        n, dim = written.matrix.shape
        index = build_faiss_from(n, dim, written.sample, lambda: written.chunks(ADD_CHUNK), exact_limit)
        faiss_module().write_index(index, str(folder / "dense.faiss"))
        return search_kind(index)

    @classmethod
    def load(cls, folder: Path) -> "FaissDense":
        faiss = faiss_module()
        return cls(faiss.read_index(str(folder / "dense.faiss")),
                   np.load(folder / VECTORS_FILE, mmap_mode="r", allow_pickle=False),
                   SentenceVectors.load(folder), DenseStats.load(folder))

    def agrees_with(self, passages: int, dim: int) -> bool:
        return (self.faiss_index.ntotal == len(self) == passages and (not passages or self.dim == dim)
                and self.sentences.agrees_with(passages, dim))

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, len(self))
        if k <= 0:
            return []
        scores, rows = self.faiss_index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), k)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def scores(self, query: np.ndarray, rows: Sequence[int]) -> list[float]:
        if not len(rows):
            return []
        return [float(s) for s in self.vectors[np.asarray(rows)] @ np.asarray(query, dtype=np.float32)]

    def sentence_scores(self, query: np.ndarray, rows: Sequence[int]) -> list[list[float]]:
        query = np.asarray(query, dtype=np.float32)
        return self.sentences.scores(query, rows)

    def stats(self, query: np.ndarray) -> tuple[float, float]:
        return self.dense_stats.of_query(query)

    def passage_vectors(self, rows: Sequence[int]) -> np.ndarray:
        return np.asarray(self.vectors[np.asarray(rows, dtype=np.int64)], dtype=np.float32).reshape(len(rows), self.dim)

    def sentence_blocks(self, rows: Sequence[int]) -> list[np.ndarray]:
        return [self.sentences.block(r) for r in rows]

    def describe(self) -> str:
        return search_kind(self.faiss_index)
