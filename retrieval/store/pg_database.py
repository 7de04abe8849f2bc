"""A connection pool to the operator's PostgreSQL, shared by the index and the bot's state.

The URL is a secret (it may hold a password): it is never logged or shown; ``describe_url``
gives what may be shown (user, host, database).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from ..errors import ConfigError, IndexError_

log = logging.getLogger(__name__)
CONNECT_TIMEOUT = 10  # seconds, for the first connection of a process (a clear message at start)
# During an outage a question waits at most this long for a connection, then fails with one line;
# and a lost connection is retried for this long before the pool stops trying on its own (the
# next question tries again at once): so the first question after the server is back is served
# in about a connection's time, not after psycopg_pool's unbounded back-off (1, 2, 4 ... 128 s).
WAIT_FOR_CONNECTION_S = 4.0
RECONNECT_S = 3.0
# After a question found no connection, the next ones fail at once for this long (one line each)
# instead of each waiting WAIT_FOR_CONNECTION_S again: the "newer index?" check, the rate limiter
# and retrieval of one question would otherwise wait in turn.
UNREACHABLE_S = 2.0


class MissingTable(IndexError_):
    """A table the index needs is not in the database (never built, or dropped)."""


def describe_url(url: str) -> str:
    """The URL without its password, or a placeholder when it cannot be read."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:  # noqa: BLE001 - an unreadable URL must not be echoed back (it may hold a password)
        return "postgresql (unreadable URL)"
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    user = f"{parts['user']}@" if parts.get("user") else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname', '')}"


class Database:
    """A lazily opened pool of autocommit connections with pgvector's types registered."""

    def __init__(self, url: str, *, pool_size: int = 8, ef_search: int | None = None, schema: str = "public"):
        from ..tuned import PGVECTOR

        ef_search = PGVECTOR.hnsw_ef_search if ef_search is None else ef_search
        if not 1 <= ef_search <= 1000:  # pgvector's range; beyond it the SET fails
            raise ConfigError(f"hnsw ef_search {ef_search} is outside pgvector's range 1-1000")
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
            raise ConfigError(f"database schema {schema!r} must be lower-case letters, digits and _")
        self.url = url
        self.schema = schema  # every table lives here (an `eval` keeps its throwaway index apart)
        self.where = describe_url(url) + ("" if schema == "public" else f" schema {schema}")
        self.pool_size = pool_size
        self.ef_search = ef_search
        self._pool = None
        self._lock = threading.Lock()
        self._unreachable: tuple[float, str] = (0.0, "")  # until when, and why

    def __repr__(self) -> str:  # never the URL
        return f"Database({self.where})"

    def _configure(self, conn) -> None:
        from pgvector.psycopg import register_vector

        register_vector(conn)
        conn.execute(f"SET hnsw.ef_search = {int(self.ef_search)}")
        conn.execute(f"SET search_path = {self.schema}, public")  # pgvector's types stay visible

    def connect(self):
        """One connection of its own (builds, locks): the caller closes it."""
        import psycopg

        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
        except (psycopg.ProgrammingError, ValueError):  # a malformed URL: the driver's message quotes it, password and all
            raise ConfigError("database_url is not a valid PostgreSQL URL") from None
        except psycopg.Error as exc:
            raise IndexError_(f"cannot reach the database {self.where}: {_reason(exc, self.url)}") from None
        try:
            ensure_extension(conn, self.where)
            if self.schema != "public":
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
            self._configure(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_pool(self):
        from psycopg_pool import ConnectionPool

        with self._lock:
            if self._pool is None:
                self.connect().close()  # a clear message now, rather than a pool timeout later
                pool = ConnectionPool(self.url, min_size=1, max_size=self.pool_size, open=False,
                                      kwargs={"autocommit": True, "connect_timeout": int(WAIT_FOR_CONNECTION_S)},
                                      configure=self._configure, name="busan-bot", timeout=WAIT_FOR_CONNECTION_S,
                                      reconnect_timeout=RECONNECT_S,
                                      # a server restart leaves broken connections in the pool:
                                      # each is tested (one round trip) before it is handed out
                                      check=ConnectionPool.check_connection)
                pool.open(wait=True, timeout=CONNECT_TIMEOUT)
                self._pool = pool
            return self._pool

    @contextmanager
    def connection(self) -> Iterator:
        import psycopg
        from psycopg_pool import PoolTimeout

        until, why = self._unreachable
        if time.monotonic() < until:
            raise IndexError_(why)
        pool = self._pool or self._open_pool()
        try:
            with pool.connection() as conn:
                yield conn
        except PoolTimeout as exc:
            why = f"the database {self.where} is not answering ({_reason(exc, self.url)})"
            self._unreachable = (time.monotonic() + UNREACHABLE_S, why)
            raise IndexError_(why) from None
        except psycopg.errors.UndefinedTable as exc:  # a table of ours gone: someone or something damaged it
            raise MissingTable(f"the index in {self.where} is damaged ({_reason(exc, self.url)}); "
                               "`busan-bot index --verify` finds what and rebuilds it") from None
        except psycopg.OperationalError as exc:
            raise IndexError_(f"the database {self.where} failed: {_reason(exc, self.url)}") from None

    def rows(self, sql: str, params=()) -> list[tuple]:
        with self.connection() as conn:
            return conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None


def ensure_extension(conn, where: str) -> None:
    """pgvector must be installed in the database: created here when the role may."""
    import psycopg

    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone():
        return
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('busan-bot schema'))")
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise IndexError_(f"the database {where} lacks the pgvector extension and it could not be created "
                          f"({_reason(exc)}); ask its administrator to run CREATE EXTENSION vector") from None


def _reason(exc: Exception, url: str = "") -> str:
    """The server's or the driver's own words, first line only, never the URL or its password."""
    from psycopg.conninfo import conninfo_to_dict

    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    secrets = [url] if url else []
    try:
        secrets.append(conninfo_to_dict(url).get("password") or "")
    except Exception:  # noqa: BLE001 - nothing more to hide than the URL itself
        pass
    for secret in filter(None, secrets):
        line = line.replace(secret, "***")
    return line
