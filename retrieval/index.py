"""The on-disk index: FAISS vectors, a BM25 lexical index and passage metadata.

Layout of ``index_dir``::

    current -> gen-<time>-<rand>/   symlink, swapped atomically after a build
    gen-.../manifest.json            format version, model id, dimension, corpus hash
    gen-.../passages.sqlite3         passage metadata and text (no pickle anywhere)
    gen-.../vectors.npy              float32 L2-normalised embeddings, row = passage row
    gen-.../sentences.npy            float16 embeddings of each passage's sentences, in order
    gen-.../sentence_rows.npy        passage row r's sentences are rows [r] to [r+1] of the above
    gen-.../dense.faiss              inner-product FAISS index over the same rows
    gen-.../lexical.npz, terms.json  BM25 weights (CSC) and the term list
    gen-.../accents.json             folded -> accented word forms seen in the corpus
    gen-.../stats.npz                mean and covariance of the vectors (similarity z-scores)
    .lock                            held while building

A build writes a new generation next to the old one and only then repoints
``current``; a process killed mid-build leaves the previous index in use.
Numpy and FAISS stay inside this module.
"""

from __future__ import annotations

import gc
import json
import logging
import math
import os
import shutil
import sqlite3
import time
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from filelock import FileLock, Timeout

from .embedder import Embedder
from .errors import IndexError_
from .manifest import CURRENT, FORMAT_VERSION, Manifest, corpus_hash
from .passage import Passage, content_hash
from .text import fold_word, lexical_terms, sentences, words

log = logging.getLogger(__name__)

K1, B = 1.2, 0.75


# ----------------------------------------------------------------------------- lexical


class Lexical:
    """BM25 over accent-folded syllables and bigrams, as a sparse term-by-passage matrix."""

    def __init__(self, terms: list[str], weights, idf: np.ndarray):
        self.terms = terms
        self.term_ids = {t: i for i, t in enumerate(terms)}
        self.weights = weights  # scipy CSC, passages x terms, BM25 weight per cell
        self.idf = idf

    @classmethod
    def build(cls, texts: Sequence[str]) -> "Lexical":
        from scipy import sparse

        vocab: defaultdict[str, int] = defaultdict()
        vocab.default_factory = vocab.__len__  # a new term gets the next id
        cols: list[int] = []
        tfs: list[int] = []
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
        tf = sparse.csr_matrix((np.array(tfs, dtype=np.float32), (rows, cols)), shape=(n, len(vocab)))
        df = np.bincount(np.array(cols, dtype=np.int64), minlength=len(vocab)).astype(np.float32)
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg = float(lengths.mean()) if n else 1.0
        norm = K1 * (1 - B + B * lengths / max(avg, 1e-9))
        tf = tf.tocoo()
        data = tf.data * (K1 + 1) / (tf.data + norm[tf.row]) * idf[tf.col]
        weights = sparse.csc_matrix((data.astype(np.float32), (tf.row, tf.col)), shape=tf.shape)
        return cls(sorted(vocab, key=vocab.get), weights, idf)

    def query_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(t for t in lexical_terms(text) if t in self.term_ids)
        ids = np.array([self.term_ids[t] for t in counts], dtype=np.int64)
        return ids, np.array(list(counts.values()), dtype=np.float32)

    def scores(self, text: str) -> np.ndarray:
        ids, qtf = self.query_vector(text)
        if not len(ids):
            return np.zeros(self.weights.shape[0], dtype=np.float32)
        return np.asarray(self.weights[:, ids] @ qtf).ravel()

    def max_score(self, text: str) -> float:
        """What a passage matching every query term would roughly score (for scaling)."""
        ids, qtf = self.query_vector(text)
        return float((self.idf[ids] * qtf).sum() * (K1 + 1) / (1 + K1)) if len(ids) else 0.0

    def idf_of(self, term: str) -> float:
        i = self.term_ids.get(term)
        return float(self.idf[i]) if i is not None else 0.0

    def save(self, folder: Path) -> None:
        w = self.weights
        np.savez(folder / "lexical.npz", data=w.data, indices=w.indices, indptr=w.indptr,
                 shape=np.array(w.shape), idf=self.idf)
        (folder / "terms.json").write_text(json.dumps(self.terms, ensure_ascii=False))

    @classmethod
    def load(cls, folder: Path) -> "Lexical":
        from scipy import sparse

        with np.load(folder / "lexical.npz", allow_pickle=False) as z:
            weights = sparse.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
            idf = z["idf"]
        terms = json.loads((folder / "terms.json").read_text())
        if len(terms) != weights.shape[1]:
            raise ValueError("term list and weights disagree")
        return cls(terms, weights, idf)


def accent_table(texts: Sequence[str]) -> dict[str, dict[str, int]]:
    """folded word (and folded word pair) -> accented forms seen, with counts."""
    singles: Counter = Counter()
    pairs: Counter = Counter()
    for text in texts:  # count first (in C), fold each distinct form once
        ws = words(text)
        singles.update(ws)
        pairs.update(zip(ws, ws[1:]))
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for w, count in singles.items():
        table[fold_word(w)][w] = count
    for (a, b), count in pairs.items():
        table[f"{fold_word(a)} {fold_word(b)}"][f"{a} {b}"] = count
    return dict(table)


# ----------------------------------------------------------------------------- dense


def _faiss():
    import faiss

    # One question is one single-vector search; OpenMP threads only spin against each other
    # (and against the model) on a small machine. Builds ask for all cores explicitly.
    faiss.omp_set_num_threads(1)
    return faiss


@contextmanager
def _all_cores(faiss):
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(1)


# Approximate search, chosen by benchmarks/ann.py (see the README's Performance section):
# an inverted file over 8-bit scalar-quantised vectors (384 B a vector instead of 1,536).
# Its candidates are re-scored exactly from vectors.npy, so quantisation only decides which
# passages become candidates, never their final scores. 2*sqrt(n) lists, k-means on 20
# vectors a list for 10 rounds: FAISS's k-means is the slow part of a large build here.
IVF_LISTS_PER_SQRT = 2
IVF_TRAIN_PER_LIST = 20
IVF_TRAIN_ROUNDS = 10
NPROBE = 32  # 1M passages: recall@10 0.972 vs exact (16 lists: 0.953, too close to 0.95)


def ivf_lists(n: int) -> int:
    return max(1, min(int(IVF_LISTS_PER_SQRT * math.sqrt(n)), n // IVF_TRAIN_PER_LIST))


def build_faiss(vectors: np.ndarray, exact_limit: int):
    """Exact inner-product search up to ``exact_limit`` vectors, IVF-SQ8 above it."""
    faiss = _faiss()
    n, dim = vectors.shape
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if n <= exact_limit:
        index = faiss.IndexFlatIP(dim)
    else:
        lists = ivf_lists(n)
        index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dim), dim, lists, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
        index.cp.niter = IVF_TRAIN_ROUNDS
        index.cp.min_points_per_centroid = IVF_TRAIN_PER_LIST
        sample = vectors[np.random.default_rng(0).choice(n, min(n, lists * IVF_TRAIN_PER_LIST), replace=False)]
        with _all_cores(faiss):
            index.train(sample)
        index.nprobe = min(NPROBE, lists)
    if n:
        with _all_cores(faiss):
            index.add(vectors)
    return index


def search_kind(index) -> str:
    nprobe = getattr(index, "nprobe", None)
    return "exact" if nprobe is None else f"ivf{index.nlist}-sq8 nprobe={nprobe}"


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
        n, dim = vectors.shape
        if not n:
            return cls(np.zeros(dim), np.zeros((dim, dim)))
        mean = np.zeros(dim)
        for start in range(0, n, chunk):
            mean += vectors[start : start + chunk].sum(axis=0, dtype=np.float64)
        mean /= n
        cov = np.zeros((dim, dim))
        for start in range(0, n, chunk):
            centred = vectors[start : start + chunk].astype(np.float64) - mean
            cov += centred.T @ centred
        return cls(mean, cov / n)

    def of_query(self, query: np.ndarray) -> tuple[float, float]:
        q = np.asarray(query, dtype=np.float64)
        return float(q @ self.mean), math.sqrt(max(float(q @ self.cov @ q), 0.0)) + 1e-6

    def save(self, folder: Path) -> None:
        np.savez(folder / "stats.npz", mean=self.mean, cov=self.cov)

    @classmethod
    def load(cls, folder: Path) -> "DenseStats":
        with np.load(folder / "stats.npz", allow_pickle=False) as z:
            return cls(z["mean"], z["cov"])


class SentenceVectors:
    """The vectors of every passage's sentences, stored float16 (they only rank sentences
    and candidates, so half precision costs nothing measurable and halves the disk).

    A passage of one sentence stores its passage vector: nothing more to embed.
    """

    def __init__(self, vectors: np.ndarray, starts: np.ndarray):
        self.vectors = vectors  # (sentences, dim) float16
        self.starts = starts  # (passages + 1,) int64

    @classmethod
    def assemble(cls, blocks: Sequence[np.ndarray], dim: int) -> "SentenceVectors":
        starts = np.zeros(len(blocks) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in blocks], out=starts[1:])
        vectors = np.vstack(blocks).astype(np.float16) if blocks else np.zeros((0, dim), np.float16)
        return cls(vectors, starts)

    def block(self, row: int) -> np.ndarray:
        return np.asarray(self.vectors[self.starts[row] : self.starts[row + 1]], dtype=np.float32)

    def scores(self, query: np.ndarray, rows: Sequence[int]) -> list[np.ndarray]:
        return [self.block(r) @ query for r in rows]

    def agrees_with(self, passages: int, dim: int) -> bool:
        """Every passage has at least one sentence vector, of the passages' dimension."""
        starts = self.starts
        return (len(starts) == passages + 1 and int(starts[0]) == 0 and int(starts[-1]) == len(self.vectors)
                and bool(np.all(np.diff(starts) >= 1)) and (not passages or self.vectors.shape[1] == dim))

    def save(self, folder: Path) -> None:
        np.save(folder / "sentences.npy", self.vectors, allow_pickle=False)
        np.save(folder / "sentence_rows.npy", self.starts, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> "SentenceVectors":
        return cls(np.load(folder / "sentences.npy", mmap_mode="r", allow_pickle=False),
                   np.load(folder / "sentence_rows.npy", allow_pickle=False))


def passage_sentences(text: str) -> list[str]:
    """The sentences whose vectors are stored for a passage (one at least)."""
    return sentences(text) or [text]


# ----------------------------------------------------------------------------- store


class LoadedIndex:
    """A read-only generation of the index, loaded into memory (vectors memory-mapped)."""

    def __init__(self, folder: Path, manifest: Manifest, passages: list[Passage], vectors: np.ndarray,
                 faiss_index, lexical: Lexical, accents: dict[str, dict[str, int]], stats: DenseStats,
                 sentences: SentenceVectors):
        self.folder = folder
        self.manifest = manifest
        self.passages = passages
        self.vectors = vectors
        self.sentences = sentences
        self.faiss_index = faiss_index
        self.lexical = lexical
        self.accents = accents
        self.stats = stats
        self._text_rows = {content_hash(p.text): i for i, p in enumerate(passages)}

    def __len__(self) -> int:
        return len(self.passages)

    def dense_search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        k = min(k, len(self.passages))
        if k <= 0:
            return []
        scores, rows = self.faiss_index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), k)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def dense_scores(self, query: np.ndarray, rows: Sequence[int]) -> list[float]:
        if not len(rows):
            return []
        return [float(s) for s in self.vectors[np.asarray(rows)] @ np.asarray(query, dtype=np.float32)]

    def sentence_scores(self, query: np.ndarray, row: int) -> list[float]:
        """Similarity of the query to each sentence of passage ``row`` (text.sentences order)."""
        return [float(s) for s in self.sentences.scores(np.asarray(query, dtype=np.float32), [row])[0]]

    def best_sentence_scores(self, query: np.ndarray, rows: Sequence[int]) -> list[float]:
        """Per passage row, the similarity of the query to its closest sentence."""
        return [float(s.max()) for s in self.sentences.scores(np.asarray(query, dtype=np.float32), rows)]

    def dense_stats(self, query: np.ndarray) -> tuple[float, float]:
        """Mean and spread of the query's similarity to every passage of the corpus."""
        return self.stats.of_query(query)

    def lexical_query(self, text: str) -> "LexicalQuery":
        """BM25 scores of every passage for ``text``, computed once per question."""
        return LexicalQuery(self.lexical.scores(text))

    def lexical_search(self, text: str, k: int) -> list[tuple[int, float]]:
        return self.lexical_query(text).top(k)

    def row_for_text(self, text: str) -> int | None:
        """The row of a passage with exactly this text (its vectors can be reused)."""
        return self._text_rows.get(content_hash(text))


class LexicalQuery:
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


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path))


def _write_passages(path: Path, passages: Sequence[Passage]) -> None:
    with _connect(path) as db:
        db.execute(
            "CREATE TABLE passages (row INTEGER PRIMARY KEY, id TEXT NOT NULL, article TEXT NOT NULL, "
            "title TEXT NOT NULL, source TEXT NOT NULL, paragraph INTEGER NOT NULL, text TEXT NOT NULL)"
        )
        db.executemany(
            "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(i, p.id, p.article, p.title, p.source, p.paragraph, p.text) for i, p in enumerate(passages)],
        )
    # sqlite3's context manager commits but does not close.
    db.close()


def _read_passages(path: Path) -> list[Passage]:
    if not path.exists():
        raise FileNotFoundError(path)
    db = _connect(path)
    try:
        rows = db.execute("SELECT id, article, title, source, paragraph, text FROM passages ORDER BY row").fetchall()
    finally:
        db.close()
    return [Passage(*r) for r in rows]


def load_generation(folder: Path) -> LoadedIndex:
    """Load one generation, checking that its parts agree; any fault is IndexError_."""
    faiss = _faiss()
    try:
        manifest = Manifest.read(folder)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexError_(f"index at {folder} is damaged ({exc})") from exc
    if manifest.format != FORMAT_VERSION:
        raise IndexError_(f"index at {folder} was built by another version of busan-bot "
                          f"(format {manifest.format}, this one reads {FORMAT_VERSION})")
    try:
        passages = _read_passages(folder / "passages.sqlite3")
        vectors = np.load(folder / "vectors.npy", mmap_mode="r", allow_pickle=False)
        index = faiss.read_index(str(folder / "dense.faiss"))
        lexical = Lexical.load(folder)
        accents = json.loads((folder / "accents.json").read_text())
        stats = DenseStats.load(folder)
        sentence_vectors = SentenceVectors.load(folder)
    except (OSError, ValueError, KeyError, TypeError, sqlite3.Error, RuntimeError) as exc:
        raise IndexError_(f"index at {folder} is damaged ({exc})") from exc
    counts = {len(passages), vectors.shape[0], index.ntotal, lexical.weights.shape[0], manifest.count}
    if (len(counts) != 1 or (len(passages) and vectors.shape[1] != manifest.dim)
            or not sentence_vectors.agrees_with(len(passages), manifest.dim)):
        raise IndexError_(f"index at {folder} is damaged (its parts disagree on size)")
    if corpus_hash(passages) != manifest.corpus_hash:
        raise IndexError_(f"index at {folder} is damaged (passages do not match the manifest)")
    loaded = LoadedIndex(folder, manifest, passages, vectors, index, lexical, accents, stats, sentence_vectors)
    # The index is read-only and holds hundreds of thousands of small objects (passages, the
    # accent table, the term ids): keep them out of the cyclic GC's full passes, which
    # otherwise stall a question now and then for tens of milliseconds.
    gc.freeze()
    return loaded


def open_index(index_dir: Path) -> LoadedIndex:
    current = Path(index_dir) / CURRENT
    if not current.exists():
        raise IndexError_(f"no index in {index_dir} yet")
    return load_generation(current.resolve())


@dataclass(frozen=True)
class BuildReport:
    passages: int
    embedded: int
    reused: int
    seconds: float


def build_index(
    index_dir: Path,
    passages: Sequence[Passage],
    embedder: Embedder,
    *,
    previous: LoadedIndex | None = None,
    reuse: bool = True,
    lock_timeout: float = 30.0,
    exact_limit: int = 5_000,
    progress: bool = False,
    on_wait: Callable[[], None] | None = None,
) -> tuple[LoadedIndex, BuildReport]:
    """Build a new generation (re-embedding only passages whose text is new) and switch to it."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / ".lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait:
            on_wait()
        try:
            lock.acquire(timeout=lock_timeout)
        except Timeout:
            raise IndexError_(
                f"another busan-bot is building the index in {index_dir}; waited {lock_timeout:.0f} s. "
                "Try again when it has finished."
            ) from None
    try:
        return _build_locked(index_dir, list(passages), embedder, previous, reuse, exact_limit, progress)
    finally:
        lock.release()


def _build_locked(index_dir, passages, embedder, previous, reuse, exact_limit, progress):
    start = time.perf_counter()
    if previous is None and reuse:
        try:
            previous = open_index(index_dir)
        except IndexError_:
            previous = None
    reuse = reuse and previous is not None and previous.manifest.model_id == embedder.model_id
    matrix, sentence_vectors, embedded = _embed(passages, embedder, previous if reuse else None, progress)
    dim = matrix.shape[1]

    folder = index_dir / f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    tmp = index_dir / f".building-{folder.name}"
    tmp.mkdir()
    try:
        texts = [p.text for p in passages]
        np.save(tmp / "vectors.npy", matrix, allow_pickle=False)
        sentence_vectors.save(tmp)
        DenseStats.of(matrix).save(tmp)
        dense = build_faiss(matrix, exact_limit)
        search = search_kind(dense)
        _faiss().write_index(dense, str(tmp / "dense.faiss"))
        del dense
        Lexical.build(texts).save(tmp)
        (tmp / "accents.json").write_text(json.dumps(accent_table(texts), ensure_ascii=False))
        _write_passages(tmp / "passages.sqlite3", passages)
        manifest = Manifest(FORMAT_VERSION, embedder.model_id, dim, len(passages), corpus_hash(passages),
                            time.time(), search)
        # The manifest goes last: a generation without one is never trusted.
        (tmp / "manifest.json").write_text(json.dumps(manifest.__dict__, indent=2))
        _fsync_dir(tmp)
        os.replace(tmp, folder)
        _point_current(index_dir, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _remove_old_generations(index_dir, keep=folder)
    loaded = load_generation(folder)
    report = BuildReport(len(passages), embedded, len(passages) - embedded, time.perf_counter() - start)
    return loaded, report


def _embed(passages, embedder, previous, progress) -> tuple[np.ndarray, SentenceVectors, int]:
    """Passage vectors and sentence vectors, reusing ``previous``'s for unchanged texts.

    New passages and their sentences go to the model in one call (one progress bar, and the
    model batches short sentences with short sentences).
    """
    rows = [previous.row_for_text(p.text) if previous is not None else None for p in passages]
    todo = [i for i, r in enumerate(rows) if r is None]
    split = {i: passage_sentences(passages[i].text) for i in todo}
    texts = [passages[i].text for i in todo]
    texts += [s for i in todo if len(split[i]) > 1 for s in split[i]]
    fresh = embedder.embed_passages(texts, progress=progress) if texts else None
    dim = int(fresh.shape[1]) if fresh is not None else (previous.manifest.dim if previous else embedder.dim)
    matrix = np.zeros((len(passages), dim), np.float32)
    blocks: list[np.ndarray] = [np.zeros((0, dim), np.float32)] * len(passages)
    cursor = len(todo)
    for k, i in enumerate(todo):
        matrix[i] = fresh[k]
        n = len(split[i])
        blocks[i] = fresh[cursor : cursor + n] if n > 1 else fresh[k : k + 1]
        cursor += n if n > 1 else 0
    for i, r in enumerate(rows):
        if r is not None:
            matrix[i] = previous.vectors[r]
            blocks[i] = previous.sentences.block(r)
    return matrix, SentenceVectors.assemble(blocks, dim), len(todo)


def _fsync_dir(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())


def _point_current(index_dir: Path, folder: Path) -> None:
    link = index_dir / f".current-{uuid.uuid4().hex[:6]}"
    os.symlink(folder.name, link)
    os.replace(link, index_dir / CURRENT)


def _remove_old_generations(index_dir: Path, keep: Path) -> None:
    for path in index_dir.iterdir():
        stale_build = path.name.startswith(".building-")
        if (path.name.startswith("gen-") and path != keep) or stale_build:
            shutil.rmtree(path, ignore_errors=True)


def is_current(index: LoadedIndex, passages: Sequence[Passage], model_id: str) -> bool:
    return index.manifest.describes(passages, model_id)


def idf_weight(index: LoadedIndex, term: str) -> float:
    """IDF of a folded term; unseen terms count as rare (they carry the question's topic)."""
    value = index.lexical.idf_of(term)
    return value if value else math.log1p(len(index) + 0.5)
