"""The `busan-bot` command: the parser, ask and chat, and the dispatch to every other command
(cli_articles.py: index, sources, info, add; cli_eval.py: eval; report.py; telegram.py)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from retrieval.errors import BusanBotError, ConfigError, InputError

from .cli_articles import cmd_add, cmd_index, cmd_info, cmd_sources
from .cli_common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, answering_engine, notify
from .cli_eval import cmd_eval

log = logging.getLogger(__name__)


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

    add = sub.add_parser("add", parents=[common],
                         help="add an article: a file (.txt, .md, .html, .pdf, .docx) or an http(s) link")
    add.add_argument("file", metavar="SOURCE", help="a file, or a link (fetched once, now)")
    for field in ("title", "source", "author", "date", "url"):
        add.add_argument(f"--{field}", help=f"the article's {field} (wins over what the source states)")
    add.add_argument("--replace", action="store_true",
                     help="replace the article already added from the same link or with the same text")

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
    rep.add_argument("--html", type=Path, metavar="FILE",
                     help="also write the report as one self-contained page (chart included)")
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


# ----------------------------------------------------------------------------- commands


def cmd_ask(args, settings) -> int:
    from retrieval.query import validate_question

    if args.question is not None:
        validate_question(args.question, settings.max_question_chars)  # before loading the model
    questions = [args.question] if args.question is not None else None
    if questions is None and sys.stdin.isatty():
        raise BusanBotError('give a question, e.g. busan-bot ask "Busan kết nghĩa với TP.HCM từ năm nào?"')
    engine = answering_engine(settings)
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
        notify("Finishing the index update before exiting (Ctrl-C leaves the previous index in use).")
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

    engine = answering_engine(settings)
    try:
        return run_chat(engine, settings)
    finally:
        engine.close()


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
    return run_report(settings, load_settings(args.config, cls=TelegramSettings), args.days, sys.stdout,
                      html_path=args.html)


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
