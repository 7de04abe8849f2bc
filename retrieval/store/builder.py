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
from .streamed import InMemory, VectorSink, Written

LOCK_POLL_S = 0.2  # how often a waiting build tries the lock again


class Writes(Protocol):
    """What a backend supplies to ``build``: its lock and its writes (and ``open``, for reuse)."""

    def building(self, on_wait: Callable[[], None] | None) -> ContextManager:
        """Hold the store's build lock (``waiting_for``); yields what ``write`` needs."""

    def sink(self, held, n: int) -> VectorSink:
        """Where the build's vectors go as they are embedded (``Builds``: kept in memory)."""

    def write(self, held, passages: list[Passage], written: Written, model_id: str) -> Index:
        """Write a generation from these vectors, switch readers to it, return it loaded."""

    def open(self) -> Index: ...


def build(store: Writes, passages: Sequence[Passage], embedder, *, previous: Index | None = None,
          reuse: bool = True, progress: bool = False,
          on_wait: Callable[[], None] | None = None) -> tuple[Index, BuildReport]:
    """Lock → embed what is new → write → report, for any backend. ``passages`` is read in
    order, a chunk at a time, by each step (``packed.PackedPassages`` keeps them off the heap)."""
    passages = passages if isinstance(passages, Sequence) else list(passages)
    start = time.perf_counter()
    with store.building(on_wait) as held:
        sink = store.sink(held, len(passages))
        try:
            embedded, dim = embed_for_build(store, passages, embedder, previous, reuse, sink, progress)
            index = store.write(held, passages, sink.finish(dim), embedder.model_id)
        finally:
            sink.close()
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
EMBED_CHUNK = 20_000  # passages (with their sentences) handed on at a time, in order: the vectors a
                      # build holds at once (~90 MB with their sentences), whatever the corpus's size


def embed_incrementally(passages: Sequence[Passage], embedder, previous: Index | None, sink: VectorSink,
                        progress: bool = False) -> tuple[int, int]:
    """Every passage's vector and its sentences' vectors, into ``sink`` a chunk at a time in
    passage order; unchanged texts' come from ``previous``. Returns how many passages were
    embedded and the vectors' dimension."""
    dim = previous.manifest.dim if previous is not None else None
    embedded = 0
    for start in range(0, len(passages), EMBED_CHUNK):
        part = passages[start : start + EMBED_CHUNK]
        rows = (previous.passages.rows_for_texts([p.text for p in part]) if previous is not None
                else [None] * len(part))
        todo = [i for i, row in enumerate(rows) if row is None]
        fresh = _embedded(part, todo, embedder, progress)
        dim = dim or (len(next(iter(fresh.values()))[0]) if fresh else embedder.dim)
        matrix = np.zeros((len(part), dim), np.float32)
        blocks: list[np.ndarray | None] = [None] * len(part)
        for i, (vector, block) in fresh.items():
            matrix[i], blocks[i] = vector, block
        kept = [i for i, row in enumerate(rows) if row is not None]
        for at in range(0, len(kept), REUSE_CHUNK):
            some = kept[at : at + REUSE_CHUNK]
            old = [rows[i] for i in some]
            matrix[some] = previous.dense.passage_vectors(old)
            for i, block in zip(some, previous.dense.sentence_blocks(old)):
                blocks[i] = block
        sink.add(matrix, blocks)
        embedded += len(todo)
    return embedded, dim or embedder.dim


def _embedded(passages: Sequence[Passage], todo: list[int], embedder, progress: bool) -> dict[int, tuple]:
    """Passage ``i`` -> (its vector, its sentences' vectors) for each of ``todo``: the passages
    and their sentences in one model call (it batches short sentences with short sentences); a
    passage of one sentence is its own sentence vector."""
    if not todo:
        return {}
    split = {i: passage_sentences(passages[i].text) for i in todo}
    texts = [passages[i].text for i in todo] + [s for i in todo if len(split[i]) > 1 for s in split[i]]
    fresh = np.asarray(embedder.embed_passages(texts, progress=progress), dtype=np.float32)
    out, cursor = {}, len(todo)
    for k, i in enumerate(todo):
        n = len(split[i])
        out[i] = (fresh[k], fresh[cursor : cursor + n] if n > 1 else fresh[k : k + 1])
        cursor += n if n > 1 else 0
    return out


def embed_for_build(store, passages: Sequence[Passage], embedder, previous: Index | None, reuse: bool,
                    sink: VectorSink, progress: bool = False) -> tuple[int, int]:
    """``embed_incrementally`` against the generation worth reusing: ``previous``, or else the
    store's current one, and only when it was built with this model (every backend's build)."""
    if previous is None and reuse:
        try:
            previous = store.open()
        except IndexError_:
            previous = None
    usable = reuse and previous is not None and previous.manifest.model_id == embedder.model_id
    return embed_incrementally(passages, embedder, previous if usable else None, sink, progress)


class Builds:
    """``IndexStore.build`` for a store that supplies ``Writes.building`` and ``Writes.write``."""

    def sink(self, held, n: int) -> VectorSink:
        return InMemory(n)

    def build(self, passages: Sequence[Passage], embedder, *, previous: Index | None = None, reuse: bool = True,
              progress: bool = False, on_wait: Callable[[], None] | None = None) -> tuple[Index, BuildReport]:
        return build(self, passages, embedder, previous=previous, reuse=reuse, progress=progress, on_wait=on_wait)
