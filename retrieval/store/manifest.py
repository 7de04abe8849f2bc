"""What identifies an index generation, readable without numpy, FAISS or the model.

``busan-bot index`` on an unchanged corpus is answered from here alone.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..passage import Passage

FORMAT_VERSION = 3  # 2: stats.npz (dense similarity statistics); 3: sentence vectors
CURRENT = "current"


def corpus_hash(passages: Sequence[Passage]) -> str:
    h = hashlib.sha256()
    for p in passages:
        h.update(f"{p.id}\x1f{p.title}\x1f{p.source}\x1f{p.paragraph}\n".encode())
    return h.hexdigest()[:20]


@dataclass(frozen=True)
class Manifest:
    format: int
    model_id: str
    dim: int
    count: int
    corpus_hash: str
    created: float
    search: str

    @classmethod
    def read(cls, folder: Path) -> "Manifest":
        data = json.loads((folder / "manifest.json").read_text())
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})

    def describes(self, passages: Sequence[Passage], model_id: str) -> bool:
        """Whether this generation was built from exactly these passages with this model."""
        return self.model_id == model_id and self.corpus_hash == corpus_hash(passages)


GENERATION_FILES = ("manifest.json", "passages.sqlite3", "vectors.npy", "sentences.npy", "sentence_rows.npy",
                    "stats.npz", "dense.faiss", "lexical.npz", "terms.json", "accents.json")


def up_to_date(index_dir: Path, passages: Sequence[Passage], model_id: str) -> bool:
    """Whether the current generation was built from exactly these passages with this model.

    Reads only the manifest and checks that every file is there, so an unchanged corpus is
    confirmed without loading vectors, FAISS or the model. Damage inside a file is still
    caught by the next full load, which rebuilds.
    """
    folder = Path(index_dir) / CURRENT
    try:
        manifest = Manifest.read(folder)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return (manifest.format == FORMAT_VERSION and manifest.describes(passages, model_id)
            and all((folder / name).is_file() for name in GENERATION_FILES))
