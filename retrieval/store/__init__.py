"""Index backends behind the interfaces of ``base.py``; ``settings.store`` picks one by name."""

from __future__ import annotations

from .base import BuildReport, Index, IndexStore
from .files import FileStore


def _files(settings) -> IndexStore:
    return FileStore(settings.index_dir, lock_timeout=settings.lock_timeout, exact_limit=settings.exact_search_limit)


# A new backend: its own module implementing IndexStore, and one line here.
BACKENDS = {
    "faiss": _files,
}


def open_store(settings) -> IndexStore:
    return BACKENDS[settings.store](settings)


__all__ = ["BACKENDS", "BuildReport", "Index", "IndexStore", "open_store"]
