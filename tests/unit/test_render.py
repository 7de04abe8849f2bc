"""What a person sees for each of the three answers, in the console and in Telegram (pure rendering)."""

import io

import pytest
from fake_telegram import check_html

from bot.console import Printer
from bot.telegram_render import render_answer
from retrieval.answer import Answer, AnswerPassage, message_for
from retrieval.passage import Passage
from retrieval.text import Kind

PASSAGE = Passage.create("a", "Tiêu đề <b>", "Báo", 1, "Busan kết nghĩa năm 1995. Hai bên hợp tác.")
SHOWN = (AnswerPassage(PASSAGE, 3.2, "Busan kết nghĩa năm 1995."),)


def answer(status: str, kind: Kind = Kind.VI) -> Answer:
    return Answer("Busan kết nghĩa năm nào?", status, SHOWN, 0.5, kind, message_for(status, kind))


@pytest.mark.parametrize("status, kind, says, quotes", [
    ("answered", Kind.VI, None, True),
    ("uncertain", Kind.VI, "Có thể đoạn sau trả lời câu hỏi của bạn:", True),
    ("uncertain", Kind.EN, "This may answer your question:", True),
    ("no_answer", Kind.VI, "Các bài báo không có câu trả lời", False),
    ("no_answer", Kind.EN, "The articles do not seem to answer this", False),
])
def test_each_status_as_a_person_sees_it(status, kind, says, quotes):
    out = io.StringIO()
    Printer(out, colour=False).answer(answer(status, kind))
    console = out.getvalue()
    html = render_answer(answer(status, kind), "en" if kind is Kind.EN else "vi")
    assert check_html(html)[0] is None
    for text in (console, html):
        assert ("1995" in text) is quotes
        if says:
            assert says in text
            assert text.index(says) < text.index("1995") if quotes else True
        else:
            assert "Có thể" not in text and "may answer" not in text
