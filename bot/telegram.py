"""The Telegram front end (python-telegram-bot v22), in the shape of PTB's own examples.

Shared state lives in ``application.bot_data``, typed (``telegram_io.BotState``): the engine
(the only library object the handlers use), the thread pools that keep work off the event
loop, the side stores (``side_stores.py``) and recent answers (for the "More" and feedback
buttons).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from html import escape

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, TypeHandler,
    filters,
)

from retrieval.answer import SOCIAL
from retrieval.errors import BusanBotError, ConfigError, QuestionError

from .telegram_admin import about, reload_command, sources, stats_command
from .telegram_buttons import ANSWER_BUTTON, on_answer_button, on_stale_button
from .side_stores import open_side_stores
from .telegram_io import CONTEXT_TYPES, BotState, addressed, answer_markup, engine_of, limit, reply, run, state_of, write
from .telegram_render import EXAMPLES, render_answer, render_more, t
from .telegram_settings import TelegramSettings
from .feedback import Asked, Logged, log_vector
from .telegram_support import TokenFilter, deliver, read_token
from .update_journal import JournalQueue, keep_replaying, mark_done, replay_left_over

log = logging.getLogger(__name__)

COMMANDS = [
    ("start", "Bắt đầu / Start"), ("help", "Trợ giúp / Help"), ("sources", "Các bài báo / Articles"),
    ("about", "Mô hình và chỉ mục / Model and index"), ("ask", "Hỏi (trong nhóm) / Ask (in groups)"),
    ("new", "Cuộc trò chuyện mới / New conversation"),
]


# ----------------------------------------------------------------------------- handlers


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = "en" if (update.effective_user and (update.effective_user.language_code or "").startswith("en")) else "vi"
    buttons = [[InlineKeyboardButton(q, callback_data=f"ex:{lang}:{i}")] for i, q in enumerate(EXAMPLES[lang])]
    await reply(update, context, t(lang, "start"), InlineKeyboardMarkup(buttons))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, context, t("vi", "help") + "\n\n" + t("en", "help"))


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await answer_question(update, context, " ".join(context.args or []))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    for_us, text = addressed(update, context)
    if for_us:
        await answer_question(update, context, text)


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    for_us, _ = addressed(update, context)
    if for_us:
        await reply(update, context, t("vi", "not_text") + "\n" + t("en", "not_text"))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_chat.type == ChatType.PRIVATE:
        await reply(update, context, t("vi", "unknown_command") + "\n\n" + t("vi", "help"))


def conversation_of(update: Update) -> str:
    """One conversation per private chat; in a group, one per user within it."""
    chat = update.effective_chat
    user = update.effective_user.id if update.effective_user else 0
    return f"tg:{chat.id}" if chat.type == ChatType.PRIVATE else f"tg:{chat.id}:{user}"


async def new_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await run(context, engine_of(context).forget, conversation_of(update))
    await reply(update, context, t("vi", "new") + "\n" + t("en", "new"))


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    state = state_of(context)
    engine = engine_of(context)
    try:
        lang = engine.plan(text).lang  # validation and the question's language: microseconds, no model
    except QuestionError as exc:
        if exc.reason != "empty" or not text.strip():
            key = "blank" if exc.reason == "empty" else "too_long"
            await reply(update, context, t(exc.lang, key, n=exc.length, max=exc.limit))
            return
        lang = "vi"  # emoji alone ("👍"): a social turn, answered by the conversation
    user_id = update.effective_user.id if update.effective_user else 0
    wait = await limit(context, user_id)
    if wait:
        await reply(update, context, t(lang, "rate", s=int(wait) + 1))
        return
    if state.typing.due(update.effective_chat.id):
        await deliver(context.bot.send_chat_action, chat_id=update.effective_chat.id, action=ChatAction.TYPING)
    answer = await run(context, engine.chat, conversation_of(update), text)
    if answer.status == SOCIAL:
        await reply(update, context, escape(answer.message))
        return
    asked = Asked(answer.understood_as or answer.question, answer.lang, answer.cursor,
                  [ap.passage.id for ap in answer.shown()], answer.cursor.shown if answer.cursor else 0)
    key = state.recent.add(asked)
    if not answer.offset:  # "more" typed is no new question
        vector = log_vector(answer.cursor.ranking.vector) if answer.cursor else None
        logged = Logged(key, asked.question, answer.lang, answer.status, answer.confidence, tuple(asked.passage_ids),
                        vector)
        write(context, state.feedback.question, user_id, answer.answered, logged)
    write(context, state.feedback.remember, key, asked)
    if answer.offset:
        markup = answer_markup(key, answer.lang, more=bool(answer.passages))
        await reply(update, context, render_more(answer, answer.lang, answer.offset + 1), markup)
        return
    markup = answer_markup(key, answer.lang, more=answer.answered)
    await reply(update, context, render_answer(answer, answer.lang), markup)


# What /start's example buttons carry (``callback_data``); an answer's: telegram_buttons.py.
EXAMPLE_BUTTON = re.compile(r"^ex:(vi|en):(\d{1,2})$")


async def on_example(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One of /start's example questions."""
    lang, number = context.match.groups()
    await deliver(update.callback_query.answer)
    if int(number) < len(EXAMPLES[lang]):
        await answer_question(update, context, EXAMPLES[lang][int(number)])


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if isinstance(context.error, BusanBotError):  # our own, already one clear line (the database is down...)
        log.warning("could not answer an update: %s", context.error)
    else:
        log.error("Exception while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        try:  # as a reply to the question, so the user sees which one failed
            await deliver(context.bot.send_message, chat_id=update.effective_message.chat_id,
                          text=t("vi", "error") + "\n" + t("en", "error"),
                          reply_to_message_id=update.effective_message.message_id, allow_sending_without_reply=True)
        except TelegramError:
            log.exception("could not tell the user about the error")


async def post_init(application: Application) -> None:
    await deliver(application.bot.set_my_commands, [BotCommand(c, d) for c, d in COMMANDS])
    await replay_left_over(application)  # what a stopped bot had accepted and not answered
    state: BotState = application.bot_data
    if state.journal.shared:  # not application.create_task: stop() would wait for it
        state.replaying = asyncio.get_running_loop().create_task(keep_replaying(application))
    log.info("bot @%s ready", application.bot.username)


async def post_shutdown(application: Application) -> None:
    state: BotState = application.bot_data
    if state.replaying is not None:
        state.replaying.cancel()
    state.executor.shutdown(wait=False, cancel_futures=True)
    state.side_executor.shutdown(wait=True)  # pending votes are written, not dropped
    state.reload_executor.shutdown(wait=False, cancel_futures=True)
    state.engine.close()  # the model thread and the database pools


# ----------------------------------------------------------------------------- assembly


def build_application(engine, token: str, settings: TelegramSettings, api_url: str | None = None) -> Application:
    root = (api_url or settings.api_url).rstrip("/")
    side = open_side_stores(engine.settings, settings)
    engine.keep_conversations_in(side.conversations)  # a restart, or another replica, goes on with them
    application = (
        ApplicationBuilder().token(token).base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
        .concurrent_updates(settings.concurrent_updates).post_init(post_init).post_shutdown(post_shutdown)
        .connect_timeout(10).read_timeout(20).write_timeout(20).pool_timeout(10)
        .connection_pool_size(settings.http_connections).context_types(CONTEXT_TYPES)
        .update_queue(JournalQueue(side.journal))  # Telegram is told an update arrived once it is written down
        .build()
    )
    state: BotState = application.bot_data
    state.engine = engine
    state.executor = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="retrieval")
    state.side_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="side-stores")
    state.reload_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reload")
    state.feedback, state.limiter, state.journal = side.feedback, side.limiter, side.journal
    state.admins = frozenset(settings.admins)
    state.log_days = settings.question_log_days
    media = (filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO
             | filters.Document.ALL | filters.VIDEO_NOTE | filters.ANIMATION | filters.LOCATION | filters.CONTACT)
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("sources", sources))
    application.add_handler(CommandHandler("about", about))
    application.add_handler(CommandHandler("ask", ask_command))
    application.add_handler(CommandHandler("new", new_command))
    application.add_handler(CommandHandler("reload", reload_command))
    application.add_handler(CommandHandler("stats", stats_command))
    # Edited questions are answered again, the same way as new ones.
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(media, on_media))
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    application.add_handler(CallbackQueryHandler(on_example, pattern=EXAMPLE_BUTTON))
    application.add_handler(CallbackQueryHandler(on_answer_button, pattern=ANSWER_BUTTON))
    application.add_handler(CallbackQueryHandler(on_stale_button))
    application.add_handler(TypeHandler(Update, mark_done), group=1)  # after every handler of group 0
    application.add_error_handler(error_handler)
    return application


def run_telegram(settings, telegram: TelegramSettings, webhook_url: str | None = None, listen: str = "127.0.0.1",
                 port: int = 8443) -> int:
    token = read_token()
    token_filter = TokenFilter(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(token_filter)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the token in URLs
    api_url = os.environ.get("TELEGRAM_API_URL") or telegram.api_url
    from retrieval.engine import open_engine

    engine = open_engine(settings, notify=lambda m: log.warning("%s", m), background=True)
    engine.warm_up()
    application = build_application(engine, token, telegram, api_url)
    print(f"busan-bot on Telegram: {len(engine.index)} paragraphs loaded; Ctrl-C to stop.", flush=True)
    try:
        if webhook_url:
            secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None
            application.run_webhook(listen=listen, port=port, url_path="telegram", webhook_url=webhook_url,
                                    secret_token=secret, allowed_updates=Update.ALL_TYPES)
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=10)
    except InvalidToken:
        # PTB's own message quotes the token: say what happened without it.
        raise ConfigError("Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized); check it with @BotFather") from None
    return 0
