"""The bot's state in PostgreSQL (with ``store = "postgres"``): feedback, button state and rate
limits shared by every replica serving one bot, so an answer given by one can be voted on or
paged ("More") through another, and a user's limit holds whichever replica they reach.

Same methods as ``feedback.FeedbackStore`` and ``RateLimiter``; the tests run one
contract suite over both kinds.
"""

from __future__ import annotations

import logging
import secrets
import time

from .feedback import BUTTONS_KEPT_S, PRUNE_EVERY, QUESTION_LOG, Asked, Logged, keyed_hash, logged_values
from .migrations import Migration, migrate

log = logging.getLogger(__name__)

MIGRATIONS = (  # bot/migrations.py: applied once each, in order; never edited once released
    Migration("001_side_tables", (
        "CREATE TABLE IF NOT EXISTS busan_bot_key (one boolean PRIMARY KEY DEFAULT true CHECK (one), key bytea NOT NULL)",
        "CREATE TABLE IF NOT EXISTS busan_bot_votes (answer text NOT NULL, user_hash text NOT NULL, "
        "time double precision NOT NULL, question text NOT NULL, passage_ids text NOT NULL, vote int NOT NULL, "
        "PRIMARY KEY (answer, user_hash))",
        "CREATE TABLE IF NOT EXISTS busan_bot_questions (time double precision NOT NULL, user_hash text NOT NULL, "
        "answered boolean NOT NULL)",
        "CREATE TABLE IF NOT EXISTS busan_bot_buttons (answer text PRIMARY KEY, time double precision NOT NULL, "
        "question text NOT NULL, lang text NOT NULL, shown int NOT NULL, passage_ids text NOT NULL)",
        "CREATE INDEX IF NOT EXISTS busan_bot_buttons_time ON busan_bot_buttons (time)",
        "CREATE TABLE IF NOT EXISTS busan_bot_rate (user_hash text PRIMARY KEY, times double precision[] NOT NULL, "
        "allowed boolean NOT NULL)")),
    Migration("002_question_log",
              columns=tuple(("busan_bot_questions", column, kind) for column, kind in QUESTION_LOG)),
    Migration("003_question_embeddings", columns=(("busan_bot_questions", "vector", "bytea"),)),
    # Made by each store when it opened, before: two replicas starting together could both try
    # to create one (PostgreSQL's CREATE TABLE IF NOT EXISTS is no guard against a race).
    Migration("004_conversations_and_updates", (
        "CREATE TABLE IF NOT EXISTS busan_bot_conversations (key text PRIMARY KEY, time double precision NOT NULL, "
        "state text NOT NULL)",
        "CREATE TABLE IF NOT EXISTS busan_bot_updates (update_id bigint PRIMARY KEY, "
        "time double precision NOT NULL, body text NOT NULL)")),
)


def _columns(conn, table: str) -> set[str]:
    return {row[0] for row in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = %s",
        (table,)).fetchall()}


def ensure_schema(db) -> bytes:
    """The tables, once per database, and the key user ids are hashed with: random, made by
    whichever replica comes first, then shared (the same user has the same hash everywhere)."""
    with db.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('busan-bot schema'))")
        migrate(conn, MIGRATIONS, _columns, placeholder="%s")
        conn.execute("INSERT INTO busan_bot_key (key) VALUES (%s) ON CONFLICT DO NOTHING",
                     (secrets.token_bytes(32),))
        return bytes(conn.execute("SELECT key FROM busan_bot_key").fetchone()[0])


class PgFeedbackStore:
    """Questions, votes (one per user per answer) and button state in PostgreSQL."""

    def __init__(self, db, log_days: float = 30):
        self.db = db
        self.key = ensure_schema(db)
        self.log_days = log_days
        self._logged = 0

    def user_hash(self, user_id: int) -> str:
        return keyed_hash(self.key, str(user_id))

    def _execute(self, sql: str, params) -> None:
        with self.db.connection() as conn:
            conn.execute(sql, params)

    def question(self, user_id: int, answered: bool, logged: Logged | None = None) -> None:
        self._execute("INSERT INTO busan_bot_questions (time, user_hash, answered, answer, question, lang, status, "
                      "confidence, passage_ids, vector) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                      (time.time(), self.user_hash(user_id), answered, *logged_values(logged, self.log_days)))
        self._logged += 1
        if self._logged % PRUNE_EVERY == 0:
            self._execute("UPDATE busan_bot_questions SET question = NULL, passage_ids = NULL, vector = NULL "
                          "WHERE time < %s AND question IS NOT NULL", (time.time() - self.log_days * 86400,))

    def logged_since(self, since: float) -> list[tuple]:
        """As ``FeedbackStore.logged_since``."""
        return self.db.rows(
            "SELECT q.time, q.question, q.lang, coalesce(q.status, CASE WHEN q.answered THEN 'answered' "
            "ELSE 'no_answer' END), q.confidence, q.passage_ids, "
            "count(v.vote) FILTER (WHERE v.vote > 0), count(v.vote) FILTER (WHERE v.vote < 0), q.vector "
            "FROM busan_bot_questions q LEFT JOIN busan_bot_votes v ON v.answer = q.answer "
            "WHERE q.time >= %s GROUP BY q.ctid, q.time, q.question, q.lang, q.status, q.answered, q.confidence, "
            "q.passage_ids, q.vector ORDER BY q.time", (since,))

    def vote(self, user_id: int, answer: str, question: str, passage_ids: list[str], vote: int) -> None:
        self._execute("INSERT INTO busan_bot_votes VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (answer, user_hash) "
                      "DO UPDATE SET time = excluded.time, vote = excluded.vote",
                      (answer, self.user_hash(user_id), time.time(), question, ",".join(passage_ids), vote))

    def remember(self, key: str, asked: Asked) -> None:
        with self.db.connection() as conn, conn.transaction():
            conn.execute("INSERT INTO busan_bot_buttons VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (answer) DO "
                         "UPDATE SET time = excluded.time, shown = GREATEST(busan_bot_buttons.shown, excluded.shown), "
                         "passage_ids = excluded.passage_ids",
                         (key, time.time(), asked.question, asked.lang, asked.shown, ",".join(asked.passage_ids)))
            conn.execute("DELETE FROM busan_bot_buttons WHERE time < %s", (time.time() - BUTTONS_KEPT_S,))

    def claim_page(self, key: str, k: int) -> int | None:
        """As ``FeedbackStore.claim_page``; one statement, so two replicas never claim one page."""
        found = self.db.rows("UPDATE busan_bot_buttons SET shown = shown + %s WHERE answer = %s RETURNING shown - %s",
                             (k, key, k))
        return found[0][0] if found else None

    def recall(self, key: str) -> Asked | None:
        found = self.db.rows("SELECT question, lang, shown, passage_ids FROM busan_bot_buttons WHERE answer = %s",
                             (key,))
        if not found:
            return None
        question, lang, shown, ids = found[0]
        return Asked(question, lang, None, [p for p in ids.split(",") if p], shown)

    def stats(self) -> dict[str, int]:
        (asked, answered), = self.db.rows("SELECT count(*), count(*) FILTER (WHERE answered) FROM busan_bot_questions")
        (up, down), = self.db.rows("SELECT count(*) FILTER (WHERE vote > 0), count(*) FILTER (WHERE vote < 0) "
                                   "FROM busan_bot_votes")
        return {"questions": asked, "answered": answered, "up": up, "down": down}


class PgRateLimiter:
    """At most ``limit`` questions (and button presses) per user in any ``window`` seconds,
    counted across replicas: one statement per check, atomic under concurrent replicas."""

    SWEEP_EVERY = 1000  # checks between removals of users idle for a whole window
    instant = False  # a database round trip: checked in a thread

    def __init__(self, db, limit: int, window: float = 60.0, clock=time.time):
        self.db, self.limit, self.window, self.clock = db, limit, window, clock
        self.key = ensure_schema(db)
        self._checks = 0

    def check(self, user_id: int) -> float:
        """0 if the user may ask now, else the seconds to wait."""
        now = self.clock()
        self._checks += 1
        user = keyed_hash(self.key, str(user_id))
        with self.db.connection() as conn:
            if self._checks % self.SWEEP_EVERY == 0:
                conn.execute("DELETE FROM busan_bot_rate WHERE times[cardinality(times)] <= %s", (now - self.window,))
            allowed, times = conn.execute(
                "INSERT INTO busan_bot_rate AS r VALUES (%(u)s, ARRAY[%(now)s::float8], true) "
                "ON CONFLICT (user_hash) DO UPDATE SET "
                "allowed = (SELECT count(*) < %(limit)s FROM unnest(r.times) AS t WHERE t > %(since)s), "
                "times = (SELECT CASE WHEN count(t) >= %(limit)s THEN array_agg(t ORDER BY t) "
                "ELSE coalesce(array_agg(t ORDER BY t), '{}') || %(now)s::float8 END "
                "FROM unnest(r.times) AS t WHERE t > %(since)s) RETURNING allowed, times",
                {"u": user, "now": now, "limit": self.limit, "since": now - self.window}).fetchone()
        if allowed:
            return 0.0
        return max(self.window - (now - times[0]), 0.001)

    def __len__(self) -> int:
        return self.db.rows("SELECT count(*) FROM busan_bot_rate")[0][0]
