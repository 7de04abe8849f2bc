"""One typed settings object: config/default.toml < BUSAN_BOT_* environment < CLI flags.

The file's top-level keys are the library's (``Settings``); each ``[section]`` belongs to a
front end, which loads it through ``load_settings(..., cls=ItsSettings)`` (e.g. bot/telegram_settings.py).
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config" / "default.toml"
_config_file: ContextVar[Path | None] = ContextVar("config_file", default=None)


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "busan-bot"


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the TOML file chosen for this load: the settings class's own ``[section]``, or
    the top-level keys for the library's. Unknown keys are rejected by the model."""

    def get_field_value(self, field, field_name):  # pragma: no cover - unused by __call__
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = _config_file.get()
        if path is None:
            return {}
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {path}") from exc
        except IsADirectoryError as exc:
            raise ConfigError(f"config file {path} is a folder") from exc
        except PermissionError as exc:
            raise ConfigError(f"config file {path} cannot be read (permission denied)") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"config file {path} is not UTF-8 text") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
        section = getattr(self.settings_cls, "toml_section", None)
        if section:
            table = data.get(section, {})
            if not isinstance(table, dict):
                raise ConfigError(f"config file {path}: '{section}' must be a [{section}] section")
            return table
        top = {k: v for k, v in data.items() if not isinstance(v, dict)}
        if _holds_password(top.get("database_url")):
            raise ConfigError(f"config file {path}: database_url holds a password; secrets come only from the "
                              "environment (BUSAN_BOT_DATABASE_URL, or PGPASSWORD beside a URL without one)")
        return top


def _holds_password(url) -> bool:
    if not isinstance(url, str):
        return False
    from psycopg.conninfo import conninfo_to_dict

    try:
        return bool(conninfo_to_dict(url).get("password"))
    except Exception:  # noqa: BLE001 - an unreadable URL may still hold one: keep it out of files
        return ":" in url.split("@")[0].split("//")[-1] if "@" in url else False


def anchor(value: Path) -> Path:
    """Relative paths mean "inside the project", whatever the working directory."""
    value = Path(os.path.expanduser(str(value)))
    return value if value.is_absolute() else ROOT / value


class SectionSettings(BaseSettings):
    """Settings read from the config file: the ``[toml_section]`` of a front end's, or the
    top-level keys (``Settings``, the library's); then BUSAN_BOT_* variables and flags."""

    toml_section: ClassVar[str] = ""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        return (init_settings, env_settings, _TomlSource(settings_cls))


class Settings(SectionSettings):
    model_config = SettingsConfigDict(env_prefix="BUSAN_BOT_", frozen=True, extra="forbid")

    seeds_dir: Path = Path("seeds")
    index_dir: Path = Path("index")
    cache_dir: Path = Field(default_factory=_default_cache)
    model: str = "intfloat/multilingual-e5-small"
    allow_download: bool = False
    batch_size: int = Field(16, ge=1, le=1024)
    query_batch: int = Field(32, ge=1, le=1024)  # questions embedded together when they arrive together
    query_batch_wait_ms: float = Field(0.0, ge=0.0, le=1000.0)  # extra wait for company (0: a lone question never waits)
    top_k: int = Field(3, ge=1, le=20)
    candidates: int = Field(50, ge=5, le=1000)
    # The question's embedding mapped nearer the paragraphs it asks about (retrieval/adapter.py),
    # where the shipped map was fitted for the model in use.
    query_adapter: bool = True
    # None: as fitted by benchmarks/calibrate.py (retrieval/data/tuned.json)
    answer_threshold: float | None = Field(None, ge=0.0, le=1.0)
    uncertain_threshold: float | None = Field(None, ge=0.0, le=1.0)
    max_question_chars: int = Field(1000, ge=10, le=100_000)
    # A conversation quiet this long is forgotten: the next message starts a new one.
    conversation_minutes: float = Field(30.0, gt=0, le=7 * 24 * 60)
    # One article file larger than this is skipped with a reason, not indexed for hours.
    max_article_mb: float = Field(5.0, gt=0, le=1024)
    lock_timeout: float = Field(30.0, ge=0.0)
    exact_search_limit: int = Field(5_000, ge=1)
    log_level: str = "WARNING"
    # Index backend, by its name in retrieval/store/__init__.py's BACKENDS.
    store: Literal["faiss", "postgres"] = "faiss"
    # store = "postgres": the database (it may hold a password: BUSAN_BOT_DATABASE_URL, never the file).
    database_url: SecretStr | None = None
    database_pool: int = Field(8, ge=1, le=256)  # connections per process

    @model_validator(mode="after")
    def _database(self) -> "Settings":
        if self.store == "postgres" and self.database_url is None:
            raise ValueError("store = 'postgres' needs a database: set BUSAN_BOT_DATABASE_URL "
                             "(e.g. postgresql://user@host/dbname; the password in it or in PGPASSWORD)")
        return self

    @field_validator("seeds_dir", "index_dir", "cache_dir")
    @classmethod
    def _anchor(cls, value: Path) -> Path:
        return anchor(value)

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return level

    @property
    def max_article_bytes(self) -> int:
        return int(self.max_article_mb * 1024 * 1024)

    @property
    def model_cache_dir(self) -> Path:
        return self.cache_dir / "models"


def load_settings(config_file: str | Path | None = None, *, cls: type[BaseSettings] = Settings,
                  **overrides: Any) -> Any:
    """Load once at start-up; ``overrides`` are CLI flags (None means "not given"); ``cls``
    a front end's section of the file instead of the library's settings."""
    path = Path(config_file or os.environ.get("BUSAN_BOT_CONFIG") or DEFAULT_CONFIG)
    token = _config_file.set(path)
    try:
        return cls(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, getattr(cls, "toml_section", ""))) from None
    finally:
        _config_file.reset(token)


def _describe(exc: ValidationError, section: str = "") -> str:
    problems = []
    for err in exc.errors():
        key = ".".join([section] * bool(section) + [str(p) for p in err["loc"]]) or "settings"
        if err["type"] == "extra_forbidden":
            problems.append(f"unknown setting '{key}'")
        elif not err["loc"]:  # a rule across settings: its message says it all
            problems.append(err["msg"].removeprefix("Value error, "))
        elif "database_url" in err["loc"]:  # never echo what may be a secret
            problems.append(f"invalid setting {key}: {err['msg']}")
        else:
            problems.append(f"invalid setting {key} = {err.get('input')!r}: {err['msg']}")
    return "; ".join(problems)
