"""Wiring: settings -> corpus, embedder, index -> an Answerer. Front ends start here."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from .answer import Answerer, Searcher
from .corpus import corpus_passages, load_corpus
from .embedder import Embedder, SentenceTransformerEmbedder, resolve_model
from .errors import IndexError_
from .index import BuildReport, LoadedIndex, build_index, is_current, open_index
from .passage import Article
from .settings import Settings

log = logging.getLogger(__name__)
Notify = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def make_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    source = resolve_model(settings.model, settings.model_cache_dir, settings.allow_download)
    return SentenceTransformerEmbedder(source, batch_size=settings.batch_size)


@dataclass
class Engine:
    settings: Settings
    articles: list[Article]
    embedder: Embedder
    index: LoadedIndex
    answerer: Answerer
    report: BuildReport | None = None

    def answer(self, question: str, k: int | None = None, offset: int = 0):
        return self.answerer.answer(question, k or self.settings.top_k, offset)

    def warm_up(self) -> None:
        """Load the model now (it is lazy), so a server's first user does not wait for it."""
        self.embedder.embed_queries(["warm-up"])


def ensure_index(settings: Settings, articles: list[Article], embedder: Embedder, *, rebuild: bool = False,
                 progress: bool = False, notify: Notify = _quiet) -> tuple[LoadedIndex, BuildReport | None]:
    """Open the index, rebuilding it (with a message) when missing, stale or damaged."""
    passages = corpus_passages(articles)
    previous = None
    if not rebuild:
        try:
            previous = open_index(settings.index_dir)
            if is_current(previous, passages, embedder.model_id):
                return previous, None
            notify("The articles or the model changed since the last index: updating it.")
        except IndexError_ as exc:
            if "no index" in str(exc):
                notify(f"Building the index of {len(passages)} paragraphs (first run).")
            else:
                notify(f"{exc}; rebuilding it.")
    index, report = build_index(
        settings.index_dir, passages, embedder, previous=previous, reuse=not rebuild, lock_timeout=settings.lock_timeout,
        exact_limit=settings.exact_search_limit, progress=progress,
        on_wait=lambda: notify("Another busan-bot is indexing; waiting for it to finish."),
    )
    return index, report


def make_answerer(settings: Settings, index: LoadedIndex, embedder: Embedder) -> Answerer:
    searcher = Searcher(index, lambda text: embedder.embed_queries([text])[0], candidates=settings.candidates)
    return Answerer(searcher, threshold=settings.answer_threshold, max_chars=settings.max_question_chars)


def open_engine(settings: Settings, *, embedder: Embedder | None = None, rebuild: bool = False,
                progress: bool = False, notify: Notify = _quiet) -> Engine:
    articles = load_corpus(settings.seeds_dir)
    embedder = embedder or make_embedder(settings)
    index, report = ensure_index(settings, articles, embedder, rebuild=rebuild, progress=progress, notify=notify)
    return Engine(settings, articles, embedder, index, make_answerer(settings, index, embedder), report)
