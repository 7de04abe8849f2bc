"""`eval` on conversations: each turn answered by ``Dialogue`` in the light of the turns before
it, scored by kind of turn, beside the same turn asked alone and its hand-written rewrite (the
upper bound, as TREC CAsT reports its manual rewrites)."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from .answer import ANSWERED, SOCIAL
from .chat import Dialogue
from .memory import MemoryConversations
from .evaluate import Question

KINDS = ("first", "followup", "switch", "social", "more")  # as the question files label turns


@dataclass
class TurnScores:
    n: int = 0  # answerable turns (a gold passage)
    hits: int = 0  # top passage right, in the conversation
    alone: int = 0  # top passage right, the turn asked alone
    rewrite_n: int = 0
    rewrite: int = 0  # top passage right, the hand rewrite asked alone
    refused: int = 0  # answerable, but answered "not in the articles"
    answered: int = 0  # answerable turns presented as answered (confidently)
    answered_right: int = 0  # ... with the right passage first
    unanswerable: int = 0
    not_answered: int = 0  # unanswerable turns not presented as answered
    quiet: int = 0  # social turns with no passages / "more" turns with new passages
    other: int = 0  # social or "more" turns
    followups: int = 0  # turns the conversation was used for

    def to_json(self) -> dict:
        rate = lambda a, b: round(a / b, 4) if b else None  # noqa: E731
        return {"n": self.n, "recall@1": rate(self.hits, self.n), "alone_recall@1": rate(self.alone, self.n),
                "rewrite_recall@1": rate(self.rewrite, self.rewrite_n), "rewrites": self.rewrite_n,
                "refused": self.refused, "answered_precision": rate(self.answered_right, self.answered), "unanswerable": self.unanswerable, "not_answered": self.not_answered,
                "social_or_more": self.other, "as_expected": self.quiet, "used_context": self.followups}


@dataclass
class ChatReport:
    kinds: dict[str, TurnScores] = field(default_factory=lambda: defaultdict(TurnScores))
    # per asked turn: time beyond the model call(s), in the conversation minus asked alone
    understanding_ms: list[float] = field(default_factory=list)

    def to_json(self) -> dict:
        ms = sorted(self.understanding_ms)
        return {"turns": {k: v.to_json() for k, v in self.kinds.items()},
                "understanding_ms_p50": round(ms[len(ms) // 2], 3) if ms else None}


def conversations_of(questions: list[Question]) -> dict[str, list[Question]]:
    found: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        found[q.conversation or q.id].append(q)
    return found


def evaluate_chat(pipeline, questions: list[Question], k: int = 3, quiet_minutes: float = 30.0) -> ChatReport:
    """Every conversation's turns through one ``Dialogue`` over ``pipeline``, in file order."""
    report = ChatReport()
    timed = _Timed(pipeline)
    dialogue = Dialogue(lambda: timed, MemoryConversations(), quiet_minutes)
    for turns in conversations_of(questions).values():
        for q in turns:
            kind = q.turn or "first"
            scores = report.kinds[kind]
            in_chat = timed.measure(dialogue.turn, q.conversation or q.id, q.text, k)
            answer = timed.result
            alone = timed.measure(timed.answer, q.text, k) if kind not in ("social", "more") else 0.0
            if answer.status != SOCIAL and answer.offset == 0:
                report.understanding_ms.append((in_chat - alone) * 1000)
            scores.followups += answer.followup
            if kind in ("social", "more"):
                scores.other += 1
                fresh = kind == "more" and answer.offset > 0 and bool(answer.passages)
                scores.quiet += (kind == "social" and not answer.shown()) or fresh
                continue
            top = answer.passages[0].passage.id if answer.passages else None
            if not q.gold:
                scores.unanswerable += 1
                scores.not_answered += answer.status != ANSWERED
                continue
            scores.n += 1
            scores.hits += top in q.gold
            scores.refused += not answer.answered
            scores.answered += answer.status == ANSWERED
            scores.answered_right += answer.status == ANSWERED and top in q.gold
            scores.alone += _top(timed.result) in q.gold
            if q.rewrite:
                scores.rewrite_n += 1
                scores.rewrite += _top(pipeline.answer(q.rewrite, k)) in q.gold
    return report


def _top(answer) -> str | None:
    return answer.passages[0].passage.id if answer.passages else None


class _Timed:
    """The pipeline, with the time spent embedding counted apart (the model call is not the
    cost of understanding a turn)."""

    def __init__(self, pipeline):
        self._pipeline = pipeline
        self.model_s = 0.0
        self.result = None
        pipeline.embed_queries = self._timing(pipeline.embed_queries)
        pipeline.embed_query = self._timing(pipeline.embed_query)

    def _timing(self, embed):
        def timed(texts):
            started = time.perf_counter()
            try:
                return embed(texts)
            finally:
                self.model_s += time.perf_counter() - started
        return timed

    def measure(self, func, *args) -> float:
        """Seconds ``func`` took beyond its model calls (its result in ``self.result``)."""
        self.model_s = 0.0
        started = time.perf_counter()
        self.result = func(*args)
        return time.perf_counter() - started - self.model_s

    def __getattr__(self, name):
        return getattr(self._pipeline, name)
