"""The Telegram front end (python-telegram-bot v22), in the shape of PTB's own examples.

Shared state lives in ``application.bot_data``: the engine, a thread pool that runs
retrieval off the event loop, the feedback store, the rate limiter and recent questions
(for the "More" and feedback buttons).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import re
import sqlite3
import threading
import time
import uuid
from collections import OrderedDict, defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters,
)

from retrieval.errors import ConfigError
from retrieval.text import question_kind

from .telegram_render import EXAMPLES, lang_of, plain_text, render_answer, render_more, split_message, t

log = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
MAX_ATTEMPTS = 6
COMMANDS = [
    ("start", "Bắt đầu / Start"), ("help", "Trợ giúp / Help"), ("sources", "Các bài báo / Articles"),
    ("about", "Mô hình và chỉ mục / Model and index"), ("ask", "Hỏi (trong nhóm) / Ask (in groups)"),
]


# ----------------------------------------------------------------------------- small parts


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
    """At most ``limit`` questions per user in any ``window`` seconds."""

    def __init__(self, limit: int, window: float = 60.0, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self.seen: dict[int, deque] = defaultdict(deque)

    def check(self, user_id: int) -> float:
        """0 if the user may ask now, else the seconds to wait."""
        now = self.clock()
        q = self.seen[user_id]
        while q and now - q[0] >= self.window:
            q.popleft()
        if len(q) >= self.limit:
            return self.window - (now - q[0])
        q.append(now)
        return 0.0


class FeedbackStore:
    """Questions and 👍/👎 votes in SQLite; user ids only as keyed hashes."""

    def __init__(self, path: Path, key: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.key = key.encode()
        self.lock = threading.Lock()
        self.db = sqlite3.connect(str(path), check_same_thread=False)
        with self.db:
            self.db.execute("CREATE TABLE IF NOT EXISTS feedback (time REAL, question TEXT, passage_ids TEXT, "
                            "user_hash TEXT, vote INTEGER)")
            self.db.execute("CREATE TABLE IF NOT EXISTS questions (time REAL, user_hash TEXT, answered INTEGER)")

    def user_hash(self, user_id: int) -> str:
        return hmac.new(self.key, str(user_id).encode(), hashlib.sha256).hexdigest()[:24]

    def question(self, user_id: int, answered: bool) -> None:
        with self.lock, self.db:
            self.db.execute("INSERT INTO questions VALUES (?, ?, ?)", (time.time(), self.user_hash(user_id), int(answered)))

    def vote(self, user_id: int, question: str, passage_ids: list[str], vote: int) -> None:
        with self.lock, self.db:
            self.db.execute("INSERT INTO feedback VALUES (?, ?, ?, ?, ?)",
                            (time.time(), question, ",".join(passage_ids), self.user_hash(user_id), vote))

    def stats(self) -> dict[str, int]:
        with self.lock:
            asked, answered = self.db.execute("SELECT COUNT(*), COALESCE(SUM(answered), 0) FROM questions").fetchone()
            up, down = self.db.execute("SELECT COALESCE(SUM(vote > 0), 0), COALESCE(SUM(vote < 0), 0) FROM feedback").fetchone()
        return {"questions": asked, "answered": answered, "up": up, "down": down}


@dataclass
class Asked:
    question: str
    lang: str
    shown: int
    passage_ids: list[str]


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


# ----------------------------------------------------------------------------- helpers


def _state(context: ContextTypes.DEFAULT_TYPE) -> dict:
    return context.application.bot_data


async def _reply(update: Update, context, html: str, markup=None, quote: bool = True) -> None:
    message = update.effective_message
    chunks = split_message(html)
    for i, chunk in enumerate(chunks):
        await deliver(
            context.bot.send_message, chat_id=message.chat_id, text=chunk, parse_mode=ParseMode.HTML,
            reply_markup=markup if i == len(chunks) - 1 else None,
            reply_to_message_id=message.message_id if quote and i == 0 else None,
            allow_sending_without_reply=True,
        )


def _answer_markup(key: str, lang: str, more: bool) -> InlineKeyboardMarkup:
    row = [InlineKeyboardButton(t(lang, "more"), callback_data=f"more:{key}")] if more else []
    row += [InlineKeyboardButton("👍", callback_data=f"up:{key}"), InlineKeyboardButton("👎", callback_data=f"down:{key}")]
    return InlineKeyboardMarkup([row])


async def _run(context, func, *args):
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_state(context)["executor"], func, *args)


def _addressed(update: Update, context) -> tuple[bool, str]:
    """Whether a message is for us, and its text without our @mention."""
    message = update.effective_message
    text = message.text or message.caption or ""
    if message.chat.type == ChatType.PRIVATE:
        return True, text
    username = context.bot.username or ""
    mention = f"@{username}".lower()
    replied = message.reply_to_message and message.reply_to_message.from_user \
        and message.reply_to_message.from_user.id == context.bot.id
    if username and mention in text.lower():
        return True, re.sub(re.escape(mention), " ", text, flags=re.IGNORECASE).strip()
    return bool(replied), text


# ----------------------------------------------------------------------------- handlers


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = "en" if (update.effective_user and (update.effective_user.language_code or "").startswith("en")) else "vi"
    buttons = [[InlineKeyboardButton(q, callback_data=f"ex:{lang}:{i}")] for i, q in enumerate(EXAMPLES[lang])]
    await _reply(update, context, t(lang, "start"), InlineKeyboardMarkup(buttons))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, context, t("vi", "help") + "\n\n" + t("en", "help"))


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from html import escape

    engine = _state(context)["engine"]
    lines = [f"• <b>{escape(a.title)}</b> — {escape(a.source or '?')}"
             + (f", {escape(a.date)}" if a.date else "") + f" ({len(a.passages)})" for a in engine.articles]
    await _reply(update, context, "\n".join(lines))


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from html import escape

    engine = _state(context)["engine"]
    m = engine.index.manifest
    age_h = (time.time() - m.created) / 3600
    await _reply(update, context,
                 f"<b>busan-bot</b>\nModel: <code>{escape(m.model_id)}</code>\n"
                 f"Corpus: {len(engine.articles)} articles, {m.count} paragraphs\n"
                 f"Index built {age_h:.1f} h ago ({m.search} search)")


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await answer_question(update, context, " ".join(context.args or []))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    addressed, text = _addressed(update, context)
    if addressed:
        await answer_question(update, context, text)


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    addressed, _ = _addressed(update, context)
    if addressed:
        await _reply(update, context, t("vi", "not_text") + "\n" + t("en", "not_text"))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_chat.type == ChatType.PRIVATE:
        await _reply(update, context, t("vi", "unknown_command") + "\n\n" + t("vi", "help"))


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    state = _state(context)
    text = (text or "").strip()
    lang = lang_of(question_kind(text)) if text else "vi"
    if not text:
        await _reply(update, context, t(lang, "blank"))
        return
    limit = state["engine"].settings.max_question_chars
    if len(text) > limit:
        await _reply(update, context, t(lang, "too_long", n=len(text), max=limit))
        return
    user_id = update.effective_user.id if update.effective_user else 0
    wait = state["limiter"].check(user_id)
    if wait:
        await _reply(update, context, t(lang, "rate", s=int(wait) + 1))
        return
    await deliver(context.bot.send_chat_action, chat_id=update.effective_chat.id, action=ChatAction.TYPING)
    engine = state["engine"]
    answer = await _run(context, engine.answer, text, engine.settings.top_k)
    state["feedback"].question(user_id, answer.answered)
    key = state["recent"].add(Asked(text, lang, len(answer.passages), [ap.passage.id for ap in answer.shown()]))
    markup = _answer_markup(key, lang, more=answer.answered)
    await _reply(update, context, render_answer(answer, lang), markup)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    state = _state(context)
    action, _, key = (query.data or "").partition(":")
    if action == "ex":
        lang, _, number = key.partition(":")
        await deliver(query.answer)
        examples = EXAMPLES.get(lang, EXAMPLES["vi"])
        if number.isdigit() and int(number) < len(examples):
            await answer_question(update, context, examples[int(number)])
        return
    asked: Asked | None = state["recent"].get(key)
    if asked is None:
        await deliver(query.answer, text=t("vi", "expired"))
        return
    if action in ("up", "down"):
        state["feedback"].vote(query.from_user.id, asked.question, asked.passage_ids, 1 if action == "up" else -1)
        await deliver(query.answer, text=t(asked.lang, "thanks"))
        return
    if action == "more":
        await deliver(query.answer)
        engine = state["engine"]
        more = await _run(context, engine.answer, asked.question, engine.settings.top_k, asked.shown)
        first = asked.shown + 1
        asked.shown += len(more.passages)
        markup = _answer_markup(key, asked.lang, more=bool(more.passages))
        await _reply(update, context, render_more(more, asked.lang, first), markup, quote=False)


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    state = _state(context)
    if update.effective_user.id not in state["admins"]:
        await _reply(update, context, t("vi", "admin_only"))
        return
    from retrieval.service import open_engine

    old = state["engine"]
    engine = await _run(context, lambda: open_engine(old.settings, embedder=old.embedder))
    state["engine"] = engine
    await _reply(update, context, f"Reloaded: {len(engine.articles)} articles, {len(engine.index)} paragraphs.")


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    state = _state(context)
    if update.effective_user.id not in state["admins"]:
        await _reply(update, context, t("vi", "admin_only"))
        return
    s = state["feedback"].stats()
    share = s["answered"] / s["questions"] if s["questions"] else 0.0
    await _reply(update, context, f"Questions: {s['questions']}\nAnswered: {share:.0%}\nFeedback: 👍 {s['up']} / 👎 {s['down']}")


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("Exception while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        try:
            await deliver(context.bot.send_message, chat_id=update.effective_message.chat_id,
                          text=t("vi", "error") + "\n" + t("en", "error"))
        except TelegramError:
            log.exception("could not tell the user about the error")


async def post_init(application: Application) -> None:
    await deliver(application.bot.set_my_commands, [BotCommand(c, d) for c, d in COMMANDS])
    log.info("bot @%s ready", application.bot.username)


async def post_shutdown(application: Application) -> None:
    application.bot_data["executor"].shutdown(wait=False, cancel_futures=True)


# ----------------------------------------------------------------------------- assembly


def read_token() -> str:
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set (get a token from @BotFather)")
    if not TOKEN_RE.match(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN is malformed (expected digits, a colon and 30+ letters)")
    return token


def build_application(engine, token: str, api_url: str) -> Application:
    settings = engine.settings
    root = api_url.rstrip("/")
    application = (
        ApplicationBuilder().token(token).base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
        .concurrent_updates(64).post_init(post_init).post_shutdown(post_shutdown)
        .connect_timeout(10).read_timeout(20).write_timeout(20).pool_timeout(10).connection_pool_size(64)
        .build()
    )
    application.bot_data.update(
        engine=engine,
        executor=ThreadPoolExecutor(max_workers=settings.telegram_workers, thread_name_prefix="retrieval"),
        feedback=FeedbackStore(settings.telegram_feedback_db, token),
        limiter=RateLimiter(settings.telegram_rate_limit),
        recent=Recent(),
        admins=set(settings.telegram_admins),
    )
    media = (filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO
             | filters.Document.ALL | filters.VIDEO_NOTE | filters.ANIMATION | filters.LOCATION | filters.CONTACT)
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("sources", sources))
    application.add_handler(CommandHandler("about", about))
    application.add_handler(CommandHandler("ask", ask_command))
    application.add_handler(CommandHandler("reload", reload_command))
    application.add_handler(CommandHandler("stats", stats_command))
    # Edited questions are answered again, the same way as new ones.
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(media, on_media))
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_error_handler(error_handler)
    return application


def run_telegram(settings, webhook_url: str | None = None, listen: str = "127.0.0.1", port: int = 8443) -> int:
    token = read_token()
    token_filter = TokenFilter(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(token_filter)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the token in URLs
    api_url = os.environ.get("TELEGRAM_API_URL") or settings.telegram_api_url
    from retrieval.service import open_engine

    engine = open_engine(settings, notify=lambda m: log.warning("%s", m))
    engine.warm_up()
    application = build_application(engine, token, api_url)
    print(f"busan-bot on Telegram: {len(engine.index)} paragraphs loaded; Ctrl-C to stop.", flush=True)
    if webhook_url:
        secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None
        application.run_webhook(listen=listen, port=port, url_path="telegram", webhook_url=webhook_url,
                                secret_token=secret, allowed_updates=Update.ALL_TYPES)
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=10)
    return 0
