"""The console front end: answer printing and the interactive chat loop."""

from __future__ import annotations

import os
import shutil
import sys
from typing import TextIO

from retrieval.answer import Answer
from retrieval.errors import BusanBotError

from .render import citation, excerpt, labels, source_lines, wrap_runs

HELP = """Ask a question about Busan and Ho Chi Minh City, in Vietnamese (with or without
diacritics), English or Korean. Commands:
  /more      further passages for the last question ("more", "nữa đi" too)
  /new       a new conversation (follow-ups like "ông ấy nói gì?" lean on the questions before)
  /sources   the articles the answers come from
  /reload    read the articles again (after `busan-bot add`)
  /help      this text
  /quit      leave (Ctrl-D too)"""


class Printer:
    """Writes answers; colour only on a terminal, and never when NO_COLOR is set."""

    def __init__(self, out: TextIO, colour: bool | None = None, width: int | None = -1):
        """``width``: the line width to wrap at; -1 the terminal's (none when piped)."""
        self.out = out
        if colour is None:
            colour = out.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        self.colour = colour
        if width == -1:
            width = shutil.get_terminal_size().columns - 1 if out.isatty() else None
        self.width = width

    def _c(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour and text else text

    def line(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def answer(self, answer: Answer) -> None:
        if answer.understood_as and not answer.offset:  # a follow-up: its reading, for the user to correct
            self.line(self._c("2;3", f"{labels(answer.lang)['understood']}: {answer.understood_as}"))
        if answer.offset:  # further passages of the last answer ("more")
            if answer.passages:
                self.passages(answer, answer.offset + 1)
            else:
                self.line(labels(answer.lang)["no_more"])
            return
        if answer.message:  # the no-answer line, an uncertain answer's caveat, a social reply
            self.line(self._c("33", answer.message))
        if not answer.answered:
            return
        self.passages(answer)
        if not answer.passages:
            self.line(labels(answer.lang)["none"])
        if answer.updating:
            self.line(self._c("2", labels(answer.lang)["updating"]))

    def passages(self, answer: Answer, first_number: int = 1) -> None:
        """Each passage quoted, its answering sentence marked, with its citation."""
        for number, ap in enumerate(answer.passages, start=first_number):
            ex = excerpt(ap.passage.text, ap.highlight)
            runs = [(ex.before, False), (ex.highlight, True), (ex.after + "”", False)]
            for line in wrap_runs(runs, self.width, f"{number}. “", "   "):
                self.line("".join(self._c("1;36", text) if marked else text for text, marked in line))
            cited = f"— {citation(ap, answer.lang)} (score {ap.score:.2f})"
            for line in wrap_runs([(cited, False)], self.width, "   ", "     "):
                self.line(self._c("2", line[0][0]) if line else "")


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
    conversation = "console"  # one conversation per session; /new starts another
    interrupted = False  # Ctrl-C was the last thing typed: another one leaves
    while True:
        try:
            line = read().strip()
        except EOFError:
            printer.line()
            return 0
        except KeyboardInterrupt:
            if interrupted:
                printer.line()
                return 0
            printer.line("(Ctrl-C again to leave)")
            interrupted = True
            continue
        interrupted = False
        if not line:
            continue
        command = line.lower()
        if command in ("/quit", "/exit", "/q"):
            return 0
        if command in ("/help", "/h", "/?"):
            printer.line(HELP)
            continue
        if command == "/reload":
            try:
                engine = engine.reload(notify=printer.line)
            except BusanBotError as exc:
                printer.line(f"! {exc}")
                continue
            printer.line(f"{len(engine.index)} paragraphs from {len(engine.articles)} articles.")
            for s in engine.skipped:
                printer.line(f"skipped {s}")
            continue
        if command == "/sources":
            for title, detail in source_lines(engine.sources()):
                printer.line(f"- {title} — {detail}")
            continue
        if command == "/new":
            engine.forget(conversation)
            printer.line(labels("vi")["new"] + " / " + labels("en")["new"])
            continue
        if command == "/more":
            line = "more"  # the conversation's last answer goes on, as when "more" is typed
        elif line.startswith("/"):
            printer.line(f"Unknown command {line.split()[0]}.\n{HELP}")
            continue
        try:
            answer = engine.chat(conversation, line)
            printer.answer(answer)
            if answer.answered and not answer.offset:
                printer.line(printer._c("2", labels(answer.lang)["more"]))
        except BusanBotError as exc:
            printer.line(f"! {exc}")
        except KeyboardInterrupt:  # the model runs in a thread of its own: only the wait (or the printing) stops
            printer.line("\n(cancelled; Ctrl-C again to leave)")
            interrupted = True
