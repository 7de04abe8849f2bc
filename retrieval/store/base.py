"""The small interfaces between the pipeline and its stores, and the bundle that carries them.

One implementation of each lives in its own module today (SQLite passages, FAISS dense,
BM25 lexical, all as files of one generation: ``files.py``); a new backend implements these
and registers itself in ``store/__init__.py``. ``tests/contract`` holds the suite every
implementation must pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, Sequence, runtime_checkable

import numpy as np

from ..passage import Passage
from ..restore import AccentTable
from .manifest import Manifest


@runtime_checkable
class PassageStore(Protocol):
    """Passages by row; rows are what the dense and lexical indexes return."""

    def __len__(self) -> int: ...

    def __getitem__(self, row: int) -> Passage: ...

    def row_for_text(self, text: str) -> int | None:
        """The row of a passage with exactly this text (its vectors can be reused)."""


@runtime_checkable
class DenseIndex(Protocol):
    """Passage vectors (inner product on L2-normalised vectors) and each passage's sentence vectors."""

    dim: int

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` rows closest to ``query``, best first, with their similarity (which an
        approximate index may report quantised: ``scores`` is exact)."""

    def scores(self, query: np.ndarray, rows: Sequence[int]) -> list[float]:
        """Exact similarity of ``query`` to each of ``rows``."""

    def sentence_scores(self, query: np.ndarray, rows: Sequence[int]) -> list[list[float]]:
        """Per row, the similarity of ``query`` to each of its sentences (``passage_sentences`` order)."""

    def stats(self, query: np.ndarray) -> tuple[float, float]:
        """Mean and spread of ``query``'s similarity over every passage of the corpus."""

    def vector(self, row: int) -> np.ndarray: ...

    def sentence_vectors(self, row: int) -> np.ndarray: ...

    def describe(self) -> str:
        """How it searches, for `info`: "exact" or the approximate index's parameters."""


class LexicalQuery(Protocol):
    """One question's lexical scores over every passage, computed once."""

    def top(self, k: int) -> list[tuple[int, float]]:
        """Up to ``k`` rows with a positive score, best first."""

    def at(self, rows: Sequence[int]) -> list[float]: ...


@runtime_checkable
class LexicalIndex(Protocol):
    def query(self, text: str) -> LexicalQuery: ...

    def max_score(self, text: str) -> float:
        """What a passage matching every term of ``text`` would roughly score (for scaling)."""

    def idf(self, term: str) -> float:
        """IDF of a folded term; 0.0 for a term no passage has."""


@dataclass(frozen=True, eq=False)
class Index:
    """One consistent generation of every store, as the pipeline reads it."""

    passages: PassageStore
    dense: DenseIndex
    lexical: LexicalIndex
    accents: AccentTable  # the diacritic restorer's corpus vocabulary (query side)
    manifest: Manifest
    location: str

    def __len__(self) -> int:
        return len(self.passages)


@dataclass(frozen=True)
class BuildReport:
    passages: int
    embedded: int
    reused: int
    seconds: float


class IndexStore(Protocol):
    """Where generations live: what `Engine` asks to open, check and build."""

    def up_to_date(self, passages: Sequence[Passage], model_id: str) -> bool:
        """Cheap: whether the current generation was built from these passages with this model."""

    def open(self) -> Index:
        """The current generation; ``IndexError_`` when missing or damaged."""

    def verify(self) -> list[str]:
        """Every byte of the current generation checked: what is damaged (nothing: [])."""

    def tidy(self) -> int:
        """Remove what interrupted builds left behind; how many things were removed."""

    def build(self, passages: Sequence[Passage], embedder, *, previous: Index | None = None, reuse: bool = True,
              progress: bool = False, on_wait: Callable[[], None] | None = None) -> tuple[Index, BuildReport]:
        """Build a new generation (re-embedding only new texts) and switch readers to it."""
