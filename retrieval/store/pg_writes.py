"""The PostgreSQL store's writes: a generation's tables by COPY in pgvector's binary forms, the
checksums `index --verify` compares, and old generations dropped (``postgres.py`` runs them in
its one build transaction)."""

from __future__ import annotations

import struct
from collections import Counter
from pathlib import Path

import numpy as np

from ..errors import IndexError_
from ..passage import content_hash
from ..text import detached, lexical_terms
from ..tuned import PGVECTOR
from .bm25 import Bm25, columns
from .bm25_write import norms, weigh
from .manifest import ACCENT_FILES
from .pg_readers import table
from .streamed import Written

KEEP_GENERATIONS = 2  # the current one and the one before (a replica may not have switched yet)
MAX_TERMS_PER_PASSAGE = 16_000  # pgvector's limit on a sparsevec's non-zero entries
# What `index --verify` reads back: each table of a generation, in a fixed order, as recorded at
# build time (row count, and the MD5 of the rows' MD5s); "generation" is its own row's data
# (accent table, dense statistics, vocabulary size).
CHECKED = {"passages": "row", "sentences": "row, idx", "terms": "term", "postings": "term, block", "accents": "name"}


ROWS_AT_ONCE = 20_000  # passages (their vectors, sentence vectors) read back for COPY at a time


def write_generation(conn, g: int, passages, written: Written, lexical: Bm25, lengths: np.ndarray,
                     hnsw: bool, files: Path) -> None:
    """Every table of generation ``g``. Each passage's BM25 weights are computed from its text
    as it is copied (the index's own formula), so no passage-by-term matrix is ever held. The
    postings are read from ``lexical``'s files in ``files``; the accent table's files there
    (``accents.write_accents``) are kept whole, one row each: a reader maps them as the file
    store does."""
    dim, vocabulary = written.matrix.shape[1], len(lexical.terms)
    p, s, t, o, a = (table(g, n) for n in ("passages", "sentences", "terms", "postings", "accents"))
    conn.execute(f"CREATE TABLE {a} (name text PRIMARY KEY, data bytea NOT NULL)")
    for name in ACCENT_FILES:
        conn.execute(f"INSERT INTO {a} (name, data) VALUES (%s, %s)", (name, (files / name).read_bytes()))
    conn.execute(f"CREATE TABLE {p} (row int PRIMARY KEY, id text NOT NULL, article text NOT NULL, "
                 f"title text NOT NULL, source text NOT NULL, paragraph int NOT NULL, text text NOT NULL, "
                 f"hash text NOT NULL, embedding halfvec({dim}) NOT NULL, lexical sparsevec({max(vocabulary, 1)}) NOT NULL)")
    conn.execute(f"CREATE TABLE {s} (row int NOT NULL, idx int NOT NULL, embedding halfvec({dim}) NOT NULL, "
                 f"PRIMARY KEY (row, idx))")
    conn.execute(f"CREATE TABLE {t} (term text PRIMARY KEY, id int NOT NULL, idf real NOT NULL)")
    conn.execute(f"CREATE TABLE {o} (term int NOT NULL, block int NOT NULL, rows bytea NOT NULL, "
                 f"weights bytea NOT NULL, last boolean NOT NULL, PRIMARY KEY (term, block))")
    norm = norms(lengths)
    # Every passage's every term is looked up: a dict built once (as the term list was before it
    # moved to files) instead of a bisection of the files per term.
    term_ids = {term: i for i, term in enumerate(lexical.terms)}
    with conn.cursor().copy(f"COPY {p} FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["int4", "text", "text", "text", "text", "int4", "text", "text", "bytea", "bytea"])
        row, each = 0, iter(passages)
        for vectors in written.chunks(ROWS_AT_ONCE):
            for vector in vectors:
                passage = next(each)
                ids, weights = _row_weights(lexical, term_ids, passage.text, norm[row])
                if len(ids) > MAX_TERMS_PER_PASSAGE:
                    raise IndexError_(f"paragraph {passage.paragraph} of {passage.article} has {len(ids)} distinct "
                                      f"terms; PostgreSQL holds at most {MAX_TERMS_PER_PASSAGE}: split it")
                copy.write_row((row, passage.id, passage.article, passage.title, passage.source, passage.paragraph,
                                detached(passage.text), content_hash(passage.text), halfvec_bytes(vector),
                                sparsevec_bytes(vocabulary, ids, weights)))
                row += 1
    with conn.cursor().copy(f"COPY {s} FROM STDIN (FORMAT BINARY)") as copy:  # one COPY at a time per session
        copy.set_types(["int4", "int4", "bytea"])
        row = 0
        for blocks in written.sentence_blocks(ROWS_AT_ONCE):
            for block in blocks:
                for idx, sentence in enumerate(block):
                    copy.write_row((row, idx, halfvec_bytes(sentence)))
                row += 1
    with conn.cursor().copy(f"COPY {t} FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["text", "int4", "float4"])
        for i, term in enumerate(lexical.terms):
            copy.write_row((term, i, float(lexical.idf_values[i])))
    with conn.cursor().copy(f"COPY {o} FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["int4", "int4", "bytea", "bytea", "bool"])
        for row in postings_blocks(columns(files)):
            copy.write_row(row)
    conn.execute(f"CREATE INDEX ON {p} (hash)")
    if hnsw:
        # The graph must fit in maintenance_work_mem or the build slows down many times over.
        conn.execute(f"SET LOCAL maintenance_work_mem = '{_hnsw_memory_mb(len(passages), dim)}MB'")
        conn.execute(f"CREATE INDEX ON {p} USING hnsw (embedding halfvec_ip_ops) "
                     f"WITH (m = {PGVECTOR.hnsw_m}, ef_construction = {PGVECTOR.hnsw_ef_construction})")
    for name in (p, s, t, o, a):
        conn.execute(f"ANALYZE {name}")


def checksum(rows, g: int, name: str) -> tuple[int, str]:
    if name == "generation":
        (count, digest), = rows("SELECT count(*), md5(string_agg(accents || encode(stats_mean, 'hex') || "
                                "encode(stats_cov, 'hex') || vocabulary::text, '')) FROM busan_generations "
                                "WHERE id = %s", (g,))
        return count, digest
    (count, digest), = rows(f"SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY "
                            f"{CHECKED[name]}), '')) FROM {table(g, name)} t")
    return count, digest


def checksums(rows, g: int) -> dict[str, list]:
    return {name: list(checksum(rows, g, name)) for name in (*CHECKED, "generation")}


def _hnsw_memory_mb(n: int, dim: int) -> int:
    """What building the HNSW graph needs: each vector (half precision) and its neighbour
    lists (2m on the bottom layer), with room to spare; at least 256 MB, at most 16 GB."""
    need = n * (2 * dim + 2 * PGVECTOR.hnsw_m * 8 + 64) * 1.5
    return int(min(max(need / 2**20, 256), 16 * 1024))


def postings_blocks(postings):
    """(term, block, rows, weights, last) per block of each term's postings (``bm25.columns``),
    highest weight first; blocks grow geometrically, so a common term is read in a few round trips."""
    first, growth = PGVECTOR.lexical_first_block, PGVECTOR.lexical_block_growth
    for term, term_rows, term_weights in postings:
        order = np.argsort(-term_weights, kind="stable")
        rows, values = term_rows[order].astype("<i4"), term_weights[order].astype("<f4")
        start, size, block = 0, first, 0
        while True:
            end = min(start + size, len(rows))
            yield term, block, rows[start:end].tobytes(), values[start:end].tobytes(), end >= len(rows)
            if end >= len(rows):
                break
            start, size, block = end, size * growth, block + 1


def _row_weights(lexical: Bm25, term_ids: dict[str, int], text: str, norm: float) -> tuple[np.ndarray, np.ndarray]:
    """A passage's term ids (ascending) and BM25 weights, as the written index holds them."""
    counts = Counter(lexical_terms(text))
    ids = np.array([term_ids[term] for term in counts], dtype=np.int64)
    order = np.argsort(ids)
    tf = np.array(list(counts.values()), dtype=np.float32)[order]
    ids = ids[order]
    return ids, weigh(tf, np.float32(norm), lexical.idf_values[ids]).astype(np.float32)


def halfvec_bytes(vector: np.ndarray) -> bytes:
    """pgvector's binary form of a halfvec: dimensions, a reserved word, big-endian float16s."""
    return struct.pack(">HH", len(vector), 0) + np.asarray(vector, dtype=">f2").tobytes()


def sparsevec_bytes(dim: int, indices: np.ndarray, values: np.ndarray) -> bytes:
    """pgvector's binary form of a sparsevec: dimensions, non-zeros, a reserved int, 0-based
    indices (ascending), big-endian float32 values."""
    return (struct.pack(">iii", max(dim, 1), len(indices), 0) + np.asarray(indices, dtype=">i4").tobytes()
            + np.asarray(values, dtype=">f4").tobytes())


def drop_old_generations(conn, current: int) -> None:
    old = [g for (g,) in conn.execute("SELECT id FROM busan_generations WHERE id < %s ORDER BY id DESC",
                                      (current,)).fetchall()][KEEP_GENERATIONS - 1:]
    for g in old:
        for name in ("passages", "sentences", "terms", "postings", "accents"):
            conn.execute(f"DROP TABLE IF EXISTS {table(g, name)}")
        conn.execute("DELETE FROM busan_generations WHERE id = %s", (g,))
