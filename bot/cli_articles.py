"""`busan-bot index`, `sources`, `info` and `add`: the articles and their index."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from retrieval.errors import BusanBotError

from .cli_common import EXIT_OK, notify


def cmd_index(args, settings) -> int:
    from retrieval.corpus import read_corpus
    from retrieval.engine import scratch_dir
    from retrieval.store import open_store

    store = open_store(settings)  # first: it checks index_dir, where the articles wait for a build
    articles, passages = read_corpus(settings.seeds_dir, max_bytes=settings.max_article_bytes,
                                     scratch=scratch_dir(settings))
    with passages:
        return _index(args, settings, store, len(articles), passages)


def _index(args, settings, store, articles: int, passages) -> int:
    from retrieval.engine import ensure_index, make_embedder

    n = len(passages)
    embedder = make_embedder(settings)  # loads no model until something needs embedding
    report = None
    rebuild = args.rebuild
    if args.verify and store.up_to_date(passages, embedder.model_id):
        problems = store.verify()
        for problem in problems:
            print(f"damaged: {problem}")
        if problems:
            notify("The index is damaged: rebuilding it from the articles.")
            rebuild = True  # its vectors cannot be trusted for reuse
        else:
            print(f"Index verified: every part read back and checked ({store.where}).")
    # The common case, nothing changed, is answered from the manifest: no FAISS, no model.
    if rebuild or not store.up_to_date(passages, embedder.model_id):
        _, report = ensure_index(settings, passages, embedder, rebuild=rebuild,
                                 progress=sys.stderr.isatty(), notify=notify, store=store)
    if report is None:
        if store.tidy():
            print("Removed what an interrupted build left behind.")
        print(f"Index is up to date: {n} paragraphs from {articles} articles ({store.where}).")
    else:
        print(f"Indexed {report.passages} paragraphs from {articles} articles in {report.seconds:.1f} s "
              f"({report.embedded} embedded, {report.reused} reused) -> {store.where}")
    return EXIT_OK


def cmd_sources(args, settings) -> int:
    from retrieval.corpus import scan_corpus

    from .render import source_lines

    articles, skipped = scan_corpus(settings.seeds_dir, settings.max_article_bytes)
    for article, (title, detail) in zip(articles, source_lines(articles)):
        print(f"{article.id}: {title}")
        print(f"    {detail}; {Path(article.path).name}")
    _print_skipped(skipped)
    return EXIT_OK


def _print_skipped(skipped) -> None:
    for s in skipped:
        print(f"skipped {s}")


def cmd_info(args, settings) -> int:
    from retrieval.engine import info

    found = info(settings)
    source = found.model
    print(f"model:       {settings.model}")
    print(f"model id:    {source.model_id}")
    print(f"weights:     {source.weights}")
    print(f"prefixes:    {source.prefixes}")
    if found.index is None:
        print(f"index:       none usable ({found.problem})")
    else:
        m = found.index
        age = time.strftime("%Y-%m-%d %H:%M", time.localtime(m.created))
        print(f"index:       {found.location} ({m.count} paragraphs, dim {m.dim}, {m.search} search, built {age})")
        if m.model_id != source.model_id:
            print("             built with another model: the next command will rebuild it")
    print(f"seeds:       {settings.seeds_dir}")
    from retrieval.corpus import scan_corpus

    try:
        _print_skipped(scan_corpus(settings.seeds_dir, settings.max_article_bytes)[1])
    except BusanBotError as exc:
        print(f"             {exc}")
    from retrieval.tuned import ANSWER_THRESHOLD, UNCERTAIN_THRESHOLDS

    answer = ANSWER_THRESHOLD if settings.answer_threshold is None else settings.answer_threshold
    uncertain = (", ".join(f"{k.value} {v}" for k, v in UNCERTAIN_THRESHOLDS.items())
                 if settings.uncertain_threshold is None else settings.uncertain_threshold)
    print(f"settings:    top_k={settings.top_k} candidates={settings.candidates} answer_threshold={answer} "
          f"uncertain_threshold={uncertain} allow_download={settings.allow_download} store={settings.store}")
    return EXIT_OK


def cmd_add(args, settings) -> int:
    from retrieval.adding import add_article
    from retrieval.corpus import load_article

    added = add_article(args.file, settings.seeds_dir, title=args.title, source=args.source,
                        author=args.author, date=args.date, url=args.url, replace=args.replace,
                        max_bytes=settings.max_article_bytes)
    path = added.path
    article = load_article(path, settings.max_article_bytes)
    n = len(article.passages)
    done = f"Replaced {added.replaced.name} with {path.name}" if added.replaced else f"Added {path.name}"
    print(f"{done}: \"{article.title}\", {n} paragraphs. Run `busan-bot index` (or just ask) to index it.")
    if n > LARGE_ARTICLE:
        minutes = n / INDEXING_RATE / 60
        notify(f"{path.name} is large ({n} paragraphs, {path.stat().st_size / 1e6:.1f} MB): embedding it takes "
                f"about {minutes:.0f} min on a 2-core machine. Questions are answered from the previous index meanwhile.")
    return EXIT_OK


# Paragraphs a second that indexing embeds on the 2 slow cores of the README's Performance
# section (benchmarks.indexing: 1.3, every sentence embedded too); above LARGE_ARTICLE
# paragraphs, `add` says how long indexing will take.
INDEXING_RATE = 1.3
LARGE_ARTICLE = 200
