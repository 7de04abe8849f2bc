"""Updates accepted but not yet answered, written down before Telegram is told they arrived.

In webhook mode PTB answers Telegram's POST with 200 as soon as the update is in the queue, and
Telegram never sends an acknowledged update again: a bot killed between the 200 and its reply
lost the question. Here the queue writes each update to a journal before it takes it (so the
200 follows the write), and a handler run after all the others removes it once handled. A bot
that starts finds what a dead one left: the local bot every row (nobody else writes its file),
replicas on PostgreSQL the rows older than ``CLAIM_AFTER_S`` (a live replica answers in far
less), each claimed by one replica only (``DELETE ... RETURNING``), at start and every
``REPLAY_EVERY_S`` while they run (a replica may die while the others go on). Polling mode goes through
the same queue.

What is not covered: an update whose journal write fails (the database is down) is still
answered when possible, without the guarantee; a replayed update whose reply had gone out just
before the crash is answered twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time
from pathlib import Path

from telegram import Update

from .shared_state import ensure_schema

log = logging.getLogger(__name__)
CLAIM_AFTER_S = 60.0  # an update this old in a shared journal was left by a replica that died


class SqliteJournal:
    shared = False  # one bot per file: what it holds at start was left by the one before

    def __init__(self, path: Path, timeout: float = 2.0):
        self.lock = threading.Lock()
        self.db = sqlite3.connect(str(path), check_same_thread=False, timeout=timeout)
        self.db.execute("PRAGMA journal_mode=WAL")
        with self.db:
            self.db.execute("CREATE TABLE IF NOT EXISTS updates (update_id INTEGER PRIMARY KEY, time REAL, body TEXT)")

    def add(self, update_id: int, body: str) -> None:
        with self.lock, self.db:
            self.db.execute("INSERT OR REPLACE INTO updates VALUES (?, ?, ?)", (update_id, time.time(), body))

    def done(self, update_id: int) -> None:
        with self.lock, self.db:
            self.db.execute("DELETE FROM updates WHERE update_id = ?", (update_id,))

    def claim_left_over(self) -> list[str]:
        """Every update in the file: at start, nobody else answers from it."""
        with self.lock, self.db:
            rows = self.db.execute("SELECT body FROM updates ORDER BY update_id").fetchall()
            self.db.execute("DELETE FROM updates")
        return [r[0] for r in rows]


class PgJournal:
    shared = True  # replicas: a dead one's updates are claimed by the live ones while they run

    def __init__(self, db):
        self.db = db
        ensure_schema(db)  # the tables, made once under a lock however many replicas start together

    def add(self, update_id: int, body: str) -> None:
        with self.db.connection() as conn:
            conn.execute("INSERT INTO busan_bot_updates VALUES (%s, %s, %s) ON CONFLICT (update_id) DO NOTHING",
                         (update_id, time.time(), body))

    def done(self, update_id: int) -> None:
        with self.db.connection() as conn:
            conn.execute("DELETE FROM busan_bot_updates WHERE update_id = %s", (update_id,))

    def claim_left_over(self) -> list[str]:
        """Updates older than CLAIM_AFTER_S, each taken by one replica only."""
        rows = self.db.rows("DELETE FROM busan_bot_updates WHERE time < %s RETURNING update_id, body",
                            (time.time() - CLAIM_AFTER_S,))
        return [body for _, body in sorted(rows)]


class JournalQueue(asyncio.Queue):
    """The application's update queue: an update is journaled before it is taken."""

    def __init__(self, journal):
        super().__init__()
        self.journal = journal

    async def put(self, item) -> None:
        if isinstance(item, Update):
            try:
                body = json.dumps(item.to_dict(), ensure_ascii=False)
                await asyncio.get_running_loop().run_in_executor(None, self.journal.add, item.update_id, body)
            except Exception as exc:  # noqa: BLE001 - answered all the same, only not kept against a crash
                log.warning("could not journal update %s (%s); answering it without that guarantee",
                            item.update_id, exc)
        await super().put(item)


async def mark_done(update: object, context) -> None:
    """Run after every other handler of an update (the last group): it has been answered."""
    if isinstance(update, Update):
        journal = context.application.bot_data.journal
        try:
            await asyncio.get_running_loop().run_in_executor(None, journal.done, update.update_id)
        except Exception as exc:  # noqa: BLE001 - a left-over row is answered again at the next start
            log.warning("could not mark update %s answered (%s)", update.update_id, exc)


REPLAY_EVERY_S = 30.0  # replicas look for updates a dead one left this often


async def keep_replaying(application) -> None:
    """Replicas: a replica that died while the others run leaves updates no start will see."""
    while True:
        await asyncio.sleep(REPLAY_EVERY_S)
        await replay_left_over(application)


async def replay_left_over(application) -> int:
    """Queue the updates a bot that stopped had accepted and not answered; how many."""
    journal = application.bot_data.journal
    try:
        bodies = await asyncio.get_running_loop().run_in_executor(None, journal.claim_left_over)
    except Exception as exc:  # noqa: BLE001 - the bot starts all the same
        log.warning("could not read the update journal (%s)", exc)
        return 0
    for body in bodies:
        update = Update.de_json(json.loads(body), application.bot)
        await application.update_queue.put(update)
    if bodies:
        log.warning("answering %d update(s) accepted before a stop and not answered then", len(bodies))
    return len(bodies)
