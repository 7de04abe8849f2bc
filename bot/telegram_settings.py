"""The Telegram front end's settings: the ``[telegram]`` section of the config file and
BUSAN_BOT_TELEGRAM_* variables. The token is never a setting: TELEGRAM_BOT_TOKEN only."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from retrieval.settings import SectionSettings, anchor


class TelegramSettings(SectionSettings):
    model_config = SettingsConfigDict(env_prefix="BUSAN_BOT_TELEGRAM_", frozen=True, extra="forbid")
    toml_section: ClassVar[str] = "telegram"

    # TELEGRAM_API_URL in the environment overrides api_url.
    api_url: str = "https://api.telegram.org"
    rate_limit: int = Field(10, ge=1, description="questions per user per minute")
    admins: tuple[int, ...] = ()
    feedback_db: Path = Path("index/feedback.sqlite3")
    # The question log (for `busan-bot report`): each question's text as understood, its status and
    # what was shown, kept this many days, then only counted; 0 keeps no text at all.
    question_log_days: float = Field(30, ge=0, le=3650)
    # Threads running retrieval off the event loop; concurrent questions share one model call
    # through the engine's QueryBatcher, so more threads mean bigger batches, not more model runs.
    workers: int = Field(32, ge=1, le=64)
    # Updates handled at once. Retrieval is bounded by `workers` anyway; this only lets
    # cheap replies (help, rate-limit notices) overtake a queue of questions. Set by hand.
    concurrent_updates: int = Field(64, ge=1, le=1024)
    # Connections to the Bot API for replies. httpx's pool checks every connection on every
    # request, so a large pool costs the event loop more than it saves (benchmarks.telegram_load).
    http_connections: int = Field(64, ge=1, le=1024)

    @field_validator("feedback_db")
    @classmethod
    def _anchor(cls, value: Path) -> Path:
        return anchor(value)
