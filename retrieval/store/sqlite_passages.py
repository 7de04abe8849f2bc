"""The passage store: passage metadata and text in SQLite (no pickle anywhere), read by row as
questions need them (``rows.CachedPassages``), so a querying process holds the passages it
uses, not the corpus."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Sequence

from ..passage import Passage, content_hash
from ..text import detached
from .rows import CachedPassages

FILE = "passages.sqlite3"
PARAMETERS = 900  # rows per query: under SQLite's oldest limit on bound parameters (999)
COLUMNS = "row, id, article, title, source, paragraph, text"


class SqlitePassages(CachedPassages):
    """Implements ``PassageStore`` over one generation's ``passages.sqlite3`` (read-only)."""

    def __init__(self, path: Path):
        super().__init__()
        # One connection shared by the threads that answer (the Telegram bot's workers), one
        # statement at a time.
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self.count = self._rows("SELECT count(*) FROM passages")[0][0]
        self._hashed = "hash" in {r[1] for r in self._rows("PRAGMA table_info(passages)")}
        self._by_hash: dict[str, int] | None = None  # a generation written before the hash column

    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _read(self, rows: Sequence[int]) -> list[Passage]:
        rows = list(rows)
        got: dict[int, Passage] = {}
        for start in range(0, len(rows), PARAMETERS):
            part = rows[start : start + PARAMETERS]
            got.update((r[0], Passage(*r[1:])) for r in self._rows(
                f"SELECT {COLUMNS} FROM passages WHERE row IN ({','.join('?' * len(part))})", part))
        return self.in_order(rows, got)

    def rows_for_texts(self, texts: Sequence[str]) -> list[int | None]:
        hashes = [content_hash(t) for t in texts]
        if not self._hashed:
            if self._by_hash is None:
                self._by_hash = {content_hash(p.text): i for i, p in enumerate(self)}
            return [self._by_hash.get(h) for h in hashes]
        found: dict[str, int] = {}
        for start in range(0, len(hashes), PARAMETERS):
            part = hashes[start : start + PARAMETERS]
            found.update(self._rows(f"SELECT hash, row FROM passages WHERE hash IN ({','.join('?' * len(part))})",
                                    part))
        return [found.get(h) for h in hashes]

    @staticmethod
    def write(folder: Path, passages: Sequence[Passage]) -> None:
        db = sqlite3.connect(str(folder / FILE))
        try:
            with db:
                db.execute(
                    "CREATE TABLE passages (row INTEGER PRIMARY KEY, id TEXT NOT NULL, article TEXT NOT NULL, "
                    "title TEXT NOT NULL, source TEXT NOT NULL, paragraph INTEGER NOT NULL, text TEXT NOT NULL, "
                    "hash TEXT NOT NULL)"
                )
                db.executemany(
                    "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    ((i, p.id, p.article, p.title, p.source, p.paragraph, detached(p.text), content_hash(p.text))
                     for i, p in enumerate(passages)),
                )
                db.execute("CREATE INDEX passages_hash ON passages (hash)")
        finally:
            db.close()  # sqlite3's context manager commits but does not close

    @classmethod
    def load(cls, folder: Path) -> "SqlitePassages":
        path = folder / FILE
        if not path.exists():
            raise FileNotFoundError(path)
        return cls(path)
