"""The Telegram front end's parts that are not handlers: the token's safety, rate limits,
recent answers (for the buttons) and riding out Bot API faults (the feedback store:
``feedback.py``)."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
import uuid
from collections import OrderedDict, deque

from telegram.error import BadRequest, NetworkError, RetryAfter

from retrieval.errors import ConfigError

from .feedback import Asked
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
    instant = True  # in memory: checked on the event loop

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
