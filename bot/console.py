"""The console front end: answer printing and the interactive chat loop."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from retrieval.answer import Answer
from retrieval.errors import BusanBotError

from .render import citation, excerpt, labels

HELP = """Ask a question about Busan and Ho Chi Minh City, in Vietnamese (with or without
diacritics), English or Korean. Commands:
  /more      further passages for the last question
  /sources   the articles the answers come from
  /help      this text
  /quit      leave (Ctrl-D too)"""


class Printer:
    """Writes answers; colour only on a terminal, and never when NO_COLOR is set."""

    def __init__(self, out: TextIO, colour: bool | None = None):
        self.out = out
        if colour is None:
            colour = out.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        self.colour = colour

    def _c(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour and text else text

    def line(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def answer(self, answer: Answer, first_number: int = 1) -> None:
        lab = labels(answer.kind)
        if not answer.answered:
            self.line(self._c("33", answer.message))
            return
        for number, ap in enumerate(answer.shown(), start=first_number):
            ex = excerpt(ap.passage.text, ap.highlight)
            quote = ex.before + self._c("1;36", ex.highlight) + ex.after
            self.line(f"{number}. “{quote}”")
            self.line(self._c("2", f"   — {citation(ap, answer.kind)} (score {ap.score:.2f})"))
        if not answer.passages:
            self.line(lab["none"])


def _reader(history_file):
    """Line editing and history on a terminal; plain lines otherwise (pipes, tests)."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory

        history_file.parent.mkdir(parents=True, exist_ok=True)
        session = PromptSession(history=FileHistory(str(history_file)))
        return lambda: session.prompt("? ")

    def plain() -> str:
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line

    return plain


def run_chat(engine, settings) -> int:
    printer = Printer(sys.stdout)
    read = _reader(settings.cache_dir / "chat-history")
    n = len(engine.index)
    printer.line(f"busan-bot: {n} paragraphs from {len(engine.articles)} articles. /help for help, /quit to leave.")
    last_question, shown = None, 0
    while True:
        try:
            line = read().strip()
        except EOFError:
            printer.line()
            return 0
        except KeyboardInterrupt:
            continue
        if not line:
            continue
        command = line.lower()
        if command in ("/quit", "/exit", "/q"):
            return 0
        if command in ("/help", "/h", "/?"):
            printer.line(HELP)
            continue
        if command == "/sources":
            for a in engine.articles:
                printer.line(f"- {a.title} — {a.source or '?'} ({len(a.passages)} paragraphs)")
            continue
        if command == "/more":
            if last_question is None:
                printer.line("Ask a question first.")
                continue
            answer = engine.answer(last_question, settings.top_k, offset=shown)
            if not answer.passages:
                printer.line(labels(answer.kind)["no_more"])
                continue
            # "More" always shows passages: the user asked for them explicitly.
            printer.answer(_force_answered(answer), first_number=shown + 1)
            shown += len(answer.passages)
            continue
        if line.startswith("/"):
            printer.line(f"Unknown command {line.split()[0]}.\n{HELP}")
            continue
        try:
            answer = engine.answer(line, settings.top_k)
        except BusanBotError as exc:
            printer.line(f"! {exc}")
            continue
        printer.answer(answer)
        last_question, shown = line, len(answer.passages)
        if answer.answered:
            printer.line(printer._c("2", labels(answer.kind)["more"]))


def _force_answered(answer: Answer) -> Answer:
    import dataclasses

    return dataclasses.replace(answer, answered=True)
