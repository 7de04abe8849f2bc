"""The one object front ends talk to: settings in; ask, more, sources, info, reload out."""

from __future__ import annotations

import ctypes
import dataclasses
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from .answer import Answer, Cursor
from .batching import QueryBatcher
from .chat import Dialogue
from .memory import ConversationStore, MemoryConversations
from .corpus import Skipped, read_corpus
from .embedder import Embedder, ModelSource, SentenceTransformerEmbedder, resolve_model
from .errors import IndexError_
from .packed import PackedPassages
from .passage import Article, ArticleSummary, Passage
from .pipeline import Pipeline
from .query import QueryPlan
from .settings import Settings
from .store import BuildReport, Index, IndexStore, close_databases, open_store
from .store.manifest import Manifest

log = logging.getLogger(__name__)
Notify = Callable[[str], None]
FOLLOW_EVERY = 1.0  # seconds between checks for an index built by another process (replicas)


def _quiet(_: str) -> None:
    pass


def make_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    source = resolve_model(settings.model, settings.model_cache_dir, settings.allow_download)
    return SentenceTransformerEmbedder(source, batch_size=settings.batch_size)


@dataclass(frozen=True)
class Info:
    model: ModelSource
    index: Manifest | None  # None: no usable index (``problem`` says why)
    location: str
    problem: str = ""


def info(settings: Settings) -> Info:
    """What `info` shows, without building anything: the model in use and the current index."""
    source = resolve_model(settings.model, settings.model_cache_dir, settings.allow_download)
    try:
        index = open_store(settings).open()
    except IndexError_ as exc:
        return Info(source, None, "", str(exc))
    return Info(source, index.manifest, index.location)


def ensure_index(settings: Settings, passages: Sequence[Passage], embedder: Embedder, *, rebuild: bool = False,
                 progress: bool = False, notify: Notify = _quiet,
                 store: IndexStore | None = None) -> tuple[Index, BuildReport | None]:
    """Open the index, rebuilding it (with a message) when missing, stale or damaged.

    Whether it is current is read from the manifest first, so an unchanged corpus loads
    once and a changed one is not loaded whole only to be rebuilt.
    """
    index, report, _ = _index_for(store or open_store(settings), passages, embedder, rebuild, progress, notify)
    return index, report


def _index_for(store: IndexStore, passages, embedder: Embedder, rebuild: bool, progress: bool, notify: Notify,
               serve_stale: bool = False) -> tuple[Index, BuildReport | None, bool]:
    """(index, build report, stale): the current index, or one built now; with ``serve_stale``,
    when the articles changed and the previous index was built with the same model, that one,
    marked stale (the caller builds the new one beside it)."""
    current, previous = (None, None) if rebuild else _current_or_previous(store, passages, embedder, notify)
    if current is not None:
        return current, None, False
    if serve_stale and previous is not None and previous.manifest.model_id == embedder.model_id:
        notify("The articles changed since the last index: answering from it while the new one is built.")
        return previous, None, True
    if previous is not None:
        notify("The articles or the model changed since the last index: updating it.")
    index, report = _build(store, passages, embedder, previous, not rebuild, progress, notify)
    return index, report, False


def _current_or_previous(store: IndexStore, passages, embedder: Embedder, notify: Notify):
    """(the current index, None) when it is up to date; else (None, the stale one, whose
    vectors are reused for unchanged paragraphs, or None when there is none or it is damaged)."""
    if store.up_to_date(passages, embedder.model_id):
        try:
            return store.open(), None
        except IndexError_ as exc:
            notify(f"{exc}; rebuilding it.")
            return None, None
    try:
        return None, store.open()
    except IndexError_ as exc:
        if "no index" in str(exc):
            notify(f"Building the index of {len(passages)} paragraphs (first run).")
        else:
            notify(f"{exc}; rebuilding it.")
        return None, None


def _build(store: IndexStore, passages, embedder: Embedder, previous, reuse: bool, progress: bool, notify: Notify):
    return store.build(passages, embedder, previous=previous, reuse=reuse, progress=progress,
                       on_wait=lambda: notify("Another busan-bot is indexing; waiting for it to finish."))


class Engine:
    """Answers questions from the articles of ``settings.seeds_dir``."""

    def __init__(self, settings: Settings, articles: Sequence[Article | ArticleSummary], embedder: Embedder,
                 index: Index, pipeline: Pipeline | None = None, report: BuildReport | None = None,
                 skipped: list[Skipped] | None = None, batcher: QueryBatcher | None = None,
                 store: IndexStore | None = None, conversations: ConversationStore | None = None):
        self.settings = settings
        self.articles = [ArticleSummary.of(a) for a in articles]  # not their paragraphs: the index has them
        self.skipped = list(skipped or [])  # article files that could not be read, and why
        self.embedder = embedder
        self.index = index
        # Concurrent callers (the Telegram bot's worker threads) share one model through it.
        self.batcher = batcher or (QueryBatcher(embedder.embed_queries, settings.query_batch,
                                                settings.query_batch_wait_ms / 1000) if settings else None)
        self.pipeline = pipeline or self._pipeline_for(index)
        self.report = report
        self.store = store  # where ``index`` came from: followed when another process builds a newer one
        self._updater: threading.Thread | None = None
        self._checked = time.monotonic()
        self._follow_lock = threading.Lock()
        self.conversations = conversations or MemoryConversations()
        self.dialogue = Dialogue(self._current, self.conversations,
                                 settings.conversation_minutes if settings else 30.0)

    def _pipeline_for(self, index: Index) -> Pipeline:
        return Pipeline.from_settings(index, self.embedder, self.settings, self.batcher.embed, self.batcher.embed_many)

    def plan(self, question: str) -> QueryPlan:
        """Validate and read a question without answering it (``QuestionError`` if it cannot be asked)."""
        return self.pipeline.planner.plan(question)

    def ask(self, question: str | QueryPlan, k: int | None = None) -> Answer:
        self._follow()
        answer = self.pipeline.answer(question, k or self.settings.top_k)
        return dataclasses.replace(answer, updating=True) if self.updating else answer

    def _follow(self) -> None:
        """Switch to a newer index another process built (a replica's /reload, an `index` run),
        checked at most every FOLLOW_EVERY seconds and never while this engine builds its own."""
        if self.store is None or self.updating or time.monotonic() - self._checked < FOLLOW_EVERY:
            return
        if not self._follow_lock.acquire(blocking=False):
            return  # another thread is checking; this question goes on with the index at hand
        try:
            self._checked = time.monotonic()
            if self.store.is_current(self.index):
                return
            index = self.store.open()
        except IndexError_ as exc:
            log.warning("could not switch to the newer index (%s); answering from the one loaded", exc)
            return
        finally:
            self._follow_lock.release()
        self.index, self.pipeline = index, self._pipeline_for(index)
        log.info("switched to the index built elsewhere: %s", index.location)

    def chat(self, conversation: str, question: str, k: int | None = None) -> Answer:
        """A turn of conversation ``conversation`` (see ``Dialogue.turn``)."""
        answer = self.dialogue.turn(conversation, question, k or self.settings.top_k)
        return dataclasses.replace(answer, updating=True) if self.updating and answer.passages else answer

    def forget(self, conversation: str) -> None:
        """Start conversation ``conversation`` afresh (``/new``)."""
        self.dialogue.forget(conversation)

    def keep_conversations_in(self, store: ConversationStore) -> None:
        """Keep conversations in ``store`` from now on (a front end's database: the Telegram bot's
        survive a restart and are shared by replicas); engines it reloads keep them there too."""
        self.conversations = self.dialogue.store = store

    def _current(self) -> Pipeline:
        self._follow()
        return self.pipeline

    def resume(self, question: str, shown: int) -> Cursor:
        """A cursor for an answer given before this process started: ranked again, ``shown`` seen."""
        return self._current().resume(question, shown)

    def more(self, cursor: Cursor, k: int | None = None) -> Answer:
        """Further passages of an earlier answer, from the index that answered it."""
        return (cursor.pipeline or self.pipeline).more(cursor, k or self.settings.top_k)

    def sources(self) -> list[ArticleSummary]:
        return list(self.articles)

    def info(self) -> Info:
        source = resolve_model(self.settings.model, self.settings.model_cache_dir, self.settings.allow_download)
        return Info(source, self.index.manifest, self.index.location)

    def reload(self, notify: Notify = _quiet) -> "Engine":
        """A new engine over the articles as they are now, sharing this one's loaded model."""
        return open_engine(self.settings, embedder=self.embedder, notify=notify, batcher=self.batcher,
                           conversations=self.conversations)

    def update_in_background(self, store: IndexStore, passages: PackedPassages, notify: Notify = _quiet) -> None:
        """Build the index of ``passages`` in a thread of its own and switch to it when done;
        meanwhile questions are answered from the current (previous) index. The thread closes
        ``passages`` when it is done with them."""
        def run() -> None:
            try:
                index, report = _build(store, passages, self.embedder, self.index, True, False, notify)
            except Exception as exc:  # noqa: BLE001 - told to the user, the previous index goes on serving
                log.warning("updating the index failed", exc_info=True)
                notify(f"Could not update the index ({exc}); answering from the previous one.")
                return
            finally:
                passages.close()
            self.index, self.report = index, report
            self.pipeline = self._pipeline_for(index)
            notify(f"The index is up to date: {report.passages} paragraphs ({report.embedded} embedded).")

        self._updater = threading.Thread(target=run, name="index-update", daemon=True)
        self._updater.start()

    @property
    def updating(self) -> bool:
        """Whether a newer index is being built while this one answers."""
        return self._updater is not None and self._updater.is_alive()

    def wait_for_update(self) -> None:
        if self._updater is not None:
            self._updater.join()

    def close(self) -> None:
        """Release what answering holds: the model thread and this process's database pools.
        Called once by every front end on its way out (not on a reload, which shares them)."""
        self.batcher.close()
        close_databases()

    def warm_up(self) -> None:
        """Load the model now (it is lazy), and read what English questions are re-ranked by
        (``Pipeline.prime_alignment``), so a server's first users do not wait for either."""
        self.embedder.embed_queries(["warm-up"])
        read = self.pipeline.prime_alignment()
        if read:
            log.info("read the token states of %d passages", read)


def open_engine(settings: Settings, *, embedder: Embedder | None = None, rebuild: bool = False,
                progress: bool = False, notify: Notify = _quiet, batcher: QueryBatcher | None = None,
                background: bool = False, conversations: ConversationStore | None = None) -> Engine:
    """``background``: when the articles changed and the previous index was built with the same
    model, answer from it at once and build the new one in a thread (see ``Engine.updating``)."""
    skipped: list[Skipped] = []
    store = open_store(settings)  # first: it checks index_dir, where the articles wait for a build
    articles, passages = read_corpus(settings.seeds_dir, skipped, settings.max_article_bytes,
                                     scratch_dir(settings))
    try:
        for s in skipped:
            notify(f"Skipped {s}")
        embedder = embedder or make_embedder(settings)
        index, report, stale = _index_for(store, passages, embedder, rebuild, progress, notify,
                                          serve_stale=background)
        engine = Engine(settings, articles, embedder, index, report=report, skipped=skipped, batcher=batcher,
                        store=store, conversations=conversations)
    except BaseException:
        passages.close()
        raise
    if stale:
        engine.update_in_background(store, passages, notify)  # it closes them when done
    else:
        passages.close()  # the engine keeps each article's listing; the index holds the paragraphs
    return_freed_memory()
    return engine


def scratch_dir(settings: Settings) -> Path | None:
    """Where the articles' paragraphs wait for a build (``corpus.read_corpus``): beside the index
    files, on the disk that holds them, not in a temporary folder that may be held in memory
    (~1 GB at a million paragraphs); the system's temporary folder for a database store. Made
    as a build would make it: after ``open_store``, which refuses an index_dir that is a file."""
    if settings.store != "faiss":
        return None
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return settings.index_dir


def return_freed_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``; elsewhere
    nothing). Reading the articles allocates each article in turn (and a build its chunks) and
    the engine keeps none of it, but glibc keeps what was freed for later: a serving process
    over 100k paragraphs went on holding 310 MB of its own instead of 134 MB
    (``benchmarks.engine_memory``, when the corpus was still read whole)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the symbols already loaded, libc's among them
    except (OSError, AttributeError, TypeError):  # not glibc: macOS, musl, Windows
        return
    trim(0)
