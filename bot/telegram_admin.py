"""The Telegram bot's informational and administrators' commands: /sources, /about, /reload
and /stats."""

from __future__ import annotations

import time
from html import escape

from telegram import Update
from telegram.ext import ContextTypes

from .render import source_lines
from .report import summarise, top_unanswered, unanswered_groups
from .telegram_io import engine_of, read, reply, run, state_of
from .telegram_render import t


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lines = [f"• <b>{escape(title)}</b> — {escape(detail)}" for title, detail in source_lines(engine_of(context).sources())]
    await reply(update, context, "\n".join(lines))


def user_lang(update: Update) -> str:
    """The interface language for a command: English for users whose Telegram is in English."""
    code = (update.effective_user.language_code or "") if update.effective_user else ""
    return "en" if code.startswith("en") else "vi"


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    engine = engine_of(context)
    m = engine.info().index
    await reply(update, context, t(user_lang(update), "about", model=escape(m.model_id), articles=len(engine.articles),
                                   count=m.count, age=(time.time() - m.created) / 3600, search=escape(m.search),
                                   days=state_of(context).log_days))


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    state = state_of(context)
    if update.effective_user.id not in state.admins:
        await reply(update, context, t(user_lang(update), "admin_only"))
        return
    if state.reloading:
        await reply(update, context, t(user_lang(update), "reloading"))
        return
    state.reloading = True
    try:
        # Its own thread: a long build never takes a retrieval thread, so questions go on
        # being answered from the current index until the new one is swapped in.
        engine = await run(context, engine_of(context).reload, pool="reload_executor")
    finally:
        state.reloading = False
    state.engine = engine
    lang = user_lang(update)
    skipped = "".join("\n" + t(lang, "skipped", what=escape(str(s))) for s in engine.skipped)
    await reply(update, context, t(lang, "reloaded", articles=len(engine.articles), count=len(engine.index)) + skipped)


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    state = state_of(context)
    if update.effective_user.id not in state.admins:
        await reply(update, context, t(user_lang(update), "admin_only"))
        return
    s = await read(context, state.feedback.stats)
    if s is None:
        await reply(update, context, t(user_lang(update), "stats_down"))
        return
    share = s["answered"] / s["questions"] if s["questions"] else 0.0
    text = t(user_lang(update), "stats", share=share, **s)
    rows = await read(context, state.feedback.logged_since, time.time() - 7 * 86400)
    if rows:
        report = summarise(rows)
        if report.unanswered:  # grouped by meaning with the model, off the event loop
            groups = await run(context, unanswered_groups, engine_of(context), report, rows)
            text += "\n\n" + t(user_lang(update), "top_unanswered") + "\n" + "\n".join(
                escape(line) for line in top_unanswered(report, groups))
    await reply(update, context, text)
