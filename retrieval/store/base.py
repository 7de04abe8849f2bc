"""The small interfaces between the pipeline and its stores, and the bundle that carries them.

Two backends implement them: files of one generation on a local disk (SQLite passages, FAISS
dense, BM25 lexical: ``files.py``) and PostgreSQL with pgvector (``postgres.py``); a new
backend implements these and registers itself in ``store/__init__.py``. ``tests/contract`` holds the suite every
implementation must pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, Sequence, runtime_checkable

import numpy as np

from ..passage import Passage
from ..restore import AccentTable
from .manifest import Manifest
from .sentence_words import SentenceWords


@runtime_checkable
class PassageStore(Protocol):
    """Passages by row; rows are what the dense and lexical indexes return."""

    def __len__(self) -> int: ...

    def __getitem__(self, row: int) -> Passage: ...

    def many(self, rows: Sequence[int]) -> list[Passage]:
        """The passages of ``rows``, in that order (one read for a remote store)."""

    def rows_for_texts(self, texts: Sequence[str]) -> list[int | None]:
        """Per text, the row of a passage with exactly that text (its vectors can be reused), or None."""


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

    def passage_vectors(self, rows: Sequence[int]) -> np.ndarray:
        """The stored vectors of ``rows`` (len(rows) x dim), for reuse by the next build."""

    def sentence_blocks(self, rows: Sequence[int]) -> list[np.ndarray]:
        """Per row, its sentences' stored vectors (sentences x dim), for reuse by the next build."""

    def describe(self) -> str:
        """How it searches, for `info`: "exact" or the approximate index's parameters."""


class LexicalQuery(Protocol):
    """One question's lexical scores over every passage, computed once."""

    ceiling: float  # what a passage holding each of its terms once would roughly score (for scaling)

    def top(self, k: int) -> list[tuple[int, float]]:
        """Up to ``k`` rows with a positive score, best first."""

    def at(self, rows: Sequence[int]) -> list[float]: ...


@runtime_checkable
class LexicalIndex(Protocol):
    def query(self, text: str) -> LexicalQuery: ...

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
    # Each sentence's folded words, precomputed (a store that keeps none: fusion splits and folds
    # the candidates' sentences itself, with the same result)
    sentence_words: SentenceWords | None = None
    # Per passage, the bits of ``highlight.HELD`` its text holds (a store that keeps none: the
    # candidates' texts are read when a question asks for one of them)
    held: np.ndarray | None = None

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

    where: str  # for messages: a folder, or a database URL without its password

    def up_to_date(self, passages: Sequence[Passage], model_id: str) -> bool:
        """Cheap: whether the current generation was built from these passages with this model."""

    def open(self) -> Index:
        """The current generation; ``IndexError_`` when missing or damaged."""

    def verify(self) -> list[str]:
        """Every byte of the current generation checked: what is damaged (nothing: [])."""

    def is_current(self, index: Index) -> bool:
        """Cheap: whether ``index`` is still the current generation (another process may have
        built a newer one: replicas reload when this turns false)."""

    def tidy(self) -> int:
        """Remove what interrupted builds left behind; how many things were removed."""

    def build(self, passages: Sequence[Passage], embedder, *, previous: Index | None = None, reuse: bool = True,
              progress: bool = False, on_wait: Callable[[], None] | None = None) -> tuple[Index, BuildReport]:
        """Build a new generation (re-embedding only new texts) and switch readers to it."""
