"""What identifies an index generation, readable without numpy, FAISS or the model.

``busan-bot index`` on an unchanged corpus is answered from here alone.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..passage import Passage

FORMAT_VERSION = 4  # 2: stats.npz (dense similarity statistics); 3: sentence vectors; 4: file checksums
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
    files: dict = field(default_factory=dict, compare=False)  # name -> {"size", "sha256"} of every other file

    @classmethod
    def read(cls, folder: Path) -> "Manifest":
        data = json.loads((folder / "manifest.json").read_text())
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k != "files"}, files=dict(data.get("files", {})))

    def damage(self, folder: Path, full: bool) -> list[str]:
        """What is wrong with the generation's files: each against its recorded size, and its
        SHA-256 too when ``full`` (every byte is read)."""
        problems = []
        for name, recorded in sorted(self.files.items()):
            path = folder / name
            try:
                size = path.stat().st_size
            except OSError as exc:
                problems.append(f"{name}: {exc.strerror or exc}")
                continue
            if size != recorded["size"]:
                problems.append(f"{name}: {size} bytes, {recorded['size']} expected")
            elif full and file_digest(path) != recorded["sha256"]:
                problems.append(f"{name}: its content changed (checksum)")
        return problems

    def describes(self, passages: Sequence[Passage], model_id: str) -> bool:
        """Whether this generation was built from exactly these passages with this model."""
        return self.model_id == model_id and self.corpus_hash == corpus_hash(passages)


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def describe_files(folder: Path) -> dict:
    """Size and SHA-256 of every file of a generation being built (the manifest's ``files``)."""
    return {p.name: {"size": p.stat().st_size, "sha256": file_digest(p)} for p in sorted(folder.iterdir())
            if p.name != "manifest.json"}


def string_files(name: str, lookup: bool = True) -> tuple[str, ...]:
    """The files of a table of strings called ``name`` (``strings.py``)."""
    return (f"{name}.utf8", f"{name}.offsets.npy") + ((f"{name}.hashes.npy", f"{name}.order.npy") if lookup else ())


# BM25's weights (CSC: values, the row of each, where each term's column starts), IDF, shape.
LEXICAL_FILES = ("lexical_data.npy", "lexical_rows.npy", "lexical_starts.npy", "lexical_idf.npy", "lexical_shape.npy")
TERMS = "terms"  # BM25's terms, column by column (``strings.Strings``)
SENTENCE_WORDS = "sentence_word_list"  # the sentence words' folded words, by id
SENTENCE_WORD_FILES = (*string_files(SENTENCE_WORDS), "sentence_words.npy", "sentence_word_at.npy", "sentence_word_rows.npy")
ACCENT_KEYS, ACCENT_FORMS = "accent_keys", "accent_forms"  # the accent table (``accents.py``)
ACCENT_FILES = (*string_files(ACCENT_KEYS), *string_files(ACCENT_FORMS, lookup=False), "accent_counts.npy", "accent_starts.npy")
VECTORS_FILE = "vectors.npy"  # float32 passage vectors, row by row
SENTENCES_FILE = "sentences.npy"  # float16 sentence vectors, each passage's in turn
SENTENCE_ROWS_FILE = "sentence_rows.npy"  # passage r's sentences are rows [r] to [r + 1] of the above
HELD_FILE = "held.npy"  # per passage, the kinds asked for its text holds (highlight.held_bits)
# A generation of an earlier version lacking one (the sentence words came later; BM25 was one
# lexical.npz; the term list, the sentence words' list and the accent table were JSON) is out of
# date: the next start rebuilds it, its vectors reused.
GENERATION_FILES = ("manifest.json", "passages.sqlite3", VECTORS_FILE, SENTENCES_FILE, SENTENCE_ROWS_FILE,
                    "stats.npz", "dense.faiss", *LEXICAL_FILES, *string_files(TERMS), *ACCENT_FILES,
                    *SENTENCE_WORD_FILES, HELD_FILE)


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
