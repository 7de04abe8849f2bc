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


LONG = ("Chào mừng chuyến thăm của đoàn, ông Nguyễn Thành Phong nhấn mạnh, thành phố Busan là địa phương "
        "đầu tiên của Hàn Quốc thiết lập quan hệ hợp tác hữu nghị với Thành phố Hồ Chí Minh vào năm 1995.")


@pytest.mark.parametrize("width", [20, 37, 60, 80])
def test_the_console_wraps_between_words_and_keeps_the_highlight(width):
    from bot.render import wrap_runs

    before, highlight = LONG.split("thành phố Busan")[0], "thành phố Busan là địa phương đầu tiên của Hàn Quốc"
    after = LONG[len(before) + len(highlight):]
    lines = wrap_runs([(before, False), (highlight, True), (after, False)], width, "1. “", "   ")
    texts = ["".join(t for t, _ in line) for line in lines]
    assert all(len(t) <= width for t in texts)
    assert texts[0].startswith("1. “") and all(t.startswith("   ") for t in texts[1:])
    words = LONG.split()
    assert " ".join(t.strip() for t in texts).removeprefix("1. “").split() == words  # no word cut in two
    marked = " ".join(t.strip() for line in lines for t, m in line if m)
    assert marked.split() == highlight.split()


def test_a_printer_wraps_to_its_width_with_colour_and_not_when_piped():
    passage = Passage.create("a", "Tiêu đề", "Báo", 1, LONG)
    shown = Answer("q", "answered", (AnswerPassage(passage, 3.2, "Busan là địa phương đầu tiên"),), 0.9, Kind.VI, "")
    out = io.StringIO()
    Printer(out, colour=True, width=40).answer(shown)
    lines = out.getvalue().splitlines()
    import re

    visible = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    assert len(lines) > 4 and all(len(v) <= 40 for v in visible)
    assert "\x1b[1;36m" in out.getvalue()
    piped = io.StringIO()
    Printer(piped, colour=False).answer(shown)  # a StringIO is no terminal: one line a paragraph
    assert piped.getvalue().splitlines()[0].endswith("1995.”")
