"""Every backend's build: the build lock, incremental embedding (only texts the previous
generation lacks go to the model), the backend's own writes, the report."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Callable, ContextManager, Iterator, Protocol, Sequence

import numpy as np

from ..errors import IndexError_
from ..passage import Passage
from ..text import passage_sentences
from .base import BuildReport, Index
from .vectors import SentenceVectors

LOCK_POLL_S = 0.2  # how often a waiting build tries the lock again


class Writes(Protocol):
    """What a backend supplies to ``build``: its lock and its writes (and ``open``, for reuse)."""

    def building(self, on_wait: Callable[[], None] | None) -> ContextManager:
        """Hold the store's build lock (``waiting_for``); yields what ``write`` needs."""

    def write(self, held, passages: list[Passage], matrix: np.ndarray, sentences: SentenceVectors,
              model_id: str) -> Index:
        """Write a generation from these vectors, switch readers to it, return it loaded."""

    def open(self) -> Index: ...


def build(store: Writes, passages: Sequence[Passage], embedder, *, previous: Index | None = None,
          reuse: bool = True, progress: bool = False,
          on_wait: Callable[[], None] | None = None) -> tuple[Index, BuildReport]:
    """Lock → embed what is new → write → report, for any backend."""
    passages = list(passages)
    start = time.perf_counter()
    with store.building(on_wait) as held:
        matrix, sentences, embedded = embed_for_build(store, passages, embedder, previous, reuse, progress)
        index = store.write(held, passages, matrix, sentences, embedder.model_id)
    return index, BuildReport(len(passages), embedded, len(passages) - embedded, time.perf_counter() - start)


@contextmanager
def waiting_for(try_lock: Callable[[], bool], unlock: Callable[[], None], where: str, timeout: float,
                on_wait: Callable[[], None] | None) -> Iterator[None]:
    """Hold a build lock: at once, or after telling ``on_wait`` and trying for ``timeout`` seconds;
    then ``IndexError_`` saying another build holds it."""
    if not try_lock():
        if on_wait:
            on_wait()
        deadline = time.monotonic() + timeout
        while not try_lock():
            if time.monotonic() >= deadline:
                raise IndexError_(f"another busan-bot is building the index in {where}; waited {timeout:.0f} s. "
                                  "Try again when it has finished.")
            time.sleep(LOCK_POLL_S)
    try:
        yield
    finally:
        unlock()

REUSE_CHUNK = 10_000  # vectors read back from the previous generation at a time (a remote store too)
EMBED_CHUNK = 50_000  # new passages (with their sentences) per model call: a million-passage build
                      # never holds all its float32 sentence vectors at once


def embed_incrementally(passages: Sequence[Passage], embedder, previous: Index | None,
                        progress: bool = False) -> tuple[np.ndarray, SentenceVectors, int]:
    """Passage vectors and sentence vectors, reusing ``previous``'s for unchanged texts.

    New passages and their sentences go to the model together, a chunk at a time (the model
    batches short sentences with short sentences). Returns the vectors, the sentence vectors
    and how many passages were embedded.
    """
    rows = (previous.passages.rows_for_texts([p.text for p in passages]) if previous is not None
            else [None] * len(passages))
    todo = [i for i, r in enumerate(rows) if r is None]
    dim = previous.manifest.dim if previous is not None and len(todo) < len(passages) else None
    matrix: np.ndarray | None = None
    blocks: list[np.ndarray | None] = [None] * len(passages)  # float16, as stored
    for start in range(0, len(todo), EMBED_CHUNK):
        part = todo[start : start + EMBED_CHUNK]
        split = {i: passage_sentences(passages[i].text) for i in part}
        texts = [passages[i].text for i in part] + [s for i in part if len(split[i]) > 1 for s in split[i]]
        fresh = np.asarray(embedder.embed_passages(texts, progress=progress), dtype=np.float32)
        if matrix is None:
            dim = dim or int(fresh.shape[1])
            matrix = np.zeros((len(passages), dim), np.float32)
        cursor = len(part)
        for k, i in enumerate(part):
            matrix[i] = fresh[k]
            n = len(split[i])
            blocks[i] = (fresh[cursor : cursor + n] if n > 1 else fresh[k : k + 1]).astype(np.float16)
            cursor += n if n > 1 else 0
    if matrix is None:
        matrix = np.zeros((len(passages), dim or embedder.dim), np.float32)
    kept = [i for i, r in enumerate(rows) if r is not None]
    for start in range(0, len(kept), REUSE_CHUNK):
        chunk = kept[start : start + REUSE_CHUNK]
        old = [rows[i] for i in chunk]
        matrix[chunk] = previous.dense.passage_vectors(old)
        for i, block in zip(chunk, previous.dense.sentence_blocks(old)):
            blocks[i] = np.asarray(block, dtype=np.float16)
    return matrix, SentenceVectors.assemble(blocks, matrix.shape[1], release=True), len(todo)


def embed_for_build(store, passages: Sequence[Passage], embedder, previous: Index | None, reuse: bool,
                    progress: bool = False) -> tuple[np.ndarray, SentenceVectors, int]:
    """``embed_incrementally`` against the generation worth reusing: ``previous``, or else the
    store's current one, and only when it was built with this model (every backend's build)."""
    if previous is None and reuse:
        try:
            previous = store.open()
        except IndexError_:
            previous = None
    usable = reuse and previous is not None and previous.manifest.model_id == embedder.model_id
    return embed_incrementally(passages, embedder, previous if usable else None, progress)


class Builds:
    """``IndexStore.build`` for a store that supplies ``Writes.building`` and ``Writes.write``."""

    def build(self, passages: Sequence[Passage], embedder, *, previous: Index | None = None, reuse: bool = True,
              progress: bool = False, on_wait: Callable[[], None] | None = None) -> tuple[Index, BuildReport]:
        return build(self, passages, embedder, previous=previous, reuse=reuse, progress=progress, on_wait=on_wait)
