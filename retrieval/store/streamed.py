"""Where a build's vectors go as they are embedded: a chunk at a time, in passage order.

``InMemory`` keeps them (the PostgreSQL store writes them in one transaction); ``ToFiles``
appends them to the generation's own files as they come, so a file build holds one chunk of
vectors, the IVF training sample and running sums, never the whole corpus's vectors: 1.5 GB of
passage vectors and several GB of sentence vectors at a million paragraphs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Protocol, Sequence

import numpy as np
from numpy.lib import format as npy

from .manifest import SENTENCE_ROWS_FILE, SENTENCES_FILE, VECTORS_FILE
from .vectors import DenseStats, RunningStats, SentenceVectors

COPY_BYTES = 16 << 20  # a raw file copied into its .npy this much at a time


@dataclass(frozen=True, eq=False)
class Written:
    """A build's vectors, wherever they went."""

    matrix: np.ndarray  # (n, dim) float32: in memory, or memory-mapped from the generation's file
    sentences: SentenceVectors
    stats: DenseStats
    sample: np.ndarray  # the vectors of ``training_rows`` (IVF's k-means), in that order
    chunks: Callable[[int], Iterator[np.ndarray]]  # the passage vectors in row order, n at a time
    folder: Path | None = None  # the folder of their files (``ToFiles``); None: in memory

    def sentence_blocks(self, size: int) -> Iterator[list[np.ndarray]]:
        """Each passage's sentence vectors, ``size`` passages at a time, in row order."""
        starts = self.sentences.starts
        for start in range(0, len(self.matrix), size):
            end = min(start + size, len(self.matrix))
            flat = self._sentence_rows(int(starts[start]), int(starts[end]))
            yield np.split(flat, starts[start + 1 : end] - starts[start])

    def _sentence_rows(self, lo: int, hi: int) -> np.ndarray:
        if self.folder is None:
            return np.asarray(self.sentences.vectors[lo:hi], dtype=np.float32)
        return read_range(self.folder / SENTENCES_FILE, lo, hi).astype(np.float32)

    @classmethod
    def in_memory(cls, matrix: np.ndarray, sentences: SentenceVectors,
                  training: np.ndarray | None = None) -> "Written":
        """``training``: the rows FAISS trains on (``faiss_dense.training_rows``), where FAISS
        is to search them."""
        sample = matrix[training] if training is not None else matrix[:0]
        chunks = lambda size: (matrix[i : i + size] for i in range(0, len(matrix), size))  # noqa: E731
        return cls(matrix, sentences, DenseStats.of(matrix), sample, chunks)


class VectorSink(Protocol):
    def add(self, vectors: np.ndarray, blocks: Sequence[np.ndarray]) -> None:
        """The next rows' passage vectors and, per row, its sentence vectors."""

    def finish(self, dim: int) -> Written: ...

    def close(self) -> None:
        """After the build, written or failed: what the sink alone holds is let go."""


class InMemory:
    def __init__(self, n: int, training: np.ndarray | None = None):
        self.n, self.training = n, training
        self.matrix: np.ndarray | None = None
        self.blocks: list[np.ndarray] = []

    def add(self, vectors: np.ndarray, blocks: Sequence[np.ndarray]) -> None:
        if self.matrix is None:
            self.matrix = np.empty((self.n, vectors.shape[1]), np.float32)
        start = len(self.blocks)
        self.matrix[start : start + len(vectors)] = vectors
        self.blocks.extend(np.asarray(b, dtype=np.float16) for b in blocks)

    def finish(self, dim: int) -> Written:
        matrix = self.matrix if self.matrix is not None else np.zeros((0, dim), np.float32)
        _check_count(len(self.blocks), self.n)
        sentences = SentenceVectors.assemble(self.blocks, matrix.shape[1], release=True)
        return Written.in_memory(matrix, sentences, self.training)

    def close(self) -> None:
        self.matrix, self.blocks = None, []


class ToFiles:
    """Writes ``vectors.npy``, ``sentences.npy`` and ``sentence_rows.npy`` into ``folder`` as
    the vectors come (plain writes, not memory maps: what was written is the file cache's, not
    the build's), keeping only ``training``'s rows and the running sums for the statistics."""

    RAW = "sentences.raw"  # the sentence vectors as they come, before their count is known

    def __init__(self, folder: Path, n: int, training: np.ndarray, scratch: bool = False):
        self.folder, self.n, self.scratch = Path(folder), n, scratch
        self.training = np.asarray(training, dtype=np.int64)
        self.order = np.argsort(self.training)  # where each row, taken in row order, goes in the sample
        self.sorted_rows = self.training[self.order]
        self.rows = 0
        self.starts = array("q", [0])
        self.sample: np.ndarray | None = None
        self.running: RunningStats | None = None
        self.vectors_file = None
        self.raw = open(self.folder / self.RAW, "wb")

    def add(self, vectors: np.ndarray, blocks: Sequence[np.ndarray]) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.vectors_file is None:
            self._open(vectors.shape[1])
        start, end = self.rows, self.rows + len(vectors)
        lo, hi = np.searchsorted(self.sorted_rows, [start, end])
        self.sample[self.order[lo:hi]] = vectors[self.sorted_rows[lo:hi] - start]
        self.running.add(vectors)
        self.vectors_file.write(vectors.tobytes())
        for block in blocks:
            block = np.ascontiguousarray(block, dtype=np.float16)
            self.raw.write(block.tobytes())
            self.starts.append(self.starts[-1] + len(block))
        self.rows = end

    def _open(self, dim: int) -> None:
        self.dim = dim
        self.sample = np.zeros((len(self.training), dim), np.float32)
        self.running = RunningStats(dim)
        self.vectors_file = open(self.folder / VECTORS_FILE, "wb")
        npy_header(self.vectors_file, np.float32, (self.n, dim))

    def finish(self, dim: int) -> Written:
        if self.vectors_file is None:
            self._open(dim)
        self.vectors_file.close()
        self.raw.close()
        _check_count(self.rows, self.n)
        total = self.starts[-1]
        with open(self.folder / SENTENCES_FILE, "wb") as out, open(self.folder / self.RAW, "rb") as raw:
            npy_header(out, np.float16, (total, self.dim))
            while block := raw.read(COPY_BYTES):
                out.write(block)
        os.remove(self.folder / self.RAW)
        np.save(self.folder / SENTENCE_ROWS_FILE, np.frombuffer(self.starts, dtype=np.int64), allow_pickle=False)
        path = self.folder / VECTORS_FILE
        return Written(np.load(path, mmap_mode="r", allow_pickle=False), SentenceVectors.load(self.folder),
                       self.running.stats(), self.sample, lambda size: read_rows(path, size), folder=self.folder)

    def close(self) -> None:
        """Files left open by a failed build are closed; a scratch folder is removed (the
        generation's own folder is its store's)."""
        for fh in (self.vectors_file, self.raw):
            if fh is not None:
                fh.close()
        if self.scratch:
            shutil.rmtree(self.folder, ignore_errors=True)

    @classmethod
    def to_scratch(cls, n: int) -> "ToFiles":
        """Into a temporary folder of its own (removed on ``close``): a store that copies the
        vectors elsewhere reads them back a chunk at a time."""
        return cls(Path(tempfile.mkdtemp(prefix="busan-bot-vectors-")), n, np.empty(0, np.int64), scratch=True)


def read_rows(path: Path, size: int) -> Iterator[np.ndarray]:
    """An .npy matrix's rows, ``size`` at a time, read (not memory-mapped)."""
    with open(path, "rb") as fh:
        (n, dim), dtype = read_header(fh)
        for start in range(0, n, size):
            m = min(size, n - start)
            yield np.fromfile(fh, dtype=dtype, count=m * dim).reshape(m, dim)


def read_range(path: Path, lo: int, hi: int) -> np.ndarray:
    """Rows ``lo`` to ``hi`` of an .npy matrix, read (not memory-mapped)."""
    with open(path, "rb") as fh:
        (_, dim), dtype = read_header(fh)
        fh.seek(lo * dim * dtype.itemsize, os.SEEK_CUR)
        return np.fromfile(fh, dtype=dtype, count=(hi - lo) * dim).reshape(hi - lo, dim)


def read_header(fh) -> tuple[tuple[int, ...], np.dtype]:
    """An .npy file's shape and dtype, ``fh`` left at the array's first byte."""
    version = npy.read_magic(fh)
    shape, _, dtype = npy.read_array_header_1_0(fh) if version == (1, 0) else npy.read_array_header_2_0(fh)
    return shape, dtype


def npy_header(fh, dtype, shape: tuple[int, ...]) -> None:
    """An .npy file's header, the array's bytes to follow."""
    npy.write_array_header_1_0(fh, {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": shape})


def _check_count(rows: int, n: int) -> None:
    if rows != n:  # a bug in the build, never a user's input: the generation is not published
        raise RuntimeError(f"build wrote vectors for {rows} passages, expected {n}")
