"""Small fakes for unit tests: an embedder that needs no model."""

from __future__ import annotations

import hashlib

import numpy as np

from retrieval.text import fold, words


class HashEmbedder:
    """Bag of accent-folded words hashed into a fixed random space, L2-normalised.

    Texts sharing words get similar vectors, so ranking tests mean something, and
    ``calls`` records what was embedded (to test that unchanged passages are reused).
    """

    def __init__(self, dim: int = 64, model_id: str = "fake-hash-v1"):
        self.dim = dim
        self.model_id = model_id
        self.calls: list[tuple[str, int]] = []

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for w in words(text):
            seed = int.from_bytes(hashlib.sha256(fold(w).encode()).digest()[:4], "little")
            v += np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        v += 1e-3
        return v / np.linalg.norm(v)

    def embed_queries(self, texts):
        self.calls.append(("query", len(texts)))
        return np.vstack([self._vec(t) for t in texts]) if len(texts) else np.zeros((0, self.dim), np.float32)

    def embed_passages(self, texts, progress=False):
        self.calls.append(("passage", len(texts)))
        return np.vstack([self._vec(t) for t in texts]) if len(texts) else np.zeros((0, self.dim), np.float32)
