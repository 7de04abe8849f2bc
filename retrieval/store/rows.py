"""Passages read by row from a database as questions need them, the popular ones cached.

Shared by the stores that keep passages out of memory (SQLite files, PostgreSQL): a million
paragraphs would otherwise take ~2 GB of every querying process.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from ..passage import Passage

PASSAGE_CACHE = 20_000  # passages kept in memory per generation (popular ones come back)
SCAN = 10_000  # rows read at a time when every passage is read in turn


class Bounded(dict):
    """A dict that starts over when full: generations are immutable, so a cache miss is only a read."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def put(self, key, value) -> None:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value


class CachedPassages:
    """``PassageStore`` on top of ``_read`` (rows -> passages, one read) and ``count``."""

    count: int

    def __init__(self):
        self._cache = Bounded(PASSAGE_CACHE)

    def _read(self, rows: Sequence[int]) -> list[Passage]:
        raise NotImplementedError

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, row: int) -> Passage:
        if not 0 <= row < self.count:
            raise IndexError(row)
        return self.many([row])[0]

    def __iter__(self) -> Iterator[Passage]:
        for start in range(0, self.count, SCAN):
            yield from self._read(range(start, min(start + SCAN, self.count)))

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def many(self, rows: Sequence[int]) -> list[Passage]:
        missing = [r for r in dict.fromkeys(rows) if r not in self._cache]
        found = dict(zip(missing, self._read(missing))) if missing else {}
        for row, passage in found.items():
            self._cache.put(row, passage)
        return [found.get(r) or self._cache.get(r) or self._read([r])[0] for r in rows]

    @staticmethod
    def in_order(rows: Sequence[int], got: dict[int, Passage]) -> list[Passage]:
        """``got``'s passages in ``rows``' order; IndexError names rows the store lacks."""
        if len(got) != len(set(rows)):
            raise IndexError(f"rows not in the index: {sorted(set(rows) - set(got))[:5]}")
        return [got[r] for r in rows]
