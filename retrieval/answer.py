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


ANSWERED, UNCERTAIN, NO_ANSWER = "answered", "uncertain", "no_answer"
SOCIAL = "social"  # a chat turn that is no question ("cảm ơn", "hi", "👍"): a friendly line, no passages


@dataclass(frozen=True)
class Answer:
    question: str
    status: str  # ANSWERED (confident), UNCERTAIN (shown with a caveat) or NO_ANSWER
    passages: tuple[AnswerPassage, ...]  # best first; the closest ones even when not answered
    confidence: float  # 0-1, the answer/no-answer model's
    kind: Kind
    message: str = ""  # the caveat (uncertain) or the no-answer line, in the question's language
    cursor: Cursor | None = field(default=None, compare=False, repr=False)
    updating: bool = False  # answered from the previous index while a newer one is built
    understood_as: str = ""  # a follow-up as understood with the conversation ("" when it stood alone)
    offset: int = 0  # passages of the same answer shown before these ("more"): number from offset + 1

    @property
    def followup(self) -> bool:
        """Whether the conversation before it was used to understand it."""
        return bool(self.understood_as)

    @property
    def answered(self) -> bool:
        """False when the articles do not hold the answer (and for a social turn): an uncertain
        answer is shown."""
        return self.status not in (NO_ANSWER, SOCIAL)

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
            "status": self.status,
            "confidence": round(self.confidence, 4),
            "passages": [
                {
                    "id": ap.passage.id, "article": ap.passage.article, "title": ap.passage.title,
                    "source": ap.passage.source, "paragraph": ap.passage.paragraph, "text": ap.passage.text,
                    "highlight": ap.highlight, "score": round(ap.score, 4),
                }
                for ap in self.shown()
            ],
        }


NO_ANSWER_MESSAGES = {
    Kind.EN: "The articles do not seem to answer this. Try asking about Busan and Ho Chi Minh City's cooperation.",
    Kind.KO: "기사에서 답을 찾지 못했습니다. 부산과 호찌민시의 협력에 대해 물어보세요.",
}
NO_ANSWER_VI = "Các bài báo không có câu trả lời cho câu hỏi này. Hãy hỏi về hợp tác giữa Busan và TP.HCM."


CAVEAT = {"vi": "Có thể đoạn sau trả lời câu hỏi của bạn:", "en": "This may answer your question:"}


SOCIAL_REPLIES = {
    "vi": "😊 Bạn cứ hỏi tiếp về hợp tác giữa Busan và TP.HCM nhé.",
    "en": "😊 Ask me anything else about Busan and Ho Chi Minh City.",
}
ABOUT_BOT = {  # "what is this about?", "bạn là ai?"
    "vi": ("Mình trả lời câu hỏi về hợp tác giữa Busan và TP.HCM từ các bài báo mình có: mỗi câu trả lời là "
           "đoạn trích kèm nguồn, câu trả lời được đánh dấu. Hỏi thử: \"Busan kết nghĩa với TP.HCM năm nào?\" "
           "— gõ /sources để xem các bài báo."),
    "en": ("I answer questions about the partnership between Busan and Ho Chi Minh City from the news "
           "articles I hold: each answer is a quoted passage with its source, the answering sentence marked. "
           "Try \"When did Busan and HCMC become partners?\" — /sources lists the articles."),
}
ASK_FIRST = {
    "vi": "Hãy đặt một câu hỏi trước, rồi nhắn \"nữa\" để xem thêm đoạn khác.",
    "en": "Ask a question first; then \"more\" shows further passages.",
}


def message_for(status: str, kind: Kind) -> str:
    """What is said before the passages (uncertain) or instead of them (no answer)."""
    if status == NO_ANSWER:
        return NO_ANSWER_MESSAGES.get(kind, NO_ANSWER_VI)
    return CAVEAT[lang_of(kind)] if status == UNCERTAIN else ""
