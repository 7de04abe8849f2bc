"""The Telegram bot's informational and administrators' commands: /sources, /about, /reload
and /stats."""

from __future__ import annotations

import time
from html import escape

from telegram import Update
from telegram.ext import ContextTypes

from .render import source_lines
from .telegram_io import engine_of, read, reply, run, state_of
from .telegram_render import t


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lines = [f"• <b>{escape(title)}</b> — {escape(detail)}" for title, detail in source_lines(engine_of(context).sources())]
    await reply(update, context, "\n".join(lines))


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    engine = engine_of(context)
    m = engine.info().index
    age_h = (time.time() - m.created) / 3600
    await reply(update, context,
                f"<b>busan-bot</b>\nModel: <code>{escape(m.model_id)}</code>\n"
                f"Corpus: {len(engine.articles)} articles, {m.count} paragraphs\n"
                f"Index built {age_h:.1f} h ago ({m.search} search)")


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    state = state_of(context)
    if update.effective_user.id not in state["admins"]:
        await reply(update, context, t("vi", "admin_only"))
        return
    if state.get("reloading"):
        await reply(update, context, "A reload is already under way; questions are answered meanwhile.")
        return
    state["reloading"] = True
    try:
        # Its own thread: a long build never takes a retrieval thread, so questions go on
        # being answered from the current index until the new one is swapped in.
        engine = await run(context, engine_of(context).reload, pool="reload_executor")
    finally:
        state["reloading"] = False
    state["engine"] = engine
    skipped = "".join(f"\nSkipped {escape(str(s))}" for s in engine.skipped)
    await reply(update, context, f"Reloaded: {len(engine.articles)} articles, {len(engine.index)} paragraphs.{skipped}")


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    state = state_of(context)
    if update.effective_user.id not in state["admins"]:
        await reply(update, context, t("vi", "admin_only"))
        return
    s = await read(context, state["feedback"].stats)
    if s is None:
        await reply(update, context, "The feedback database is not answering right now; try again later.")
        return
    share = s["answered"] / s["questions"] if s["questions"] else 0.0
    await reply(update, context, f"Questions: {s['questions']}\nAnswered: {share:.0%}\nFeedback: 👍 {s['up']} / 👎 {s['down']}")
