"""The `busan-bot` command: ask, chat, index, sources, info, add, eval (and telegram)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from retrieval.errors import BusanBotError, ConfigError, InputError

log = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _add_settings_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="settings file (default: config/default.toml; or BUSAN_BOT_CONFIG)")
    p.add_argument("--seeds-dir", help="folder of articles")
    p.add_argument("--index-dir", help="folder of the index")
    p.add_argument("--model", help="embedding model: local folder or Hugging Face name")
    p.add_argument("--verbose", "-v", action="store_true", help="log progress and show tracebacks")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="busan-bot",
        description="Answers questions about the Ho Chi Minh City - Busan partnership from news articles, offline.",
    )
    common = argparse.ArgumentParser(add_help=False)
    _add_settings_flags(common)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    ask = sub.add_parser("ask", parents=[common], help="answer one question (or one per line of stdin)")
    ask.add_argument("question", nargs="?", help="the question; omit to read questions from stdin")
    ask.add_argument("-k", type=int, dest="top_k", help="passages per answer (default from settings)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")

    chat = sub.add_parser("chat", parents=[common], help="interactive console chat")
    chat.add_argument("-k", type=int, dest="top_k", help="passages per answer")

    index = sub.add_parser("index", parents=[common], help="build or update the index")
    index.add_argument("--rebuild", action="store_true", help="re-embed everything from scratch")
    index.add_argument("--verify", action="store_true",
                       help="check every file against its checksum; rebuild from scratch if any is damaged")

    sub.add_parser("sources", parents=[common], help="list the indexed articles")
    sub.add_parser("info", parents=[common], help="model, weights, index and settings in use")

    add = sub.add_parser("add", parents=[common], help="add an article file (.txt, .md, .html)")
    add.add_argument("file", type=Path)
    for field in ("title", "source", "author", "date", "url"):
        add.add_argument(f"--{field}")

    ev = sub.add_parser("eval", parents=[common], help="retrieval quality on a question file")
    ev.add_argument("--passages", type=Path, help='JSONL {"id","title","text"} (default: the articles)')
    ev.add_argument("--questions", type=Path, required=True, help='JSONL {"question","gold_passage_ids"}')
    ev.add_argument("-k", type=int, default=5, help="also report recall@K (default 5)")
    ev.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    ev.add_argument("--strip-diacritics", action="store_true",
                    help="ask the questions with diacritics removed (NFD, drop marks, đ->d)")
    ev.add_argument("--answers", type=Path,
                    help="question file in the passages' language whose answers (matched by id) judge the "
                         "highlight: for questions asked in another language")
    ev.add_argument("--half", choices=["first", "second"],
                    help="only passages and questions of the first or second half of the documents")
    ev.add_argument("--split", choices=["dev", "test"],
                    help="only the questions of this split (our question set: dev is tuned on, test only reported)")

    rep = sub.add_parser("report", parents=[common], help="what the bot's users asked, and what went unanswered")
    rep.add_argument("--days", type=float, default=7, help="how many days back (default 7)")
    tg = sub.add_parser("telegram", parents=[common], help="run the Telegram bot (token in TELEGRAM_BOT_TOKEN)")
    tg.add_argument("--webhook-url", help="public HTTPS URL; enables webhook mode instead of long polling")
    tg.add_argument("--listen", default="127.0.0.1", help="webhook listen address")
    tg.add_argument("--port", type=int, default=8443, help="webhook listen port")
    return parser


def load(args):
    from retrieval.settings import load_settings

    return load_settings(
        args.config, seeds_dir=args.seeds_dir, index_dir=args.index_dir, model=args.model,
        top_k=getattr(args, "top_k", None),
    )


def _notify(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _engine(settings):
    """The engine of `ask` and `chat`: when the articles changed, it answers from the previous
    index at once while the new one is built beside it."""
    from retrieval.engine import open_engine

    return open_engine(settings, progress=sys.stderr.isatty(), notify=_notify, background=True)


# ----------------------------------------------------------------------------- commands


def cmd_ask(args, settings) -> int:
    from retrieval.query import validate_question

    if args.question is not None:
        validate_question(args.question, settings.max_question_chars)  # before loading the model
    questions = [args.question] if args.question is not None else None
    if questions is None and sys.stdin.isatty():
        raise BusanBotError('give a question, e.g. busan-bot ask "Busan kết nghĩa với TP.HCM từ năm nào?"')
    engine = _engine(settings)
    try:
        return _answer_all(engine, args, settings, questions)
    finally:
        engine.close()


def _answer_all(engine, args, settings, questions: list[str] | None) -> int:
    """Each question (or line of standard input) answered; a line's failure is that line's."""
    from .console import Printer

    printer = Printer(sys.stdout)
    if questions is None:
        # Undecodable bytes become lone surrogates, which normalisation drops: a bad line is
        # still answered, and never stops the lines after it.
        if hasattr(sys.stdin, "reconfigure"):
            sys.stdin.reconfigure(errors="surrogateescape")
    lines = questions if questions is not None else (line for line in sys.stdin)
    failures = 0
    for line in lines:
        question = line.strip()
        if not question:
            continue
        chat = None
        try:
            if args.json and questions is None and question.startswith("{"):
                chat, question = _chat_line(question)
            answer = engine.ask(question) if chat is None else engine.chat(f"ask:{chat}", question)
        except Exception as exc:  # noqa: BLE001 - one line's failure is that line's, never the batch's
            failures += 1
            message = _masked(str(exc) if isinstance(exc, BusanBotError)
                              else f"unexpected error: {type(exc).__name__}: {exc}")
            if args.verbose:
                log.exception("question failed")
            if args.json:
                echoed = question if len(question) <= settings.max_question_chars else \
                    question[: settings.max_question_chars] + "…"  # a 50 KB line is not echoed whole
                print(json.dumps({**({"chat": chat} if chat is not None else {}), "question": echoed,
                                  "error": message}, ensure_ascii=False), flush=True)
            else:
                print(f"error: {message}", file=sys.stderr)
            continue
        if args.json:
            data = answer.to_json()
            if chat is not None:  # a turn of a conversation: how it was understood, and whether in context
                data = {"chat": chat, **data, "understood_as": answer.understood_as or answer.question,
                        "followup": answer.followup}
            print(json.dumps(data, ensure_ascii=False), flush=True)
        else:
            printer.answer(answer)
    if engine.updating:
        _notify("Finishing the index update before exiting (Ctrl-C leaves the previous index in use).")
        engine.wait_for_update()
    return EXIT_ERROR if failures else EXIT_OK


def _chat_line(line: str) -> tuple[str | None, str]:
    """A JSON line of `ask --json`: ``{"chat": "<id>", "question": "<text>"}`` -> (id, text);
    lines with the same id are turns of one conversation, in input order. A line that is no
    JSON object is a plain question ("{Busan} là gì?") -> (None, line)."""
    try:
        data = json.loads(line)
    except ValueError:
        return None, line
    if not isinstance(data, dict):
        return None, line
    if not isinstance(data.get("question"), str):
        raise InputError('a JSON line needs "question" (text), e.g. {"chat": "1", "question": "năm nào?"}')
    chat = data.get("chat")
    if chat is None or isinstance(chat, bool) or not isinstance(chat, (str, int)) or not str(chat).strip():
        raise InputError('a JSON line needs "chat": the conversation\'s id (text or a number)')
    return str(chat), data["question"]


def cmd_chat(args, settings) -> int:
    from .console import run_chat

    engine = _engine(settings)
    try:
        return run_chat(engine, settings)
    finally:
        engine.close()


def cmd_index(args, settings) -> int:
    from retrieval.corpus import corpus_passages, load_corpus
    from retrieval.engine import ensure_index, make_embedder
    from retrieval.store import open_store

    articles = load_corpus(settings.seeds_dir, max_bytes=settings.max_article_bytes)
    passages = corpus_passages(articles)
    n = len(passages)
    embedder = make_embedder(settings)  # loads no model until something needs embedding
    store = open_store(settings)
    report = None
    rebuild = args.rebuild
    if args.verify and store.up_to_date(passages, embedder.model_id):
        problems = store.verify()
        for problem in problems:
            print(f"damaged: {problem}")
        if problems:
            _notify("The index is damaged: rebuilding it from the articles.")
            rebuild = True  # its vectors cannot be trusted for reuse
        else:
            print(f"Index verified: every part read back and checked ({store.where}).")
    # The common case, nothing changed, is answered from the manifest: no FAISS, no model.
    if rebuild or not store.up_to_date(passages, embedder.model_id):
        _, report = ensure_index(settings, articles, embedder, rebuild=rebuild,
                                 progress=sys.stderr.isatty(), notify=_notify, store=store)
    if report is None:
        if store.tidy():
            print("Removed what an interrupted build left behind.")
        print(f"Index is up to date: {n} paragraphs from {len(articles)} articles ({store.where}).")
    else:
        print(f"Indexed {report.passages} paragraphs from {len(articles)} articles in {report.seconds:.1f} s "
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
    from retrieval.corpus import add_article, load_article

    path = add_article(args.file, settings.seeds_dir, title=args.title, source=args.source,
                       author=args.author, date=args.date, url=args.url, max_bytes=settings.max_article_bytes)
    article = load_article(path, settings.max_article_bytes)
    n = len(article.passages)
    print(f"Added {path.name}: \"{article.title}\", {n} paragraphs. "
          "Run `busan-bot index` (or just ask) to index it.")
    if n > LARGE_ARTICLE:
        minutes = n / INDEXING_RATE / 60
        _notify(f"{path.name} is large ({n} paragraphs, {path.stat().st_size / 1e6:.1f} MB): embedding it takes "
                f"about {minutes:.0f} min on a 2-core machine. Questions are answered from the previous index meanwhile.")
    return EXIT_OK


# Paragraphs a second that indexing embeds on the 2 slow cores of the README's Performance
# section (benchmarks.indexing: 1.3, every sentence embedded too); above LARGE_ARTICLE
# paragraphs, `add` says how long indexing will take.
INDEXING_RATE = 1.3
LARGE_ARTICLE = 200


def cmd_eval(args, settings) -> int:
    from retrieval.engine import make_embedder
    from retrieval.evaluate import (
        eval_index_dir, evaluate, half_filter, read_passages, read_questions, strip_questions, with_answers_from,
    )

    from .evaltable import print_report

    if args.k < 1:
        raise BusanBotError("-k must be at least 1")
    if args.passages:
        passages = read_passages(args.passages)
    else:
        from retrieval.corpus import corpus_passages, load_corpus

        passages = corpus_passages(load_corpus(settings.seeds_dir, max_bytes=settings.max_article_bytes))
    questions = read_questions(args.questions)
    if args.split:
        questions = [q for q in questions if q.split == args.split]
        if not questions:
            raise BusanBotError(f"{args.questions} has no question of split '{args.split}'")
    if args.half:
        passages, questions = half_filter(passages, questions, args.half)
    if args.strip_diacritics:
        questions = strip_questions(questions)
    if args.answers:
        questions = with_answers_from(questions, read_questions(args.answers))
    embedder = make_embedder(settings)
    if any(q.conversation for q in questions):  # turns of conversations: each read with those before it
        return _eval_conversations(passages, questions, embedder, settings, args)
    report = evaluate(passages, questions, embedder, eval_index_dir(settings.cache_dir, passages), settings,
                      progress=sys.stderr.isatty(), extra_k=args.k)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print_report(report, args.k)
    return EXIT_OK


def _eval_conversations(passages, questions, embedder, settings, args) -> int:
    from retrieval.chat_eval import evaluate_chat
    from retrieval.evaluate import eval_index_dir, throwaway_index
    from retrieval.pipeline import Pipeline

    from .evaltable import print_chat_report

    index = throwaway_index(passages, embedder, eval_index_dir(settings.cache_dir, passages), settings,
                            progress=sys.stderr.isatty())
    pipeline = Pipeline.from_settings(index, embedder, settings, embed_queries=embedder.embed_queries)
    report = evaluate_chat(pipeline, questions, settings.top_k, settings.conversation_minutes)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print_chat_report(report.to_json())
    return EXIT_OK


def cmd_telegram(args, settings) -> int:
    from retrieval.settings import load_settings

    from .telegram import run_telegram
    from .telegram_settings import TelegramSettings

    telegram = load_settings(args.config, cls=TelegramSettings)
    return run_telegram(settings, telegram, webhook_url=args.webhook_url, listen=args.listen, port=args.port)


def cmd_report(args, settings) -> int:
    from retrieval.settings import load_settings

    from .report import run_report
    from .telegram_settings import TelegramSettings

    if args.days <= 0:
        raise BusanBotError("--days must be more than 0")
    return run_report(settings, load_settings(args.config, cls=TelegramSettings), args.days, sys.stdout)


COMMANDS = {
    "ask": cmd_ask, "chat": cmd_chat, "index": cmd_index, "sources": cmd_sources, "info": cmd_info,
    "add": cmd_add, "eval": cmd_eval, "report": cmd_report, "telegram": cmd_telegram,
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    verbose = args.verbose
    try:
        settings = load(args)
        level = "INFO" if verbose and settings.log_level == "WARNING" else settings.log_level
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        if not verbose:
            _quiet_libraries()
        return COMMANDS[args.command](args, settings)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BusanBotError as exc:
        if verbose:
            log.exception("failed")
        print(f"busan-bot: {_masked(str(exc))}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_ERROR
    except Exception as exc:  # the user gets one line; --verbose shows the traceback
        if verbose:
            log.exception("unexpected error")
        print(f"busan-bot: unexpected error: {type(exc).__name__}: {_masked(str(exc))} "
              "(run with --verbose for details)", file=sys.stderr)
        return EXIT_ERROR


def _masked(text: str) -> str:
    """Never print the bot token, whatever a library put into an error message."""
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    return text.replace(token, "<token>") if token else text


def _quiet_libraries() -> None:
    # sentence-transformers and transformers chatter on stderr at load; users need none of it.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # psycopg_pool logs each failed reconnection attempt (two lines) while a database is down;
    # what a user needs is the one line of the question that failed (--verbose shows them).
    for name in ("sentence_transformers", "transformers", "huggingface_hub", "filelock", "psycopg.pool"):
        logging.getLogger(name).setLevel(logging.ERROR)
    import warnings

    warnings.filterwarnings("ignore")
