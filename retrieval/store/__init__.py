"""Index backends behind the interfaces of ``base.py``; ``settings.store`` picks one by name."""

from __future__ import annotations

import threading

from .base import BuildReport, Index, IndexStore
from .files import FileStore


def _files(settings) -> IndexStore:
    return FileStore(settings.index_dir, lock_timeout=settings.lock_timeout, exact_limit=settings.exact_search_limit)


def _postgres(settings, schema: str = "public") -> IndexStore:
    from .postgres import PostgresStore

    return PostgresStore(database(settings, schema), lock_timeout=settings.lock_timeout,
                         exact_limit=settings.exact_search_limit)


_DATABASES: dict = {}
_DATABASES_LOCK = threading.Lock()


def database(settings, schema: str = "public"):
    """One connection pool per database URL and process: the index, the bot's shared state
    and a reloaded engine use the same one."""
    from .pg_database import Database

    url = settings.database_url.get_secret_value()
    with _DATABASES_LOCK:  # a reload's thread and the bot's start may ask at once: one pool each
        if (url, schema) not in _DATABASES:
            _DATABASES[url, schema] = Database(url, pool_size=settings.database_pool, schema=schema)
        return _DATABASES[url, schema]


def close_databases() -> None:
    """Close every pool this process opened (tests, and a clean shutdown)."""
    with _DATABASES_LOCK:
        while _DATABASES:
            _DATABASES.popitem()[1].close()


# A new backend: its own module implementing IndexStore, and one line here.
BACKENDS = {
    "faiss": _files,
    "postgres": _postgres,
}


def open_store(settings) -> IndexStore:
    return BACKENDS[settings.store](settings)


def throwaway_store(settings, index_dir) -> IndexStore:
    """A store of the configured backend kept apart from the product's index (``eval``): the
    folder ``index_dir``, or in the database a schema of its own named after it."""
    if settings.store == "postgres":
        return _postgres(settings, schema=f"busan_eval_{index_dir.name}")
    return BACKENDS[settings.store](settings.model_copy(update={"index_dir": index_dir}))


__all__ = ["BACKENDS", "BuildReport", "close_databases", "database", "throwaway_store", "Index", "IndexStore", "open_store"]
