"""Corpora of any size made from real data, for the scale benchmarks.

Texts: real XQuAD paragraphs resampled, each copy with its sentences rotated and a
serial tag, so every passage is distinct (distinct content hash) yet reads like news.

Vectors: embedding 1M paragraphs would take ~14 h on 2 cores, so each synthetic vector is
a real e5 passage vector moved part of the way towards another one, plus Gaussian noise,
then L2-normalised. Neighbours are therefore spread like real e5 vectors (similarity to
unrelated text 0.75-0.85) but with isotropic noise on top, which makes approximate search
harder than on real text, not easier. Queries are real e5 vectors of XQuAD questions.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from retrieval.packed import PackedPassages
from retrieval.passage import Passage
from retrieval.text import sentences

NOISE = 0.02  # per dimension; |noise| ~ 0.4, about a real passage's distance to its neighbours


def real_vectors(xquad: Path) -> tuple[np.ndarray, list[str], np.ndarray]:
    """XQuAD's passage vectors, question texts and question vectors (embedded once, then cached)."""
    from retrieval.evaluate import read_passages, read_questions
    from retrieval.settings import load_settings

    from .common import cached_embedder

    embedder = cached_embedder(load_settings())
    passages = read_passages(xquad / "passages.jsonl")
    questions = [q.text for q in read_questions(xquad / "questions.jsonl")]
    return embedder.embed_passages([p.text for p in passages]), questions, embedder.embed_queries(questions)


def synthetic_vectors(base: np.ndarray, n: int, seed: int = 0, chunk: int = 100_000) -> np.ndarray:
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    start = 0
    for block in synthetic_chunks(base, n, seed, chunk):
        out[start : start + len(block)] = block
        start += len(block)
    return out


def synthetic_chunks(base: np.ndarray, n: int, seed: int = 0, chunk: int = 100_000):
    """``synthetic_vectors``' rows, ``chunk`` at a time (the same vectors)."""
    rng = np.random.default_rng(seed)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        a = base[rng.integers(0, len(base), m)]
        b = base[rng.integers(0, len(base), m)]
        t = rng.uniform(0.0, 0.5, (m, 1)).astype(np.float32)
        v = a + t * (b - a) + rng.normal(0.0, NOISE, (m, base.shape[1])).astype(np.float32)
        yield v / np.linalg.norm(v, axis=1, keepdims=True)


def read_paragraphs(xquad: Path) -> list[str]:
    with open(xquad / "passages.jsonl", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


def synthetic_passages(paragraphs: list[str], n: int, seed: int = 0) -> PackedPassages:
    """``n`` passages packed as the loader packs an archive's (``corpus.read_corpus``)."""
    rng = np.random.default_rng(seed)
    split = [sentences(p) or [p] for p in paragraphs]
    picks = rng.integers(0, len(split), n)
    passages = PackedPassages()
    for i, j in enumerate(picks):
        sents = split[j]
        r = i % len(sents)
        text = " ".join(sents[r:] + sents[:r]) + f" (#{i})"
        passages.append(Passage.create(f"syn{j:04d}", f"Synthetic article {j}", "synthetic", i + 1, text))
    return passages
