"""The buttons under an answer: "More", 👍 and 👎 (and the reply to stale or forged ones)."""

from __future__ import annotations

import asyncio
import dataclasses
import re

from telegram import Update
from telegram.ext import ContextTypes

from .telegram_io import RECALL_AGAIN_S, answer_markup, engine_of, limit, read, reply, run, state_of, write
from .telegram_render import plain_text, render_more, t
from .feedback import Asked
from .telegram_support import deliver

# What an answer's buttons carry (``callback_data``): the action and the answer's key.
ANSWER_BUTTON = re.compile(r"^(more|up|down):([0-9a-f]{10})$")


async def on_stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await deliver(update.callback_query.answer, text=t("vi", "expired"))


async def on_answer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "More", 👍 or 👎 under an answer (given by this process, before a restart, or by a replica)."""
    query = update.callback_query
    state = state_of(context)
    action, key = context.match.groups()
    asked: Asked | None = state.recent.get(key)
    if asked is None:  # from before a restart, or another replica
        asked = await read(context, state.feedback.recall, key)
        if asked is None:  # the replica that answered may still be writing its buttons down
            await asyncio.sleep(RECALL_AGAIN_S)
            asked = await read(context, state.feedback.recall, key)
        if asked is None:
            await deliver(query.answer, text=t("vi", "expired"))
            return
        state.recent[key] = asked
    wait = await limit(context, query.from_user.id)  # presses count like questions
    if wait:
        await deliver(query.answer, text=plain_text(t(asked.lang, "rate", s=int(wait) + 1)))
        return
    if action in ("up", "down"):
        write(context, state.feedback.vote, query.from_user.id, key, asked.question, asked.passage_ids,
              1 if action == "up" else -1)
        await deliver(query.answer, text=t(asked.lang, "thanks"))
        return
    await deliver(query.answer)
    engine = engine_of(context)
    # The page is claimed before anything is awaited (the event loop runs one handler at a
    # time until it awaits): a double tap gets the next page, never the same one twice.
    k = engine.settings.top_k
    offset, cursor = asked.shown, asked.cursor
    asked.shown += k
    # Replicas: the database hands out pages too (a press on each replica at once); where the
    # answer's buttons are not written down yet, or the database is away, this process's claim holds.
    claimed = await read(context, state.feedback.claim_page, key, k)
    if claimed is not None and claimed > offset:
        offset = claimed
        asked.shown = max(asked.shown, offset + k)
    more = await run(context, _more, engine, asked.question, cursor, offset)
    asked.cursor = asked.cursor or more.cursor  # ranked again after a restart: kept for the next page
    asked.shown = max(asked.shown, more.cursor.shown)
    write(context, state.feedback.remember, key, asked)
    markup = answer_markup(key, asked.lang, more=bool(more.passages))
    await reply(update, context, render_more(more, asked.lang, offset + 1), markup, quote=False)


def _more(engine, question: str, cursor, offset: int):
    """The passages of an answer after the first ``offset``; after a restart its ranking is
    made again first."""
    cursor = engine.resume(question, offset) if cursor is None else dataclasses.replace(cursor, shown=offset)
    return engine.more(cursor)
