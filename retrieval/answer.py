"""What a question's answer carries to the front ends: everything they render, nothing to recompute."""

from __future__ import annotations

from dataclasses import dataclass, field

from .passage import Passage
from .text import Kind, lang_of


@dataclass(frozen=True)
class AnswerPassage:
    passage: Passage
    score: float
    highlight: str  # the sentence that best answers (the whole passage when it has one sentence)

    @property
    def span(self) -> tuple[int, int] | None:
        """Where the highlight sits in ``passage.text`` (None when it is not found verbatim)."""
        start = self.passage.text.find(self.highlight) if self.highlight else -1
        return (start, start + len(self.highlight)) if start >= 0 else None


@dataclass(frozen=True)
class Cursor:
    """Where "more" goes on from: the ranking already made, and how many passages were shown."""

    ranking: object = field(repr=False)  # pipeline.Ranking
    shown: int
    pipeline: object = field(default=None, compare=False, repr=False)  # the one that ranked (its index)


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    passages: tuple[AnswerPassage, ...]  # best first; the closest ones even when not answered
    confidence: float
    kind: Kind
    message: str = ""
    cursor: Cursor | None = field(default=None, compare=False, repr=False)

    @property
    def lang(self) -> str:
        return lang_of(self.kind)

    def shown(self) -> tuple[AnswerPassage, ...]:
        """What a user is shown: nothing when the articles do not hold the answer."""
        return self.passages if self.answered else ()

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "passages": [
                {
                    "id": ap.passage.id, "article": ap.passage.article, "title": ap.passage.title,
                    "source": ap.passage.source, "paragraph": ap.passage.paragraph, "text": ap.passage.text,
                    "highlight": ap.highlight, "score": round(ap.score, 4),
                }
                for ap in self.shown()
            ],
        }


NO_ANSWER = {
    Kind.EN: "The articles do not seem to answer this. Try asking about Busan and Ho Chi Minh City's cooperation.",
    Kind.KO: "기사에서 답을 찾지 못했습니다. 부산과 호찌민시의 협력에 대해 물어보세요.",
}
NO_ANSWER_VI = "Các bài báo không có câu trả lời cho câu hỏi này. Hãy hỏi về hợp tác giữa Busan và TP.HCM."


def no_answer_message(kind: Kind) -> str:
    return NO_ANSWER.get(kind, NO_ANSWER_VI)
