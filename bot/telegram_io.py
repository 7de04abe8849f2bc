"""What the Telegram handlers share: the application's state, replies, the thread pools that
keep work off the event loop, and calling the side stores from it (in their own thread, retried
while locked: ``side_stores.patiently``; never at the cost of an answer)."""

from __future__ import annotations

import asyncio
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ContextTypes

from .side_stores import STATE_ERRORS, Feedback, Journal, RateLimits, patiently
from .telegram_render import split_message, t
from .telegram_support import Recent, Typing, deliver

log = logging.getLogger(__name__)


@dataclass
class BotState:
    """``application.bot_data``, typed (PTB's ``ContextTypes(bot_data=...)``, as in its
    contexttypesbot.py example): what every handler shares. PTB makes it with no arguments;
    ``build_application`` fills it in before the first update."""

    engine: Any = None  # retrieval.engine.Engine: swapped whole by /reload
    executor: ThreadPoolExecutor | None = None  # retrieval, off the event loop
    side_executor: ThreadPoolExecutor | None = None  # the side stores: one thread, writes in order
    reload_executor: ThreadPoolExecutor | None = None  # index builds
    feedback: Feedback | None = None
    limiter: RateLimits | None = None
    journal: Journal | None = None
    recent: Recent = field(default_factory=Recent)  # button state of recent answers, before the database
    typing: Typing = field(default_factory=Typing)
    admins: frozenset[int] = frozenset()
    log_days: float = 30  # said in /about
    reloading: bool = False
    replaying: asyncio.Task | None = None  # replicas: claiming updates a dead one left


CONTEXT_TYPES = ContextTypes(bot_data=BotState)


def state_of(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    return context.application.bot_data


def engine_of(context: ContextTypes.DEFAULT_TYPE):
    return context.application.bot_data.engine


async def reply(update: Update, context, html: str, markup=None, quote: bool = True) -> None:
    message = update.effective_message
    chunks = split_message(html)
    for i, chunk in enumerate(chunks):
        await deliver(
            context.bot.send_message, chat_id=message.chat_id, text=chunk, parse_mode=ParseMode.HTML,
            reply_markup=markup if i == len(chunks) - 1 else None,
            reply_to_message_id=message.message_id if quote and i == 0 else None,
            allow_sending_without_reply=True,
        )


def answer_markup(key: str, lang: str, more: bool) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton(t(lang, "more"), callback_data=f"more:{key}")] if more else []
    row += [InlineKeyboardButton("👍", callback_data=f"up:{key}"), InlineKeyboardButton("👎", callback_data=f"down:{key}")]
    return InlineKeyboardMarkup([row])


async def run(context, func, *args, pool: str = "executor"):
    """``func`` in a thread of ``pool``: "executor" (retrieval), "side_executor" (feedback
    database) or "reload_executor" (index builds), never on the event loop."""
    return await asyncio.get_running_loop().run_in_executor(getattr(state_of(context), pool), func, *args)


def write(context, func, *args) -> None:
    """A side-store write (a question, a vote, button state) queued to its own thread and not
    waited for: the reply goes out at once. Retried while the database is locked; one that
    stays locked or full costs that record, logged, never the answer. Queued writes are
    finished before the bot stops (post_shutdown)."""
    def attempt():
        try:
            patiently(func, *args)
        except STATE_ERRORS as exc:
            log.warning("feedback store: %s failed: %s", getattr(func, "__name__", "write"), exc)

    state_of(context).side_executor.submit(attempt)


RECALL_AGAIN_S = 0.5  # a button pressed before its answer's state was written: looked up once more after this


async def read(context, func, *args):
    """A side-store read (button state after a restart, /stats) off the event loop; None when
    the database cannot answer now."""
    try:
        return await run(context, func, *args, pool="side_executor")
    except STATE_ERRORS as exc:
        log.warning("feedback store: %s failed: %s", getattr(func, "__name__", "read"), exc)
        return None


async def limit(context, user_id: int) -> float:
    """Seconds the user must wait (0: go ahead). The shared limiter of replicas asks the
    database, off the event loop; if the database cannot answer, the question goes through."""
    limiter = state_of(context).limiter
    if limiter.instant:  # in memory: microseconds
        return limiter.check(user_id)
    try:
        return await run(context, limiter.check, user_id)
    except STATE_ERRORS as exc:
        log.warning("rate limiter: %s; letting the question through", exc)
        return 0.0


def addressed(update: Update, context) -> tuple[bool, str]:
    """Whether a message is for us, and its text without our @mention."""
    message = update.effective_message
    text = message.text or message.caption or ""
    if message.chat.type == ChatType.PRIVATE:
        return True, text
    username = context.bot.username or ""
    replied = message.reply_to_message and message.reply_to_message.from_user \
        and message.reply_to_message.from_user.id == context.bot.id
    # The whole username only: "@busan_botnik" is another bot, not "@busan_bot" (usernames are
    # letters, digits and underscores).
    mention = re.compile(rf"@{re.escape(username)}(?!\w)", re.IGNORECASE)
    if username and mention.search(text):
        return True, mention.sub(" ", text).strip()
    return bool(replied), text
