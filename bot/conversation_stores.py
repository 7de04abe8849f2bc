"""Where the Telegram bot keeps conversations between turns, so a follow-up is understood after
a restart (SQLite, beside the feedback) and by whichever replica it reaches (PostgreSQL, with
``store = "postgres"``). Same methods as ``retrieval.memory.MemoryConversations``; the
tests run one contract suite over the three.

Chat and user ids are stored only as keyed hashes; a conversation is deleted once it has been
quiet for ``kept_s`` (the engine forgets it then anyway).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from retrieval.memory import Conversation

from .feedback import keyed_hash
from .shared_state import ensure_schema

SWEEP_EVERY = 200  # saves between removals of conversations quiet for longer than kept_s


def _hashed(key: bytes, conversation: str) -> str:
    return keyed_hash(key, conversation, 32)


class SqliteConversations:
    def __init__(self, path: Path, key: bytes, kept_s: float, timeout: float = 2.0):
        self.key, self.kept_s = key, kept_s
        self.lock = threading.Lock()
        self.db = sqlite3.connect(str(path), check_same_thread=False, timeout=timeout)
        self.db.execute("PRAGMA journal_mode=WAL")
        self._saves = 0
        with self.db:
            self.db.execute("CREATE TABLE IF NOT EXISTS conversations (key TEXT PRIMARY KEY, time REAL, state TEXT)")

    def load(self, conversation: str) -> Conversation | None:
        with self.lock:
            row = self.db.execute("SELECT state FROM conversations WHERE key = ?",
                                  (_hashed(self.key, conversation),)).fetchone()
        return Conversation.from_json(json.loads(row[0])) if row else None

    def save(self, conversation: str, state: Conversation) -> None:
        with self.lock, self.db:
            self.db.execute("INSERT OR REPLACE INTO conversations VALUES (?, ?, ?)",
                            (_hashed(self.key, conversation), time.time(),
                             json.dumps(state.to_json(), ensure_ascii=False)))
            self._saves += 1
            if self._saves % SWEEP_EVERY == 0:
                self.db.execute("DELETE FROM conversations WHERE time < ?", (time.time() - self.kept_s,))

    def forget(self, conversation: str) -> None:
        with self.lock, self.db:
            self.db.execute("DELETE FROM conversations WHERE key = ?", (_hashed(self.key, conversation),))


class PgConversations:
    """Shared by the replicas of one bot: a turn that reaches another replica is read with the
    same conversation. One statement per load or save."""

    def __init__(self, db, key: bytes, kept_s: float):
        self.db, self.key, self.kept_s = db, key, kept_s
        self._saves = 0
        ensure_schema(db)  # the tables, made once under a lock however many replicas start together

    def load(self, conversation: str) -> Conversation | None:
        rows = self.db.rows("SELECT state FROM busan_bot_conversations WHERE key = %s",
                            (_hashed(self.key, conversation),))
        return Conversation.from_json(json.loads(rows[0][0])) if rows else None

    def save(self, conversation: str, state: Conversation) -> None:
        self._saves += 1
        with self.db.connection() as conn:
            conn.execute("INSERT INTO busan_bot_conversations VALUES (%s, %s, %s) ON CONFLICT (key) DO UPDATE "
                         "SET time = excluded.time, state = excluded.state",
                         (_hashed(self.key, conversation), time.time(),
                          json.dumps(state.to_json(), ensure_ascii=False)))
            if self._saves % SWEEP_EVERY == 0:
                conn.execute("DELETE FROM busan_bot_conversations WHERE time < %s", (time.time() - self.kept_s,))

    def forget(self, conversation: str) -> None:
        with self.db.connection() as conn:
            conn.execute("DELETE FROM busan_bot_conversations WHERE key = %s", (_hashed(self.key, conversation),))
