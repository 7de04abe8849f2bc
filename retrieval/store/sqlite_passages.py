"""The passage store: passage metadata and text in SQLite (no pickle anywhere), held in memory."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterator, Sequence

from ..passage import Passage, content_hash

FILE = "passages.sqlite3"


class SqlitePassages:
    """Implements ``PassageStore``: every passage of a generation, by row."""

    def __init__(self, passages: Sequence[Passage]):
        self._passages = list(passages)
        self._text_rows = {content_hash(p.text): i for i, p in enumerate(self._passages)}

    def __len__(self) -> int:
        return len(self._passages)

    def __getitem__(self, row: int) -> Passage:
        return self._passages[row]

    def __iter__(self) -> Iterator[Passage]:
        return iter(self._passages)

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def many(self, rows: Sequence[int]) -> list[Passage]:
        return [self._passages[r] for r in rows]

    def rows_for_texts(self, texts: Sequence[str]) -> list[int | None]:
        return [self._text_rows.get(content_hash(t)) for t in texts]

    @staticmethod
    def write(folder: Path, passages: Sequence[Passage]) -> None:
        db = sqlite3.connect(str(folder / FILE))
        try:
            with db:
                db.execute(
                    "CREATE TABLE passages (row INTEGER PRIMARY KEY, id TEXT NOT NULL, article TEXT NOT NULL, "
                    "title TEXT NOT NULL, source TEXT NOT NULL, paragraph INTEGER NOT NULL, text TEXT NOT NULL)"
                )
                db.executemany(
                    "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ((i, p.id, p.article, p.title, p.source, p.paragraph, p.text) for i, p in enumerate(passages)),
                )
        finally:
            db.close()  # sqlite3's context manager commits but does not close

    @classmethod
    def load(cls, folder: Path) -> "SqlitePassages":
        path = folder / FILE
        if not path.exists():
            raise FileNotFoundError(path)
        db = sqlite3.connect(str(path))
        try:
            rows = db.execute("SELECT id, article, title, source, paragraph, text FROM passages ORDER BY row").fetchall()
        finally:
            db.close()
        return cls([Passage(*r) for r in rows])
