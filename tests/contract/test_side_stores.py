"""The contract of the bot's side stores: feedback (questions, votes, button state) and the
rate limiter, run over the single-machine kinds (SQLite file, memory) and the shared kinds
replicas use (PostgreSQL, on the test server of tests/conftest.py)."""

from __future__ import annotations

import pytest

from bot import telegram_support as support
from bot.feedback import PRUNE_EVERY, Asked, FeedbackStore, Logged
from bot.side_stores import Feedback, RateLimits, open_feedback, open_side_stores


class FeedbackContract:
    @pytest.fixture()
    def make(self, tmp_path):
        """A function giving a store; called twice, two handles on the same data (two
        replicas, or one process before and after a restart)."""
        raise NotImplementedError

    def test_is_a_feedback_store_whose_user_hash_outlives_the_handle(self, make):
        first, second = make(), make()
        assert isinstance(first, Feedback)
        # one key per bot: a restart (or another replica) hashes a user as before, and not as another
        assert first.user_hash(7) == second.user_hash(7) != first.user_hash(8)
        assert "123456789" not in first.user_hash(123456789)  # the id is not in what is stored

    def test_one_vote_per_user_per_answer_the_last_press_counts(self, make):
        store = make()
        store.vote(1, "a1", "Busan?", ["p1", "p2"], 1)
        store.vote(1, "a1", "Busan?", ["p1", "p2"], -1)  # changed their mind
        store.vote(2, "a1", "Busan?", ["p1", "p2"], 1)
        store.vote(1, "a2", "Gimhae?", ["p3"], 1)
        assert {k: store.stats()[k] for k in ("up", "down")} == {"up": 2, "down": 1}

    def test_questions_are_counted_with_whether_they_were_answered(self, make):
        store = make()
        store.question(1, True)
        store.question(1, False)
        store.question(2, True)
        assert {k: store.stats()[k] for k in ("questions", "answered")} == {"questions": 3, "answered": 2}

    def test_button_state_written_by_one_handle_is_recalled_by_another(self, make):
        first, second = make(), make()
        first.remember("k1", Asked("Busan kết nghĩa năm nào?", "vi", None, ["p1", "p2", "p3"], 3))
        recalled = second.recall("k1")
        assert (recalled.question, recalled.lang, recalled.passage_ids, recalled.shown) == \
            ("Busan kết nghĩa năm nào?", "vi", ["p1", "p2", "p3"], 3)
        first.remember("k1", Asked("Busan kết nghĩa năm nào?", "vi", None, ["p4"], 6))  # "More" was pressed
        assert second.recall("k1").shown == 6
        assert second.recall("unknown") is None

    def test_pages_of_more_are_handed_out_once_whichever_handle_asks(self, make):
        first, second = make(), make()
        assert first.claim_page("k9", 3) is None  # not written down yet
        first.remember("k9", Asked("Busan?", "vi", None, ["p1", "p2", "p3"], 3))
        assert [first.claim_page("k9", 3), second.claim_page("k9", 3), first.claim_page("k9", 3)] == [3, 6, 9]
        first.remember("k9", Asked("Busan?", "vi", None, ["p1", "p2", "p3"], 6))  # a late write never goes back
        assert second.recall("k9").shown == 12

    def test_a_vote_through_another_handle_replaces_the_first(self, make):
        first, second = make(), make()
        first.vote(7, "a1", "Busan?", ["p1"], 1)
        second.vote(7, "a1", "Busan?", ["p1"], 1)  # the same press delivered twice, or via another replica
        assert second.stats()["up"] == 1

    def test_the_question_log_keeps_what_was_asked_shown_and_voted(self, make):
        store = make()
        store.question(1, True, Logged("k1", "Thị trưởng Busan là ai?", "vi", "answered", 0.97, ("p1", "p2")))
        store.question(2, False, Logged("k2", "Busan có bao nhiêu dân?", "vi", "no_answer", 0.03, ()))
        store.question(3, True)  # counted only (as before the log)
        store.vote(1, "k1", "Thị trưởng Busan là ai?", ["p1", "p2"], -1)
        rows = store.logged_since(0)
        assert [(r[1], r[3], r[5], r[6], r[7]) for r in rows] == [
            ("Thị trưởng Busan là ai?", "answered", "p1,p2", 0, 1), ("Busan có bao nhiêu dân?", "no_answer", "", 0, 0),
            (None, "answered", None, 0, 0)]
        assert store.logged_since(rows[-1][0] + 1) == []

    def test_each_questions_embedding_is_kept_with_its_text_and_goes_with_it(self, make):
        import time

        vector = bytes(range(16))
        store = make(log_days=0.2 / 86400)  # texts kept 0.2 s
        store.question(1, False, Logged("k1", "Busan có bao nhiêu dân?", "vi", "no_answer", 0.03, (), vector))
        store.question(2, True, Logged("k2", "Thị trưởng Busan là ai?", "vi", "answered", 0.9, ("p1",)))
        assert [(r[1], r[8] and bytes(r[8])) for r in store.logged_since(0)] == [
            ("Busan có bao nhiêu dân?", vector), ("Thị trưởng Busan là ai?", None)]
        time.sleep(0.3)
        for i in range(PRUNE_EVERY - 2):  # the next prune: texts older than log_days go, embeddings with them
            store.question(3, True)
        first = store.logged_since(0)[0]
        assert (first[1], first[5], first[8], first[3]) == (None, None, None, "no_answer")

    def test_no_embedding_is_kept_with_log_days_zero(self, make):
        store = make(log_days=0)
        store.question(1, False, Logged("k", "Busan?", "vi", "no_answer", 0.1, (), b"\x00\x01"))
        (row,) = store.logged_since(0)
        assert (row[1], row[8]) == (None, None)

    def test_the_user_hash_is_the_same_for_votes_and_questions(self, make):
        store = make()
        assert store.user_hash(5) == make().user_hash(5)

    def test_user_ids_are_hashed_alike_by_every_handle_and_never_kept_plain(self, make):
        first, second = make(), make()
        assert first.user_hash(42) == second.user_hash(42) != first.user_hash(43)
        assert "42" != first.user_hash(42) and len(first.user_hash(42)) >= 16


class RateLimiterContract:
    @pytest.fixture()
    def make(self):
        """A function (limit, window, clock) -> limiter; two calls share the counts."""
        raise NotImplementedError

    def test_at_most_limit_per_window_then_the_wait(self, make):
        now = [1000.0]
        limiter = make(2, 60, lambda: now[0])
        assert isinstance(limiter, RateLimits)
        assert limiter.check(1) == 0 and limiter.check(1) == 0
        now[0] += 10
        assert limiter.check(1) == pytest.approx(50)
        assert limiter.check(2) == 0  # other users are not affected
        now[0] += 51
        assert limiter.check(1) == 0


class TestSqliteFeedback(FeedbackContract):
    @pytest.fixture()
    def make(self, tmp_path):
        return lambda **options: FeedbackStore(tmp_path / "feedback.sqlite3", **options)

    def test_no_question_text_is_kept_with_log_days_zero(self, tmp_path):
        store = FeedbackStore(tmp_path / "f.sqlite3", log_days=0)
        store.question(1, False, Logged("k", "Busan có bao nhiêu dân?", "vi", "no_answer", 0.03, ("p1",)))
        (row,) = store.logged_since(0)
        assert (row[1], row[3], row[5]) == (None, "no_answer", None)

    def test_a_database_from_before_the_log_is_upgraded_in_place(self, tmp_path):
        import sqlite3

        path = tmp_path / "old.sqlite3"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE questions (time REAL, user_hash TEXT, answered INTEGER)")
            db.execute("INSERT INTO questions VALUES (1.0, 'h', 1)")
        store = FeedbackStore(path)
        store.question(1, False, Logged("k", "Busan?", "vi", "no_answer", 0.1, ()))
        assert [(r[1], r[3]) for r in store.logged_since(0)] == [(None, "answered"), ("Busan?", "no_answer")]
        assert store.stats()["questions"] == 2


SQLITE_LOG_WITHOUT_EMBEDDINGS = (  # the question log as the version before embeddings wrote it
    "CREATE TABLE questions (time REAL, user_hash TEXT, answered INTEGER, answer TEXT, question TEXT, lang TEXT, "
    "status TEXT, confidence REAL, passage_ids TEXT)",
    "INSERT INTO questions VALUES (1.0, 'h', 0, 'k0', 'Busan?', 'vi', 'no_answer', 0.1, '')")
SQLITE_BEFORE_THE_LOG = ("CREATE TABLE questions (time REAL, user_hash TEXT, answered INTEGER)",
                         "INSERT INTO questions VALUES (1.0, 'h', 0)")


@pytest.mark.parametrize("old_schema", [SQLITE_BEFORE_THE_LOG, SQLITE_LOG_WITHOUT_EMBEDDINGS])
def test_a_sqlite_database_of_each_earlier_schema_is_migrated_once(tmp_path, old_schema):
    import sqlite3

    from bot import feedback
    from bot.migrations import applied_names

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        for statement in old_schema:
            db.execute(statement)
    store = FeedbackStore(path)
    names = [m.name for m in feedback.MIGRATIONS]
    assert applied_names(store.db) == names
    store.question(1, False, Logged("k1", "Busan có bao nhiêu dân?", "vi", "no_answer", 0.1, (), b"\x01\x02"))
    rows = store.logged_since(0)
    assert rows[0][0] == 1.0 and rows[-1][8] == b"\x01\x02"  # the old row kept, the new one whole
    assert applied_names(FeedbackStore(path).db) == names  # opened again: nothing applied twice


def test_a_migration_added_later_is_applied_once_on_the_next_open(tmp_path, monkeypatch):
    from bot import feedback
    from bot.migrations import Migration, applied_names

    path = tmp_path / "f.sqlite3"
    FeedbackStore(path)
    later = Migration("999_later", ("CREATE TABLE later (x INTEGER)",))  # fails if run twice
    monkeypatch.setattr(feedback, "MIGRATIONS", feedback.MIGRATIONS + (later,))
    assert applied_names(FeedbackStore(path).db)[-1] == "999_later"
    assert applied_names(FeedbackStore(path).db).count("999_later") == 1


class TestMemoryRateLimiter(RateLimiterContract):
    @pytest.fixture()
    def make(self):
        return lambda limit, window, clock: support.RateLimiter(limit, window, clock)


class TestPostgresFeedback(FeedbackContract):
    @pytest.fixture()
    def make(self, pg_url):
        from bot.shared_state import PgFeedbackStore
        from retrieval.store.pg_database import Database

        dbs = []
        yield lambda **options: PgFeedbackStore(dbs.append(Database(pg_url, pool_size=2)) or dbs[-1], **options)
        for db in dbs:
            db.close()


    def test_a_database_from_before_the_log_is_upgraded_in_place(self, pg_url):
        import psycopg

        from bot.shared_state import PgFeedbackStore
        from retrieval.store.pg_database import Database

        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("CREATE TABLE busan_bot_questions (time double precision NOT NULL, user_hash text NOT NULL, "
                         "answered boolean NOT NULL)")
            conn.execute("INSERT INTO busan_bot_questions VALUES (1.0, 'h', true)")
        db = Database(pg_url, pool_size=2)
        store = PgFeedbackStore(db)
        store.question(1, False, Logged("k", "Busan?", "vi", "no_answer", 0.1, (), b"\x01"))
        assert [(r[1], r[3], r[8]) for r in store.logged_since(0)] == [(None, "answered", None),
                                                                       ("Busan?", "no_answer", b"\x01")]
        from bot.migrations import applied_names
        from bot.shared_state import MIGRATIONS

        PgFeedbackStore(db)  # opened again: nothing applied twice
        with db.connection() as conn:
            assert applied_names(conn) == [m.name for m in MIGRATIONS]
        db.close()


def test_replicas_opening_their_stores_together_on_a_new_database_make_each_table_once(pg_url):
    """Each side store used to create its own table when it opened: two replicas starting
    together could both try (a duplicate-key error in PostgreSQL's catalogue killed one)."""
    import threading

    from bot.conversation_stores import PgConversations
    from bot.shared_state import MIGRATIONS, PgFeedbackStore, PgRateLimiter
    from bot.update_journal import PgJournal
    from bot.migrations import applied_names
    from retrieval.store.pg_database import Database

    dbs = [Database(pg_url, pool_size=2) for _ in range(6)]
    errors, start = [], threading.Barrier(6)

    def open_all(db):
        start.wait()
        try:
            key = PgFeedbackStore(db).key
            PgConversations(db, key, 60.0), PgJournal(db), PgRateLimiter(db, 5)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=open_all, args=(db,)) for db in dbs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with dbs[0].connection() as conn:
        assert applied_names(conn) == [m.name for m in MIGRATIONS]
    for db in dbs:
        db.close()
    assert errors == []


class TestPostgresRateLimiter(RateLimiterContract):
    @pytest.fixture()
    def make(self, pg_url):
        from bot.shared_state import PgRateLimiter
        from retrieval.store.pg_database import Database

        dbs = []
        yield lambda limit, window, clock: PgRateLimiter(dbs.append(Database(pg_url, pool_size=2)) or dbs[-1],
                                                         limit, window, clock)
        for db in dbs:
            db.close()

    def test_two_replicas_share_one_users_count(self, make):
        now = [1000.0]
        a, b = make(3, 60, lambda: now[0]), make(3, 60, lambda: now[0])
        assert [a.check(5), b.check(5), a.check(5)] == [0, 0, 0]
        assert b.check(5) > 0 and a.check(5) > 0

    def test_idle_users_are_swept(self, make, monkeypatch):
        from bot.shared_state import PgRateLimiter

        monkeypatch.setattr(PgRateLimiter, "SWEEP_EVERY", 5)
        now = [1000.0]
        limiter = make(2, 60, lambda: now[0])
        for user in range(4):
            limiter.check(user)
        assert len(limiter) == 4
        now[0] += 61
        limiter.check(99)  # the fifth check sweeps
        assert len(limiter) == 1


def _settings(tmp_path, **index):
    from bot.telegram_settings import TelegramSettings
    from retrieval.settings import load_settings

    return (load_settings(index_dir=str(tmp_path / "index"), **index),
            load_settings(cls=TelegramSettings, feedback_db=str(tmp_path / "fb.sqlite3")))


def test_the_factory_keeps_one_bots_side_state_in_one_sqlite_file(tmp_path):
    from bot.conversation_stores import SqliteConversations
    from retrieval.errors import BusanBotError

    settings, telegram = _settings(tmp_path)
    with pytest.raises(BusanBotError, match="no question log at .*fb.sqlite3 yet"):
        open_feedback(settings, telegram)  # the report: nothing made in passing
    assert not telegram.feedback_db.exists()
    side = open_side_stores(settings, telegram)
    assert isinstance(side.feedback, FeedbackStore) and side.limiter.instant
    assert isinstance(side.conversations, SqliteConversations) and not side.journal.shared
    side.feedback.question(1, True)
    assert open_feedback(settings, telegram).stats()["questions"] == 1


def test_the_factory_shares_the_side_state_in_the_index_database(tmp_path, pg_url):
    from bot.conversation_stores import PgConversations
    from bot.shared_state import PgFeedbackStore
    from retrieval.store import close_databases

    settings, telegram = _settings(tmp_path, store="postgres", database_url=pg_url)
    try:
        side = open_side_stores(settings, telegram)
        assert isinstance(side.feedback, PgFeedbackStore) and not side.limiter.instant
        assert isinstance(side.conversations, PgConversations) and side.journal.shared
        side.feedback.question(1, False)
        assert open_feedback(settings, telegram).stats()["questions"] == 1  # another replica sees it
        assert not telegram.feedback_db.exists()  # nothing local
    finally:
        close_databases()


@pytest.mark.parametrize("error, retried", [
    (__import__("sqlite3").OperationalError("database is locked"), True),  # another process writes
    (__import__("sqlite3").OperationalError("no such table: votes"), False),  # a fault, not a wait
    (__import__("psycopg").OperationalError("connection refused"), True),  # the server is away for now
    (__import__("retrieval.errors", fromlist=["IndexError_"]).IndexError_("pool timed out"), True),
    (OSError("disk full"), False),
])
def test_a_store_locked_or_away_for_now_is_tried_again_and_a_fault_is_not(monkeypatch, error, retried):
    from bot import side_stores

    monkeypatch.setattr(side_stores.time, "sleep", lambda s: None)
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise error
        return "written"

    if retried:
        assert side_stores.patiently(flaky) == "written" and len(calls) == 3
        monkeypatch.setattr(side_stores, "LOCKED_RETRY_S", -1.0)  # past the deadline: the error stands
        calls.clear()
        with pytest.raises(type(error)):
            side_stores.patiently(flaky)
    else:
        with pytest.raises(type(error)):
            side_stores.patiently(flaky)
        assert len(calls) == 1
