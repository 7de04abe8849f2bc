"""Strings kept in files and found by value: the BM25 term list, the sentence words' list and
the accent table's keys.

A million paragraphs hold a few million distinct terms, words and word pairs. As Python lists
and dicts they took ~1.2 GB of a querying process (and as much again while the JSON was parsed,
at the end of every build). Here each string is UTF-8 in one file, its row's bytes between two
offsets; a lookup hashes the string, bisects a sorted array of 64-bit hashes and compares the
bytes (a few µs, memory-mapped); the strings a process asks for again and again (a question's
common words) are cached. A small table is the same arrays in memory.

    {name}.utf8           the strings' UTF-8 bytes, row after row
    {name}.offsets.npy    int64: row r is bytes [offsets[r], offsets[r + 1])
    {name}.hashes.npy     uint64: every row's hash, sorted (only where strings are looked up)
    {name}.order.npy      int64: the row of each sorted hash
"""

from __future__ import annotations

import bisect
import mmap
import zlib
from array import array
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from .manifest import string_files as files
from .rows import Bounded

CACHED = 1 << 16  # strings per table whose rows are remembered (a question's words repeat)


def string_hash(data: bytes) -> int:
    """A 64-bit hash that is the same in every process (Python's ``hash`` of a str is not)."""
    return (zlib.crc32(data) << 32) | zlib.adler32(data)


class Writer:
    """Appends strings to a table's files as they come; ``close`` writes the lookup arrays.
    The strings must be distinct where they are looked up."""

    def __init__(self, folder: Path, name: str, lookup: bool = True):
        self.folder, self.name, self.lookup = Path(folder), name, lookup
        self.blob = open(self.folder / files(name)[0], "wb")
        self.offsets = array("q", [0])
        self.hashes = array("Q")

    def add(self, text: str) -> None:
        data = text.encode()
        self.blob.write(data)
        self.offsets.append(self.offsets[-1] + len(data))
        if self.lookup:
            self.hashes.append(string_hash(data))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def close(self) -> int:
        """Finishes the files; returns how many strings they hold."""
        self.blob.close()
        names = files(self.name, self.lookup)
        np.save(self.folder / names[1], np.frombuffer(self.offsets, dtype=np.int64), allow_pickle=False)
        if self.lookup:
            for name, values in zip(names[2:], _by_hash(np.frombuffer(self.hashes, dtype=np.uint64))):
                np.save(self.folder / name, values, allow_pickle=False)
        return len(self)


def _by_hash(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hashes sorted, and the row of each."""
    order = np.argsort(hashes, kind="stable").astype(np.int64)
    return hashes[order], order


def write(folder: Path, name: str, strings: Iterable[str], lookup: bool = True) -> int:
    writer = Writer(folder, name, lookup)
    try:
        for text in strings:
            writer.add(text)
    finally:
        count = writer.close()
    return count


def _words(values: np.ndarray, code: str) -> memoryview:
    """A 1-d array as a memoryview of Python ints (indexing it is ~20× cheaper than numpy's)."""
    return memoryview(np.ascontiguousarray(values)).cast("B").cast(code)


class Strings:
    """Row -> string, and (where written with ``lookup``) string -> row."""

    def __init__(self, blob, offsets: np.ndarray, hashes: np.ndarray | None = None, order: np.ndarray | None = None):
        self._blob = blob
        self._arrays = (offsets, hashes, order)  # held: the memoryviews below point into them
        self._offsets = _words(offsets, "q")
        self._hashes = _words(hashes, "Q") if hashes is not None else None
        self._order = _words(order, "q") if order is not None else None
        self._cache = Bounded(CACHED)  # a dict, not lru_cache: no cycle keeps an old generation mapped

    @classmethod
    def load(cls, folder: Path, name: str, lookup: bool = True, mapped: bool = True) -> "Strings":
        names = files(name, lookup)
        blob = _read_blob(Path(folder) / names[0], mapped)
        arrays = [np.load(Path(folder) / n, mmap_mode="r" if mapped else None, allow_pickle=False) for n in names[1:]]
        if (len(arrays[0]) < 1 or int(arrays[0][-1]) != len(blob)
                or any(len(a) != len(arrays[0]) - 1 for a in arrays[1:])):
            raise ValueError(f"{name}: its files disagree on size")
        return cls(blob, *arrays)

    @classmethod
    def of(cls, strings: Iterable[str], lookup: bool = True) -> "Strings":
        """In memory (tests; a generation of an earlier version, whose lists were JSON)."""
        encoded = [s.encode() for s in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        if not lookup:
            return cls(b"".join(encoded), offsets)
        return cls(b"".join(encoded), offsets, *_by_hash(np.array([string_hash(b) for b in encoded], dtype=np.uint64)))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, row: int) -> str:
        if not 0 <= row < len(self):
            raise IndexError(row)
        return bytes(self._blob[self._offsets[row]:self._offsets[row + 1]]).decode()

    def __iter__(self) -> Iterator[str]:
        return (self[r] for r in range(len(self)))

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and self.row(text) >= 0

    def row(self, text: str) -> int:
        """The row of ``text``, or -1."""
        row = self._cache.get(text)
        if row is None:
            if self._hashes is None:
                raise TypeError("this table was written without lookup")
            data = text.encode()
            h = string_hash(data)
            row = self._find(data, h, bisect.bisect_left(self._hashes, h))
            self._cache.put(text, row)
        return row

    def _find(self, data: bytes, h: int, i: int) -> int:
        hashes, offsets, blob = self._hashes, self._offsets, self._blob
        while i < len(hashes) and hashes[i] == h:  # equal hashes: compare the bytes
            row = self._order[i]
            if blob[offsets[row]:offsets[row + 1]] == data:
                return row
            i += 1
        return -1

    def rows(self, texts: Sequence[str]) -> np.ndarray:
        """Each text's row, or -1; many at once (the spelling mender's hundreds of candidates)
        without filling the cache with strings that are mostly absent."""
        if self._hashes is None:
            raise TypeError("this table was written without lookup")
        encoded = [t.encode() for t in texts]
        hashes = np.fromiter((string_hash(b) for b in encoded), dtype=np.uint64, count=len(encoded))
        starts = np.searchsorted(self._arrays[1], hashes).tolist()
        return np.array([self._find(b, h, i) for b, h, i in zip(encoded, hashes.tolist(), starts)], dtype=np.int64)


def _read_blob(path: Path, mapped: bool):
    with open(path, "rb") as fh:
        if not mapped or path.stat().st_size == 0:  # an empty file cannot be mapped
            return fh.read()
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
