"""Writing the BM25 index in bounded memory: postings sorted in runs, merged into the files.

A million paragraphs hold ~150M postings. Held as arrays and converted to a column-major
matrix in memory, they took several GB (each conversion a copy); here each run of
``RUN_PASSAGES`` passages is sorted by term and written to scratch files, then the runs are
merged a block of terms at a time straight into the index's files (``bm25.Bm25.load``'s
format: CSC, each term's passages in row order, weights float32). What stays in memory is the
term list (a dict while terms get their ids; written as ``strings``), one number per passage
and per term, and one run or block at a time.
"""

from __future__ import annotations

import shutil
from array import array
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable

import numpy as np

from ..text import lexical_terms
from ..tuned import BM25_B as B, BM25_K1 as K1
from . import strings
from .manifest import LEXICAL_FILES as FILES, TERMS
from .streamed import npy_header

RUN_PASSAGES = 50_000  # passages whose postings are sorted in memory as one run (~100 MB)
MERGE_POSTINGS = 8_000_000  # postings merged and weighed at a time (~200 MB)
FIELDS = (("col", np.int32), ("row", np.int32), ("tf", np.float32))


class _Runs:
    """The sorted runs in a scratch folder, each as raw files read back by slices."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.df: list[np.ndarray] = []  # per run, postings per term id (ids the run knew)

    def add(self, cols: np.ndarray, rows: np.ndarray, tfs: np.ndarray, terms: int) -> None:
        order = np.argsort(cols, kind="stable")  # by term; each term's passages stay in row order
        k = len(self.df)
        for (name, dtype), values in zip(FIELDS, (cols, rows, tfs)):
            np.ascontiguousarray(values[order], dtype=dtype).tofile(self.folder / f"{k}.{name}")
        self.df.append(np.bincount(cols, minlength=terms).astype(np.int32))

    def read(self, k: int, name: str, start: int, end: int) -> np.ndarray:
        dtype = dict(FIELDS)[name]
        with open(self.folder / f"{k}.{name}", "rb") as fh:
            fh.seek(start * np.dtype(dtype).itemsize)
            return np.fromfile(fh, dtype=dtype, count=end - start)


def write(folder: Path, texts: Iterable[str]) -> np.ndarray:
    """The BM25 files of ``texts`` (one passage each, in row order) in ``folder``; returns each
    passage's length in terms (``norms``)."""
    scratch = folder / ".bm25-runs"
    scratch.mkdir()
    try:
        runs = _Runs(scratch)
        vocab, lengths = _scan(texts, runs)
        lengths = np.frombuffer(lengths, dtype=np.float32)
        _merge(folder, runs, vocab, lengths)
        return lengths
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def norms(lengths: np.ndarray) -> np.ndarray:
    """Per passage, BM25's length normalisation: K1 (1 - B + B length / average length)."""
    avg = float(lengths.mean()) if len(lengths) else 1.0
    return K1 * (1 - B + B * lengths / max(avg, 1e-9))


def weigh(tf, norm, idf):
    """BM25's weight of a term in a passage (numpy arrays or numbers)."""
    return tf * (K1 + 1) / (tf + norm) * idf


def _scan(texts: Iterable[str], runs: _Runs) -> tuple[dict[str, int], array]:
    vocab: defaultdict[str, int] = defaultdict()
    vocab.default_factory = vocab.__len__  # a new term gets the next id
    lengths = array("f")
    cols, tfs, per_row = array("i"), array("f"), array("q")
    first = 0

    def flush():
        nonlocal first, cols, tfs, per_row
        if per_row:
            rows = np.repeat(np.arange(first, first + len(per_row), dtype=np.int32), np.frombuffer(per_row, np.int64))
            runs.add(np.frombuffer(cols, np.int32), rows, np.frombuffer(tfs, np.float32), len(vocab))
            first += len(per_row)
        cols, tfs, per_row = array("i"), array("f"), array("q")

    for text in texts:
        counts = Counter(lexical_terms(text))
        lengths.append(sum(counts.values()))
        per_row.append(len(counts))
        cols.extend(map(vocab.__getitem__, counts))  # map() keeps the per-term work in C
        tfs.extend(counts.values())
        if len(per_row) == RUN_PASSAGES:
            flush()
    flush()
    return vocab, lengths


def _merge(folder: Path, runs: _Runs, vocab: dict[str, int], lengths: np.ndarray) -> None:
    n, terms = len(lengths), len(vocab)
    df = np.zeros(terms, dtype=np.int64)
    for run_df in runs.df:
        df[: len(run_df)] += run_df
    nnz = int(df.sum())
    index_type = np.int32 if max(nnz, n, terms) < 2**31 else np.int64
    df32 = df.astype(np.float32)
    idf = np.log1p((n - df32 + 0.5) / (df32 + 0.5)).astype(np.float32)
    norm = norms(lengths)
    with open(folder / FILES[0], "wb") as data, open(folder / FILES[1], "wb") as rows_out:
        npy_header(data, np.float32, (nnz,))
        npy_header(rows_out, index_type, (nnz,))
        cursors = [0] * len(runs.df)
        for start, end in _blocks(df):
            cols, rows, tfs = [], [], []
            for k, run_df in enumerate(runs.df):
                stop = cursors[k] + int(run_df[start:end].sum())
                for out, name in ((cols, "col"), (rows, "row"), (tfs, "tf")):
                    out.append(runs.read(k, name, cursors[k], stop))
                cursors[k] = stop
            col, row, tf = (np.concatenate(parts) for parts in (cols, rows, tfs))
            order = np.argsort(col, kind="stable")  # runs come in row order: each term's rows stay sorted
            col, row, tf = col[order], row[order], tf[order]
            weigh(tf, norm[row], idf[col]).astype(np.float32).tofile(data)
            row.astype(index_type).tofile(rows_out)
    indptr = np.zeros(terms + 1, dtype=index_type)
    np.cumsum(df, out=indptr[1:])
    for name, values in zip(FILES[2:], (indptr, idf, np.array([n, terms]))):
        np.save(folder / name, values, allow_pickle=False)
    strings.write(folder, TERMS, vocab)  # in id order: the columns' order


def _blocks(df: np.ndarray) -> Iterable[tuple[int, int]]:
    """Consecutive term ranges of about MERGE_POSTINGS postings each (a term is never split)."""
    ends = np.cumsum(df)
    start = 0
    while start < len(df):
        end = int(np.searchsorted(ends, (ends[start - 1] if start else 0) + MERGE_POSTINGS, side="right"))
        end = max(end, start + 1)
        yield start, end
        start = end
