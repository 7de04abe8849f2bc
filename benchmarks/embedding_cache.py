"""An Embedder wrapper that remembers vectors on disk, so benchmark and tuning runs
embed each text once; only texts it has not seen reach the real model."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np


class CachedEmbedder:
    def __init__(self, make_inner, model_id: str, path: Path, dim: int = 384):
        self._make_inner = make_inner  # called only when a text is missing
        self._inner = None
        self.model_id = model_id
        self.dim = dim
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path))
        self.db.execute("CREATE TABLE IF NOT EXISTS v (k TEXT PRIMARY KEY, vec BLOB NOT NULL)")

    def _key(self, role: str, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\x1f{role}\x1f{text}".encode()).hexdigest()

    def _get(self, role: str, texts, progress=False) -> np.ndarray:
        keys = [self._key(role, t) for t in texts]
        found = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            q = f"SELECT k, vec FROM v WHERE k IN ({','.join('?' * len(chunk))})"
            found.update({k: np.frombuffer(b, dtype=np.float32) for k, b in self.db.execute(q, chunk)})
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            if self._inner is None:
                self._inner = self._make_inner()
            embed = self._inner.embed_queries if role == "q" else self._inner.embed_passages
            fresh = embed([texts[i] for i in missing])
            with self.db:
                for i, vec in zip(missing, fresh):
                    vec = np.asarray(vec, dtype=np.float32)
                    found[keys[i]] = vec
                    self.db.execute("INSERT OR REPLACE INTO v VALUES (?, ?)", (keys[i], vec.tobytes()))
        return np.vstack([found[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)

    def embed_queries(self, texts):
        return self._get("q", list(texts))

    def token_states(self, texts, passages: bool):
        """Not cached: the model reads them (``retrieval.align``)."""
        if self._inner is None:
            self._inner = self._make_inner()
        return self._inner.token_states(texts, passages)

    def embed_passages(self, texts, progress=False):
        return self._get("p", list(texts))

    def seed(self, role: str, texts, vectors) -> None:
        with self.db:
            for t, vec in zip(texts, vectors):
                self.db.execute("INSERT OR REPLACE INTO v VALUES (?, ?)",
                                (self._key(role, t), np.asarray(vec, dtype=np.float32).tobytes()))
