"""The PostgreSQL + pgvector backend: every generation in the operator's database.

Tables::

    busan_generations        one row per generation: manifest, dense statistics (the accent table
                             as JSON in an earlier version)
    busan_current            the generation readers use (one row)
    busan_g<N>_passages      row, metadata, text, content hash, embedding halfvec, lexical sparsevec (BM25)
    busan_g<N>_sentences     row, idx, embedding halfvec: each passage's sentences in order
    busan_g<N>_terms         term, id, idf
    busan_g<N>_postings      term, block, rows, weights, last: postings highest weight first
    busan_g<N>_accents       name, data: the accent table's files (accents.py), mapped by each reader

A build writes a generation's tables, points ``busan_current`` at it and drops the
generations before the previous one, all in one transaction: readers see the old index or
the new one, never half of one, and a killed build leaves nothing behind. Several processes
(replicas) can read one database; builds take turns by an advisory lock.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from ..errors import IndexError_
from ..packed import Texts
from ..passage import Passage, content_hash
from ..tuned import PGVECTOR
from .accents import Accents, write_accents
from .base import Index
from .bm25 import Bm25
from .bm25_write import write as write_bm25
from .builder import Builds, waiting_for
from .manifest import ACCENT_FILES, FORMAT_VERSION, Manifest, corpus_hash
from .pg_database import Database, MissingTable
from .pg_readers import PgDense, PgLexical, PgPassages, table
from .pg_writes import checksum, checksums, drop_old_generations, write_generation
from .streamed import ToFiles, Written
from .vectors import DenseStats, SentenceVectors

log = logging.getLogger(__name__)
BUILD_LOCK = 0x6275_7361  # advisory lock key: "busa"

_GENERATION_COLUMNS = ("id", "format", "model_id", "dim", "count", "corpus_hash", "created", "search", "vocabulary",
                       "accents", "stats_mean", "stats_cov")
SCHEMA = """
CREATE TABLE IF NOT EXISTS busan_generations (
    id bigserial PRIMARY KEY, format int NOT NULL, model_id text NOT NULL, dim int NOT NULL,
    count int NOT NULL, corpus_hash text NOT NULL, created double precision NOT NULL, search text NOT NULL,
    vocabulary int NOT NULL, accents text NOT NULL, stats_mean bytea NOT NULL, stats_cov bytea NOT NULL);
CREATE TABLE IF NOT EXISTS busan_current (
    one boolean PRIMARY KEY DEFAULT true CHECK (one), generation bigint NOT NULL REFERENCES busan_generations);
ALTER TABLE busan_generations ADD COLUMN IF NOT EXISTS checksums text;
"""


class PostgresStore(Builds):
    """Implements ``IndexStore`` in a PostgreSQL database with pgvector."""

    def __init__(self, db: Database, *, lock_timeout: float = 30.0, exact_limit: int = 5_000):
        self.db = db
        self.lock_timeout = lock_timeout
        self.exact_limit = exact_limit
        self.where = db.where

    def _current(self, columns: Sequence[str] = _GENERATION_COLUMNS) -> dict | None:
        """The current generation's row (only ``columns``: the accent table is large), or None
        when nothing was built in this database."""
        found = self._select(f"SELECT {', '.join('g.' + c for c in columns)} FROM busan_current c "
                             "JOIN busan_generations g ON g.id = c.generation")
        return dict(zip(columns, found[0])) if found else None

    def _select(self, sql: str) -> list[tuple]:
        try:
            return self.db.rows(sql)
        except MissingTable:  # nothing built in this database yet
            return []

    def up_to_date(self, passages: Sequence[Passage], model_id: str) -> bool:
        head = self._current(("format", "model_id", "corpus_hash"))
        return (head is not None and head["format"] == FORMAT_VERSION and head["model_id"] == model_id
                and head["corpus_hash"] == corpus_hash(passages))

    def is_current(self, index: Index) -> bool:
        head = self._current(("id",))
        return head is not None and index.location == self._location(head["id"])

    def _location(self, generation: int) -> str:
        return f"{self.db.where} generation {generation}"

    def open(self) -> Index:
        row = self._current()
        if row is None:
            raise IndexError_(f"no index in the database {self.db.where} yet")
        if row["format"] != FORMAT_VERSION:
            raise IndexError_(f"the index in {self.db.where} was built by another version of busan-bot "
                              f"(format {row['format']}, this one reads {FORMAT_VERSION})")
        return self._index(row)

    def _index(self, row: dict) -> Index:
        g, dim = row["id"], row["dim"]
        stats = DenseStats(np.frombuffer(row["stats_mean"], dtype="<f8"),
                           np.frombuffer(row["stats_cov"], dtype="<f8").reshape(dim, dim))
        manifest = Manifest(row["format"], row["model_id"], dim, row["count"], row["corpus_hash"], row["created"],
                            row["search"])
        accents = json.loads(row["accents"]) if row["accents"] else self._accents(g)  # JSON: an earlier version's
        return Index(PgPassages(self.db, g, row["count"]), PgDense(self.db, g, dim, stats, row["search"]),
                     PgLexical(self.db, g, row["count"], row["vocabulary"]), accents, manifest,
                     self._location(g))

    def _accents(self, g: int) -> Accents:
        """The generation's accent table, its files copied from the database and mapped: the
        copies are removed at once (a mapping outlives its file), so nothing is left to tidy."""
        with tempfile.TemporaryDirectory(prefix="busan-bot-accents-") as folder:
            for name, data in self.db.rows(f"SELECT name, data FROM {table(g, 'accents')}"):
                if name not in ACCENT_FILES:
                    raise IndexError_(f"the index in {self.db.where} is damaged (unknown accent file {name!r})")
                (Path(folder) / name).write_bytes(data)
            try:
                return Accents.load(Path(folder))
            except (OSError, ValueError) as exc:
                raise IndexError_(f"the index in {self.db.where} is damaged (accent table: {exc})") from exc

    def verify(self) -> list[str]:
        """Every table of the current generation read back: counts, dimensions and the corpus hash."""
        row = self._current()
        if row is None:
            return ["no index in the database"]
        g, n, problems = row["id"], row["count"], []
        checks = {
            "passages": f"SELECT count(*), count(*) FILTER (WHERE vector_dims(embedding) <> {int(row['dim'])}) "
                        f"FROM {table(g, 'passages')}",
            "sentences": f"SELECT count(DISTINCT row), count(*) FILTER (WHERE vector_dims(embedding) <> "
                         f"{int(row['dim'])}) FROM {table(g, 'sentences')}",
        }
        for name, sql in checks.items():
            try:
                rows, wrong = self.db.rows(sql)[0]
            except Exception as exc:  # noqa: BLE001 - reported, as every other fault found
                problems.append(f"{name}: {exc}")
                continue
            if rows != n or wrong:
                problems.append(f"{name}: {rows} passages ({n} expected), {wrong} vectors of the wrong size")
        problems += self._changed_tables(g)
        if not problems:
            passages = list(self._index(row).passages)
            if corpus_hash(passages) != row["corpus_hash"]:
                problems.append("passages: they do not match the generation's corpus hash")
            if any(content_hash(p.text) != h for p, (h,) in zip(passages, self.db.rows(
                    f"SELECT hash FROM {table(g, 'passages')} ORDER BY row"))):
                problems.append("passages: a text does not match its content hash")
        return problems

    def _changed_tables(self, g: int) -> list[str]:
        """Each table whose rows differ from what was recorded when the generation was built."""
        try:
            recorded = self.db.rows("SELECT checksums FROM busan_generations WHERE id = %s", (g,))[0][0]
        except IndexError_ as exc:
            return [f"checksums: {exc}"]
        if not recorded:
            log.warning("generation %s was built before checksums were recorded: its tables are checked "
                        "by counts only (busan-bot index --rebuild records them)", g)
            return []
        expected, problems = json.loads(recorded), []
        for name, (count, digest) in expected.items():
            try:
                found = checksum(self.db.rows, g, name)
            except IndexError_ as exc:
                problems.append(f"{name}: cannot be read ({exc})")
                continue
            if found[0] != count:
                problems.append(f"{name}: {found[0]} rows ({count} recorded)")
            elif found[1] != digest:
                problems.append(f"{name}: its rows changed since the index was built")
        return problems

    def tidy(self) -> int:
        """Builds are transactions: a killed one leaves nothing behind to remove."""
        return 0

    @contextmanager
    def building(self, on_wait: Callable[[], None] | None) -> Iterator:
        """The build lock is an advisory lock of one session, which the writes then use."""
        conn = self.db.connect()
        try:
            try_lock = lambda: conn.execute("SELECT pg_try_advisory_lock(%s)", (BUILD_LOCK,)).fetchone()[0]
            # Closing the session releases the lock: no unlock that could fail over a broken
            # connection and hide why the build stopped.
            with waiting_for(try_lock, lambda: None, self.db.where, self.lock_timeout, on_wait):
                yield conn
        finally:
            conn.close()

    def publish(self, passages: Sequence[Passage], matrix: np.ndarray, sentences: SentenceVectors,
                model_id: str) -> Index:
        """Write a generation from vectors at hand (no model) and switch readers to it."""
        with self.building(None) as conn:
            return self.write(conn, passages, Written.in_memory(matrix, sentences), model_id)

    def sink(self, conn, n: int) -> ToFiles:
        """The vectors go to a scratch folder as they are embedded; COPY reads them back a chunk at a time."""
        return ToFiles.to_scratch(n)

    def write(self, conn, passages, written: Written, model_id) -> Index:
        with tempfile.TemporaryDirectory(prefix="busan-bot-bm25-") as scratch:
            return self._write(conn, passages, written, model_id, Path(scratch))

    def _write(self, conn, passages, written: Written, model_id, scratch: Path) -> Index:
        texts = Texts(passages)  # each writer reads them afresh, in order
        lengths = write_bm25(scratch, texts)
        lexical = Bm25.load(scratch)
        write_accents(scratch, texts)
        matrix, stats = written.matrix, written.stats
        hnsw = len(passages) > self.exact_limit
        search = (f"hnsw m={PGVECTOR.hnsw_m} ef_construction={PGVECTOR.hnsw_ef_construction} "
                  f"ef_search={self.db.ef_search}") if hnsw else "exact"
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('busan-bot schema'))")
            conn.execute(SCHEMA)
            g = conn.execute(
                "INSERT INTO busan_generations (format, model_id, dim, count, corpus_hash, created, search, "
                "vocabulary, accents, stats_mean, stats_cov) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "RETURNING id",
                (FORMAT_VERSION, model_id, matrix.shape[1], len(passages), corpus_hash(passages),
                 time.time(), search, len(lexical.terms), "", stats.mean.astype("<f8").tobytes(),
                 stats.cov.astype("<f8").tobytes())).fetchone()[0]
            write_generation(conn, g, passages, written, lexical, lengths, hnsw, scratch)
            conn.execute("UPDATE busan_generations SET checksums = %s WHERE id = %s",
                         (json.dumps(checksums(lambda sql, params=(): conn.execute(sql, params).fetchall(), g)), g))
            conn.execute("INSERT INTO busan_current (one, generation) VALUES (true, %s) "
                         "ON CONFLICT (one) DO UPDATE SET generation = excluded.generation", (g,))
            drop_old_generations(conn, g)
        log.info("built generation %s of %s passages in %s", g, len(passages), self.db.where)
        return self.open()
