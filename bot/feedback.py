"""The bot's feedback store in SQLite: questions (the question log) and 👍/👎 votes, user ids
only as keyed hashes, and the state of the buttons under recent answers (``Asked``), so a press
after a restart still works. The PostgreSQL twin for replicas: ``shared_state.py``."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from retrieval.answer import Cursor

from .migrations import Migration, migrate

log = logging.getLogger(__name__)


def _private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only (0600), or make it so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)


def keyed_hash(key: bytes, text: str, size: int = 24) -> str:
    """A user, chat or conversation id as an HMAC-SHA256 with the bot's key: one id gives one
    hash in every store of a bot (SQLite or PostgreSQL), and the hash does not give the id back."""
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:size]


def _hash_key(path: Path) -> bytes:
    """The random key user ids are hashed with, made once and kept beside the database (0600):
    not the bot token, so rotating the token keeps the hashes."""
    if not path.exists():
        _private_file(path)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip().encode()


@dataclass(frozen=True)
class Logged:
    """What the question log keeps of one question (its text only for ``log_days``)."""

    answer: str  # the key its buttons (and votes) carry
    question: str  # as understood: a follow-up written out
    lang: str
    status: str  # answered, uncertain or no_answer
    confidence: float
    passage_ids: tuple[str, ...]  # shown, best first
    vector: bytes | None = None  # the question's embedding (float16), so `report` groups without the model


# The question log's columns (migration 002 of both stores; SQLite and PostgreSQL read the types alike),
# then the question's embedding (003): what ``logged_values`` gives, in order.
QUESTION_LOG = (("answer", "text"), ("question", "text"), ("lang", "text"), ("status", "text"),
                ("confidence", "real"), ("passage_ids", "text"))
LOG_COLUMNS = (*(column for column, _ in QUESTION_LOG), "vector")
PRUNE_EVERY = 500  # questions logged between removals of texts older than log_days
MIGRATIONS = (  # bot/migrations.py: applied once each, in order; never edited once released
    Migration("001_feedback_tables", (
        "CREATE TABLE IF NOT EXISTS feedback (time REAL, question TEXT, passage_ids TEXT, user_hash TEXT, "
        "vote INTEGER)",  # votes before one-per-answer; still counted
        "CREATE TABLE IF NOT EXISTS votes (answer TEXT, user_hash TEXT, time REAL, question TEXT, passage_ids TEXT, "
        "vote INTEGER, PRIMARY KEY (answer, user_hash))",
        "CREATE TABLE IF NOT EXISTS questions (time REAL, user_hash TEXT, answered INTEGER)",
        # what an answer's buttons act on, so that they still work after a restart
        "CREATE TABLE IF NOT EXISTS buttons (answer TEXT PRIMARY KEY, time REAL, question TEXT, lang TEXT, "
        "shown INTEGER, passage_ids TEXT)")),
    Migration("002_question_log", columns=tuple(("questions", column, kind) for column, kind in QUESTION_LOG)),
    Migration("003_question_embeddings", columns=(("questions", "vector", "BLOB"),)),
)


def _columns(db, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


class FeedbackStore:
    """Questions and 👍/👎 votes in SQLite; user ids only as keyed hashes; one vote per user per
    answer (a new press replaces the old). Writes wait at most ``timeout`` seconds for a lock:
    callers run them off the event loop and an error costs the record, never the answer.

    The question log: each question's text as understood, language, status, confidence and the
    paragraphs shown, kept ``log_days`` (0: counts only, no text) and then reduced to counts."""

    def __init__(self, path: Path, timeout: float = 0.5, log_days: float = 30):
        self.log_days = log_days
        self._logged = 0
        _private_file(path)
        self.key = _hash_key(path.with_name(path.name + ".key"))
        self.lock = threading.Lock()
        self.db = sqlite3.connect(str(path), check_same_thread=False, timeout=timeout)
        # WAL: readers never wait for the writer, and a commit is not an fsync (synchronous
        # NORMAL: the last votes may be lost to a power cut, never to a crash of the bot).
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        with self.db:
            migrate(self.db, MIGRATIONS, _columns)

    def user_hash(self, user_id: int) -> str:
        return keyed_hash(self.key, str(user_id))

    def question(self, user_id: int, answered: bool, logged: Logged | None = None) -> None:
        values = logged_values(logged, self.log_days)
        with self.lock, self.db:
            self.db.execute("INSERT INTO questions (time, user_hash, answered, answer, question, lang, status, "
                            "confidence, passage_ids, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (time.time(), self.user_hash(user_id), int(answered), *values))
            self._logged += 1
            if self._logged % PRUNE_EVERY == 0:
                self.db.execute("UPDATE questions SET question = NULL, passage_ids = NULL, vector = NULL "
                                "WHERE time < ? AND question IS NOT NULL", (time.time() - self.log_days * 86400,))

    def logged_since(self, since: float) -> list[tuple]:
        """(time, question, lang, status, confidence, passage_ids, votes up, votes down, vector) of
        every question logged since ``since``; the question None when only counted."""
        with self.lock:
            return self.db.execute(
                "SELECT q.time, q.question, q.lang, coalesce(q.status, CASE WHEN q.answered THEN 'answered' "
                "ELSE 'no_answer' END), q.confidence, q.passage_ids, "
                "coalesce(sum(v.vote > 0), 0), coalesce(sum(v.vote < 0), 0), q.vector FROM questions q "
                "LEFT JOIN votes v ON v.answer = q.answer WHERE q.time >= ? GROUP BY q.rowid ORDER BY q.time",
                (since,)).fetchall()

    def vote(self, user_id: int, answer: str, question: str, passage_ids: list[str], vote: int) -> None:
        with self.lock, self.db:
            self.db.execute(
                "INSERT INTO votes VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (answer, user_hash) DO UPDATE "
                "SET time = excluded.time, vote = excluded.vote",
                (answer, self.user_hash(user_id), time.time(), question, ",".join(passage_ids), vote))

    def remember(self, key: str, asked: "Asked") -> None:
        with self.lock, self.db:
            self.db.execute("INSERT INTO buttons VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (answer) DO UPDATE SET "
                            "time = excluded.time, shown = max(shown, excluded.shown), passage_ids = excluded.passage_ids",
                            (key, time.time(), asked.question, asked.lang, asked.shown, ",".join(asked.passage_ids)))
            # Telegram lets a bot edit or act on its messages for 48 hours: older buttons go.
            self.db.execute("DELETE FROM buttons WHERE time < ?", (time.time() - BUTTONS_KEPT_S,))

    def claim_page(self, key: str, k: int) -> int | None:
        """The passages of answer ``key`` already shown, counting ``k`` more as shown from now:
        the offset of the page to send (None: no such answer written down yet)."""
        with self.lock, self.db:
            row = self.db.execute("UPDATE buttons SET shown = shown + ? WHERE answer = ? RETURNING shown - ?",
                                  (k, key, k)).fetchone()
        return row[0] if row else None

    def recall(self, key: str) -> "Asked | None":
        with self.lock:
            row = self.db.execute("SELECT question, lang, shown, passage_ids FROM buttons WHERE answer = ?",
                                  (key,)).fetchone()
        if row is None:
            return None
        return Asked(row[0], row[1], None, [p for p in row[3].split(",") if p], row[2])

    def stats(self) -> dict[str, int]:
        with self.lock:
            asked, answered = self.db.execute("SELECT COUNT(*), COALESCE(SUM(answered), 0) FROM questions").fetchone()
            up, down = self.db.execute(
                "SELECT COALESCE(SUM(vote > 0), 0), COALESCE(SUM(vote < 0), 0) FROM "
                "(SELECT vote FROM feedback UNION ALL SELECT vote FROM votes)").fetchone()
        return {"questions": asked, "answered": answered, "up": up, "down": down}


BUTTONS_KEPT_S = 7 * 24 * 3600


def logged_values(logged: Logged | None, log_days: float) -> tuple:
    """The question log's columns: the text, what was shown and the text's embedding only while
    texts are kept."""
    if logged is None:
        return (None,) * len(LOG_COLUMNS)
    keep = log_days > 0
    return (logged.answer, logged.question if keep else None, logged.lang, logged.status,
            round(logged.confidence, 4), ",".join(logged.passage_ids) if keep else None,
            logged.vector if keep else None)


def log_vector(vector) -> bytes | None:
    """A question's embedding as the log keeps it: float16 bytes (768 for e5-small)."""
    import numpy as np

    return None if vector is None else np.asarray(vector, dtype=np.float16).tobytes()


@dataclass
class Asked:
    """An answer still on screen: what its buttons act on."""

    question: str
    lang: str
    cursor: Cursor | None  # where "more" goes on from; None when recalled after a restart
    passage_ids: list[str]
    shown: int = 0  # passages shown so far
