"""What the `busan-bot` commands share: exit codes, messages on stderr, the engine of ask and chat."""

from __future__ import annotations

import sys

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def notify(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def answering_engine(settings):
    """The engine of `ask` and `chat`: when the articles changed, it answers from the previous
    index at once while the new one is built beside it."""
    from retrieval.engine import open_engine

    return open_engine(settings, progress=sys.stderr.isatty(), notify=notify, background=True)
