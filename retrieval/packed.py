"""A corpus's passages kept in a scratch file, not as objects: what a build reads them from.

A million paragraphs as ``Passage`` objects take ~2.3 GB, more than the rest of a build together;
each writer of a build (vectors, BM25, accents, sentence words, SQLite or COPY) only needs them
one at a time, in order. ``PackedPassages`` appends each passage as one record to an unnamed
temporary file (gone when it is closed or the process ends, whatever happens) and keeps only its
offset: 8 bytes a passage. It reads the file with ``os.pread``, so what it read is the page
cache's to give back, not the process's; iterating reads ``READ_BYTES`` at a time.
"""

from __future__ import annotations

import marshal
import os
import tempfile
import threading
from array import array
from bisect import bisect_right
from typing import Iterable, Iterator, Sequence, overload

from .passage import Passage

READ_BYTES = 4 << 20  # what one iteration step reads: ~5,000 paragraphs of a news article
FLUSH_EVERY = 1024  # records appended are written out this many at a time


class PackedPassages(Sequence[Passage]):
    """A read-only ``Sequence[Passage]`` once packed; ``append`` adds to its end."""

    def __init__(self, passages: Iterable[Passage] = (), directory: str | None = None):
        self._file = tempfile.TemporaryFile(dir=directory)
        self._ends = array("q")
        self._size = 0
        self._pending: list[bytes] = []
        self._lock = threading.Lock()  # appends and the flush before a read, from any thread
        for p in passages:
            self.append(p)

    def append(self, p: Passage) -> None:
        record = marshal.dumps((p.id, p.article, p.title, p.source, p.paragraph, p.text))
        with self._lock:
            self._pending.append(record)
            self._size += len(record)
            self._ends.append(self._size)
            if len(self._pending) >= FLUSH_EVERY:
                self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._file.seek(0, os.SEEK_END)
            self._file.write(b"".join(self._pending))
            self._file.flush()
            self._pending.clear()

    def _read(self, lo: int, hi: int) -> bytes:
        """Bytes [lo, hi) of the records."""
        with self._lock:
            self._flush()
        out = os.pread(self._file.fileno(), hi - lo, lo)
        while len(out) < hi - lo:  # pread may return less than asked (a signal, a large read)
            more = os.pread(self._file.fileno(), hi - lo - len(out), lo + len(out))
            if not more:
                raise OSError(f"the passages' scratch file ended at {lo + len(out)} bytes, not {hi}")
            out += more
        return out

    def _start(self, i: int) -> int:
        return self._ends[i - 1] if i else 0

    def _span(self, lo: int, hi: int) -> list[Passage]:
        """Passages lo..hi-1, from one read."""
        if lo >= hi:
            return []
        base = self._start(lo)
        data = memoryview(self._read(base, self._ends[hi - 1]))
        out, at = [], 0
        for i in range(lo, hi):
            end = self._ends[i] - base
            out.append(Passage(*marshal.loads(data[at:end])))
            at = end
        return out

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, i: int) -> Passage: ...

    @overload
    def __getitem__(self, i: slice) -> list[Passage]: ...

    def __getitem__(self, i):
        if isinstance(i, slice):
            lo, hi, step = i.indices(len(self))
            if step == 1:
                return self._span(lo, hi)
            return [self[k] for k in range(lo, hi, step)]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("passage index out of range")
        return self._span(i, i + 1)[0]

    def __iter__(self) -> Iterator[Passage]:
        lo = 0
        while lo < len(self):
            hi = max(lo + 1, bisect_right(self._ends, self._start(lo) + READ_BYTES, lo))
            yield from self._span(lo, hi)
            lo = hi

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "PackedPassages":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Texts:
    """The passages' texts, read afresh on each iteration (each writer of a build reads them once)."""

    def __init__(self, passages: Sequence[Passage]):
        self.passages = passages

    def __iter__(self) -> Iterator[str]:
        return (p.text for p in self.passages)

    def __len__(self) -> int:
        return len(self.passages)
