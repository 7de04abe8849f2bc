"""The default backend: each generation a folder of files (SQLite passages, FAISS, BM25).

Layout of ``index_dir``::

    current -> gen-<time>-<rand>/   symlink, swapped atomically after a build
    gen-.../manifest.json            format version, model id, dimension, corpus hash
    gen-.../passages.sqlite3         passage metadata and text           (sqlite_passages.py)
    gen-.../vectors.npy              float32 L2-normalised embeddings     (faiss_dense.py)
    gen-.../sentences.npy            float16 embeddings of each passage's sentences, in order
    gen-.../sentence_rows.npy        passage row r's sentences are rows [r] to [r+1] of the above
    gen-.../dense.faiss              inner-product FAISS index over the same rows
    gen-.../stats.npz                mean and covariance of the vectors (similarity z-scores)
    gen-.../lexical_*.npy, terms.*   BM25 weights (CSC, memory-mapped) and the term list (bm25.py, strings.py)
    gen-.../sentence_word*           each sentence's folded words (sentence_words.py)
    gen-.../accent_*                 folded -> accented word forms seen in the corpus (accents.py, restore.py)
    gen-.../held.npy                 per passage, what its text holds: a year, a date, a number
    .lock                            held while building

A build writes a new generation next to the old one and only then repoints ``current``;
a process killed mid-build leaves the previous index in use.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import sqlite3
import time
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
from filelock import FileLock, Timeout

from ..errors import ConfigError, IndexError_
from ..highlight import Sentences, held_bits
from ..packed import Texts
from ..passage import Passage
from .accents import Accents, write_accents
from .base import BuildReport, Index
from .bm25 import Bm25
from .bm25_write import write as write_bm25
from .builder import Builds, waiting_for
from .faiss_dense import FaissDense, training_rows
from .sentence_words import SentenceWords
from .manifest import CURRENT, FORMAT_VERSION, HELD_FILE, Manifest, corpus_hash, describe_files, up_to_date
from .sqlite_passages import SqlitePassages
from .streamed import ToFiles, Written

log = logging.getLogger(__name__)
# What numpy, scipy, FAISS and SQLite raise on a damaged file: an emptied .npy is an EOFError,
# a truncated .npz a BadZipFile.
_LOAD_ERRORS = (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile, sqlite3.Error, RuntimeError)
FULL_CHECK_BYTES = 64 << 20  # below this, loading checks every file's checksum (~0.1 s)
KEEP_GENERATIONS = 2  # the new one and the one before: a reader that resolved "current" just before the switch can still load it


class FileStore(Builds):
    """Implements ``IndexStore`` on a local folder."""

    def __init__(self, index_dir: Path, *, lock_timeout: float = 30.0, exact_limit: int = 5_000):
        self.index_dir = Path(index_dir)
        if self.index_dir.exists() and not self.index_dir.is_dir():
            raise ConfigError(f"index_dir {self.index_dir} is a file, not a folder")
        self.lock_timeout = lock_timeout
        self.exact_limit = exact_limit
        self.where = str(self.index_dir)

    def up_to_date(self, passages: Sequence[Passage], model_id: str) -> bool:
        return up_to_date(self.index_dir, passages, model_id)

    def is_current(self, index: Index) -> bool:
        return (self.index_dir / CURRENT).resolve() == Path(index.location)

    def tidy(self) -> int:
        """Remove what killed builds left behind (``.building-*``), unless a build is running
        now; returns how many were removed."""
        if not self.index_dir.is_dir():
            return 0
        lock = FileLock(str(self.index_dir / ".lock"))
        if not _try_lock(lock):
            return 0  # a build is under way: its folder is not left over
        try:
            leftovers = [p for p in self.index_dir.iterdir() if p.name.startswith(".building-")]
            for path in leftovers:
                shutil.rmtree(path, ignore_errors=True)
            return len(leftovers)
        finally:
            lock.release()

    def verify(self) -> list[str]:
        """Every file of the current generation against its checksum: what is wrong (nothing: [])."""
        folder = (self.index_dir / CURRENT).resolve()
        try:
            return Manifest.read(folder).damage(folder, full=True)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return [f"manifest.json: {exc}"]

    def open(self) -> Index:
        current = self.index_dir / CURRENT
        if not current.exists():
            raise IndexError_(f"no index in {self.index_dir} yet")
        return load_generation(current.resolve())

    @contextmanager
    def building(self, on_wait: Callable[[], None] | None) -> Iterator[Path]:
        """Holds the lock; yields the folder the new generation is written in (removed unless
        ``write`` published it)."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.index_dir / ".lock"))
        with waiting_for(lambda: _try_lock(lock), lock.release, self.where, self.lock_timeout, on_wait):
            tmp = self.index_dir / f".building-gen-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
            tmp.mkdir()
            try:
                yield tmp
            finally:
                shutil.rmtree(tmp, ignore_errors=True)

    def sink(self, tmp: Path, n: int) -> ToFiles:
        return ToFiles(tmp, n, training_rows(n, self.exact_limit))

    def write(self, tmp: Path, passages: Sequence[Passage], written: Written, model_id: str) -> Index:
        folder = self.index_dir / tmp.name.removeprefix(".building-")
        texts = Texts(passages)  # each writer reads them afresh, in order
        search, dim = FaissDense.write(tmp, written, self.exact_limit), int(written.matrix.shape[1])
        write_bm25(tmp, texts)
        SentenceWords.build(Sentences.of(t).words for t in texts).save(tmp)
        write_accents(tmp, texts)
        np.save(tmp / HELD_FILE, np.fromiter((held_bits(t) for t in texts), np.uint8, len(texts)), allow_pickle=False)
        SqlitePassages.write(tmp, passages)
        manifest = Manifest(FORMAT_VERSION, model_id, dim, len(passages),
                            corpus_hash(passages), time.time(), search, describe_files(tmp))
        # The manifest goes last: a generation without one is never trusted.
        (tmp / "manifest.json").write_text(json.dumps(manifest.__dict__, indent=2))
        _fsync_dir(tmp)
        os.replace(tmp, folder)
        _point_current(self.index_dir, folder)
        _remove_old_generations(self.index_dir, keep=folder)
        return load_generation(folder)


def load_generation(folder: Path) -> Index:
    """Load one generation, checking that its parts agree; any fault is IndexError_."""
    try:
        manifest = Manifest.read(folder)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexError_(f"index at {folder} is damaged ({exc})") from exc
    if manifest.format != FORMAT_VERSION:
        raise IndexError_(f"index at {folder} was built by another version of busan-bot "
                          f"(format {manifest.format}, this one reads {FORMAT_VERSION})")
    # Every byte is checked where that is cheap; a large index by size (`index --verify` reads all).
    full = sum(f["size"] for f in manifest.files.values()) <= FULL_CHECK_BYTES
    problems = manifest.damage(folder, full)
    if problems:
        raise IndexError_(f"index at {folder} is damaged ({'; '.join(problems)})")
    try:
        passages = SqlitePassages.load(folder)
        dense = FaissDense.load(folder)
        lexical = Bm25.load(folder)
        sentence_words = SentenceWords.load(folder)
        accents = (json.loads((folder / "accents.json").read_text()) if (folder / "accents.json").exists()
                   else Accents.load(folder))  # JSON: an earlier version's
        # a generation of an earlier version has none: it is still read (the candidates' texts
        # are then read instead) and, being out of date, rebuilt with its vectors reused
        held = np.load(folder / HELD_FILE, allow_pickle=False) if HELD_FILE in manifest.files else None
    except _LOAD_ERRORS as exc:
        raise IndexError_(f"index at {folder} is damaged ({exc})") from exc
    if (len({len(passages), len(lexical), manifest.count} | ({len(held)} if held is not None else set())) != 1 or not dense.agrees_with(len(passages), manifest.dim)
            or (sentence_words is not None and not sentence_words.agrees_with(len(passages)))):
        raise IndexError_(f"index at {folder} is damaged (its parts disagree on size)")
    if corpus_hash(passages) != manifest.corpus_hash:
        raise IndexError_(f"index at {folder} is damaged (passages do not match the manifest)")
    index = Index(passages, dense, lexical, accents, manifest, str(folder), sentence_words, held)
    # The index is read-only and may still hold many small objects (an earlier version's JSON
    # term list and accent table, cached passages): keep them out of the cyclic GC's full
    # passes, which otherwise stall a question now and then for tens of milliseconds.
    gc.freeze()
    return index


def _fsync_dir(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())


def _try_lock(lock: FileLock) -> bool:
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return False
    return True


def _point_current(index_dir: Path, folder: Path) -> None:
    link = index_dir / f".current-{uuid.uuid4().hex[:6]}"
    os.symlink(folder.name, link)
    os.replace(link, index_dir / CURRENT)


def _remove_old_generations(index_dir: Path, keep: Path) -> None:
    """Leftover build folders (a killed build) and all but the newest KEEP_GENERATIONS generations."""
    generations = sorted((p for p in index_dir.iterdir() if p.name.startswith("gen-") and p != keep),
                         key=lambda p: p.stat().st_mtime, reverse=True)
    for path in generations[KEEP_GENERATIONS - 1:] + [p for p in index_dir.iterdir() if p.name.startswith(".building-")]:
        shutil.rmtree(path, ignore_errors=True)


def build_index(index_dir: Path, passages: Sequence[Passage], embedder, *, previous: Index | None = None,
                reuse: bool = True, lock_timeout: float = 30.0, exact_limit: int = 5_000, progress: bool = False,
                on_wait: Callable[[], None] | None = None) -> tuple[Index, BuildReport]:
    """Build (or update) the file index in ``index_dir``: for evaluation, benchmarks and tests."""
    store = FileStore(index_dir, lock_timeout=lock_timeout, exact_limit=exact_limit)
    return store.build(passages, embedder, previous=previous, reuse=reuse, progress=progress, on_wait=on_wait)


def open_index(index_dir: Path) -> Index:
    return FileStore(index_dir).open()
