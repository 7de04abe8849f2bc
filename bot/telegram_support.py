"""The Telegram front end's parts that are not handlers: the token's safety, rate limits,
feedback storage, recent answers (for the buttons) and riding out Bot API faults."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import re
import secrets
import sqlite3
import threading
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path

from telegram.error import BadRequest, NetworkError, RetryAfter

from retrieval.answer import Cursor
from retrieval.errors import ConfigError

from .telegram_render import plain_text

log = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
MAX_ATTEMPTS = 6


def read_token() -> str:
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set (get a token from @BotFather)")
    if not TOKEN_RE.match(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN is malformed (expected digits, a colon and 30+ letters)")
    return token


class TokenFilter(logging.Filter):
    """Masks the bot token in every log line (URLs of the Bot API contain it)."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = ()
        if record.exc_info and record.exc_info[1] is not None and self.token in str(record.exc_info[1]):
            record.exc_text = logging.Formatter().formatException(record.exc_info).replace(self.token, "<token>")
        return True


class RateLimiter:
    """At most ``limit`` questions (and button presses) per user in any ``window`` seconds.

    Users idle for a whole window are forgotten, so memory follows the active users only."""

    SWEEP_EVERY = 1000  # checks between sweeps of idle users

    def __init__(self, limit: int, window: float = 60.0, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self.seen: dict[int, deque] = {}
        self._checks = 0

    def check(self, user_id: int) -> float:
        """0 if the user may ask now, else the seconds to wait."""
        now = self.clock()
        self._checks += 1
        if self._checks % self.SWEEP_EVERY == 0:
            self.seen = {u: q for u, q in self.seen.items() if q and now - q[-1] < self.window}
        q = self.seen.setdefault(user_id, deque())
        while q and now - q[0] >= self.window:
            q.popleft()
        if len(q) >= self.limit:
            return self.window - (now - q[0])
        q.append(now)
        return 0.0

    def __len__(self) -> int:
        return len(self.seen)


class Typing:
    """When to show "typing…" in a chat. Telegram shows it for 5 s (or until the reply), so a
    chat that sends several questions at once gets it once, not once per question: under a
    burst each Bot API call costs the event loop as much as the reply itself."""

    EVERY_S = 4.0

    def __init__(self, clock=time.monotonic, size: int = 10_000):
        self.clock, self.size = clock, size
        self.last: dict[int, float] = {}

    def due(self, chat_id: int) -> bool:
        now = self.clock()
        if now - self.last.get(chat_id, -self.EVERY_S) < self.EVERY_S:
            return False
        self.last[chat_id] = now
        if len(self.last) > self.size:
            self.last = {c: t for c, t in self.last.items() if now - t < self.EVERY_S}
        return True


def _private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only (0600), or make it so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)


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


LOG_COLUMNS = (("answer", "TEXT"), ("question", "TEXT"), ("lang", "TEXT"), ("status", "TEXT"),
               ("confidence", "REAL"), ("passage_ids", "TEXT"))
PRUNE_EVERY = 500  # questions logged between removals of texts older than log_days


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
            self.db.execute("CREATE TABLE IF NOT EXISTS feedback (time REAL, question TEXT, passage_ids TEXT, "
                            "user_hash TEXT, vote INTEGER)")  # votes before one-per-answer; still counted
            self.db.execute("CREATE TABLE IF NOT EXISTS votes (answer TEXT, user_hash TEXT, time REAL, question TEXT, "
                            "passage_ids TEXT, vote INTEGER, PRIMARY KEY (answer, user_hash))")
            self.db.execute("CREATE TABLE IF NOT EXISTS questions (time REAL, user_hash TEXT, answered INTEGER)")
            have = {row[1] for row in self.db.execute("PRAGMA table_info(questions)")}
            for column, kind in LOG_COLUMNS:  # a database from before the question log, upgraded in place
                if column not in have:
                    self.db.execute(f"ALTER TABLE questions ADD COLUMN {column} {kind}")
            # What an answer's buttons act on, so that they still work after a restart.
            self.db.execute("CREATE TABLE IF NOT EXISTS buttons (answer TEXT PRIMARY KEY, time REAL, question TEXT, "
                            "lang TEXT, shown INTEGER, passage_ids TEXT)")

    def user_hash(self, user_id: int) -> str:
        return hmac.new(self.key, str(user_id).encode(), hashlib.sha256).hexdigest()[:24]

    def question(self, user_id: int, answered: bool, logged: Logged | None = None) -> None:
        values = logged_values(logged, self.log_days)
        with self.lock, self.db:
            self.db.execute("INSERT INTO questions (time, user_hash, answered, answer, question, lang, status, "
                            "confidence, passage_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (time.time(), self.user_hash(user_id), int(answered), *values))
            self._logged += 1
            if self._logged % PRUNE_EVERY == 0:
                self.db.execute("UPDATE questions SET question = NULL, passage_ids = NULL WHERE time < ? "
                                "AND question IS NOT NULL", (time.time() - self.log_days * 86400,))

    def logged_since(self, since: float) -> list[tuple]:
        """(time, question, lang, status, confidence, passage_ids, votes up, votes down) of every
        question logged since ``since``; the question None when only counted."""
        with self.lock:
            return self.db.execute(
                "SELECT q.time, q.question, q.lang, coalesce(q.status, CASE WHEN q.answered THEN 'answered' "
                "ELSE 'no_answer' END), q.confidence, q.passage_ids, "
                "coalesce(sum(v.vote > 0), 0), coalesce(sum(v.vote < 0), 0) FROM questions q "
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
    """The question log's columns: the text and what was shown only while texts are kept."""
    if logged is None:
        return (None,) * len(LOG_COLUMNS)
    keep = log_days > 0
    return (logged.answer, logged.question if keep else None, logged.lang, logged.status,
            round(logged.confidence, 4), ",".join(logged.passage_ids) if keep else None)


@dataclass
class Asked:
    """An answer still on screen: what its buttons act on."""

    question: str
    lang: str
    cursor: Cursor | None  # where "more" goes on from; None when recalled after a restart
    passage_ids: list[str]
    shown: int = 0  # passages shown so far


class Recent(OrderedDict):
    """Recent questions by short id, bounded so memory stays flat."""

    def __init__(self, size: int = 5000):
        super().__init__()
        self.size = size

    def add(self, asked: Asked) -> str:
        key = uuid.uuid4().hex[:10]
        self[key] = asked
        while len(self) > self.size:
            self.popitem(last=False)
        return key


def _seconds(retry_after) -> float:
    return retry_after.total_seconds() if hasattr(retry_after, "total_seconds") else float(retry_after)


async def deliver(call, *args, **kwargs):
    """Call the Bot API, riding out Telegram-side trouble instead of losing the reply.

    429: wait ``retry_after`` and retry. 5xx and network errors: retry with backoff.
    "Can't parse entities": resend as plain text.
    """
    delay = 0.5
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return await call(*args, **kwargs)
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            log.warning("Telegram asked to slow down; retrying in %.1f s", wait)
            await asyncio.sleep(wait)
        except BadRequest as exc:
            if "can't parse entities" in str(exc).lower() and kwargs.get("parse_mode"):
                log.warning("Telegram could not parse our HTML (%s); sending plain text", exc)
                kwargs = dict(kwargs, parse_mode=None, text=plain_text(kwargs["text"]))
                continue
            raise
        except NetworkError as exc:  # includes timeouts and 5xx
            if attempt == MAX_ATTEMPTS:
                raise
            log.warning("Bot API call failed (%s); retry %d in %.1f s", exc, attempt, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 8.0)
    raise NetworkError("Bot API kept failing")
