"""The bot's side state behind small interfaces, and the one factory that picks its kind.

Feedback (questions and the question log, votes, button state), rate limits, conversations and
the update journal live in a local SQLite file and in memory for one bot, or in the index's
PostgreSQL database with ``store = "postgres"``, where replicas share them. The kinds: SQLite
``feedback.py``, ``conversation_stores.py``, ``update_journal.py``, ``telegram_support.RateLimiter``;
PostgreSQL ``shared_state.py`` and the ``Pg*`` twins. ``tests/contract`` runs one suite per
interface over every kind. Their errors and the rule for a store that is locked or unreachable
for now (``patiently``) are here; calling them off the event loop, never at the cost of an
answer, is ``telegram_io.write`` and ``read``.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Callable, Protocol, runtime_checkable

import psycopg

from retrieval.errors import BusanBotError, IndexError_
from retrieval.memory import ConversationStore

from .feedback import Asked, Logged


# A write that finds the feedback database locked (another process holds it) is tried again for
# this long, in the side thread: the answer has long gone out, and the vote is not lost.
LOCKED_RETRY_S = 60.0


# What the side stores raise when they cannot answer now: SQLite's, PostgreSQL's (a failed
# connection reaches us as IndexError_, a BusanBotError), the file system's.
STATE_ERRORS = (sqlite3.Error, psycopg.Error, BusanBotError, OSError)


def transient(exc: Exception) -> bool:
    """A locked SQLite file, or a database server that is unreachable for now."""
    if isinstance(exc, sqlite3.OperationalError):
        return "locked" in str(exc) or "busy" in str(exc)
    return isinstance(exc, (psycopg.OperationalError, IndexError_))


def patiently(func, *args):
    """``func(*args)``, tried again while the store is locked or unreachable, for at most
    LOCKED_RETRY_S (in a thread of its own: never on the event loop)."""
    delay, deadline = 0.2, time.monotonic() + LOCKED_RETRY_S
    while True:
        try:
            return func(*args)
        except STATE_ERRORS as exc:
            if not transient(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


@runtime_checkable
class Feedback(Protocol):
    """Questions (the question log), votes and the state of the buttons under answers."""

    key: bytes  # what user and chat ids are hashed with (``feedback.keyed_hash``)

    def user_hash(self, user_id: int) -> str: ...

    def question(self, user_id: int, answered: bool, logged: Logged | None = None) -> None: ...

    def logged_since(self, since: float) -> list[tuple]: ...

    def vote(self, user_id: int, answer: str, question: str, passage_ids: list[str], vote: int) -> None: ...

    def remember(self, key: str, asked: Asked) -> None: ...

    def claim_page(self, key: str, k: int) -> int | None: ...

    def recall(self, key: str) -> Asked | None: ...

    def stats(self) -> dict[str, int]: ...


@runtime_checkable
class RateLimits(Protocol):
    instant: bool  # answers without I/O (in memory): called on the event loop, not in a thread

    def check(self, user_id: int) -> float:
        """0 when ``user_id`` may ask now, else the seconds until they may."""


@runtime_checkable
class Journal(Protocol):
    """Updates accepted from Telegram and not yet answered (replayed after a stop)."""

    shared: bool  # replicas write to it: a dead one's updates are claimed while the others run

    def add(self, update_id: int, body: str) -> None: ...

    def done(self, update_id: int) -> None: ...

    def claim_left_over(self) -> list[str]: ...


@dataclass(frozen=True)
class SideStores:
    feedback: Feedback
    limiter: RateLimits
    conversations: ConversationStore
    journal: Journal


def _local_feedback(settings, telegram, existing: bool) -> Feedback:
    from .feedback import FeedbackStore

    if existing and not telegram.feedback_db.exists():
        raise BusanBotError(f"no question log at {telegram.feedback_db} yet: the Telegram bot writes it "
                            "(setting [telegram] feedback_db)")
    return FeedbackStore(telegram.feedback_db, log_days=telegram.question_log_days)


def _local_rest(settings, telegram, feedback: Feedback) -> tuple[RateLimits, ConversationStore, Journal]:
    from .conversation_stores import SqliteConversations
    from .telegram_support import RateLimiter
    from .update_journal import SqliteJournal

    kept = settings.conversation_minutes * 60
    return (RateLimiter(telegram.rate_limit), SqliteConversations(telegram.feedback_db, feedback.key, kept),
            SqliteJournal(telegram.feedback_db))


def _shared_feedback(settings, telegram, existing: bool) -> Feedback:
    from retrieval.store import database

    from .shared_state import PgFeedbackStore

    return PgFeedbackStore(database(settings), telegram.question_log_days)  # an empty log is an empty report


def _shared_rest(settings, telegram, feedback: Feedback) -> tuple[RateLimits, ConversationStore, Journal]:
    from retrieval.store import database

    from .conversation_stores import PgConversations
    from .shared_state import PgRateLimiter
    from .update_journal import PgJournal

    db = database(settings)  # one pool per database URL, the feedback store's
    return (PgRateLimiter(db, telegram.rate_limit), PgConversations(db, feedback.key, settings.conversation_minutes * 60),
            PgJournal(db))


# Beside the index's BACKENDS: where each backend keeps the side state (feedback, then the rest).
KINDS: dict[str, tuple[Callable, Callable]] = {
    "faiss": (_local_feedback, _local_rest),
    "postgres": (_shared_feedback, _shared_rest),
}


def open_side_stores(settings, telegram) -> SideStores:
    """Every side store of the bot, of the kind the index's ``store`` setting calls for."""
    make_feedback, make_rest = KINDS[settings.store]
    feedback = make_feedback(settings, telegram, existing=False)
    return SideStores(feedback, *make_rest(settings, telegram, feedback))


def open_feedback(settings, telegram) -> Feedback:
    """Only the feedback store, which must exist already (``report``: a log nobody wrote is an
    error, not an empty file made in passing)."""
    return KINDS[settings.store][0](settings, telegram, existing=True)
