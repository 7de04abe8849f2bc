"""Wall time per stage of answering one question, for the latency benchmark.

Answering code marks its stages with ``with stages("embed"):``; the default ``NO_STAGES``
does nothing, so production pays one no-op context manager per stage.
"""

from __future__ import annotations

import time
from contextlib import contextmanager, nullcontext


class Stages:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


def NO_STAGES(name: str):  # noqa: N802 - used like a Stages instance
    return nullcontext()
