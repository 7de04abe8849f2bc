"""Incremental embedding for any backend: only texts the previous generation lacks go to the model."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..passage import Passage
from ..text import passage_sentences
from .base import Index
from .vectors import SentenceVectors

REUSE_CHUNK = 10_000


def embed_incrementally(passages: Sequence[Passage], embedder, previous: Index | None,
                        progress: bool = False) -> tuple[np.ndarray, SentenceVectors, int]:
    """Passage vectors and sentence vectors, reusing ``previous``'s for unchanged texts.

    New passages and their sentences go to the model in one call (one progress bar, and the
    model batches short sentences with short sentences). Returns the vectors, the sentence
    vectors and how many passages were embedded.
    """
    rows = (previous.passages.rows_for_texts([p.text for p in passages]) if previous is not None
            else [None] * len(passages))
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
    kept = [i for i, r in enumerate(rows) if r is not None]
    for start in range(0, len(kept), REUSE_CHUNK):  # a remote store is read in chunks, not row by row
        chunk = kept[start : start + REUSE_CHUNK]
        old = [rows[i] for i in chunk]
        matrix[chunk] = previous.dense.passage_vectors(old)
        for i, block in zip(chunk, previous.dense.sentence_blocks(old)):
            blocks[i] = block
    return matrix, SentenceVectors.assemble(blocks, dim), len(todo)
